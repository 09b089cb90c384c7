// A Node app with one npm dependency (ms): answers on 127.0.0.1:$PORT.
import { createServer } from 'node:http';
import ms from 'ms';

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0) {
  console.error('PORT is not set');
  process.exit(1);
}
const startedAt = Date.now();

const server = createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`hello from node-dep, up for ${ms(Date.now() - startedAt, { long: true })}\n`);
});

server.listen(port, '127.0.0.1', () => console.log(`node-dep listening on 127.0.0.1:${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
