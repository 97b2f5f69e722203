import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { labelIn, type AttributeDef, type ProjectCodebook, type Status } from '../core/codebook-model.js';
import { attributeMisfit, attributeTypeNeeds, plural, someValues } from '../core/codebook-plan.js';
import { longRows, LONG_KEYS, type CodeSpan, type CooccurrenceCounts, type Unit } from '../core/cooccurrence.js';
import { UserError } from '../core/errors.js';
import { NameAllocator } from '../core/names.js';
import { CsvFileWriter, encodeField, numberCell, RECORD_END, smallCsv, textCell, type CellPolicy } from '../io/export/csv.js';
import { rScript } from '../io/export/r.js';
import { numberDisplay, spssSyntax } from '../io/export/spss.js';
import { WidthTracker, type ExportColumn, type ExportTable } from '../io/export/table.js';
import { removeStaleScratch, scratchPrefix } from '../io/scratch.js';
import { codesInUse, iterateCodings, iterateSegments, type AnalysisFrame, type CodedSegmentRow } from '../store/analysis.js';
import { creationOrder } from '../store/codebook.js';
import { listCoders } from '../store/common.js';
import { damagedStoreError, type Db } from '../store/db.js';
import { checkLanguage, countUnits, loadAnalysis, parseUnit, requireCasedCodings, selectCoders, tablesFromCounts, type CoderOptions } from './analysis.js';
import type { Project } from './project.js';

export interface ExportOptions extends CoderOptions {
  /** The folder to create (or, with force, to write into). */
  out: string;
  force?: boolean | undefined;
  /** BOM and formula guards for spreadsheets (changes the data R and SPSS read). */
  excel?: boolean | undefined;
  /** Unit of the co-occurrence tables. */
  unit?: string | undefined;
  language?: string | undefined;
  cwd?: string | undefined;
}

export interface ExportReport {
  dir: string;
  files: Array<{ file: string; rows: number | null }>;
  /** Temporary folders left beside the target by exports that were killed, removed by this one. */
  removedLeftovers: string[];
  /** What the files hold differently from what the codebook declares (a number attribute written as text). */
  warnings: string[];
}

// Column names fixed by the layout of the files; attribute and code columns are named around them.
const FIXED_NAMES = [
  'doc_id', 'case_id', 'segment', 'speaker', 'start', 'end', 'whole', 'code_id', 'dimension', 'label', 'coder', 'created_at',
  'text', 't_start', 't_end', 'title', 'kind', 'language', 'format', 'segments', 'documents', 'variable', 'dimension_label',
  'parent_id', 'definition', 'include', 'exclude', 'status', 'codings', 'hypothesis', 'row', 'row_label', 'column',
  'column_label', 'n_ab', 'n_a', 'n_b', 'c', 'rowpct', 'colpct',
];

/** R's integers are 32-bit, with -2^31 taken by NA. */
const R_INTEGER_MAX = 2147483647;

/**
 * `qcode export all`: codings, segments (0/1 per code), documents, cases, one co-occurrence table per
 * hypothesis, the codebook, qcode.sps and qcode.R. Everything is written to a temporary folder next to
 * the target and moved into place at the end, so a failure leaves nothing half-written.
 */
