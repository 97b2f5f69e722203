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

export interface SegmentUnits {
  /** Segment ids in scope, ascending. */
  segmentIds: Float64Array;
  /** The document (row id) of each of those segments. */
  documentIds: Float64Array;
}

/**
 * The segments of the given documents (all documents when null), in id order. Both columns are read from
 * the (document_id, ordinal) index, whose pages hold no text: ordering by id would read the whole table.
 * Segments are numbered in import order, so the index order is nearly always id order already.
 */
export function segmentsInScope(db: Db, documentIds: readonly number[] | null): SegmentUnits {
  const where = documentIds === null ? '' : `WHERE document_id IN (${placeholders(documentIds.length)})`;
  const params = documentIds ?? [];
  const ids = statement(db, `SELECT id FROM segments ${where} ORDER BY document_id, ordinal`).pluck().all(...params) as number[];
  const documents = statement(db, `SELECT document_id FROM segments ${where} ORDER BY document_id, ordinal`).pluck().all(...params) as number[];
  let ascending = true;
  for (let i = 1; i < ids.length && ascending; i++) ascending = ids[i - 1]! < ids[i]!;
  if (ascending) return { segmentIds: Float64Array.from(ids), documentIds: Float64Array.from(documents) };
  const order = Array.from(ids.keys()).sort((a, b) => ids[a]! - ids[b]!);
  return { segmentIds: Float64Array.from(order, (i) => ids[i]!), documentIds: Float64Array.from(order, (i) => documents[i]!) };
}

export function maxSegmentId(db: Db): number {
  return (statement(db, 'SELECT ifnull(max(id), 0) FROM segments').pluck().get() as number);
}

/** (segment, coder) pairs: `coder` indexes into the coderIds passed in. */
export interface SeenPairs {
  segment: Float64Array;
  coder: Uint8Array;
}

/** Every "seen" mark of these coders, one coder's range of the primary key at a time. */
export function seenPairs(db: Db, coderIds: readonly number[]): SeenPairs {
  const ofCoder = statement(db, 'SELECT segment_id FROM seen WHERE coder_id = ?').pluck();
  const lists = coderIds.map((id) => ofCoder.all(id) as number[]);
  const segment = new Float64Array(lists.reduce((sum, list) => sum + list.length, 0));
  const coder = new Uint8Array(segment.length);
  let at = 0;
  lists.forEach((list, index) => {
    segment.set(list, at);
    coder.fill(index, at, at + list.length);
    at += list.length;
  });
  return { segment, coder };
}

/**
 * Whether a coder has any work (codings, seen marks, one-dimension pass marks), and whether any of it was
 * written by reconcile.
 */
export function coderHistory(db: Db, coderId: number): { work: boolean; reconciled: boolean } {
  const row = statement(db, `
    SELECT EXISTS (SELECT 1 FROM codings WHERE coder_id = @coder) OR EXISTS (SELECT 1 FROM seen WHERE coder_id = @coder)
        OR EXISTS (SELECT 1 FROM seen_dimensions WHERE coder_id = @coder) AS work,
      EXISTS (SELECT 1 FROM events WHERE coder_id = @coder AND json_extract(payload, '$.via') LIKE 'reconcile %') AS reconciled`)
    .get({ coder: coderId }) as { work: number; reconciled: number };
  return { work: row.work === 1, reconciled: row.reconciled === 1 };
}

/** A coder's marks on one segment: seen for every dimension, and the dimensions of one-dimension passes. */
export function seenMarksOnSegment(db: Db, segmentId: number, coderId: number): { seen: boolean; dimensions: string[] } {
  const seen = statement(db, 'SELECT EXISTS (SELECT 1 FROM seen WHERE segment_id = ? AND coder_id = ?)').pluck().get(segmentId, coderId) as number;
  const dimensions = statement(db, 'SELECT dimension_id FROM seen_dimensions WHERE segment_id = ? AND coder_id = ?').pluck().all(segmentId, coderId) as string[];
  return { seen: seen === 1, dimensions };
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
 * Every coding of these coders on these codes, read code by code from codings_code, which holds the coder:
 * no table row is read. SQLite packs each coding into one integer (segment × coders + coder) and joins a
 * code's integers into one string, so nothing is allocated per coding: on corpus l 0.2 s, against 0.35 s
 * for a row per coding and 0.45 s for a scan of the codings table.
 */
export function codingTriples(db: Db, coderIds: readonly number[], codeIds: readonly string[]): CodingTriples {
  const coders = coderIds.length;
  if (maxSegmentId(db) * coders >= Number.MAX_SAFE_INTEGER) throw new RangeError('Too many segments × coders to pack into one number');
  const ofCode = statement(db, `
    SELECT group_concat(segment_id * ${coders} + ${coderIndexCase(coders)})
    FROM codings WHERE code_id = ? AND +coder_id IN (${placeholders(coders)})`).pluck();
  const perCode = codeIds.map((id) => JSON.parse(`[${(ofCode.get(...coderIds, id, ...coderIds) as string | null) ?? ''}]`) as number[]);
  const total = perCode.reduce((sum, list) => sum + list.length, 0);
  const segment = new Float64Array(total);
  const code = new Uint16Array(total);
  const coder = new Uint8Array(total);
  let i = 0;
  perCode.forEach((packed, k) => {
    code.fill(k, i, i + packed.length);
    for (const value of packed) {
      const c = value % coders;
      coder[i] = c;
      segment[i] = (value - c) / coders;
      i++;
    }
  });
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
