import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportAll } from '../../src/app/export.js';
import { closeProject, openProject } from '../../src/app/project.js';
import { seedAnalysisProject, TINY_CODEBOOK } from '../analysis-seed.js';
import { ROOT, tempDir } from '../helpers.js';

// codebook.csv carries the dimensions' labels in every language, as it does the codes'; qcode.sps,
// qcode.R and docs/exports.md say where the 0/1 code columns and cooccur_*.csv part ways, and why
// cases.csv has more cases than qcode stats --unit case counts.

function readCsv(path: string): Array<Record<string, string>> {
  return parse(readFileSync(path, 'utf8'), { columns: true }) as Array<Record<string, string>>;
}

/** protest [0,5) and letters [10,15) in one segment: present together, but not overlapping. A case P9 has no document. */
async function exported(language?: string): Promise<string> {
  const dir = await seedAnalysisProject({
    codebook: `${TINY_CODEBOOK}  H3:\n    title: Forms × forms\n    rows: [forms]\n    columns: [forms]\n`,
    cases: [{ id: 'P1', values: { country: 'DE' } }, { id: 'P9', values: { country: 'LT' } }],
    documents: [{
      slug: 'd1',
      case: 'P1',
      segments: [{ text: 'first part and then the second', codings: [{ code: 'forms.protest', coder: 'a', span: [0, 5] }, { code: 'forms.letters', coder: 'a', span: [10, 15] }] }],
    }],
  });
  const project = openProject({ project: dir });
  try {
    const out = join(tempDir('qcode-export-'), 'exports');
    exportAll(project, { out, language });
    return out;
  } finally {
    closeProject(project);
  }
}

describe('export all: codebook languages and the notes on counting', () => {
  it('writes every language of the dimension labels to codebook.csv, like the code labels', async () => {
    for (const language of [undefined, 'ru']) {
      const rows = readCsv(join(await exported(language), 'codebook.csv'));
      const protest = rows.find((row) => row.code_id === 'forms.protest')!;
      expect(protest).toMatchObject({ dimension_label: 'Forms', dimension_label_ru: 'Формы', label: 'Protest', label_ru: 'Протест' });
      // A dimension without a Russian label has an empty cell, as a code without one does.
      expect(rows.find((row) => row.code_id === 'effect.mobilising')).toMatchObject({ dimension_label: 'Effect of migration', dimension_label_ru: '', label_ru: '' });
    }
    const syntax = readFileSync(join(await exported('ru'), 'qcode.sps'), 'utf8');
    expect(syntax).toContain("/dimension_label 'Dimension label (en)'");
    expect(syntax).toContain("/dimension_label_ru 'Dimension label (ru)'");
  });

  it('says in qcode.sps, qcode.R and docs/exports.md that the 0/1 columns ignore the overlap rule of cooccur_*.csv', async () => {
    const out = await exported();
    // The difference the notes explain: both codes are 1 in the segment, yet they do not co-occur.
    const [segment] = readCsv(join(out, 'segments.csv'));
    expect([segment!.forms_protest, segment!.forms_letters]).toEqual(['1', '1']);
    expect(readCsv(join(out, 'codings.csv')).map((row) => [row.code_id, row.start, row.end, row.whole]).sort()).toEqual([
      ['forms.letters', '10', '15', '0'], ['forms.protest', '0', '5', '0'],
    ]);
    const cell = readCsv(join(out, 'cooccur_H3.csv')).find((row) => row.row === 'forms.protest' && row.column === 'forms.letters')!;
    expect([cell.n_ab, cell.n_a, cell.n_b]).toEqual(['0', '1', '1']);

    const flat = (text: string): string => text.replace(/\n[*#] ?/g, ' ').replace(/\s+/g, ' ');
    const sps = flat(readFileSync(join(out, 'qcode.sps'), 'utf8'));
    const r = flat(readFileSync(join(out, 'qcode.R'), 'utf8'));
    const docs = flat(readFileSync(join(ROOT, 'docs', 'exports.md'), 'utf8'));
    for (const text of [sps, r]) {
      expect(text).toContain('mark a code found anywhere in the segment');
      expect(text).toContain('only when the spans overlap');
      expect(text).toContain('agree when codings cover whole segments');
      expect(text).toMatch(/The spans are in codings(\.csv)? \(start, end; whole = 1/);
    }
    expect(docs).toContain('**The 0/1 code columns and `cooccur_*.csv` can differ.**');
    expect(docs).toContain('use the spans in `codings.csv` (`start`, `end`;');
  });

  it('says that cases.csv holds cases with no document, which --unit case leaves out, and how to filter them', async () => {
    const out = await exported();
    expect(readCsv(join(out, 'cases.csv')).map((row) => [row.case_id, row.documents, row.forms_protest])).toEqual([['P1', '1', '1'], ['P9', '0', '0']]);
    const flat = (text: string): string => text.replace(/\n[*#] ?/g, ' ').replace(/\s+/g, ' ');
    expect(flat(readFileSync(join(out, 'qcode.sps'), 'utf8'))).toContain('cooccur --unit case leave out: SELECT IF documents > 0.');
    expect(flat(readFileSync(join(out, 'qcode.R'), 'utf8'))).toContain('cooccur --unit case leave out: subset(cases, documents > 0)');
    const docs = flat(readFileSync(join(ROOT, 'docs', 'exports.md'), 'utf8'));
    expect(docs).toContain('`cases.csv` lists every case, also a case with no document yet');
    expect(docs).toContain('`subset(cases, documents > 0)` in R');
  });
});
