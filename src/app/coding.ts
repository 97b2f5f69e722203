import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import type { CodeDef, DimensionDef, ProjectCodebook, Status } from '../core/codebook.js';
import { plural } from '../core/codebook-plan.js';
import { ProblemsError, UserError, usageError, type Problem } from '../core/errors.js';
import { didYouMeanSuffix } from '../core/suggest.js';
import { readUtf8File } from '../io/text-file.js';
import { loadProjectCodebook } from '../store/codebook.js';
import {
  allCodersForLookup, allDocumentsForLookup, caseValue, coderCodesInDimension, coderCodingsOnSegment,
  documentSegmentIds, exclusiveCodings, firstDocumentToDo, firstToDo, HIT_CLOSE, HIT_OPEN, isSeen, matchSegments, nextCandidate, previousCandidate, segmentForLookup,
  seenCount, sessionDocument, sessionSegmentByOrdinal, speakersOfDocument, writeCodingBatch,
  type CodingBatchResult, type CodingChange, type SegmentPlace, type SessionDocument, type SessionFilter,
  type SessionSegment,
} from '../store/codings.js';
import { ensureCoder, findCoder, findDocument, listDocumentSlugs, segmentById, segmentByOrdinal, type CoderRow, type SegmentRef } from '../store/common.js';
import type { Db } from '../store/db.js';
import { insertMemo, segmentMemoTexts } from '../store/memos.js';
import type { Project } from './project.js';

export { HIT_CLOSE, HIT_OPEN };

/** A batch id: every event of one command shares it, so undo reverts the command as one action. */
export function newBatchId(): string {
  return randomUUID();
}

/** The coder named by --coder, else $QCODE_CODER; a usage error naming the flag when neither is set. */
export function requireCoderName(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const name = (explicit ?? env.QCODE_CODER ?? '').trim();
  if (name === '') throw usageError('no coder given: pass --coder NAME (or set QCODE_CODER)');
  return name;
}

// ---- codes

type ProjectCode = CodeDef & { status: Status };

/** The project's codebook indexed for lookups: codes by id, dimensions by id. */
export class CodeIndex {
  readonly codes = new Map<string, ProjectCode>();
  readonly dimensions = new Map<string, DimensionDef & { status: Status }>();
  private readonly activeIds: string[];

  constructor(readonly codebook: ProjectCodebook) {
    for (const code of codebook.codes) this.codes.set(code.id, code);
    for (const dimension of codebook.dimensions) this.dimensions.set(dimension.id, dimension);
    this.activeIds = codebook.codes.filter((code) => code.status === 'active').map((code) => code.id);
  }

  /** The project's codebook, read once. */
  static load(db: Db): CodeIndex {
    return new CodeIndex(loadProjectCodebook(db));
  }

  /** Whether the code's dimension allows one code per segment. */
  isExclusive(code: ProjectCode): boolean {
    return this.dimensions.get(code.dimensionId)?.exclusive ?? false;
  }

  /** Why an id is not an applicable code, or undefined when it is one. */
  problemWith(id: string, purpose: 'apply' | 'remove'): string | undefined {
    const code = this.codes.get(id);
    if (code === undefined) return `unknown code "${id}"${this.suggestion(id)}`;
    if (purpose === 'apply' && code.status === 'retired') {
      return `code "${id}" is retired and cannot be applied (see qcode codebook show --retired)`;
    }
    return undefined;
  }

  /** Resolves a code the user typed, or throws a one-line error with a did-you-mean. */
  require(id: string, purpose: 'apply' | 'remove'): ProjectCode {
    const problem = this.problemWith(id, purpose);
    if (problem !== undefined) throw new UserError(problem, { hint: 'List the codes with: qcode codebook show' });
    return this.codes.get(id) as ProjectCode;
  }

  private suggestion(id: string): string {
    // "protest" most likely means the one code whose own id is "protest".
    const byLastPart = this.activeIds.filter((candidate) => candidate.endsWith(`.${id}`));
    if (byLastPart.length === 1) return ` (did you mean "${byLastPart[0]}"?)`;
    return didYouMeanSuffix(id, this.activeIds);
  }
}

// ---- segments

export interface ResolvedSegment {
  segment: SegmentRef;
  place: SegmentPlace;
  /** "r01-vilnius-ru:12" */
  label: string;
}

