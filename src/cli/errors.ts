import { palette } from './render/style.js';
import { CommanderError } from './commander.js';
import { formatProblem, ProblemsError, UserError } from '../core/errors.js';
import { busyStoreError, damagedStoreError, lastOpenedStore, readOnlyStoreError } from '../store/db.js';

const DISK_FULL = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT']);

/** A full disk (or quota) is the user's to fix, not a bug: where, and what to do. */
export function diskFullError(error: unknown, where?: string): UserError | undefined {
  const { code, path } = (error ?? {}) as NodeJS.ErrnoException;
  if (code === undefined || !DISK_FULL.has(code)) return undefined;
  const place = where ?? path ?? lastOpenedStore();
  const message = (error as Error).message.replace(/^\w+: /, '');
  return new UserError(`the disk is full${place === undefined ? '' : ` (${place})`}: ${message}`, {
    hint: 'Free some space on that disk (or move the project to another), then run the command again',
    cause: error,
  });
}

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Control characters shown escaped (\n, \u{1b}): a message quotes what the user gave (a CSV cell, a
 * file name), and a line break or escape sequence in it would split the error over lines or drive the terminal.
 */
export function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (char) => ESCAPES[char] ?? `\\u{${char.charCodeAt(0).toString(16)}}`);
}

/** A user error's one line: its message, and its hint after a dash. */
function errorLine(error: UserError): string {
  const color = palette();
  return `${color.red('Error:')} ${escapeControls(error.message)}${error.hint ? color.dim(` — ${escapeControls(error.hint)}`) : ''}\n`;
}

/** Prints an error the way a user needs it and returns the exit code: 1 for errors, 2 for usage. */
export function reportError(error: unknown, debug: boolean): number {
  if (error instanceof CommanderError) {
    // Commander has printed its own message already.
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof ProblemsError) {
    for (const problem of error.problems) process.stderr.write(`${escapeControls(formatProblem(problem))}\n`);
    process.stderr.write(errorLine(error));
    if (debug) process.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  if (error instanceof UserError) {
    process.stderr.write(errorLine(error));
    if (debug) process.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  // SQLite's errors name no file: these name the project's store, and are the user's to act on, not bugs.
  const known = diskFullError(error) ?? damagedStoreError(error) ?? readOnlyStoreError(error) ?? busyStoreError(error);
  if (known !== undefined) return reportError(known, debug);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EPIPE') return 0;
  const message = error instanceof Error ? error.message : String(error);
  const color = palette();
  process.stderr.write(`${color.red('Error:')} ${message}${debug ? '' : color.dim(' (run with --debug for details; this is a bug in qcode: please report it)')}\n`);
  if (debug && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return 1;
}
