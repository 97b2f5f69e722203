import { describe, expect, it } from 'vitest';
import { codeFrequencies, cooccur } from '../../src/app/analysis.js';
import { longRows } from '../../src/core/cooccurrence.js';
import { handCountedProject, seedAnalysisProject, type SeedProject } from '../analysis-seed.js';
import { errorText } from '../helpers.js';
import { withProject } from '../seed.js';

// Units outside every attribute value, case units with documents that have no case, and percentages of
// no units. handCountedProject (test/analysis-seed.ts): d4 (1 segment, media by anna) has no case, and
// case P3 (d3, 2 segments) has a country but no year.

describe('units without a value of the attribute', () => {
  it('stats --by adds a "(no value)" column for them, so that the values add up to all units', async () => {
    const report = withProject(await seedAnalysisProject(handCountedProject()), (project) => codeFrequencies(project, { by: 'attribute:country' }));
    expect(report.by?.values).toEqual([
      { value: 'DE', label: 'Germany', units: 5 },
      { value: 'LT', label: 'Lithuania', units: 2 },
      { value: 'UK', label: "United Kingdom's", units: 0 },
      { value: null, label: '(no value)', units: 1 },
    ]);
    expect(report.rows.find((row) => row.code === 'forms.media')).toMatchObject({ n: 3, byValue: [1, 1, 0, 1] });
    for (const row of report.rows) expect(row.byValue.reduce((a, b) => a + b, 0), row.code).toBe(row.n);
  });

  it('counts a case without the attribute as no value, and leaves no column when every unit in scope has one', async () => {
    withProject(await seedAnalysisProject(handCountedProject()), (project) => {
      // Case units leave d4 out: every case has a country.
      expect(codeFrequencies(project, { by: 'attribute:country', unit: 'case' }).by?.values.map((value) => value.value)).toEqual(['DE', 'LT', 'UK']);
      const years = codeFrequencies(project, { by: 'attribute:year', unit: 'case' });
      expect(years.by?.values).toEqual([
        { value: '2014', label: '2014', units: 1 },
        { value: '2022', label: '2022', units: 1 },
        { value: null, label: '(no value)', units: 1 },
      ]);
      expect(years.rows.find((row) => row.code === 'forms.protest')?.byValue).toEqual([1, 1, 1]);
    });
  });

  it('gives cooccur attribute rows and columns a "(no value)" item with its own units', async () => {
    const report = withProject(await seedAnalysisProject(handCountedProject()), (project) => cooccur(project, { rows: 'attribute:country', columns: 'forms.media,attribute:year' }));
    const { table } = report.tables[0]!;
    expect(table.rows.map((row) => [row.id, row.label, row.value, row.n])).toEqual([
      ['attribute:country=DE', 'Germany', 'DE', 5],
      ['attribute:country=LT', 'Lithuania', 'LT', 2],
      ['attribute:country=UK', "United Kingdom's", 'UK', 0],
      ['attribute:country=', '(no value)', null, 1],
    ]);
    expect(table.columns.map((column) => [column.id, column.n])).toEqual([
      ['forms.media', 3], ['attribute:year=2014', 2], ['attribute:year=2022', 3], ['attribute:year=', 3],
    ]);
    // The no-value row × media: d4's segment; × no year: d4 (no case) is in both.
    expect(table.cells[3]!.map((cell) => cell.nab)).toEqual([1, 0, 0, 1]);
    // DE × no year: P3's two segments.
    expect(table.cells[0]![3]!.nab).toBe(2);
  });

  it('adds no item when every unit has a value', async () => {
    const spec = handCountedProject();
    const report = withProject(await seedAnalysisProject({ ...spec, documents: spec.documents.filter((document) => document.case !== undefined) }), (project) =>
      cooccur(project, { hypothesis: 'H2' }));
    expect(report.tables[0]!.table.rows.map((row) => row.id)).toEqual(['attribute:country=DE', 'attribute:country=LT', 'attribute:country=UK']);
  });
});

