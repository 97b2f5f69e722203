import type { CodeSpan } from '../core/cooccurrence.js';
import { foldYo, unfoldSnippet } from '../core/text.js';
import type { Db } from './db.js';
import { statement } from './common.js';

// The SQL behind retrieve, search, stats, cooccur and the exports. Counting reads every coding once:
// SQLite groups the codings of a segment into one short string of code marks (one character per coding,
// in the covering index codings_unique, so no table row is touched), and JavaScript decodes the marks.
// On 150,000 segments with 900,000 codings all hypotheses take about 0.5 s this way, against 0.8 s for
// the fastest self-join on codings that ignores spans and 4 s for one that applies the overlap rule.

/** null: all coders (the union of their codings). */
export type CoderIds = readonly number[] | null;

export interface DocumentInfo {
  id: number;
  slug: string;
  title: string | null;
  caseId: string | null;
  kind: string;
  language: string | null;
  format: string;
  segments: number;
}

export interface CaseInfo {
  id: string;
  kind: string;
}

/** Who and what the counts run over, loaded once per command. */
export interface AnalysisFrame {
  /** Every code in the store (active and retired), in codebook order; positions are the code indices. */
  codeIds: string[];
  codeIndex: Map<string, number>;
  documents: DocumentInfo[];
  documentById: Map<number, DocumentInfo>;
  cases: CaseInfo[];
  caseIndex: Map<string, number>;
  /** attribute → case index → value */
  caseValues: Map<string, Map<number, string>>;
}

export function loadAnalysisFrame(db: Db): AnalysisFrame {
  const codeIds = (statement(db, 'SELECT id FROM codes ORDER BY ord, id').pluck().all() as string[]);
  const documents = (statement(db, `
    SELECT d.id, d.slug, d.title, d.case_id AS caseId, d.kind, d.language, d.format,
           (SELECT count(*) FROM segments s WHERE s.document_id = d.id) AS segments
    FROM documents d ORDER BY d.slug`).all() as DocumentInfo[]);
  const cases = statement(db, 'SELECT id, kind FROM cases ORDER BY id').all() as CaseInfo[];
  const caseIndex = new Map(cases.map((item, index) => [item.id, index]));
  const caseValues = new Map<string, Map<number, string>>();
  for (const row of statement(db, 'SELECT case_id AS caseId, attribute, value FROM case_values').all() as Array<{ caseId: string; attribute: string; value: string }>) {
    const index = caseIndex.get(row.caseId);
    if (index === undefined) continue;
    let values = caseValues.get(row.attribute);
    if (!values) caseValues.set(row.attribute, (values = new Map()));
    values.set(index, row.value);
  }
  return {
    codeIds,
    codeIndex: new Map(codeIds.map((id, index) => [id, index])),
    documents,
    documentById: new Map(documents.map((document) => [document.id, document])),
    cases,
    caseIndex,
    caseValues,
  };
}

// Marks: code index i is the character 0x100 + 2i for a whole-segment coding and 0x101 + 2i for a span,
// which keeps 2,000 codes (the codebook limit) clear of the surrogate range.
const MARK_BASE = 0x100;

function prepareCodeMarks(db: Db, frame: AnalysisFrame): void {
  db.exec('CREATE TEMP TABLE IF NOT EXISTS analysis_codes (code_id TEXT PRIMARY KEY, idx INTEGER NOT NULL, whole TEXT NOT NULL, span TEXT NOT NULL) WITHOUT ROWID');
  const insert = statement(db, 'INSERT INTO temp.analysis_codes (code_id, idx, whole, span) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    statement(db, 'DELETE FROM temp.analysis_codes').run();
    frame.codeIds.forEach((id, index) => insert.run(id, index, String.fromCharCode(MARK_BASE + 2 * index), String.fromCharCode(MARK_BASE + 2 * index + 1)));
  })();
}

function coderFilter(column: string, coderIds: CoderIds): string {
  // The unary + keeps SQLite scanning the covering index instead of switching to codings_coder.
  return coderIds === null ? '' : `AND +${column} IN (${coderIds.map(() => '?').join(', ')})`;
}

export interface CodedSegmentRow {
  segmentId: number;
  documentId: number;
  codings: CodeSpan[];
}

/**
 * Every segment with at least one coding by the selected coders, with its codings (in segment id order
 * when asked: the exports merge them with the segments; counting does not need the extra sort). Spans are read only
 * for segments where two or more codes are applied to spans alone, the only case where overlap decides
 * co-occurrence; elsewhere each code is reported once, as whole-segment.
 */
