import { parse } from 'csv-parse/sync';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportAll } from '../../src/app/export.js';
import { closeProject, openProject } from '../../src/app/project.js';
import { numberDisplay } from '../../src/io/export/spss.js';
import { seedAnalysisProject, TINY_CODEBOOK } from '../analysis-seed.js';
import { available } from '../export-clients.js';
import { tempDir } from '../helpers.js';

// An empty text cell must be missing in SPSS as it is NA in R (the same valid N in both), and number
// attributes must be displayed as written, not with four decimals whatever the values.

const hasPspp = available('pspp', ['--version'], 'GNU PSPP');
const hasR = available('Rscript', ['--version'], 'R');
const UTF8 = { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };

const CODEBOOK = TINY_CODEBOOK.replace(
  `  year:
    type: number
    label: Year of emigration
`,
  `  year:
    type: number
    label: Year of emigration
  city:
    type: text
    label: City
  interviewed:
    type: date
    label: Interview date
  share:
    type: number
    label: Share
  big:
    type: number
    label: Big number
`,
);

/** Cases with values missing here and there, and a document without a case. */
async function gappyExport(): Promise<string> {
  const dir = await seedAnalysisProject({
    codebook: CODEBOOK,
    cases: [
      { id: 'P1', values: { country: 'DE', year: '2022', city: 'Berlin', interviewed: '2024-03-01', share: '0.25', big: '3000000000' } },
      { id: 'P2', values: { year: '1990.5', share: '-0.0000001', big: '1e21' } },
      { id: 'P3', values: { country: 'LT', city: 'Vilnius' } },
    ],
    documents: [
      { slug: 'd1', case: 'P1', segments: [{ text: 'one', codings: [{ code: 'forms.protest', coder: 'anna' }] }, { text: 'two' }] },
      { slug: 'd2', case: 'P2', segments: [{ text: 'three' }] },
      { slug: 'd3', case: 'P3', segments: [{ text: 'four' }, { text: 'five' }, { text: 'six' }] },
      { slug: 'd4', segments: [{ text: 'seven' }] },
    ],
  });
  const project = openProject({ project: dir });
  try {
    const out = join(tempDir('qcode-export-'), 'exports');
    exportAll(project, { out });
    return out;
  } finally {
    closeProject(project);
  }
}

function pspp(dir: string, file: string): string {
  const result = spawnSync('pspp', ['-b', '-o', `${file}.txt`, file], { cwd: dir, encoding: 'utf8', env: UTF8 });
  const output = readFileSync(join(dir, `${file}.txt`), 'utf8');
  expect(result.status, output).toBe(0);
  expect(output).not.toMatch(/error|warning/i);
  return output;
}

function readCsv(path: string): Array<Record<string, string>> {
  return parse(readFileSync(path, 'utf8'), { columns: true }) as Array<Record<string, string>>;
}

const ATTRIBUTES = ['country', 'year', 'city', 'interviewed', 'share', 'big'];
const TABLES = ['segments', 'documents', 'cases'];

describe.skipIf(!hasPspp)('qcode.sps: empty cells and number formats in GNU PSPP', () => {
  it('counts the same valid N for every attribute column as the CSV (and R): empty text is missing', async () => {
    const out = await gappyExport();
    pspp(out, 'qcode.sps');
    // N(x) counts the values that are not missing, user-missing ones included in neither.
    writeFileSync(join(out, 'valid.sps'), TABLES.flatMap((table) => [
      `GET FILE='${table}.sav'.`,
      'COMPUTE one = 1.',
      `AGGREGATE OUTFILE=* /BREAK=one ${ATTRIBUTES.map((name) => `/${name}=N(${name})`).join(' ')}.`,
      `SAVE TRANSLATE /OUTFILE='valid-${table}.csv' /TYPE=CSV /FIELDNAMES /REPLACE.`,
    ]).join('\n') + '\n');
    pspp(out, 'valid.sps');

    const expected: Record<string, Record<string, number>> = {};
    for (const table of TABLES) {
      const rows = readCsv(join(out, `${table}.csv`));
      expected[table] = Object.fromEntries(ATTRIBUTES.map((name) => [name, rows.filter((row) => row[name] !== '').length]));
      const [valid] = readCsv(join(out, `valid-${table}.csv`));
      expect(Object.fromEntries(ATTRIBUTES.map((name) => [name, Number(valid![name])])), table).toEqual(expected[table]);
    }
    // By hand: segments of P1 (2) and P3 (3) have a country, d2's and d4's do not.
    expect(expected.segments!.country).toBe(5);
    expect(expected.segments!.city).toBe(5);
    expect(expected.segments!.interviewed).toBe(2);

    if (!hasR) return;
    const script = [
      `source(${JSON.stringify(join(out, 'qcode.R'))})`,
      ...TABLES.flatMap((table) => ATTRIBUTES.map((name) => `cat("${table}", "${name}", sum(!is.na(${table}$${name})), "\\n")`)),
    ].join('\n');
    const result = spawnSync('Rscript', ['--vanilla', '-e', script], { encoding: 'utf8', env: UTF8 });
    expect(result.status, result.stderr).toBe(0);
    const fromR: Record<string, Record<string, number>> = {};
    for (const line of result.stdout.trim().split('\n')) {
      const [table, name, n] = line.trim().split(' ');
      (fromR[table!] ??= {})[name!] = Number(n);
    }
    expect(fromR).toEqual(expected);
  });

  it('lists number attributes with the decimals their values need, and E only where F cannot show them', async () => {
    const out = await gappyExport();
    pspp(out, 'qcode.sps');
    writeFileSync(join(out, 'list.sps'), "GET FILE='cases.sav'.\nLIST /VARIABLES=case_id year share big.\n");
    const listing = pspp(out, 'list.sps');
    const rows = listing.split('\n').filter((line) => /^\|P\d/.test(line)).map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
    expect(rows).toEqual([
      ['P1', '2022.0', '.2500000', '3.E+009'],
      ['P2', '1990.5', '-.0000001', '1.E+021'],
      ['P3', '.', '.', '.'],
    ]);
  });
});

describe('number display formats for SPSS', () => {
  it.each([
    [[2022, 1990.5], 'F6.1'],
    [[-1e-7, 0.25], 'F10.7'],
    [[3000000000], 'F10.0'],
    [[0.1 + 0.2], 'F18.16'],
    [[1e-16], 'F18.16'],
    [[1e21, 3000000000], 'E8.0'],
    [[1e-20, 1.5], 'E9.1'],
    [[-1.2345678901234567e25], 'E23.15'],
  ])('%j → %s', (values, format) => {
    const display = numberDisplay(values);
    expect(`${display.type}${display.width}.${display.decimals}`).toBe(format);
    expect(display.width).toBeLessThanOrEqual(40);
  });
});
