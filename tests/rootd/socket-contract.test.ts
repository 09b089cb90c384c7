/**
 * The contract suite against a real `hop3-rootd serve` child process on a
 * temp socket (binaries pointed at /bin/false, a temp cgroup root): the same
 * assertions as in-process, through the listener, SO_PEERCRED and the CLI.
 */
import { contractSuite } from './contract.ts';
import { makeServeConfig, socketCall, startServe, type ServeChild, type TempServeConfig } from './socket-harness.ts';

let t: TempServeConfig | undefined;
let child: ServeChild | undefined;

contractSuite(
  'real daemon over the socket',
  async () => {
    t = makeServeConfig();
    child = await startServe(t.configFile, t.config.socket.path);
    const socket = t.config.socket.path;
    return { peer: { uid: 0, gid: 0, pid: process.pid }, call: (req) => socketCall(socket, req) };
  },
  async () => {
    const code = await child?.stop();
    t?.cleanup();
    if (code !== 0 && code !== undefined) throw new Error(`rootd exited with ${code}: ${child?.stderr()}`);
  },
);
