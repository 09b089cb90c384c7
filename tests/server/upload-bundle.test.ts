import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdir, readFile, symlink, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { Parser, type ReadEntry } from 'tar';
import { gunzipSync } from 'node:zlib';
import { loadApp } from '../../shared-protocol/config/index.ts';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import { bundleStream, createBundle, planBundle, type BundleProgress } from '../../cli/bundle/bundle.ts';
import { extractUpload } from '../../server/deploy/upload.ts';
import { listing, sandbox } from './upload-helpers.ts';

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function put(root: string, rel: string, text: string, mode = 0o644): Promise<void> {
  await mkdir(dirname(join(root, rel)), { recursive: true });
  await writeFile(join(root, rel), text);
  await chmod(join(root, rel), mode);
}

/** A small app tree with the things a real one has, including what must not travel. */
async function fixtureApp(root: string): Promise<void> {
  await put(root, 'hop3.toml', '[metadata]\nid = "demo"\n\n[build]\nignore = ["*.log", "tmp/", "!tmp/keep.txt"]\n\n[run]\nstart = "node app.js"\n');
  await put(root, 'app.js', 'require("http").createServer((q, s) => s.end("ok")).listen(process.env.PORT);\n');
  await put(root, 'package.json', '{"name":"demo","version":"1.0.0"}\n');
  await put(root, 'bin/start', '#!/bin/sh\nexec node app.js\n', 0o775);
  await put(root, `lib/${'long-directory-name/'.repeat(8)}module.js`, 'module.exports = 1;\n');
  await put(root, 'public/café ☕.html', '<p>hi</p>\n');
  await mkdir(join(root, 'empty-dir'), { recursive: true });
  await put(root, 'node_modules/left-pad/index.js', 'junk');
  await put(root, '.git/HEAD', 'ref: refs/heads/main\n');
  await put(root, '__pycache__/x.pyc', 'junk');
  await put(root, 'debug.log', 'junk');
  await put(root, 'tmp/cache.bin', 'junk');
}

interface HeaderView {
  path: string;
  type: string;
  mode: number | undefined;
  uid: number | undefined;
  gid: number | undefined;
  mtime: Date | undefined;
  uname: string | undefined;
  gname: string | undefined;
}

function headersOf(tgz: Buffer): HeaderView[] {
  const out: HeaderView[] = [];
  const p = new Parser({ strict: true });
  p.on('entry', (e: ReadEntry) => {
    out.push({ path: e.path, type: e.type, mode: e.mode, uid: e.uid, gid: e.gid, mtime: e.mtime, uname: e.uname, gname: e.gname });
    e.resume();
  });
  p.end(gunzipSync(tgz));
  return out;
}

test('a bundle of an app dir extracts cleanly into the same tree, without the ignored paths', async () => {
  const box = await sandbox();
  try {
    const app = join(box.root, 'app');
    await fixtureApp(app);
    const patterns = loadApp(app).plan?.ignore.patterns ?? [];
    const { plan, stream } = await createBundle(app, { ignore: patterns });
    const rel = box.release();
    await extractUpload(stream, rel);
    const got = await listing(rel);
    assert.ok(got.includes('f 755 27 bin/start'), got.join('\n'));
    assert.ok(got.includes('d 755 0 empty-dir'));
    for (const gone of ['node_modules', '.git', '__pycache__', 'debug.log', 'tmp']) {
      assert.ok(!got.some((l) => l.split(' ')[3] === gone), `${gone} is not uploaded`);
    }
    assert.equal(await readFile(join(rel, 'public/café ☕.html'), 'utf8'), '<p>hi</p>\n');
    assert.equal(plan.files, 6);
    assert.deepEqual([...plan.ignored].sort(), ['.git', '__pycache__', 'debug.log', 'node_modules', 'tmp']);
  } finally {
    await box.cleanup();
  }
});

test('a negated [build].ignore pattern re-includes a file when its directory is not itself ignored', async () => {
  const box = await sandbox();
  try {
    const app = join(box.root, 'app');
    await put(app, 'app.js', 'x');
    await put(app, 'data/a.csv', '1');
    await put(app, 'data/keep.csv', '2');
    const plan = await planBundle(app, { ignore: ['data/*.csv', '!data/keep.csv'] });
    assert.deepEqual(plan.entries.map((e) => e.path), ['app.js', 'data', 'data/keep.csv']);
  } finally {
    await box.cleanup();
  }
});

test('two bundles of the same tree are byte-identical even after mtimes, owners and modes change', async () => {
  const box = await sandbox();
  try {
    const app = join(box.root, 'app');
    await fixtureApp(app);
    const first = await collect((await createBundle(app)).stream);
    await utimes(join(app, 'app.js'), new Date('2021-05-05'), new Date('2021-05-05'));
    await chmod(join(app, 'package.json'), 0o664);
    const second = await collect((await createBundle(app)).stream);
    assert.ok(first.equals(second));
  } finally {
    await box.cleanup();
  }
});

