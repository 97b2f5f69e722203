import { parse } from 'csv-parse/sync';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { handCountedProject, seedAnalysisProject } from '../analysis-seed.js';
import { newProject, runQcode, tempDir } from '../helpers.js';

// The analysis commands as a user runs them: the built binary on the hand-counted project of
// test/analysis-seed.ts, without colours (runQcode sets NO_COLOR).

let dir: string;
beforeEach(async () => {
  dir = await seedAnalysisProject(handCountedProject());
});

const qcode = (...args: string[]) => runQcode(['--project', dir, ...args]);

describe('qcode cooccur', () => {
  it('prints each hypothesis as a labelled table with totals and the strongest cells starred', () => {
    const result = qcode('cooccur', '--hypothesis', 'all');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('H1  Effect of migration × forms');
    expect(result.stdout).toContain('segments (N = 8)');
    expect(result.stdout).toMatch(/ {2}Mobilising +2 +0\.500\* +0\.250 +·/);
    expect(result.stdout).toMatch(/ {2}Germany +5 +0\.500\* +0\.333 +0\.143/);
    expect(result.stdout).toMatch(/ {2}n +4 +3 +3/);
    expect(result.stdout).toContain('* the strongest cells by c');
    expect(result.stdout).not.toContain('\u001b[');
  });

  it('labels in Russian and shows row percentages', () => {
    const result = qcode('cooccur', '--hypothesis', 'H1', '--lang', 'ru', '--measure', 'rowpct', '--unit', 'document');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Формы');
    expect(result.stdout).toContain('Протест');
    expect(result.stdout).toContain('documents (N = 4)');
    expect(result.stdout).toMatch(/Mobilising +2 +100\.0%\*? +100\.0%/);
  });

  it('prints the long table as CSV', () => {
    const result = qcode('cooccur', '--hypothesis', 'H1', '--long');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe([
      'hypothesis,row,row_label,column,column_label,n_ab,n_a,n_b,c,rowpct,colpct',
      'H1,effect.mobilising,Mobilising,forms.protest,Protest,2,2,4,0.5,100,50',
      'H1,effect.mobilising,Mobilising,forms.letters,"Open letters, petitions",1,2,3,0.25,50,33.3333',
      'H1,effect.mobilising,Mobilising,forms.media,"Media: it\'s ""news""",0,2,3,0,0,0',
      'H1,effect.inhibiting,Inhibiting,forms.protest,Protest,0,1,4,0,0,0',
      'H1,effect.inhibiting,Inhibiting,forms.letters,"Open letters, petitions",0,1,3,0,0,0',
      'H1,effect.inhibiting,Inhibiting,forms.media,"Media: it\'s ""news""",1,1,3,0.333333,100,33.3333',
      '',
    ].join('\n'));
  });

  it('prints one hypothesis as a wide CSV matrix with labels and totals', () => {
    const result = qcode('cooccur', '--hypothesis', 'H2', '--csv', '--measure', 'count');
    expect(result.code, result.stderr).toBe(0);
    expect(parse(result.stdout)).toEqual([
      ['row', 'row_label', 'n', 'Protest [forms.protest]', 'Open letters, petitions [forms.letters]', 'Media: it\'s "news" [forms.media]'],
      ['attribute:country=DE', 'Germany', '5', '3', '2', '1'],
      ['attribute:country=LT', 'Lithuania', '2', '1', '1', '1'],
      ['attribute:country=UK', "United Kingdom's", '0', '0', '0', '0'],
      ['attribute:country=', '(no value)', '1', '0', '0', '1'],
      ['n', 'segments carrying the column', '8', '4', '3', '3'],
    ]);
  });

  it('prints an ad-hoc table titled by its axes once', () => {
    const result = qcode('cooccur', '--rows', 'effect', '--columns', 'forms.protest', '--measure', 'count');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n').slice(0, 2)).toEqual(['effect × forms.protest', 'units coded with both (n_ab) · segments (N = 8) · all coders']);
    expect(result.stdout).toMatch(/ {2}Mobilising +2 +2\*/);
  });

  it('prints JSON with every cell, and takes ad-hoc rows and columns', () => {
    const result = qcode('cooccur', '--rows', 'forms.protest', '--columns', 'forms.letters,attribute:country', '--json', '--coder', 'anna');
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as { coders: string[]; tables: Array<{ cells: Array<{ row: string; column: string; n_ab: number }> }> };
    expect(json.coders).toEqual(['anna']);
    expect(json.tables[0]!.cells.map((cell) => `${cell.column}:${cell.n_ab}`)).toEqual([
      'forms.letters:1', 'attribute:country=DE:2', 'attribute:country=LT:1', 'attribute:country=UK:0', 'attribute:country=:0',
    ]);
  });

  it.each([
    [['--hypothesis', 'H9'], 1, 'Error: unknown hypothesis "H9"'],
    [['--csv'], 2, 'Error: --csv prints one table as a wide matrix'],
    [['--measure', 'jaccard'], 2, "error: option '--measure <measure>' argument 'jaccard' is invalid"],
    [['--rows', 'forms'], 2, 'Error: an ad-hoc table needs both --rows and --columns'],
  ])('refuses %j with one clear line (exit %i)', (args, code, message) => {
    const result = qcode('cooccur', ...args);
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
  });

  it.each([
    [['cooccur']],
    [['stats']],
    [['retrieve', '--code', 'forms.protest']],
    [['search', 'protest']],
    [['export', 'all', '--out', 'exports']],
  ])('refuses an empty project: %j', (args) => {
    const empty = newProject();
    const cwd = tempDir();
    const result = runQcode(['--project', empty, ...args], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^Error: the project has no documents yet — Import some first/);
    expect(result.stdout).toBe('');
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('qcode stats', () => {
  it('prints codes with counts by attribute value, and the units per value', () => {
    const result = qcode('stats', '--by', 'attribute:country');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Host country: DE Germany · LT Lithuania');
    expect(result.stdout).toMatch(/forms\.protest +Protest +4 +50\.0% +4 +3 +1 +0/);
    expect(result.stdout).toMatch(/\(segments\) +8 +5 +2 +0/);
  });

  it('prints CSV and JSON', () => {
    expect(qcode('stats', '--csv', '--unit', 'case').stdout).toBe([
      'code,label,n,percent,codings',
      'forms.protest,Protest,3,100,4',
      'forms.letters,"Open letters, petitions",3,100,3',
      'forms.media,"Media: it\'s ""news""",2,66.6667,2',
      'effect.mobilising,Mobilising,2,66.6667,2',
      'effect.inhibiting,Inhibiting,1,33.3333,1',
      '',
    ].join('\n'));
    const json = JSON.parse(qcode('stats', '--json', '--coder', 'boris').stdout) as { rows: Array<{ code: string; n: number }> };
    expect(json.rows.map((row) => row.n)).toEqual([1, 0, 1, 0, 1]);
  });

  it('refuses an unknown attribute', () => {
    const result = qcode('stats', '--by', 'attribute:contry');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Error: unknown attribute "contry" (did you mean "country"?)');
  });
});

describe('qcode retrieve', () => {
  it('prints passages with where they are, who coded them, spans in [brackets] and whole segments marked', () => {
    const result = qcode('retrieve', '--code', 'forms.protest', '--where', 'country=LT');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('d2 · P2 · ¶1 · R · 0–29  forms.protest (anna)\n  [Rally], then =SUM(1) a letter.\n');
    const whole = qcode('retrieve', '--code', 'forms.media', '--speaker', 'R', '--not', 'effect.inhibiting');
    expect(whole.stdout).toBe('d1 · P1 · ¶3 · R · 53–86  forms.media (anna)\n▌ We wrote, "loudly",\n▌ to the press.\n\nd4 · (no case) · ¶1 · R · 0–31  forms.media (anna)\n▌ -5 degrees; @home we read news.\n');
  });

  it('prints Markdown to paste into a paper', () => {
    const result = qcode('retrieve', '--code', 'forms.protest', '--and', 'forms.letters', '--md');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('# Passages coded `forms.protest` (Protest), `forms.letters` (Open letters, petitions)');
    // Touching spans of the two codes merge into one bold quote.
    expect(result.stdout).toContain('**d2**, ¶1 (case P2, R, 0–29) — forms.letters (anna); forms.protest (anna)\n\n> **Rally, th**en =SUM(1) a letter.\n');
  });

  it('prints CSV and JSON', () => {
    const csv = parse(qcode('retrieve', '--code', 'forms.letters', '--csv').stdout, { columns: true }) as Array<Record<string, string>>;
    expect(csv.map((row) => [row.document, row.segment, row.quotes])).toEqual([['d1', '2', ''], ['d2', '1', ', th'], ['d3', '1', '']]);
    const json = JSON.parse(qcode('retrieve', '--code', 'forms.letters', '--json').stdout) as Array<{ document: string; codings: Array<{ start: number | null }> }>;
    expect(json[1]).toMatchObject({ document: 'd2', codings: [{ code: 'forms.letters', coder: 'anna', start: 5, end: 9 }] });
  });

  it('says so when nothing matches, and refuses unknown codes', () => {
    expect(qcode('retrieve', '--code', 'forms.protest', '--where', 'country=UK').stdout).toBe('No passages match.\n');
    const result = qcode('retrieve', '--code', 'forms.protst');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Error: --code: unknown code "forms.protst" (did you mean "forms.protest"?)');
  });
});

describe('qcode search', () => {
  it('prints keyword in context with the matches in [brackets]', () => {
    const result = qcode('search', 'letter*');
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.every((line) => line.includes('[letter]'))).toBe(true);
    // The first match sits in the same column on every line.
    expect(new Set(lines.map((line) => line.indexOf('[letter]'))).size).toBe(1);
    expect(result.stderr).toContain('2 matching segments');
  });

  it('prints JSON and honours --limit', () => {
    const json = JSON.parse(qcode('search', 'we', '--limit', '2', '--json').stdout) as { total: number; results: unknown[] };
    expect(json.total).toBe(3);
    expect(json.results).toHaveLength(2);
  });

  it('refuses a malformed query in one line', () => {
    const result = qcode('search', '"unclosed');
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^Error: cannot read the search query "\\"unclosed": unterminated string/);
  });
});

describe('output flags', () => {
  it.each([
    [['stats', '--json', '--csv']],
    [['search', 'letter', '--csv', '--json']],
    [['agreement', '--coders', 'anna,boris', '--json', '--csv']],
    [['disagreements', '--coders', 'anna,boris', '--json', '--csv']],
    [['retrieve', '--code', 'forms.protest', '--json', '--csv']],
    [['cooccur', '--hypothesis', 'H1', '--json', '--csv']],
  ])('refuses two output formats at once: %j', (args) => {
    const result = qcode(...args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^Error: choose one of --(md|long|csv), --(csv|json)/);
  });
});

describe('--excel with --csv (CSV injection)', () => {
  beforeEach(async () => {
    dir = await seedAnalysisProject({
      cases: [{ id: 'P1', values: { country: 'DE' } }],
      documents: [{
        slug: 'x1', case: 'P1',
        segments: [
          { speaker: '@R', text: '=SUM(1) was on the poster.', codings: [{ code: 'forms.protest', coder: 'anna' }] },
          { speaker: 'R', text: '-5 degrees at the poster picket.', codings: [{ code: 'forms.protest', coder: 'anna' }, { code: 'effect.inhibiting', coder: 'anna' }] },
        ],
      }],
    });
  });

  const BOM = '\uFEFF';
  const rows = (stdout: string): Array<Record<string, string>> => parse(stdout, { columns: true, bom: true }) as Array<Record<string, string>>;

  it('retrieve guards formula cells and starts with a BOM; without --excel the text is unchanged', () => {
    const guarded = qcode('retrieve', '--code', 'forms.protest', '--csv', '--excel');
    expect(guarded.code, guarded.stderr).toBe(0);
    expect(guarded.stdout.startsWith(`${BOM}document,`)).toBe(true);
    expect(rows(guarded.stdout).map((row) => [row.speaker, row.text, row.start])).toEqual([
      ["'@R", "'=SUM(1) was on the poster.", '0'],
      ['R', "'-5 degrees at the poster picket.", '27'],
    ]);
    const plain = qcode('retrieve', '--code', 'forms.protest', '--csv');
    expect(plain.stdout.startsWith('document,')).toBe(true);
    expect(rows(plain.stdout).map((row) => row.text)).toEqual(['=SUM(1) was on the poster.', '-5 degrees at the poster picket.']);
  });

  it('search guards the snippets the same way', () => {
    const guarded = qcode('search', 'poster', '--csv', '--excel');
    expect(guarded.code, guarded.stderr).toBe(0);
    expect(guarded.stdout.startsWith(`${BOM}document,`)).toBe(true);
    expect(rows(guarded.stdout).map((row) => row.snippet).sort()).toEqual(["'-5 degrees at the poster picket.", "'=SUM(1) was on the poster."]);
    const plain = qcode('search', 'poster', '--csv');
    expect(rows(plain.stdout).map((row) => row.snippet).sort()).toEqual(['-5 degrees at the poster picket.', '=SUM(1) was on the poster.']);
  });

  it('stats and cooccur take it too, and leave numbers alone', () => {
    const stats = qcode('stats', '--csv', '--excel');
    expect(stats.code, stats.stderr).toBe(0);
    expect(stats.stdout.split('\n').slice(0, 2)).toEqual([`${BOM}code,label,n,percent,codings`, 'forms.protest,Protest,2,100,2']);
    const long = qcode('cooccur', '--hypothesis', 'H1', '--long', '--excel');
    expect(long.code, long.stderr).toBe(0);
    expect(long.stdout.startsWith(`${BOM}hypothesis,`)).toBe(true);
    const wide = qcode('cooccur', '--hypothesis', 'H1', '--csv', '--excel');
    expect(wide.code, wide.stderr).toBe(0);
    expect(wide.stdout.startsWith(`${BOM}row,`)).toBe(true);
  });

  it.each([
    [['retrieve', '--code', 'forms.protest', '--excel'], '--csv'],
    [['retrieve', '--code', 'forms.protest', '--md', '--excel'], '--csv'],
    [['search', 'poster', '--json', '--excel'], '--csv'],
    [['stats', '--excel'], '--csv'],
    [['cooccur', '--hypothesis', 'H1', '--excel'], '--csv or --long'],
  ])('refuses --excel without CSV output: %j', (args, fix) => {
    const result = qcode(...args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([`Error: --excel only applies to CSV output: use it with ${fix}`]);
  });
});

describe('qcode search past astral characters', () => {
  beforeEach(async () => {
    dir = await seedAnalysisProject({ documents: [{ slug: 'e1', segments: [{ text: '😀 We signed a petition, 𝔸 another petition.' }] }] });
  });

  it('highlights and quotes the matches, not the characters beside them', () => {
    const text = qcode('search', 'petition');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('We signed a [petition], 𝔸 another [petition].');
    const csv = qcode('search', 'petition', '--csv');
    expect(csv.code, csv.stderr).toBe(0);
    expect(parse(csv.stdout, { columns: true })).toMatchObject([{ matches: 'petition;petition' }]);
    const json = JSON.parse(qcode('search', 'petition', '--json').stdout) as { results: Array<{ matches: number[][] }> };
    expect(json.results[0]!.matches).toEqual([[14, 22], [34, 42]]);
  });
});

describe('qcode export all', () => {
  it('writes the files, then refuses to overwrite them unless --force', () => {
    const out = join(tempDir(), 'exports');
    const first = qcode('export', 'all', '--out', out);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('codings.csv             13 rows');
    expect(readdirSync(out).sort()).toEqual(['cases.csv', 'codebook.csv', 'codings.csv', 'cooccur_H1.csv', 'cooccur_H2.csv', 'documents.csv', 'qcode.R', 'qcode.sps', 'segments.csv']);
    const again = qcode('export', 'all', '--out', out);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^Error: .*exports is not empty — Name a new folder, or add --force/);
    writeFileSync(join(out, 'mine.txt'), 'keep');
    const forced = qcode('export', 'all', '--out', out, '--force', '--json');
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ dir: out });
    expect(existsSync(join(out, 'mine.txt'))).toBe(true);
  });

  it('refuses an output path it cannot write', () => {
    const base = tempDir();
    writeFileSync(join(base, 'plain-file'), '');
    const result = qcode('export', 'all', '--out', join(base, 'plain-file', 'exports'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: cannot write the export to /);
    expect(readdirSync(base)).toEqual(['plain-file']);
  });
});

describe('qcode export all after an export that was killed', () => {
  it('removes the hidden temporary folder the killed run left beside the target, and says so', () => {
    const cwd = tempDir();
    // What a run killed with kill -9 leaves: its folder, named after a process that no longer runs.
    const leftover = join(cwd, '.exports.qcode-export-999999999-Xk3p9Q');
    mkdirSync(leftover);
    writeFileSync(join(leftover, 'segments.csv'), 'text of a participant');
    const result = runQcode(['--project', dir, 'export', 'all', '--out', 'exports'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`Removed ${leftover}: a temporary folder left by an export that was stopped before it finished`);
    expect(readdirSync(cwd)).toEqual(['exports']);
    expect(existsSync(join(cwd, 'exports', 'segments.csv'))).toBe(true);
  });
});
