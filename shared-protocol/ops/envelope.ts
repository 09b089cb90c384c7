/**
 * The rootd wire envelope: one JSON object per line, at most 64 KiB.
 * Request  {v:1, id, op, params}
 * Reply    {v:1, id, ok:true, result} | {v:1, id, ok:false, error:{code, message, hint?}}
 */
import { Type, type Static } from '@sinclair/typebox';

export const PROTOCOL_VERSION = 1 as const;
export const MAX_LINE_BYTES = 64 * 1024;

/** Request ids: short printable tokens chosen by the caller, echoed back. */
export const RequestId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._:-]+$' });

export const RequestEnvelope = Type.Object(
  {
    v: Type.Literal(PROTOCOL_VERSION),
    id: RequestId,
    op: Type.String({ minLength: 3, maxLength: 64, pattern: '^[a-z]+\\.[a-z_]+$' }),
    params: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false },
);
export type RequestEnvelope = Static<typeof RequestEnvelope>;

export const WireError = Type.Object(
  {
    code: Type.String({ pattern: '^E_[A-Z0-9_]+$' }),
    message: Type.String(),
    hint: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type WireError = Static<typeof WireError>;

export const OkReply = Type.Object(
  { v: Type.Literal(PROTOCOL_VERSION), id: Type.Union([RequestId, Type.Null()]), ok: Type.Literal(true), result: Type.Unknown() },
  { additionalProperties: false },
);
export const ErrReply = Type.Object(
  { v: Type.Literal(PROTOCOL_VERSION), id: Type.Union([RequestId, Type.Null()]), ok: Type.Literal(false), error: WireError },
  { additionalProperties: false },
);
export const ReplyEnvelope = Type.Union([OkReply, ErrReply]);
export type ReplyEnvelope<R = unknown> =
  | { v: 1; id: string | null; ok: true; result: R }
  | { v: 1; id: string | null; ok: false; error: WireError };
