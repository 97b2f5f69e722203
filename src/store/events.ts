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
 * For each of the given batches that a later 'undo' event reverted, that event's id. An undo always comes
 * after its batch, so only events after `afterId` are read: the log's newest page costs a short range.
 */
export function undoEventsOf(db: Db, batches: readonly string[], afterId: number): Map<string, number> {
  if (batches.length === 0) return new Map();
  const rows = statement(db, `
    SELECT json_extract(payload, '$.batch') AS batch, min(id) AS undo FROM events
    WHERE id > ? AND action = 'undo' AND json_extract(payload, '$.batch') IN (SELECT value FROM json_each(?))
    GROUP BY 1`).raw().all(afterId, JSON.stringify(batches)) as Array<[string, number]>;
  return new Map(rows);
}

/** The batch of a coder's (or anyone's) latest action that has not been undone yet; an 'undo' event names the batch it reverted. */
export function lastUndoableBatch(db: Db, coderId: number | null): string | undefined {
  // The undone batches are gathered once (an uncorrelated IN is materialised), so skipping a large undone
  // batch costs one lookup per event, not one scan.
  const row = statement(db, `
    SELECT e.batch FROM events e
    WHERE (@coderId IS NULL OR e.coder_id = @coderId) AND e.batch IS NOT NULL
      AND e.action IN ('tag', 'untag', 'seen', 'memo.add', 'memo.edit')
      AND e.batch NOT IN (SELECT json_extract(u.payload, '$.batch') FROM events u WHERE u.action = 'undo' AND json_extract(u.payload, '$.batch') IS NOT NULL)
    ORDER BY e.id DESC LIMIT 1`).get({ coderId }) as { batch: string } | undefined;
  return row?.batch;
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

export interface RevertCounts {
  codingsRemoved: number;
  codingsRestored: number;
  unseen: number;
  memosRemoved: number;
  memosRestored: number;
  /** Changes that later work had already reverted or superseded (e.g. a coding removed since). */
  alreadyGone: number;
}

/**
 * Reverts every event of a batch, newest first, and appends one 'undo' event naming the batch,
 * all in one transaction.
 */
export function revertBatch(db: Db, batch: string, undoCoderId: number | null, summary: Record<string, unknown>): RevertCounts {
  const counts: RevertCounts = { codingsRemoved: 0, codingsRestored: 0, unseen: 0, memosRemoved: 0, memosRestored: 0, alreadyGone: 0 };
  const coderIdOf = (name: string): number | undefined =>
    (statement(db, 'SELECT id FROM coders WHERE name = ?').get(name) as { id: number } | undefined)?.id;
  // A segment may have been re-created by a re-import since; the document's sha256 and the ordinal still find it.
  const segmentOf = (payload: SegmentPayload): number | undefined => {
    if (statement(db, 'SELECT 1 FROM segments WHERE id = ?').get(payload.segment) !== undefined) return payload.segment;
    const row = statement(db, `
      SELECT s.id FROM segments s JOIN documents d ON d.id = s.document_id WHERE d.sha256 = ? AND s.ordinal = ? LIMIT 1`)
      .get(payload.document, payload.ordinal) as { id: number } | undefined;
    return row?.id;
  };
  db.transaction(() => {
    const events = eventsOfBatch(db, batch).reverse();
    for (const event of events) {
      const payload = JSON.parse(event.payload) as Record<string, unknown>;
      let changed = 0;
      if (event.action === 'tag' || event.action === 'untag' || event.action === 'seen') {
        const place = payload as unknown as CodingPayload;
        const segmentId = segmentOf(place);
        const coderId = coderIdOf(place.coder);
        if (segmentId === undefined || coderId === undefined) {
          counts.alreadyGone++;
          continue;
        }
        if (event.action === 'tag') {
          changed = statement(db, `DELETE FROM codings WHERE segment_id = ? AND code_id = ? AND coder_id = ?
            AND ifnull(start, -1) = ifnull(?, -1) AND ifnull("end", -1) = ifnull(?, -1)`).run(segmentId, place.code, coderId, place.start, place.end).changes;
          counts.codingsRemoved += changed;
          // The tag that first made its segment seen says so instead of a separate 'seen' event.
          if ((payload as { seen?: boolean }).seen === true) {
            counts.unseen += statement(db, 'DELETE FROM seen WHERE segment_id = ? AND coder_id = ?').run(segmentId, coderId).changes;
          }
        } else if (event.action === 'untag') {
          const known = statement(db, 'SELECT 1 FROM codes WHERE id = ?').get(place.code) !== undefined;
          changed = known
            ? statement(db, 'INSERT OR IGNORE INTO codings (segment_id, code_id, coder_id, start, "end", created_at) VALUES (?, ?, ?, ?, ?, ?)')
              .run(segmentId, place.code, coderId, place.start, place.end, place.created_at ?? nowIso()).changes
            : 0;
          counts.codingsRestored += changed;
        } else {
          const seen = payload as { first?: boolean; dimension?: string | null };
          if (seen.first !== false) {
            changed = statement(db, 'DELETE FROM seen WHERE segment_id = ? AND coder_id = ?').run(segmentId, coderId).changes;
            counts.unseen += changed;
          }
          if (typeof seen.dimension === 'string') {
            changed += statement(db, 'DELETE FROM seen_dimensions WHERE segment_id = ? AND coder_id = ? AND dimension_id = ?').run(segmentId, coderId, seen.dimension).changes;
          }
        }
      } else if (event.action === 'memo.add') {
        changed = statement(db, 'DELETE FROM memos WHERE id = ?').run(payload.memo).changes;
        counts.memosRemoved += changed;
      } else if (event.action === 'memo.edit') {
        changed = statement(db, 'UPDATE memos SET text = ?, updated_at = ? WHERE id = ?').run(payload.before, nowIso(), payload.memo).changes;
        counts.memosRestored += changed;
      } else {
        continue;
      }
      if (changed === 0) counts.alreadyGone++;
    }
    appendEvent(db, { coderId: undoCoderId, action: 'undo', batch: null, payload: { ...summary, batch, reverted: counts } });
  }).immediate();
  return counts;
}