export function* codedSegments(db: Db, frame: AnalysisFrame, coderIds: CoderIds, order: 'any' | 'segment' = 'any'): Generator<CodedSegmentRow> {
  prepareCodeMarks(db, frame);
  const params = coderIds ?? [];
  // No join with segments for the document: that reads the table's pages, text and all, for every coded segment.
  const documentOf = segmentDocuments(db);
  const grouped = statement(db, `
    SELECT k.segment_id, group_concat(iif(ifnull(k.start, -1) < 0, a.whole, a.span), '') AS marks
    FROM codings k JOIN temp.analysis_codes a ON a.code_id = k.code_id
    WHERE 1 ${coderFilter('k.coder_id', coderIds)}
    GROUP BY k.segment_id
    ${order === 'segment' ? 'ORDER BY k.segment_id' : ''}`).raw();
  const spans = statement(db, `
    SELECT a.idx, k.start, k."end" FROM codings k JOIN temp.analysis_codes a ON a.code_id = k.code_id
    WHERE k.segment_id = ? AND k.start IS NOT NULL ${coderFilter('k.coder_id', coderIds)}`).raw();
  const K = frame.codeIds.length;
  const whole = new Int32Array(K);
  const seen = new Int32Array(K);
  let stamp = 0;
  for (const [segmentId, marks] of grouped.iterate(...params) as IterableIterator<[number, string]>) {
    const documentId = documentOf(segmentId);
    if (documentId === undefined) continue;
    stamp++;
    const codes: number[] = [];
    for (let i = 0; i < marks.length; i++) {
      const mark = marks.charCodeAt(i) - MARK_BASE;
      const code = mark >> 1;
      if (seen[code] !== stamp) {
        seen[code] = stamp;
        codes.push(code);
      }
      if ((mark & 1) === 0) whole[code] = stamp;
    }
    let spanOnly = 0;
    for (const code of codes) if (whole[code] !== stamp) spanOnly++;
    const codings: CodeSpan[] = [];
    if (spanOnly < 2) {
      for (const code of codes) codings.push({ code, start: null, end: null });
    } else {
      for (const code of codes) if (whole[code] === stamp) codings.push({ code, start: null, end: null });
      for (const [code, start, end] of spans.iterate(segmentId, ...params) as IterableIterator<[number, number, number]>) {
        if (whole[code] !== stamp) codings.push({ code, start, end });
      }
    }
    yield { segmentId, documentId, codings };
  }
}

const NO_DOCUMENT = -0x80000000;

/**
 * Which document each segment belongs to, by segment id. A document's segments are imported together, so
 * their ids usually form one run: a run is read from the (document_id, ordinal) index as its first and last
 * id, and only a document whose ids are scattered has them listed one by one. 150,000 segments take 40 ms,
 * against 250 ms for joining codings with segments.
 */
export function segmentDocuments(db: Db): (segmentId: number) => number | undefined {
  const runs = statement(db, 'SELECT document_id, min(id), max(id), count(*) FROM segments GROUP BY document_id').raw().all() as Array<[number, number, number, number]>;
  let low = Infinity;
  let high = -Infinity;
  let count = 0;
  let largestDocument = 0;
  for (const [document, first, last, segments] of runs) {
    low = Math.min(low, first);
    high = Math.max(high, last);
    count += segments;
    largestDocument = Math.max(largestDocument, Math.abs(document));
  }
  if (count === 0) return () => undefined;
  if (high - low + 1 > 4 * count + 1_000_000 || largestDocument >= 0x7fffffff) {
    // Ids spread far apart (many documents deleted and re-imported), or too large for the array: a map.
    const byId = new Map(statement(db, 'SELECT id, document_id FROM segments').raw().all() as Array<[number, number]>);
    return (segmentId) => byId.get(segmentId);
  }
  const documentOf = new Int32Array(high - low + 1).fill(NO_DOCUMENT);
  const ids = statement(db, 'SELECT id FROM segments WHERE document_id = ?').pluck();
  for (const [document, first, last, segments] of runs) {
    if (last - first + 1 === segments) documentOf.fill(document, first - low, last - low + 1);
    else for (const id of ids.all(document) as number[]) documentOf[id - low] = document;
  }
  return (segmentId) => {
    const document = documentOf[segmentId - low];
    return document === undefined || document === NO_DOCUMENT ? undefined : document;
  };
}

// ---------------------------------------------------------------------------------------------- retrieve

export interface PassageQuery {
  /** The segment must carry at least one of these (--code and --or). */
  anyOf: readonly string[];
  /** … and every one of these (--and). */
  allOf: readonly string[];
  /** … and none of these (--not). */
  noneOf: readonly string[];
  where: ReadonlyArray<{ attribute: string; value: string }>;
  speaker: string | undefined;
  coderIds: CoderIds;
}

