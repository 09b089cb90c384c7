// The worker process: every 500 ms it writes a heartbeat the web process serves.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';

const dir = process.env.HEARTBEAT_DIR ?? 'state';
mkdirSync(dir, { recursive: true });
let beats = 0;

function beat() {
  beats += 1;
  const tmp = `${dir}/heartbeat.json.tmp`;
  writeFileSync(tmp, JSON.stringify({ beats, pid: process.pid, at: new Date().toISOString() }));
  renameSync(tmp, `${dir}/heartbeat.json`);
}

beat();
console.log(`worker started (pid ${process.pid}), writing ${dir}/heartbeat.json`);
const timer = setInterval(beat, 500);
process.on('SIGTERM', () => {
  clearInterval(timer);
  process.exit(0);
});
