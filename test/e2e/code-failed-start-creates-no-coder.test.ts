import pty from 'node-pty';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers.js';
import { query, seedInterviews } from '../seed.js';

// `qcode code` needs a terminal, so each run goes through a real pseudo-terminal; a failing run exits at once.

function codeInTerminal(args: string[]): Promise<{ exitCode: number; output: string }> {
  const process_ = pty.spawn(process.execPath, [BIN, ...args], {
    cols: 120,
    rows: 40,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TERM: 'xterm-256color', LANG: 'C.UTF-8', NO_COLOR: '1' },
  });
  let output = '';
  process_.onData((data) => {
    output += data;
  });
  return new Promise((resolve) => process_.onExit(({ exitCode }) => resolve({ exitCode, output: stripVTControlCharacters(output) })));
}

describe('qcode code that fails to start', () => {
  it('leaves no coder row behind for a bad document, speaker or --lang', async () => {
    const dir = seedInterviews();
    const runs: Array<[string[], number, RegExp]> = [
      [['code', 'nosuchdoc', '--coder', 'typo_name'], 1, /no document "nosuchdoc"/],
      [['code', 'r01-vilnius-ru', '--coder', 'typo_name', '--speaker', 'nobody'], 1, /no speaker "nobody"/],
      [['code', 'r01-vilnius-ru', '--coder', 'typo_name', '--lang', 'xx'], 2, /--lang xx: the codebook's languages are/],
    ];
    for (const [args, exitCode, message] of runs) {
      const result = await codeInTerminal(['--project', dir, ...args]);
      expect(result.output).toMatch(message);
      expect(result.exitCode).toBe(exitCode);
    }
    expect(query(dir, 'SELECT name FROM coders')).toEqual([]);
  });
});
