import { basename } from 'node:path';
import { plural } from '../core/codebook-plan.js';
import { ProblemsError, UserError, type Problem } from '../core/errors.js';
import { didYouMeanSuffix } from '../core/suggest.js';
import { csvSyntaxError } from '../io/import/csv.js';
import { readUtf8File } from '../io/text-file.js';
import {
  allCodersForLookup, allDocumentsForLookup, applyCodingBatch, coderCodingsOnSegment, documentSegmentIds, exclusiveCodings, segmentForLookup, storeVersion,
  type CodingChange, type LookupDocument, type SeenMark,
} from '../store/codings.js';
import { ensureCoder, type CoderRow } from '../store/common.js';
import type { Db } from '../store/db.js';
import { CodeIndex, newBatchId, newCoderNameProblem, storedCoderName, wholeSegmentSpan } from './coding.js';
import type { Project } from './project.js';

// tag --from FILE.csv (and untag --from): a whole file of codings is checked first, every problem reported
// with its line, and only then written, in one transaction, as one batch that undo reverts.
//
// The file is parsed a piece at a time, so its parsed records are never all held at once, and a valid row is
// kept as a few numbers: 887,000 rows needed 1 GB when every row was parsed first and became objects.

export interface CsvTagOptions {
  file: string;
  /** For rows whose coder column is empty or missing. */
  defaultCoder?: string | undefined;
  dryRun?: boolean | undefined;
  /** untag --from: remove the listed codings instead. */
  remove?: boolean | undefined;
}

export interface CsvTagReport {
  file: string;
  rows: number;
  /** Rows that repeat an earlier row of the file. */
  duplicates: number;
  added: number;
  alreadyThere: number;
  removed: number;
  missing: number;
  /** Rows with an empty code: the coder saw the segment and gave it no code (not with untag). */
  seenWithoutCode: number;
  coders: string[];
  batch: string | null;
  dryRun: boolean;
}

const CSV_COLUMNS = ['document', 'segment', 'segment_id', 'code', 'coder', 'start', 'end'] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];
/** More problems than anyone reads; the count still says how many there were. */
const MAX_REPORTED_PROBLEMS = 500;
/** Whole-segment rows of the first 1,024 coders get a numeric duplicate key; the rest a string one. */
const NUMERIC_KEY_CODERS = 1024;

/** Where a segment sits: what a row names and the events record. */
interface RowSegment {
  id: number;
  documentId: number;
  ordinal: number;
}

/** The valid rows, as parallel columns of numbers (a span of -1 means the whole segment). */
class RowColumns {
  readonly segment: number[] = [];
  readonly document: number[] = [];
  readonly ordinal: number[] = [];
  readonly code: number[] = [];
  readonly coder: number[] = [];
  readonly start: number[] = [];
  readonly end: number[] = [];

  get length(): number {
    return this.segment.length;
  }

  push(segment: RowSegment, code: number, coder: number, start: number | null, end: number | null): void {
    this.segment.push(segment.id);
    this.document.push(segment.documentId);
    this.ordinal.push(segment.ordinal);
    this.code.push(code);
    this.coder.push(coder);
    this.start.push(start ?? -1);
    this.end.push(end ?? -1);
  }

  /** Row indices in segment order, so that each index and the seen table are written page after page. */
  inSegmentOrder(): Uint32Array {
    const order = new Uint32Array(this.length);
    for (let i = 0; i < order.length; i++) order[i] = i;
    const segment = this.segment;
    return order.sort((a, b) => segment[a]! - segment[b]! || a - b);
  }
}

/**
 * Validates a whole CSV of codings, reporting every problem with its line, and only then writes it:
 * in one transaction, as one batch. Lookups are loaded into Maps once, so 100,000 rows take seconds.
 */
