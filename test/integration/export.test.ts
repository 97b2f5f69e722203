import { parse } from 'csv-parse/sync';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { codeFrequencies } from '../../src/app/analysis.js';
import { applyProjectCodebook } from '../../src/app/codebook.js';
import { exportAll, moveIntoPlace, type ExportOptions } from '../../src/app/export.js';
import { closeProject, initProject, openProject } from '../../src/app/project.js';
import { isPortableName } from '../../src/core/names.js';
import { handCountedProject, seedAnalysisProject, TINY_CODEBOOK } from '../analysis-seed.js';
import { tempDir } from '../helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await seedAnalysisProject(handCountedProject());
});

function runExport(options: Partial<ExportOptions> & { out: string }): ReturnType<typeof exportAll> {
  const project = openProject({ project: dir });
  try {
    return exportAll(project, options);
  } finally {
    closeProject(project);
  }
}

/** Writes the project's codebook.yaml and applies it, as `qcode codebook apply` does. */
function applyCodebook(yaml: string): void {
  const project = openProject({ project: dir });
  try {
    writeFileSync(project.codebookPath, yaml);
    expect(applyProjectCodebook(project, undefined, false).applied).toBe(true);
  } finally {
    closeProject(project);
  }
}

function readCsv(path: string): Array<Record<string, string>> {
  return parse(readFileSync(path, 'utf8'), { columns: true, bom: true }) as Array<Record<string, string>>;
}

function header(path: string): string[] {
  return (parse(readFileSync(path, 'utf8'), { to_line: 1, bom: true }) as string[][])[0]!;
}

