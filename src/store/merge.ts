import type BetterSqlite3 from 'better-sqlite3';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Db } from './db.js';
import { statement, type SegmentRef } from './common.js';
import type { StoredDocument } from './documents.js';
import { migrateFrom, SCHEMA_VERSION } from './migrations.js';

// Required, not imported: a CommonJS module imported from ESM starts Node's export lexer (see cli/commander.ts).
const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;

// The SQL of `qcode merge`. Functions named other* read the project being merged in (a read-only
// connection); the rest read and write this project inside the merge's one transaction.

// ---- the other project (read-only)

// Errors thrown while reading the other project, told apart from this project's by the connection they came from.
const otherErrors = new WeakSet<object>();

/** Whether an error came from reading the other project (through a connection readingOther wrapped). */
export function isOtherProjectError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && otherErrors.has(error);
}

/**
 * The other project's connection, marking every error its statements, iterators or pragmas throw: a
 * damaged copy (a dropped table, a corrupt page) is found only when a read reaches it, midway through
 * the merge's loops that also write here, so the error's source is known only by the object that threw it.
 */
export function readingOther<T extends object>(target: T): T {
  const proxy: T = new Proxy(target, {
    get(object, property) {
      const value = Reflect.get(object, property, object) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        let result: unknown;
        try {
          result = Reflect.apply(value, object, args);
        } catch (error) {
          if (typeof error === 'object' && error !== null) otherErrors.add(error);
          throw error;
        }
        if (result === object) return proxy;
        // A statement (prepare) or a row iterator (iterate): their reads must be marked too.
        const methods = result as { next?: unknown; all?: unknown } | null;
        if (typeof result === 'object' && result !== null && (typeof methods!.next === 'function' || typeof methods!.all === 'function')) return readingOther(result);
        return result;
      };
    },
  });
  return proxy;
}

/** Why the other project's store is no qcode store this qcode can merge. */
export type OtherStoreProblem = { kind: 'empty' } | { kind: 'not-sqlite' } | { kind: 'not-qcode' } | { kind: 'newer'; version: number };

/**
 * Brings merge's private copy of the other store (its own file, never the other project's) to this
 * schema: a colleague's copy written by an older qcode merges as it is, and the other project is only
 * read. Returns why the copy is no qcode store this qcode reads, or undefined; an error of SQLite's
 * (a damaged copy) is marked as the other project's (isOtherProjectError).
 */
export function upgradeOtherCopy(path: string): OtherStoreProblem | undefined {
  const header = Buffer.alloc(16);
  if (statSync(path).size === 0) return { kind: 'empty' };
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1') !== 'SQLite format 3\u0000') return { kind: 'not-sqlite' };
  let db: Db;
  try {
    db = new Database(path, { fileMustExist: true });
  } catch (error) {
    if (typeof error === 'object' && error !== null) otherErrors.add(error);
    throw error;
  }
  const copy = readingOther(db);
  try {
    // The schema as the copy's -wal (replayed here) has it, not the header's: a write may not have reached qcode.db yet.
    const version = copy.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) return { kind: 'newer', version };
    if (version === 0) return { kind: 'not-qcode' };
    if (version < SCHEMA_VERSION) migrateFrom(copy, version);
    return undefined;
  } finally {
    db.close();
  }
}

/** Every codebook a project applied, oldest first: their was: lists tell which codes were renamed. */
export function codebookHistory(db: Db): string[] {
  return statement(db, 'SELECT yaml FROM codebook_versions ORDER BY id').pluck().all() as string[];
}

export interface NamedRow {
  id: number;
  name: string;
}

export function otherCoders(db: Db): NamedRow[] {
  return statement(db, 'SELECT id, name FROM coders ORDER BY id').all() as NamedRow[];
}

export interface CodeRecord {
  id: string;
  dimension_id: string;
  parent_id: string | null;
  label: string;
  labels: string;
  definition: string | null;
  include: string | null;
  exclude: string | null;
  examples: string;
  color: string | null;
  status: string;
  ord: number;
}

