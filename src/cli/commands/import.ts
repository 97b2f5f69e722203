import { palette } from '../render/style.js';
import type { Command } from 'commander';
import { Option } from '../commander.js';
import { statSync } from 'node:fs';
import { UserError, usageError } from '../../core/errors.js';
import { parseEncodingOption } from '../../core/encoding.js';
import { SEGMENT_MODES } from '../../core/segment.js';
import { plural } from '../../core/codebook-plan.js';
import type { FileResult, ImportReport } from '../../app/import.js';
import type { RemovalPlan } from '../../app/removal.js';
import { diskFullError, escapeControls } from '../errors.js';
import { globals, withProject } from '../context.js';
import { addOutputOptions, examples, note, out, writeJson, writeRows, type Column } from '../output.js';

// qcode import, qcode cases …, qcode docs …: flags in, one app call, the report out.

const FORMATS = ['txt', 'md', 'docx', 'vtt', 'srt', 'html', 'telegram', 'csv'];
const KINDS = ['interview', 'survey', 'web', 'chat'];

interface ImportFlags {
  case?: string;
  manifest?: string;
  segment?: 'turns' | 'paragraphs' | 'sentences';
  encoding: string;
  format?: 'txt' | 'md' | 'docx' | 'vtt' | 'srt' | 'html' | 'csv';
  kind?: 'interview' | 'survey' | 'web' | 'chat';
  language?: string;
  speakers?: string;
  slug?: string;
  replace?: boolean;
  readmit?: boolean;
  dryRun?: boolean;
  strict?: boolean;
  verbose?: boolean;
  json?: boolean;
  idColumn?: string;
  textColumns?: string;
  attributeColumns?: string;
  idPrefix?: string;
  sameRespondents?: boolean;
  delimiter?: string;
  manifestEncoding?: string;
}

/** A comma-separated list of columns; a name in double quotes may hold commas ("Why, and how?",q2). */
function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of value) {
    if (char === '"') quoted = !quoted;
    else if (char === ',' && !quoted) {
      items.push(current);
      current = '';
    } else current += char;
  }
  items.push(current);
  return items.map((item) => item.trim()).filter((item) => item !== '');
}

function megabytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

function describe(result: FileResult, dryRun: boolean): string {
  const verb = dryRun ? { imported: 'would import', replaced: 'would replace', unchanged: 'unchanged', failed: 'failed' }[result.status] : result.status;
  const details = [
    plural(result.segments, 'segment'),
    result.documents > 1 ? plural(result.documents, 'document') : null,
    result.encoding, result.language, result.case === null ? null : `case ${result.case}`,
    result.message,
  ].filter(Boolean).join(', ');
  return escapeControls(`${verb.padEnd(dryRun ? 13 : 9)} ${result.file} → ${result.slug} (${details})`);
}

/**
 * A failed file's message with control characters shown escaped: a file named "a<LF>b.txt" (or a CSV
 * cell with a line break) would otherwise split the line or drive the terminal. Only the breaks that
 * put each problem of a CSV on a line of its own ("\n  ") stay.
 */
function failureText(result: FileResult): string {
  const file = escapeControls(result.file);
  // The name first, whole: a line break inside it must not be taken for one of those breaks.
  const message = (result.message ?? result.file).replaceAll(result.file, file);
  return message.split('\n  ').map(escapeControls).join('\n  ');
}

/** Unchanged texts whose case, kind, language or title this run changed: the store did change. */
function updatedNote(report: ImportReport): string {
  const updated = report.files.filter((file) => file.updated).length;
  return updated === 0 ? '' : `; ${updated} ${report.dryRun ? 'would be ' : ''}relabelled: case, kind, language or title, see --verbose`;
}

/**
 * The closing line. Its counts are of what was (or would be) written, so that importing the same
 * files again plainly says nothing happened.
 */