describe('export all', () => {
  it('writes every file, with one row per coding, segment, document, case, code and cell', () => {
    const out = join(tempDir(), 'exports');
    const report = runExport({ out });
    expect(report.files.map((file) => [file.file, file.rows])).toEqual([
      ['codings.csv', 13], ['segments.csv', 8], ['documents.csv', 4], ['cases.csv', 3], ['codebook.csv', 5],
      ['cooccur_H1.csv', 6], ['cooccur_H2.csv', 12], ['qcode.sps', null], ['qcode.R', null],
    ]);
    expect(readdirSync(out).sort()).toEqual(report.files.map((file) => file.file).sort());
    for (const file of report.files) {
      if (file.rows !== null) expect(readCsv(join(out, file.file))).toHaveLength(file.rows);
      expect(statSync(join(out, file.file)).mode & 0o777).toBe(0o600);
    }
    expect(readdirSync(dirname(out))).toEqual(['exports']);
  });

  it('names columns so that SPSS and R take them as they are', () => {
    const out = join(tempDir(), 'exports');
    runExport({ out });
    for (const file of readdirSync(out).filter((name) => name.endsWith('.csv'))) {
      const names = header(join(out, file));
      for (const name of names) expect(isPortableName(name), `${file}: ${name}`).toBe(true);
      expect(new Set(names.map((name) => name.toLowerCase())).size, file).toBe(names.length);
    }
    expect(header(join(out, 'segments.csv'))).toEqual([
      'doc_id', 'case_id', 'segment', 'speaker', 'start', 'end', 't_start', 't_end', 'country', 'year',
      'forms_protest', 'forms_letters', 'forms_media', 'effect_mobilising', 'effect_inhibiting', 'text',
    ]);
  });

  it('writes 0/1 code columns that sum to the stats, and segment text with line breaks as spaces', () => {
    const out = join(tempDir(), 'exports');
    runExport({ out });
    const segments = readCsv(join(out, 'segments.csv'));
    const project = openProject({ project: dir });
    const stats = codeFrequencies(project, {});
    closeProject(project);
    for (const row of stats.rows) {
      const column = row.code.replace('.', '_');
      expect(segments.reduce((sum, segment) => sum + Number(segment[column]), 0), column).toBe(row.n);
    }
    expect(segments[2]).toMatchObject({ doc_id: 'd1', case_id: 'P1', segment: '3', country: 'DE', year: '2022', forms_media: '1', text: 'We wrote, "loudly", to the press.' });
    expect(segments[7]).toMatchObject({ doc_id: 'd4', case_id: '', country: '', year: '', text: '-5 degrees; @home we read news.' });
    expect(readFileSync(join(out, 'segments.csv'), 'utf8').startsWith('doc_id,')).toBe(true);
  });

  it('writes one coding per row with its span, code, coder and the segment text', () => {
    const out = join(tempDir(), 'exports');
    runExport({ out });
    const codings = readCsv(join(out, 'codings.csv'));
    expect(codings.find((row) => row.doc_id === 'd2' && row.code_id === 'forms.letters')).toEqual({
      doc_id: 'd2', case_id: 'P2', segment: '1', speaker: 'R', start: '5', end: '9', whole: '0', code_id: 'forms.letters',
      dimension: 'forms', label: 'Open letters, petitions', coder: 'anna', created_at: '2025-01-02T03:04:05.000Z', text: 'Rally, then =SUM(1) a letter.',
    });
    expect(codings.filter((row) => row.coder === 'boris').map((row) => `${row.doc_id}#${row.segment} ${row.code_id} ${row.start}-${row.end} ${row.whole}`)).toEqual([
      'd1#2 forms.protest 37-52 1', 'd2#2 effect.inhibiting 30-60 1', 'd2#2 forms.media 30-60 1',
    ]);
  });

  it('writes per-document and per-case counts, the codebook and each hypothesis in long form', () => {
    const out = join(tempDir(), 'exports');
    runExport({ out, language: 'ru' });
    expect(readCsv(join(out, 'documents.csv')).map((row) => [row.doc_id, row.segments, row.country, row.forms_protest, row.forms_media])).toEqual([
      ['d1', '3', 'DE', '2', '1'], ['d2', '2', 'LT', '1', '1'], ['d3', '2', 'DE', '1', '0'], ['d4', '1', '', '0', '1'],
    ]);
    expect(readCsv(join(out, 'cases.csv')).map((row) => [row.case_id, row.documents, row.segments, row.forms_protest, row.forms_letters])).toEqual([
      ['P1', '1', '3', '2', '1'], ['P2', '1', '2', '1', '1'], ['P3', '1', '2', '1', '1'],
    ]);
    expect(readCsv(join(out, 'codebook.csv'))[0]).toMatchObject({ code_id: 'forms.protest', variable: 'forms_protest', label: 'Protest', label_ru: 'Протест', codings: '4', segments: '4' });
    expect(readCsv(join(out, 'cooccur_H2.csv'))[0]).toEqual({
      hypothesis: 'H2', row: 'attribute:country=DE', row_label: 'Germany', column: 'forms.protest', column_label: 'Протест',
      n_ab: '3', n_a: '5', n_b: '4', c: '0.5', rowpct: '60', colpct: '75',
    });
  });

  it('with --excel, adds a BOM and guards text cells that would start a formula, never numbers', () => {
    const out = join(tempDir(), 'exports');
    runExport({ out, excel: true });
    const raw = readFileSync(join(out, 'segments.csv'), 'utf8');
    expect(raw.startsWith('\uFEFFdoc_id,')).toBe(true);
    const segments = readCsv(join(out, 'segments.csv'));
    expect(segments[7]!.text).toBe("'-5 degrees; @home we read news.");
    expect(segments[3]!.text).toBe('Rally, then =SUM(1) a letter.');
    expect(segments.every((row) => /^\d+$/.test(row.start!))).toBe(true);
    expect(readCsv(join(out, 'codings.csv')).find((row) => row.doc_id === 'd4')!.text).toBe("'-5 degrees; @home we read news.");
  });

  it('ends every record with CRLF (RFC 4180), with no other line break in any file', () => {
    const out = join(tempDir(), 'exports');
    const report = runExport({ out });
    for (const file of report.files.filter((item) => item.rows !== null)) {
      const raw = readFileSync(join(out, file.file), 'utf8');
      const records = raw.split('\r\n');
      expect(records.pop(), file.file).toBe('');
      expect(records, file.file).toHaveLength(file.rows! + 1);
      for (const record of records) expect(record, file.file).not.toMatch(/[\r\n]/);
    }
  });

  it('names hypothesis files and datasets uniquely without regard to case, within 64 bytes', async () => {
    const long = `H_${'x'.repeat(70)}`;
    const codebook = TINY_CODEBOOK.replace(/hypotheses:[\s\S]*$/, [
      'hypotheses:',
      ...['H1', 'h1', long].flatMap((id) => [`  ${id}:`, '    title: T', '    rows: [effect]', '    columns: [forms]']),
      '',
    ].join('\n'));
    dir = await seedAnalysisProject({ ...handCountedProject(), codebook });
    const out = join(tempDir(), 'exports');
    const files = runExport({ out }).files.map((file) => file.file).filter((file) => file.startsWith('cooccur_'));
    expect(files).toEqual(['cooccur_H1.csv', 'cooccur_h1_2.csv', `cooccur_H_${'x'.repeat(54)}.csv`]);
    const syntax = readFileSync(join(out, 'qcode.sps'), 'utf8');
    expect(syntax).toContain('DATASET NAME cooccur_h1_2.');
    expect(readFileSync(join(out, 'qcode.R'), 'utf8')).toContain(`cooccur[["${long}"]] <- qcode_read("cooccur_H_${'x'.repeat(54)}.csv"`);
  });

  it('uses the unit asked for the co-occurrence files', () => {
    const out = join(tempDir(), 'exports');
    runExport({ out, unit: 'document' });
    const cell = readCsv(join(out, 'cooccur_H1.csv')).find((row) => row.row === 'effect.mobilising' && row.column === 'forms.protest');
    expect(cell).toMatchObject({ n_ab: '2', n_a: '2', n_b: '3' });
  });
});

