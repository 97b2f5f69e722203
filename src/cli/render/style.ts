import { createRequire } from 'node:module';
import type { ChalkInstance } from 'chalk';
import { displayWidth } from '../width.js';

export { displayWidth };

// chalk loads on first use (require of an ES module, Node >= 20.19): a command that prints JSON or
// CSV never pays for it, and scripts call qcode in loops.
let chalkModule: typeof import('chalk') | undefined;
let coloured: ChalkInstance | undefined;

/**
 * Colours unless the user said no: NO_COLOR (https://no-color.org, any non-empty value), --no-color, or
 * output that is not a terminal (chalk's own detection).
 */
export function palette(env: NodeJS.ProcessEnv = process.env, stdoutIsTty = process.stdout.isTTY === true): ChalkInstance {
  const off = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  // Piped output gets no colours from chalk either unless forced (supports-color's first rule), so a script
  // reading qcode's output does not wait for chalk to load.
  const forced = env.FORCE_COLOR !== undefined || process.argv.some((arg) => arg.startsWith('--color'));
  if (off || (!stdoutIsTty && !forced)) return PLAIN;
  chalkModule ??= createRequire(import.meta.url)('chalk') as typeof import('chalk');
  coloured ??= new chalkModule.Chalk();
  return coloured;
}

/** What chalk is at level 0: every style, however chained, returns its text unchanged. */
const PLAIN: ChalkInstance = (() => {
  const plain: unknown = new Proxy((...texts: unknown[]) => texts.join(' '), {
    // Not thenable, so that an async function can return it.
    get: (_target, property) => (property === 'level' ? 0 : property === 'then' || typeof property === 'symbol' ? undefined : plain),
  });
  return plain as ChalkInstance;
})();

/** The width to lay tables out for: the terminal's, else $COLUMNS, else 100. */
export function terminalWidth(env: NodeJS.ProcessEnv = process.env): number {
  const columns = process.stdout.isTTY ? process.stdout.columns : Number(env.COLUMNS);
  return Number.isFinite(columns) && columns !== undefined && columns >= 40 ? columns : 100;
}

/**
 * A label as one line of a terminal table: each line break and tab becomes a space, as in the CSVs of
 * qcode export. A label may hold them (a definition pasted in), and either would break the columns.
 */
export function oneLine(text: string): string {
  return /[\t\n\r\v\f\u0085\u2028\u2029]/.test(text) ? text.replace(/\r\n|[\t\n\r\v\f\u0085\u2028\u2029]/g, ' ') : text;
}

/** Cuts text to a display width, ending in "…" when cut. */
export function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 1) return width === 1 ? '…' : '';
  let result = '';
  let used = 0;
  for (const char of text) {
    const w = displayWidth(char);
    if (used + w > width - 1) break;
    result += char;
    used += w;
  }
  return `${result}…`;
}

/** Cuts text from the left to a display width, starting with "…" when cut. */
export function truncateLeft(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 1) return width === 1 ? '…' : '';
  const chars = [...text];
  let result = '';
  let used = 0;
  for (let i = chars.length - 1; i >= 0; i--) {
    const w = displayWidth(chars[i]!);
    if (used + w > width - 1) break;
    result = chars[i] + result;
    used += w;
  }
  return `…${result}`;
}

/** Pads to a display width; styled (ANSI) text is measured without its escapes. */
export function pad(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'right' ? fill + text : text + fill;
}

/** Splits a label into at most `lines` lines of a width, word by word; the last line ends in "…" if cut. */
export function wrapLabel(text: string, width: number, lines: number): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const result: string[] = [];
  let line = '';
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const candidate = line === '' ? word : `${line} ${word}`;
    if (displayWidth(candidate) <= width) {
      line = candidate;
      continue;
    }
    if (line !== '') result.push(line);
    line = word;
    if (result.length === lines - 1) {
      const rest = words.slice(i).join(' ');
      result.push(truncate(rest, width));
      return result;
    }
    if (displayWidth(line) > width) {
      result.push(truncate(line, width));
      line = '';
      if (result.length === lines) return result;
    }
  }
  if (line !== '') result.push(line);
  return result.slice(0, lines);
}

/** Minutes:seconds of a media time in milliseconds, e.g. 1:02:03 or 4:05. */
export function formatTime(ms: number): string {
  const total = Math.floor(ms / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}
