import { beforeEach, describe, expect, it } from 'vitest';
import { codeFrequencies, cooccur, hypothesisTables, retrieve, search, type CooccurReport } from '../../src/app/analysis.js';
import { closeProject, openProject, type Project } from '../../src/app/project.js';
import { handCountedProject, seedAnalysisProject, TINY_CODEBOOK } from '../analysis-seed.js';
import { errorText } from '../helpers.js';
import { withProject as withProjectIn } from '../seed.js';

// Hand counts for handCountedProject() (see test/analysis-seed.ts): 8 segments; protest in 4, letters
// in 3, media in 3, mobilising in 2, inhibiting in 1. Germany's cases hold 5 segments, Lithuania's 2.

let dir: string;
// A fresh project per test: test/helpers.ts removes temporary folders after each one.
beforeEach(async () => {
  dir = await seedAnalysisProject(handCountedProject());
});

function withProject<T>(fn: (project: Project) => T): T {
  return withProjectIn(dir, fn);
}

function cells(report: CooccurReport, table = 0): Record<string, number[]> {
  const { rows, columns, cells: grid } = report.tables[table]!.table;
  const result: Record<string, number[]> = {};
  rows.forEach((row, r) => columns.forEach((column, k) => {
    const cell = grid[r]![k]!;
    result[`${row.id} × ${column.id}`] = [cell.nab, cell.na, cell.nb];
  }));
  return result;
}

