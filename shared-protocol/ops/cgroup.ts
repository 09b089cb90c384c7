/**
 * cgroup.* ops (ADR 046 §3, §6): per-app cgroup v2 leaves
 * <cgroup_root>/hop3.slice/hop3-app-<app>.scope with memory, cpu and pids caps.
 *
 * The guarantee is "capped or not running": every cap rootd writes is read
 * back from the kernel and a mismatch is an error, and on a host whose v2
 * hierarchy lacks the memory/cpu/pids controllers every op fails loud with
 * E_CGROUP_V2_UNAVAILABLE before touching anything.
 */
import { Type, type Static } from '@sinclair/typebox';
import { defineErrors } from '../errors.ts';
import { defineOp } from './define.ts';
import { APP_NAME_PATTERN, AppName } from './fields.ts';

export const CGROUP_ERRORS = defineErrors({
  E_CGROUP_V2_UNAVAILABLE: {
    meaning:
      'The cgroup v2 hierarchy at rootd\'s cgroup_root lacks the memory, cpu or pids controller (or hop3.slice does not enable them), so no cap can be enforced; nothing was written.',
    hint:
      'Run Hop3 on a pure cgroup v2 host (systemd.unified_cgroup_hierarchy=1) with memory, cpu and pids in cgroup.controllers, or delegate a hop3.slice with those controllers and point cgroup_root at its parent; then call cgroup.ensure_slice.',
  },
  E_CGROUP_LIMIT_NOT_APPLIED: {
    meaning: 'A cap was written but the value read back from the kernel differs, so the app would only look capped.',
    hint: 'Check the kernel log and the controller files of the leaf; the previous limits were restored.',
  },
  E_CGROUP_WRITE_FAILED: {
    meaning: 'The kernel refused a write to a cgroup control file (the errno is in the message).',
    hint: 'Check that the controller is enabled in hop3.slice/cgroup.subtree_control and that the value is accepted by this kernel.',
  },
  E_CGROUP_BUSY: {
    meaning: 'Processes were still in the leaf after the kill and the bounded wait, so the leaf was not removed.',
    hint: 'Look for processes stuck in uninterruptible sleep (ps -o pid,stat,cmd) in the leaf and retry cgroup.remove.',
  },
  E_CGROUP_PID_INIT: {
    meaning: 'attach_pids was given pid 1 or lower; init is never moved into an app leaf.',
    hint: 'Attach only the app\'s own processes (the uWSGI vassal\'s attach-daemon pids).',
  },
  E_CGROUP_PID_SELF: {
    meaning: 'attach_pids was given hop3-rootd\'s own pid; rootd never moves itself into an app leaf.',
    hint: 'Attach only the app\'s own processes.',
  },
  E_CGROUP_PID_ROOT: {
    meaning: 'attach_pids was given a process with a real, effective, saved or filesystem uid of 0; root processes are never moved into an app leaf (cgroup.remove would kill them).',
    hint: 'Apps run unprivileged; attach the app\'s own non-root processes only.',
  },
  E_CGROUP_PID_UID_NOT_ALLOWED: {
    meaning: 'attach_pids was given a process whose uid is not in the operator\'s cgroup_attach_uids list.',
    hint: 'Attach only processes running as an app user, or ask the operator to extend cgroup_attach_uids.',
  },
  E_CGROUP_PID_NOT_FOUND: {
    meaning: 'attach_pids was given a pid that does not exist (or is a thread, or exited before it could be moved).',
    hint: 'Re-read the app\'s current pids and retry.',
  },
});

const AppParams = Type.Object({ app: AppName }, { additionalProperties: false });

