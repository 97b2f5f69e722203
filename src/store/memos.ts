import type { Db } from './db.js';
import { appendEvent, nowIso, statement } from './common.js';

export type MemoTargetKind = 'project' | 'document' | 'segment' | 'code' | 'case';

/** target_id holds the document slug, the segment id, the code id or the case id; NULL for the project. */
export interface MemoTarget {
  kind: MemoTargetKind;
  id: string | null;
}

export interface MemoRow {
  id: number;
  target_kind: MemoTargetKind;
  target_id: string | null;
  /** How the target reads: "r01-vilnius-ru:12" for a segment, the slug, code or case id, "project". */
  target: string;
  coder: string | null;
  text: string;
  created_at: string;
  updated_at: string;
}

const SELECT_MEMO = `
  SELECT m.id, m.target_kind, m.target_id,
         CASE m.target_kind
           WHEN 'project' THEN 'project'
           WHEN 'segment' THEN ifnull(d.slug || ':' || s.ordinal, 'segment ' || m.target_id)
           ELSE m.target_id END AS target,
         r.name AS coder, m.text, m.created_at, m.updated_at
  FROM memos m
  LEFT JOIN coders r ON r.id = m.coder_id
  LEFT JOIN segments s ON m.target_kind = 'segment' AND s.id = CAST(m.target_id AS INTEGER)
  LEFT JOIN documents d ON d.id = s.document_id`;

/**
 * Whether a memo's target is there. memos.target_id has no foreign key (it names rows of several tables),
 * so a memo on a segment or document removed meanwhile (qcode docs remove, import --replace) would be
 * saved on nothing, its words out of reach of any later removal. A code is not checked: codes are retired, never deleted.
 */
export function memoTargetExists(db: Db, target: MemoTarget): boolean {
  switch (target.kind) {
    case 'segment': return statement(db, 'SELECT 1 FROM segments WHERE id = CAST(? AS INTEGER)').get(target.id) !== undefined;
    case 'document': return statement(db, 'SELECT 1 FROM documents WHERE slug = ?').get(target.id) !== undefined;
    case 'case': return statement(db, 'SELECT 1 FROM cases WHERE id = ?').get(target.id) !== undefined;
    default: return true;
  }
}

/** Adds a memo and logs it, in one transaction; returns its id, or null (nothing written) when its target is gone. */
export function insertMemo(db: Db, input: { target: MemoTarget; coderId: number | null; text: string; batch: string; via: string }): number | null {
  return db.transaction(() => {
    // Checked under the write lock: a removal that committed before cannot be missed.
    if (!memoTargetExists(db, input.target)) return null;
    const at = nowIso();
    const id = Number(
      statement(db, 'INSERT INTO memos (target_kind, target_id, coder_id, text, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(input.target.kind, input.target.id, input.coderId, input.text, at, at).lastInsertRowid,
    );
    appendEvent(db, {
      coderId: input.coderId,
      action: 'memo.add',
      batch: input.batch,
      at,
      payload: { via: input.via, memo: id, target_kind: input.target.kind, target_id: input.target.id, text: input.text },
    });
    return id;
  }).immediate();
}

/** Replaces a memo's text and logs the previous text, so undo can restore it. */
export function updateMemoText(db: Db, input: { id: number; coderId: number | null; text: string; batch: string; via: string }): void {
  db.transaction(() => {
    const before = statement(db, 'SELECT text, created_at, target_kind, target_id FROM memos WHERE id = ?').get(input.id) as
      { text: string; created_at: string; target_kind: MemoTargetKind; target_id: string | null } | undefined;
    if (before === undefined) return;
    const at = nowIso();
    statement(db, 'UPDATE memos SET text = ?, updated_at = ? WHERE id = ?').run(input.text, at, input.id);
    appendEvent(db, {
      coderId: input.coderId,
      action: 'memo.edit',
      batch: input.batch,
      at,
      // Memo ids are reused once the newest memo is deleted: the memo's creation time and target let
      // undo tell this memo from a later one that took its id.
      payload: { via: input.via, memo: input.id, created_at: before.created_at, target_kind: before.target_kind, target_id: before.target_id, before: before.text, after: input.text },
    });
  }).immediate();
}

/** One memo with its target spelled out, or undefined. */
export function findMemo(db: Db, id: number): MemoRow | undefined {
  return statement(db, `${SELECT_MEMO} WHERE m.id = ?`).get(id) as MemoRow | undefined;
}

export interface MemoFilter {
  target: MemoTarget | null;
  /** With a document target: its segments' memos too. */
  documentId: number | null;
  coderId: number | null;
}

/** Memos matching a filter, oldest first. */
export function listMemos(db: Db, filter: MemoFilter): MemoRow[] {
  return statement(db, `${SELECT_MEMO}
    WHERE (@kind IS NULL OR (m.target_kind = @kind AND m.target_id IS @targetId) OR (@documentId IS NOT NULL AND s.document_id = @documentId))
      AND (@coderId IS NULL OR m.coder_id = @coderId)
    ORDER BY m.id`).all({
    kind: filter.target?.kind ?? null,
    targetId: filter.target?.id ?? null,
    documentId: filter.documentId,
    coderId: filter.coderId,
  }) as MemoRow[];
}

/** The texts of the memos on one segment, oldest first (the coder shows them under the segment). */
export function segmentMemoTexts(db: Db, segmentId: number): string[] {
  return (statement(db, "SELECT text FROM memos WHERE target_kind = 'segment' AND target_id = ? ORDER BY id").all(String(segmentId)) as Array<{ text: string }>)
    .map((row) => row.text);
}
