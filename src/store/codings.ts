import type { Db } from './db.js';
import { appendEvent, nowIso, statement } from './common.js';
import { foldYo, unfoldSnippet } from '../core/text.js';

// Codings, "seen" marks and the lookups that coding commands need. Every write goes through
// writeCodingBatch: one transaction that also appends the events undo needs to revert it.

/** Where a segment sits, in the terms events record: the id here, and document sha256 + ordinal for other projects. */
export interface SegmentPlace {
  segmentId: number;
  slug: string;
  sha256: string;
  ordinal: number;
}

export interface CodingChange {
  place: SegmentPlace;
  codeId: string;
  coderId: number;
  coder: string;
  /** Document code-point offsets of a span; both null for the whole segment. */
  start: number | null;
  end: number | null;
}

export interface SeenMark {
  place: SegmentPlace;
  coderId: number;
  coder: string;
  /** Set in a one-dimension pass, so that the pass can resume. */
  dimensionId: string | null;
}

export interface CodingBatch {
  batch: string;
  /** What made the change, shown by log and undo: "code", "tag", "tag --from codings.csv", "autocode". */
  via: string;
  /** Iterated once, in order: a large batch can be generated as it is written. */
  add?: Iterable<CodingChange>;
  remove?: Iterable<CodingChange>;
  seen?: Iterable<SeenMark>;
  /**
   * Every added coding also marks its segment seen by its coder (for all dimensions), as if listed in
   * `seen`, without the batch holding a mark per coding: tag --from with 887,000 rows held over 100 MB of them.
   */
  seeAdded?: boolean;
}

export interface CodingBatchResult {
  added: number;
  alreadyThere: number;
  removed: number;
  missing: number;
  newlySeen: number;
}

const INSERT_CODING = `INSERT OR IGNORE INTO codings (segment_id, code_id, coder_id, start, "end", created_at) VALUES (?, ?, ?, ?, ?, ?)`;
const FIND_CODING = `SELECT id, created_at FROM codings
  WHERE segment_id = ? AND code_id = ? AND coder_id = ? AND ifnull(start, -1) = ifnull(?, -1) AND ifnull("end", -1) = ifnull(?, -1)`;
const DELETE_CODING = 'DELETE FROM codings WHERE id = ?';
const INSERT_SEEN = 'INSERT OR IGNORE INTO seen (segment_id, coder_id, at) VALUES (?, ?, ?)';
const INSERT_SEEN_DIMENSION = 'INSERT OR IGNORE INTO seen_dimensions (segment_id, coder_id, dimension_id, at) VALUES (?, ?, ?, ?)';

function codingPayload(change: CodingChange, via: string, extra?: { created_at: string } | { seen: true }): Record<string, unknown> {
  const payload: Record<string, unknown> = {
    via,
    segment: change.place.segmentId,
    document: change.place.sha256,
    slug: change.place.slug,
    ordinal: change.place.ordinal,
    code: change.codeId,
    coder: change.coder,
    start: change.start,
    end: change.end,
  };
  return extra === undefined ? payload : Object.assign(payload, extra);
}

/**
 * Adds and removes codings and records "seen" in one transaction, appending one event per change
 * (all sharing `batch`). Duplicates are ignored and counted, so re-running a batch is harmless.
 */
export function writeCodingBatch(db: Db, input: CodingBatch): CodingBatchResult {
  return db.transaction(() => applyCodingBatch(db, input)).immediate();
}

/**
 * writeCodingBatch inside a transaction the caller holds. A transaction nested in another becomes a
 * savepoint, and SQLite then journals every page the batch touches a second time: 100,000 codings
 * wrote measurably slower that way.
 */