/** segment id, slug, title, case, ordinal, speaker, start, end, t_start, t_end, text, and the codings as JSON [[code, coder, start, end], …]. */
export type PassageRow = [
  segmentId: number, document: string, title: string | null, caseId: string | null, ordinal: number, speaker: string | null,
  start: number, end: number, tStart: number | null, tEnd: number | null, text: string, codings: string,
];

/**
 * The matching segments in document order, each with the codings of the asked codes (rows as
 * tuples: a retrieval may return tens of thousands). Codings are
 * grouped per segment inside SQLite, so a segment's text crosses into JavaScript once, not once per
 * coding (on 900,000 codings, 27,000 passages: 0.2 s against 0.35 s for the plain join).
 */
export function passages(db: Db, query: PassageQuery): PassageRow[] {
  const params: unknown[] = [];
  const list = (values: readonly unknown[]): string => {
    params.push(...values);
    return values.map(() => '?').join(', ');
  };
  const byCoders = (column: string): string => (query.coderIds === null ? '' : `AND ${column} IN (${list(query.coderIds)})`);
  const shown = [...new Set([...query.anyOf, ...query.allOf])];
  let sql = `
    SELECT s.id, d.slug, d.title, d.case_id, s.ordinal, s.speaker, s.start, s."end", s.t_start, s.t_end, s.text, g.codings
    FROM (SELECT k.segment_id, json_group_array(json_array(k.code_id, u.name, k.start, k."end")) AS codings
          FROM codings k JOIN coders u ON u.id = k.coder_id
          WHERE k.code_id IN (${list(shown)}) ${byCoders('k.coder_id')}
          GROUP BY k.segment_id) g
    JOIN segments s ON s.id = g.segment_id
    JOIN documents d ON d.id = s.document_id
    WHERE 1`;
  const conditions: string[] = [];
  if (query.allOf.length > 0) {
    conditions.push(`EXISTS (SELECT 1 FROM codings x WHERE x.segment_id = s.id AND x.code_id IN (${list(query.anyOf)}) ${byCoders('x.coder_id')})`);
  }
  for (const code of query.allOf) {
    conditions.push(`EXISTS (SELECT 1 FROM codings x WHERE x.segment_id = s.id AND x.code_id = ${list([code])} ${byCoders('x.coder_id')})`);
  }
  if (query.noneOf.length > 0) {
    conditions.push(`NOT EXISTS (SELECT 1 FROM codings x WHERE x.segment_id = s.id AND x.code_id IN (${list(query.noneOf)}) ${byCoders('x.coder_id')})`);
  }
  for (const { attribute, value } of query.where) {
    conditions.push(`d.case_id IN (SELECT case_id FROM case_values WHERE attribute = ${list([attribute])} AND value = ${list([value])})`);
  }
  if (query.speaker !== undefined) conditions.push(`s.speaker = ${list([query.speaker])}`);
  for (const condition of conditions) sql += `\n      AND ${condition}`;
  sql += '\n    ORDER BY d.slug, s.ordinal';
  return statement(db, sql).raw().all(...params) as PassageRow[];
}

export function hasDocuments(db: Db): boolean {
  return statement(db, 'SELECT EXISTS (SELECT 1 FROM documents)').pluck().get() === 1;
}

export function speakers(db: Db): string[] {
  return statement(db, 'SELECT DISTINCT speaker FROM segments WHERE speaker IS NOT NULL ORDER BY speaker').pluck().all() as string[];
}

export function attributeValues(db: Db, attribute: string): string[] {
  return statement(db, 'SELECT DISTINCT value FROM case_values WHERE attribute = ? ORDER BY value').pluck().all(attribute) as string[];
}

// ---------------------------------------------------------------------------------------------- search

/** Marks FTS5 puts around each match in a snippet: control characters that stored text never holds. */
export const MATCH_OPEN = '\u0002';
export const MATCH_CLOSE = '\u0003';

export interface SearchHit {
  segmentId: number;
  document: string;
  caseId: string | null;
  ordinal: number;
  speaker: string | null;
  start: number;
  end: number;
  tStart: number | null;
  snippet: string;
  text: string;
  /** −bm25: higher is a better match. */
  score: number;
}

/**
 * Segments matching an FTS5 query, best first (bm25). Throws SQLite's error for a malformed query. The
 * index holds ё as е (migration 2), so the query is folded the same way and the snippets get their ё back.
 */
