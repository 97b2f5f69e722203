import type { Db } from './db.js';
import { appendEvent, nowIso, statement } from './common.js';

export interface EventRow {
  id: number;
  at: string;
  coder_id: number | null;
  coder: string | null;
  action: string;
  batch: string | null;
  payload: string;
}

export interface EventFilter {
  coderId: number | null;
  /** ISO date or date-time; events at or after it. */
  since: string | null;
  limit: number;
}

/** The newest events first. */
export function listEvents(db: Db, filter: EventFilter): EventRow[] {
  return statement(db, `
    SELECT e.id, e.at, e.coder_id, r.name AS coder, e.action, e.batch, e.payload
    FROM events e LEFT JOIN coders r ON r.id = e.coder_id
    WHERE (@coderId IS NULL OR e.coder_id = @coderId) AND (@since IS NULL OR e.at >= @since)
    ORDER BY e.id DESC LIMIT @limit`).all(filter) as EventRow[];
}

/**
 * For each of the given batches that a later 'undo' event reverted, that event's id, keyed by the coder
 * whose events it reverted (null: the whole batch; `undo --coder` reverts one coder's part of a batch
 * several coders share). An undo always comes after its batch, so only events after `afterId` are read:
 * the log's newest page costs a short range.
 */
export function undoEventsOf(db: Db, batches: readonly string[], afterId: number): Map<string, Map<string | null, number>> {
  const undone = new Map<string, Map<string | null, number>>();
  if (batches.length === 0) return undone;
  const rows = statement(db, `
    SELECT json_extract(payload, '$.batch') AS batch, json_extract(payload, '$.coder') AS coder, min(id) AS undo FROM events
    WHERE id > ? AND action = 'undo' AND json_extract(payload, '$.batch') IN (SELECT value FROM json_each(?))
    GROUP BY 1, 2`).raw().all(afterId, JSON.stringify(batches)) as Array<[string, string | null, number]>;
  for (const [batch, coder, undo] of rows) {
    const byCoder = undone.get(batch) ?? new Map<string | null, number>();
    byCoder.set(coder, undo);
    undone.set(batch, byCoder);
  }
  return undone;
}

/** The batch of a coder's (or anyone's) latest action that has not been undone yet; an 'undo' event names the batch it reverted. */
export function lastUndoableBatch(db: Db, coderId: number | null): string | undefined {
  // The undone batches (and coders' parts of batches) are gathered once (an uncorrelated IN is
  // materialised), so skipping a large undone batch costs one lookup per event, not one scan.
  const row = statement(db, `
    SELECT e.batch FROM events e
    WHERE (@coderId IS NULL OR e.coder_id = @coderId) AND e.batch IS NOT NULL
      AND e.action IN ('tag', 'untag', 'seen', 'memo.add', 'memo.edit')
      AND e.batch NOT IN (SELECT json_extract(u.payload, '$.batch') FROM events u
        WHERE u.action = 'undo' AND json_extract(u.payload, '$.batch') IS NOT NULL AND json_extract(u.payload, '$.coder') IS NULL)
      AND (e.coder_id IS NULL OR (e.batch, e.coder_id) NOT IN (SELECT json_extract(u.payload, '$.batch'), c.id FROM events u
        JOIN coders c ON c.name = json_extract(u.payload, '$.coder') WHERE u.action = 'undo'))
    ORDER BY e.id DESC LIMIT 1`).get({ coderId }) as { batch: string } | undefined;
  return row?.batch;
}

/**
 * The events of a batch that an undo would revert now: those of `only` (a coder id), or without it
 * all the batch's events except the parts of coders an earlier `undo --coder` already reverted.
 */
export function eventsToRevert(db: Db, batch: string, only: number | null): EventRow[] {
  const undoneCoders = new Set((statement(db, `
    SELECT c.id FROM events u JOIN coders c ON c.name = json_extract(u.payload, '$.coder')
    WHERE u.action = 'undo' AND json_extract(u.payload, '$.batch') = ?`).pluck().all(batch) as number[]));
  return eventsOfBatch(db, batch).filter((event) =>
    only === null ? event.coder_id === null || !undoneCoders.has(event.coder_id) : event.coder_id === only && !undoneCoders.has(only));
}

