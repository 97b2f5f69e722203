import type { Db } from './db.js';
import { getMeta, setMeta, statement } from './common.js';

// The SQL of `qcode docs remove` / `qcode cases remove`: a participant's withdrawal of consent. The rows
// go in one transaction; then the pages that held them are overwritten (secure_delete), the full-text
// index is merged so that its deleted terms are dropped, and the store is checkpointed and vacuumed, so
// that the words cannot be read back from qcode.db, qcode.db-wal or the index's shadow tables. An import
// --replace erases a replaced text's old words the same way (markReplacedTextPending, compactStore).

/** What hangs on one document: everything that goes with it. */
export interface DocumentHoldings {
  id: number;
  slug: string;
  sha256: string;
  case_id: string | null;
  segments: number;
  codings: number;
  memos: number;
  seen: number;
}

const SEGMENT_MEMO = "m.target_kind = 'segment' AND m.target_id IN (SELECT CAST(s.id AS TEXT) FROM segments s WHERE s.document_id = d.id)";
const DOCUMENT_MEMO = "m.target_kind = 'document' AND m.target_id = d.slug";

export function documentHoldings(db: Db, documentId: number): DocumentHoldings | undefined {
  return statement(db, `
    SELECT d.id, d.slug, d.sha256, d.case_id,
      (SELECT count(*) FROM segments s WHERE s.document_id = d.id) AS segments,
      (SELECT count(*) FROM codings k JOIN segments s ON s.id = k.segment_id WHERE s.document_id = d.id) AS codings,
      (SELECT count(*) FROM memos m WHERE (${DOCUMENT_MEMO}) OR (${SEGMENT_MEMO})) AS memos,
      (SELECT count(*) FROM seen v JOIN segments s ON s.id = v.segment_id WHERE s.document_id = d.id)
        + (SELECT count(*) FROM seen_dimensions v JOIN segments s ON s.id = v.segment_id WHERE s.document_id = d.id) AS seen
    FROM documents d WHERE d.id = ?`).get(documentId) as DocumentHoldings | undefined;
}

/** The texts of documents, by slug, to find where else a participant's words are quoted. */
export function documentTexts(db: Db, documentIds: readonly number[]): Array<{ name: string; text: string; turns: string[] }> {
  return documentIds.flatMap((id) => {
    const row = statement(db, 'SELECT slug AS name, text FROM documents WHERE id = ?').get(id) as { name: string; text: string } | undefined;
    if (row === undefined) return [];
    return [{ ...row, turns: statement(db, 'SELECT text FROM segments WHERE document_id = ? ORDER BY ordinal').pluck().all(id) as string[] }];
  });
}

/** A memo that stays after a removal: on another document or segment, a code, another case, the project. */
export interface MemoKept {
  id: number;
  target_kind: string;
  /** How the target reads: the slug, "r08:3" for a segment, the code or case id; null for the project. */
  target: string | null;
  text: string;
}

/** The memos a removal of these documents and cases leaves in place. */
export function memosKept(db: Db, documentIds: readonly number[], caseIds: readonly string[]): MemoKept[] {
  return statement(db, `
    SELECT m.id, m.target_kind,
      CASE m.target_kind WHEN 'segment' THEN (SELECT d.slug || ':' || s.ordinal FROM segments s JOIN documents d ON d.id = s.document_id
        WHERE s.id = CAST(m.target_id AS INTEGER)) ELSE m.target_id END AS target, m.text
    FROM memos m
    WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.id IN (SELECT value FROM json_each(@documents)) AND ((${DOCUMENT_MEMO}) OR (${SEGMENT_MEMO})))
      AND NOT (m.target_kind = 'case' AND m.target_id IN (SELECT value FROM json_each(@cases)))
    ORDER BY m.id`).all({ documents: JSON.stringify(documentIds), cases: JSON.stringify(caseIds) }) as MemoKept[];
}

/** Whether a document other than these holds the text as it is written (a question asked in every interview). */
export function textInOtherDocuments(db: Db, text: string, documentIds: readonly number[]): boolean {
  return statement(db, 'SELECT 1 FROM documents WHERE id NOT IN (SELECT value FROM json_each(?)) AND instr(text, ?) > 0 LIMIT 1')
    .get(JSON.stringify(documentIds), text) !== undefined;
}

