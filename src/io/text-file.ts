import { readFileSync, statSync } from 'node:fs';
import { UserError } from '../core/errors.js';

/**
 * Reads a UTF-8 text file that qcode itself must understand (codebooks, CSV batches), refusing anything
 * else clearly. `tooLarge` tells the user what to do with a file over the limit.
 */
export function readUtf8File(path: string, what: string, options: { maxBytes?: number; tooLarge?: string } = {}): string {
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  let size: number;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) throw new UserError(`${path}: not a regular file (${what} expected)`);
    size = stats.size;
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw fileError(path, error);
  }
  if (size > maxBytes) {
    throw new UserError(`${path}: ${what} is ${(size / 1048576).toFixed(0)} MB; the limit is ${maxBytes / 1048576} MB`, options.tooLarge === undefined ? {} : { hint: options.tooLarge });
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw fileError(path, error);
  }
  if (bytes.length === 0) throw new UserError(`${path}: the ${what} is empty`);
  const nul = bytes.indexOf(0);
  if (nul !== -1) throw new UserError(`${path}: this is a binary file, not a ${what} (NUL byte at offset ${nul})`);
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return text.startsWith('\uFEFF') ? text.slice(1) : text;
  } catch {
    const { line, col } = firstInvalidUtf8(bytes);
    throw new UserError(`${path}:${line}:${col}: the ${what} is not valid UTF-8`, {
      hint: 'Save it as UTF-8 (in most editors: Save As… → Encoding: UTF-8).',
    });
  }
}

export function fileError(path: string, error: unknown): UserError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT' ? 'no such file'
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'EISDIR' ? 'is a folder'
    : (error as Error).message;
  return new UserError(`${path}: ${reason}`, { cause: error });
}

/** Line and column (1-based, in characters) of the first byte that breaks UTF-8. */
function firstInvalidUtf8(bytes: Buffer): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  let i = 0;
  while (i < bytes.length) {
    const byte = bytes[i] as number;
    const length = byte < 0x80 ? 1 : byte >= 0xc2 && byte < 0xe0 ? 2 : byte >= 0xe0 && byte < 0xf0 ? 3 : byte >= 0xf0 && byte < 0xf5 ? 4 : 0;
    let valid = length > 0 && i + length <= bytes.length;
    for (let k = 1; valid && k < length; k++) valid = ((bytes[i + k] as number) & 0xc0) === 0x80;
    if (!valid) {
      const col = new TextDecoder().decode(bytes.subarray(lineStart, i)).length + 1;
      return { line, col };
    }
    if (byte === 0x0a) {
      line++;
      lineStart = i + 1;
    }
    i += length;
  }
  return { line, col: 1 };
}
