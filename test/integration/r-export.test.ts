import { spawnSync } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { driftedExport } from '../export-codebook-drift.js';
import { available, bundledProject, exportWithExpectations, handCountedExport, type ExportedProject } from '../export-clients.js';
import { tempDir } from '../helpers.js';

// Runs the generated qcode.R with Rscript (from another folder, as a user might), then asks R what it
// read: row counts, the sum of every code column, the crosstab of H2's attribute with its first column,
// factor levels and labels, against qcode's own numbers.

const hasR = available('Rscript', ['--version'], 'R');

/**
 * Runs R code after source()-ing qcode.R; the code prints "key<TAB>value" lines, returned as a map.
 * Values are printed as UTF-8 whatever the locale, so that Cyrillic can be compared under LANG=C too.
 */
function runR(out: string, code: string, locale = 'C.UTF-8'): Map<string, string> {
  const script = join(tempDir('qcode-r-'), 'check.R');
  writeFileSync(script, [
    `source(${JSON.stringify(join(out, 'qcode.R'))})`,
    'emit <- function(key, value) writeLines(paste0(key, "\\t", enc2utf8(as.character(value))), useBytes = TRUE)',
    code,
    '',
  ].join('\n'));
  const result = spawnSync('Rscript', ['--vanilla', script], { cwd: tempDir('qcode-r-cwd-'), encoding: 'utf8', env: { ...process.env, LANG: locale, LC_ALL: locale } });
  expect(result.status, result.stderr).toBe(0);
  expect(result.stderr).not.toMatch(/warning|error/i);
  return new Map(result.stdout.trim().split('\n').map((line) => line.split('\t') as [string, string]));
}

function checkAgainstQcode({ out, expected }: ExportedProject, locale?: string): Map<string, string> {
  const { attribute, column } = expected.crosstab;
  const values = runR(out, `
emit("segments", nrow(segments))
emit("codings", nrow(codings))
for (name in ${JSON.stringify(Object.keys(expected.perCode)).replace('[', 'c(').replace(/]$/, ')')}) emit(paste0("sum:", name), sum(segments[[name]]))
for (level in levels(segments$${attribute})) {
  rows <- !is.na(segments$${attribute}) & segments$${attribute} == level
  emit(paste0("units:", level), sum(rows))
  emit(paste0("coded:", level), sum(segments$${column}[rows]))
}
emit("first column", names(segments)[1])
emit("code class", class(segments$${column}))
emit("codes", nlevels(codings$code_id))
emit("label", attr(segments$${column}, "label"))
emit("documents", nrow(documents))
emit("cases", nrow(cases))
emit("hypotheses", paste(names(cooccur), collapse = ","))
`, locale);
  expect(Number(values.get('segments'))).toBe(expected.segments);
  expect(Number(values.get('codings'))).toBe(expected.codings);
  for (const [code, n] of Object.entries(expected.perCode)) expect(Number(values.get(`sum:${code}`)), code).toBe(n);
  for (const [value, label] of Object.entries(expected.crosstab.labels)) {
    expect(Number(values.get(`units:${label}`)), value).toBe(expected.crosstab.units[value]);
    expect(Number(values.get(`coded:${label}`)), value).toBe(expected.crosstab.cells[value]);
  }
  expect(values.get('first column')).toBe('doc_id');
  expect(values.get('code class')).toBe('integer');
  return values;
}

