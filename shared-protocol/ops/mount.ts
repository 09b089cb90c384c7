/**
 * mount.* ops (ADR 046 §2, §6) — schemas, results, error codes and the state
 * slice rootd keeps. A mount lives at <APP_ROOT>/<app>/src/<target>: the
 * caller names the app and a relative target, never a path rootd should use
 * as is. Bind sources are absolute but must pass the operator allow-list.
 */
import { Type, type Static } from '@sinclair/typebox';
import { defineErrors } from '../errors.ts';
import { defineOp } from './define.ts';
import { AbsolutePath, AppName } from './fields.ts';

export const MOUNT_ERRORS = defineErrors({
  E_MOUNT_TARGET_INVALID: {
    meaning: 'The mount target does not exist or is not a directory (rootd never creates directories in app trees).',
    hint: 'Create the target directory under the app src/ tree first (hop3-server does this), then retry.',
  },
  E_MOUNT_SOURCE_INVALID: {
    meaning: 'The bind source is not a directory.',
    hint: 'Bind sources must be directories under the operator allow-list.',
  },
  E_MOUNT_EXISTS: {
    meaning: 'The target already holds a mount, or a different mount is recorded there.',
    hint: 'Unmount it first with mount.unmount, or repeat the exact same request (identical requests are idempotent).',
  },
  E_MOUNT_OVERLAP: {
    meaning: 'The target is inside, or contains, another mount recorded for the same app.',
    hint: 'Use sibling targets; rootd does not nest mounts inside one another.',
  },
  E_MOUNT_LIMIT: {
    meaning: 'The app already has the maximum number of recorded mounts.',
    hint: 'Unmount mounts the app no longer uses.',
  },
  E_BIND_CLAIMED: {
    meaning: 'Another app already binds this source (or a directory above or below it): a BindClaim conflict.',
    hint: 'Give each app its own bind source, or unmount it from the other app first.',
  },
  E_MOUNT_FAILED: {
    meaning: 'mount(8) refused the mount; nothing was left mounted and nothing recorded.',
    hint: 'The message carries mount(8)\'s first error line; check the kernel log on the host.',
  },
  E_MOUNT_VERIFY_FAILED: {
    meaning: 'The mount was made but /proc/self/mountinfo did not show the requested options, so it was undone.',
    hint: 'The host kernel or filesystem cannot honour the options (e.g. read-only); see the message.',
  },
  E_MOUNT_BUSY: {
    meaning: 'The target is busy (a process has its cwd or an open file inside it), so it was not unmounted.',
    hint: 'Stop the app processes using it, or retry with lazy=true to detach it now (MNT_DETACH) and let it vanish when unused.',
  },
  E_UNMOUNT_FAILED: {
    meaning: 'umount(8) failed for a reason other than busy; the mount is still recorded.',
    hint: 'The message carries umount(8)\'s first error line.',
  },
});

/** Per-app cap on recorded mounts, and the state-wide cap. */
export const MAX_MOUNTS_PER_APP = 32;
export const MAX_MOUNTS_TOTAL = 4096;

/**
 * A relative target inside <APP_ROOT>/<app>/src/. Conservative charset (letters,
 * digits, . _ @ + - and inner spaces), segments joined by "/". The path guard
 * still rejects ".." and symlinks; this schema keeps control characters,
 * backslashes and commas out of anything that reaches mount(8) or mountinfo.
 */
export const MountTarget = Type.String({
  minLength: 1,
  maxLength: 512,
  pattern: '^[A-Za-z0-9._@+-][A-Za-z0-9._@+ -]*(?:/[A-Za-z0-9._@+ -]*)*$',
  description: 'Relative directory inside <APP_ROOT>/<app>/src/ (must already exist); no "..", no symlinks',
});

export const TMPFS_MIN_BYTES = 64 * 1024;
export const TMPFS_MAX_BYTES = 64 * 1024 * 1024 * 1024;

/** Bytes, a multiple of 4096 so the size asked is exactly what the kernel enforces (no page rounding). */
export const TmpfsSize = Type.Integer({
  minimum: TMPFS_MIN_BYTES,
  maximum: TMPFS_MAX_BYTES,
  multipleOf: 4096,
  description: 'tmpfs size in bytes: 64 KiB .. 64 GiB, a multiple of 4096',
});

/**
 * Permission bits of the tmpfs root as a plain JSON integer (JSON has no octal):
 * 0 .. 1023 (0o1777), e.g. 488 for 0o750. Sticky allowed; setuid/setgid bits are not.
 */
export const TmpfsMode = Type.Integer({
  minimum: 0,
  maximum: 0o1777,
  description: 'Mode of the tmpfs root as a decimal integer 0..1023 (= 0o0..0o1777), e.g. 488 = 0o750',
});

export const TmpfsRecord = Type.Object(
  { kind: Type.Literal('tmpfs'), app: AppName, target: MountTarget, size_bytes: TmpfsSize, mode: TmpfsMode },
  { additionalProperties: false },
);
export type TmpfsRecord = Static<typeof TmpfsRecord>;