export function applyCodingBatch(db: Db, input: CodingBatch): CodingBatchResult {
  if (!db.inTransaction) throw new Error('applyCodingBatch needs a transaction');
  const insert = statement(db, INSERT_CODING);
  const find = statement(db, FIND_CODING);
  const remove = statement(db, DELETE_CODING);
  const insertSeen = statement(db, INSERT_SEEN);
  const insertSeenDimension = statement(db, INSERT_SEEN_DIMENSION);
  const result: CodingBatchResult = { added: 0, alreadyThere: 0, removed: 0, missing: 0, newlySeen: 0 };
  const at = nowIso();
  for (const change of input.remove ?? []) {
    const row = find.get(change.place.segmentId, change.codeId, change.coderId, change.start, change.end) as
      | { id: number; created_at: string }
      | undefined;
    if (row === undefined) {
      result.missing++;
      continue;
    }
    remove.run(row.id);
    result.removed++;
    appendEvent(db, { coderId: change.coderId, action: 'untag', batch: input.batch, at, payload: codingPayload(change, input.via, { created_at: row.created_at }) });
  }
  // Seen marks go in before the codings so that a tag event can say it also made its segment seen: a
  // coder tagging 100,000 segments then writes 100,000 events, not 200,000, and undo still forgets both.
  const newlySeen = new Set<string>();
  const sightings: Array<{ mark: SeenMark; first: boolean; firstInPass: boolean }> = [];
  for (const mark of input.seen ?? []) {
    // "seen" means gone through for every dimension; a one-dimension pass marks only its dimension, so
    // that a later full pass still brings the segment up and agreement counts it for that dimension alone.
    const firstInPass = mark.dimensionId !== null && insertSeenDimension.run(mark.place.segmentId, mark.coderId, mark.dimensionId, at).changes > 0;
    const first = mark.dimensionId === null && insertSeen.run(mark.place.segmentId, mark.coderId, at).changes > 0;
    if (!first && !firstInPass) continue;
    if (first) result.newlySeen++;
    if (first && !firstInPass) newlySeen.add(`${mark.place.segmentId}:${mark.coderId}`);
    sightings.push({ mark, first, firstInPass });
  }
  const toldBySomeTag = new Set<string>();
  for (const change of input.add ?? []) {
    const firstSeen = input.seeAdded === true && insertSeen.run(change.place.segmentId, change.coderId, at).changes > 0;
    if (firstSeen) result.newlySeen++;
    const { changes } = insert.run(change.place.segmentId, change.codeId, change.coderId, change.start, change.end, at);
    if (changes === 0) {
      result.alreadyThere++;
      if (firstSeen) appendSeenEvent(db, input, at, { place: change.place, coderId: change.coderId, coder: change.coder, dimensionId: null }, true, false);
      continue;
    }
    result.added++;
    const key = `${change.place.segmentId}:${change.coderId}`;
    const madeSeen = firstSeen || (newlySeen.has(key) && !toldBySomeTag.has(key));
    if (madeSeen && !firstSeen) toldBySomeTag.add(key);
    appendEvent(db, { coderId: change.coderId, action: 'tag', batch: input.batch, at, payload: codingPayload(change, input.via, madeSeen ? { seen: true } : undefined) });
  }
  for (const { mark, first, firstInPass } of sightings) {
    if (!firstInPass && toldBySomeTag.has(`${mark.place.segmentId}:${mark.coderId}`)) continue;
    appendSeenEvent(db, input, at, mark, first, firstInPass);
  }
  return result;
}

/** Only a first sighting is logged: undo must know to forget it, and nothing else needs it. */
function appendSeenEvent(db: Db, input: CodingBatch, at: string, mark: SeenMark, first: boolean, firstInPass: boolean): void {
  appendEvent(db, {
    coderId: mark.coderId,
    action: 'seen',
    batch: input.batch,
    at,
    payload: {
      via: input.via, segment: mark.place.segmentId, document: mark.place.sha256, slug: mark.place.slug, ordinal: mark.place.ordinal,
      coder: mark.coder, first, dimension: firstInPass ? mark.dimensionId : null,
    },
  });
}

export interface CodingOnSegment {
  code_id: string;
  start: number | null;
  end: number | null;
}