export async function tagFromCsv(project: Project, options: CsvTagOptions): Promise<CsvTagReport> {
  const text = readUtf8File(options.file, 'CSV file', {
    // The whole file is checked before anything is written, so its rows are held in memory at once.
    tooLarge: 'Split it into files under the limit (e.g. by document, header line in each); each goes in as its own batch',
  });
  const { parse } = await import('csv-parse/sync');
  const csvOptions = { delimiter: csvDelimiter(text), relax_column_count: true, skip_empty_lines: true };
  const pieces = csvPieces(text, PIECE_CHARS);
  const lines = new RecordLines(pieces, (piece) => parse(piece, { ...csvOptions, bom: piece === pieces[0]?.text, info: true }) as unknown as ParsedRecord[]);
  /** Reads the whole file and checks it against the store as it is now; throws every problem found. */
  const check = (): CsvCodingsReader => {
    const reader = new CsvCodingsReader(project.db, options, (record, field) => lines.lineOf(record, field));
    let record = 0;
    for (const piece of pieces) {
      piece.firstRecord = record;
      let records = splitPlainCsv(piece.text, csvOptions.delimiter, piece === pieces[0]);
      try {
        records ??= parse(piece.text, { ...csvOptions, bom: piece === pieces[0] }) as string[][];
      } catch (error) {
        throw csvSyntaxError(parse, text, options.file, { delimiter: csvOptions.delimiter, relax_column_count: true }) ?? error;
      }
      for (const fields of records) reader.take(fields, record++);
    }
    reader.verify();
    return reader;
  };
  const checked = check();
  if (options.dryRun) return checked.count();
  // The file is checked before the write lock is taken, so that other qcode writers wait only for the
  // write. Another qcode may have committed meanwhile (the same segment given another code of an
  // exclusive dimension, a document replaced, the codebook applied): the checks are then made again
  // under the lock, where nothing can change before the write.
  return project.db.transaction(() => (checked.storeUnchanged() ? checked : check()).write()).immediate();
}

/**
 * The records of CSV text that has no quote and no carriage return, where every line is a record and
 * every delimiter splits a field, as csv-parse reads it (empty lines skipped, a leading byte-order mark
 * dropped); undefined for any other text, which goes to csv-parse. Files written by scripts are mostly
 * like this, and csv-parse takes ten times as long over them.
 */
export function splitPlainCsv(text: string, delimiter: string, bom: boolean): string[][] | undefined {
  if (text.includes('"') || text.includes('\r')) return undefined;
  const records: string[][] = [];
  for (const line of (bom && text.startsWith('\uFEFF') ? text.slice(1) : text).split('\n')) {
    if (line !== '') records.push(line.split(delimiter));
  }
  return records;
}

/** Characters per piece of the file that is parsed at once: big enough to parse fast, small enough not to be held. */
const PIECE_CHARS = 1 << 20;

interface CsvPiece {
  text: string;
  /** The file's line on which the piece starts. */
  firstLine: number;
  /** The number (0: the header) of the piece's first record in the file; infinite until the piece is parsed. */
  firstRecord: number;
}

/**
 * The text cut into pieces that each end at a record boundary: a line break outside quotes, where the
 * quotes seen so far are even in number (RFC 4180 writes a quote inside a field as two). A file whose
 * quotes do not pair up fails to parse either way, and is then parsed whole for the parser's own error.
 */
function csvPieces(text: string, size: number): CsvPiece[] {
  const pieces: CsvPiece[] = [];
  let start = 0;
  let line = 1;
  while (start < text.length) {
    let end = Math.min(text.length, start + size);
    let odd = countOf(text, '"', start, end) % 2 === 1;
    while (end < text.length) {
      const newline = text.indexOf('\n', end);
      if (newline === -1) {
        end = text.length;
        break;
      }
      if (countOf(text, '"', end, newline) % 2 === 1) odd = !odd;
      end = newline + 1;
      if (!odd) break;
    }
    pieces.push({ text: text.slice(start, end), firstLine: line, firstRecord: Number.POSITIVE_INFINITY });
    line += countOf(text, '\n', start, end);
    start = end;
  }
  return pieces;
}

function countOf(text: string, char: string, from: number, to: number): number {
  let count = 0;
  for (let at = text.indexOf(char, from); at !== -1 && at < to; at = text.indexOf(char, at + 1)) count++;
  return count;
}

