import type { Db } from './db.js';
import { statement } from './common.js';

// Reads for agreement, disagreements and reconcile. Agreement over a large project must not allocate an
// object per coding: the bulk readers ask SQLite for one number per row (pluck) and unpack it into typed arrays.

export interface TeamCodeRow {
  id: string;
  dimension_id: string;
  status: 'active' | 'retired';
  ord: number;
}

export interface TeamDimensionRow {
  id: string;
  label: string;
  exclusive: number;
  status: 'active' | 'retired';
  ord: number;
}

export function teamCodes(db: Db): TeamCodeRow[] {
  return statement(db, `
    SELECT c.id, c.dimension_id, c.status, c.ord FROM codes c JOIN dimensions d ON d.id = c.dimension_id
    ORDER BY d.ord, c.ord`).all() as TeamCodeRow[];
}

export function teamDimensions(db: Db): TeamDimensionRow[] {
  return statement(db, 'SELECT id, label, exclusive, status, ord FROM dimensions ORDER BY ord').all() as TeamDimensionRow[];
}

/** Codes that any of these coders applied at least once (retired codes count only when used). */
export function codesUsedBy(db: Db, coderIds: readonly number[]): Set<string> {
  const rows = statement(db, `SELECT DISTINCT code_id FROM codings WHERE coder_id IN (${placeholders(coderIds.length)})`)
    .pluck()
    .all(...coderIds) as string[];
  return new Set(rows);
}

export interface SegmentUnits {
  /** Segment ids in scope, ascending. */
  segmentIds: Float64Array;
  /** The document (row id) of each of those segments. */
  documentIds: Float64Array;
}

/** The segments of the given documents (all documents when null), in id order. */
export function segmentsInScope(db: Db, documentIds: readonly number[] | null): SegmentUnits {
  const where = documentIds === null ? '' : `WHERE document_id IN (${placeholders(documentIds.length)})`;
  const params = documentIds ?? [];
  const ids = statement(db, `SELECT id FROM segments ${where} ORDER BY id`).pluck().all(...params) as number[];
  const documents = statement(db, `SELECT document_id FROM segments ${where} ORDER BY id`).pluck().all(...params) as number[];
  return { segmentIds: Float64Array.from(ids), documentIds: Float64Array.from(documents) };
}

export function maxSegmentId(db: Db): number {
  return (statement(db, 'SELECT ifnull(max(id), 0) FROM segments').pluck().get() as number);
}

/** (segment, coder) pairs: `coder` indexes into the coderIds passed in. */
export interface SeenPairs {
  segment: Float64Array;
  coder: Uint8Array;
}

/** Every "seen" mark of these coders. */
export function seenPairs(db: Db, coderIds: readonly number[]): SeenPairs {
  const packed = statement(db, `
    SELECT segment_id * ${coderIds.length} + ${coderIndexCase(coderIds.length)}
    FROM seen WHERE coder_id IN (${placeholders(coderIds.length)})`).pluck().all(...coderIds, ...coderIds) as number[];
  return unpack(packed, coderIds.length);
}

/** Whether a coder has any work (codings or seen marks), and whether any of it was written by reconcile. */
export function coderHistory(db: Db, coderId: number): { work: boolean; reconciled: boolean } {
  const row = statement(db, `
    SELECT EXISTS (SELECT 1 FROM codings WHERE coder_id = @coder) OR EXISTS (SELECT 1 FROM seen WHERE coder_id = @coder) AS work,
      EXISTS (SELECT 1 FROM events WHERE coder_id = @coder AND json_extract(payload, '$.via') LIKE 'reconcile %') AS reconciled`)
    .get({ coder: coderId }) as { work: number; reconciled: number };
  return { work: row.work === 1, reconciled: row.reconciled === 1 };
}

/** What these coders went through in one-dimension passes (`qcode code --dimension D`). */
export interface DimensionPasses {
  /** Segments a coder went through in one-dimension passes only (no full-pass seen mark). */
  partial: SeenPairs;
  /** Every one-dimension pass mark: `dimension[i]` is the dimension of (segment[i], coder[i]). */
  passes: SeenPairs & { dimension: string[] };
}

export function dimensionPasses(db: Db, coderIds: readonly number[]): DimensionPasses {
  const n = coderIds.length;
  const partial = statement(db, `
    SELECT DISTINCT v.segment_id * ${n} + ${coderIndexCase(n, 'v.coder_id')}
    FROM seen_dimensions v
    WHERE v.coder_id IN (${placeholders(n)})
      AND NOT EXISTS (SELECT 1 FROM seen s WHERE s.coder_id = v.coder_id AND s.segment_id = v.segment_id)`).pluck().all(...coderIds, ...coderIds) as number[];
  const rows = statement(db, `
    SELECT segment_id * ${n} + ${coderIndexCase(n)} AS packed, dimension_id AS dimension
    FROM seen_dimensions WHERE coder_id IN (${placeholders(n)})`).all(...coderIds, ...coderIds) as Array<{ packed: number; dimension: string }>;
  const unpacked = unpack(partial, n);
  const passes = unpack(rows.map((row) => row.packed), n);
  return { partial: unpacked, passes: { ...passes, dimension: rows.map((row) => row.dimension) } };
}

