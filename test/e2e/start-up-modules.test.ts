import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FIXTURES, ROOT, runQcode, tempDir } from '../helpers.js';
import { seedProject } from '../seed.js';

const PRELOAD = pathToFileURL(join(ROOT, 'test', 'module-log', 'preload.mjs')).href;

/** The module requests of one qcode run, and its result. */
function modulesOf(args: string[], env: Record<string, string> = {}): { requests: string[]; code: number; stdout: string } {
  const log = join(tempDir('qcode-modules-'), 'modules.log');
  const result = runQcode(args, { env: { NODE_OPTIONS: `--import=${PRELOAD}`, QCODE_TEST_MODULE_LOG: log, ...env } });
  return { requests: readFileSync(log, 'utf8').split('\n').filter((line) => line !== ''), code: result.code, stdout: result.stdout };
}

// Scripts call qcode in loops: a command whose output goes to a script must not pay for chalk (about 15 ms
// of start-up), which it would never use.
describe('start-up of commands whose output goes to a script', () => {
  it('loads no chalk for JSON, CSV or piped output of import, tag, analysis, agreement, log and export, and for an error line', () => {
    const dir = seedProject([{ slug: 'r01', segments: [{ text: 'Мы ходили на пикеты у посольства.' }] }]);
    const out = join(tempDir('qcode-export-'), 'out');
    const runs = [
      ['import', join(FIXTURES, 'interviews', 'r02-riga-en.txt'), '--json'],
      ['tag', 'r01:1', 'forms.protest', '--coder', 'anna', '--json'],
      ['tag', 'r01:1', 'forms.protest', '--coder', 'boris', '--json'],
      ['stats', '--json'],
      ['search', 'пикеты', '--json'],
      ['search', 'пикеты'],
      ['retrieve', '--code', 'forms.protest', '--csv'],
      ['cooccur', '--hypothesis', 'all', '--json'],
      ['agreement', '--coders', 'anna,boris', '--json'],
      ['log', '--json'],
      ['export', 'all', '--out', out],
      ['docs', 'show', 'nosuch'],
    ];
    for (const args of runs) {
      const run = modulesOf(['--project', dir, ...args]);
      expect(run.code, args.join(' ')).toBe(args.includes('nosuch') ? 1 : 0);
      // The log saw the run's own modules, so an absent chalk means it was not loaded.
      expect(run.requests, args.join(' ')).toContain('better-sqlite3');
      expect(run.requests, args.join(' ')).not.toContain('chalk');
    }
  });

  it('does load chalk when colours are asked for (the log would see it)', () => {
    const dir = seedProject([{ slug: 'r01', segments: [{ text: 'Мы ходили на пикеты у посольства.' }] }]);
    const run = modulesOf(['--project', dir, 'codebook', 'show'], { FORCE_COLOR: '1', NO_COLOR: '' });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\u001b\[/);
    expect(run.requests).toContain('chalk');
  });
});