test('bundle entries are sorted, owned by 0:0 with empty names, with a fixed mtime and normalized modes', async () => {
  const box = await sandbox();
  try {
    const app = join(box.root, 'app');
    await fixtureApp(app);
    const headers = headersOf(await collect((await createBundle(app)).stream));
    const paths = headers.map((h) => h.path);
    assert.deepEqual(paths.slice(0, 5), ['app.js', 'bin/', 'bin/start', 'debug.log', 'empty-dir/']);
    for (const h of headers) {
      assert.equal(h.uid, 0);
      assert.equal(h.gid, 0);
      assert.equal(h.uname ?? '', '');
      assert.equal(h.gname ?? '', '');
      assert.equal(h.mtime?.toISOString(), '2000-01-01T00:00:00.000Z');
      assert.ok(h.mode === 0o644 || h.mode === 0o755, `${h.path} mode ${h.mode?.toString(8)}`);
      assert.ok(h.type === 'File' || h.type === 'Directory');
    }
  } finally {
    await box.cleanup();
  }
});

test('a symlink in the app dir stops the bundle with E_BUNDLE_SYMLINK, unless it is ignored', async () => {
  const box = await sandbox();
  try {
    const app = join(box.root, 'app');
    await put(app, 'app.js', 'x');
    await symlink('/etc/passwd', join(app, 'passwd'));
    await assert.rejects(planBundle(app), (e: unknown) => isHop3Error(e) && e.code === 'E_BUNDLE_SYMLINK' && e.message.includes('passwd'));
    const plan = await planBundle(app, { ignore: ['passwd'] });
    assert.deepEqual(plan.entries.map((e) => e.path), ['app.js']);
  } finally {
    await box.cleanup();
  }
});

test('a FIFO in the app dir stops the bundle with E_BUNDLE_SPECIAL_FILE', async (t) => {
  const box = await sandbox();
  try {
    const app = join(box.root, 'app');
    await put(app, 'app.js', 'x');
    try {
      execFileSync('mkfifo', [join(app, 'pipe')]);
    } catch {
      t.skip('no mkfifo');
      return;
    }
    await assert.rejects(planBundle(app), { code: 'E_BUNDLE_SPECIAL_FILE' });
  } finally {
    await box.cleanup();
  }
});

test('the bundle refuses what the server would refuse: case collisions and over-deep trees', async () => {
  const box = await sandbox();
  try {
    const app = join(box.root, 'app');
    await put(app, 'README.md', 'a');
    await put(app, 'readme.md', 'b');
    await assert.rejects(planBundle(app), { code: 'E_UPLOAD_CASE_COLLISION' });
    const deep = join(box.root, 'deep');
    await put(deep, 'a/b/c/d/e.txt', 'x');
    await assert.rejects(planBundle(deep, { limits: { maxDepth: 3 } }), { code: 'E_UPLOAD_TOO_DEEP' });
  } finally {
    await box.cleanup();
  }
});

test('an app dir with nothing left after the ignore rules is refused with E_UPLOAD_EMPTY', async () => {
  const box = await sandbox();
  try {
    const app = join(box.root, 'app');
    await put(app, 'node_modules/x/index.js', 'x');
    await assert.rejects(planBundle(app), { code: 'E_UPLOAD_EMPTY' });
  } finally {
    await box.cleanup();
  }
});

test('a file that grows between the walk and the read fails the stream with E_BUNDLE_FILE_CHANGED', async () => {
  const box = await sandbox();
  try {
    const app = join(box.root, 'app');
    await put(app, 'app.js', 'small');
    const plan = await planBundle(app);
    await writeFile(join(app, 'app.js'), 'much bigger now');
    await assert.rejects(collect(bundleStream(plan)), { code: 'E_BUNDLE_FILE_CHANGED' });
  } finally {
    await box.cleanup();
  }
});

test('bundle progress counts every entry and every byte and ends with the compressed size', async () => {
  const box = await sandbox();
  try {
    const app = join(box.root, 'app');
    await fixtureApp(app);
    const seen: BundleProgress[] = [];
    const { plan, stream } = await createBundle(app, { onProgress: (p) => seen.push(p) });
    const tgz = await collect(stream);
    const last = seen.at(-1);
    assert.equal(last?.entries, plan.entries.length);
    assert.equal(last?.bytes, plan.bytes);
    assert.equal(last?.compressedBytes, tgz.length);
  } finally {
    await box.cleanup();
  }
});

const examplesDir = join(import.meta.dirname, '..', '..', 'examples');
const examples = existsSync(examplesDir)
  ? readdirSync(examplesDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)
  : [];
for (const name of examples) {
  test(`the ${name} example bundles with its own ignore rules and extracts cleanly`, async () => {
    const box = await sandbox();
    try {
      const dir = join(examplesDir, name);
      const loaded = loadApp(dir);
      const { plan, stream } = await createBundle(dir, { ignore: loaded.plan?.ignore.patterns ?? [] });
      const rel = box.release();
      const result = await extractUpload(stream, rel);
      assert.equal(result.files, plan.files);
      assert.equal(result.writtenBytes, plan.bytes);
    } finally {
      await box.cleanup();
    }
  });
}
