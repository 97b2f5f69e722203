// The built binary run in a real pseudo-terminal, for the interactive screens (qcode code, reconcile).
// Every wait is for text on the screen (with a timeout), never for a fixed time.
import pty from 'node-pty';
import { stripVTControlCharacters } from 'node:util';
import { afterEach } from 'vitest';
import { BIN } from './helpers.js';

export class Terminal {
  output = '';
  readonly exited: Promise<{ exitCode: number; signal?: number | undefined }>;
  private readonly process: pty.IPty;

  constructor(args: string[], env: Record<string, string> = {}, size = { columns: 100, rows: 40 }) {
    this.process = pty.spawn(process.execPath, [BIN, ...args], {
      cols: size.columns,
      rows: size.rows,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TERM: 'xterm-256color', LANG: 'C.UTF-8', NO_COLOR: '1', ...env },
    });
    this.process.onData((data) => {
      this.output += data;
    });
    this.exited = new Promise((resolve) => this.process.onExit(resolve));
    running.push(this);
  }

  /** The last frame drawn (each frame starts at the top-left corner). */
  screen(): string {
    return stripVTControlCharacters(this.output.split('\u001b[H').pop() ?? '');
  }

  /** The last frame with its line breaks read as spaces, for messages wrapped over lines. */
  flat(): string {
    return this.screen().replace(/\s+/g, ' ');
  }

  /** Waits until the last frame shows every one of the texts. */
  async waitFor(...texts: string[]): Promise<string> {
    return this.waitUntil(() => texts.every((text) => this.screen().includes(text)), `screen showing ${JSON.stringify(texts)}`);
  }

  async waitUntil(done: () => boolean, what: string, timeout = 15_000): Promise<string> {
    const started = Date.now();
    while (!done()) {
      if (Date.now() - started > timeout) throw new Error(`timed out waiting for ${what}; the screen was:\n${this.screen()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.screen();
  }

  type(keys: string): void {
    this.process.write(keys);
  }

  kill(signal: string): void {
    this.process.kill(signal);
  }

  resize(columns: number, rows: number): void {
    this.process.resize(columns, rows);
  }
}

// A test that fails midway leaves no terminal running.
const running: Terminal[] = [];
afterEach(async () => {
  for (const terminal of running.splice(0)) {
    terminal.kill('SIGKILL');
    await terminal.exited;
  }
});