function summary(report: ImportReport): string {
  const { totals, dryRun } = report;
  const written = report.files.filter((file) => file.status === 'imported' || file.status === 'replaced');
  const others = [
    totals.unchanged > 0 ? `${totals.unchanged} unchanged (already imported${updatedNote(report)})` : null,
    totals.failed > 0 ? `${totals.failed} failed` : null,
    totals.skipped > 0 ? `${totals.skipped} skipped` : null,
  ].filter((part): part is string => part !== null);
  if (written.length === 0) {
    return `${dryRun ? 'Dry run: nothing would be imported' : 'Nothing imported'}${others.length > 0 ? `: ${others.join(' · ')}` : ''}.`;
  }
  const verbs = [
    totals.imported > 0 ? `${dryRun ? 'would import' : 'imported'} ${plural(totals.imported, 'file')}` : null,
    totals.replaced > 0 ? `${dryRun ? 'would replace' : 'replaced'} ${plural(totals.replaced, 'file')}` : null,
  ].filter((part): part is string => part !== null);
  const head = verbs.join(' · ');
  const lead = dryRun ? `Dry run, nothing written: ${head}` : head.charAt(0).toUpperCase() + head.slice(1);
  const sum = (key: 'documents' | 'segments' | 'bytes'): number => written.reduce((total, file) => total + file[key], 0);
  return `${[lead, ...others].join(' · ')} — ${plural(sum('documents'), 'document')}, ${plural(sum('segments'), 'segment')}, ${megabytes(sum('bytes'))} MB.`;
}

function skippedNote(report: ImportReport): string | undefined {
  if (report.skipped.length === 0) return undefined;
  const reasons = new Map<string, number>();
  // "same file as X" is a reason of its own per file: without the path, the user cannot tell which one was left out.
  const aliases: string[] = [];
  for (const item of report.skipped) {
    if (item.message.startsWith('same file as ')) aliases.push(`${item.display}: ${item.message}`);
    else reasons.set(item.message, (reasons.get(item.message) ?? 0) + 1);
  }
  // The reasons are phrased for one file ("a .json file (…)"), so a count reads as a multiplier.
  const counted = [...reasons].map(([reason, count]) => (count === 1 ? reason : `${count} × ${reason}`));
  return escapeControls(`Skipped ${plural(report.skipped.length, 'file')}: ${[...counted, ...aliases].join('; ')}`);
}

/** The store failed partway: one line naming the file, what is in the store and what is not. */
function storeStopped(error: { report: ImportReport; file: string; cause?: unknown }, dbPath: string): unknown {
  const full = diskFullError(error.cause, dbPath);
  if (full === undefined) return error.cause;
  const { totals } = error.report;
  const before = totals.imported + totals.replaced + totals.unchanged;
  return new UserError(`${full.message}: ${error.file} was not imported${error.report.stopped ? ', nor the files after it' : ''}; ${plural(before, 'file')} before it ${before === 1 ? 'is' : 'are'} in the store`, {
    hint: 'Free some space on that disk, then run the same import again: the files already in the store are skipped as unchanged',
    cause: error.cause,
  });
}

interface Progress {
  plan(files: number, bytes: number): void;
  file(result: FileResult, done: { files: number; bytes: number }): void;
  stop(): void;
}