/** The texts (sha256) and cases of removals made with --keep-quotes: their look-alikes are not quotes. */
export function removalsKeepingQuotes(db: Db): { sha256s: Set<string>; cases: Set<string> } {
  const rows = statement(db, "SELECT payload FROM events WHERE action = 'remove' AND json_extract(payload, '$.keepQuotes') = 1").pluck().all() as string[];
  const sha256s = new Set<string>();
  const cases = new Set<string>();
  for (const row of rows) {
    const payload = JSON.parse(row) as { documents?: Array<{ sha256?: string }>; cases?: string[] };
    for (const document of payload.documents ?? []) if (typeof document.sha256 === 'string') sha256s.add(document.sha256);
    for (const id of payload.cases ?? []) cases.add(id);
  }
  return { sha256s, cases };
}

export function setMemoText(db: Db, id: number, text: string, at: string): void {
  statement(db, 'UPDATE memos SET text = ?, updated_at = ? WHERE id = ?').run(text, at, id);
}

/** The memo events left in the log, whose payloads carry memo texts (text; before and after for an edit). */
export function memoEvents(db: Db): Array<{ id: number; payload: string }> {
  return statement(db, "SELECT id, payload FROM events WHERE action IN ('memo.add', 'memo.edit') ORDER BY id").all() as Array<{ id: number; payload: string }>;
}

export function setEventPayload(db: Db, id: number, payload: string): void {
  statement(db, 'UPDATE events SET payload = ? WHERE id = ?').run(payload, id);
}

export function documentIdsOfCase(db: Db, caseId: string): number[] {
  return statement(db, 'SELECT id FROM documents WHERE case_id = ? ORDER BY slug').pluck().all(caseId) as number[];
}

/** A case's attribute values and the memos on it. */
export function caseHoldings(db: Db, caseId: string): { values: number; memos: number } {
  return {
    values: statement(db, 'SELECT count(*) FROM case_values WHERE case_id = ?').pluck().get(caseId) as number,
    memos: statement(db, "SELECT count(*) FROM memos WHERE target_kind = 'case' AND target_id = ?").pluck().get(caseId) as number,
  };
}

/** What the removal of a set of documents and cases took with it from the audit log. */
export interface Erased {
  segmentIds: number[];
  memoIds: number[];
}

/**
 * Deletes a document with its segments (their full-text entries go through the delete trigger), codings,
 * seen and pass marks, and the memos on it and on its segments; inside the caller's transaction.
 */
export function deleteDocument(db: Db, document: Pick<DocumentHoldings, 'id' | 'slug'>, erased: Erased): void {
  const segments = statement(db, 'SELECT id FROM segments WHERE document_id = ?').pluck().all(document.id) as number[];
  erased.segmentIds.push(...segments);
  const memos = statement(db, `SELECT m.id FROM memos m, documents d WHERE d.id = ? AND ((${DOCUMENT_MEMO}) OR (${SEGMENT_MEMO}))`).pluck().all(document.id) as number[];
  erased.memoIds.push(...memos);
  const deleteMemo = statement(db, 'DELETE FROM memos WHERE id = ?');
  for (const id of memos) deleteMemo.run(id);
  // codings RESTRICT the deletion of their segment: they go first, on purpose, here alone.
  statement(db, 'DELETE FROM codings WHERE segment_id IN (SELECT id FROM segments WHERE document_id = ?)').run(document.id);
  statement(db, 'DELETE FROM seen WHERE segment_id IN (SELECT id FROM segments WHERE document_id = ?)').run(document.id);
  statement(db, 'DELETE FROM seen_dimensions WHERE segment_id IN (SELECT id FROM segments WHERE document_id = ?)').run(document.id);
  statement(db, 'DELETE FROM segments WHERE document_id = ?').run(document.id);
  statement(db, 'DELETE FROM documents WHERE id = ?').run(document.id);
}

