import type { Command } from 'commander';
import { Option } from '../commander.js';
import type { Measure, Unit } from '../../core/cooccurrence.js';
import { usageError } from '../../core/errors.js';
import { globals, withProject } from '../context.js';
import { EXCEL_HELP, note, out, requireCsvForExcel, wholeNumber, writeChunked, writeJson, writeRows, type Column } from '../output.js';

// Spelled out rather than imported: every command module loads at start-up, the counting code only when used.
export const UNIT_CHOICES: readonly Unit[] = ['segment', 'document', 'case'];
const MEASURE_CHOICES: readonly Measure[] = ['count', 'c', 'rowpct', 'colpct'];

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

const unitOption = (): Option => new Option('--unit <unit>', 'what counts as one unit').choices(UNIT_CHOICES).default('segment');
const coderOptions = (command: Command): Command =>
  command
    .option('--coder <name>', "only this coder's codings")
    .option('--coders <a,b>', "the union of these coders' codings (default: all coders; for agreement use qcode agreement)");

export function registerAnalysis(program: Command): void {
  registerRetrieve(program);
  registerSearch(program);
  registerStats(program);
  registerCooccur(program);
}

function registerRetrieve(program: Command): void {
  const command = program
    .command('retrieve')
    .description('print the passages coded with a code, with document, case, speaker and position')
    .option('--code <id>', 'a code the passage carries (repeat: any of them)', collect, [])
    .option('--and <id>', 'the passage must also carry this code (repeatable)', collect, [])
    .option('--or <id>', 'or this code (repeatable)', collect, [])
    .option('--not <id>', 'the passage must not carry this code (repeatable)', collect, [])
    .option('--where <attr=value>', "only cases with this attribute value, e.g. host_country=DE (repeatable: all must hold)", collect, [])
    .option('--speaker <name>', "only this speaker's segments")
    .option('--lang <code>', 'label language, e.g. ru')
    .option('--md', 'print Markdown (to paste into a paper)')
    .option('--csv', 'print CSV, one row per passage')
    .option('--excel', EXCEL_HELP)
    .option('--json', 'print JSON, one object per passage with its codings');
  coderOptions(command).addHelpText('after', `
A passage is a segment that carries (any --code or --or) and every --and and no --not code, by the
selected coders. Spans coded inside it are highlighted; a coding of the whole segment is marked by a
bar in the margin. Positions are code points [start, end) into the document.

Examples:
  $ qcode retrieve --code forms.protest
  $ qcode retrieve --code forms.protest --and policy_areas.anti_war --where host_country=LT
  $ qcode retrieve --code remittances.political --not remittances.reverse --coder anna --md > quotes.md
  $ qcode retrieve --code networks.value_based --speaker Respondent --json
  $ qcode retrieve --code forms.protest --csv --excel > protest.csv`);
  command.action(async (options: {
    code: string[]; and: string[]; or: string[]; not: string[]; where: string[]; speaker?: string; lang?: string;
    md?: boolean; csv?: boolean; excel?: boolean; json?: boolean; coder?: string; coders?: string;
  }, cmd: Command) => {
    if ([options.md, options.csv, options.json].filter(Boolean).length > 1) throw usageError('choose one of --md, --csv, --json');
    requireCsvForExcel(options.excel, options.csv === true);
    const { retrieve, streamPassages, checkLanguage } = await import('../../app/analysis.js');
    await withProject(cmd, async (project) => {
      const retrieveOptions = { codes: options.code, and: options.and, or: options.or, not: options.not, where: options.where, speaker: options.speaker, coder: options.coder, coders: options.coders };
      if (options.json) return writeJson(retrieve(project, retrieveOptions).passages);
      if (options.csv) return writeRows(retrieve(project, retrieveOptions).passages.map(passageRow), PASSAGE_COLUMNS, { csv: true, excel: options.excel });
      const { loadProjectCodebook } = await import('../../store/codebook.js');
      const { labelIn } = await import('../../core/codebook-model.js');
      const codebook = loadProjectCodebook(project.db);
      const language = checkLanguage(codebook, options.lang);
      const labels = new Map(codebook.codes.map((code) => [code.id, labelIn(code, language)]));
      const { renderPassages, renderPassagesMarkdown } = await import('../render/passages.js');
      if (options.md) return out(renderPassagesMarkdown(retrieve(project, retrieveOptions), labels));
      const { palette, terminalWidth } = await import('../render/style.js');
      const color = palette();
      // Printed as they are read, so that tens of thousands of passages never sit in memory at once.
      const stream = streamPassages(project, retrieveOptions);
      let count = 0;
      const counted = (function* () {
        for (const passage of stream.passages) {
          count++;
          yield passage;
        }
      })();
      // Wrapped for reading at a terminal; piped to a file or grep, one line per line of text.
      writeChunked(renderPassages(counted, color, process.stdout.isTTY ? terminalWidth() : undefined));
      if (count === 0) return out('No passages match.');
      if (!globals(cmd).quiet) note(color.dim(`\n${count} passage${count === 1 ? '' : 's'} · ${stream.codes.map((code) => `${code} ${labels.get(code) ?? ''}`.trim()).join(' · ')}`));
    });
  });
}