export interface DimensionRecord {
  id: string;
  label: string;
  labels: string;
  description: string | null;
  exclusive: number;
  color: string | null;
  status: string;
  ord: number;
}

export interface AttributeRecord {
  name: string;
  type: string;
  label: string;
  labels: string;
  description: string | null;
  allowed: string | null;
  value_labels: string;
  min: number | null;
  max: number | null;
  status: string;
  ord: number;
}

export function codeRecords(db: Db): CodeRecord[] {
  return statement(db, 'SELECT * FROM codes ORDER BY ord').all() as CodeRecord[];
}

export function dimensionRecords(db: Db): DimensionRecord[] {
  return statement(db, 'SELECT * FROM dimensions ORDER BY ord').all() as DimensionRecord[];
}

export function attributeRecords(db: Db): AttributeRecord[] {
  return statement(db, 'SELECT * FROM attributes ORDER BY ord').all() as AttributeRecord[];
}

/** Code ids that codings point at (the codes a merge must be able to hold). */
export function codedCodeIds(db: Db): string[] {
  return statement(db, 'SELECT DISTINCT code_id FROM codings').pluck().all() as string[];
}

export function caseAttributesInUse(db: Db): string[] {
  return statement(db, 'SELECT DISTINCT attribute FROM case_values').pluck().all() as string[];
}

export interface CaseRecord {
  id: string;
  kind: string;
}

export interface CaseValueRecord {
  case_id: string;
  attribute: string;
  value: string;
}

export function caseRecords(db: Db): CaseRecord[] {
  return statement(db, 'SELECT id, kind FROM cases ORDER BY id').all() as CaseRecord[];
}

export function caseValueRecords(db: Db): CaseValueRecord[] {
  return statement(db, 'SELECT case_id, attribute, value FROM case_values ORDER BY case_id, attribute').all() as CaseValueRecord[];
}

/** A document row with its text. */
export type DocumentRecord = StoredDocument & { text: string };

export function documentRecords(db: Db): DocumentRecord[] {
  return statement(db, 'SELECT * FROM documents ORDER BY id').all() as DocumentRecord[];
}

export type SegmentRecord = SegmentRef;

export function segmentRecords(db: Db, documentId: number): SegmentRecord[] {
  return statement(db, 'SELECT * FROM segments WHERE document_id = ? ORDER BY ordinal').all(documentId) as SegmentRecord[];
}

export interface CodingRecord {
  segment_id: number;
  code_id: string;
  coder_id: number;
  start: number | null;
  end: number | null;
  created_at: string;
}

export function iterateCodings(db: Db): IterableIterator<CodingRecord> {
  return statement(db, 'SELECT segment_id, code_id, coder_id, start, "end", created_at FROM codings ORDER BY id').iterate() as IterableIterator<CodingRecord>;
}

export interface SeenRecord {
  segment_id: number;
  coder_id: number;
  at: string;
}

export function iterateSeen(db: Db): IterableIterator<SeenRecord> {
  return statement(db, 'SELECT segment_id, coder_id, at FROM seen').iterate() as IterableIterator<SeenRecord>;
}

export interface SeenDimensionRecord extends SeenRecord {
  dimension_id: string;
}

export function iterateSeenDimensions(db: Db): IterableIterator<SeenDimensionRecord> {
  return statement(db, 'SELECT segment_id, coder_id, dimension_id, at FROM seen_dimensions').iterate() as IterableIterator<SeenDimensionRecord>;
}

export interface MemoRecord {
  id: number;
  target_kind: string;
  target_id: string | null;
  coder_id: number | null;
  text: string;
  created_at: string;
  updated_at: string;
}

export function memoRecords(db: Db): MemoRecord[] {
  return statement(db, 'SELECT * FROM memos ORDER BY id').all() as MemoRecord[];
}

export interface EventRecord {
  id: number;
  at: string;
  coder_id: number | null;
  action: string;
  payload: string;
}

