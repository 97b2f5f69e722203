import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emitKeypressEvents } from 'node:readline';
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

/**
 * Asks for one line of text until `validate` accepts it (an empty answer is refused by default); null when
 * the user stops with Ctrl-C or Ctrl-D. The flag named in `flag` answers it without a terminal.
 */
export async function askText(message: string, flag: string, options: { default?: string; validate?: (value: string) => string | true } = {}): Promise<string | null> {
  if (!isInteractive()) throw usageError(`${flag} is required when there is no terminal to ask`);
  const answer = await stoppableInput({
    message,
    ...(options.default === undefined ? {} : { default: options.default }),
    validate: options.validate ?? ((value) => (value.trim() === '' ? 'Type a name (or press Ctrl-C to stop)' : true)),
  });
  return answer === null ? null : answer.trim();
}

/**
 * Asks the user to type `word` (e.g. "yes") to go ahead with something that cannot be undone; true when
 * they did. An empty answer asks again; Ctrl-C or Ctrl-D stops with "stopped: nothing was <done>".
 * The answer shows without the usual ✔, which would read as approval of whatever was typed.
 */
export async function askToType(word: string, message: string, flag: string, done: string): Promise<boolean> {
  if (!isInteractive()) throw usageError(`${flag} is required when there is no terminal to ask`);
  const answer = await stoppableInput({
    message,
    theme: { prefix: { idle: '?', done: '' } },
    validate: (value) => (value.trim() === '' ? `Type ${word} to go ahead, or press Ctrl-C to stop (nothing is ${done} until then)` : true),
  });
  if (answer === null) throw new UserError(`stopped: nothing was ${done}`);
  return answer.trim().toLowerCase() === word.toLowerCase();
}

type InputConfig = Parameters<typeof import('@inquirer/prompts').input>[0];

/**
 * An inquirer input that Ctrl-D stops as Ctrl-C does (null for both). Inquirer leaves Ctrl-D to readline,
 * which closes on it without settling the prompt, so that the process ended without a word (or hung).
 */
async function stoppableInput(config: InputConfig): Promise<string | null> {
  const { input } = await import('@inquirer/prompts');
  const stop = new AbortController();
  const onKey = (_text: string | undefined, key: { ctrl?: boolean; name?: string } | undefined): void => {
    if (key?.ctrl === true && key.name === 'd') stop.abort();
  };
  // The end of input (a Ctrl-D read before the prompt took the terminal) stops it too.
  const onEnd = (): void => stop.abort();
  emitKeypressEvents(process.stdin);
  process.stdin.on('keypress', onKey);
  process.stdin.once('end', onEnd);
  try {
    return await input(config, { signal: stop.signal });
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'ExitPromptError' || name === 'AbortPromptError') return null;
    throw error;
  } finally {
    process.stdin.removeListener('keypress', onKey);
    process.stdin.removeListener('end', onEnd);
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