/** Bounds (cpu.max: the kernel accepts periods of 1 ms..1 s and quotas of at least 1 ms). */
export const CPU_PERIOD_MIN_US = 1000;
export const CPU_PERIOD_MAX_US = 1_000_000;
export const CPU_QUOTA_MIN_US = 1000;
/** 1000 cores at the longest period: far above any host, far below the kernel's limit. */
export const CPU_QUOTA_MAX_US = 1_000_000_000;
/** 1 MiB .. 1 PiB. The kernel rounds memory.max down to a page multiple; read-back allows that. */
export const MEMORY_MIN_BYTES = 1 << 20;
export const MEMORY_MAX_BYTES = 2 ** 50;
/** PID_MAX_LIMIT on 64-bit Linux. */
export const PID_MAX = 4_194_304;
export const ATTACH_MAX_PIDS = 256;

export const CpuLimit = Type.Object(
  {
    quota_us: Type.Integer({ minimum: CPU_QUOTA_MIN_US, maximum: CPU_QUOTA_MAX_US }),
    period_us: Type.Integer({ minimum: CPU_PERIOD_MIN_US, maximum: CPU_PERIOD_MAX_US }),
  },
  { additionalProperties: false },
);

/** The caps of one leaf; an omitted field means "max" (uncapped in that dimension). */
export const CgroupLimits = Type.Object(
  {
    memory_bytes: Type.Optional(Type.Integer({ minimum: MEMORY_MIN_BYTES, maximum: MEMORY_MAX_BYTES })),
    cpu: Type.Optional(CpuLimit),
    pids: Type.Optional(Type.Integer({ minimum: 1, maximum: PID_MAX })),
  },
  { additionalProperties: false },
);
export type CgroupLimits = Static<typeof CgroupLimits>;

const MaxOrInt = Type.Union([Type.Integer({ minimum: 0 }), Type.Literal('max')]);