interface PassageRow {
  document: string; case: string | null; segment: number; speaker: string | null; start: number; end: number;
  t_start: number | null; codes: string; coders: string; quotes: string; text: string;
}

const PASSAGE_COLUMNS: Column<PassageRow>[] = [
  { key: 'document', header: 'document' }, { key: 'case', header: 'case' }, { key: 'segment', header: 'segment' },
  { key: 'speaker', header: 'speaker' }, { key: 'start', header: 'start' }, { key: 'end', header: 'end' },
  { key: 't_start', header: 't_start' }, { key: 'codes', header: 'codes' }, { key: 'coders', header: 'coders' },
  { key: 'quotes', header: 'quotes' }, { key: 'text', header: 'text' },
];

function passageRow(passage: import('../../app/analysis.js').Passage): PassageRow {
  const chars = [...passage.text];
  const quotes = passage.codings
    .filter((coding) => coding.start !== null && coding.end !== null)
    .map((coding) => chars.slice(coding.start! - passage.start, coding.end! - passage.start).join(''));
  return {
    document: passage.document, case: passage.case, segment: passage.segment, speaker: passage.speaker, start: passage.start,
    end: passage.end, t_start: passage.tStart, codes: [...new Set(passage.codings.map((coding) => coding.code))].join(';'),
    coders: [...new Set(passage.codings.map((coding) => coding.coder))].join(';'), quotes: [...new Set(quotes)].join(' … '), text: passage.text,
  };
}

