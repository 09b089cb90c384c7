/** daemon.* — handshake, self-description and health. Read-only. */
import { Type } from '@sinclair/typebox';
import { defineOp } from './define.ts';

const PeerInfo = Type.Object(
  { uid: Type.Integer(), gid: Type.Integer(), pid: Type.Integer() },
  { additionalProperties: false },
);

export const DAEMON_OPS = [
  defineOp({
    name: 'daemon.handshake',
    summary: 'Agree on the protocol version; returns the daemon version and the peer identity it saw.',
    params: Type.Object(
      {
        client: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._/@ -]+$' }),
        protocol: Type.Integer({ minimum: 1, maximum: 1000 }),
      },
      { additionalProperties: false },
    ),
    result: Type.Object(
      { protocol: Type.Literal(1), daemon_version: Type.String(), peer: PeerInfo, op_count: Type.Integer() },
      { additionalProperties: false },
    ),
    errors: ['E_BAD_VERSION'],
    mutates: false,
  }),
  defineOp({
    name: 'daemon.describe',
    summary: 'The protocol version, and every op with its summary, error codes and JSON Schemas.',
    params: Type.Object({}, { additionalProperties: false }),
    result: Type.Object(
      {
        protocol: Type.Literal(1),
        daemon_version: Type.String(),
        ops: Type.Array(
          Type.Object(
            {
              name: Type.String(),
              summary: Type.String(),
              mutates: Type.Boolean(),
              errors: Type.Array(Type.String()),
              params: Type.Unknown(),
              result: Type.Unknown(),
            },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
    errors: [],
    mutates: false,
  }),
  defineOp({
    name: 'daemon.health',
    summary: 'Uptime, counts of what the state holds, the last reconcile and recent errors.',
    params: Type.Object({}, { additionalProperties: false }),
    result: Type.Object(
      {
        uptime_s: Type.Number(),
        daemon_version: Type.String(),
        state: Type.Object(
          { rules: Type.Integer(), mounts: Type.Integer(), cgroups: Type.Integer(), sites: Type.Integer() },
          { additionalProperties: false },
        ),
        last_reconcile: Type.Union([
          Type.Null(),
          Type.Object(
            {
              at: Type.String(),
              duration_ms: Type.Number(),
              changes: Type.Array(Type.String()),
              errors: Type.Array(Type.String()),
            },
            { additionalProperties: false },
          ),
        ]),
        recent_errors: Type.Array(
          Type.Object(
            { at: Type.String(), op: Type.String(), code: Type.String(), message: Type.String() },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
    errors: [],
    mutates: false,
  }),
] as const;