/** Deletes a case (its values cascade) and the memos on it; inside the caller's transaction. */
export function deleteCase(db: Db, caseId: string, erased: Erased): void {
  const memos = statement(db, "SELECT id FROM memos WHERE target_kind = 'case' AND target_id = ?").pluck().all(caseId) as number[];
  erased.memoIds.push(...memos);
  statement(db, "DELETE FROM memos WHERE target_kind = 'case' AND target_id = ?").run(caseId);
  statement(db, 'DELETE FROM case_values WHERE case_id = ?').run(caseId);
  statement(db, 'DELETE FROM cases WHERE id = ?').run(caseId);
}

/**
 * Deletes the events about the removed rows, merged history included: tags, untags and seen marks on the
 * removed segments (or naming the removed documents), and every memo event of the removed memos, whose
 * payloads carry the memo's words. Undo then never meets a change on a removed segment. Returns how many.
 */
export function deleteEventsOf(db: Db, removed: { erased: Erased; slugs: string[]; sha256s: string[]; caseIds: string[] }): number {
  const params = {
    segments: JSON.stringify(removed.erased.segmentIds),
    segmentTexts: JSON.stringify(removed.erased.segmentIds.map(String)),
    slugs: JSON.stringify(removed.slugs),
    shas: JSON.stringify(removed.sha256s),
    memos: JSON.stringify(removed.erased.memoIds),
    cases: JSON.stringify(removed.caseIds),
  };
  const places = statement(db, `
    DELETE FROM events WHERE action IN ('tag', 'untag', 'seen') AND (
      json_extract(payload, '$.segment') IN (SELECT value FROM json_each(@segments))
      OR json_extract(payload, '$.slug') IN (SELECT value FROM json_each(@slugs))
      OR (json_extract(payload, '$.segment') IS NULL AND json_extract(payload, '$.document') IN (SELECT value FROM json_each(@shas))))`).run(params).changes;
  const memos = statement(db, `
    DELETE FROM events WHERE action IN ('memo.add', 'memo.edit') AND (
      json_extract(payload, '$.memo') IN (SELECT value FROM json_each(@memos))
      OR (json_extract(payload, '$.target_kind') = 'segment' AND json_extract(payload, '$.target_id') IN (SELECT value FROM json_each(@segmentTexts)))
      OR (json_extract(payload, '$.target_kind') = 'document' AND json_extract(payload, '$.target_id') IN (SELECT value FROM json_each(@slugs)))
      OR (json_extract(payload, '$.target_kind') = 'case' AND json_extract(payload, '$.target_id') IN (SELECT value FROM json_each(@cases))))`).run(params).changes;
  return places + memos;
}

/**
 * The tombstone of a document: one row for its text now and one for each earlier version an import
 * --replace put aside (document_versions), so that neither import nor merge brings back any version.
 */
export function recordRemovedDocument(db: Db, document: Pick<DocumentHoldings, 'id' | 'sha256' | 'slug' | 'case_id'>, at: string): void {
  const earlier = statement(db, 'SELECT sha256 FROM document_versions WHERE document_id = ?').pluck().all(document.id) as string[];
  const insert = statement(db, 'INSERT INTO removed_documents (sha256, slug, case_id, removed_at) VALUES (?, ?, ?, ?)');
  for (const sha256 of new Set([document.sha256, ...earlier])) insert.run(sha256, document.slug, document.case_id, at);
}

export function recordRemovedCase(db: Db, caseId: string, at: string): void {
  statement(db, 'INSERT INTO removed_cases (id, removed_at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET removed_at = excluded.removed_at').run(caseId, at);
}

/** When a case was removed (withdrawal of consent), or undefined. */
export function caseRemovedAt(db: Db, caseId: string): string | undefined {
  return statement(db, 'SELECT removed_at FROM removed_cases WHERE id = ?').pluck().get(caseId) as string | undefined;
}

/** Takes a removed case back (cases set|import --readmit: the participant agreed again). */
export function liftCaseTombstone(db: Db, caseId: string): void {
  statement(db, 'DELETE FROM removed_cases WHERE id = ?').run(caseId);
}

/** The newest removal of a document under this slug, or undefined. */
export function removedDocumentBySlug(db: Db, slug: string): Tombstone | undefined {
  return statement(db, 'SELECT slug, case_id, removed_at FROM removed_documents WHERE slug = ? ORDER BY id DESC LIMIT 1').get(slug) as Tombstone | undefined;
}