describe('cooccur', () => {
  it('counts H1 (effect × forms) over segments as counted by hand', () => {
    const report = withProject((project) => cooccur(project, { hypothesis: 'H1' }));
    expect(report.tables.map((table) => table.id)).toEqual(['H1']);
    expect(cells(report)).toEqual({
      'effect.mobilising × forms.protest': [2, 2, 4],
      'effect.mobilising × forms.letters': [1, 2, 3],
      'effect.mobilising × forms.media': [0, 2, 3],
      'effect.inhibiting × forms.protest': [0, 1, 4],
      'effect.inhibiting × forms.letters': [0, 1, 3],
      'effect.inhibiting × forms.media': [1, 1, 3],
    });
    const { table } = report.tables[0]!;
    expect(table.unitCount).toBe(8);
    expect(table.cells[0]![0]!.c).toBe(0.5);
    expect(table.cells[1]![2]!.c).toBeCloseTo(1 / 3, 12);
  });

  it('crosses host country with forms (H2): units of cases with the value', () => {
    const report = withProject((project) => cooccur(project, { hypothesis: 'h2' }));
    expect(cells(report)).toEqual({
      'attribute:country=DE × forms.protest': [3, 5, 4],
      'attribute:country=DE × forms.letters': [2, 5, 3],
      'attribute:country=DE × forms.media': [1, 5, 3],
      'attribute:country=LT × forms.protest': [1, 2, 4],
      'attribute:country=LT × forms.letters': [1, 2, 3],
      'attribute:country=LT × forms.media': [1, 2, 3],
      'attribute:country=UK × forms.protest': [0, 0, 4],
      'attribute:country=UK × forms.letters': [0, 0, 3],
      'attribute:country=UK × forms.media': [0, 0, 3],
      'attribute:country= × forms.protest': [0, 1, 4],
      'attribute:country= × forms.letters': [0, 1, 3],
      'attribute:country= × forms.media': [1, 1, 3],
    });
    const de = report.tables[0]!.table.cells[0]![0]!;
    expect(de.rowpct).toBeCloseTo(0.6, 12);
    expect(de.colpct).toBeCloseTo(0.75, 12);
  });

  it('does not count touching spans as co-occurring within a segment, but does at the document unit', () => {
    const segments = withProject((project) => cooccur(project, { rows: 'forms.protest', columns: 'forms.letters' }));
    expect(cells(segments)).toEqual({ 'forms.protest × forms.letters': [2, 4, 3] });
    const documents = withProject((project) => cooccur(project, { rows: 'forms.protest', columns: 'forms.letters', unit: 'document' }));
    expect(cells(documents)).toEqual({ 'forms.protest × forms.letters': [3, 3, 3] });
    expect(documents.tables[0]!.table.unitCount).toBe(4);
  });

  it('counts cases (documents without a case are left out)', () => {
    const report = withProject((project) => cooccur(project, { rows: 'effect', columns: 'forms.media', unit: 'case' }));
    expect(report.tables[0]!.table.unitCount).toBe(3);
    expect(cells(report)).toEqual({ 'effect.mobilising × forms.media': [1, 2, 2], 'effect.inhibiting × forms.media': [1, 1, 2] });
  });

  it('filters to one coder or the union of several', () => {
    const boris = withProject((project) => cooccur(project, { hypothesis: 'H1', coder: 'boris' }));
    expect(cells(boris)['effect.inhibiting × forms.media']).toEqual([1, 1, 1]);
    expect(cells(boris)['effect.mobilising × forms.protest']).toEqual([0, 0, 1]);
    const both = withProject((project) => cooccur(project, { hypothesis: 'H1', coders: 'anna,boris' }));
    expect(cells(both)).toEqual(cells(withProject((project) => cooccur(project, { hypothesis: 'H1' }))));
  });

  it('gives every hypothesis in one call, labelled in Russian when asked', () => {
    const tables = withProject((project) => hypothesisTables(project.db, { language: 'ru' }));
    expect(tables.map((table) => table.id)).toEqual(['H1', 'H2']);
    expect(tables[0]!.table.columns.map((column) => column.label)).toEqual(['Протест', 'Письма', 'Media: it\'s "news"']);
    expect(tables[1]!.table.rows[0]!.groupLabel).toBe('Страна');
  });

  it('picks the hypothesis named exactly when ids differ only in case, and refuses a guess between them', async () => {
    // The schema accepts H1 and h1 side by side (docs/exports.md names their files cooccur_H1 and cooccur_h1_2).
    dir = await seedAnalysisProject({
      ...handCountedProject(),
      codebook: `${TINY_CODEBOOK}  h1:\n    title: Forms × effect\n    rows: [forms]\n    columns: [effect]\n  Hx:\n    title: X\n    rows: [forms]\n    columns: [forms]\n  hX:\n    title: x\n    rows: [effect]\n    columns: [effect]\n`,
    });
    const ids = (hypothesis: string): string[] => withProject((project) => cooccur(project, { hypothesis })).tables.map((table) => `${table.id} ${table.title}`);
    expect(ids('h1')).toEqual(['h1 Forms × effect']);
    expect(ids('H1')).toEqual(['H1 Effect of migration × forms']);
    expect(ids('h1,H1')).toEqual(['h1 Forms × effect', 'H1 Effect of migration × forms']);
    expect(ids('h2')).toEqual(['H2 Host country × forms']);
    expect(ids('Hx')).toEqual(['Hx X']);
    let error: unknown;
    try {
      withProject((project) => cooccur(project, { hypothesis: 'HX' }));
    } catch (caught) {
      error = caught;
    }
    expect((error as { exitCode?: number }).exitCode).toBe(2);
    expect(errorText(() => { throw error; })).toBe('--hypothesis HX is ambiguous: the codebook has Hx, hX — Name one exactly as written, e.g. --hypothesis Hx');
  });

  it.each([
    [{ hypothesis: 'H7' }, /unknown hypothesis "H7"/],
    [{ rows: 'effect' }, /needs both --rows and --columns/],
    [{ rows: 'efect', columns: 'forms' }, /unknown dimension or code "efect" \(did you mean "effect"\?\)/],
    [{ rows: 'attribute:land', columns: 'forms' }, /unknown attribute "land"/],
    [{ coder: 'vera' }, /unknown coder "vera"/],
    [{ unit: 'paragraph' }, /unknown unit "paragraph"/],
    [{ language: 'de' }, /no labels in "de"/],
  ])('refuses %j', (options, message) => {
    expect(errorText(() => withProject((project) => cooccur(project, options)))).toMatch(message);
  });
});