/** A segment named as DOCUMENT:ORDINAL (r01-vilnius-ru:12) or by its numeric id. */
export function resolveSegment(db: Db, ref: string): ResolvedSegment {
  const trimmed = ref.trim();
  if (/^\d+$/.test(trimmed)) {
    const segment = segmentById(db, Number(trimmed));
    if (segment === undefined) throw new UserError(`no segment with id ${trimmed}`, { hint: 'Name segments as DOCUMENT:N, e.g. r01-vilnius-ru:12' });
    return documentOfSegment(db, segment);
  }
  const match = /^(.+):(\d+)$/.exec(trimmed);
  if (match === null) throw usageError(`"${ref}" is not a segment: write DOCUMENT:N (e.g. r01-vilnius-ru:12) or a segment id`);
  const [, slug, ordinal] = match as unknown as [string, string, string];
  const document = requireDocument(db, slug);
  const segment = segmentByOrdinal(db, document.id, Number(ordinal));
  if (segment === undefined) {
    const { first_ordinal: first, last_ordinal: last } = sessionDocument(db, document.id);
    throw new UserError(`${slug} has no segment ${ordinal} (its segments are ${first}–${last})`);
  }
  return { segment, place: { segmentId: segment.id, slug, sha256: document.sha256, ordinal: segment.ordinal }, label: `${slug}:${segment.ordinal}` };
}

function documentOfSegment(db: Db, segment: SegmentRef): ResolvedSegment {
  const info = sessionDocument(db, segment.document_id);
  return {
    segment,
    place: { segmentId: segment.id, slug: info.slug, sha256: info.sha256, ordinal: segment.ordinal },
    label: `${info.slug}:${segment.ordinal}`,
  };
}

/** A document by slug, or a one-line error with a did-you-mean. */
export function requireDocument(db: Db, slug: string): NonNullable<ReturnType<typeof findDocument>> {
  const document = findDocument(db, slug);
  if (document === undefined) {
    const slugs = listDocumentSlugs(db);
    throw new UserError(`no document "${slug}"${didYouMeanSuffix(slug, slugs)}`, {
      hint: slugs.length === 0 ? 'The project has no documents yet: qcode import FILES...' : 'List them with: qcode docs list',
    });
  }
  return document;
}

function checkSpan(resolved: ResolvedSegment, start: number | undefined, end: number | undefined): { start: number | null; end: number | null } {
  if (start === undefined && end === undefined) return { start: null, end: null };
  if (start === undefined || end === undefined) throw usageError('a span needs both --start and --end (document code-point offsets)');
  const { segment } = resolved;
  if (!(start >= segment.start && end <= segment.end && start < end)) {
    throw new UserError(`span ${start}–${end} is not inside ${resolved.label} (${segment.start}–${segment.end}); offsets count code points of the document text`);
  }
  return { start, end };
}

// ---- tag / untag one segment

export interface TagOptions {
  segment: string;
  codes: string[];
  coder: string;
  start?: number | undefined;
  end?: number | undefined;
  dryRun?: boolean | undefined;
}

export interface TagReport extends CodingBatchResult {
  segment: string;
  coder: string;
  codes: string[];
  batch: string | null;
  dryRun: boolean;
}

/** Applies codes to one segment for one coder. Refuses retired codes and a second code of an exclusive dimension. */
export function tagSegment(project: Project, options: TagOptions): TagReport {
  const { db } = project;
  const index = CodeIndex.load(db);
  const resolved = resolveSegment(db, options.segment);
  const codes = [...new Set(options.codes)].map((id) => index.require(id, 'apply'));
  const span = checkSpan(resolved, options.start, options.end);
  const existingCoder = findCoder(db, options.coder);
  const byDimension = new Map<string, string>();
  for (const code of codes) {
    if (!index.isExclusive(code)) continue;
    const other = byDimension.get(code.dimensionId);
    if (other !== undefined) {
      throw new UserError(`${other} and ${code.id} are both in dimension "${code.dimensionId}", which allows one code per segment: choose one`);
    }
    byDimension.set(code.dimensionId, code.id);
    const given = existingCoder === undefined ? [] : coderCodesInDimension(db, resolved.segment.id, existingCoder.id, code.dimensionId);
    const conflicting = given.find((id) => id !== code.id);
    if (conflicting !== undefined) {
      throw new UserError(
        `${resolved.label} already has ${conflicting} from ${options.coder}; dimension "${code.dimensionId}" allows one code per segment`,
        { hint: `Remove it first: qcode untag ${resolved.label} ${conflicting} --coder ${options.coder}` },
      );
    }
  }
  const base = { segment: resolved.label, coder: options.coder, codes: codes.map((code) => code.id) };
  if (options.dryRun) {
    const present = new Set(existingCoder === undefined ? [] : coderCodingsOnSegment(db, resolved.segment.id, existingCoder.id)
      .filter((row) => row.start === span.start && row.end === span.end).map((row) => row.code_id));
    const already = codes.filter((code) => present.has(code.id)).length;
    return { ...base, added: codes.length - already, alreadyThere: already, removed: 0, missing: 0, newlySeen: 0, batch: null, dryRun: true };
  }
  const coder = ensureCoder(db, options.coder);
  const batch = newBatchId();
  const result = writeCodingBatch(db, {
    batch,
    via: 'tag',
    add: codes.map((code) => ({ place: resolved.place, codeId: code.id, coderId: coder.id, coder: coder.name, ...span })),
    seen: [{ place: resolved.place, coderId: coder.id, coder: coder.name, dimensionId: null }],
  });
  return { ...base, ...result, batch, dryRun: false };
}

