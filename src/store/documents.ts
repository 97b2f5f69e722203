import type { Segment } from '../core/segment.js';
import type { Db } from './db.js';
import { statement } from './common.js';

// Documents and their segments. Import writes each document in one transaction (the caller opens it
// with inTransaction), reusing cached prepared statements so that a thousand files cost a thousand
// small transactions and nothing else.

export interface NewDocument {
  slug: string;
  caseId: string | null;
  title: string | null;
  kind: string;
  language: string | null;
  sourcePath: string | null;
  format: string;
  encoding: string | null;
  sha256: string;
  text: string;
  importedAt: string;
}

/** Runs fn in one immediate transaction: all of it is written, or nothing. */
export function inTransaction<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}

export interface StoredDocument {
  id: number;
  slug: string;
  case_id: string | null;
  title: string | null;
  kind: string;
  language: string | null;
  source_path: string | null;
  format: string;
  encoding: string | null;
  sha256: string;
  imported_at: string;
}

const DOCUMENT_COLUMNS = 'id, slug, case_id, title, kind, language, source_path, format, encoding, sha256, imported_at';

export function documentBySlug(db: Db, slug: string): StoredDocument | undefined {
  return statement(db, `SELECT ${DOCUMENT_COLUMNS} FROM documents WHERE slug = ?`).get(slug) as StoredDocument | undefined;
}

export function documentById(db: Db, id: number): StoredDocument | undefined {
  return statement(db, `SELECT ${DOCUMENT_COLUMNS} FROM documents WHERE id = ?`).get(id) as StoredDocument | undefined;
}

export function documentText(db: Db, id: number): string | undefined {
  return statement(db, 'SELECT text FROM documents WHERE id = ?').pluck().get(id) as string | undefined;
}

/** Slugs of other documents holding exactly this text. */
export function slugsWithText(db: Db, sha256: string): string[] {
  return (statement(db, 'SELECT slug FROM documents WHERE sha256 = ? ORDER BY slug').all(sha256) as Array<{ slug: string }>).map((row) => row.slug);
}