/** One coder's codings on one segment, in codebook order. */
export function coderCodingsOnSegment(db: Db, segmentId: number, coderId: number): CodingOnSegment[] {
  return statement(db, `
    SELECT k.code_id, k.start, k."end" FROM codings k JOIN codes c ON c.id = k.code_id
    WHERE k.segment_id = ? AND k.coder_id = ? ORDER BY c.ord, k.start`).all(segmentId, coderId) as CodingOnSegment[];
}

/** Whether this coder has seen (confirmed or skipped) the segment. */
export function isSeen(db: Db, segmentId: number, coderId: number): boolean {
  return statement(db, 'SELECT 1 FROM seen WHERE coder_id = ? AND segment_id = ?').get(coderId, segmentId) !== undefined;
}

// ---- bulk lookups for tag --from: loaded once into Maps, so a 100,000-row file costs no per-row query

/** A number that changes whenever another connection (another qcode) commits a write to the store. */
export function storeVersion(db: Db): number {
  return db.pragma('data_version', { simple: true }) as number;
}

export interface LookupDocument {
  id: number;
  slug: string;
  sha256: string;
}

export interface LookupSegment {
  id: number;
  document_id: number;
  ordinal: number;
  start: number;
  end: number;
}

/** Every document's id, slug and sha256. */
export function allDocumentsForLookup(db: Db): LookupDocument[] {
  return statement(db, 'SELECT id, slug, sha256 FROM documents ORDER BY slug').all() as LookupDocument[];
}

/** A document's segments by ordinal: ids only, read from the (document_id, ordinal) index without touching the rows. */
export function documentSegmentIds(db: Db, documentId: number): Array<[id: number, ordinal: number]> {
  return statement(db, 'SELECT id, ordinal FROM segments WHERE document_id = ? ORDER BY ordinal').raw().all(documentId) as Array<[number, number]>;
}

/** One segment's place and span, by id. */
export function segmentForLookup(db: Db, segmentId: number): LookupSegment | undefined {
  return statement(db, 'SELECT id, document_id, ordinal, start, "end" FROM segments WHERE id = ?').get(segmentId) as LookupSegment | undefined;
}

/** Every coder's id and name. */
export function allCodersForLookup(db: Db): Array<{ id: number; name: string }> {
  return statement(db, 'SELECT id, name FROM coders').all() as Array<{ id: number; name: string }>;
}

export interface ExclusiveCoding {
  segment_id: number;
  coder: string;
  dimension_id: string;
  code_id: string;
}

/** These coders' codings in exclusive dimensions: the one-code-per-segment rule is checked against them. */
export function exclusiveCodings(db: Db, coderNames: readonly string[]): ExclusiveCoding[] {
  return statement(db, `
    SELECT k.segment_id, r.name AS coder, c.dimension_id, k.code_id
    FROM coders r JOIN codings k ON k.coder_id = r.id JOIN codes c ON c.id = k.code_id JOIN dimensions d ON d.id = c.dimension_id
    WHERE d.exclusive = 1 AND r.name IN (SELECT value FROM json_each(?))`).all(JSON.stringify(coderNames)) as ExclusiveCoding[];
}

/** The codes one coder gave a segment in one dimension (for the exclusive rule on single writes). */
export function coderCodesInDimension(db: Db, segmentId: number, coderId: number, dimensionId: string): string[] {
  return (statement(db, `
    SELECT DISTINCT k.code_id FROM codings k JOIN codes c ON c.id = k.code_id
    WHERE k.segment_id = ? AND k.coder_id = ? AND c.dimension_id = ?`).all(segmentId, coderId, dimensionId) as Array<{ code_id: string }>).map((row) => row.code_id);
}

// ---- full-text search for autocode

export interface TextHit {
  id: number;
  document_id: number;
  slug: string;
  sha256: string;
  ordinal: number;
  speaker: string | null;
  /** The matching passage; matches are wrapped in \u0002 … \u0003 (control characters never stored in text). */
  snippet: string;
}

export const HIT_OPEN = '\u0002';
export const HIT_CLOSE = '\u0003';

/**
 * Segments matching an FTS5 query, in document order. Throws SQLite's error for a malformed query. The
 * index holds ё as е (migration 2): the query is folded alike and the snippets get their ё back.
 */
