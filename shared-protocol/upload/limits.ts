/**
 * Upload limits: every one is enforced while streaming, before the data it
 * guards is written. Defaults suit source uploads (dependencies are installed
 * on the server, so node_modules and virtualenvs never travel).
 */

export interface UploadLimits {
  /** bytes received from the client (the gzip stream) */
  readonly maxCompressedBytes: number;
  /** sum of the declared sizes of all files; also bounds the decompressed tar stream (plus header overhead) */
  readonly maxUncompressedBytes: number;
  /** files + directories (the archive's "./" root entry included) */
  readonly maxEntries: number;
  /** path components of one entry ("a/b/c" has depth 3) */
  readonly maxDepth: number;
  /** bytes (UTF-8) of one entry's whole relative name */
  readonly maxNameBytes: number;
  /** bytes (UTF-8) of one path component */
  readonly maxComponentBytes: number;
  /** decompressed bytes tolerated after the end-of-archive marker (tar pads to 10 KiB records) */
  readonly maxTrailingBytes: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = Object.freeze({
  maxCompressedBytes: 100 * 1024 * 1024,
  maxUncompressedBytes: 512 * 1024 * 1024,
  maxEntries: 50_000,
  maxDepth: 32,
  maxNameBytes: 1024,
  maxComponentBytes: 255,
  maxTrailingBytes: 1024 * 1024,
});

/** One line per limit, for docs/builds.md (generated, see tests/server/upload-docs.test.ts). */
export const UPLOAD_LIMIT_DOCS: Readonly<Record<keyof UploadLimits, string>> = {
  maxCompressedBytes: 'bytes received (the gzip stream); E_UPLOAD_TOO_LARGE',
  maxUncompressedBytes: 'sum of the declared file sizes, checked at each header before its data; E_UPLOAD_TOO_LARGE_UNCOMPRESSED',
  maxEntries: 'files + directories, the archive root included; E_UPLOAD_TOO_MANY_ENTRIES',
  maxDepth: 'path components of one entry ("a/b/c" is 3); E_UPLOAD_TOO_DEEP',
  maxNameBytes: 'UTF-8 bytes of one relative name; E_UPLOAD_NAME_TOO_LONG',
  maxComponentBytes: 'UTF-8 bytes of one path component; E_UPLOAD_NAME_TOO_LONG',
  maxTrailingBytes: 'decompressed bytes tolerated after the end-of-archive marker; E_UPLOAD_TRAILING_DATA',
};

/** Per-entry allowance for tar headers, pax records and block padding in the decompressed stream. */
export const TAR_OVERHEAD_PER_ENTRY = 3 * 512 + 511;

/** The cap on decompressed tar bytes implied by the limits (file data + per-entry overhead + end marker). */
export function maxTarStreamBytes(l: UploadLimits): number {
  return l.maxUncompressedBytes + (l.maxEntries + 1) * TAR_OVERHEAD_PER_ENTRY + l.maxTrailingBytes + 1024;
}

/** Merge overrides onto the defaults; every value must be a positive safe integer. */
export function resolveUploadLimits(overrides: Partial<UploadLimits> = {}): UploadLimits {
  const merged: UploadLimits = { ...DEFAULT_UPLOAD_LIMITS, ...overrides };
  for (const [key, value] of Object.entries(merged)) {
    if (!Number.isSafeInteger(value) || (value as number) <= 0) {
      throw new RangeError(`upload limit ${key} must be a positive integer, got ${String(value)}`);
    }
  }
  return Object.freeze(merged);
}