export function insertDocument(db: Db, doc: NewDocument): number {
  const result = statement(db, `
    INSERT INTO documents (slug, case_id, title, kind, language, source_path, format, encoding, sha256, text, imported_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
    doc.slug, doc.caseId, doc.title, doc.kind, doc.language, doc.sourcePath, doc.format, doc.encoding, doc.sha256, doc.text, doc.importedAt,
  );
  return Number(result.lastInsertRowid);
}

export function insertSegments(db: Db, documentId: number, segments: readonly Segment[], firstOrdinal = 1, sign = 1): void {
  const insert = statement(db, 'INSERT INTO segments (document_id, ordinal, speaker, start, "end", text, t_start, t_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  segments.forEach((segment, index) => {
    insert.run(documentId, sign * (firstOrdinal + index), segment.speaker, segment.start, segment.end, segment.text, segment.tStart, segment.tEnd);
  });
}

export function setDocumentCase(db: Db, documentId: number, caseId: string | null): void {
  statement(db, 'UPDATE documents SET case_id = ? WHERE id = ?').run(caseId, documentId);
}

/** A stored segment as replacement sees it: what it says, who says it, and what hangs on it. */
export interface SegmentForReplace {
  id: number;
  ordinal: number;
  speaker: string | null;
  text: string;
  start: number;
  codings: number;
  memos: number;
}

export function segmentsForReplace(db: Db, documentId: number): SegmentForReplace[] {
  return statement(db, `
    SELECT s.id, s.ordinal, s.speaker, s.text, s.start,
      (SELECT count(*) FROM codings k WHERE k.segment_id = s.id) AS codings,
      (SELECT count(*) FROM memos m WHERE m.target_kind = 'segment' AND m.target_id = CAST(s.id AS TEXT)) AS memos
    FROM segments s WHERE s.document_id = ? ORDER BY s.ordinal`).all(documentId) as SegmentForReplace[];
}

/**
 * Replaces a document's text and segments in place. Old segments listed in `keep` (old id → index in
 * the new segments) keep their ids, so codings, memos and "seen" marks stay attached; their coded
 * spans move with them. All other old segments are deleted (the caller has checked that nothing
 * hangs on them: codings RESTRICT the delete anyway).
 */
export function replaceDocument(db: Db, documentId: number, doc: NewDocument, segments: readonly Segment[], keep: ReadonlyMap<number, number>, oldStarts: ReadonlyMap<number, number>): void {
  statement(db, `
    UPDATE documents SET case_id = ?, title = ?, kind = ?, language = ?, source_path = ?, format = ?, encoding = ?, sha256 = ?, text = ?, imported_at = ?
    WHERE id = ?`).run(doc.caseId, doc.title, doc.kind, doc.language, doc.sourcePath, doc.format, doc.encoding, doc.sha256, doc.text, doc.importedAt, documentId);
  const ids = statement(db, 'SELECT id FROM segments WHERE document_id = ?').all(documentId) as Array<{ id: number }>;
  const remove = statement(db, 'DELETE FROM segments WHERE id = ?');
  for (const { id } of ids) if (!keep.has(id)) remove.run(id);
  // Ordinals are unique per document: park the new ones below zero, then flip them all at once.
  const move = statement(db, 'UPDATE segments SET ordinal = ?, start = ?, "end" = ?, t_start = ?, t_end = ? WHERE id = ?');
  const shift = statement(db, 'UPDATE codings SET start = start + ?, "end" = "end" + ? WHERE segment_id = ? AND start IS NOT NULL');
  const kept = new Set<number>();
  for (const [id, index] of keep) {
    const segment = segments[index] as Segment;
    move.run(-(index + 1), segment.start, segment.end, segment.tStart, segment.tEnd, id);
    const delta = segment.start - (oldStarts.get(id) ?? segment.start);
    if (delta !== 0) shift.run(delta, delta, id);
    kept.add(index);
  }
  const insert = statement(db, 'INSERT INTO segments (document_id, ordinal, speaker, start, "end", text, t_start, t_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  segments.forEach((segment, index) => {
    if (!kept.has(index)) insert.run(documentId, -(index + 1), segment.speaker, segment.start, segment.end, segment.text, segment.tStart, segment.tEnd);
  });
  statement(db, 'UPDATE segments SET ordinal = -ordinal WHERE document_id = ? AND ordinal < 0').run(documentId);
}

/** A document's case, kind, language and title, its text and segments untouched. */
export function setDocumentMeta(db: Db, documentId: number, meta: Pick<NewDocument, 'caseId' | 'kind' | 'language' | 'title'>): void {
  statement(db, 'UPDATE documents SET case_id = ?, kind = ?, language = ?, title = ? WHERE id = ?').run(meta.caseId, meta.kind, meta.language, meta.title, documentId);
}

export interface DocumentListRow {
  id: number;
  slug: string;
  case_id: string | null;
  title: string | null;
  kind: string;
  language: string | null;
  format: string;
  segments: number;
  coded: number;
}

/** Every document with its number of segments and of segments that carry at least one coding. */
export function listDocuments(db: Db): DocumentListRow[] {
  return statement(db, `
    SELECT d.id, d.slug, d.case_id, d.title, d.kind, d.language, d.format,
      (SELECT count(*) FROM segments s WHERE s.document_id = d.id) AS segments,
      (SELECT count(*) FROM segments s WHERE s.document_id = d.id AND EXISTS (SELECT 1 FROM codings k WHERE k.segment_id = s.id)) AS coded
    FROM documents d ORDER BY d.slug`).all() as DocumentListRow[];
}

/** Segment texts of all documents, one row at a time (for word counts without holding the corpus). */
export function iterateSegmentTexts(db: Db): IterableIterator<{ document_id: number; text: string }> {
  return statement(db, 'SELECT document_id, text FROM segments').iterate() as IterableIterator<{ document_id: number; text: string }>;
}

export interface StoredSegment {
  id: number;
  ordinal: number;
  speaker: string | null;
  start: number;
  end: number;
  text: string;
  t_start: number | null;
  t_end: number | null;
  codings: number;
}

export function documentSegments(db: Db, documentId: number): StoredSegment[] {
  return statement(db, `
    SELECT s.id, s.ordinal, s.speaker, s.start, s."end" AS "end", s.text, s.t_start, s.t_end,
      (SELECT count(*) FROM codings k WHERE k.segment_id = s.id) AS codings
    FROM segments s WHERE s.document_id = ? ORDER BY s.ordinal`).all(documentId) as StoredSegment[];
}

/**
 * Sets the page cache of this connection (in KiB) and returns the previous setting. A bulk import
 * writes each page once and never reads it back, so a large cache only grows the process: 8 MB
 * keeps a 1,000-transcript import as fast as 64 MB and some 60 MB smaller.
 */
export function setPageCache(db: Db, kib: number): number {
  const previous = db.pragma('cache_size', { simple: true }) as number;
  db.pragma(`cache_size = ${-Math.abs(Math.trunc(kib))}`);
  return previous;
}

/** Restores a cache_size value returned by setPageCache (negative: KiB, positive: pages). */
export function restorePageCache(db: Db, previous: number): void {
  db.pragma(`cache_size = ${Math.trunc(previous)}`);
}