describe('stats', () => {
  it('counts segments and codings per code', () => {
    const report = withProject((project) => codeFrequencies(project, {}));
    expect(report.unitCount).toBe(8);
    expect(report.rows.map((row) => [row.code, row.n, row.codings])).toEqual([
      ['forms.protest', 4, 4],
      ['forms.letters', 3, 3],
      ['forms.media', 3, 3],
      ['effect.mobilising', 2, 2],
      ['effect.inhibiting', 1, 1],
    ]);
  });

  it('splits by an attribute, with the units per value', () => {
    const report = withProject((project) => codeFrequencies(project, { by: 'attribute:country' }));
    expect(report.by?.values).toEqual([
      { value: 'DE', label: 'Germany', units: 5 },
      { value: 'LT', label: 'Lithuania', units: 2 },
      { value: 'UK', label: "United Kingdom's", units: 0 },
      { value: null, label: '(no value)', units: 1 },
    ]);
    expect(report.rows.find((row) => row.code === 'forms.protest')?.byValue).toEqual([3, 1, 0, 0]);
    expect(report.rows.find((row) => row.code === 'forms.media')).toMatchObject({ n: 3, byValue: [1, 1, 0, 1] });
  });

  it('counts documents and cases per code, for one coder', () => {
    expect(withProject((project) => codeFrequencies(project, { unit: 'document' })).rows.map((row) => row.n)).toEqual([3, 3, 3, 2, 1]);
    expect(withProject((project) => codeFrequencies(project, { unit: 'case' })).rows.map((row) => row.n)).toEqual([3, 3, 2, 2, 1]);
    expect(withProject((project) => codeFrequencies(project, { coder: 'boris' })).rows.map((row) => row.n)).toEqual([1, 0, 1, 0, 1]);
  });

  it('refuses --by without attribute:', () => {
    expect(errorText(() => withProject((project) => codeFrequencies(project, { by: 'country' })))).toMatch(/--by takes attribute:NAME.*write --by attribute:country/);
  });
});

describe('retrieve', () => {
  it('finds the passages of a code with document, case, speaker, position and codings', () => {
    const report = withProject((project) => retrieve(project, { codes: ['forms.protest'] }));
    expect(report.passages.map((passage) => `${passage.document}#${passage.segment}`)).toEqual(['d1#1', 'd1#2', 'd2#1', 'd3#1']);
    expect(report.passages[2]).toMatchObject({
      document: 'd2', case: 'P2', speaker: 'R', start: 0, end: 29, text: 'Rally, then =SUM(1) a letter.',
      codings: [{ code: 'forms.protest', coder: 'anna', start: 0, end: 5 }],
    });
    expect(report.passages[1]!.codings).toEqual([{ code: 'forms.protest', coder: 'boris', start: null, end: null }]);
  });

  it('combines --and, --or, --not, --where and --speaker', () => {
    const passages = (options: Parameters<typeof retrieve>[1]): string[] =>
      withProject((project) => retrieve(project, options)).passages.map((passage) => `${passage.document}#${passage.segment}`);
    expect(passages({ codes: ['forms.protest'], and: ['forms.letters'] })).toEqual(['d1#2', 'd2#1', 'd3#1']);
    expect(passages({ codes: ['forms.protest'], not: ['effect.mobilising'] })).toEqual(['d1#2', 'd2#1']);
    expect(passages({ codes: ['forms.media'], or: ['effect.inhibiting'], where: ['country=LT'] })).toEqual(['d2#2']);
    expect(passages({ codes: ['forms.protest'], speaker: 'I' })).toEqual(['d1#2']);
    expect(passages({ codes: ['forms.protest'], coder: 'boris' })).toEqual(['d1#2']);
    expect(passages({ codes: ['forms.protest'], where: ['country=UK'] })).toEqual([]);
  });

  it('shows the codings of --and codes too', () => {
    const report = withProject((project) => retrieve(project, { codes: ['forms.protest'], and: ['forms.letters'] }));
    expect(report.passages[0]!.codings.map((coding) => `${coding.code}/${coding.coder}`)).toEqual(['forms.letters/anna', 'forms.protest/boris']);
  });

  it.each([
    [{ codes: ['forms.protst'] }, /--code: unknown code "forms.protst" \(did you mean "forms.protest"\?\)/],
    [{ codes: ['forms'] }, /"forms" is a dimension/],
    [{ codes: ['forms.protest'], where: ['country=FR'] }, /no value "FR" of attribute country/],
    [{ codes: ['forms.protest'], where: ['land=DE'] }, /unknown attribute "land"/],
    [{ codes: ['forms.protest'], where: ['country'] }, /--where takes ATTRIBUTE=VALUE/],
    [{ codes: ['forms.protest'], speaker: 'Q' }, /no segment has the speaker "Q"/],
  ])('refuses %j', (options, message) => {
    expect(errorText(() => withProject((project) => retrieve(project, options)))).toMatch(message);
  });
});