/** The codebook versions applied after a moment, oldest first: a code renamed since is found through them. */
export function codebookYamlsAfter(db: Db, at: string): string[] {
  return statement(db, 'SELECT yaml FROM codebook_versions WHERE applied_at > ? ORDER BY id').pluck().all(at) as string[];
}

/** The events of one batch, in order. */
export function eventsOfBatch(db: Db, batch: string): EventRow[] {
  return statement(db, `
    SELECT e.id, e.at, e.coder_id, r.name AS coder, e.action, e.batch, e.payload
    FROM events e LEFT JOIN coders r ON r.id = e.coder_id WHERE e.batch = ? ORDER BY e.id`).all(batch) as EventRow[];
}

interface SegmentPayload {
  segment: number;
  document: string;
  ordinal: number;
  coder: string;
}

interface CodingPayload extends SegmentPayload {
  code: string;
  start: number | null;
  end: number | null;
  created_at?: string;
}

interface MemoAddPayload {
  memo: number;
  target_kind: string;
  target_id: string | null;
}

interface MemoEditPayload {
  memo: number;
  before: string;
  /** The memo's own creation time and target; edits logged before they were recorded lack them. */
  created_at?: string;
  target_kind?: string;
  target_id?: string | null;
}

/** What proves a memo is the one an event changed; coderId undefined: not known. */
interface MemoIdentity {
  createdAt: string;
  coderId?: number | null;
  kind: string;
  targetId: string | null;
}

/** A memo.add event's memo: created at the event's time, by the event's coder. */
function addedMemo(at: string, coderId: number | null, payload: MemoAddPayload): MemoIdentity {
  return { createdAt: at, coderId, kind: payload.target_kind, targetId: payload.target_id ?? null };
}

/** A 'merge' event: when this project merged another copy, and from where. */
export interface MergeEvent {
  id: number;
  at: string;
  from: string;
  /** Ranges [first, last] of this project's event ids that the merged copy held too (its log had them). */
  shared: Array<[number, number]>;
}

/** The removals (qcode docs|cases remove) after an event, oldest first: a removal cannot be undone, so undo does not reach past one unasked. */
export function removalsAfter(db: Db, afterId: number): Array<{ at: string; payload: string }> {
  return statement(db, "SELECT at, payload FROM events WHERE id > ? AND action = 'remove' ORDER BY id").all(afterId) as Array<{ at: string; payload: string }>;
}

/** The 'merge' events after an event, oldest first. */
export function mergesAfter(db: Db, afterId: number): MergeEvent[] {
  const rows = statement(db, `SELECT id, at, json_extract(payload, '$.from') AS "from", json_extract(payload, '$.shared') AS shared
    FROM events WHERE id > ? AND action = 'merge' ORDER BY id`).all(afterId) as Array<Omit<MergeEvent, 'shared'> & { shared: string | null }>;
  return rows.map((row) => {
    let shared: unknown;
    try {
      shared = row.shared === null ? [] : JSON.parse(row.shared);
    } catch {
      shared = [];
    }
    const ranges = Array.isArray(shared)
      ? shared.filter((range): range is [number, number] => Array.isArray(range) && typeof range[0] === 'number' && typeof range[1] === 'number')
      : [];
    return { ...row, shared: ranges };
  });
}

/** What an undo finds when merges came after the batch it reverts (see RevertOptions.acrossMerges). */
export interface MergeCrossing {
  /** The merges after the batch, oldest first. */
  merges: MergeEvent[];
  /** The tags whose codings a merge also brought, by event id, with that merge: they are kept. */
  kept: Map<number, MergeEvent>;
  /** Changes the undo would take back that nothing shows the merged copies lack: they may hold the same work (a copy made after the batch carries it as shared history, which the log cannot tell apart). */
  atRisk: number;
  /** Every copy merged since brought an undo of this batch (or of the coder's part): it was taken back over there too. */
  undoneThere: boolean;
}