export const BindRecord = Type.Object(
  { kind: Type.Literal('bind'), app: AppName, target: MountTarget, source: AbsolutePath, read_only: Type.Boolean() },
  { additionalProperties: false },
);
export type BindRecord = Static<typeof BindRecord>;

export const MountRecord = Type.Union([TmpfsRecord, BindRecord]);
export type MountRecord = Static<typeof MountRecord>;

const MountedPath = Type.String({ description: 'The absolute mount point rootd derived: <APP_ROOT>/<app>/src/<target>' });

const AppliedResult = <T extends typeof TmpfsRecord | typeof BindRecord>(record: T) =>
  Type.Object(
    {
      record,
      path: MountedPath,
      /** false when an identical mount was already recorded and mounted (idempotent repeat). */
      changed: Type.Boolean(),
    },
    { additionalProperties: false },
  );

const TARGET_ERRORS = ['E_INVALID_APP_NAME', 'E_PATH_OUTSIDE_ROOT', 'E_PATH_SYMLINK', 'E_MOUNT_TARGET_INVALID'] as const;
const APPLY_ERRORS = [
  'E_MOUNT_EXISTS',
  'E_MOUNT_OVERLAP',
  'E_MOUNT_LIMIT',
  'E_MOUNT_FAILED',
  'E_MOUNT_VERIFY_FAILED',
  'E_EXEC_FAILED',
  'E_EXEC_TIMEOUT',
  'E_STATE',
] as const;

export const MOUNT_OPS = [
  defineOp({
    name: 'mount.tmpfs',
    summary:
      'Mount a sized tmpfs (nosuid,nodev,noexec; owned like the target directory) on an existing directory of the app src/ tree.',
    params: Type.Object(
      { app: AppName, target: MountTarget, size_bytes: TmpfsSize, mode: TmpfsMode },
      { additionalProperties: false },
    ),
    result: AppliedResult(TmpfsRecord),
    errors: [...TARGET_ERRORS, ...APPLY_ERRORS],
    mutates: true,
  }),
  defineOp({
    name: 'mount.bind',
    summary:
      'Bind an operator-allow-listed host directory (nosuid,nodev; read_only enforced by remount and verified) onto an existing directory of the app src/ tree.',
    params: Type.Object(
      { app: AppName, target: MountTarget, source: AbsolutePath, read_only: Type.Boolean() },
      { additionalProperties: false },
    ),
    result: AppliedResult(BindRecord),
    errors: [
      ...TARGET_ERRORS,
      'E_BIND_NOT_ALLOWED',
      'E_NOT_FOUND',
      'E_MOUNT_SOURCE_INVALID',
      'E_BIND_CLAIMED',
      ...APPLY_ERRORS,
    ],
    mutates: true,
  }),
  defineOp({
    name: 'mount.unmount',
    summary:
      'Unmount a recorded mount and forget it. Busy: E_MOUNT_BUSY, or with lazy=true a lazy detach (MNT_DETACH).',
    params: Type.Object(
      { app: AppName, target: MountTarget, lazy: Type.Optional(Type.Boolean()) },
      { additionalProperties: false },
    ),
    result: Type.Object(
      {
        path: MountedPath,
        /** false when the record existed but nothing was mounted there any more. */
        was_mounted: Type.Boolean(),
        /** true when the busy mount was detached lazily. */
        lazy: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
    errors: [
      'E_INVALID_APP_NAME',
      'E_PATH_OUTSIDE_ROOT',
      'E_PATH_SYMLINK',
      'E_NOT_FOUND',
      'E_MOUNT_BUSY',
      'E_UNMOUNT_FAILED',
      'E_EXEC_FAILED',
      'E_EXEC_TIMEOUT',
      'E_STATE',
    ],
    mutates: true,
  }),
  defineOp({
    name: 'mount.list',
    summary: 'The mounts rootd recorded (optionally for one app), each with whether it is mounted now per /proc/self/mountinfo.',
    params: Type.Object({ app: Type.Optional(AppName) }, { additionalProperties: false }),
    result: Type.Object(
      {
        mounts: Type.Array(
          Type.Object(
            {
              record: MountRecord,
              path: MountedPath,
              mounted: Type.Boolean(),
              /** Per-mount options of the top mount at path (e.g. ["ro","nosuid","nodev"]); empty when not mounted. */
              options: Type.Array(Type.String()),
            },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
    errors: ['E_INVALID_APP_NAME'],
    mutates: false,
  }),
] as const;

/** The part of rootd's state file that this family owns: every mount it made, keyed by (app, target). */
export const MountState = Type.Object(
  { mounts: Type.Array(MountRecord, { maxItems: MAX_MOUNTS_TOTAL }) },
  { additionalProperties: false },
);
export type MountState = Static<typeof MountState>;
export const emptyMountState = (): MountState => ({ mounts: [] });