/** Removes codes from one segment for one coder (the whole-segment coding, or the span given). */
export function untagSegment(project: Project, options: TagOptions): TagReport {
  const { db } = project;
  const index = CodeIndex.load(db);
  const resolved = resolveSegment(db, options.segment);
  const codes = [...new Set(options.codes)].map((id) => index.require(id, 'remove'));
  const span = checkSpan(resolved, options.start, options.end);
  const coder = findCoder(db, options.coder);
  const base = { segment: resolved.label, coder: options.coder, codes: codes.map((code) => code.id) };
  const none = { added: 0, alreadyThere: 0, newlySeen: 0 };
  if (coder === undefined) return { ...base, ...none, removed: 0, missing: codes.length, batch: null, dryRun: options.dryRun ?? false };
  if (options.dryRun) {
    const present = new Set(coderCodingsOnSegment(db, resolved.segment.id, coder.id)
      .filter((row) => row.start === span.start && row.end === span.end).map((row) => row.code_id));
    const removed = codes.filter((code) => present.has(code.id)).length;
    return { ...base, ...none, removed, missing: codes.length - removed, batch: null, dryRun: true };
  }
  const batch = newBatchId();
  const result = writeCodingBatch(db, {
    batch,
    via: 'untag',
    remove: codes.map((code) => ({ place: resolved.place, codeId: code.id, coderId: coder.id, coder: coder.name, ...span })),
  });
  return { ...base, ...result, batch: result.removed > 0 ? batch : null, dryRun: false };
}

// ---- tag --from FILE.csv

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

/** A segment a CSV row names: where it is, not its text or span. */
interface CsvSegment {
  id: number;
  document_id: number;
  ordinal: number;
}

interface CsvRow {
  segment: CsvSegment;
  codeId: string;
  coder: string;
  start: number | null;
  end: number | null;
}

/**
 * Validates a whole CSV of codings, reporting every problem with its row, and only then writes it:
 * in one transaction, as one batch. Lookups are loaded into Maps once, so 100,000 rows take seconds.
 */