describe('percentages of no units', () => {
  it('are null, not 0, in the cells and in the long rows', async () => {
    const report = withProject(await seedAnalysisProject(handCountedProject()), (project) => cooccur(project, { hypothesis: 'H2' }));
    const { table } = report.tables[0]!;
    const uk = table.rows.findIndex((row) => row.id === 'attribute:country=UK');
    expect(table.cells[uk]![0]).toMatchObject({ nab: 0, na: 0, nb: 4, c: 0, rowpct: null, colpct: 0 });
    const long = longRows('H2', table).find((row) => row.row === 'attribute:country=UK' && row.column === 'forms.protest');
    expect(long).toMatchObject({ n_a: 0, c: 0, rowpct: null, colpct: 0 });
    const flipped = withProject(await seedAnalysisProject(handCountedProject()), (project) => cooccur(project, { rows: 'forms.protest', columns: 'attribute:country' }));
    expect(flipped.tables[0]!.table.cells[0]!.map((cell) => cell.colpct)).toEqual([0.6, 0.5, null, 0]);
  });
});

describe('--unit case', () => {
  const uncased = (): SeedProject => ({
    documents: [{ slug: 'a', segments: [{ text: 'One.', codings: [{ code: 'forms.protest', coder: 'anna' }] }, { text: 'Two.' }] }],
  });

  it('says no document is linked to a case, and how to link one, instead of "nothing is coded yet"', async () => {
    withProject(await seedAnalysisProject(uncased()), (project) => {
      for (const run of [() => codeFrequencies(project, { unit: 'case' }), () => cooccur(project, { hypothesis: 'H1', unit: 'case' })]) {
        expect(errorText(run)).toBe(
          '--unit case: no document is linked to a case — Link a document to its case by importing its file again with the case (its codings are kept): qcode import FILE --case ID, or many at once: qcode import FILES... --manifest manifest.csv',
        );
      }
      // Other units still count the codings.
      expect(codeFrequencies(project, { unit: 'document' }).rows[0]).toMatchObject({ code: 'forms.protest', n: 1 });
    });
  });

  it('says none of the coded documents is linked when only uncoded ones are, and counts zeros when nothing is coded', async () => {
    const spec = uncased();
    withProject(await seedAnalysisProject({ cases: [{ id: 'P1' }], documents: [...spec.documents, { slug: 'b', case: 'P1', segments: [{ text: 'Three.' }] }] }), (project) => {
      expect(errorText(() => codeFrequencies(project, { unit: 'case', coder: 'anna' }))).toMatch(/^--unit case: none of the documents coded by anna is linked to a case — Link a document/);
      expect(errorText(() => codeFrequencies(project, { unit: 'case' }))).toMatch(/^--unit case: none of the documents coded is linked to a case/);
    });
    withProject(await seedAnalysisProject({ cases: [{ id: 'P1' }], documents: [{ slug: 'b', case: 'P1', segments: [{ text: 'Three.' }] }] }), (nothing) => {
      const report = codeFrequencies(nothing, { unit: 'case' });
      expect(report.unitCount).toBe(1);
      expect(report.rows.map((row) => [row.n, row.codings])).toEqual(Array(5).fill([0, 0]));
    });
  });

  it('counts only the codings in documents linked to a case', async () => {
    const report = withProject(await seedAnalysisProject(handCountedProject()), (project) => codeFrequencies(project, { unit: 'case' }));
    // forms.media: d1 and d2 (cased), d4 (no case) left out.
    expect(report.rows.map((row) => [row.code, row.n, row.codings])).toEqual([
      ['forms.protest', 3, 4],
      ['forms.letters', 3, 3],
      ['forms.media', 2, 2],
      ['effect.mobilising', 2, 2],
      ['effect.inhibiting', 1, 1],
    ]);
    const boris = withProject(await seedAnalysisProject(handCountedProject()), (project) => codeFrequencies(project, { unit: 'case', coder: 'boris' }));
    expect(boris.rows.find((row) => row.code === 'forms.media')).toMatchObject({ n: 1, codings: 1 });
    const segments = withProject(await seedAnalysisProject(handCountedProject()), (project) => codeFrequencies(project, { unit: 'segment', by: 'attribute:country' }));
    expect(segments.rows.find((row) => row.code === 'forms.media')?.codings).toBe(3);
  });
});