export function matchSegments(db: Db, query: string, filters: { documentId: number | null; speaker: string | null }): TextHit[] {
  const rows = statement(db, `
    SELECT s.id, s.document_id, d.slug, d.sha256, s.ordinal, s.speaker,
           snippet(segments_fts, 0, char(2), char(3), '…', 24) AS snippet, s.text
    FROM segments_fts JOIN segments s ON s.id = segments_fts.rowid JOIN documents d ON d.id = s.document_id
    WHERE segments_fts MATCH @query
      AND (@document IS NULL OR s.document_id = @document)
      AND (@speaker IS NULL OR s.speaker = @speaker)
    ORDER BY d.slug, s.ordinal`).all({ query: foldYo(query), document: filters.documentId, speaker: filters.speaker }) as Array<TextHit & { text: string }>;
  return rows.map(({ text, ...hit }) => ({ ...hit, snippet: unfoldSnippet(hit.snippet, text, [HIT_OPEN, HIT_CLOSE]) }));
}

/** The distinct speakers of one document, or of all (documentId null). */
export function speakersOfDocument(db: Db, documentId: number | null): string[] {
  return (statement(db, `
    SELECT DISTINCT speaker FROM segments WHERE speaker IS NOT NULL AND (@document IS NULL OR document_id = @document) ORDER BY speaker`)
    .all({ document: documentId }) as Array<{ speaker: string }>).map((row) => row.speaker);
}

// ---- the interactive coder's navigation: one prepared query per step, whatever the document's size

export interface SessionFilter {
  coderId: number;
  speaker: string | null;
  /** Only segments without a code of this coder (in `dimension`, when set). */
  onlyUncoded: boolean;
  dimension: string | null;
}

const CANDIDATE = `
  (@speaker IS NULL OR s.speaker = @speaker)
  AND (@uncoded = 0 OR NOT EXISTS (
    SELECT 1 FROM codings k JOIN codes c ON c.id = k.code_id
    WHERE k.segment_id = s.id AND k.coder_id = @coder AND (@dimension IS NULL OR c.dimension_id = @dimension)))`;

// A segment still to do: not seen in a full pass, nor (for --dimension) in this dimension's pass; with
// --only-uncoded, any uncoded one.
const TO_DO = `
  (@uncoded = 1 OR (NOT EXISTS (SELECT 1 FROM seen v WHERE v.coder_id = @coder AND v.segment_id = s.id)
    AND (@dimension IS NULL
      OR NOT EXISTS (SELECT 1 FROM seen_dimensions v WHERE v.coder_id = @coder AND v.dimension_id = @dimension AND v.segment_id = s.id))))`;

export interface SessionSegment {
  id: number;
  document_id: number;
  ordinal: number;
  speaker: string | null;
  text: string;
}

function params(filter: SessionFilter, extra: Record<string, unknown>): Record<string, unknown> {
  return { speaker: filter.speaker, uncoded: filter.onlyUncoded ? 1 : 0, coder: filter.coderId, dimension: filter.dimension, ...extra };
}

/** The first segment of a document still to do for this coder, or undefined. */
export function firstToDo(db: Db, documentId: number, filter: SessionFilter): SessionSegment | undefined {
  return statement(db, `
    SELECT s.id, s.document_id, s.ordinal, s.speaker, s.text FROM segments s
    WHERE s.document_id = @documentId AND ${CANDIDATE} AND ${TO_DO} ORDER BY s.ordinal LIMIT 1`)
    .get(params(filter, { documentId })) as SessionSegment | undefined;
}

/** The first document (by slug, after `afterSlug` when given) with a segment still to do for this coder. */
export function firstDocumentToDo(db: Db, filter: SessionFilter, afterSlug: string | null = null): number | undefined {
  const row = statement(db, `
    SELECT d.id FROM documents d
    WHERE (@after IS NULL OR d.slug > @after)
      AND EXISTS (SELECT 1 FROM segments s WHERE s.document_id = d.id AND ${CANDIDATE} AND ${TO_DO})
    ORDER BY d.slug LIMIT 1`).get(params(filter, { after: afterSlug })) as { id: number } | undefined;
  return row?.id;
}