describe('export all types and names columns from what the project holds', () => {
  it('types a whole-number attribute integer only within R\'s 32-bit range, else numeric', async () => {
    const spec = handCountedProject();
    const rColumns = async (years: string[]): Promise<string> => {
      dir = await seedAnalysisProject({ ...spec, cases: spec.cases!.map((item, i) => ({ id: item.id, values: { country: 'DE', year: years[i]! } })) });
      const out = join(tempDir(), 'exports');
      runExport({ out });
      expect(readCsv(join(out, 'cases.csv')).map((row) => row.year)).toEqual(years);
      return readFileSync(join(out, 'qcode.R'), 'utf8');
    };
    expect(await rColumns(['2147483647', '-2147483647', '0'])).toContain('year = "integer"');
    expect(await rColumns(['2147483648', '1', '0'])).toContain('year = "numeric"');
    expect(await rColumns(['-2147483648', '1', '0'])).toContain('year = "numeric"');
    expect(await rColumns(['1e+21', '1', '0'])).toContain('year = "numeric"');
  });

  it('adds the category values the data holds but the codebook no longer lists, after the codebook\'s', () => {
    applyCodebook(TINY_CODEBOOK.replace('values: [DE, LT, UK]', 'values: [DE, UK]').replace('LT: Lithuania, ', ''));
    const out = join(tempDir(), 'exports');
    runExport({ out });
    expect(readCsv(join(out, 'cases.csv')).map((row) => row.country)).toEqual(['DE', 'LT', 'DE']);
    const r = readFileSync(join(out, 'qcode.R'), 'utf8');
    expect(r).toContain('segments$country <- factor(segments$country, levels = c("DE", "UK", "LT"), labels = c("Germany", "United Kingdom\'s", "LT"))');
    expect(readFileSync(join(out, 'qcode.sps'), 'utf8')).toContain("country\n    'DE' 'Germany'\n    'UK' 'United Kingdom''s'\n    'LT' 'LT'");
  });

  it('keeps a column name on its code when another code is retired or left out (names follow creation order)', async () => {
    // all.x_y and all_x.y both make all_x_y: the code created first keeps it in every export.
    const clash = TINY_CODEBOOK.replace('dimensions:\n', [
      'dimensions:', '  - id: all', '    label: All', '    codes:', '      - id: x_y', '        label: XY',
      '  - id: all_x', '    label: All X', '    codes:', '      - id: y', '        label: Y', '',
    ].join('\n'));
    const spec = handCountedProject();
    spec.documents[0]!.segments[0]!.codings!.push({ code: 'all.x_y', coder: 'boris' }, { code: 'all_x.y', coder: 'anna' });
    dir = await seedAnalysisProject({ ...spec, codebook: clash });
    const variables = (options: Partial<ExportOptions> = {}): Record<string, string> => {
      const out = join(tempDir(), 'exports');
      runExport({ out, ...options });
      return Object.fromEntries(readCsv(join(out, 'codebook.csv')).filter((row) => row.code_id!.startsWith('all')).map((row) => [row.code_id, row.variable]));
    };
    expect(variables()).toEqual({ 'all.x_y': 'all_x_y', 'all_x.y': 'all_x_y_2' });
    applyCodebook(clash.replace('      - id: x_y\n        label: XY', '      - id: z\n        label: Z'));
    expect(variables()).toEqual({ 'all.z': 'all_z', 'all_x.y': 'all_x_y_2', 'all.x_y': 'all_x_y' });
    // anna never applied the retired code: her export leaves its column out, and its name unused.
    expect(variables({ coder: 'anna' })).toEqual({ 'all.z': 'all_z', 'all_x.y': 'all_x_y_2' });
  });
});