export function iterateEvents(db: Db): IterableIterator<EventRecord> {
  return statement(db, 'SELECT id, at, coder_id, action, payload FROM events ORDER BY id').iterate() as IterableIterator<EventRecord>;
}

export function distinctEventTimes(db: Db): string[] {
  return statement(db, 'SELECT DISTINCT at FROM events').pluck().all() as string[];
}

// ---- this project

export function codeExists(db: Db, id: string): boolean {
  return statement(db, 'SELECT 1 FROM codes WHERE id = ?').get(id) !== undefined;
}

export function dimensionExists(db: Db, id: string): boolean {
  return statement(db, 'SELECT 1 FROM dimensions WHERE id = ?').get(id) !== undefined;
}

export function attributeExists(db: Db, name: string): boolean {
  return statement(db, 'SELECT 1 FROM attributes WHERE name = ?').get(name) !== undefined;
}

/** Adds a dimension as retired: it holds merged codings but is not part of this project's codebook. */
export function insertRetiredDimension(db: Db, row: DimensionRecord): void {
  statement(db, `
    INSERT INTO dimensions (id, label, labels, description, exclusive, color, status, ord)
    VALUES (@id, @label, @labels, @description, @exclusive, @color, 'retired', @ord + 1000000)`).run(row);
}

export function insertRetiredCode(db: Db, row: CodeRecord): void {
  statement(db, `
    INSERT INTO codes (id, dimension_id, parent_id, label, labels, definition, include, exclude, examples, color, status, ord)
    VALUES (@id, @dimension_id, @parent_id, @label, @labels, @definition, @include, @exclude, @examples, @color, 'retired', @ord + 1000000)`).run(row);
}

export function insertRetiredAttribute(db: Db, row: AttributeRecord): void {
  statement(db, `
    INSERT INTO attributes (name, type, label, labels, description, allowed, value_labels, min, max, status, ord)
    VALUES (@name, @type, @label, @labels, @description, @allowed, @value_labels, @min, @max, 'retired', @ord + 1000000)`).run(row);
}

/** 1 when the case is new here. */
export function insertCase(db: Db, row: CaseRecord): number {
  return statement(db, 'INSERT OR IGNORE INTO cases (id, kind) VALUES (?, ?)').run(row.id, row.kind).changes;
}

export function caseValueOf(db: Db, caseId: string, attribute: string): string | undefined {
  return statement(db, 'SELECT value FROM case_values WHERE case_id = ? AND attribute = ?').pluck().get(caseId, attribute) as string | undefined;
}

export function insertCaseValue(db: Db, row: CaseValueRecord): void {
  statement(db, 'INSERT INTO case_values (case_id, attribute, value) VALUES (?, ?, ?)').run(row.case_id, row.attribute, row.value);
}

export function documentsWithHash(db: Db, sha256: string): Array<{ id: number; slug: string; case_id: string | null }> {
  return statement(db, 'SELECT id, slug, case_id FROM documents WHERE sha256 = ? ORDER BY id').all(sha256) as Array<{ id: number; slug: string; case_id: string | null }>;
}

export function setDocumentCase(db: Db, documentId: number, caseId: string): void {
  statement(db, 'UPDATE documents SET case_id = ? WHERE id = ?').run(caseId, documentId);
}

export function slugTaken(db: Db, slug: string): boolean {
  return statement(db, 'SELECT 1 FROM documents WHERE slug = ?').get(slug) !== undefined;
}

export interface SegmentSpan {
  id: number;
  ordinal: number;
  start: number;
  end: number;
}

export function segmentSpans(db: Db, documentId: number): SegmentSpan[] {
  return statement(db, 'SELECT id, ordinal, start, "end" FROM segments WHERE document_id = ? ORDER BY ordinal').all(documentId) as SegmentSpan[];
}

export function insertDocument(db: Db, row: DocumentRecord, slug: string): number {
  return Number(statement(db, `
    INSERT INTO documents (slug, case_id, title, kind, language, source_path, format, encoding, sha256, text, imported_at)
    VALUES (@slug, @case_id, @title, @kind, @language, @source_path, @format, @encoding, @sha256, @text, @imported_at)`)
    .run({ ...row, slug }).lastInsertRowid);
}