/** Every document tombstone: its slug and case, for merge to recognise an earlier version over there by its name. */
export function removedDocumentSlugs(db: Db): Map<string, Array<string | null>> {
  const slugs = new Map<string, Array<string | null>>();
  for (const row of statement(db, 'SELECT DISTINCT slug, case_id FROM removed_documents').all() as Array<{ slug: string; case_id: string | null }>) {
    slugs.set(row.slug, [...(slugs.get(row.slug) ?? []), row.case_id]);
  }
  return slugs;
}

export interface Tombstone {
  slug: string;
  case_id: string | null;
  removed_at: string;
}

/** The removals of documents that held exactly this text, newest first. */
export function tombstonesOfText(db: Db, sha256: string): Tombstone[] {
  return statement(db, 'SELECT slug, case_id, removed_at FROM removed_documents WHERE sha256 = ? ORDER BY id DESC').all(sha256) as Tombstone[];
}

export function removedCaseIds(db: Db): Set<string> {
  return new Set(statement(db, 'SELECT id FROM removed_cases').pluck().all() as string[]);
}

export function removedDocumentHashes(db: Db): Set<string> {
  return new Set(statement(db, 'SELECT sha256 FROM removed_documents').pluck().all() as string[]);
}

/** --readmit: the text (and its case) may come back; merges then bring their work back too. */
export function liftTombstones(db: Db, sha256: string, caseId: string | null): void {
  // The other versions' rows of the same removal go too: the participant consented again to the document, not to one text of it.
  statement(db, `DELETE FROM removed_documents WHERE (slug, removed_at) IN (SELECT slug, removed_at FROM removed_documents WHERE sha256 = ?)`).run(sha256);
  if (caseId !== null) statement(db, 'DELETE FROM removed_cases WHERE id = ?').run(caseId);
}

/**
 * Runs fn with SQLite overwriting deleted content with zeros (PRAGMA secure_delete), then restores the
 * setting; when fn returns a promise (an import's batch of files), once it settles.
 */
export function withSecureDelete<T>(db: Db, fn: () => T): T {
  const previous = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = ON');
  const restore = (): void => {
    if (db.open) db.pragma(`secure_delete = ${previous}`);
  };
  let result: T;
  try {
    result = fn();
  } catch (error) {
    restore();
    throw error;
  }
  if (result instanceof Promise) return result.finally(restore) as T;
  restore();
  return result;
}

/**
 * segments_fts is an external-content index: a delete adds a delete marker and leaves the terms in older
 * index segments. 'optimize' merges every index segment into one, which drops the deleted entries with
 * their markers. (FTS5's secure-delete option would do it too, but it upgrades the index format beyond
 * what SQLite before 3.44 reads, and analysts query the store with their own sqlite3.)
 */
export function dropDeletedIndexEntries(db: Db): void {
  statement(db, "INSERT INTO segments_fts (segments_fts) VALUES ('optimize')").run();
}

/**
 * The meta key set in the removal's transaction and cleared once the store is compacted: while it is set,
 * qcode.db or qcode.db-wal may still hold removed text, and the next removal command finishes the job.
 */
const ERASURE_PENDING = 'erasure.pending';
/** Set with ERASURE_PENDING when an import --replace, not a removal, left the old text to erase. */
const ERASURE_PENDING_FROM = 'erasure.pending_from';

export function markErasurePending(db: Db, at: string): void {
  setMeta(db, ERASURE_PENDING, at);
  // A removal's erasure finishes whatever an import left as well, and its command is the one to name.
  statement(db, 'DELETE FROM meta WHERE key = ?').run(ERASURE_PENDING_FROM);
}

/**
 * In the transaction of an import that replaces a document's text: its old words stay in the files until
 * the import compacts the store. An erasure already pending keeps its mark (a removal's names the command
 * that finishes both).
 */
export function markReplacedTextPending(db: Db, at: string): void {
  if (erasurePending(db) !== undefined) return;
  setMeta(db, ERASURE_PENDING, at);
  setMeta(db, ERASURE_PENDING_FROM, 'import');
}