/** The next segment after an ordinal that the session's filter lets through. */
export function nextCandidate(db: Db, documentId: number, afterOrdinal: number, filter: SessionFilter): SessionSegment | undefined {
  return statement(db, `
    SELECT s.id, s.document_id, s.ordinal, s.speaker, s.text FROM segments s
    WHERE s.document_id = @documentId AND s.ordinal > @after AND ${CANDIDATE} ORDER BY s.ordinal LIMIT 1`)
    .get(params(filter, { documentId, after: afterOrdinal })) as SessionSegment | undefined;
}

/** The previous segment in the document; --only-uncoded does not apply, so that "back" reaches what was just coded. */
export function previousCandidate(db: Db, documentId: number, beforeOrdinal: number, filter: SessionFilter): SessionSegment | undefined {
  return statement(db, `
    SELECT s.id, s.document_id, s.ordinal, s.speaker, s.text FROM segments s
    WHERE s.document_id = @documentId AND s.ordinal < @before AND ${CANDIDATE} ORDER BY s.ordinal DESC LIMIT 1`)
    .get(params({ ...filter, onlyUncoded: false }, { documentId, before: beforeOrdinal })) as SessionSegment | undefined;
}

/** Segment N of a document, whatever the filter. */
export function sessionSegmentByOrdinal(db: Db, documentId: number, ordinal: number): SessionSegment | undefined {
  return statement(db, 'SELECT id, document_id, ordinal, speaker, text FROM segments WHERE document_id = ? AND ordinal = ?')
    .get(documentId, ordinal) as SessionSegment | undefined;
}

export interface SessionDocument {
  id: number;
  slug: string;
  sha256: string;
  case_id: string | null;
  language: string | null;
  segments: number;
  first_ordinal: number;
  last_ordinal: number;
}

/** A document with its segment count and ordinal range. */
export function sessionDocument(db: Db, documentId: number): SessionDocument {
  return statement(db, `
    SELECT d.id, d.slug, d.sha256, d.case_id, d.language,
           count(s.id) AS segments, ifnull(min(s.ordinal), 0) AS first_ordinal, ifnull(max(s.ordinal), 0) AS last_ordinal
    FROM documents d LEFT JOIN segments s ON s.document_id = d.id WHERE d.id = ? GROUP BY d.id`).get(documentId) as SessionDocument;
}

/** How many of a document's segments this coder has seen (in a dimension's pass, when given). */
export function seenCount(db: Db, documentId: number, coderId: number, dimension: string | null): number {
  const row = (dimension === null
    ? statement(db, 'SELECT count(*) AS n FROM seen v JOIN segments s ON s.id = v.segment_id WHERE v.coder_id = ? AND s.document_id = ?').get(coderId, documentId)
    : statement(db, `SELECT count(*) AS n FROM segments s WHERE s.document_id = @document
        AND (EXISTS (SELECT 1 FROM seen v WHERE v.coder_id = @coder AND v.segment_id = s.id)
          OR EXISTS (SELECT 1 FROM seen_dimensions v WHERE v.coder_id = @coder AND v.dimension_id = @dimension AND v.segment_id = s.id))`)
      .get({ document: documentId, coder: coderId, dimension })) as { n: number };
  return row.n;
}

/** A case attribute's value with its label (host_country LT → Lithuania), or undefined. */
export function caseValue(db: Db, caseId: string, attribute: string): { value: string; label: string } | undefined {
  const row = statement(db, `
    SELECT v.value, a.value_labels FROM case_values v JOIN attributes a ON a.name = v.attribute
    WHERE v.case_id = ? AND v.attribute = ?`).get(caseId, attribute) as { value: string; value_labels: string } | undefined;
  if (row === undefined) return undefined;
  const labels = JSON.parse(row.value_labels) as Record<string, string>;
  return { value: row.value, label: labels[row.value] ?? row.value };
}