interface ParsedRecord {
  record: string[];
  info: { empty_lines: number };
}

interface PieceLines {
  /** The line (1: the piece's first) on which each record starts. */
  starts: number[];
  /** For a record over several lines: the line, counted from its start, on which each field starts (and, last, where it ends). */
  fieldLines: Map<number, number[]>;
}

/**
 * Line numbers of records and of their fields, worked out only for the pieces that hold a problem (it
 * costs a second parse of the piece). They are counted from the line breaks inside the fields and the
 * empty lines skipped, not taken from csv-parse's info.lines: that is the line a record ends on, and it
 * counts a quoted CRLF as two lines.
 */
class RecordLines {
  private readonly linesOf = new Map<CsvPiece, PieceLines>();

  constructor(private readonly pieces: CsvPiece[], private readonly parseRecords: (text: string) => ParsedRecord[]) {}

  /** The line on which a record (0: the header) starts, or on which its field (1: the first) starts. */
  lineOf(record: number, field?: number): number {
    let piece = this.pieces[0];
    for (const candidate of this.pieces) if (candidate.firstRecord <= record) piece = candidate;
    if (piece === undefined) return record + 1;
    let lines = this.linesOf.get(piece);
    if (lines === undefined) this.linesOf.set(piece, (lines = pieceLines(this.parseRecords(piece.text))));
    const index = record - piece.firstRecord;
    const start = lines.starts[index];
    if (start === undefined) return record + 1;
    const fieldLines = lines.fieldLines.get(index);
    const offset = field === undefined || fieldLines === undefined ? 0 : (fieldLines[Math.min(field - 1, fieldLines.length - 1)] ?? 0);
    return piece.firstLine + start - 1 + offset;
  }
}

function pieceLines(parsed: readonly ParsedRecord[]): PieceLines {
  const starts: number[] = [];
  const fieldLines = new Map<number, number[]>();
  let linesBefore = 0;
  parsed.forEach(({ record, info }, index) => {
    starts.push(1 + linesBefore + info.empty_lines);
    let offset = 0;
    const offsets = record.map((field) => {
      const at = offset;
      offset += countOf(field, '\n', 0, field.length);
      return at;
    });
    if (offset > 0) fieldLines.set(index, [...offsets, offset]);
    linesBefore += offset + 1;
  });
  return { starts, fieldLines };
}

class CsvCodingsReader {
  private readonly file: string;
  private readonly index: CodeIndex;
  private readonly codeIds: string[];
  private readonly codeNumber = new Map<string, number>();
  private readonly documentBySlug: Map<string, LookupDocument>;
  private readonly documentById: Map<number, LookupDocument>;
  private readonly slugs: string[];
  /** Segment ids by ordinal, read per document the file names: a file about a few interviews reads only those. */
  private readonly segmentsByDocument = new Map<number, Map<number, number>>();
  private readonly coderNames: string[] = [];
  private readonly coderNumber = new Map<string, number>();
  private readonly storedNames = new Map<string, string>();
  private readonly coderNameProblems = new Map<string, { what: string; fix: string } | undefined>();
  /** What a coder gave a segment in an exclusive dimension: stored (record null) or in an earlier record of the file. */
  private readonly exclusiveGiven = new Map<string, { code: string; record: number | null }>();
  private readonly wholeKeys = new Set<number>();
  private readonly otherKeys = new Set<string>();
  private readonly rows = new RowColumns();
  private readonly seenRows = new RowColumns();
  private readonly problems: Problem[] = [];
  private problemCount = 0;
  private header: string[] | undefined;
  private readonly columnIndex = new Map<CsvColumn, number>();
  private headerFailed = false;
  private records = 0;
  private duplicates = 0;
  /** The store's version before anything was read from it. */
  private readonly version: number;