function unpack(packed: readonly number[], n: number): SeenPairs {
  const segment = new Float64Array(packed.length);
  const coder = new Uint8Array(packed.length);
  for (let i = 0; i < packed.length; i++) {
    const value = packed[i]!;
    coder[i] = value % n;
    segment[i] = (value - coder[i]!) / n;
  }
  return { segment, coder };
}

/** (segment, code, coder) triples; `code` indexes into codeIds, `coder` into coderIds. Spans are not told apart. */
export interface CodingTriples {
  segment: Float64Array;
  code: Uint16Array;
  coder: Uint8Array;
}

export const MAX_COMPARED_CODERS = 32;

/**
 * Every coding of these coders on these codes, read in one table scan. Each row comes back packed into one
 * integer ((segment × codes + code) × coders + coder), so the reader allocates nothing per row; the code ids
 * are mapped to their index through a temporary table, which is cheaper than a join on codes.
 */
export function codingTriples(db: Db, coderIds: readonly number[], codeIds: readonly string[]): CodingTriples {
  const coders = coderIds.length;
  const codes = Math.max(codeIds.length, 1);
  if (maxSegmentId(db) * codes * coders >= Number.MAX_SAFE_INTEGER) {
    throw new RangeError('Too many segments × codes × coders to pack into one number; narrow with --code or --dimension');
  }
  db.exec('CREATE TEMP TABLE IF NOT EXISTS team_code_index (id TEXT PRIMARY KEY, idx INTEGER NOT NULL) WITHOUT ROWID');
  const load = db.transaction(() => {
    statement(db, 'DELETE FROM temp.team_code_index').run();
    const insert = statement(db, 'INSERT INTO temp.team_code_index (id, idx) VALUES (?, ?)');
    codeIds.forEach((id, idx) => insert.run(id, idx));
  });
  load();
  // NOT INDEXED: a sequential scan of codings beats an index search plus a table lookup per row.
  const packed = statement(db, `
    SELECT (k.segment_id * ${codes} + m.idx) * ${coders} + ${coderIndexCase(coders, 'k.coder_id')}
    FROM codings k NOT INDEXED JOIN temp.team_code_index m ON m.id = k.code_id
    WHERE k.coder_id IN (${placeholders(coders)})`).pluck().all(...coderIds, ...coderIds) as number[];
  const segment = new Float64Array(packed.length);
  const code = new Uint16Array(packed.length);
  const coder = new Uint8Array(packed.length);
  for (let i = 0; i < packed.length; i++) {
    let value = packed[i]!;
    const c = value % coders;
    value = (value - c) / coders;
    const k = value % codes;
    coder[i] = c;
    code[i] = k;
    segment[i] = (value - k) / codes;
  }
  return { segment, code, coder };
}

export interface SegmentDetail {
  id: number;
  document_id: number;
  slug: string;
  ordinal: number;
  speaker: string | null;
  text: string;
  sha256: string;
}

export function segmentDetail(db: Db, segmentId: number): SegmentDetail | undefined {
  return statement(db, `
    SELECT s.id, s.document_id, d.slug, s.ordinal, s.speaker, s.text, d.sha256
    FROM segments s JOIN documents d ON d.id = s.document_id WHERE s.id = ?`).get(segmentId) as SegmentDetail | undefined;
}

export interface SpanRow {
  segment_id: number;
  coder_id: number;
  code_id: string;
  start: number | null;
  end: number | null;
}

/** The codings of these coders on one segment, spans included. */
export function codingsOnSegment(db: Db, segmentId: number, coderIds: readonly number[]): SpanRow[] {
  return statement(db, `
    SELECT segment_id, coder_id, code_id, start, "end" FROM codings
    WHERE segment_id = ? AND coder_id IN (${placeholders(coderIds.length)}) ORDER BY code_id, start`)
    .all(segmentId, ...coderIds) as SpanRow[];
}

function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

/** A CASE mapping a coder id (bound in order) to its index 0..n−1. */
function coderIndexCase(n: number, column = 'coder_id'): string {
  return `CASE ${column} ${Array.from({ length: n }, (_, i) => `WHEN ? THEN ${i}`).join(' ')} END`;
}