interface MergedChange {
  id: number;
  action: string;
  segment: number | null;
  coder: string | null;
  code: string | null;
  start: number | null;
  end: number | null;
  batch: string | null;
}

/**
 * The merge that brought a coding a batch's tag made, if one did: a merged 'tag' (no batch) after the tag,
 * of the same segment, code, coder and span, that no later merged 'untag' of it, nor a later merged undo
 * that may have covered it, took back. A merged undo names the other copy's batch, which merged events no
 * longer carry, so any whole undo, or one of this coder's part, after the merged tag counts against it.
 *
 * Or the tag itself was shared history: a copy made after it holds the same event, which the merge found
 * here and so did not bring in; the merge records the ids of the events it found (MergeEvent.shared). That
 * copy holds the coding still when no merged change of it came after the tag (its untag would have come
 * in as a merged 'untag', a tag again as a merged 'tag') and no merged undo names the tag's batch (a shared
 * batch has the same id in both copies; an undo of another batch there cannot take back this tag's coding).
 */
function mergedTagFinder(db: Db, afterId: number, merges: readonly MergeEvent[], codeNow: (code: string) => string):
  (tagId: number, batch: string | null, segment: number, code: string, coder: string, start: number | null, end: number | null) => MergeEvent | undefined {
  const rows = statement(db, `
    SELECT id, action, json_extract(payload, '$.segment') AS segment, json_extract(payload, '$.coder') AS coder,
      json_extract(payload, '$.code') AS code, json_extract(payload, '$.start') AS start, json_extract(payload, '$.end') AS "end",
      json_extract(payload, '$.batch') AS batch
    FROM events WHERE id > ? AND batch IS NULL AND action IN ('tag', 'untag', 'merged.undo') ORDER BY id`).all(afterId) as MergedChange[];
  const key = (segment: number | null, coder: string | null, start: number | null, end: number | null): string => JSON.stringify([segment, coder, start, end]);
  const changes = new Map<string, MergedChange[]>();
  const undos: MergedChange[] = [];
  for (const row of rows) {
    if (row.action === 'merged.undo') {
      undos.push(row);
      continue;
    }
    const list = changes.get(key(row.segment, row.coder, row.start, row.end)) ?? [];
    list.push(row);
    changes.set(key(row.segment, row.coder, row.start, row.end), list);
  }
  return (tagId, batch, segment, code, coder, start, end) => {
    let tag: MergedChange | undefined;
    let changed = false;
    for (const change of changes.get(key(segment, coder, start, end)) ?? []) {
      if (change.id <= tagId || change.code === null || codeNow(change.code) !== code) continue;
      tag = change.action === 'tag' ? change : undefined;
      changed = true;
    }
    if (!changed) {
      if (undos.some((undo) => undo.id > tagId && undo.batch === batch && (undo.coder === null || undo.coder === coder))) return undefined;
      return merges.find((merge) => merge.id > tagId && merge.shared.some(([first, last]) => first <= tagId && tagId <= last));
    }
    if (tag === undefined) return undefined;
    const tagIdThere = tag.id;
    if (undos.some((undo) => undo.id > tagIdThere && (undo.coder === null || undo.coder === coder))) return undefined;
    return merges.find((merge) => merge.id > tagIdThere);
  };
}

/**
 * Whether every copy merged after the batch brought an undo of the batch itself (a copy that shares the
 * batch undid it there): an undo names its batch, and a shared batch has the same id in both copies.
 */
function undoneInMergedCopies(db: Db, batch: string, coder: string | null, afterId: number, merges: readonly MergeEvent[]): boolean {
  const undos = statement(db, `SELECT id, json_extract(payload, '$.coder') AS coder FROM events
    WHERE id > ? AND action = 'merged.undo' AND json_extract(payload, '$.batch') = ?`).all(afterId, batch) as Array<{ id: number; coder: string | null }>;
  const undoneFrom = new Set(undos.filter((undo) => undo.coder === null || undo.coder === coder)
    .map((undo) => merges.find((merge) => merge.id > undo.id)?.from));
  return merges.every((merge) => undoneFrom.has(merge.from));
}