  constructor(private readonly db: Db, private readonly options: CsvTagOptions, private readonly lineOf: (record: number, field?: number) => number) {
    this.version = storeVersion(db);
    this.file = options.file;
    this.index = CodeIndex.load(db);
    this.codeIds = [...this.index.codes.keys()];
    this.codeIds.forEach((id, n) => this.codeNumber.set(id, n));
    const documents = allDocumentsForLookup(db);
    this.documentBySlug = new Map(documents.map((document) => [document.slug, document]));
    this.documentById = new Map(documents.map((document) => [document.id, document]));
    this.slugs = documents.map((document) => document.slug);
  }

  /** A problem in a record (0: the header), reported at its line. */
  private problem(record: number, col: number, message: string): void {
    this.problemCount++;
    if (this.problems.length < MAX_REPORTED_PROBLEMS) this.problems.push({ file: this.file, line: this.lineOf(record, col), col, message });
  }

  private column(record: string[], name: CsvColumn): string | undefined {
    const at = this.columnIndex.get(name);
    return at === undefined ? undefined : record[at]?.trim();
  }

  private colOf(name: CsvColumn): number {
    return (this.columnIndex.get(name) ?? 0) + 1;
  }

  /** The record numbered `at` in the file (0: the header). */
  take(record: string[], at: number): void {
    if (this.header === undefined) {
      this.header = record;
      this.readHeader(record, at);
      return;
    }
    this.records++;
    if (!this.headerFailed) this.readRow(record, at, this.header.length);
  }

  private readHeader(header: string[], at: number): void {
    header.forEach((raw, index) => {
      const name = raw.trim().toLowerCase();
      if ((CSV_COLUMNS as readonly string[]).includes(name)) {
        if (this.columnIndex.has(name as CsvColumn)) this.problem(at, index + 1, `column "${name}" appears twice`);
        this.columnIndex.set(name as CsvColumn, index);
      } else {
        this.problem(at, index + 1, `unknown column "${raw}"${didYouMeanSuffix(name, CSV_COLUMNS)}; the columns are ${CSV_COLUMNS.join(', ')}`);
      }
    });
    const has = (name: CsvColumn): boolean => this.columnIndex.has(name);
    if (!has('code')) this.problem(at, 1, 'no "code" column');
    if (!(has('document') && has('segment')) && !has('segment_id')) this.problem(at, 1, 'no segment columns: give "document" and "segment" (its number), or "segment_id"');
    if (has('start') !== has('end')) this.problem(at, 1, 'a span needs both "start" and "end" columns');
    if (!has('coder') && this.options.defaultCoder === undefined) this.problem(at, 1, 'no "coder" column: add one, or pass --coder NAME (or set QCODE_CODER)');
    this.headerFailed = this.problemCount > 0;
  }

  private ordinalsOf(documentId: number): Map<number, number> {
    let ordinals = this.segmentsByDocument.get(documentId);
    if (ordinals === undefined) {
      ordinals = new Map(documentSegmentIds(this.db, documentId).map(([id, ordinal]) => [ordinal, id]));
      this.segmentsByDocument.set(documentId, ordinals);
    }
    return ordinals;
  }

  /** The coder's number; on first sight, their stored codings in exclusive dimensions are read for the one-code rule. */
  private coderOf(name: string): number {
    let number = this.coderNumber.get(name);
    if (number === undefined) {
      number = this.coderNames.length;
      this.coderNames.push(name);
      this.coderNumber.set(name, number);
      if (!this.options.remove) {
        for (const row of exclusiveCodings(this.db, [name])) {
          this.exclusiveGiven.set(`${row.segment_id}\u0000${number}\u0000${row.dimension_id}`, { code: row.code_id, record: null });
        }
      }
    }
    return number;
  }

  /** The name a row's coder is stored under (see storedCoderName), looked up once per name the file gives. */
  private storedNameOf(typed: string): string {
    let name = this.storedNames.get(typed);
    if (name === undefined) {
      name = storedCoderName(this.db, typed);
      this.storedNames.set(typed, name);
    }
    return name;
  }

