/**
 * Error codes of the upload extractor and the bundle creator. Every refusal
 * names what was wrong and what to do; docs/builds.md lists them.
 */
import { defineErrors, Hop3Error } from '../errors.ts';

export const UPLOAD_ERRORS = defineErrors({
  E_UPLOAD_TOO_LARGE: {
    meaning: 'The compressed upload exceeds the server limit.',
    hint: 'Add build outputs, caches and data files to [build].ignore, or ask the operator to raise upload.maxCompressedBytes.',
  },
  E_UPLOAD_TOO_LARGE_UNCOMPRESSED: {
    meaning: 'The upload expands beyond the uncompressed size limit (or is a decompression bomb).',
    hint: 'Upload sources only (dependencies are installed on the server); see [build].ignore.',
  },
  E_UPLOAD_TOO_MANY_ENTRIES: {
    meaning: 'The upload holds more entries (files and directories) than allowed.',
    hint: 'Ignore generated trees (node_modules, build output) with [build].ignore.',
  },
  E_UPLOAD_TOO_DEEP: {
    meaning: 'An entry is nested deeper than the path depth limit.',
    hint: 'Flatten the directory tree or ignore the deep part with [build].ignore.',
  },
  E_UPLOAD_NAME_TOO_LONG: {
    meaning: 'An entry name (or one of its components) exceeds the length limit.',
    hint: 'Rename the file; components are limited to 255 bytes and whole names to 1024 bytes by default.',
  },
  E_UPLOAD_BAD_NAME: {
    meaning: 'An entry name holds NUL, a backslash, a control character, an empty or "." component, or invalid UTF-8.',
    hint: 'Rename the file with plain characters and "/" as the only separator.',
  },
  E_UPLOAD_ABSOLUTE_PATH: {
    meaning: 'An entry name is absolute.',
    hint: 'Create the archive with names relative to the app root (hop3 deploy does).',
  },
  E_UPLOAD_PATH_TRAVERSAL: {
    meaning: 'An entry name has a ".." component.',
    hint: 'Create the archive with names relative to the app root, without "..".',
  },
  E_UPLOAD_SYMLINK: {
    meaning: 'The upload holds a symbolic link; uploads carry regular files and directories only.',
    hint: 'Replace the link by a copy of its target, or create it at build time in [build].build.',
  },
  E_UPLOAD_HARDLINK: {
    meaning: 'The upload holds a hard link entry.',
    hint: 'Archive the file content itself (hop3 deploy never writes hard links).',
  },
  E_UPLOAD_DEVICE: {
    meaning: 'The upload holds a character or block device.',
    hint: 'Remove device nodes from the app directory.',
  },
  E_UPLOAD_FIFO: {
    meaning: 'The upload holds a named pipe (FIFO).',
    hint: 'Remove the FIFO from the app directory, or create it at run time.',
  },
  E_UPLOAD_ENTRY_TYPE: {
    meaning: 'The upload holds an entry type other than a regular file or a directory (sparse, contiguous, vendor types, oversize metadata).',
    hint: 'Create the archive with hop3 deploy, or with a plain "tar -czf" of regular files.',
  },
  E_UPLOAD_SETID_MODE: {
    meaning: 'A file or directory carries the setuid or setgid bit.',
    hint: 'Remove the bit (chmod u-s,g-s); apps never need it.',
  },
  E_UPLOAD_CASE_COLLISION: {
    meaning: 'Two entries have names equal under case folding (e.g. A.txt and a.txt).',
    hint: 'Rename one of them; such trees break on case-insensitive file systems and confuse reviewers.',
  },
  E_UPLOAD_DUPLICATE_ENTRY: {
    meaning: 'The same name appears twice in the upload.',
    hint: 'Create the archive once from a clean directory (hop3 deploy never repeats a name).',
  },
  E_UPLOAD_PATH_CONFLICT: {
    meaning: 'An entry needs a directory where the upload already has a file, or the reverse.',
    hint: 'Create the archive from a real directory tree.',
  },
  E_UPLOAD_CORRUPT: {
    meaning: 'The upload is not a valid gzip-compressed tar archive (bad checksum, truncated, nested compression).',
    hint: 'Retry the upload; if it persists, create the archive with hop3 deploy.',
  },
  E_UPLOAD_TRAILING_DATA: {
    meaning: 'Too much data follows the end-of-archive marker.',
    hint: 'Create the archive with hop3 deploy or a plain "tar -czf".',
  },
  E_UPLOAD_EMPTY: {
    meaning: 'The upload holds no files.',
    hint: 'Check [build].ignore: it may exclude everything.',
  },
  E_UPLOAD_RELEASE_EXISTS: {
    meaning: 'The release directory already exists; uploads only extract into a fresh directory.',
    hint: 'This is a server bug or a concurrent deploy; retry the deploy.',
  },
  E_UPLOAD_RELEASE_DIR: {
    meaning: 'The release directory could not be created (missing parent, permissions, disk).',
    hint: 'Check the server apps directory exists, is writable by the hop3 user and has free space.',
  },
  E_UPLOAD_STREAM: {
    meaning: 'The upload stream failed before the archive ended (client disconnected).',
    hint: 'Retry the deploy.',
  },
  E_UPLOAD_ABORTED: {
    meaning: 'The upload was cancelled.',
    hint: 'Retry the deploy.',
  },
  E_UPLOAD_WRITE: {
    meaning: 'Writing an extracted file failed (disk full, quota, permissions).',
    hint: 'Check free space and permissions of the server apps directory.',
  },
  E_BUNDLE_SYMLINK: {
    meaning: 'The app directory holds a symbolic link that is not ignored.',
    hint: 'Replace it by a copy, create it in [build].build, or add it to [build].ignore.',
  },
  E_BUNDLE_SPECIAL_FILE: {
    meaning: 'The app directory holds a device, FIFO or socket that is not ignored.',
    hint: 'Remove it or add it to [build].ignore.',
  },
  E_BUNDLE_FILE_CHANGED: {
    meaning: 'A file changed size while the bundle was being written.',
    hint: 'Stop whatever is writing in the app directory (a dev server, a build) and deploy again.',
  },
  E_BUNDLE_READ: {
    meaning: 'The app directory could not be read.',
    hint: 'Check the path and its permissions.',
  },
});

export type UploadErrorCode = keyof typeof UPLOAD_ERRORS;

/**
 * The HTTP status an upload refusal deserves (for the server's error edge):
 * 413 for the size limits, 409 for a release dir that exists, 500 for the
 * server's own disk trouble, 400 for everything the client sent wrong.
 */
export function uploadHttpStatus(code: UploadErrorCode): 400 | 409 | 413 | 500 {
  switch (code) {
    case 'E_UPLOAD_TOO_LARGE':
    case 'E_UPLOAD_TOO_LARGE_UNCOMPRESSED':
    case 'E_UPLOAD_TOO_MANY_ENTRIES':
      return 413;
    case 'E_UPLOAD_RELEASE_EXISTS':
      return 409;
    case 'E_UPLOAD_RELEASE_DIR':
    case 'E_UPLOAD_WRITE':
      return 500;
    default:
      return 400;
  }
}

/** A Hop3Error carrying the catalog hint for `code`. */
export function uploadError(code: UploadErrorCode, message: string, details?: Record<string, unknown>, cause?: unknown): Hop3Error {
  return new Hop3Error(code, message, {
    hint: UPLOAD_ERRORS[code].hint,
    ...(details === undefined ? {} : { details }),
    ...(cause === undefined ? {} : { cause }),
  });
}
