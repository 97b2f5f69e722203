import { readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQcode, spawnUntilPaused, tempDir } from '../helpers.js';
import { RICH_SEED, seedProject } from '../refi-helpers.js';

describe('export all --out a dangling symlink', () => {
  it('says in one line that the link names a missing folder', async () => {
    const project = await seedProject(RICH_SEED);
    const out = tempDir('qcode-export-dangling-');
    const missing = join(out, 'nonexistent');
    symlinkSync(missing, join(out, 'dang'));
    const result = runQcode(['--project', project, 'export', 'all', '--out', 'dang'], { cwd: out });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Error: --out dang is a symlink to a missing folder \\(${missing}\\): .* — Create ${missing} first`));
    expect(readdirSync(out)).toEqual(['dang']);
  });
});

describe('export all stopped by a signal', () => {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`removes its temporary folder (participants' words) on ${signal}, and ends as ${signal} does`, async () => {
      const project = await seedProject(RICH_SEED);
      const out = tempDir('qcode-export-signal-');
      const { child, exited } = await spawnUntilPaused(['--project', project, 'export', 'all', '--out', join(out, 'exports')], {
        env: { QCODE_TEST_PAUSE_EXPORT_MS: '60000' },
        marker: 'paused while writing',
      });
      // Mid-export: the temporary folder holds the first files.
      const [temporary] = readdirSync(out);
      expect(temporary).toMatch(new RegExp(`^\\.exports\\.qcode-export-${child.pid}-`));
      expect(readdirSync(join(out, temporary!))).toEqual(expect.arrayContaining(['codings.csv', 'segments.csv']));

      child.kill(signal);
      const ended = await exited;
      expect(ended.signal === signal || ended.code === code).toBe(true);
      expect(readdirSync(out)).toEqual([]);
    });
  }
});