  /** newCoderNameProblem, asked of the store once per name: a file names a few coders in 100,000 rows. */
  private coderNameProblemOf(name: string): { what: string; fix: string } | undefined {
    if (!this.coderNameProblems.has(name)) this.coderNameProblems.set(name, newCoderNameProblem(this.db, name));
    return this.coderNameProblems.get(name);
  }

  private labelOf(segment: RowSegment): string {
    return `${this.documentById.get(segment.documentId)?.slug}:${segment.ordinal}`;
  }

  private readSegment(record: string[], at: number): RowSegment | undefined {
    const segmentIdText = this.column(record, 'segment_id');
    if (segmentIdText !== undefined && segmentIdText !== '') {
      if (!/^\d+$/.test(segmentIdText)) {
        this.problem(at, this.colOf('segment_id'), `segment_id "${segmentIdText}" is not a number`);
        return undefined;
      }
      const found = segmentForLookup(this.db, Number(segmentIdText));
      if (found === undefined) this.problem(at, this.colOf('segment_id'), `no segment with id ${segmentIdText}`);
      return found === undefined ? undefined : { id: found.id, documentId: found.document_id, ordinal: found.ordinal };
    }
    if (!(this.columnIndex.has('document') && this.columnIndex.has('segment'))) {
      this.problem(at, this.colOf('segment_id'), 'the segment_id is empty');
      return undefined;
    }
    const slug = this.column(record, 'document') ?? '';
    const ordinalText = this.column(record, 'segment') ?? '';
    const document = this.documentBySlug.get(slug);
    if (slug === '') this.problem(at, this.colOf('document'), 'the document is empty');
    else if (document === undefined) this.problem(at, this.colOf('document'), `unknown document "${slug}"${didYouMeanSuffix(slug, this.slugs)}`);
    if (!/^\d+$/.test(ordinalText)) {
      this.problem(at, this.colOf('segment'), `segment "${ordinalText}" is not a segment number (1, 2, …)`);
      return undefined;
    }
    if (document === undefined) return undefined;
    const ordinals = this.ordinalsOf(document.id);
    const id = ordinals.get(Number(ordinalText));
    if (id === undefined) {
      const range = ordinals.size === 0 ? 'it has no segments' : `its segments are ${Math.min(...ordinals.keys())}–${Math.max(...ordinals.keys())}`;
      this.problem(at, this.colOf('segment'), `${slug} has no segment ${ordinalText} (${range})`);
      return undefined;
    }
    return { id, documentId: document.id, ordinal: Number(ordinalText) };
  }