export function exportAll(project: Project, options: ExportOptions): ExportReport {
  const steps = exportSteps(project, options, () => undefined);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * exportAll for the command line. A long export is stopped with ^C, and the temporary folder holds
 * participants' words: the export gives the event loop a turn every few thousand rows, so that a signal
 * is heard while it writes, removes the folder, and then ends the process as the signal would have (exit
 * 130 for ^C). A kill -9 still leaves the folder, for the next export to the same --out to remove.
 * `pauseMs` (a test hook) waits that long once, with the first files written.
 */
export async function exportAllInterruptibly(project: Project, options: ExportOptions, pauseMs = 0): Promise<ExportReport> {
  let scratch: string | undefined;
  const stopListening = (): void => {
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
    stopListening();
    process.kill(process.pid, signal);
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  try {
    const steps = exportSteps(project, options, (path) => {
      scratch = path;
    });
    for (let paused = pauseMs <= 0; ; paused = true) {
      const step = steps.next();
      if (step.done) return step.value;
      if (!paused) {
        process.stderr.write('export: paused while writing (QCODE_TEST_PAUSE_EXPORT_MS)\n');
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    stopListening();
  }
}

/** exportAll's work, yielding between rows and files; `onScratch` is told what to remove should the process be stopped. */
function* exportSteps(project: Project, options: ExportOptions, onScratch: (path: string | undefined) => void): Generator<void, ExportReport> {
  const target = resolve(options.cwd ?? process.cwd(), options.out);
  const mode = checkTarget(target, options.out, options.force ?? false);
  const unit = parseUnit(options.unit);
  const analysis = loadAnalysis(project.db);
  const language = checkLanguage(analysis.codebook, options.language);
  const coders = selectCoders(project.db, options);
  // Case units count only documents linked to a case: with none, every table would be zeros. Refused as
  // cooccur --unit case refuses it, before anything is written; the counts serve the tables below.
  const caseCounts = unit === 'case' ? countUnits(project.db, analysis.frame, unit, coders.ids) : undefined;
  if (caseCounts !== undefined) requireCasedCodings(project.db, analysis.frame, caseCounts, coders);
  const removedLeftovers = removeStaleScratch(dirname(target), tempPrefix(target));
  const { temp, created } = makeTempFolder(target);
  onScratch(created ?? temp);
  let files: ExportReport['files'];
  const warnings: string[] = [];
  try {
    files = yield* writeExport(project.db, temp, { ...analysis, unit, counts: caseCounts, language, coderIds: coders.ids, policy: { excel: options.excel ?? false }, project: project.dir, warnings });
    moveIntoPlace(temp, target, mode);
    onScratch(mode === 'create' ? undefined : temp);
  } catch (error) {
    rmSync(created ?? temp, { recursive: true, force: true });
    if (error instanceof UserError) throw error;
    // SQLite's errors (a damaged store, a write refused in a store this user may only read) are the store's,
    // not the output folder's: the command line names the store for them.
    const damaged = damagedStoreError(error);
    if (damaged !== undefined) throw damaged;
    if (isStoreError(error)) throw error;
    throw writeError(target, error);
  }
  // Into an existing folder, the temporary one is left holding the files that were replaced.
  if (mode !== 'create') rmSync(temp, { recursive: true, force: true });
  return { dir: target, files, removedLeftovers, warnings };
}

export type TargetMode = 'create' | 'replace-empty' | 'merge';

function checkTarget(target: string, given: string, force: boolean): TargetMode {
  let stats: Stats;
  try {
    stats = lstatSync(target);
  } catch {
    return 'create';
  }
  // The final rename would fail on a symlink (or replace it); the folder it names must exist to be written into.
  if (stats.isSymbolicLink()) {
    if (!existsSync(target)) {
      const link = readlinkSync(target);
      throw new UserError(`--out ${given} is a symlink to a missing folder (${link}): there is nowhere to write`, { hint: `Create ${link} first, or name a new folder with --out DIR` });
    }
    stats = statSync(target);
  }
  if (!stats.isDirectory()) throw new UserError(`${target} exists and is not a folder`, { hint: 'Name a new folder with --out DIR' });
  if (readdirSync(target).length === 0) return 'replace-empty';
  if (!force) throw new UserError(`${target} is not empty`, { hint: 'Name a new folder, or add --force to overwrite the export files in it' });
  return 'merge';
}

/** Hidden, beside the target, so that the final move is a rename on the same file system. */
function tempPrefix(target: string): string {
  return `.${basename(target)}.qcode-export-`;
}

/** The temporary folder beside the target, and the first folder created on the way to it (to remove on failure). */
function makeTempFolder(target: string): { temp: string; created: string | undefined } {
  const parent = dirname(target);
  let created: string | undefined;
  try {
    created = mkdirSync(parent, { recursive: true });
    return { temp: mkdtempSync(join(parent, scratchPrefix(tempPrefix(target)))), created };
  } catch (error) {
    if (created !== undefined) rmSync(created, { recursive: true, force: true });
    throw writeError(parent, error);
  }
}

function isStoreError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}

function writeError(path: string, error: unknown): UserError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOSPC' ? 'the disk is full' : code === 'EROFS' ? 'read-only file system' : (error as Error).message;
  return new UserError(`cannot write the export to ${path}: ${reason}`, { hint: 'Choose a folder you can write to with --out DIR', cause: error });
}

/**
 * A new target: one rename. A folder that exists keeps its identity (it may be the user's working
 * folder, or carry permissions of its own): the files it already has under the export's names are moved
 * aside into the temporary folder, the new files moved in, and if any move fails every step is undone,
 * so the folder is as it was. Other files stay. `rename` is a seam for the tests.
 */
export function moveIntoPlace(temp: string, target: string, mode: TargetMode, rename: (from: string, to: string) => void = renameSync): void {
  if (mode === 'create') {
    rename(temp, target);
    return;
  }
  const files = readdirSync(temp);
  const aside = join(temp, '.replaced');
  mkdirSync(aside);
  const setAside: string[] = [];
  const movedIn: string[] = [];
  try {
    for (const file of files) {
      if (!existsSync(join(target, file))) continue;
      rename(join(target, file), join(aside, file));
      setAside.push(file);
    }
    for (const file of files) {
      rename(join(temp, file), join(target, file));
      movedIn.push(file);
    }
  } catch (error) {
    for (const file of movedIn) rmSync(join(target, file), { force: true });
    for (const file of setAside) renameSync(join(aside, file), join(target, file));
    throw error;
  }
}

interface ExportContext {
  codebook: ProjectCodebook;
  frame: AnalysisFrame;
  unit: Unit;
  /** The co-occurrence counts when they were needed before writing (--unit case); else counted while writing. */
  counts?: CooccurrenceCounts | undefined;
  language: string | undefined;
  coderIds: readonly number[] | null;
  policy: CellPolicy;
  project: string;
  /** Filled in while writing, for the report. */
  warnings: string[];
}

/** An attribute or code column shared by segments, documents and cases. */
interface AttributeColumn {
  def: AttributeDef & { status: Status };
  column: ExportColumn;
}

interface CodeColumn {
  index: number;
  id: string;
  column: ExportColumn;
}

function* writeExport(db: Db, dir: string, context: ExportContext): Generator<void, Array<{ file: string; rows: number | null }>> {
  const { codebook, frame, language, policy } = context;
  const names = columnNames(db, codebook);
  const attributes = exportedAttributes(context, names.attributes);
  const inUse = codesInUse(db, context.coderIds);
  const codes: CodeColumn[] = codebook.codes
    .filter((code) => code.status === 'active' || inUse.has(code.id))
    .map((code) => ({
      index: frame.codeIndex.get(code.id)!,
      id: code.id,
      column: { name: names.codes.get(code.id)!, label: `${code.id}: ${labelIn(code, language)}`, type: 'flag' },
    }));
  const bom = policy.excel;

  const pass = yield* writeCodingsAndSegments(db, dir, context, attributes, codes);
  yield;
  const documentsTable = writeDocuments(join(dir, 'documents.csv'), context, attributes, codes, pass.perDocument);
  const casesTable = writeCases(join(dir, 'cases.csv'), context, attributes, codes, pass.perDocument);
  const codebookTable = writeCodebook(join(dir, 'codebook.csv'), context, codes, pass.codingsPerCode, pass.segmentsPerCode, bom);
  yield;

  const counts = context.counts ?? countUnits(db, frame, context.unit, context.coderIds, pass.coded);
  yield;
  const cooccurTables: ExportTable[] = [];
  // Dataset names are case-insensitive in SPSS, and so are file names on Windows and macOS.
  const tableNames = new NameAllocator(['codings', 'segments', 'documents', 'cases', 'codebook']);
  for (const hypothesis of tablesFromCounts({ codebook, frame }, counts, language)) {
    const name = tableNames.allocate(`cooccur_${hypothesis.id}`);
    const file = `${name}.csv`;
    const rows = longRows(hypothesis.id, hypothesis.table);
    const columns = cooccurColumns();
    const tracker = new WidthTracker(columns);
    const cells = rows.map((row) =>
      LONG_KEYS.map((key, i) => {
        const value = row[key];
        if (typeof value === 'number') {
          tracker.number(i, numberCell(value));
          return value;
        }
        const text = textCell(value, policy);
        tracker.text(i, text);
        return text;
      }),
    );
    writeFileSync(join(dir, file), smallCsv(LONG_KEYS, cells, { bom }), { mode: 0o600, flag: 'wx' });
    yield;
    cooccurTables.push({ file, name, key: hypothesis.id, title: `${hypothesis.id} ${hypothesis.title}: one row per cell (${context.unit}s)`, columns, rows: rows.length });
  }

  const dataTables = [pass.codings, pass.segments, documentsTable, casesTable, codebookTable];
  const syntaxContext = { project: `project ${basename(context.project)}`, exportedAt: new Date().toISOString(), unit: context.unit };
  writeFileSync(join(dir, 'qcode.sps'), spssSyntax([codebookTable, ...cooccurTables, casesTable, documentsTable, pass.codings, pass.segments], syntaxContext), { mode: 0o600, flag: 'wx' });
  writeFileSync(join(dir, 'qcode.R'), rScript(dataTables, cooccurTables, syntaxContext), { mode: 0o600, flag: 'wx' });
  return [
    ...[...dataTables, ...cooccurTables].map((table) => ({ file: table.file, rows: table.rows })),
    { file: 'qcode.sps', rows: null },
    { file: 'qcode.R', rows: null },
  ];
}

/**
 * The column of every attribute, then of every code, the project holds, each named in the order it was
 * created (its rowid, which applying a codebook keeps through updates, renames and retirements): a
 * clash of two names is settled the same way in every export, so a name keeps meaning the same
 * attribute or code as long as that exists. Retired items and those an export leaves out (--coder) are
 * named too, so that leaving them out never hands their names to others.
 */
function columnNames(db: Db, codebook: ProjectCodebook): { attributes: Map<string, string>; codes: Map<string, string> } {
  const names = new NameAllocator(FIXED_NAMES);
  const allocate = (created: readonly string[], all: readonly string[]): Map<string, string> => {
    const result = new Map<string, string>();
    for (const raw of [...created, ...all]) if (!result.has(raw)) result.set(raw, names.allocate(raw));
    return result;
  };
  const created = creationOrder(db);
  return {
    attributes: allocate(created.attributes, codebook.attributes.map((def) => def.name)),
    codes: allocate(created.codes, codebook.codes.map((code) => code.id)),
  };
}

function exportedAttributes(context: ExportContext, names: ReadonlyMap<string, string>): AttributeColumn[] {
  return context.codebook.attributes
    .filter((def) => def.status === 'active' || context.frame.caseValues.has(def.name))
    .map((def) => {
      const values = [...(context.frame.caseValues.get(def.name)?.values() ?? [])];
      const label = labelIn(def, context.language);
      const name = names.get(def.name)!;
      if (def.type === 'category') {
        // Levels as the cells are written (--excel guards them). Values the data holds that the codebook
        // no longer lists (removed by a later codebook) follow the codebook's, labelled with themselves,
        // so that R turns none of them into NA.
        const categories = (def.values ?? []).map((value) => ({ value: textCell(value, context.policy), label: def.valueLabels[value] ?? value }));
        const listed = new Set(categories.map((category) => category.value));
        const unlisted = [...new Set(values.filter((value) => value !== '').map((value) => textCell(value, context.policy)))]
          .filter((value) => !listed.has(value))
          .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        categories.push(...unlisted.map((value) => ({ value, label: value })));
        const bytes = Math.max(1, ...categories.map((category) => Buffer.byteLength(category.value, 'utf8')));
        return { def, column: { name, label, type: 'string', categories, bytes } };
      }
      // A codebook that changed the type keeps the values cases held (codebook apply warns): written as
      // text, they stay in the files, where a number or date column would read them as missing.
      const misfits = def.type === 'number' || def.type === 'date' ? misfitCounts(def, context.frame.caseValues.get(def.name)) : undefined;
      if (misfits !== undefined && misfits.size > 0) {
        const cases = [...misfits.values()].reduce((sum, n) => sum + n, 0);
        context.warnings.push(
          `attribute ${def.name} is of type ${def.type}, but ${plural(cases, 'case')} ${cases === 1 ? 'holds a value that is' : 'hold values that are'} not ${attributeTypeNeeds(def.type)}: ${someValues(misfits)}; ` +
            `so column ${name} is written as text in cases.csv, documents.csv and segments.csv (fix the values with qcode cases set, or change the type back)`,
        );
        return { def, column: { name, label, type: 'string' } };
      }
      if (def.type === 'number') {
        // R reads an integer column as 32-bit and aborts on anything wider: larger whole numbers are doubles.
        const numbers = values.filter((value) => value.trim() !== '').map(Number);
        const integral = numbers.every((value) => Number.isInteger(value) && Math.abs(value) <= R_INTEGER_MAX);
        return { def, column: integral ? { name, label, type: 'integer' } : { name, label, type: 'number', display: numberDisplay(numbers) } };
      }
      return { def, column: { name, label, type: def.type === 'date' ? 'date' : 'string' } };
    });
}

/** Values of a number or date attribute that are not of its type, with the number of cases holding each. */
function misfitCounts(def: AttributeDef, values: ReadonlyMap<number, string> | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values?.values() ?? []) {
    if (value.trim() !== '' && attributeMisfit(def, value) === 'type') counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return counts;
}

/** The attribute cells of one case, as CSV text (with a leading comma), tracking widths. */
function attributeCells(attributes: readonly AttributeColumn[], caseIndex: number | undefined, context: ExportContext, tracker: WidthTracker, firstColumn: number): string {
  let text = '';
  attributes.forEach((attribute, i) => {
    const raw = caseIndex === undefined ? undefined : context.frame.caseValues.get(attribute.def.name)?.get(caseIndex);
    if (attribute.column.type === 'integer' || attribute.column.type === 'number') {
      const written = raw === undefined || raw.trim() === '' ? '' : numberCell(Number(raw));
      tracker.number(firstColumn + i, written);
      text += `,${written}`;
    } else {
      const written = textCell(raw, context.policy);
      tracker.text(firstColumn + i, written);
      text += `,${encodeField(written)}`;
    }
  });
  return text;
}

/** Ids with labels: SPSS value labels, R factor levels (the ids themselves). */
function idCategories(column: ExportColumn, categories: Array<{ value: string; label: string }>): ExportColumn {
  return { ...column, categories, keepValues: true, bytes: Math.max(1, ...categories.map((category) => Buffer.byteLength(category.value, 'utf8'))) };
}

// created_at as qcode writes it: needs no quoting and can never start a formula.
const ISO_TIME = /^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:?\d\d)?$/;

interface PassResult {
  codings: ExportTable;
  segments: ExportTable;
  /** Per document id: segments carrying each exported code (by position in the code columns). */
  perDocument: Map<number, Int32Array>;
  /** By frame code index: codings, and segments carrying the code. */
  codingsPerCode: Int32Array;
  segmentsPerCode: Int32Array;
  /** The coded segments, for the co-occurrence counts. */
  coded: CodedSegmentRow[];
}

/**
 * codings.csv and segments.csv in one pass: the segments in id order, merged with the codings in
 * segment order, so that each segment's text is read and encoded once for both files.
 */
function* writeCodingsAndSegments(db: Db, dir: string, context: ExportContext, attributes: readonly AttributeColumn[], codes: readonly CodeColumn[]): Generator<void, PassResult> {
  const { frame, codebook, policy, language } = context;
  // Where a row is: the first columns of codings.csv and segments.csv alike.
  const place = (): ExportColumn[] => [
    { name: 'doc_id', label: 'Document', type: 'string' },
    { name: 'case_id', label: 'Case', type: 'string' },
    { name: 'segment', label: 'Segment number in the document', type: 'integer' },
    { name: 'speaker', label: 'Speaker', type: 'string' },
  ];
  const codingColumns: ExportColumn[] = [
    ...place(),
    { name: 'start', label: 'Start of the coded text (code points from 0 into the document)', type: 'integer' },
    { name: 'end', label: 'End of the coded text (exclusive)', type: 'integer' },
    { name: 'whole', label: 'Coding of the whole segment (1) or of a span (0)', type: 'integer' },
    idCategories({ name: 'code_id', label: 'Code id', type: 'string' }, codebook.codes.map((code) => ({ value: code.id, label: labelIn(code, language) }))),
    idCategories({ name: 'dimension', label: 'Dimension', type: 'string' }, codebook.dimensions.map((dimension) => ({ value: dimension.id, label: labelIn(dimension, language) }))),
    { name: 'label', label: 'Code label', type: 'string' },
    { name: 'coder', label: 'Coder', type: 'string' },
    { name: 'created_at', label: 'Coded at (UTC)', type: 'string' },
    { name: 'text', label: 'Segment text (line breaks as spaces)', type: 'string' },
  ];
  const segmentFixed: ExportColumn[] = [
    ...place(),
    { name: 'start', label: 'Start (code points from 0 into the document)', type: 'integer' },
    { name: 'end', label: 'End (exclusive)', type: 'integer' },
    { name: 't_start', label: 'Media start (ms)', type: 'integer' },
    { name: 't_end', label: 'Media end (ms)', type: 'integer' },
  ];
  const segmentColumns: ExportColumn[] = [
    ...segmentFixed,
    ...attributes.map((attribute) => structuredClone(attribute.column)),
    ...codes.map((code) => code.column),
    { name: 'text', label: 'Segment text (line breaks as spaces)', type: 'string' },
  ];
  // Segment-level fields have the same positions in both files; their widths are tracked once and shared.
  const codingWidths = new WidthTracker(codingColumns);
  const segmentWidths = new WidthTracker(segmentColumns);
  const attributeStart = segmentFixed.length;
  const textColumn = segmentColumns.length - 1;

  const codeById = new Map(codebook.codes.map((code) => [code.id, code]));
  const codeCells = frame.codeIds.map((id) => {
    const code = codeById.get(id);
    const cells = [textCell(id, policy), textCell(code?.dimensionId ?? '', policy), textCell(code ? labelIn(code, language) : id, policy)];
    cells.forEach((cell, i) => codingWidths.text(7 + i, cell));
    return cells.map(encodeField).join(',');
  });
  const coderCells: string[] = [];
  for (const coder of listCoders(db)) {
    const cell = textCell(coder.name, policy);
    codingWidths.text(10, cell);
    coderCells[coder.id] = encodeField(cell);
  }
  const columnOfCode = new Int32Array(frame.codeIds.length).fill(-1);
  codes.forEach((code, position) => {
    columnOfCode[code.index] = position;
  });
  const perDocument = new Map<number, Int32Array>();
  const codingsPerCode = new Int32Array(frame.codeIds.length);
  const segmentsPerCode = new Int32Array(frame.codeIds.length);
  const coded: CodedSegmentRow[] = [];
  const caseCells = new Map<string | null, string>();
  const flags = new Array<string>(codes.length).fill('0');
  const flagged: number[] = [];

  const codingRows = iterateCodings(db, frame, context.coderIds);
  const segments = iterateSegments(db);
  const codingsFile = new CsvFileWriter(join(dir, 'codings.csv'), codingColumns.map((column) => column.name), { bom: policy.excel });
  let segmentsFile: CsvFileWriter | undefined;
  try {
    segmentsFile = new CsvFileWriter(join(dir, 'segments.csv'), segmentColumns.map((column) => column.name), { bom: policy.excel });
    let coding = codingRows.next();
    for (const [id, documentId, ordinal, speaker, start, end, tStart, tEnd, text] of segments) {
      const document = frame.documentById.get(documentId);
      const caseId = document?.caseId ?? null;
      const cells = [textCell(document?.slug, policy), textCell(caseId, policy), textCell(speaker, policy)];
      for (const [i, column] of [0, 1, 3].entries()) {
        codingWidths.text(column, cells[i]!);
        segmentWidths.text(column, cells[i]!);
      }
      codingWidths.number(2, String(ordinal));
      segmentWidths.number(2, String(ordinal));
      const prefix = `${encodeField(cells[0]!)},${encodeField(cells[1]!)},${ordinal},${encodeField(cells[2]!)},`;
      const prefixBytes = Buffer.from(prefix, 'utf8');
      const wholeSpan = `${start},${end},1,`;
      const flat = textCell(text, policy);
      codingWidths.text(12, flat);
      segmentWidths.text(textColumn, flat);
      const textBytes = Buffer.from(`${encodeField(flat)}${RECORD_END}`, 'utf8');

      while (!coding.done && coding.value[0] < id) coding = codingRows.next();
      const spans: CodeSpan[] = [];
      let lastEnd = end;
      while (!coding.done && coding.value[0] === id) {
        const [, code, coderId, from, to, createdAt] = coding.value;
        const created = ISO_TIME.test(createdAt) ? createdAt : encodeField(textCell(createdAt, policy));
        codingWidths.text(11, created);
        if (to !== null && to > lastEnd) lastEnd = to;
        codingsFile.writeBytes(prefixBytes);
        codingsFile.write(from === null ? `${wholeSpan}${codeCells[code]},${coderCells[coderId] ?? ''},${created},` : `${from},${to},0,${codeCells[code]},${coderCells[coderId] ?? ''},${created},`);
        codingsFile.writeBytes(textBytes);
        codingsFile.rows++;
        codingsPerCode[code]! += 1;
        spans.push({ code, start: from, end: to });
        coding = codingRows.next();
      }
      if (spans.length > 0) {
        codingWidths.number(4, String(start));
        codingWidths.number(5, String(lastEnd));
      }

      let counts = perDocument.get(documentId);
      if (!counts) perDocument.set(documentId, (counts = new Int32Array(codes.length)));
      for (const span of spans) {
        const position = columnOfCode[span.code]!;
        if (position >= 0 && flags[position] === '0') {
          flags[position] = '1';
          flagged.push(position);
          counts[position]! += 1;
          segmentsPerCode[span.code]! += 1;
        }
      }
      if (spans.length > 0) coded.push({ segmentId: id, documentId, codings: spans });

      let attributeText = caseCells.get(caseId);
      if (attributeText === undefined) {
        attributeText = attributeCells(attributes, caseId === null ? undefined : frame.caseIndex.get(caseId), context, segmentWidths, attributeStart);
        caseCells.set(caseId, attributeText);
      }
      const times = [numberCell(tStart), numberCell(tEnd)];
      segmentWidths.number(4, String(start));
      segmentWidths.number(5, String(end));
      segmentWidths.number(6, times[0]!);
      segmentWidths.number(7, times[1]!);
      segmentsFile.write(`${prefix}${start},${end},${times[0]},${times[1]}${attributeText}${codes.length > 0 ? `,${flags.join(',')}` : ''},`);
      segmentsFile.writeBytes(textBytes);
      segmentsFile.rows++;
      for (const position of flagged) flags[position] = '0';
      flagged.length = 0;
      if (segmentsFile.rows % 4096 === 0) yield;
    }
    if (!coding.done) throw new Error(`coding of a missing segment ${coding.value[0]}`);
    codingsFile.close();
    segmentsFile.close();
  } catch (error) {
    codingRows.return?.();
    segments.return?.();
    codingsFile.abandon();
    segmentsFile?.abandon();
    throw error;
  }
  return {
    codings: { file: 'codings.csv', name: 'codings', title: 'one row per coding', columns: codingColumns, rows: codingsFile.rows },
    segments: { file: 'segments.csv', name: 'segments', title: 'one row per segment, a 0/1 column per code', columns: segmentColumns, rows: segmentsFile.rows },
    perDocument,
    codingsPerCode,
    segmentsPerCode,
    coded,
  };
}

function countColumns(codes: readonly CodeColumn[]): ExportColumn[] {
  return codes.map((code) => ({ ...code.column, type: 'integer', label: `${code.column.label} (segments)` }));
}

function writeDocuments(path: string, context: ExportContext, attributes: readonly AttributeColumn[], codes: readonly CodeColumn[], perDocument: Map<number, Int32Array>): ExportTable {
  const { frame, policy } = context;
  const fixed: ExportColumn[] = [
    { name: 'doc_id', label: 'Document', type: 'string' },
    { name: 'title', label: 'Title', type: 'string' },
    { name: 'case_id', label: 'Case', type: 'string' },
    { name: 'kind', label: 'Kind of document', type: 'string' },
    { name: 'language', label: 'Language', type: 'string' },
    { name: 'format', label: 'Source format', type: 'string' },
    { name: 'segments', label: 'Segments', type: 'integer' },
  ];
  const columns = [...fixed, ...attributes.map((attribute) => structuredClone(attribute.column)), ...countColumns(codes)];
  const tracker = new WidthTracker(columns);
  const rows = frame.documents.map((document) => {
    const texts = [document.slug, document.title, document.caseId, document.kind, document.language, document.format].map((value) => textCell(value, policy));
    const row: Array<string | number> = [...texts, document.segments];
    texts.forEach((text, i) => tracker.text(i, text));
    tracker.number(6, String(document.segments));
    const caseIndex = document.caseId === null ? undefined : frame.caseIndex.get(document.caseId);
    row.push(...attributeValues(attributes, caseIndex, context, tracker, fixed.length));
    const counts = perDocument.get(document.id) ?? new Int32Array(codes.length);
    counts.forEach((n, i) => {
      tracker.number(fixed.length + attributes.length + i, String(n));
      row.push(n);
    });
    return row;
  });
  writeFileSync(path, smallCsv(columns.map((column) => column.name), rows, { bom: policy.excel }), { mode: 0o600, flag: 'wx' });
  return { file: 'documents.csv', name: 'documents', title: 'one row per document, segments carrying each code', columns, rows: rows.length };
}

function attributeValues(attributes: readonly AttributeColumn[], caseIndex: number | undefined, context: ExportContext, tracker: WidthTracker, firstColumn: number): Array<string | number> {
  return attributes.map((attribute, i) => {
    const raw = caseIndex === undefined ? undefined : context.frame.caseValues.get(attribute.def.name)?.get(caseIndex);
    if (attribute.column.type === 'integer' || attribute.column.type === 'number') {
      const written = raw === undefined || raw.trim() === '' ? '' : numberCell(Number(raw));
      tracker.number(firstColumn + i, written);
      return written === '' ? '' : Number(written);
    }
    const written = textCell(raw, context.policy);
    tracker.text(firstColumn + i, written);
    return written;
  });
}

function writeCases(path: string, context: ExportContext, attributes: readonly AttributeColumn[], codes: readonly CodeColumn[], perDocument: Map<number, Int32Array>): ExportTable {
  const { frame, policy } = context;
  const fixed: ExportColumn[] = [
    { name: 'case_id', label: 'Case', type: 'string' },
    { name: 'kind', label: 'Kind of case', type: 'string' },
  ];
  const totals: ExportColumn[] = [
    { name: 'documents', label: 'Documents', type: 'integer' },
    { name: 'segments', label: 'Segments', type: 'integer' },
  ];
  const columns = [...fixed, ...attributes.map((attribute) => structuredClone(attribute.column)), ...totals, ...countColumns(codes)];
  const tracker = new WidthTracker(columns);
  const rows = frame.cases.map((item, caseIndex) => {
    const texts = [textCell(item.id, policy), textCell(item.kind, policy)];
    texts.forEach((text, i) => tracker.text(i, text));
    const row: Array<string | number> = [...texts, ...attributeValues(attributes, caseIndex, context, tracker, fixed.length)];
    const documents = frame.documents.filter((document) => document.caseId === item.id);
    const counts = new Int32Array(codes.length);
    for (const document of documents) {
      const perCode = perDocument.get(document.id);
      if (perCode) perCode.forEach((n, i) => (counts[i]! += n));
    }
    const segments = documents.reduce((sum, document) => sum + document.segments, 0);
    const after = fixed.length + attributes.length;
    tracker.number(after, String(documents.length));
    tracker.number(after + 1, String(segments));
    row.push(documents.length, segments);
    counts.forEach((n, i) => {
      tracker.number(after + 2 + i, String(n));
      row.push(n);
    });
    return row;
  });
  writeFileSync(path, smallCsv(columns.map((column) => column.name), rows, { bom: policy.excel }), { mode: 0o600, flag: 'wx' });
  return { file: 'cases.csv', name: 'cases', title: 'one row per case, segments carrying each code', columns, rows: rows.length };
}

function writeCodebook(path: string, context: ExportContext, codes: readonly CodeColumn[], codings: Int32Array, perCode: Int32Array, bom: boolean): ExportTable {
  const { codebook, policy } = context;
  const names = new NameAllocator(FIXED_NAMES);
  // Every language has its columns, whatever --lang says, the codes' labels and the dimensions' alike.
  const otherLanguages = codebook.languages.slice(1).map((language) => ({ language, name: names.allocate(`label_${language}`) }));
  const otherDimensionLanguages = codebook.languages.slice(1).map((language) => ({ language, name: names.allocate(`dimension_label_${language}`) }));
  const firstLanguage = codebook.languages[0] ?? 'en';
  const columns: ExportColumn[] = [
    { name: 'code_id', label: 'Code id', type: 'string' },
    { name: 'variable', label: 'Column of the code in segments, documents and cases', type: 'string' },
    { name: 'dimension', label: 'Dimension', type: 'string' },
    { name: 'dimension_label', label: `Dimension label (${firstLanguage})`, type: 'string' },
    ...otherDimensionLanguages.map(({ language, name }): ExportColumn => ({ name, label: `Dimension label (${language})`, type: 'string' })),
    { name: 'parent_id', label: 'Parent code', type: 'string' },
    { name: 'label', label: `Label (${firstLanguage})`, type: 'string' },
    ...otherLanguages.map(({ language, name }): ExportColumn => ({ name, label: `Label (${language})`, type: 'string' })),
    { name: 'definition', label: 'Definition', type: 'string' },
    { name: 'include', label: 'Include', type: 'string' },
    { name: 'exclude', label: 'Exclude', type: 'string' },
    { name: 'status', label: 'Status (active or retired)', type: 'string' },
    { name: 'codings', label: 'Codings', type: 'integer' },
    { name: 'segments', label: 'Segments carrying the code', type: 'integer' },
  ];
  const tracker = new WidthTracker(columns);
  const variableOf = new Map(codes.map((code) => [code.id, code.column.name]));
  const dimensions = new Map(codebook.dimensions.map((dimension) => [dimension.id, dimension]));
  const rows = codebook.codes
    .filter((code) => variableOf.has(code.id))
    .map((code) => {
      const index = context.frame.codeIndex.get(code.id)!;
      const dimension = dimensions.get(code.dimensionId);
      const texts = [
        code.id, variableOf.get(code.id)!, code.dimensionId, dimension ? dimension.label : code.dimensionId,
        ...otherDimensionLanguages.map(({ language }) => dimension?.labels[language] ?? ''), code.parentId, code.label,
        ...otherLanguages.map(({ language }) => code.labels[language] ?? ''), code.definition, code.include, code.exclude, code.status,
      ].map((value) => textCell(value, policy));
      texts.forEach((text, i) => tracker.text(i, text));
      const numbers = [codings[index] ?? 0, perCode[index] ?? 0];
      numbers.forEach((n, i) => tracker.number(texts.length + i, String(n)));
      return [...texts, ...numbers];
    });
  writeFileSync(path, smallCsv(columns.map((column) => column.name), rows, { bom }), { mode: 0o600, flag: 'wx' });
  return { file: 'codebook.csv', name: 'codebook', title: 'one row per code', columns, rows: rows.length };
}

function cooccurColumns(): ExportColumn[] {
  return [
    { name: 'hypothesis', label: 'Hypothesis', type: 'string' },
    { name: 'row', label: 'Row: code id or attribute:NAME=VALUE', type: 'string' },
    { name: 'row_label', label: 'Row label', type: 'string' },
    { name: 'column', label: 'Column: code id or attribute:NAME=VALUE', type: 'string' },
    { name: 'column_label', label: 'Column label', type: 'string' },
    { name: 'n_ab', label: 'Units carrying both', type: 'integer' },
    { name: 'n_a', label: 'Units carrying the row', type: 'integer' },
    { name: 'n_b', label: 'Units carrying the column', type: 'integer' },
    { name: 'c', label: 'c-coefficient n_ab/(n_a+n_b-n_ab)', type: 'number', decimals: 6 },
    { name: 'rowpct', label: 'Percent of the row units (n_ab/n_a)', type: 'number', decimals: 4 },
    { name: 'colpct', label: 'Percent of the column units (n_ab/n_b)', type: 'number', decimals: 4 },
  ];
}
