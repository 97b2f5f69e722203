import { parse } from 'csv-parse/sync';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { driftedExport } from '../export-codebook-drift.js';
import { available, bundledProject, exportWithExpectations, handCountedExport, type ExportedProject } from '../export-clients.js';

// Runs the generated qcode.sps in GNU PSPP, then asks PSPP what it read: row counts, the sum of every
// code column, and the crosstab of H2's attribute with its first column, against qcode's own numbers.

const hasPspp = available('pspp', ['--version'], 'GNU PSPP');
const UTF8 = { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };

function pspp(dir: string, file: string, env: NodeJS.ProcessEnv = UTF8): string {
  const result = spawnSync('pspp', ['-b', '-o', `${file}.txt`, file], { cwd: dir, encoding: 'utf8', env });
  const output = readFileSync(join(dir, `${file}.txt`), 'utf8');
  expect(result.status, output).toBe(0);
  return output;
}

function readCsv(path: string): Array<Record<string, string>> {
  return parse(readFileSync(path, 'utf8'), { columns: true }) as Array<Record<string, string>>;
}

function checkAgainstQcode({ out, expected }: ExportedProject, env: NodeJS.ProcessEnv = UTF8): void {
  const output = pspp(out, 'qcode.sps', env);
  expect(output).not.toMatch(/error|warning/i);
  const codes = Object.keys(expected.perCode);
  const { attribute, column } = expected.crosstab;
  writeFileSync(join(out, 'check.sps'), [
    "GET FILE='segments.sav'.",
    'COMPUTE one = 1.',
    `AGGREGATE OUTFILE=* /BREAK=one /n=N ${codes.map((code) => `/${code}=SUM(${code})`).join(' ')}.`,
    "SAVE TRANSLATE /OUTFILE='check-sums.csv' /TYPE=CSV /FIELDNAMES /REPLACE.",
    "GET FILE='segments.sav'.",
    `AGGREGATE OUTFILE=* /BREAK=${attribute} /n=N /coded=SUM(${column}).`,
    "SAVE TRANSLATE /OUTFILE='check-crosstab.csv' /TYPE=CSV /FIELDNAMES /REPLACE.",
    "GET FILE='codings.sav'.",
    'COMPUTE one = 1.',
    'AGGREGATE OUTFILE=* /BREAK=one /n=N.',
    "SAVE TRANSLATE /OUTFILE='check-codings.csv' /TYPE=CSV /FIELDNAMES /REPLACE.",
    '',
  ].join('\n'));
  expect(pspp(out, 'check.sps')).not.toMatch(/error|warning/i);

  const [sums] = readCsv(join(out, 'check-sums.csv'));
  expect(Number(sums!.n)).toBe(expected.segments);
  for (const code of codes) expect(Number(sums![code]), code).toBe(expected.perCode[code]);
  expect(Number(readCsv(join(out, 'check-codings.csv'))[0]!.n)).toBe(expected.codings);
  const crosstab = readCsv(join(out, 'check-crosstab.csv')).filter((row) => row[attribute] !== '');
  for (const row of crosstab) {
    expect(Number(row.coded), row[attribute]).toBe(expected.crosstab.cells[row[attribute]!]);
    expect(Number(row.n), row[attribute]).toBe(expected.crosstab.units[row[attribute]!]);
  }
  expect(crosstab.length).toBe(Object.values(expected.crosstab.units).filter((n) => n > 0).length);
}