  private readRow(record: string[], at: number, headerLength: number): void {
    if (record.length !== headerLength) {
      this.problem(at, 1, `this row has ${record.length} fields but the header has ${headerLength}`);
      return;
    }
    const before = this.problemCount;
    const segment = this.readSegment(record, at);

    const codeId = this.column(record, 'code') ?? '';
    // An empty code says "seen, no code": agreement then counts the segment as this coder's absence.
    const seenOnly = codeId === '' && !this.options.remove;
    const codeProblem = codeId === '' ? (seenOnly ? undefined : 'the code is empty') : this.index.problemWith(codeId, this.options.remove ? 'remove' : 'apply');
    if (codeProblem !== undefined) this.problem(at, this.colOf('code'), codeProblem);

    const typedCoder = (this.column(record, 'coder') || this.options.defaultCoder) ?? '';
    const coderName = typedCoder === '' ? '' : this.storedNameOf(typedCoder);
    if (coderName === '') this.problem(at, this.colOf('coder'), 'no coder: fill the coder column, or pass --coder NAME for such rows');
    else {
      const problem = this.coderNameProblemOf(coderName);
      if (problem !== undefined) this.problem(at, this.colOf('coder'), `${problem.what}: ${problem.fix}`);
    }

    let start: number | null = null;
    let end: number | null = null;
    const startText = this.column(record, 'start') ?? '';
    const endText = this.column(record, 'end') ?? '';
    if (startText !== '' || endText !== '') {
      if (!/^\d+$/.test(startText) || !/^\d+$/.test(endText)) {
        this.problem(at, this.colOf(/^\d+$/.test(startText) ? 'end' : 'start'), 'start and end must both be whole numbers (code-point offsets into the document), or both empty');
      } else {
        start = Number(startText);
        end = Number(endText);
        // The segment's own span is read only for the rows that give one.
        const bounds = segment === undefined ? undefined : segmentForLookup(this.db, segment.id);
        if (start >= end) {
          this.problem(at, this.colOf('start'), `span ${start}–${end} is ${start === end ? 'empty' : 'reversed'}: start must be less than end`);
        } else if (segment !== undefined && bounds !== undefined && !(start >= bounds.start && end <= bounds.end)) {
          this.problem(at, this.colOf('start'), `span ${start}–${end} is not inside ${this.labelOf(segment)} (${bounds.start}–${bounds.end})`);
        } else if (bounds !== undefined) {
          ({ start, end } = wholeSegmentSpan(start, end, bounds));
        }
      }
    }
    if (this.problemCount > before || segment === undefined) return;
    const coder = this.coderOf(coderName);
    if (seenOnly) {
      if (start !== null) this.problem(at, this.colOf('start'), 'a row without a code marks the whole segment seen: leave start and end empty');
      else this.seenRows.push(segment, -1, coder, null, null);
      return;
    }

    const code = this.codeNumber.get(codeId) as number;
    if (this.isDuplicate(segment.id, code, coder, start, end)) {
      this.duplicates++;
      return;
    }
    const definition = this.index.codes.get(codeId)!;
    if (!this.options.remove && this.index.isExclusive(definition)) {
      const exclusiveKey = `${segment.id}\u0000${coder}\u0000${definition.dimensionId}`;
      const earlier = this.exclusiveGiven.get(exclusiveKey);
      if (earlier !== undefined && earlier.code !== codeId) {
        const where = earlier.record === null ? `already has ${earlier.code} from ${coderName}` : `got ${earlier.code} from ${coderName} on line ${this.lineOf(earlier.record)}`;
        this.problem(at, this.colOf('code'), `${this.labelOf(segment)} ${where}; dimension "${definition.dimensionId}" allows one code per segment`);
        return;
      }
      this.exclusiveGiven.set(exclusiveKey, { code: codeId, record: earlier?.record ?? at });
    }
    this.rows.push(segment, code, coder, start, end);
  }

  /** Whether an earlier row of the file gave the same coding; remembers this one. */
  private isDuplicate(segment: number, code: number, coder: number, start: number | null, end: number | null): boolean {
    if (start === null && coder < NUMERIC_KEY_CODERS) {
      // Exact in a double for segment ids up to 2^53 / (2,000 codes × 1,024 coders), about 4 billion.
      const key = (segment * this.codeIds.length + code) * NUMERIC_KEY_CODERS + coder;
      if (this.wholeKeys.has(key)) return true;
      this.wholeKeys.add(key);
      return false;
    }
    const key = `${segment}\u0000${code}\u0000${coder}\u0000${start}\u0000${end}`;
    if (this.otherKeys.has(key)) return true;
    this.otherKeys.add(key);
    return false;
  }

  /** Throws every problem found. */
  verify(): void {
    if (this.header === undefined) throw new UserError(`${this.file}: the CSV file is empty`);
    if (this.problemCount > 0) throw csvProblems(this.file, this.problems, this.problemCount);
  }

  /** Whether no other connection has written to the store since this reader started reading it. */
  storeUnchanged(): boolean {
    return storeVersion(this.db) === this.version;
  }

  private reportBase(): Pick<CsvTagReport, 'file' | 'rows' | 'duplicates' | 'seenWithoutCode' | 'coders'> {
    // Only valid rows name coders, and any problem has stopped the command: every coder here has a row.
    return { file: this.file, rows: this.records, duplicates: this.duplicates, seenWithoutCode: this.seenRows.length, coders: [...this.coderNames].sort() };
  }