function registerSearch(program: Command): void {
  program
    .command('search')
    .description('keyword in context over all segments (SQLite FTS5; Russian and English), best matches first')
    .argument('<query...>', 'words (all must occur), "a phrase", word* (prefix), AND / OR / NOT, NEAR(a b, 5)')
    .option('--limit <n>', 'show at most n matching segments', wholeNumber('--limit takes', 1), 20)
    // The search clamps the context to 4..64 words; a number outside that is refused, not silently changed.
    .option('--words <n>', 'words of context around the matches (4 to 64)', (value: string) => {
      if (!/^\d+$/.test(value) || Number(value) < 4 || Number(value) > 64) throw usageError(`--words must be a whole number from 4 to 64, not "${value}"`);
      return Number(value);
    }, 24)
    .option('--json', 'print JSON: {query, total, results: [...]}, matches as [start, end) in the snippet (code points)')
    .option('--csv', 'print CSV, one row per matching segment (matches: the matched words, separated by ;)')
    .option('--excel', EXCEL_HELP)
    .addHelpText('after', `
Matching ignores case and accents on Latin letters, and reads ё as е (еще finds ещё).
Quote a word that holds - or :, e.g. '"anti-war"'.

Examples:
  $ qcode search embassy
  $ qcode search 'протест*' --limit 50
  $ qcode search '"open letter" OR petition*'
  $ qcode search 'NEAR(letters prisoners, 5)' --json
  $ qcode search embassy --limit 200 --csv --excel > embassy.csv`)
    .action(async (words: string[], options: { limit: number; words: number; json?: boolean; csv?: boolean; excel?: boolean }, cmd: Command) => {
      if (options.json && options.csv) throw usageError('choose one of --csv, --json');
      requireCsvForExcel(options.excel, options.csv === true);
      const { search } = await import('../../app/analysis.js');
      await withProject(cmd, async (project) => {
        const report = search(project, { query: words.join(' '), limit: options.limit, contextWords: options.words });
        if (options.json) return writeJson(report);
        if (options.csv) {
          return writeRows(report.results.map((hit) => {
            const chars = [...hit.snippet];
            return { ...hit, matches: hit.matches.map(([start, end]) => chars.slice(start, end).join('')).join(';') };
          }), [
            { key: 'document', header: 'document' }, { key: 'case', header: 'case' }, { key: 'segment', header: 'segment' },
            { key: 'speaker', header: 'speaker' }, { key: 'start', header: 'start' }, { key: 'end', header: 'end' },
            { key: 'score', header: 'score' }, { key: 'matches', header: 'matches' }, { key: 'snippet', header: 'snippet' },
          ], { csv: true, excel: options.excel });
        }
        if (report.results.length === 0) return out(`No segment matches ${report.query}.`);
        const { renderKwic } = await import('../render/kwic.js');
        const { palette, terminalWidth } = await import('../render/style.js');
        const color = palette();
        out(renderKwic(report, color, terminalWidth()));
        const more = report.total > report.results.length ? ` (the best ${report.results.length}; --limit shows more)` : '';
        if (!globals(cmd).quiet) note(color.dim(`\n${report.total} matching segment${report.total === 1 ? '' : 's'}${more}`));
      });
    });
}

function registerStats(program: Command): void {
  const command = program
    .command('stats')
    .description('per code, how many units carry it, overall and by a case attribute')
    .option('--by <attribute:NAME>', 'split the counts by the values of a case attribute')
    .addOption(unitOption())
    .option('--lang <code>', 'label language, e.g. ru')
    .option('--json', 'print JSON')
    .option('--csv', 'print CSV')
    .option('--excel', EXCEL_HELP);
  coderOptions(command).addHelpText('after', `
n counts units (segments, documents or cases) carrying the code by the selected coders; codings counts
the codings themselves. With --by, one column per attribute value; the last row gives the units per value.

Examples:
  $ qcode stats
  $ qcode stats --by attribute:host_country --unit case
  $ qcode stats --coder anna --csv > anna.csv
  $ qcode stats --by attribute:host_country --csv --excel > by-country.csv`);
  command.action(async (options: { by?: string; unit: string; lang?: string; json?: boolean; csv?: boolean; excel?: boolean; coder?: string; coders?: string }, cmd: Command) => {
    if (options.json && options.csv) throw usageError('choose one of --csv, --json');
    requireCsvForExcel(options.excel, options.csv === true);
    const { codeFrequencies } = await import('../../app/analysis.js');
    await withProject(cmd, async (project) => {
      const report = codeFrequencies(project, { by: options.by, unit: options.unit, language: options.lang, coder: options.coder, coders: options.coders });
      if (options.json) return writeJson(report);
      const { statsTable } = await import('../render/stats.js');
      const { palette } = await import('../render/style.js');
      const { rows, columns, legend } = statsTable(report, !options.csv);
      if (!options.csv && legend) out(palette().dim(legend));
      writeRows(rows, columns, { csv: options.csv ?? false, excel: options.excel });
      if (!options.csv && !globals(cmd).quiet) note(palette().dim(`\n${report.unitCount} ${report.unit}s · coders: ${report.coders === 'all' ? 'all' : report.coders.join(', ')}`));
      // Every code with a coding has a row (a retired one too), and --unit case refuses codings only in documents without a case: no codings in any row is none at all.
      if (!options.csv && !globals(cmd).quiet && report.rows.every((row) => row.codings === 0)) note(nothingCodedYet(report.coders));
    });
  });
}

