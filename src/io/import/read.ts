import { readFileSync, statSync } from 'node:fs';
import { UserError } from '../../core/errors.js';
import { reasonOf, specialFileReason } from './paths.js';

/**
 * The largest file qcode imports. A transcript is rarely over 1 MB; a 200 MB file is a whole archive
 * pasted into one file, which no coder can work through as one document. Refusing it up front keeps
 * memory bounded: the file, its text and its segments are all held at once while one document is
 * imported, about 8 bytes of memory per byte of file (a 50 MB transcript peaks near 400 MB).
 */
export const MAX_FILE_BYTES = 100 * 1024 * 1024;

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

/** Reads a file to import, refusing what is not a readable, non-empty regular file of at most maxBytes. */
export function readSourceBytes(path: string, display: string, maxBytes = MAX_FILE_BYTES): Buffer {
  let size: number;
  try {
    const stats = statSync(path);
    if (stats.isDirectory()) throw new UserError(`${display}: is a folder`);
    const special = specialFileReason(stats);
    if (special !== undefined) throw new UserError(`${display}: ${special}`);
    size = stats.size;
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`${display}: ${reasonOf(error)}`, { cause: error });
  }
  if (size === 0) throw new UserError(`${display}: the file is empty`);
  if (size > maxBytes) {
    throw new UserError(`${display}: the file is ${megabytes(size)}; qcode imports files of at most ${megabytes(maxBytes)}`, {
      hint: 'Split it into one file per interview or document',
    });
  }
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UserError(`${display}: ${reasonOf(error)}`, { cause: error });
  }
}