  /** What writing the file would do (--dry-run). */
  count(): CsvTagReport {
    const present = this.countPresent();
    const { rows } = this;
    return this.options.remove
      ? { ...this.reportBase(), added: 0, alreadyThere: 0, removed: present, missing: rows.length - present, batch: null, dryRun: true }
      : { ...this.reportBase(), added: rows.length - present, alreadyThere: present, removed: 0, missing: 0, batch: null, dryRun: true };
  }

  /** Writes what the file asks, as one batch, inside the caller's transaction. */
  write(): CsvTagReport {
    const { rows, seenRows, options } = this;
    const batch = newBatchId();
    const via = `${options.remove ? 'untag' : 'tag'} --from ${basename(this.file)}`;
    const coders = this.coderNames.map((name) => ensureCoder(this.db, name));
    const changes = this.changes(rows, coders);
    const result = options.remove
      ? applyCodingBatch(this.db, { batch, via, remove: changes })
      : applyCodingBatch(this.db, { batch, via, add: changes, seen: this.marks(seenRows, coders), seeAdded: true });
    const wrote = result.added + result.removed + result.newlySeen > 0;
    return { ...this.reportBase(), ...result, batch: wrote ? batch : null, dryRun: false };
  }

  private place(columns: RowColumns, row: number): CodingChange['place'] {
    const document = this.documentById.get(columns.document[row]!)!;
    return { segmentId: columns.segment[row]!, slug: document.slug, sha256: document.sha256, ordinal: columns.ordinal[row]! };
  }

  /** The changes in segment order, made one at a time as they are written. */
  private *changes(columns: RowColumns, coders: CoderRow[]): Generator<CodingChange> {
    for (const row of columns.inSegmentOrder()) {
      const coder = coders[columns.coder[row]!]!;
      const start = columns.start[row]!;
      const end = columns.end[row]!;
      yield {
        place: this.place(columns, row), codeId: this.codeIds[columns.code[row]!]!, coderId: coder.id, coder: coder.name,
        start: start < 0 ? null : start, end: end < 0 ? null : end,
      };
    }
  }

  private *marks(columns: RowColumns, coders: CoderRow[]): Generator<SeenMark> {
    for (const row of columns.inSegmentOrder()) {
      const coder = coders[columns.coder[row]!]!;
      yield { place: this.place(columns, row), coderId: coder.id, coder: coder.name, dimensionId: null };
    }
  }

  /** How many of the file's codings the store already holds (for --dry-run). */
  private countPresent(): number {
    const known = new Map(allCodersForLookup(this.db).map((coder) => [coder.name, coder.id]));
    const { rows } = this;
    let present = 0;
    for (let row = 0; row < rows.length; row++) {
      const coderId = known.get(this.coderNames[rows.coder[row]!]!);
      if (coderId === undefined) continue;
      const codeId = this.codeIds[rows.code[row]!];
      const start = rows.start[row]! < 0 ? null : rows.start[row];
      const end = rows.end[row]! < 0 ? null : rows.end[row];
      if (coderCodingsOnSegment(this.db, rows.segment[row]!, coderId).some((coding) => coding.code_id === codeId && coding.start === start && coding.end === end)) present++;
    }
    return present;
  }
}

/** Spreadsheets save "CSV" with ; (e.g. in Russian or German locales) or tabs; the header line tells which. */
function csvDelimiter(text: string): string {
  const header = text.slice(0, text.indexOf('\n') === -1 ? undefined : text.indexOf('\n'));
  const counts = [',', ';', '\t'].map((delimiter) => ({ delimiter, count: header.split(delimiter).length - 1 }));
  return counts.reduce((best, item) => (item.count > best.count ? item : best)).delimiter;
}

function csvProblems(file: string, problems: Problem[], total: number): ProblemsError {
  const shown = total > problems.length ? ` (the first ${problems.length} are listed)` : '';
  return new ProblemsError(`${file}: ${plural(total, 'problem')}${shown}; nothing was written`, problems,
    'Fix the rows and run the command again (qcode tag --from FILE --dry-run checks a file without writing).');
}