export async function tagFromCsv(project: Project, options: CsvTagOptions): Promise<CsvTagReport> {
  const { db } = project;
  const file = options.file;
  const text = readUtf8File(file, 'CSV file');
  const { parse } = await import('csv-parse/sync');
  const csvOptions = { bom: true, delimiter: csvDelimiter(text), relax_column_count: true, skip_empty_lines: true };
  let records: string[][];
  try {
    records = parse(text, csvOptions) as string[][];
  } catch (error) {
    const lines = (error as { lines?: number }).lines;
    throw new UserError(`${file}${lines === undefined ? '' : `:${lines}`}: not valid CSV: ${(error as Error).message}`, {
      hint: 'The file must be RFC 4180 CSV in UTF-8 with a header row: document,segment,code,coder',
    });
  }
  const header = records[0];
  if (header === undefined) throw new UserError(`${file}: the CSV file is empty`);
  // Line numbers cost a third of the parse, and only a file with problems needs them: it is read again.
  let lineNumbers: number[] | undefined;
  const lineOf = (recordIndex: number): number => {
    lineNumbers ??= (parse(text, { ...csvOptions, info: true }) as unknown as Array<{ info: { lines: number } }>).map((item) => item.info.lines);
    return lineNumbers[recordIndex] ?? recordIndex + 1;
  };

  const problems: Problem[] = [];
  let problemCount = 0;
  /** A problem in a record (0: the header), reported at its line. */
  const problem = (recordIndex: number, col: number, message: string): void => {
    problemCount++;
    if (problems.length < MAX_REPORTED_PROBLEMS) problems.push({ file: file, line: lineOf(recordIndex), col, message });
  };

  const columnIndex = new Map<CsvColumn, number>();
  header.forEach((raw, index) => {
    const name = raw.trim().toLowerCase();
    if ((CSV_COLUMNS as readonly string[]).includes(name)) {
      if (columnIndex.has(name as CsvColumn)) problem(0, index + 1, `column "${name}" appears twice`);
      columnIndex.set(name as CsvColumn, index);
    } else {
      problem(0, index + 1, `unknown column "${raw}"${didYouMeanSuffix(name, CSV_COLUMNS)}; the columns are ${CSV_COLUMNS.join(', ')}`);
    }
  });
  if (!columnIndex.has('code')) problem(0, 1, 'no "code" column');
  const bySlug = columnIndex.has('document') && columnIndex.has('segment');
  if (!bySlug && !columnIndex.has('segment_id')) problem(0, 1, 'no segment columns: give "document" and "segment" (its number), or "segment_id"');
  if (columnIndex.has('start') !== columnIndex.has('end')) problem(0, 1, 'a span needs both "start" and "end" columns');
  if (!columnIndex.has('coder') && options.defaultCoder === undefined) problem(0, 1, 'no "coder" column: add one, or pass --coder NAME (or set QCODE_CODER)');
  if (problems.length > 0) throw csvProblems(file, problems, problemCount);

  const index = CodeIndex.load(db);
  const documents = allDocumentsForLookup(db);
  const documentBySlug = new Map(documents.map((document) => [document.slug, document]));
  const documentById = new Map(documents.map((document) => [document.id, document]));
  // Segments are looked up per document named in the file, codings in exclusive dimensions for the coders
  // it names: a file about a few interviews must not read the whole store.
  const segmentsByDocument = new Map<number, Map<number, number>>();
  const ordinalsOf = (documentId: number): Map<number, number> => {
    let ordinals = segmentsByDocument.get(documentId);
    if (ordinals === undefined) {
      ordinals = new Map(documentSegmentIds(db, documentId).map(([id, ordinal]) => [ordinal, id]));
      segmentsByDocument.set(documentId, ordinals);
    }
    return ordinals;
  };
  const slugs = documents.map((document) => document.slug);
  /** What a coder gave a segment in an exclusive dimension: stored (record null) or earlier in the file. */
  const exclusiveGiven = new Map<string, { code: string; record: number | null }>();
  if (!options.remove) {
    const coderAt = columnIndex.get('coder');
    const named = new Set<string>(options.defaultCoder === undefined ? [] : [options.defaultCoder]);
    if (coderAt !== undefined) for (let r = 1; r < records.length; r++) named.add(records[r]![coderAt]?.trim() ?? '');
    for (const row of exclusiveCodings(db, [...named])) exclusiveGiven.set(`${row.segment_id}\u0000${row.coder}\u0000${row.dimension_id}`, { code: row.code_id, record: null });
  }
  const labelOf = (segment: CsvSegment): string => `${documentById.get(segment.document_id)?.slug}:${segment.ordinal}`;

  const column = (record: string[], name: CsvColumn): string | undefined => {
    const at = columnIndex.get(name);
    return at === undefined ? undefined : record[at]?.trim();
  };
  const colOf = (name: CsvColumn): number => (columnIndex.get(name) ?? 0) + 1;

  const rows: CsvRow[] = [];
  const seenRows: Array<{ segment: CsvSegment; coder: string }> = [];
  const seenKeys = new Set<string>();
  let duplicates = 0;
  for (let r = 1; r < records.length; r++) {
    const record = records[r] as string[];
    if (record.length !== header.length) {
      problem(r, 1, `this row has ${record.length} fields but the header has ${header.length}`);
      continue;
    }
    const before = problemCount;
    let segment: CsvSegment | undefined;
    const segmentIdText = column(record, 'segment_id');
    if (segmentIdText !== undefined && segmentIdText !== '') {
      if (!/^\d+$/.test(segmentIdText)) problem(r, colOf('segment_id'), `segment_id "${segmentIdText}" is not a number`);
      else {
        segment = segmentForLookup(db, Number(segmentIdText));
        if (segment === undefined) problem(r, colOf('segment_id'), `no segment with id ${segmentIdText}`);
      }
    } else if (bySlug) {
      const slug = column(record, 'document') ?? '';
      const ordinalText = column(record, 'segment') ?? '';
      const document = documentBySlug.get(slug);
      if (slug === '') problem(r, colOf('document'), 'the document is empty');
      else if (document === undefined) problem(r, colOf('document'), `unknown document "${slug}"${didYouMeanSuffix(slug, slugs)}`);
      if (!/^\d+$/.test(ordinalText)) problem(r, colOf('segment'), `segment "${ordinalText}" is not a segment number (1, 2, …)`);
      else if (document !== undefined) {
        const ordinals = ordinalsOf(document.id);
        const id = ordinals.get(Number(ordinalText));
        segment = id === undefined ? undefined : { id, document_id: document.id, ordinal: Number(ordinalText) };
        if (segment === undefined) {
          const range = ordinals.size === 0 ? 'it has no segments' : `its segments are ${Math.min(...ordinals.keys())}–${Math.max(...ordinals.keys())}`;
          problem(r, colOf('segment'), `${slug} has no segment ${ordinalText} (${range})`);
        }
      }
    } else {
      problem(r, colOf('segment_id'), 'the segment_id is empty');
    }

    const codeId = column(record, 'code') ?? '';
    // An empty code says "seen, no code": agreement then counts the segment as this coder's absence.
    const seenOnly = codeId === '' && !options.remove;
    const codeProblem = codeId === '' ? (seenOnly ? undefined : 'the code is empty') : index.problemWith(codeId, options.remove ? 'remove' : 'apply');
    if (codeProblem !== undefined) problem(r, colOf('code'), codeProblem);

    const coder = (column(record, 'coder') || options.defaultCoder) ?? '';
    if (coder === '') problem(r, colOf('coder'), 'no coder: fill the coder column, or pass --coder NAME for such rows');

    let start: number | null = null;
    let end: number | null = null;
    const startText = column(record, 'start') ?? '';
    const endText = column(record, 'end') ?? '';
    if (startText !== '' || endText !== '') {
      if (!/^\d+$/.test(startText) || !/^\d+$/.test(endText)) {
        problem(r, colOf(/^\d+$/.test(startText) ? 'end' : 'start'), 'start and end must both be whole numbers (code-point offsets into the document), or both empty');
      } else {
        start = Number(startText);
        end = Number(endText);
        // The segment's own span is read only for the rows that give one.
        const bounds = segment === undefined ? undefined : segmentForLookup(db, segment.id);
        if (segment !== undefined && bounds !== undefined && !(start >= bounds.start && end <= bounds.end && start < end)) {
          problem(r, colOf('start'), `span ${start}–${end} is not inside ${labelOf(segment)} (${bounds.start}–${bounds.end})`);
        }
      }
    }
    if (problemCount > before || segment === undefined) continue;
    if (seenOnly) {
      if (start !== null) problem(r, colOf('start'), 'a row without a code marks the whole segment seen: leave start and end empty');
      else seenRows.push({ segment, coder });
      continue;
    }

    const key = `${segment.id}\u0000${codeId}\u0000${coder}\u0000${start}\u0000${end}`;
    if (seenKeys.has(key)) {
      duplicates++;
      continue;
    }
    seenKeys.add(key);
    const code = index.codes.get(codeId) as ProjectCode;
    if (!options.remove && index.isExclusive(code)) {
      const exclusiveKey = `${segment.id}\u0000${coder}\u0000${code.dimensionId}`;
      const earlier = exclusiveGiven.get(exclusiveKey);
      if (earlier !== undefined && earlier.code !== codeId) {
        const where = earlier.record === null ? `already has ${earlier.code} from ${coder}` : `got ${earlier.code} from ${coder} on line ${lineOf(earlier.record)}`;
        problem(r, colOf('code'), `${labelOf(segment)} ${where}; dimension "${code.dimensionId}" allows one code per segment`);
        continue;
      }
      exclusiveGiven.set(exclusiveKey, { code: codeId, record: earlier?.record ?? r });
    }
    rows.push({ segment, codeId, coder, start, end });
  }
  if (problemCount > 0) throw csvProblems(file, problems, problemCount);

  const coderNames = [...new Set([...rows, ...seenRows].map((row) => row.coder))].sort();
  const base = { file: file, rows: records.length - 1, duplicates, seenWithoutCode: seenRows.length, coders: coderNames };
  if (options.dryRun) {
    const known = new Map(allCodersForLookup(db).map((coder) => [coder.name, coder.id]));
    let present = 0;
    for (const row of rows) {
      const coderId = known.get(row.coder);
      if (coderId === undefined) continue;
      const codings = coderCodingsOnSegment(db, row.segment.id, coderId);
      if (codings.some((coding) => coding.code_id === row.codeId && coding.start === row.start && coding.end === row.end)) present++;
    }
    return options.remove
      ? { ...base, added: 0, alreadyThere: 0, removed: present, missing: rows.length - present, batch: null, dryRun: true }
      : { ...base, added: rows.length - present, alreadyThere: present, removed: 0, missing: 0, batch: null, dryRun: true };
  }

  // In segment order, each index and the seen table are written page after page instead of at random.
  rows.sort((a, b) => a.segment.id - b.segment.id);
  seenRows.sort((a, b) => a.segment.id - b.segment.id);
  const coders = new Map<string, CoderRow>();
  const batch = newBatchId();
  const via = `${options.remove ? 'untag' : 'tag'} --from ${basename(file)}`;
  const result = db.transaction(() => {
    for (const name of coderNames) coders.set(name, ensureCoder(db, name));
    const placeOf = (segment: CsvSegment): SegmentPlace => {
      const document = documentById.get(segment.document_id) as (typeof documents)[number];
      return { segmentId: segment.id, slug: document.slug, sha256: document.sha256, ordinal: segment.ordinal };
    };
    const changes: CodingChange[] = rows.map((row) => {
      const coder = coders.get(row.coder) as CoderRow;
      return { place: placeOf(row.segment), codeId: row.codeId, coderId: coder.id, coder: coder.name, start: row.start, end: row.end };
    });
    const seenOnly = seenRows.map((row) => {
      const coder = coders.get(row.coder) as CoderRow;
      return { place: placeOf(row.segment), coderId: coder.id, coder: coder.name, dimensionId: null };
    });
    return writeCodingBatch(db, options.remove
      ? { batch, via, remove: changes }
      : { batch, via, add: changes, seen: [...changes.map((change) => ({ place: change.place, coderId: change.coderId, coder: change.coder, dimensionId: null })), ...seenOnly] });
  }).immediate();
  const wrote = result.added + result.removed + result.newlySeen > 0;
  return { ...base, ...result, batch: wrote ? batch : null, dryRun: false };
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

// ---- autocode

export interface AutocodeOptions {
  query: string;
  code: string;
  coder: string;
  document?: string | undefined;
  speaker?: string | undefined;
  dryRun?: boolean | undefined;
}

export interface AutocodeHit {
  segment: string;
  speaker: string | null;
  /** The matching passage; matches wrapped in HIT_OPEN … HIT_CLOSE. */
  context: string;
  already: boolean;
}

export interface AutocodeReport {
  query: string;
  code: string;
  coder: string;
  hits: AutocodeHit[];
  added: number;
  alreadyThere: number;
  batch: string | null;
  dryRun: boolean;
}

const FTS_HINT = 'Full-text syntax (SQLite FTS5): words that must all occur (протест митинг), "an exact phrase", a prefix* , a OR b, a NOT b, NEAR(a b, 10); put words with - . : in double quotes';

/**
 * Tags every segment that matches a full-text query with one code, as one batch. Refuses (writing
 * nothing) when a hit already has another code of an exclusive dimension from this coder.
 */
export function autocode(project: Project, options: AutocodeOptions): AutocodeReport {
  const { db } = project;
  const query = options.query.trim();
  if (query === '') throw usageError('the --query is empty', FTS_HINT);
  const index = CodeIndex.load(db);
  const code = index.require(options.code, 'apply');
  const documentId = options.document === undefined ? null : requireDocument(db, options.document).id;
  if (options.speaker !== undefined) requireSpeaker(db, documentId, options.speaker);
  let hits;
  try {
    hits = matchSegments(db, query, { documentId, speaker: options.speaker ?? null });
  } catch (error) {
    throw ftsError(query, error);
  }
  const coder = findCoder(db, options.coder);
  const exclusive = index.isExclusive(code);
  const conflicts: string[] = [];
  const result: AutocodeHit[] = hits.map((hit) => {
    const given = coder === undefined ? [] : coderCodesInDimension(db, hit.id, coder.id, code.dimensionId);
    const label = `${hit.slug}:${hit.ordinal}`;
    if (exclusive) {
      const other = given.find((id) => id !== code.id);
      if (other !== undefined) conflicts.push(`${label} (${other})`);
    }
    const already = coder !== undefined && coderCodingsOnSegment(db, hit.id, coder.id).some((row) => row.code_id === code.id && row.start === null);
    return { segment: label, speaker: hit.speaker, context: hit.snippet, already };
  });
  if (conflicts.length > 0 && !options.dryRun) {
    throw new UserError(
      `${plural(conflicts.length, 'matching segment')} already ${conflicts.length === 1 ? 'has' : 'have'} another code of exclusive dimension "${code.dimensionId}" from ${options.coder}: ${conflicts.slice(0, 10).join(', ')}${conflicts.length > 10 ? ', …' : ''}; nothing was written`,
      { hint: 'Narrow the query (or --document, --speaker), or untag those codes first' },
    );
  }
  const already = result.filter((hit) => hit.already).length;
  const base = { query, code: code.id, coder: options.coder, hits: result };
  if (options.dryRun || hits.length === 0) {
    return { ...base, added: hits.length - already, alreadyThere: already, batch: null, dryRun: options.dryRun ?? false };
  }
  const row = ensureCoder(db, options.coder);
  const batch = newBatchId();
  const places = hits.map((hit) => ({ segmentId: hit.id, slug: hit.slug, sha256: hit.sha256, ordinal: hit.ordinal }));
  const written = writeCodingBatch(db, {
    batch,
    via: `autocode ${query}`,
    add: places.map((place) => ({ place, codeId: code.id, coderId: row.id, coder: row.name, start: null, end: null })),
    seen: places.map((place) => ({ place, coderId: row.id, coder: row.name, dimensionId: null })),
  });
  return { ...base, added: written.added, alreadyThere: written.alreadyThere, batch, dryRun: false };
}

function ftsError(query: string, error: unknown): unknown {
  const message = error instanceof Error ? error.message : String(error);
  if (/fts5|syntax error|no such column|unknown special query|unterminated/i.test(message)) {
    return new UserError(`cannot read the query ${JSON.stringify(query)}: ${message.replace(/^fts5: /, '')}`, { hint: FTS_HINT, exitCode: 2 });
  }
  return error;
}

function requireSpeaker(db: Db, documentId: number | null, speaker: string): void {
  const speakers = speakersOfDocument(db, documentId);
  if (!speakers.includes(speaker)) {
    throw new UserError(`no speaker "${speaker}"${documentId === null ? '' : ' in that document'}${didYouMeanSuffix(speaker, speakers)}`, {
      hint: speakers.length === 0 ? 'The segments have no speakers.' : `Speakers: ${speakers.slice(0, 12).join(', ')}`,
    });
  }
}

// ---- the interactive coding session

export interface CodingSessionOptions {
  coder: string;
  document?: string | undefined;
  dimension?: string | undefined;
  onlyUncoded?: boolean | undefined;
  speaker?: string | undefined;
}

export interface SessionView {
  document: {
    slug: string;
    caseId: string | null;
    /** The case's city, else its host country (label), else null. */
    place: string | null;
    language: string | null;
    segments: number;
    seen: number;
  };
  segment: { id: number; ordinal: number; speaker: string | null; text: string; seen: boolean };
  previous: { ordinal: number; speaker: string | null; text: string } | null;
  /** The coder's whole-segment codes in this session's scope: what the prompt starts with. */
  given: string[];
  /** The coder's other codings on the segment (spans, other dimensions, retired codes), as "id" or "id [start–end]". */
  otherCodings: string[];
  memos: string[];
}

export interface ConfirmResult {
  added: string[];
  removed: string[];
}

/**
 * A coder working through segments. Every answer is committed (codings + seen, one transaction)
 * before the next segment is read, and each step runs a fixed handful of prepared queries.
 */
export class CodingSession {
  readonly coder: CoderRow;
  readonly index: CodeIndex;
  /** Active codes the coder chooses from: all of them, or one dimension's. */
  readonly scope: ProjectCode[];
  readonly dimension: string | null;
  private readonly scopeIds: Set<string>;
  private readonly filter: SessionFilter;
  private readonly fixedDocument: boolean;
  private document: SessionDocument | null = null;
  private documentHeader: { place: string | null } = { place: null };
  private segment: SessionSegment | null = null;
  /** Segments confirmed or skipped in this session. */
  answered = 0;

  private constructor(private readonly db: Db, options: CodingSessionOptions) {
    this.index = CodeIndex.load(db);
    if (options.dimension !== undefined) {
      const dimension = this.index.dimensions.get(options.dimension);
      if (dimension === undefined || dimension.status === 'retired') {
        const active = [...this.index.dimensions.values()].filter((item) => item.status === 'active').map((item) => item.id);
        throw new UserError(`no dimension "${options.dimension}"${didYouMeanSuffix(options.dimension, active)}`, { hint: `Dimensions: ${active.join(', ')}` });
      }
    }
    this.dimension = options.dimension ?? null;
    this.scope = this.index.codebook.codes.filter((code) => code.status === 'active' && (this.dimension === null || code.dimensionId === this.dimension));
    this.scopeIds = new Set(this.scope.map((code) => code.id));
    this.coder = ensureCoder(db, options.coder);
    this.fixedDocument = options.document !== undefined;
    const documentId = options.document === undefined ? undefined : requireDocument(db, options.document).id;
    if (options.speaker !== undefined) requireSpeaker(db, documentId ?? null, options.speaker);
    this.filter = { coderId: this.coder.id, speaker: options.speaker ?? null, onlyUncoded: options.onlyUncoded ?? false, dimension: this.dimension };
    if (documentId === undefined && listDocumentSlugs(db).length === 0) {
      throw new UserError('the project has no documents to code yet', { hint: 'Import some first: qcode import FILES...' });
    }
    if (documentId !== undefined) {
      this.openDocument(documentId);
      // A finished document opens at its start, for review.
      this.segment = firstToDo(db, documentId, this.filter) ?? (this.filter.onlyUncoded ? null : nextCandidate(db, documentId, 0, this.filter) ?? null);
    } else {
      this.moveToNextDocument();
    }
  }

  /** Opens a session at the first segment still to do; throws a UserError for an unknown document, dimension or speaker. */
  static open(project: Project, options: CodingSessionOptions): CodingSession {
    return new CodingSession(project.db, options);
  }

  /** What to draw, or null when there is nothing (left) to code. */
  view(): SessionView | null {
    const { db, segment, document } = this;
    if (segment === null || document === null) return null;
    const previousRow = sessionSegmentByOrdinal(db, document.id, segment.ordinal - 1);
    const given: string[] = [];
    const otherCodings: string[] = [];
    for (const row of coderCodingsOnSegment(db, segment.id, this.coder.id)) {
      if (row.start === null && this.scopeIds.has(row.code_id)) given.push(row.code_id);
      else otherCodings.push(row.start === null ? row.code_id : `${row.code_id} [${row.start}–${row.end}]`);
    }
    return {
      document: {
        slug: document.slug,
        caseId: document.case_id,
        place: this.documentHeader.place,
        language: document.language,
        segments: document.segments,
        seen: seenCount(db, document.id, this.coder.id, this.dimension),
      },
      segment: { id: segment.id, ordinal: segment.ordinal, speaker: segment.speaker, text: segment.text, seen: isSeen(db, segment.id, this.coder.id) },
      previous: previousRow === undefined ? null : { ordinal: previousRow.ordinal, speaker: previousRow.speaker, text: previousRow.text },
      given,
      otherCodings,
      memos: segmentMemoTexts(db, segment.id),
    };
  }

  /** Commits the coder's answer for the current segment (the full set of codes in scope), then moves on. */
  confirm(codeIds: readonly string[]): ConfirmResult {
    const { segment, document } = this.requireCurrent();
    const chosen = new Set(codeIds);
    const perDimension = new Map<string, string>();
    for (const id of chosen) {
      const code = this.index.codes.get(id);
      if (code === undefined || !this.scopeIds.has(id)) throw new UserError(`code "${id}" cannot be chosen here`);
      if (!this.index.isExclusive(code)) continue;
      const other = perDimension.get(code.dimensionId);
      if (other !== undefined) throw new UserError(`${other} and ${id}: dimension "${code.dimensionId}" allows one code per segment`);
      perDimension.set(code.dimensionId, id);
    }
    const given = new Set(coderCodingsOnSegment(this.db, segment.id, this.coder.id)
      .filter((row) => row.start === null && this.scopeIds.has(row.code_id)).map((row) => row.code_id));
    const added = [...chosen].filter((id) => !given.has(id));
    const removed = [...given].filter((id) => !chosen.has(id));
    const place = { segmentId: segment.id, slug: document.slug, sha256: document.sha256, ordinal: segment.ordinal };
    const change = (codeId: string): CodingChange => ({ place, codeId, coderId: this.coder.id, coder: this.coder.name, start: null, end: null });
    writeCodingBatch(this.db, {
      batch: newBatchId(),
      via: 'code',
      add: added.map(change),
      remove: removed.map(change),
      seen: [{ place, coderId: this.coder.id, coder: this.coder.name, dimensionId: this.dimension }],
    });
    this.answered++;
    this.advance();
    return { added, removed };
  }

  /** Marks the segment seen without changing its codes, and moves on. */
  skip(): void {
    const { segment, document } = this.requireCurrent();
    const place = { segmentId: segment.id, slug: document.slug, sha256: document.sha256, ordinal: segment.ordinal };
    writeCodingBatch(this.db, { batch: newBatchId(), via: 'code', seen: [{ place, coderId: this.coder.id, coder: this.coder.name, dimensionId: this.dimension }] });
    this.answered++;
    this.advance();
  }

  /** Moves to the previous segment of the document; false at its first. */
  back(): boolean {
    const { segment, document } = this.requireCurrent();
    const previous = previousCandidate(this.db, document.id, segment.ordinal, this.filter);
    if (previous === undefined) return false;
    this.segment = previous;
    return true;
  }

  /** Moves to segment N of the current document. */
  jump(ordinal: number): void {
    const { document } = this.requireCurrent();
    const target = sessionSegmentByOrdinal(this.db, document.id, ordinal);
    if (target === undefined) throw new UserError(`no segment ${ordinal} in ${document.slug} (${document.first_ordinal}–${document.last_ordinal})`);
    this.segment = target;
  }

  /** Adds a memo on the current segment. */
  addMemo(text: string): void {
    const { segment } = this.requireCurrent();
    const clean = text.trim();
    if (clean === '') throw new UserError('empty memo: nothing saved');
    insertMemo(this.db, { target: { kind: 'segment', id: String(segment.id) }, coderId: this.coder.id, text: clean, batch: newBatchId(), via: 'code' });
  }

  get currentDocument(): string | null {
    return this.document?.slug ?? null;
  }

  /** The number of the segment on screen, or null when the session has ended. */
  get currentOrdinal(): number | null {
    return this.segment?.ordinal ?? null;
  }

  /** Whether the session goes through uncoded segments (seen or not) rather than unseen ones. */
  get onlyUncoded(): boolean {
    return this.filter.onlyUncoded;
  }

  private requireCurrent(): { segment: SessionSegment; document: SessionDocument } {
    if (this.segment === null || this.document === null) throw new Error('the coding session has ended');
    return { segment: this.segment, document: this.document };
  }

  private advance(): void {
    const { segment, document } = this.requireCurrent();
    const next = nextCandidate(this.db, document.id, segment.ordinal, this.filter);
    if (next !== undefined) {
      this.segment = next;
      return;
    }
    // The coder may have jumped past segments not seen yet: the document is finished only when none is
    // left. With --only-uncoded a skipped segment stays uncoded, so coming back to it would never end.
    if (!this.filter.onlyUncoded) {
      const earlier = firstToDo(this.db, document.id, this.filter);
      if (earlier !== undefined) {
        this.segment = earlier;
        return;
      }
    }
    if (this.fixedDocument) {
      this.segment = null;
      return;
    }
    this.moveToNextDocument(this.filter.onlyUncoded ? document.slug : null);
  }

  /** Opens the first document with work left; with `afterSlug`, only documents after that one. */
  private moveToNextDocument(afterSlug: string | null = null): void {
    const documentId = firstDocumentToDo(this.db, this.filter, afterSlug);
    if (documentId === undefined) {
      this.segment = null;
      return;
    }
    this.openDocument(documentId);
    this.segment = firstToDo(this.db, documentId, this.filter) ?? null;
  }

  private openDocument(documentId: number): void {
    this.document = sessionDocument(this.db, documentId);
    const caseId = this.document.case_id;
    const place = caseId === null ? undefined : (caseValue(this.db, caseId, 'city') ?? caseValue(this.db, caseId, 'host_country'));
    this.documentHeader = { place: place?.label ?? null };
  }
}