function registerCooccur(program: Command): void {
  const command = program
    .command('cooccur')
    .description('co-occurrence tables: per hypothesis of the codebook, or ad hoc --rows × --columns')
    .option('--hypothesis <id>', 'H1, H2, … or all (default: all)')
    .option('--rows <axes>', 'ad hoc rows: dimensions, codes and attribute:NAME, comma-separated')
    .option('--columns <axes>', 'ad hoc columns, as --rows')
    .addOption(unitOption())
    .addOption(new Option('--measure <measure>', 'what the cells show').choices(MEASURE_CHOICES).default('c'))
    .option('--lang <code>', 'label language, e.g. ru')
    .option('--long', 'print a long CSV table: one row per cell (hypothesis, row, row_label, column, column_label, n_ab, n_a, n_b, c, rowpct, colpct)')
    .option('--csv', 'print the table as a wide CSV matrix with labels (one hypothesis)')
    .option('--excel', "with --csv or --long, for spreadsheets: a UTF-8 BOM, and a leading ' on text cells starting with = + - @ tab or CR (as qcode export --excel)")
    .option('--json', 'print JSON');
  coderOptions(command).addHelpText('after', `
n_ab counts units carrying both the row and the column; within a segment, two span codings co-occur
only if their spans overlap ([start, end), touching spans do not). c = n_ab / (n_a + n_b − n_ab).
A row attribute:NAME gives one row per value: units of cases with that value (a crosstab).

Examples:
  $ qcode cooccur --hypothesis all
  $ qcode cooccur --hypothesis H2 --unit case --measure rowpct --lang ru
  $ qcode cooccur --rows networks --columns remittances --coder anna
  $ qcode cooccur --hypothesis all --long > cooccur.csv
  $ qcode cooccur --hypothesis H1 --csv --excel > h1.csv`);
  command.action(async (options: {
    hypothesis?: string; rows?: string; columns?: string; unit: string; measure: Measure; lang?: string; long?: boolean; csv?: boolean; excel?: boolean;
    json?: boolean; coder?: string; coders?: string;
  }, cmd: Command) => {
    if ([options.long, options.csv, options.json].filter(Boolean).length > 1) throw usageError('choose one of --long, --csv, --json');
    requireCsvForExcel(options.excel, options.csv === true || options.long === true, '--csv or --long');
    const { cooccur } = await import('../../app/analysis.js');
    await withProject(cmd, async (project) => {
      const report = cooccur(project, {
        hypothesis: options.hypothesis, rows: options.rows, columns: options.columns, unit: options.unit, language: options.lang,
        coder: options.coder, coders: options.coders,
      });
      const tables = await import('../render/cooccur-data.js');
      if (options.json) return writeJson(tables.cooccurJson(report));
      if (options.long) return writeRows(tables.allLongRows(report.tables), tables.LONG_COLUMNS, { csv: true, excel: options.excel });
      if (options.csv) {
        if (report.tables.length > 1) {
          throw usageError('--csv prints one table as a wide matrix; name one with --hypothesis H1', 'For all hypotheses use --long or --json, or: qcode export all --out DIR');
        }
        const wide = tables.wideMatrix(report.tables[0]!, options.measure);
        return writeRows(wide.rows, wide.columns, { csv: true, excel: options.excel });
      }
      const { renderHypothesisTable } = await import('../render/cooccur.js');
      const { palette, terminalWidth } = await import('../render/style.js');
      const render = { measure: options.measure, unit: report.unit, coders: report.coders, width: terminalWidth(), color: palette() };
      out(report.tables.map((table) => renderHypothesisTable(table, render)).join('\n\n'));
      if (!report.coded && !globals(cmd).quiet) note(`\n${nothingCodedYet(report.coders)}`);
    });
  });
}

/** Zeros are the true answer before the first coding (and scripts rely on it), but a person may think qcode is broken. */
function nothingCodedYet(coders: string[] | 'all'): string {
  return `Nothing is coded yet${coders === 'all' ? '' : ` (by ${coders.join(', ')})`}: every count is 0. Code segments with qcode code or qcode tag.`;
}