/** When the removal whose erasure is not finished was made, or undefined. */
export function erasurePending(db: Db): string | undefined {
  return getMeta(db, ERASURE_PENDING);
}

/**
 * The removal whose erasure is not finished, with what it took that a removal command can name again to
 * finish it (an already removed name does nothing but that): its tombstones, less any name that is in
 * the project again (re-imported, --readmit), which that command would remove. Undefined when none.
 */
export function unfinishedErasure(db: Db): { at: string; slugs: string[]; caseIds: string[]; byImport: boolean } | undefined {
  const at = erasurePending(db);
  if (at === undefined) return undefined;
  // An import --replace's: the same import run again (its files unchanged now) finishes it.
  if (getMeta(db, ERASURE_PENDING_FROM) === 'import') return { at, slugs: [], caseIds: [], byImport: true };
  const slugs = statement(db, `
    SELECT DISTINCT r.slug FROM removed_documents r
    WHERE r.removed_at = ? AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.slug = r.slug OR CAST(d.id AS TEXT) = r.slug)
    ORDER BY r.slug`).pluck().all(at) as string[];
  const caseIds = statement(db, `
    SELECT r.id FROM removed_cases r WHERE r.removed_at = ? AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = r.id) ORDER BY r.id`).pluck().all(at) as string[];
  if (slugs.length + caseIds.length > 0) return { at, slugs, caseIds, byImport: false };
  // Every name of that removal is back (--readmit): any earlier removal's name finishes the erasure as well.
  const other = statement(db, `
    SELECT r.slug FROM removed_documents r
    WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.slug = r.slug OR CAST(d.id AS TEXT) = r.slug)
    ORDER BY r.id DESC LIMIT 1`).pluck().get() as string | undefined;
  return { at, slugs: other === undefined ? [] : [other], caseIds: [], byImport: false };
}

/**
 * After the commit: copies the WAL into qcode.db and empties it, rewrites the file without free pages, and
 * empties the WAL again. A reader that started before the removal keeps the checkpoint from copying past
 * its snapshot, so the checkpoint is retried until `waitMs` has passed (each try waits up to a second).
 * Returns whether both files are free of the removed text; only then is the pending mark cleared, and
 * `onErased` told.
 */
export function compactStore(db: Db, options: { waitMs: number; onWait?: () => void; onErased?: () => void }): boolean {
  const checkpoint = (): boolean => {
    // A checkpoint waits busy_timeout for readers, which a command that queues behind writers sets to
    // minutes: each try here waits a second, so that the loop below keeps to its own deadline.
    const busy = db.pragma('busy_timeout', { simple: true }) as number;
    db.pragma(`busy_timeout = ${Math.min(busy, 1000)}`);
    try {
      const [row] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
      return row === undefined || row.busy === 0;
    } finally {
      db.pragma(`busy_timeout = ${busy}`);
    }
  };
  const deadline = Date.now() + options.waitMs;
  const untilDone = (): boolean => {
    let waited = false;
    while (!checkpoint()) {
      if (Date.now() >= deadline) return false;
      if (!waited) options.onWait?.();
      waited = true;
    }
    return true;
  };
  if (!untilDone()) return false;
  db.exec('VACUUM');
  if (!untilDone()) return false;
  db.prepare('DELETE FROM meta WHERE key IN (?, ?)').run(ERASURE_PENDING, ERASURE_PENDING_FROM);
  options.onErased?.();
  // The delete went to the WAL: empty it once more (nothing of the removal is in that frame).
  checkpoint();
  return true;
}

/**
 * The first problem PRAGMA quick_check finds in the store, or undefined when it finds none. A page it
 * cannot read at all is thrown as SQLite's error (SQLITE_CORRUPT). Seconds on a store of 700 MB: it
 * reads every page once, but checks no index against its table (integrity_check takes three times longer).
 */
export function storeProblem(db: Db): string | undefined {
  const rows = db.pragma('quick_check') as Array<{ quick_check: string }>;
  // The first row may start with a "*** in database main ***" line of its own.
  const first = rows.flatMap((row) => row.quick_check.split('\n')).find((line) => !line.startsWith('***'));
  return first === undefined || first === 'ok' ? undefined : first;
}