export interface RevertCounts {
  /** Codings the batch made that a later merge also brought: kept (MergeCrossing.kept). */
  keptByMerge: number;
  codingsRemoved: number;
  codingsRestored: number;
  unseen: number;
  memosRemoved: number;
  memosRestored: number;
  /** Changes that later work had already reverted or superseded (e.g. a coding removed since). */
  alreadyGone: number;
}

export interface RevertOptions {
  /** Revert only this coder's events of the batch; the undo event then names the coder if others' events remain. */
  only?: number | null;
  /** The id a code the batch used has now (codebook renames change ids; codings follow them). */
  codeNow?: (code: string) => string;
  /**
   * Called inside the transaction, before anything is written, when merges came after the batch; it may
   * throw to refuse the undo (the transaction then writes nothing).
   */
  acrossMerges?: (crossing: MergeCrossing) => void;
}

/**
 * Reverts the batch's events (see eventsToRevert), newest first, and appends one 'undo' event naming
 * the batch, all in one transaction.
 */
export function revertBatch(db: Db, batch: string, undoCoderId: number | null, summary: Record<string, unknown>, options: RevertOptions = {}): RevertCounts {
  const counts: RevertCounts = { keptByMerge: 0, codingsRemoved: 0, codingsRestored: 0, unseen: 0, memosRemoved: 0, memosRestored: 0, alreadyGone: 0 };
  const only = options.only ?? null;
  const codeNow = options.codeNow ?? ((code: string): string => code);
  const coderIdOf = (name: string): number | undefined =>
    (statement(db, 'SELECT id FROM coders WHERE name = ?').get(name) as { id: number } | undefined)?.id;
  // The id alone does not prove the segment still has its words: import --replace deletes changed
  // segments, and SQLite may give a deleted id to a new segment. The document's sha256 and the ordinal
  // do prove it, and still find a segment re-created (with the same text) by a re-import. A segment
  // that a replace kept (same words, other document text) is proven by the coding a tag made: it
  // carries the event's time, and no segment with a coding can be deleted.
  const segmentOf = (payload: CodingPayload, action: string, code: string, coderId: number, at: string): number | undefined => {
    if (statement(db, 'SELECT 1 FROM segments s JOIN documents d ON d.id = s.document_id WHERE s.id = ? AND d.sha256 = ? AND s.ordinal = ?')
      .get(payload.segment, payload.document, payload.ordinal) !== undefined) return payload.segment;
    if (action === 'tag' && statement(db, `SELECT 1 FROM codings WHERE segment_id = ? AND code_id = ? AND coder_id = ?
      AND ifnull(start, -1) = ifnull(?, -1) AND ifnull("end", -1) = ifnull(?, -1) AND created_at = ?`)
      .get(payload.segment, code, coderId, payload.start, payload.end, at) !== undefined) return payload.segment;
    const row = statement(db, `
      SELECT s.id FROM segments s JOIN documents d ON d.id = s.document_id WHERE d.sha256 = ? AND s.ordinal = ? LIMIT 1`)
      .get(payload.document, payload.ordinal) as { id: number } | undefined;
    return row?.id;
  };
  // Memo ids are reused (memos has no AUTOINCREMENT): once the newest memo is deleted, the next memo
  // takes its id. The id names the memo an event changed only while that memo still has the creation
  // time, target and coder the event recorded; a memo without them is another one, not this event's to change.
  const sameMemo = (id: unknown, memo: MemoIdentity | undefined): boolean => {
    if (typeof id !== 'number' || memo === undefined) return false;
    const row = statement(db, 'SELECT created_at, coder_id, target_kind, target_id FROM memos WHERE id = ?').get(id) as
      { created_at: string; coder_id: number | null; target_kind: string; target_id: string | null } | undefined;
    return row !== undefined && row.created_at === memo.createdAt && row.target_kind === memo.kind
      && (memo.coderId === undefined || row.coder_id === memo.coderId)
      // Codebook apply moves the memos of a renamed code to its new id.
      && (row.target_id === memo.targetId || (memo.kind === 'code' && memo.targetId !== null && row.target_id === codeNow(memo.targetId)));
  };
  // The memo an edit changed: an edit records the memo's creation time and target. One logged before
  // edits did is taken to have changed the memo its id's latest memo.add before it created (merged
  // events, without a batch, are left out: their memos were not made here); without one, nothing proves
  // which memo it was.
  const editedMemo = (event: EventRow, payload: MemoEditPayload): MemoIdentity | undefined => {
    if (typeof payload.created_at === 'string' && typeof payload.target_kind === 'string') {
      return { createdAt: payload.created_at, kind: payload.target_kind, targetId: payload.target_id ?? null };
    }
    const added = statement(db, `SELECT at, coder_id, payload FROM events WHERE id < ? AND action = 'memo.add' AND batch IS NOT NULL
      AND json_extract(payload, '$.memo') = ? ORDER BY id DESC LIMIT 1`).get(event.id, payload.memo) as Pick<EventRow, 'at' | 'coder_id' | 'payload'> | undefined;
    return added === undefined ? undefined : addedMemo(added.at, added.coder_id, JSON.parse(added.payload) as MemoAddPayload);
  };
  db.transaction(() => {
    const batchEvents = eventsOfBatch(db, batch);
    const events = eventsToRevert(db, batch, only).reverse();
    // The undo names the coder when it reverts only that coder's part, so that the rest stays undoable.
    const partOf = only !== null && batchEvents.some((event) => event.coder_id !== only) ? batchEvents.find((event) => event.coder_id === only)?.coder ?? undefined : undefined;
    // Codings are a union: a merge skips a coding this project already has, so a tag here and the same tag
    // in the merged copy leave one coding. Taking it back would take back the other copy's work too.
    const merges = mergesAfter(db, events[0]?.id ?? Number.MAX_SAFE_INTEGER);
    const kept = new Map<number, MergeEvent>();
    // "segment:coder" of kept codings: their seen marks stay with them.
    const keptSeen = new Set<string>();
    if (merges.length > 0) {
      const firstId = events[events.length - 1]!.id;
      const mergedTag = mergedTagFinder(db, firstId, merges, codeNow);
      let atRisk = 0;
      for (const event of events) {
        if (event.action !== 'tag') continue;
        const place = JSON.parse(event.payload) as CodingPayload;
        const coderId = coderIdOf(place.coder);
        const code = codeNow(place.code);
        const segmentId = coderId === undefined ? undefined : segmentOf(place, event.action, code, coderId, event.at);
        const merge = segmentId === undefined ? undefined : mergedTag(event.id, event.batch, segmentId, code, place.coder, place.start, place.end);
        if (merge === undefined) continue;
        kept.set(event.id, merge);
        keptSeen.add(`${segmentId}:${coderId}`);
      }
      for (const event of events) {
        if (event.action === 'untag' || kept.has(event.id)) continue;
        if (event.action === 'seen') {
          const place = JSON.parse(event.payload) as SegmentPayload;
          if (keptSeen.has(`${place.segment}:${coderIdOf(place.coder)}`)) continue;
        }
        atRisk++;
      }
      const coder = partOf ?? (only === null ? null : batchEvents.find((event) => event.coder_id === only)?.coder ?? null);
      options.acrossMerges?.({ merges, kept, atRisk, undoneThere: undoneInMergedCopies(db, batch, coder, firstId, merges) });
    }
    for (const event of events) {
      const payload = JSON.parse(event.payload) as Record<string, unknown>;
      let changed = 0;
      if (event.action === 'tag' || event.action === 'untag' || event.action === 'seen') {
        const place = payload as unknown as CodingPayload;
        const coderId = coderIdOf(place.coder);
        // A 'seen' event names no code.
        const code = typeof place.code === 'string' ? codeNow(place.code) : '';
        const segmentId = coderId === undefined ? undefined : segmentOf(place, event.action, code, coderId, event.at);
        if (segmentId === undefined || coderId === undefined) {
          counts.alreadyGone++;
          continue;
        }
        if (event.action === 'tag' && kept.has(event.id)) {
          changed = statement(db, `SELECT count(*) FROM codings WHERE segment_id = ? AND code_id = ? AND coder_id = ?
            AND ifnull(start, -1) = ifnull(?, -1) AND ifnull("end", -1) = ifnull(?, -1)`).pluck().get(segmentId, code, coderId, place.start, place.end) as number;
          counts.keptByMerge += changed;
        } else if (event.action === 'tag') {
          // Only the coding this tag made (it carries the event's time): a codebook merge since may have
          // dropped it as a duplicate of an older coding, which is not this tag's to take back.
          changed = statement(db, `DELETE FROM codings WHERE segment_id = ? AND code_id = ? AND coder_id = ?
            AND ifnull(start, -1) = ifnull(?, -1) AND ifnull("end", -1) = ifnull(?, -1) AND created_at = ?`)
            .run(segmentId, code, coderId, place.start, place.end, event.at).changes;
          counts.codingsRemoved += changed;
          // The tag that first made its segment seen says so instead of a separate 'seen' event.
          if ((payload as { seen?: boolean }).seen === true && !keptSeen.has(`${segmentId}:${coderId}`)) {
            counts.unseen += statement(db, 'DELETE FROM seen WHERE segment_id = ? AND coder_id = ?').run(segmentId, coderId).changes;
          }
        } else if (event.action === 'untag') {
          const known = statement(db, 'SELECT 1 FROM codes WHERE id = ?').get(code) !== undefined;
          changed = known
            ? statement(db, 'INSERT OR IGNORE INTO codings (segment_id, code_id, coder_id, start, "end", created_at) VALUES (?, ?, ?, ?, ?, ?)')
              .run(segmentId, code, coderId, place.start, place.end, place.created_at ?? nowIso()).changes
            : 0;
          counts.codingsRestored += changed;
        } else {
          const seen = payload as { first?: boolean; dimension?: string | null };
          // A kept coding's segment stays seen by its coder.
          if (keptSeen.has(`${segmentId}:${coderId}`)) continue;
          if (seen.first !== false) {
            changed = statement(db, 'DELETE FROM seen WHERE segment_id = ? AND coder_id = ?').run(segmentId, coderId).changes;
            counts.unseen += changed;
          }
          if (typeof seen.dimension === 'string') {
            changed += statement(db, 'DELETE FROM seen_dimensions WHERE segment_id = ? AND coder_id = ? AND dimension_id = ?').run(segmentId, coderId, seen.dimension).changes;
          }
        }
      } else if (event.action === 'memo.add') {
        if (sameMemo(payload.memo, addedMemo(event.at, event.coder_id, payload as unknown as MemoAddPayload))) {
          changed = statement(db, 'DELETE FROM memos WHERE id = ?').run(payload.memo).changes;
        }
        counts.memosRemoved += changed;
      } else if (event.action === 'memo.edit') {
        const edit = payload as unknown as MemoEditPayload;
        if (sameMemo(edit.memo, editedMemo(event, edit))) {
          changed = statement(db, 'UPDATE memos SET text = ?, updated_at = ? WHERE id = ?').run(edit.before, nowIso(), edit.memo).changes;
        }
        counts.memosRestored += changed;
      } else {
        continue;
      }
      if (changed === 0) counts.alreadyGone++;
    }
    appendEvent(db, { coderId: undoCoderId, action: 'undo', batch: null, payload: { ...summary, batch, ...(partOf === undefined ? {} : { coder: partOf }), reverted: counts, ...(merges.length === 0 ? {} : { pastMerges: merges.map((merge) => merge.id) }) } });
  }).immediate();
  return counts;
}
