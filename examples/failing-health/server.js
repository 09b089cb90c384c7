// Starts fine, but its health path answers 500 on purpose: a deploy of it must fail
// and leave the previous release serving.
import { createServer } from 'node:http';

const port = Number(process.env.PORT);

const server = createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('unhealthy on purpose\n');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('this release should never receive traffic\n');
});

server.listen(port, '127.0.0.1', () => console.log(`failing-health listening on 127.0.0.1:${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
