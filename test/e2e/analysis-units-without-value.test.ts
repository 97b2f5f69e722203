import { parse } from 'csv-parse/sync';
import { beforeEach, describe, expect, it } from 'vitest';
import { handCountedProject, seedAnalysisProject } from '../analysis-seed.js';
import { runQcode } from '../helpers.js';

// As a user sees them: the "(no value)" column or row for units outside every attribute value, undefined
// percentages, and --unit case without a linked document. On the hand-counted project of
// test/analysis-seed.ts, where d4 (one segment, media) has no case.

let dir: string;
beforeEach(async () => {
  dir = await seedAnalysisProject(handCountedProject());
});

const qcode = (...args: string[]) => runQcode(['--project', dir, ...args]);

describe('qcode stats --by', () => {
  it('prints a "(no value)" column on the terminal, in CSV (headed NAME=) and in JSON (value null)', () => {
    const terminal = qcode('stats', '--by', 'attribute:country');
    expect(terminal.code, terminal.stderr).toBe(0);
    expect(terminal.stdout).toContain('Host country: DE Germany · LT Lithuania · UK United Kingdom\'s · (no value) no case, or no country');
    expect(terminal.stdout).toMatch(/codings +DE +LT +UK +\(no value\)\n/);
    expect(terminal.stdout).toMatch(/forms\.media +Media.* +3 +37\.5% +3 +1 +1 +0 +1\n/);
    expect(terminal.stdout).toMatch(/\(segments\) +8 +5 +2 +0 +1\n/);

    const csv = parse(qcode('stats', '--by', 'attribute:country', '--csv').stdout) as string[][];
    expect(csv[0]).toEqual(['code', 'label', 'n', 'percent', 'codings', 'country=DE', 'country=LT', 'country=UK', 'country=']);
    expect(csv.at(-1)).toEqual(['(segments)', 'segments per value', '8', '100', '', '5', '2', '0', '1']);

    const json = JSON.parse(qcode('stats', '--by', 'attribute:country', '--json').stdout) as { by: { values: Array<{ value: string | null; units: number }> } };
    expect(json.by.values.at(-1)).toEqual({ value: null, label: '(no value)', units: 1 });
  });
});

describe('qcode cooccur', () => {
  it('prints a "(no value)" row, and percentages of no units as a dash, empty CSV cells and JSON null', () => {
    const terminal = qcode('cooccur', '--hypothesis', 'H2', '--measure', 'rowpct');
    expect(terminal.code, terminal.stderr).toBe(0);
    expect(terminal.stdout).toMatch(/ {2}United Kingdom's +0 +— +— +—\n/);
    expect(terminal.stdout).toMatch(/ {2}\(no value\) +1 +· +· +100\.0%/);
    expect(terminal.stdout).toContain('—: a percentage of no units (n = 0)');

    const wide = parse(qcode('cooccur', '--hypothesis', 'H2', '--csv', '--measure', 'rowpct').stdout) as string[][];
    expect(wide.slice(3)).toEqual([
      ['attribute:country=UK', "United Kingdom's", '0', '', '', ''],
      ['attribute:country=', '(no value)', '1', '0', '0', '100'],
      ['n', 'segments carrying the column', '8', '4', '3', '3'],
    ]);

    const long = parse(qcode('cooccur', '--hypothesis', 'H2', '--long').stdout, { columns: true }) as Array<Record<string, string>>;
    expect(long.filter((row) => row.row === 'attribute:country=UK').map((row) => [row.rowpct, row.colpct])).toEqual([['', '0'], ['', '0'], ['', '0']]);

    const json = JSON.parse(qcode('cooccur', '--hypothesis', 'H2', '--json').stdout) as {
      tables: Array<{ rows: Array<{ id: string; value: string | null; n: number }>; cells: Array<{ row: string; rowpct: number | null }> }>;
    };
    expect(json.tables[0]!.rows.at(-1)).toMatchObject({ id: 'attribute:country=', label: '(no value)', value: null, n: 1 });
    expect(json.tables[0]!.cells.filter((cell) => cell.row === 'attribute:country=UK').map((cell) => cell.rowpct)).toEqual([null, null, null]);
  });
});

describe('--unit case', () => {
  it('says in one line that no document is linked to a case, and how to link one', async () => {
    dir = await seedAnalysisProject({ documents: [{ slug: 'a', segments: [{ text: 'One.', codings: [{ code: 'forms.protest', coder: 'anna' }] }] }] });
    for (const command of ['stats', 'cooccur']) {
      const result = qcode(command, '--unit', 'case');
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.trimEnd().split('\n')).toEqual([
        'Error: --unit case: no document is linked to a case — Link a document to its case by importing its file again with the case (its codings are kept): qcode import FILE --case ID, or many at once: qcode import FILES... --manifest manifest.csv',
      ]);
    }
  });

  it('counts in the codings column only the codings of documents linked to a case', () => {
    const csv = parse(qcode('stats', '--unit', 'case', '--csv').stdout, { columns: true }) as Array<Record<string, string>>;
    expect(csv.find((row) => row.code === 'forms.media')).toMatchObject({ n: '2', codings: '2' });
  });
});
