// The web process: serves the worker's latest heartbeat; /health fails when it is stale.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const port = Number(process.env.PORT);
const dir = process.env.HEARTBEAT_DIR ?? 'state';

function heartbeat() {
  try {
    return JSON.parse(readFileSync(`${dir}/heartbeat.json`, 'utf8'));
  } catch {
    return null;
  }
}

const server = createServer((req, res) => {
  const hb = heartbeat();
  const fresh = hb !== null && Date.now() - Date.parse(hb.at) < 5000;
  if (req.url === '/health') {
    // 503 = not ready yet (the worker has not written): the deploy keeps waiting
    res.writeHead(fresh ? 200 : 503, { 'content-type': 'text/plain' });
    res.end(fresh ? 'ok\n' : 'waiting for the worker\n');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify({ worker: hb })}\n`);
});

server.listen(port, '127.0.0.1', () => console.log(`worker web listening on 127.0.0.1:${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