/** What the kernel reports for a leaf's caps (read back, never echoed from the request). */
export const CgroupCaps = Type.Object(
  {
    memory_max: MaxOrInt,
    memory_swap_max: MaxOrInt,
    cpu_max: Type.Object({ quota_us: MaxOrInt, period_us: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
    pids_max: MaxOrInt,
  },
  { additionalProperties: false },
);
export type CgroupCaps = Static<typeof CgroupCaps>;

/** The leaf's path relative to cgroup_root (rootd derives it; the caller never sends a path). */
const LeafRef = Type.String({ pattern: '^hop3\\.slice/hop3-app-[a-z0-9-]+\\.scope$' });

export const CGROUP_OPS = [
  defineOp({
    name: 'cgroup.ensure_slice',
    summary:
      'Create hop3.slice under cgroup_root and enable +memory +cpu +pids in the root\'s and the slice\'s cgroup.subtree_control (verified by reading back).',
    params: Type.Object({}, { additionalProperties: false }),
    result: Type.Object(
      {
        created: Type.Boolean(),
        enabled: Type.Array(Type.Union([Type.Literal('memory'), Type.Literal('cpu'), Type.Literal('pids')])),
      },
      { additionalProperties: false },
    ),
    errors: ['E_CGROUP_V2_UNAVAILABLE', 'E_CGROUP_WRITE_FAILED', 'E_PATH_SYMLINK', 'E_STATE'],
    mutates: true,
  }),
  defineOp({
    name: 'cgroup.set_limits',
    summary:
      'Create the app leaf if missing and set memory.max, memory.swap.max=0, cpu.max and pids.max (omitted = "max"); every value is read back and must match.',
    params: Type.Object(
      {
        app: AppName,
        memory_bytes: Type.Optional(Type.Integer({ minimum: MEMORY_MIN_BYTES, maximum: MEMORY_MAX_BYTES })),
        cpu: Type.Optional(CpuLimit),
        pids: Type.Optional(Type.Integer({ minimum: 1, maximum: PID_MAX })),
      },
      { additionalProperties: false },
    ),
    result: Type.Object(
      { app: AppName, leaf: LeafRef, created: Type.Boolean(), caps: CgroupCaps },
      { additionalProperties: false },
    ),
    errors: [
      'E_CGROUP_V2_UNAVAILABLE',
      'E_CGROUP_LIMIT_NOT_APPLIED',
      'E_CGROUP_WRITE_FAILED',
      'E_INVALID_APP_NAME',
      'E_PATH_SYMLINK',
      'E_STATE',
    ],
    mutates: true,
  }),
  defineOp({
    name: 'cgroup.attach_pids',
    summary:
      'Move processes into the app leaf (cgroup.procs). Refuses pid <= 1, rootd itself, any process with a uid 0 (real, effective, saved or fs), uids outside cgroup_attach_uids when set, and missing pids.',
    params: Type.Object(
      {
        app: AppName,
        pids: Type.Array(Type.Integer({ minimum: 1, maximum: PID_MAX }), {
          minItems: 1,
          maxItems: ATTACH_MAX_PIDS,
          uniqueItems: true,
        }),
      },
      { additionalProperties: false },
    ),
    result: Type.Object({ app: AppName, attached: Type.Array(Type.Integer()) }, { additionalProperties: false }),
    errors: [
      'E_CGROUP_V2_UNAVAILABLE',
      'E_CGROUP_PID_INIT',
      'E_CGROUP_PID_SELF',
      'E_CGROUP_PID_ROOT',
      'E_CGROUP_PID_UID_NOT_ALLOWED',
      'E_CGROUP_PID_NOT_FOUND',
      'E_CGROUP_WRITE_FAILED',
      'E_NOT_FOUND',
      'E_INVALID_APP_NAME',
      'E_PATH_SYMLINK',
    ],
    mutates: true,
  }),
  defineOp({
    name: 'cgroup.read',
    summary: 'The leaf\'s caps as the kernel reports them, its usage (memory, cpu time, pids) and its oom_kill count.',
    params: AppParams,
    result: Type.Object(
      {
        app: AppName,
        leaf: LeafRef,
        caps: CgroupCaps,
        /** Whether the kernel's caps equal the limits rootd's state records for this app. */
        matches_state: Type.Boolean(),
        usage: Type.Object(
          {
            memory_bytes: Type.Integer({ minimum: 0 }),
            cpu_usage_usec: Type.Integer({ minimum: 0 }),
            cpu_nr_throttled: Type.Integer({ minimum: 0 }),
            pids: Type.Integer({ minimum: 0 }),
          },
          { additionalProperties: false },
        ),
        oom_kill: Type.Integer({ minimum: 0 }),
      },
      { additionalProperties: false },
    ),
    errors: ['E_CGROUP_V2_UNAVAILABLE', 'E_NOT_FOUND', 'E_INVALID_APP_NAME', 'E_PATH_SYMLINK'],
    mutates: false,
  }),
  defineOp({
    name: 'cgroup.remove',
    summary:
      'Kill every process in the leaf and its descendants (cgroup.kill, else freeze + SIGKILL each pid), wait (bounded) until empty, then rmdir (descendants first). Idempotent.',
    params: AppParams,
    result: Type.Object(
      { app: AppName, removed: Type.Boolean(), killed: Type.Integer({ minimum: 0 }) },
      { additionalProperties: false },
    ),
    errors: ['E_CGROUP_V2_UNAVAILABLE', 'E_CGROUP_BUSY', 'E_CGROUP_WRITE_FAILED', 'E_INVALID_APP_NAME', 'E_PATH_SYMLINK', 'E_STATE'],
    mutates: true,
  }),
] as const;

/** The part of rootd's state file that this family owns. */
export const CgroupState = Type.Object(
  {
    /** Whether cgroup.ensure_slice succeeded (reconcile re-asserts it). */
    slice: Type.Boolean(),
    /** Per app: the limits its leaf must carry. Presence means the leaf must exist. */
    leaves: Type.Record(Type.String({ pattern: APP_NAME_PATTERN }), CgroupLimits, { additionalProperties: false }),
  },
  { additionalProperties: false },
);
export type CgroupState = Static<typeof CgroupState>;
export const emptyCgroupState = (): CgroupState => ({ slice: false, leaves: {} });
