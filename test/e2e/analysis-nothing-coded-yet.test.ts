import { parse } from 'csv-parse/sync';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seedAnalysisProject, type SeedProject } from '../analysis-seed.js';
import { runQcode, tempDir } from '../helpers.js';

// Before the first coding, stats and cooccur answer with zeros (exit 0) as retrieve and the lists do, so
// that a scheduled export script does not break; a person at a terminal gets one line on stderr saying why.

const NOTE = 'Nothing is coded yet: every count is 0. Code segments with qcode code or qcode tag.';

/** Documents, one linked to case P1 and one without a case, and no coding at all. */
const uncoded = (): SeedProject => ({
  cases: [{ id: 'P1', values: { country: 'DE' } }],
  documents: [
    { slug: 'a', case: 'P1', segments: [{ speaker: 'R', text: 'One.' }, { speaker: 'R', text: 'Two.' }] },
    { slug: 'b', segments: [{ speaker: 'R', text: 'Three.' }] },
  ],
});

async function project(spec: SeedProject): Promise<(...args: string[]) => ReturnType<typeof runQcode>> {
  const dir = await seedAnalysisProject(spec);
  return (...args: string[]) => runQcode(['--project', dir, ...args]);
}

describe('qcode stats with nothing coded yet', () => {
  it('prints zeros for every active code, with the note on stderr only at the terminal', async () => {
    const qcode = await project(uncoded());
    const json = qcode('stats', '--json');
    expect(json.code, json.stderr).toBe(0);
    expect(json.stderr).toBe('');
    const report = JSON.parse(json.stdout) as { unit_count: number; rows: Array<{ code: string; n: number; codings: number; share: number }> };
    expect(report.unit_count).toBe(3);
    expect(report.rows.map((row) => [row.code, row.n, row.codings, row.share])).toEqual(
      ['forms.protest', 'forms.letters', 'forms.media', 'effect.mobilising', 'effect.inhibiting'].map((code) => [code, 0, 0, 0]),
    );

    const csv = qcode('stats', '--csv');
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stderr).toBe('');
    expect(parse(csv.stdout)[1]).toEqual(['forms.protest', 'Protest', '0', '0', '0']);

    const terminal = qcode('stats');
    expect(terminal.code).toBe(0);
    expect(terminal.stdout).toMatch(/forms\.protest +Protest +0 +0\.0% +0\n/);
    expect(terminal.stderr).toContain(NOTE);
    expect(qcode('stats', '--quiet').stderr).toBe('');
  });

  it('counts zeros over other units and by an attribute, case units included when a document has a case', async () => {
    const qcode = await project(uncoded());
    for (const unit of ['document', 'case']) {
      const run = qcode('stats', '--unit', unit, '--by', 'attribute:country', '--json');
      expect(run.code, run.stderr).toBe(0);
      const report = JSON.parse(run.stdout) as { unit_count: number; rows: Array<{ n: number; codings: number; by_value: number[] }> };
      expect(report.unit_count).toBe(unit === 'case' ? 1 : 2);
      for (const row of report.rows) expect([row.n, row.codings, ...row.by_value].every((n) => n === 0)).toBe(true);
    }
    expect(qcode('stats', '--unit', 'case').stderr).toContain(NOTE);
  });

  it('names the coders in the note when the selected ones have coded nothing', async () => {
    const qcode = await project(uncoded());
    expect(qcode('tag', 'a:1', 'forms.protest', '--coder', 'anna').code).toBe(0);
    expect(qcode('untag', 'a:1', 'forms.protest', '--coder', 'anna').code).toBe(0);
    const run = qcode('stats', '--coder', 'anna');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Nothing is coded yet (by anna): every count is 0. Code segments with qcode code or qcode tag.');
  });
});

describe('qcode cooccur with nothing coded yet', () => {
  it('prints tables of zeros, percentages of no units undefined, in every format', async () => {
    const qcode = await project(uncoded());
    const long = qcode('cooccur', '--long');
    expect(long.code, long.stderr).toBe(0);
    expect(long.stderr).toBe('');
    const cells = parse(long.stdout, { columns: true }) as Array<Record<string, string>>;
    expect(cells.length).toBeGreaterThan(0);
    for (const cell of cells) {
      // An attribute value's units are there (H2's DE: the two segments of P1), but none carries a code.
      const valueUnits = cell.row === 'attribute:country=DE' ? '2' : cell.row === 'attribute:country=' ? '1' : '0';
      expect([cell.n_ab, cell.n_a, cell.n_b, cell.c, cell.rowpct, cell.colpct], `${cell.row} × ${cell.column}`).toEqual(['0', valueUnits, '0', '0', valueUnits === '0' ? '' : '0', '']);
    }

    const json = qcode('cooccur', '--unit', 'case', '--json');
    expect(json.code, json.stderr).toBe(0);
    const tables = (JSON.parse(json.stdout) as { tables: Array<{ id: string; unit_count: number; cells: Array<{ n_ab: number; rowpct: number | null }> }> }).tables;
    expect(tables.map((table) => [table.id, table.unit_count])).toEqual([['H1', 1], ['H2', 1]]);
    expect(tables[0]!.cells.every((cell) => cell.n_ab === 0 && cell.rowpct === null)).toBe(true);

    const terminal = qcode('cooccur', '--hypothesis', 'H1', '--measure', 'rowpct');
    expect(terminal.code).toBe(0);
    expect(terminal.stdout).toMatch(/ {2}Mobilising +0 +— +— +—\n/);
    expect(terminal.stderr).toContain(NOTE);
    expect(qcode('cooccur', '--hypothesis', 'H1', '--csv').stderr).toBe('');
  });
});

describe('what stays an error', () => {
  it('no documents, an unknown coder, and --unit case with no document linked to a case', async () => {
    const empty = await project({ documents: [] });
    for (const args of [['stats', '--json'], ['cooccur', '--long']]) {
      const run = empty(...args);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^Error: the project has no documents yet/);
    }

    const qcode = await project(uncoded());
    expect(qcode('stats', '--coder', 'nobody').stderr).toMatch(/^Error: unknown coder "nobody"/);

    const uncased = await project({ documents: [{ slug: 'b', segments: [{ text: 'Three.' }] }] });
    for (const args of [['stats', '--unit', 'case', '--json'], ['cooccur', '--unit', 'case', '--long']]) {
      const run = uncased(...args);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^Error: --unit case: no document is linked to a case — Link a document/);
    }
  });
});

describe('qcode export all with nothing coded yet', () => {
  it('writes every file', async () => {
    const qcode = await project(uncoded());
    const out = join(tempDir('qcode-uncoded-export-'), 'out');
    const run = qcode('export', 'all', '--out', out);
    expect(run.code, run.stderr).toBe(0);
    for (const file of ['codings.csv', 'segments.csv', 'documents.csv', 'cases.csv', 'qcode.sps', 'qcode.R']) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    const segments = parse(readFileSync(join(out, 'segments.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(segments).toHaveLength(3);
  });
});