export function insertSegment(db: Db, documentId: number, row: SegmentRecord): number {
  return Number(statement(db, `
    INSERT INTO segments (document_id, ordinal, speaker, start, "end", text, t_start, t_end)
    VALUES (@document_id, @ordinal, @speaker, @start, @end, @text, @t_start, @t_end)`)
    .run({ ...row, document_id: documentId }).lastInsertRowid);
}

export function coderExists(db: Db, name: string): boolean {
  return statement(db, 'SELECT 1 FROM coders WHERE name = ?').get(name) !== undefined;
}

export function ensureCoderId(db: Db, name: string): number {
  statement(db, 'INSERT INTO coders (name) VALUES (?) ON CONFLICT (name) DO NOTHING').run(name);
  return statement(db, 'SELECT id FROM coders WHERE name = ?').pluck().get(name) as number;
}

/** The work (codings and seen marks) of some coders on a document's segments, before the merge touches it. */
export function documentWork(db: Db, documentId: number): {
  codings: Array<{ segment_id: number; coder_id: number; code_id: string; start: number | null; end: number | null }>;
  seen: Array<{ segment_id: number; coder_id: number }>;
} {
  return {
    codings: statement(db, `
      SELECT k.segment_id, k.coder_id, k.code_id, k.start, k."end" FROM codings k JOIN segments s ON s.id = k.segment_id
      WHERE s.document_id = ?`).all(documentId) as Array<{ segment_id: number; coder_id: number; code_id: string; start: number | null; end: number | null }>,
    seen: statement(db, `
      SELECT v.segment_id, v.coder_id FROM seen v JOIN segments s ON s.id = v.segment_id WHERE s.document_id = ?`)
      .all(documentId) as Array<{ segment_id: number; coder_id: number }>,
  };
}

