// A Node app without dependencies: answers on 127.0.0.1:$PORT.
import { createServer } from 'node:http';

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0) {
  console.error('PORT is not set');
  process.exit(1);
}

const server = createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`hello from node-nodep (pid ${process.pid})\n`);
});

server.listen(port, '127.0.0.1', () => console.log(`node-nodep listening on 127.0.0.1:${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
