import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guardFormula } from '../../src/io/export/formula.js';
import { ROOT, runQcode } from '../helpers.js';
import { seedProject } from '../seed.js';

const ANSI = /\u001b\[/;

describe('--no-color against FORCE_COLOR', () => {
  // Made in each test: helpers.ts removes temporary folders after every test.
  const project = (): string => seedProject([{ slug: 'r01', segments: [{ text: 'Мы ходили на пикеты у посольства.' }] }]);
  const forced = { FORCE_COLOR: '1', NO_COLOR: '' };

  it('takes colours away from search (palette), codebook show and error lines (chalk)', () => {
    const dir = project();
    // The premise: FORCE_COLOR does colour these without the flag.
    expect(runQcode(['--project', dir, 'search', 'пикеты'], { env: forced }).stdout).toMatch(ANSI);
    for (const args of [['search', 'пикеты'], ['codebook', 'show'], ['docs', 'show', 'nosuch']]) {
      const result = runQcode(['--project', dir, '--no-color', ...args], { env: forced });
      expect(result.stdout + result.stderr).toMatch(/пикеты|political-remittances|nosuch/);
      expect(result.stdout + result.stderr).not.toMatch(ANSI);
    }
  });

  it('NO_COLOR wins over FORCE_COLOR on error lines too', () => {
    const dir = project();
    const result = runQcode(['--project', dir, 'docs', 'show', 'nosuch'], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: .*nosuch/);
    expect(result.stderr).not.toMatch(ANSI);
  });
});

describe('qcode help WORD', () => {
  it('says an unknown command is unknown, in one line, with exit 2', () => {
    const result = runQcode(['help', 'nosuch']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("error: unknown command 'nosuch'\n");
    expect(result.stdout).toBe('');
  });

  it('suggests the command a typo meant, as an unknown command does', () => {
    expect(runQcode(['help', 'cod']).stderr).toBe(runQcode(['cod']).stderr);
    expect(runQcode(['help', 'cod']).stderr).toBe("error: unknown command 'cod'\n(Did you mean code?)\n");
  });

  it('still helps with a known command', () => {
    const result = runQcode(['help', 'init']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: qcode init');
  });

  it('helps with a subcommand, and names an unknown one', () => {
    const check = runQcode(['help', 'codebook', 'check']);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('Usage: qcode codebook check');
    const unknown = runQcode(['help', 'codebook', 'chek']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("error: unknown command 'chek'\n(Did you mean check?)\n");
  });
});

describe('qcode WORD --help with an unknown WORD', () => {
  // A script's typo must not pass as the root help with exit 0.
  it('is an unknown command, exit 2', () => {
    const result = runQcode(['pack', '--help']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: unknown command 'pack'\n/);
    expect(result.stderr).toBe(runQcode(['pack']).stderr);
    expect(result.stdout).toBe('');
  });

  it('leaves a known command\'s operand alone', () => {
    const result = runQcode(['docs', 'show', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: qcode docs show');
  });
});

describe('the --excel characters in README.md', () => {
  it('are the ones guardFormula guards', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) expect(guardFormula(`${start}x`)).toBe(`'${start}x`);
    expect(guardFormula("'=x")).toBe("''=x");
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ');
    expect(readme).toContain('`--excel` adds a BOM and guards text cells starting with `= + - @`, a tab or a carriage return (also after leading apostrophes)');
  });
});