/** 1 when the coding is new here; the unique index (segment, code, coder, span) ignores a repeat. */
export function insertCoding(db: Db, row: CodingRecord): number {
  return statement(db, 'INSERT OR IGNORE INTO codings (segment_id, code_id, coder_id, start, "end", created_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(row.segment_id, row.code_id, row.coder_id, row.start, row.end, row.created_at).changes;
}

export function insertSeen(db: Db, row: SeenRecord): number {
  return statement(db, 'INSERT OR IGNORE INTO seen (segment_id, coder_id, at) VALUES (?, ?, ?)').run(row.segment_id, row.coder_id, row.at).changes;
}

export function insertSeenDimension(db: Db, row: SeenDimensionRecord): number {
  return statement(db, 'INSERT OR IGNORE INTO seen_dimensions (segment_id, coder_id, dimension_id, at) VALUES (?, ?, ?, ?)')
    .run(row.segment_id, row.coder_id, row.dimension_id, row.at).changes;
}

/** The ids of the memos here that a memo from over there duplicates, oldest first. */
export function matchingMemoIds(db: Db, row: Omit<MemoRecord, 'id' | 'updated_at'>): number[] {
  return statement(db, `
    SELECT id FROM memos WHERE target_kind = ? AND target_id IS ? AND coder_id IS ? AND created_at = ? AND text = ? ORDER BY id`)
    .pluck().all(row.target_kind, row.target_id, row.coder_id, row.created_at, row.text) as number[];
}

/** The memos here with the same target, coder and creation time as one from over there (its text aside), oldest first. */
export function memosLike(db: Db, row: Omit<MemoRecord, 'id' | 'updated_at' | 'text'>): Array<{ id: number; text: string }> {
  return statement(db, 'SELECT id, text FROM memos WHERE target_kind = ? AND target_id IS ? AND coder_id IS ? AND created_at = ? ORDER BY id')
    .all(row.target_kind, row.target_id, row.coder_id, row.created_at) as Array<{ id: number; text: string }>;
}

export function insertMemoRecord(db: Db, row: Omit<MemoRecord, 'id'>): number {
  return Number(statement(db, 'INSERT INTO memos (target_kind, target_id, coder_id, text, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(row.target_kind, row.target_id, row.coder_id, row.text, row.created_at, row.updated_at).lastInsertRowid);
}

/** Code ids that memos are about (a merge must be able to hold them too). */
export function memoCodeIds(db: Db): string[] {
  return statement(db, "SELECT DISTINCT target_id FROM memos WHERE target_kind = 'code' AND target_id IS NOT NULL").pluck().all() as string[];
}

/** The --rename-coder pairs (old, new) that earlier merges into this project recorded in their 'merge' events. */
export function recordedRenames(db: Db): Array<[string, string]> {
  const rows = statement(db, "SELECT json_extract(payload, '$.renames') FROM events WHERE action = 'merge' AND json_extract(payload, '$.renames') IS NOT NULL")
    .pluck().all() as string[];
  return rows.flatMap((json) => {
    const renames = JSON.parse(json) as unknown;
    return renames !== null && typeof renames === 'object'
      ? Object.entries(renames).filter((pair): pair is [string, string] => typeof pair[1] === 'string')
      : [];
  });
}

/** When and what a coder did, by name, as the log says (one row per event): to tell whether their work is already here. */
export function coderEventStamps(db: Db, name: string): Array<{ at: string; action: string }> {
  return statement(db, 'SELECT e.at, e.action FROM events e JOIN coders r ON r.id = e.coder_id WHERE r.name = ? ORDER BY e.id').all(name) as Array<{ at: string; action: string }>;
}

/** This project's events at the given times, as dedupe keys: at, coder name, action, payload (and their ids, oldest first). */
export function eventKeysAt(db: Db, times: readonly string[]): Array<{ id: number; at: string; coder: string | null; action: string; payload: string }> {
  db.exec('CREATE TEMP TABLE IF NOT EXISTS merge_event_times (at TEXT PRIMARY KEY) WITHOUT ROWID');
  statement(db, 'DELETE FROM temp.merge_event_times').run();
  const insert = statement(db, 'INSERT OR IGNORE INTO temp.merge_event_times (at) VALUES (?)');
  for (const at of times) insert.run(at);
  return statement(db, `
    SELECT e.id, e.at, r.name AS coder, e.action, e.payload FROM events e LEFT JOIN coders r ON r.id = e.coder_id
    WHERE e.at IN (SELECT at FROM temp.merge_event_times) ORDER BY e.id`).all() as Array<{ id: number; at: string; coder: string | null; action: string; payload: string }>;
}

/** Merged events carry no batch: they are history from elsewhere, and undo must never replay them here. */
export function insertMergedEvent(db: Db, row: { at: string; coder_id: number | null; action: string; payload: string }): void {
  statement(db, 'INSERT INTO events (at, coder_id, action, batch, payload) VALUES (?, ?, ?, NULL, ?)').run(row.at, row.coder_id, row.action, row.payload);
}

/** Row counts of the tables a merge writes, for the report and the tests. */
export function tableCounts(db: Db): Record<string, number> {
  const tables = ['coders', 'cases', 'case_values', 'documents', 'segments', 'codings', 'seen', 'seen_dimensions', 'memos', 'events', 'codes', 'dimensions', 'attributes'];
  return Object.fromEntries(tables.map((table) => [table, statement(db, `SELECT count(*) FROM ${table}`).pluck().get() as number]));
}

/**
 * A writable copy in memory of a store this user may only read, for a dry run to merge into and throw away:
 * the participants' words it holds never reach a file.
 */
export function scratchCopy(db: Db): Db {
  const image = db.serialize();
  // Bytes 18 and 19 say "WAL": SQLite would look for the -wal and -shm of a file in memory and fail.
  image[18] = 1;
  image[19] = 1;
  const copy = new Database(image);
  copy.pragma('foreign_keys = ON');
  copy.pragma('temp_store = MEMORY');
  return copy;
}
