import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError, usageError } from '../core/errors.js';
import { removeStaleScratch, scratchPrefix } from '../io/scratch.js';
import { decodePipedText } from '../io/text-file.js';

// The one place that asks the user something. Every question has a flag or argument that answers it
// in advance; without a terminal a missing answer is a usage error naming that flag, never a hang.

/** True when both stdin and stdout are terminals. */
export function isInteractive(): boolean {
  return Boolean(process.stdin.isTTY) && Boolean(process.stdout.isTTY);
}

/** Refuses with one line (exit 2) when stdin or stdout is not a terminal. */
export function requireTerminal(command: string, alternative: string): void {
  if (!isInteractive()) {
    throw usageError(`${command} needs a terminal (stdin and stdout); ${alternative}`);
  }
}

/** Asks for one line of text; the flag named in `flag` answers it without a terminal. */
export async function askText(message: string, flag: string, options: { default?: string } = {}): Promise<string> {
  if (!isInteractive()) throw usageError(`${flag} is required when there is no terminal to ask`);
  const { input } = await import('@inquirer/prompts');
  try {
    const answer = await input({
      message,
      ...(options.default === undefined ? {} : { default: options.default }),
      validate: (value) => (value.trim() === '' ? 'Type a name (or press Ctrl-C to stop)' : true),
    });
    return answer.trim();
  } catch (error) {
    if ((error as Error).name === 'ExitPromptError') throw new UserError('stopped: nothing was asked of the store');
    throw error;
  }
}

/**
 * Asks the user to type `word` (e.g. "yes") to go ahead with something that cannot be undone; true when
 * they did. An empty answer asks again; Ctrl-C or Ctrl-D stops with "stopped: nothing was <done>".
 * The answer shows without the usual ✔, which would read as approval of whatever was typed.
 */
export async function askToType(word: string, message: string, flag: string, done: string): Promise<boolean> {
  if (!isInteractive()) throw usageError(`${flag} is required when there is no terminal to ask`);
  const { input } = await import('@inquirer/prompts');
  try {
    const answer = await input({
      message,
      theme: { prefix: { idle: '?', done: '' } },
      validate: (value) => (value.trim() === '' ? `Type ${word} to go ahead, or press Ctrl-C to stop (nothing is ${done} until then)` : true),
    });
    return answer.trim().toLowerCase() === word.toLowerCase();
  } catch (error) {
    if ((error as Error).name === 'ExitPromptError') throw new UserError(`stopped: nothing was ${done}`);
    throw error;
  }
}

/** All of stdin as text (for `-` arguments), in the encoding import would detect for a file. */
export async function readStdin(): Promise<string> {
  return decodePipedText(readFileSync(0), 'stdin');
}

function editorCommand(): string {
  return process.env.VISUAL || process.env.EDITOR || (process.platform === 'win32' ? 'notepad' : 'vi');
}

/**
 * Opens $VISUAL / $EDITOR on a private temporary file holding `initial` and returns what the user
 * saved, or null when it is empty. The file is removed afterwards: it may hold participants' words.
 */
export function editText(initial: string, what = 'memo'): string | null {
  removeStaleScratch(tmpdir(), 'qcode-memo-');
  const dir = mkdtempSync(join(tmpdir(), scratchPrefix('qcode-memo-')));
  const file = join(dir, `${what}.md`);
  try {
    writeFileSync(file, initial, { mode: 0o600 });
    const editor = editorCommand();
    // Through the shell, as git does, so that EDITOR="code --wait" works.
    const result = process.platform === 'win32'
      ? spawnSync(`${editor} "${file}"`, { stdio: 'inherit', shell: true })
      : spawnSync('/bin/sh', ['-c', `${editor} "$1"`, editor, file], { stdio: 'inherit' });
    if (result.error !== undefined || result.status !== 0) {
      throw new UserError(`the editor "${editor}" failed${result.error ? `: ${result.error.message}` : ` (exit ${result.status})`}; nothing was saved`, {
        hint: 'Set EDITOR to an editor that waits until you close the file (e.g. EDITOR=nano, or EDITOR="code --wait")',
      });
    }
    const text = readFileSync(file, 'utf8').trim();
    return text === '' ? null : text;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
