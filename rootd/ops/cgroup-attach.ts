/**
 * Which processes may be moved into an app leaf.
 *
 * The threat: a compromised hop3-server attaches a host process (sshd, a
 * root daemon, rootd itself) to an app leaf, then calls cgroup.remove, which
 * kills everything in the leaf. So rootd refuses, each with its own code:
 *   - pid <= 1 (init)                                    E_CGROUP_PID_INIT
 *   - rootd's own pid                                    E_CGROUP_PID_SELF
 *   - a pid with no /proc/<pid>/status, or a thread id   E_CGROUP_PID_NOT_FOUND
 *   - any of its real, effective, saved or fs uids is 0  E_CGROUP_PID_ROOT
 *   - any of its uids outside the allowed list           E_CGROUP_PID_UID_NOT_ALLOWED
 *     (config cgroup_attach_uids; by default the socket's allowed_uids minus
 *     root, i.e. the hop3 user the apps run as today)
 * Apps always run unprivileged as an allowed user, so the rule costs them
 * nothing, and non-root system daemons (www-data, postgres, ...) can never be
 * pulled into an app leaf and killed. (deps.attachUids undefined — only in unit
 * tests that build deps by hand — skips the list check.)
 * Residual race: a pid could be recycled between the status read and the
 * write (microseconds, needs a full pid wrap); rootd re-checks right before
 * each write to keep that window minimal.
 */
import { Hop3Error } from '../../shared-protocol/errors.ts';
import type { ProcessOps } from './cgroup-fs.ts';
import { parseProcStatus } from './cgroup-files.ts';

export interface AttachPolicy {
  readonly selfPid: number;
  /** When set, every uid of the process must be in this list. */
  readonly allowedUids?: readonly number[] | undefined;
}

export async function assertAttachable(proc: ProcessOps, pid: number, policy: AttachPolicy): Promise<void> {
  if (!Number.isSafeInteger(pid) || pid <= 1) {
    throw new Hop3Error('E_CGROUP_PID_INIT', `pid ${pid} is init (or not a process id); it is never moved into an app leaf`);
  }
  if (pid === policy.selfPid) {
    throw new Hop3Error('E_CGROUP_PID_SELF', `pid ${pid} is hop3-rootd itself; it is never moved into an app leaf`);
  }
  const text = await proc.readStatus(pid);
  const status = text === null ? null : parseProcStatus(text);
  if (status === null) {
    throw new Hop3Error('E_CGROUP_PID_NOT_FOUND', `no process with pid ${pid}`, {
      hint: 'The process exited; re-read the app\'s pids and retry.',
    });
  }
  if (status.tgid !== pid) {
    throw new Hop3Error('E_CGROUP_PID_NOT_FOUND', `${pid} is a thread of process ${status.tgid}, not a process`, {
      hint: 'Attach process ids (thread group leaders) only.',
    });
  }
  if (status.uids.includes(0)) {
    throw new Hop3Error('E_CGROUP_PID_ROOT', `pid ${pid} runs with uid 0 (uids ${status.uids.join(' ')}); root processes are never moved into an app leaf`, {
      hint: 'Apps run unprivileged; attach only the app\'s own processes.',
    });
  }
  const allowed = policy.allowedUids;
  if (allowed !== undefined && !status.uids.every((u) => allowed.includes(u))) {
    throw new Hop3Error('E_CGROUP_PID_UID_NOT_ALLOWED', `pid ${pid} runs as uid ${status.uids.join(' ')}, outside cgroup_attach_uids`, {
      hint: 'Attach only processes of app users, or ask the operator to extend cgroup_attach_uids.',
    });
  }
}
