/**
 * Reads a JSON request body with a byte limit: the declared Content-Length is
 * checked first, then the stream is counted as it arrives (a lying or absent
 * length cannot get past the limit). Strict UTF-8, strict JSON.
 */
import { Hop3Error } from '../../shared-protocol/errors.ts';

export async function readJsonBody(req: Request, limit: number): Promise<unknown> {
  const type = req.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new Hop3Error('E_UNSUPPORTED_MEDIA_TYPE', `expected Content-Type application/json, got ${JSON.stringify(type.slice(0, 100))}`);
  }
  const declared = req.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) {
    throw new Hop3Error('E_PAYLOAD_TOO_LARGE', `request body of ${declared} bytes exceeds the limit of ${limit} bytes`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (req.body !== null) {
    const reader = req.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel();
        throw new Hop3Error('E_PAYLOAD_TOO_LARGE', `request body exceeds the limit of ${limit} bytes`);
      }
      chunks.push(value);
    }
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new Hop3Error('E_BAD_JSON', 'request body is not valid UTF-8');
  }
  if (text.trim() === '') throw new Hop3Error('E_BAD_JSON', 'request body is empty; expected a JSON document');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new Hop3Error('E_BAD_JSON', `request body is not valid JSON: ${(e as Error).message}`);
  }
}