/** A bar on a terminal (files, MB, ETA); else one line per file with --verbose; failures and notes always. */
async function progressFor(flags: ImportFlags, quiet: boolean): Promise<Progress> {
  const dryRun = flags.dryRun ?? false;
  const color = palette();
  const lineFor = (result: FileResult): string | undefined => {
    if (result.status === 'failed') return `${color.red('✗')} ${failureText(result)}`;
    if (quiet) return undefined;
    // What was left out or changed on the way in (docx comments, control characters, a cue merged into
    // the previous one) is shown without --verbose: a researcher must know the text is not the file's whole.
    // The marker is the same with --verbose, so that a script can grep for it either way.
    if (result.warnings.length > 0) return `${color.yellow('!')} ${describe(result, dryRun)}`;
    if (flags.verbose) return `${color.green('✓')} ${describe(result, dryRun)}`;
    return undefined;
  };
  if (!process.stderr.isTTY || quiet || flags.json) {
    return {
      plan: () => undefined,
      file: (result) => {
        const line = lineFor(result);
        if (line !== undefined) note(line);
      },
      stop: () => undefined,
    };
  }
  const { MultiBar, Presets } = (await import('cli-progress')).default;
  const bars = new MultiBar(
    {
      stream: process.stderr,
      format: ' {bar} {percentage}% | {files}/{totalFiles} files | {mb}/{totalMb} MB | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    Presets.shades_classic,
  );
  let bar: ReturnType<typeof bars.create> | undefined;
  let totalFiles = 0;
  return {
    plan: (files, bytes) => {
      totalFiles = files;
      bar = bars.create(Math.max(bytes, 1), 0, { files: 0, totalFiles, mb: '0.0', totalMb: megabytes(bytes) });
      bars.update();
    },
    file: (result, done) => {
      const line = lineFor(result);
      if (line !== undefined) bars.log(`${line}\n`);
      bar?.update(done.bytes, { files: done.files, totalFiles, mb: megabytes(done.bytes) });
    },
    stop: () => {
      // Draw once more so that failure lines still waiting in the log buffer reach the screen.
      if (bar !== undefined) bars.update();
      bars.stop();
    },
  };
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('import transcripts (.txt .md .docx), subtitles (.vtt .srt), web pages (.html), Telegram chat exports (.json) and survey CSVs; one transaction per file')
    .argument('[paths...]', 'files, folders (recursive) or globs ("interviews/**/*.txt")')
    .option('--case <id>', 'link the imported documents to this case (created if new)')
    .option('--manifest <file>', 'CSV with columns file, case and declared attributes (optional: kind, language, title, slug)')
    .option('--manifest-encoding <name>', 'the manifest\'s encoding, like --encoding (default: auto; --encoding is for the files it lists)')
    .addOption(new Option('--segment <mode>', 'segments: speaker turns, paragraphs or sentences (default: turns when speaker labels are found, else paragraphs)').choices([...SEGMENT_MODES]))
    .option('--encoding <name>', 'auto, utf8, utf16, utf16le, utf16be, cp1251 or koi8r', 'auto')
    .addOption(new Option('--format <format>', 'read every file as this format, whatever its extension').choices(FORMATS))
    .addOption(new Option('--kind <kind>', 'document kind (default: web for .html, chat for a Telegram .json, else interview)').choices(KINDS))
    .option('--language <code>', 'document language, e.g. ru, en, de (default: detected from the text; see docs/import.md)')
    .option('--speakers <map>', 'speaker labels and the names to store, e.g. "И=Interviewer,Р=Respondent" (a name holding a comma in double quotes)')
    .option('--slug <slug>', 'the document\'s name in qcode (one file only; default: the file name); for a survey, the start of its documents\' names (SLUG-ID)')
    .option('--replace', 'replace documents whose file changed (codings on unchanged segments are kept)')
    .option('--readmit', 'import texts that were removed (qcode docs|cases remove) all the same, lifting their tombstones')
    .option('--dry-run', 'read and check everything, write nothing')
    .option('--strict', 'stop at the first file that fails')
    .option('--verbose', 'one line per file')
    .option('--json', 'print the report as JSON')
    .option('--id-column <column>', 'survey: the respondent id column (a name, or #N for the N-th column)')
    .option('--text-columns <columns>', 'survey: comma-separated open-answer columns, each a name or #N for the N-th column (#2,#3; a name with a comma: #N, or in double quotes)')
    .option('--attribute-columns <columns>', 'survey: comma-separated columns of declared case attributes (names or #N)')
    .option('--id-prefix <prefix>', 'survey: put this before every respondent id to make the case id (W2- makes 17 the case W2-17): other people with the same ids as an earlier survey')
    .option('--same-respondents', 'survey: respondents who are already cases of another survey are the same people (a panel wave): import, and report the values that change')
    .option('--delimiter <char>', 'the separator of a survey CSV or the manifest: , or ; or tab (default: guessed from the first rows; tab for .tsv)')
    .addHelpText('after', `
Examples:
  $ qcode import interviews/ --manifest interviews/manifest.csv
  $ qcode import r07.txt --case R07 --speakers "И=Interviewer,Р=Respondent"
  $ qcode import "web/*.html" --kind web --segment paragraphs
  $ qcode import old/r03.txt --encoding cp1251 --dry-run --verbose
  $ qcode import survey.csv --kind survey --id-column respondent_id \\
      --text-columns q1_activities,q2_networks --attribute-columns host_country,emigration_year
  $ qcode import wave2.csv --kind survey --id-column id --text-columns '#3,#4' --id-prefix W2-

Files larger than 100 MB are refused. Exit 1 when any file failed (the others are imported).
Details: docs/import.md`)
    .action(async (paths: string[], flags: ImportFlags, command: Command) => {
      const encoding = parseEncodingOption(flags.encoding);
      const manifestEncoding = flags.manifestEncoding === undefined ? undefined : parseEncodingOption(flags.manifestEncoding);
      const quiet = globals(command).quiet ?? false;
      const { importPaths, ImportStoppedError } = await import('../../app/import.js');
      await withProject(command, async (project) => {
        const progress = await progressFor(flags, quiet);
        let report: ImportReport;
        // Named when found in a parent folder: the user may not know which store this went into.
        const where = project.foundAbove ? ` Project: ${project.dir} (found in a parent folder).` : '';
        const printReport = (done: ImportReport): void => {
          if (flags.json) writeJson(done);
          else {
            if (!quiet) {
              const skipped = skippedNote(done);
              if (skipped !== undefined) note(skipped);
            }
            out(summary(done) + where);
          }
        };
        try {
          report = await importPaths(project, paths, {
            caseId: flags.case, manifest: flags.manifest, segment: flags.segment, encoding, format: flags.format, kind: flags.kind,
            language: flags.language, speakers: flags.speakers, slug: flags.slug, replace: flags.replace, readmit: flags.readmit, dryRun: flags.dryRun,
            strict: flags.strict, idColumn: flags.idColumn, textColumns: list(flags.textColumns), attributeColumns: list(flags.attributeColumns),
            idPrefix: flags.idPrefix, sameRespondents: flags.sameRespondents, delimiter: flags.delimiter, manifestEncoding,
            onPlan: ({ files, bytes }) => progress.plan(files, bytes),
            onFile: (result, done) => progress.file(result, done),
            onErase: () => {
              progress.stop();
              const megabytes = statSync(project.dbPath).size / (1024 * 1024);
              if (!quiet && megabytes >= 50) note(`Rewriting qcode.db (${megabytes.toFixed(0)} MB) so that the replaced text cannot be read back from it; this takes a few seconds…`);
            },
            onEraseWait: (seconds) => note(`Another program is reading the project; waiting up to ${seconds} seconds for it to finish, so that the replaced text can be erased from qcode.db and qcode.db-wal…`),
          });
        } catch (error) {
          progress.stop();
          if (!(error instanceof ImportStoppedError)) throw error;
          // What did go in is printed first, so the user knows where to resume.
          printReport(error.report);
          throw storeStopped(error, project.dbPath);
        }
        progress.stop();
        printReport(report);
        // The import stands; what is not done is the erasure of the words it replaced, which the user relied on.
        if (report.erasure?.complete === false) throw new UserError(report.erasure.message ?? 'the erasure of the replaced text is NOT complete', report.erasure.hint === null ? {} : { hint: report.erasure.hint });
        if (report.totals.failed > 0) {
          const rest = report.dryRun ? '; the other files would be imported (dry run: nothing was written)' : '; the other files were imported';
          const stopped = report.stopped ? '; stopped at the first failure (--strict)' : report.totals.files > report.totals.failed ? rest : '';
          throw new UserError(`${report.totals.failed} of ${plural(report.totals.files, 'file')} failed (listed above)${stopped}`);
        }
        if (report.totals.files === 0) throw new UserError('no files to import', { hint: skippedNote(report) ?? 'Name files, folders or globs' });
      });
    });

  registerCases(program);
  registerDocs(program);
}

// The fixed columns of `cases list`, by key (CSV, JSON) and by table header.
const CASE_COLUMNS = ['case', 'kind', 'documents', 'docs'];

/**
 * Column names for attributes in `cases list`: an attribute called kind would otherwise overwrite the
 * case's own kind column (or double a header); it becomes kind_2, as in the exports.
 */
function attributeColumnNames(attributes: readonly string[]): Map<string, string> {
  const taken = new Set([...CASE_COLUMNS, ...attributes]);
  const result = new Map<string, string>();
  for (const name of attributes) {
    let column = name;
    if (CASE_COLUMNS.includes(name)) {
      for (let n = 2; taken.has(column); n++) column = `${name}_${n}`;
      taken.add(column);
    }
    result.set(name, column);
  }
  return result;
}

function registerCases(program: Command): void {
  const cases = program
    .command('cases')
    .description('cases (participants) and their attribute values, checked against the codebook')
    .addHelpText('after', `
Examples:
  $ qcode cases import cases.csv            columns: case, declared attributes (and optional kind)
  $ qcode cases list --csv > cases.csv
  $ qcode cases set R07 host_country=ES emigration_year=2022
  $ qcode cases set R07 city=               clears a value
  $ qcode cases remove R07                  withdrawal of consent: the case and all its documents`);

  cases
    .command('import')
    .description('set case attributes from a CSV (columns: case, declared attributes, optional kind); one transaction').addHelpText('after', examples('qcode cases import cases.csv', 'qcode cases import cases.csv --dry-run'))
    .argument('<file>', 'CSV file')
    .option('--encoding <name>', 'auto, utf8, utf16, utf16le, utf16be, cp1251 or koi8r', 'auto')
    .option('--delimiter <char>', 'the separator: , or ; or tab (default: guessed from the first rows; tab for .tsv)')
    .option('--dry-run', 'check everything, write nothing')
    .option('--readmit', 'set values of cases that were removed (qcode cases remove) all the same, taking them back')
    .option('--json', 'print the report as JSON')
    .action(async (file: string, flags: { encoding: string; delimiter?: string; dryRun?: boolean; readmit?: boolean; json?: boolean }, command: Command) => {
      const encoding = parseEncodingOption(flags.encoding);
      const { importCases } = await import('../../app/cases.js');
      await withProject(command, async (project) => {
        const report = await importCases(project, file, { dryRun: flags.dryRun, readmit: flags.readmit, encoding, delimiter: flags.delimiter });
        if (flags.json) return writeJson(report);
        out(`${report.dryRun ? 'Dry run, nothing written: would set' : 'Set'} ${plural(report.values, 'value')} on ${plural(report.cases, 'case')} (${report.created} new) from ${file}.`);
      });
    });

  addOutputOptions(
    cases
      .command('list')
      .description('every case with its kind, number of documents and attribute values').addHelpText('after', examples('qcode cases list', 'qcode cases list --csv > cases.csv')),
  ).action(async (flags: { json?: boolean; csv?: boolean }, command: Command) => {
    const { caseValueAsData, listCases } = await import('../../app/cases.js');
    await withProject(command, (project) => {
      const listing = listCases(project);
      const names = attributeColumnNames(listing.attributes);
      // A number attribute's value is a number in JSON; the table and the CSV print the stored text as before.
      const asData = flags.json ? caseValueAsData(project) : (_attribute: string, value: string): string => value;
      type Row = Record<string, string | number | null>;
      const rows: Row[] = listing.rows.map((row) => ({
        case: row.case, kind: row.kind, documents: row.documents,
        ...Object.fromEntries(listing.attributes.map((name) => {
          const value = row.values[name];
          return [names.get(name) as string, value === undefined ? null : asData(name, value)];
        })),
      }));
      const columns: Column<Row>[] = [
        { key: 'case', header: 'case' },
        { key: 'kind', header: 'kind' },
        { key: 'documents', header: 'docs', align: 'right' },
        ...listing.attributes.map((name): Column<Row> => ({ key: names.get(name) as string, header: names.get(name) as string })),
      ];
      if (rows.length === 0 && !flags.json && !flags.csv) return out('No cases yet: qcode cases import FILE.csv, or qcode import … --case ID');
      writeRows(rows, columns, flags);
    });
  });

  cases
    .command('set')
    .description('set attribute values of a case (created if new); NAME= clears a value').addHelpText('after', examples('qcode cases set R07 host_country=ES emigration_year=2022', 'qcode cases set R07 city='))
    .argument('<case>', 'case id, e.g. R07')
    .argument('<assignments...>', 'NAME=VALUE pairs')
    .option('--readmit', 'set values of a case that was removed (qcode cases remove) all the same, taking it back')
    .option('--json', 'print the result as JSON')
    .action(async (caseId: string, assignments: string[], flags: { readmit?: boolean; json?: boolean }, command: Command) => {
      const { caseValueAsData, setCase } = await import('../../app/cases.js');
      await withProject(command, (project) => {
        const report = setCase(project, caseId, assignments, { readmit: flags.readmit });
        if (flags.json) {
          const asData = caseValueAsData(project);
          return writeJson({ ...report, set: report.set.map(({ attribute, value }) => ({ attribute, value: asData(attribute, value) })) });
        }
        const changes = [...report.set.map(({ attribute, value }) => `${attribute}=${value}`), ...report.cleared.map((name) => `${name} cleared`)];
        out(`${report.case}${report.created ? ' (new case)' : ''}: ${changes.join(', ')}`);
      });
    });

  cases
    .command('remove')
    .description("remove cases for good (withdrawal of consent): their values, memos and every document of theirs, with segments, codings and memos")
    .argument('<cases...>', 'case ids, e.g. R07')
    .option('--yes', 'remove without asking (required without a terminal)')
    .option('--keep-quotes', "keep the codebook's examples and the memos that read like the removed text: they are not this participant's words")
    .option('--dry-run', 'list what would go and which memos would change, and remove nothing')
    .option('--json', 'print the report (with --dry-run, the list) as JSON')
    .addHelpText('after', `${examples('qcode cases remove R07 --dry-run', 'qcode cases remove R07', 'qcode cases remove R07 S12 --yes --json')}

${REMOVAL_NOTES}`)
    .action((refs: string[], flags: RemoveFlags, command: Command) => removeAction('cases', refs, flags, command));
}

const REMOVAL_NOTES = `Refused while an example in codebook.yaml quotes the removed text (each is named by line and column):
replace it, run qcode codebook apply, and remove again. The removal cuts such examples from the earlier
applied codebooks itself, and in the memos that stay replaces the passages quoting the removed text with
[quote removed: withdrawal of consent] (listed before you confirm; --keep-quotes leaves both alone).
It cannot be undone. Details: docs/import.md (Removing a participant's data)`;

function registerDocs(program: Command): void {
  const docs = program
    .command('docs')
    .description('the imported documents')
    .addHelpText('after', `
Examples:
  $ qcode docs list
  $ qcode docs show r07-madrid-ru
  $ qcode docs show r07-madrid-ru --segments --csv > r07-segments.csv
  $ qcode docs remove r07-madrid-ru         withdrawal of consent: for good`);

  addOutputOptions(
    docs
      .command('list')
      .description('slug, case, kind, language, segments, words and the share of coded segments of every document').addHelpText('after', examples('qcode docs list', 'qcode docs list --json')),
  ).action(async (flags: { json?: boolean; csv?: boolean }, command: Command) => {
    const { listDocuments } = await import('../../app/docs.js');
    await withProject(command, (project) => {
      const rows = listDocuments(project);
      if (rows.length === 0 && !flags.json && !flags.csv) return out('No documents yet: qcode import FILES');
      type Row = (typeof rows)[number];
      const columns: Column<Row>[] = [
        { key: 'slug', header: 'slug' },
        { key: 'case', header: 'case' },
        { key: 'kind', header: 'kind' },
        { key: 'language', header: 'lang' },
        { key: 'segments', header: 'segments', align: 'right' },
        { key: 'words', header: 'words', align: 'right' },
        { key: 'coded_pct', header: 'coded', align: 'right', format: (value) => `${(value as number).toFixed(1)}%` },
      ];
      writeRows(rows, columns, flags);
    });
  });

  docs
    .command('remove')
    .description('remove documents for good (withdrawal of consent): segments, full-text entries, codings of all coders, seen marks and memos')
    .argument('<docs...>', 'document slugs (or ids)')
    .option('--yes', 'remove without asking (required without a terminal)')
    .option('--keep-quotes', "keep the codebook's examples and the memos that read like the removed text: they are not this participant's words")
    .option('--dry-run', 'list what would go and which memos would change, and remove nothing')
    .option('--json', 'print the report (with --dry-run, the list) as JSON')
    .addHelpText('after', `${examples('qcode docs remove r07-madrid-ru --dry-run', 'qcode docs remove r07-madrid-ru', 'qcode docs remove survey-s07 r07-madrid-ru --yes')}

${REMOVAL_NOTES}`)
    .action((refs: string[], flags: RemoveFlags, command: Command) => removeAction('docs', refs, flags, command));

  addOutputOptions(
    docs
      .command('show')
      .description('a document\'s segments with their speakers (--segments: a table with ids and offsets)').addHelpText('after', examples('qcode docs show r07-madrid-ru', 'qcode docs show r07-madrid-ru --segments --csv > r07-segments.csv'))
      .argument('<doc>', 'document slug (or id)')
      .option('--segments', 'list the segments with id, ordinal, speaker, start, end and media times'),
    'an object {document, segments}; with --segments, an array of objects',
  ).action(async (ref: string, flags: { json?: boolean; csv?: boolean; segments?: boolean }, command: Command) => {
    const { showDocument } = await import('../../app/docs.js');
    await withProject(command, (project) => {
      const view = showDocument(project, ref);
      const { document } = view;
      // `case`, not the column's name case_id: every other listing (docs list, retrieve, cases list) says `case`.
      if (flags.json && !flags.segments) {
        const { id, slug, case_id: caseId, ...rest } = document;
        return writeJson({ document: { id, slug, case: caseId, ...rest }, segments: view.segments });
      }
      if (flags.segments || flags.csv || flags.json) {
        type Row = (typeof view.segments)[number];
        const columns: Column<Row>[] = [
          { key: 'id', header: 'id', align: 'right' },
          { key: 'ordinal', header: '#', align: 'right' },
          { key: 'speaker', header: 'speaker' },
          { key: 'start', header: 'start', align: 'right' },
          { key: 'end', header: 'end', align: 'right' },
          { key: 't_start', header: 't_start', align: 'right' },
          { key: 't_end', header: 't_end', align: 'right' },
          { key: 'codings', header: 'codings', align: 'right' },
          { key: 'text', header: 'text', format: (value) => ellipsis(String(value), 60) },
        ];
        return writeRows(view.segments, columns, flags);
      }
      const facts = [document.case_id === null ? 'no case' : `case ${document.case_id}`, document.kind, document.language, document.format + (document.encoding ? ` (${document.encoding})` : ''), plural(document.segments, 'segment'), plural(document.words, 'word')].filter(Boolean);
      const color = palette();
      out(color.bold(document.slug) + color.dim(` · ${facts.join(' · ')}`));
      if (document.title) out(`Title: ${document.title}`);
      if (document.source_path) out(color.dim(`Source: ${document.source_path}`));
      for (const segment of view.segments) {
        const speaker = segment.speaker === null ? '' : `${color.bold(segment.speaker)}: `;
        out(`\n${color.dim(`#${segment.ordinal}`)} ${speaker}${segment.text}`);
      }
    });
  });
}

interface RemoveFlags {
  yes?: boolean;
  dryRun?: boolean;
  keepQuotes?: boolean;
  json?: boolean;
}

/**
 * What will go, a question (or --yes), the removal in one transaction, the report. A name an earlier
 * removal took is a no-op (exit 0, a note), and a removal run again finishes an erasure that a reader or a
 * full disk stopped; an erasure that cannot be finished now is an error that says so (carryOutRemoval).
 */
async function removeAction(what: 'docs' | 'cases', refs: string[], flags: RemoveFlags, command: Command): Promise<void> {
  const { alreadyRemovedLine, caseLeftBehindLine, planCaseRemoval, planDocumentRemoval, carryOutRemoval, removalPreview, WITHDRAWN_QUOTE } = await import('../../app/removal.js');
  const quiet = globals(command).quiet ?? false;
  await withProject(command, async (project) => {
    const options = { keepQuotes: flags.keepQuotes ?? false };
    const plan = what === 'docs' ? planDocumentRemoval(project, refs, options) : planCaseRemoval(project, refs, options);
    for (const entry of plan.alreadyRemoved) note(alreadyRemovedLine(entry));
    const removes = plan.documents.length + plan.cases.length > 0;
    if (flags.dryRun) {
      if (flags.json) return writeJson(removalPreview(plan));
      if (removes) for (const line of removalPlanLines(plan, WITHDRAWN_QUOTE)) out(line.replace('This removes for good', 'This would remove for good'));
      for (const entry of plan.casesLeftBehind) out(`Note: ${caseLeftBehindLine(entry)}`);
      if (plan.codebookCopies.length > 0) out(`Still quoting the removed text afterwards (qcode never deletes them): ${plan.codebookCopies.join(', ')}`);
      out('Nothing was removed (--dry-run).');
      return;
    }
    if (removes) {
      if (!quiet || !flags.yes) for (const line of removalPlanLines(plan, WITHDRAWN_QUOTE)) note(line);
      for (const entry of plan.casesLeftBehind) note(`Note: ${caseLeftBehindLine(entry)}`);
      if (!flags.yes) await confirmRemoval(`qcode ${what} remove`);
    }
    const megabytes = statSync(project.dbPath).size / (1024 * 1024);
    const report = carryOutRemoval(project, plan, {
      onCompact: () => {
        if (!quiet && megabytes >= 50) note(`Rewriting qcode.db (${megabytes.toFixed(0)} MB) so that the removed text cannot be read back from it; this takes a few seconds…`);
      },
      onWait: (seconds) => note(`Another program is reading the project; waiting up to ${seconds} seconds for it to finish, so that the removed text can be erased from qcode.db and qcode.db-wal…`),
    });
    if (report.leftoversRemoved.length > 0) note(`Removed ${report.leftoversRemoved.join(', ')} (in ${project.dir}): what a stopped merge, export or REFI import left, which held the removed text`);
    if (report.backups.length > 0) note(`Warning: still hold the removed text: ${report.backups.join(', ')} (in ${project.dir}) — delete them if they are copies you no longer need; qcode never deletes them`);
    if (flags.json) return writeJson(report);
    if (report.erasureFinished !== null) out(`Finished erasing the text removed on ${report.erasureFinished.slice(0, 10)}: qcode.db and qcode.db-wal no longer hold it.`);
    if (!removes) return;
    const docs = report.totals;
    const cases = docs.cases === 0 ? '' : ` and ${plural(docs.cases, 'case')} (${plural(docs.caseValues, 'attribute value')})`;
    out(`Removed ${plural(docs.documents, 'document')} (${plural(docs.segments, 'segment')}, ${plural(docs.codings, 'coding')}, ${plural(docs.memos, 'memo')})${cases}; ${plural(report.logEvents, 'log event')} about them deleted.`);
    const names = [...report.tombstones.documents, ...report.tombstones.cases.map((id) => `case ${id}`)];
    if (names.length > 0) out(`Tombstones: ${names.join(', ')} — qcode import refuses these texts again unless --readmit, and qcode merge skips them.`);
    const history = report.codebookHistory;
    if (history.examples > 0) out(`Codebook history: ${plural(history.examples, 'example')} quoting the removed text taken out (${plural(history.versions, 'earlier codebook version')} rewritten${history.codes.length === 0 ? '' : `; code ${history.codes.join(', ')}`}).`);
    const memoQuotes = report.memoQuotes;
    if (memoQuotes.memos.length > 0 || memoQuotes.events > 0) {
      const memos = memoQuotes.memos.length === 0 ? 'no memo now' : `${memoQuotes.memos.length === 1 ? 'memo' : 'memos'} ${memoQuotes.memos.join(', ')}`;
      out(`Memos: the passages quoting the removed text now read ${WITHDRAWN_QUOTE} in ${memos}${memoQuotes.events === 0 ? '' : ` and in ${plural(memoQuotes.events, 'earlier memo text')} in the log`}; rephrase them with: qcode memo edit ID.`);
    }
    out('Exports, REFI-QDA files and copies of the project made earlier are outside qcode\'s reach: delete or redact them by hand.');
  });
}

function removalPlanLines(plan: RemovalPlan, marker: string): string[] {
  const lines = ['This removes for good (it cannot be undone):'];
  for (const doc of plan.documents) lines.push(`  ${doc.slug}${doc.case === null ? '' : ` (case ${doc.case})`}: ${plural(doc.segments, 'segment')}, ${plural(doc.codings, 'coding')}, ${plural(doc.memos, 'memo')}`);
  for (const entry of plan.cases) lines.push(`  case ${entry.case}: ${plural(entry.values, 'attribute value')}, ${plural(entry.memos, 'memo')}`);
  for (const memo of plan.quotingMemos) lines.push(`  from memo ${memo.memo} on ${memo.on}: ${memo.passages === 1 ? 'a passage that quotes' : `${memo.passages} passages that quote`} the removed text, which will read ${marker}`);
  return lines;
}

/** A question on a terminal; without one (or under CI) --yes must say it, so that a script never removes by accident. */
async function confirmRemoval(command: string): Promise<void> {
  const { askToType, isInteractive } = await import('../prompts.js');
  const ci = process.env.CI !== undefined && !['', '0', 'false'].includes(process.env.CI.toLowerCase());
  if (ci || !isInteractive()) throw usageError(`${command} needs --yes when there is no terminal to ask: nothing was removed`, 'Check what goes (listed above), then add --yes');
  if (!(await askToType('yes', 'Type yes to remove them for good:', '--yes', 'removed'))) {
    throw new UserError('not confirmed: nothing was removed', { hint: 'Type the whole word yes to remove them' });
  }
}

function ellipsis(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= width ? flat : `${flat.slice(0, width - 1)}…`;
}
