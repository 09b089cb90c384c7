/** Namespace scenarios: tmpfs, bind, busy and plain unmount. Run by mount-ns-runner.ts. */
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NsEnv, Scenarios } from './mount-ns-env.ts';

export function basicScenarios(env: NsEnv): Scenarios {
  const { dir, call, codeOf, appDir, mountsAtPath, errnoOf } = env;
  return {
    async tmpfs_size_mode_owner_and_enospc() {
      const p = appDir('web', 'cache');
      chownSync(p, 1234, 2345);
      const r = await call('mount.tmpfs', { app: 'web', target: 'cache', size_bytes: 256 * 1024, mode: 0o750 });
      const at = mountsAtPath(p);
      const st = statSync(p);
      const small = errnoOf(() => writeFileSync(join(p, 'small'), Buffer.alloc(64 * 1024)));
      const big = errnoOf(() => writeFileSync(join(p, 'big'), Buffer.alloc(300 * 1024)));
      const again = await call('mount.tmpfs', { app: 'web', target: 'cache', size_bytes: 256 * 1024, mode: 0o750 });
      const other = await call('mount.tmpfs', { app: 'web', target: 'cache', size_bytes: 512 * 1024, mode: 0o750 });
      return {
        reply: codeOf(r),
        changed: r.result?.['changed'],
        path: r.result?.['path'],
        expectedPath: p,
        mounts: at.length,
        fsType: at[0]?.fsType,
        source: at[0]?.source,
        mountOptions: at[0]?.mountOptions,
        superOptions: at[0]?.superOptions,
        mode: st.mode & 0o7777,
        uid: st.uid,
        gid: st.gid,
        writePastSize: big,
        writeSmall: small,
        repeat: codeOf(again),
        repeatChanged: again.result?.['changed'],
        mountsAfterRepeat: mountsAtPath(p).length,
        differentSize: codeOf(other),
      };
    },

    async bind_read_only_refuses_writes_while_source_stays_writable() {
      const src = join(dir, 'srv', 'shared');
      writeFileSync(join(src, 'hello.txt'), 'hi');
      mkdirSync(join(src, 'sub'), { recursive: true });
      const p = appDir('web', 'shared');
      const r = await call('mount.bind', { app: 'web', target: 'shared', source: src, read_only: true });
      const at = mountsAtPath(p);
      const readBack = readFileSync(join(p, 'hello.txt'), 'utf8');
      const writeTarget = errnoOf(() => writeFileSync(join(p, 'new.txt'), 'x'));
      const writeSource = errnoOf(() => writeFileSync(join(src, 'from-source.txt'), 'y'));
      const seenThroughTarget = errnoOf(() => readFileSync(join(p, 'from-source.txt')));
      const p2 = appDir('api', 'shared');
      const claim = await call('mount.bind', { app: 'api', target: 'shared', source: src, read_only: false });
      const claimSub = await call('mount.bind', { app: 'api', target: 'shared', source: join(src, 'sub'), read_only: true });
      const list = await call('mount.list', { app: 'web' });
      return {
        reply: codeOf(r),
        mounts: at.length,
        mountOptions: at[0]?.mountOptions,
        readBack,
        writeTarget,
        writeSource,
        seenThroughTarget,
        claim: codeOf(claim),
        claimSub: codeOf(claimSub),
        apiMounted: mountsAtPath(p2).length,
        list: list.result?.['mounts'],
      };
    },

    async bind_read_write_allows_writes() {
      const src = join(dir, 'srv', 'other');
      const p = appDir('rw', 'data');
      const r = await call('mount.bind', { app: 'rw', target: 'data', source: src, read_only: false });
      const write = errnoOf(() => writeFileSync(join(p, 'w.txt'), 'x'));
      return { reply: codeOf(r), mountOptions: mountsAtPath(p)[0]?.mountOptions, write, inSource: readFileSync(join(src, 'w.txt'), 'utf8') };
    },

    async busy_unmount_fails_then_lazy_succeeds() {
      const p = appDir('web', 'busy');
      await call('mount.tmpfs', { app: 'web', target: 'busy', size_bytes: 65536, mode: 0o755 });
      let child: ChildProcess | undefined;
      try {
        child = spawn('/bin/sleep', ['60'], { cwd: p, stdio: 'ignore' });
        await new Promise((res) => setTimeout(res, 200));
        const busy = await call('mount.unmount', { app: 'web', target: 'busy' });
        const stillRecorded = ((await call('mount.list', { app: 'web' })).result?.['mounts'] as Array<{ record: { target: string }; mounted: boolean }>).find(
          (m) => m.record.target === 'busy',
        );
        const lazy = await call('mount.unmount', { app: 'web', target: 'busy', lazy: true });
        const after = ((await call('mount.list', { app: 'web' })).result?.['mounts'] as Array<{ record: { target: string } }>).some((m) => m.record.target === 'busy');
        const again = await call('mount.unmount', { app: 'web', target: 'busy' });
        return {
          busy: codeOf(busy),
          busyHint: busy.error?.hint,
          stillRecordedAndMounted: stillRecorded?.mounted,
          lazy: codeOf(lazy),
          lazyResult: lazy.result,
          mountsAfter: mountsAtPath(p).length,
          recordedAfter: after,
          unmountAgain: codeOf(again),
        };
      } finally {
        if (child?.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      }
    },

    async plain_unmount_removes_mount_and_record() {
      const p = appDir('web', 'plain dir');
      const m = await call('mount.tmpfs', { app: 'web', target: 'plain dir', size_bytes: 65536, mode: 0o700 });
      const before = mountsAtPath(p).length;
      const escapedInFile = readFileSync('/proc/self/mountinfo', 'utf8').includes('/plain\\040dir ');
      const u = await call('mount.unmount', { app: 'web', target: 'plain dir' });
      return { mount: codeOf(m), before, unmount: codeOf(u), result: u.result, after: mountsAtPath(p).length, escapedInFile };
    },

  };
}