describe('export all refuses', () => {
  it('a folder that is not empty, leaving it as it was; --force replaces only the export files', () => {
    const out = tempDir();
    writeFileSync(join(out, 'notes.txt'), 'mine');
    writeFileSync(join(out, 'codings.csv'), 'old');
    expect(() => runExport({ out })).toThrow(/is not empty/);
    expect(readdirSync(out).sort()).toEqual(['codings.csv', 'notes.txt']);
    expect(readdirSync(dirname(out)).filter((name) => name.includes('qcode-export'))).toEqual([]);
    runExport({ out, force: true });
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
    expect(readCsv(join(out, 'codings.csv'))).toHaveLength(13);
  });

  it.each([
    ['replace-empty', [], 2],
    ['merge', ['codings.csv', 'notes.txt'], 3],
    ['merge', ['codings.csv', 'segments.csv', 'qcode.R'], 4],
  ] as const)('leaves a folder as it was when a move fails (%s, existing %j, failing move %i)', (mode, existing, failAt) => {
    const temp = tempDir();
    const target = tempDir();
    for (const file of ['codings.csv', 'segments.csv', 'qcode.R']) writeFileSync(join(temp, file), `new ${file}`);
    for (const file of existing) writeFileSync(join(target, file), `old ${file}`);
    let moves = 0;
    const failing = (from: string, to: string): void => {
      if (++moves === failAt) throw Object.assign(new Error('no space left'), { code: 'ENOSPC' });
      renameSync(from, to);
    };
    expect(() => moveIntoPlace(temp, target, mode, failing)).toThrow(/no space left/);
    expect(readdirSync(target).sort()).toEqual([...existing].sort());
    for (const file of existing) expect(readFileSync(join(target, file), 'utf8')).toBe(`old ${file}`);
  });

  it('writes into an empty folder that exists, keeping the folder itself (it may be the working folder)', () => {
    const out = tempDir();
    const before = statSync(out).ino;
    runExport({ out });
    expect(existsSync(join(out, 'qcode.sps'))).toBe(true);
    expect(statSync(out).ino).toBe(before);
    expect(readdirSync(dirname(out)).filter((name) => name.includes('qcode-export'))).toEqual([]);
  });

  it('a target that is a file, or a folder it cannot create', () => {
    const base = tempDir();
    writeFileSync(join(base, 'file'), '');
    expect(() => runExport({ out: join(base, 'file') })).toThrow(/exists and is not a folder/);
    expect(() => runExport({ out: join(base, 'file', 'exports') })).toThrow(/cannot write the export to .*file/);
    expect(readdirSync(base)).toEqual(['file']);
  });

  it('an unknown coder or unit before writing anything', () => {
    const out = join(tempDir(), 'exports');
    expect(() => runExport({ out, coder: 'nobody' })).toThrow(/unknown coder "nobody"/);
    expect(() => runExport({ out, unit: 'page' })).toThrow(/unknown unit "page"/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dirname(out))).toEqual([]);
  });

  it('an empty project', async () => {
    const empty = join(tempDir(), 'empty');
    await initProject({ dir: empty });
    const project = openProject({ project: empty });
    try {
      const out = join(tempDir(), 'exports');
      mkdirSync(dirname(out), { recursive: true });
      expect(() => exportAll(project, { out })).toThrow(/has no documents yet/);
      expect(existsSync(out)).toBe(false);
    } finally {
      closeProject(project);
    }
  });
});
