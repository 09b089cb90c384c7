// Writes and reads a row through DATABASE_URL (pg) and a key through REDIS_URL (ioredis); answers on 127.0.0.1:$PORT.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import pg from 'pg';
import { Redis } from 'ioredis';

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0) {
  console.error('PORT is not set');
  process.exit(1);
}
for (const name of ['DATABASE_URL', 'REDIS_URL']) {
  if (!process.env[name]) {
    console.error(`${name} is not set: declare the addon in hop3.toml or attach one`);
    process.exit(1);
  }
}

const db = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
const redis = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: 2 });
redis.on('error', (e) => console.error(`redis: ${e.message}`));
await db.query('CREATE TABLE IF NOT EXISTS notes (id serial PRIMARY KEY, body text NOT NULL)');

// Fingerprints, not the URLs: the credentials never leave the app.
const fingerprint = (v) => createHash('sha256').update(v ?? '').digest('hex').slice(0, 16);

async function handle(url) {
  const q = url.searchParams;
  switch (url.pathname) {
    case '/health':
      return { ok: true };
    case '/db/write':
      return (await db.query('INSERT INTO notes (body) VALUES ($1) RETURNING id', [q.get('body') ?? ''])).rows[0];
    case '/db/read':
      return { notes: (await db.query('SELECT id, body FROM notes ORDER BY id')).rows };
    case '/kv/set':
      return { result: await redis.set(q.get('key') ?? 'k', q.get('value') ?? '') };
    case '/kv/get':
      return { value: await redis.get(q.get('key') ?? 'k') };
    case '/addons':
      return {
        database_url: fingerprint(process.env.DATABASE_URL),
        redis_url: fingerprint(process.env.REDIS_URL),
        pgdatabase: process.env.PGDATABASE,
        redis_db: process.env.REDIS_DB,
      };
    default:
      return undefined;
  }
}

function reply(res, status, body) {
  const text = JSON.stringify(body) + '\n';
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = createServer((req, res) => {
  handle(new URL(req.url ?? '/', 'http://localhost')).then(
    (body) => reply(res, body === undefined ? 404 : 200, body ?? { error: 'not found' }),
    (e) => reply(res, 500, { error: e.message }),
  );
});

server.listen(port, '127.0.0.1', () => console.log(`addons-demo listening on 127.0.0.1:${port}`));
process.on('SIGTERM', () => server.close(() => Promise.all([db.end(), redis.quit()]).finally(() => process.exit(0))));