describe('search', () => {
  it('finds words in context, best first, with the matches located in the snippet', () => {
    const report = withProject((project) => search(project, { query: 'letter*' }));
    expect(report.total).toBe(2);
    expect(report.results.map((result) => `${result.document}#${result.segment}`).sort()).toEqual(['d1#2', 'd2#1']);
    for (const result of report.results) {
      expect(result.matches.length).toBeGreaterThan(0);
      for (const [start, end] of result.matches) expect([...result.snippet].slice(start, end).join('').toLowerCase()).toMatch(/^letter/);
    }
  });

  it('finds Russian words case-insensitively, phrases and boolean queries', () => {
    expect(withProject((project) => search(project, { query: 'БОЮСЬ' })).results.map((result) => result.document)).toEqual(['d2']);
    expect(withProject((project) => search(project, { query: '"the press"' })).total).toBe(1);
    expect(withProject((project) => search(project, { query: 'protest NOT petition' })).total).toBe(0);
    expect(withProject((project) => search(project, { query: 'embassy OR petition' })).total).toBe(2);
  });

  it('ranks by bm25, best first: of two segments with the word once, the shorter', () => {
    const report = withProject((project) => search(project, { query: 'letter*' }));
    expect(report.results.map((result) => `${result.document}#${result.segment}`)).toEqual(['d1#2', 'd2#1']);
    expect(report.results[0]!.score).toBeGreaterThan(report.results[1]!.score);
  });

  it('gives match positions in code points, as coding spans count them, past emoji and other astral characters', async () => {
    dir = await seedAnalysisProject({ documents: [{ slug: 'e1', segments: [{ text: '😀 We signed a petition, 𝔸 another petition.' }] }] });
    const [result] = withProject((project) => search(project, { query: 'petition' })).results;
    expect(result!.snippet).toBe('😀 We signed a petition, 𝔸 another petition.');
    expect(result!.matches).toEqual([[14, 22], [34, 42]]);
    for (const [start, end] of result!.matches) expect([...result!.snippet].slice(start, end).join('')).toBe('petition');
  });

  it('honours --limit', () => {
    expect(withProject((project) => search(project, { query: 'we', limit: 1 })).results).toHaveLength(1);
  });

  it.each(['"unclosed', 'anti-war', 'AND'])('refuses the malformed query %j in one clear line', (query) => {
    expect(errorText(() => withProject((project) => search(project, { query })))).toMatch(/^cannot read the search query .*: .+ — .*"anti-war"/);
  });
});

describe('terminal tables', () => {
  it('prints every hypothesis for the demo in one call', async () => {
    const { printHypothesisTables } = await import('../../src/cli/render/cooccur.js');
    const written: string[] = [];
    const project = openProject({ project: dir });
    try {
      await printHypothesisTables(project, { language: 'ru', width: 80, write: (text) => written.push(text) });
    } finally {
      closeProject(project);
    }
    const text = written.join('\n');
    expect(text).toContain('H1  Effect of migration × forms');
    expect(text).toContain('H2  Host country × forms');
    expect(text).toContain('Протест');
    expect(text).toMatch(/Germany +5 +0\.500\*/);
  });

  it('splits wide tables into blocks that fit the width, and cuts long labels', async () => {
    const { renderHypothesisTable } = await import('../../src/cli/render/cooccur.js');
    const { Chalk } = await import('chalk');
    const report = withProject((project) => cooccur(project, { rows: 'effect,attribute:country', columns: 'forms,effect' }));
    const text = renderHypothesisTable(report.tables[0]!, { measure: 'count', unit: 'segment', coders: 'all', width: 44, color: new Chalk({ level: 0 }) });
    const stringWidth = (await import('string-width')).default;
    for (const line of text.split('\n').slice(1)) expect(stringWidth(line), line).toBeLessThanOrEqual(44);
    expect(text).toContain('Forms …');
    expect(text).toContain('Effect of migration');
    expect(text).toMatch(/Host country\n {2}Germany/);
  });
});