export function searchSegments(db: Db, query: string, limit: number, snippetTokens: number): SearchHit[] {
  const hits = statement(db, `
    SELECT f.rowid AS segmentId, d.slug AS document, d.case_id AS caseId, s.ordinal, s.speaker, s.start, s."end",
           s.t_start AS tStart, f.snippet, s.text, -f.rank AS score
    FROM (SELECT rowid, rank, snippet(segments_fts, 0, char(2), char(3), '…', ?) AS snippet
          FROM segments_fts WHERE segments_fts MATCH ? ORDER BY rank LIMIT ?) f
    JOIN segments s ON s.id = f.rowid
    JOIN documents d ON d.id = s.document_id
    ORDER BY f.rank`).all(snippetTokens, foldYo(query), limit) as SearchHit[];
  for (const hit of hits) hit.snippet = unfoldSnippet(hit.snippet, hit.text, [MATCH_OPEN, MATCH_CLOSE]);
  return hits;
}

export function countSearchMatches(db: Db, query: string): number {
  return statement(db, 'SELECT count(*) FROM segments_fts WHERE segments_fts MATCH ?').pluck().get(foldYo(query)) as number;
}

// ---------------------------------------------------------------------------------------------- exports

export type SegmentExportRow = [id: number, documentId: number, ordinal: number, speaker: string | null, start: number, end: number, tStart: number | null, tEnd: number | null, text: string];

/** Every segment in id order (import order), streamed. */
export function iterateSegments(db: Db): IterableIterator<SegmentExportRow> {
  return statement(db, 'SELECT id, document_id, ordinal, speaker, start, "end", t_start, t_end, text FROM segments ORDER BY id').raw().iterate() as IterableIterator<SegmentExportRow>;
}

export type CodingExportRow = [segmentId: number, code: number, coderId: number, start: number | null, end: number | null, createdAt: string];

/** Every coding of the selected coders in segment order, streamed; code is the frame's code index. */
export function iterateCodings(db: Db, frame: AnalysisFrame, coderIds: CoderIds): IterableIterator<CodingExportRow> {
  prepareCodeMarks(db, frame);
  return statement(db, `
    SELECT k.segment_id, a.idx, k.coder_id, k.start, k."end", k.created_at
    FROM codings k JOIN temp.analysis_codes a ON a.code_id = k.code_id
    WHERE 1 ${coderFilter('k.coder_id', coderIds)}
    ORDER BY k.segment_id, k.code_id, k.coder_id, ifnull(k.start, -1)`).raw().iterate(...(coderIds ?? [])) as IterableIterator<CodingExportRow>;
}

/** Codings per code (index = frame code index) by the selected coders. */
export function codingsPerCode(db: Db, frame: AnalysisFrame, coderIds: CoderIds): Int32Array {
  const counts = new Int32Array(frame.codeIds.length);
  const rows = statement(db, `SELECT code_id, count(*) FROM codings k WHERE 1 ${coderFilter('k.coder_id', coderIds)} GROUP BY code_id`).raw().all(...(coderIds ?? [])) as Array<[string, number]>;
  for (const [code, n] of rows) {
    const index = frame.codeIndex.get(code);
    if (index !== undefined) counts[index] = n;
  }
  return counts;
}

/** Codes that have at least one coding by the selected coders (retired codes among them keep their column). */
export function codesInUse(db: Db, coderIds: CoderIds): Set<string> {
  const rows = statement(db, `SELECT c.id FROM codes c WHERE EXISTS (SELECT 1 FROM codings k WHERE k.code_id = c.id ${coderIds === null ? '' : `AND k.coder_id IN (${coderIds.map(() => '?').join(', ')})`})`)
    .pluck()
    .all(...(coderIds ?? [])) as string[];
  return new Set(rows);
}

/**
 * Per code: segments carrying it and codings, by the selected coders, straight from the codings_code index.
 * For all coders each code is counted on its own range of the index: two range counts per code take about
 * 15 % less than one GROUP BY with count(DISTINCT), which sorts every coding into a temporary tree.
 */
export function segmentsAndCodingsPerCode(db: Db, codeIds: readonly string[], coderIds: CoderIds): Map<string, { segments: number; codings: number }> {
  if (coderIds === null) {
    const codings = statement(db, 'SELECT count(*) FROM codings WHERE code_id = ?').pluck();
    const segments = statement(db, 'SELECT count(*) FROM (SELECT DISTINCT segment_id FROM codings WHERE code_id = ?)').pluck();
    return new Map(codeIds.map((code) => [code, { segments: segments.get(code) as number, codings: codings.get(code) as number }]));
  }
  const rows = statement(db, `SELECT code_id, count(DISTINCT segment_id), count(*) FROM codings WHERE coder_id IN (${coderIds.map(() => '?').join(', ')}) GROUP BY code_id`)
    .raw()
    .all(...coderIds) as Array<[string, number, number]>;
  return new Map(rows.map(([code, segments, codings]) => [code, { segments, codings }]));
}

export function segmentCount(db: Db): number {
  return statement(db, 'SELECT count(*) FROM segments').pluck().get() as number;
}