describe.skipIf(!hasR)('qcode.R in R', () => {
  it('reads the hand-counted project with the numbers qcode computes, text and labels exactly', async () => {
    const exported = await handCountedExport();
    const values = checkAgainstQcode(exported);
    expect(values.get('label')).toBe('forms.protest: Protest');
    expect(values.get('codes')).toBe('5');
    expect(values.get('hypotheses')).toBe('H1,H2');
    // The counts of test/analysis-seed.ts, by hand: protest in 4 segments, Germany's cases hold 5
    // segments (3 with protest), Lithuania's 2 (1 with protest).
    expect([values.get('sum:forms_protest'), values.get('units:Germany'), values.get('coded:Germany'), values.get('units:Lithuania'), values.get('coded:Lithuania')])
      .toEqual(['4', '5', '3', '2', '1']);
    const more = runR(exported.out, `
emit("text", segments$text[3])
emit("levels", paste(levels(segments$country), collapse = "|"))
emit("year", paste(segments$year, collapse = ","))
emit("media label", attr(segments$forms_media, "label"))
emit("c", cooccur[["H1"]]$c[1])
`);
    expect(more.get('text')).toBe('We wrote, "loudly", to the press.');
    expect(more.get('levels')).toBe("Germany|Lithuania|United Kingdom's");
    expect(more.get('year')).toBe('2022,2022,2022,2014,2014,NA,NA,NA');
    expect(more.get('media label')).toBe('forms.media: Media: it\'s "news"');
    expect(more.get('c')).toBe('0.5');
  });

  it('reads a project with the bundled codebook and Russian labels', async () => {
    const values = checkAgainstQcode(exportWithExpectations(await bundledProject(), { language: 'ru' }));
    expect(values.get('label')).toBe('strategies.continuing: Продолжение деятельности, начатой в России');
    expect(values.get('documents')).toBe('6');
  });

  it('reads every row and letter under a non-UTF-8 locale (LANG=C), with and without --excel', async () => {
    const project = await bundledProject();
    for (const excel of [false, true]) {
      const exported = exportWithExpectations(project, { language: 'ru', excel });
      const values = checkAgainstQcode(exported, 'C');
      expect(values.get('label')).toBe('strategies.continuing: Продолжение деятельности, начатой в России');
      const text = runR(exported.out, 'emit("text", segments$text[1])\nemit("speaker", segments$speaker[1])\nemit("nchar", nchar(segments$text[1]))', 'C');
      expect(text.get('text')).toBe('Мы вышли на пикет у посольства. 0');
      expect(text.get('speaker')).toBe('Интервьюер');
      expect(text.get('nchar')).toBe('33');
    }
  });

  it('finds its folder when run by Rscript from elsewhere, from inside it, or source()d, on a path with a space', async () => {
    // Rscript hands R the path with every space as ~+~.
    const out = join(tempDir('qcode-r-'), 'my exports');
    cpSync((await handCountedExport()).out, out, { recursive: true });
    for (const [cwd, file] of [[tempDir('qcode-r-cwd-'), join(out, 'qcode.R')], [out, 'qcode.R']] as const) {
      const result = spawnSync('Rscript', ['--vanilla', file], { cwd, encoding: 'utf8', env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' } });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stderr).toBe('');
    }
    expect(runR(out, 'emit("segments", nrow(segments))').get('segments')).toBe('8');
  });

  it('reads whole numbers beyond 32 bits, and category values the codebook no longer lists', async () => {
    const values = runR(await driftedExport(), `
emit("year class", class(cases$year))
emit("years", paste(sprintf("%.0f", cases$year), collapse = ","))
emit("levels", paste(levels(segments$country), collapse = "|"))
emit("country", paste(as.character(cases$country), collapse = ","))
emit("NA", sum(is.na(segments$country)))
`);
    expect(values.get('year class')).toBe('numeric');
    expect(values.get('years')).toBe('3000000000,1000000000000000000000,-12');
    expect(values.get('levels')).toBe("Germany|United Kingdom's|LT");
    expect(values.get('country')).toBe('Germany,LT,Germany');
    // Only d4's segment, which belongs to no case.
    expect(values.get('NA')).toBe('1');
  });

  it('reads an --excel export: the BOM is stripped, guarded cells keep their apostrophe', async () => {
    const exported = exportWithExpectations(await bundledProject(), { excel: true });
    checkAgainstQcode(exported);
    const values = runR(exported.out, 'emit("guarded", sum(startsWith(segments$text, "\'=")))');
    expect(Number(values.get('guarded'))).toBeGreaterThan(0);
  });
});