describe.skipIf(!hasPspp)('qcode.sps in GNU PSPP', () => {
  it('reads the hand-counted project with the numbers qcode computes, and the text exactly', async () => {
    const exported = await handCountedExport();
    checkAgainstQcode(exported);
    // The counts of test/analysis-seed.ts, by hand: Germany's cases hold 5 segments (3 with protest),
    // Lithuania's 2 (1 with protest).
    expect(readCsv(join(exported.out, 'check-crosstab.csv')).filter((row) => row.country !== '').map((row) => [row.country, row.n, row.coded]))
      .toEqual([['DE', '5', '3'], ['LT', '2', '1']]);
    writeFileSync(join(exported.out, 'text.sps'), "GET FILE='segments.sav'.\nSAVE TRANSLATE /OUTFILE='check-text.csv' /TYPE=CSV /FIELDNAMES /KEEP=doc_id text /REPLACE.\n");
    pspp(exported.out, 'text.sps');
    expect(readCsv(join(exported.out, 'check-text.csv')).map((row) => row.text)).toEqual([
      'We went to the embassy with posters.', 'And the letter?', 'We wrote, "loudly", to the press.', 'Rally, then =SUM(1) a letter.',
      'Я боюсь, поэтому только медиа.', 'Protest and petition, it moved me.', 'Thank you.', '-5 degrees; @home we read news.',
    ]);
  });

  it('reads a project with the bundled codebook and Russian labels', async () => {
    checkAgainstQcode(exportWithExpectations(await bundledProject(), { language: 'ru' }));
  });

  it('reads an --excel export (BOM, guarded cells) without errors', async () => {
    const exported = exportWithExpectations(await bundledProject(), { excel: true });
    checkAgainstQcode(exported);
  });

  it('keeps Cyrillic data and labels when PSPP runs under a non-UTF-8 locale (LANG=C)', async () => {
    const exported = exportWithExpectations(await bundledProject(), { language: 'ru' });
    checkAgainstQcode(exported, { ...process.env, LANG: 'C', LC_ALL: 'C' });
    writeFileSync(join(exported.out, 'text.sps'), "GET FILE='segments.sav'.\nSAVE TRANSLATE /OUTFILE='check-text.csv' /TYPE=CSV /FIELDNAMES /KEEP=speaker text /REPLACE.\n");
    pspp(exported.out, 'text.sps');
    expect(readCsv(join(exported.out, 'check-text.csv'))[0]).toEqual({ speaker: 'Интервьюер', text: 'Мы вышли на пикет у посольства. 0' });
    writeFileSync(join(exported.out, 'labels.sps'), "GET FILE='segments.sav'.\nDISPLAY DICTIONARY /VARIABLES=forms_protest.\n");
    expect(pspp(exported.out, 'labels.sps')).toContain('forms.protest: Протест, митинг, пикет');
  });

  it('reads whole numbers beyond 32 bits exactly, and labels category values the codebook no longer lists', async () => {
    const out = await driftedExport();
    expect(pspp(out, 'qcode.sps')).not.toMatch(/error|warning/i);
    writeFileSync(join(out, 'check.sps'), [
      "GET FILE='cases.sav'.",
      "SAVE TRANSLATE /OUTFILE='check-values.csv' /TYPE=CSV /FIELDNAMES /KEEP=case_id country year /REPLACE /TEXTOPTIONS FORMAT=PLAIN.",
      "SAVE TRANSLATE /OUTFILE='check-labels.csv' /TYPE=CSV /FIELDNAMES /KEEP=case_id country /CELLS=LABELS /REPLACE.",
      '',
    ].join('\n'));
    expect(pspp(out, 'check.sps')).not.toMatch(/error|warning/i);
    expect(readCsv(join(out, 'check-values.csv'))).toEqual([
      { case_id: 'P1', country: 'DE', year: '3000000000' },
      { case_id: 'P2', country: 'LT', year: '1e+21' },
      { case_id: 'P3', country: 'DE', year: '-12' },
    ]);
    expect(readCsv(join(out, 'check-labels.csv')).map((row) => row.country)).toEqual(['Germany', 'LT', 'Germany']);
  });

  it('keeps the labels: variable, value and Cyrillic', async () => {
    const { out } = exportWithExpectations(await bundledProject(), { language: 'ru' });
    pspp(out, 'qcode.sps');
    writeFileSync(join(out, 'labels.sps'), "GET FILE='segments.sav'.\nDISPLAY DICTIONARY /VARIABLES=host_country forms_protest.\n");
    const output = pspp(out, 'labels.sps');
    expect(output).toContain('forms.protest: Протест, митинг, пикет');
    expect(output).toMatch(/Lithuania/);
    expect(output).toMatch(/not coded/);
  });
});
