import { plural } from '../core/codebook-plan.js';
import { UserError, usageError } from '../core/errors.js';
import { findCoder } from '../store/common.js';
import { parseCodebook, type Codebook } from '../core/codebook.js';
import { shellQuote } from '../core/shell.js';
import { codebookYamlsAfter, eventsToRevert, lastUndoableBatch, listEvents, removalsAfter, revertBatch, undoEventsOf, type EventRow, type MergeCrossing, type MergeEvent, type RevertCounts } from '../store/events.js';
import type { Project } from './project.js';

export interface LogEntry {
  id: number;
  at: string;
  coder: string | null;
  action: string;
  /** What made the change: code, tag, tag --from FILE, autocode QUERY, memo add, … */
  via: string | null;
  /** "r01-vilnius-ru:12", "memo 3", or for undo the batch it reverted. */
  target: string;
  code: string | null;
  batch: string | null;
  /** The id of the 'undo' event that reverted this event's batch; null while it stands. */
  undoneBy: number | null;
  payload: Record<string, unknown>;
}

export interface LogOptions {
  coder?: string | undefined;
  since?: string | undefined;
  limit?: number | undefined;
}

/** Parses --since: a date (YYYY-MM-DD, midnight UTC) or an ISO date-time. */
export function parseSince(since: string): string {
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(since.trim()) || Number.isNaN(Date.parse(since))) {
    throw usageError(`--since "${since}" is not a date: write YYYY-MM-DD or an ISO date-time (2025-03-01T14:00Z)`);
  }
  // Date.parse rolls a day past the month's end over (2025-02-30 is 2025-03-02): the log would then start elsewhere than asked.
  const [year, month, day] = since.trim().slice(0, 10).split('-').map(Number) as [number, number, number];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) {
    throw usageError(`--since "${since}" is not a date: ${since.trim().slice(0, 7)} has no day ${day}`);
  }
  return new Date(since.trim()).toISOString();
}

/** The audit log, newest first. */
export function readLog(project: Project, options: LogOptions): LogEntry[] {
  const { db } = project;
  let coderId: number | null = null;
  if (options.coder !== undefined) {
    const coder = findCoder(db, options.coder);
    if (coder === undefined) return [];
    coderId = coder.id;
  }
  const limit = options.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1) throw usageError(`--limit must be a whole number of at least 1`);
  const since = options.since === undefined ? null : parseSince(options.since);
  const entries = listEvents(db, { coderId, since, limit }).map(toEntry);
  const batches = [...new Set(entries.map((entry) => entry.batch).filter((batch): batch is string => batch !== null))];
  const undoneBy = undoEventsOf(db, batches, Math.min(...entries.map((entry) => entry.id)));
  for (const entry of entries) {
    const byCoder = entry.batch === null ? undefined : undoneBy.get(entry.batch);
    const ids = [byCoder?.get(null), entry.coder === null ? undefined : byCoder?.get(entry.coder)].filter((id): id is number => id !== undefined);
    entry.undoneBy = ids.length === 0 ? null : Math.min(...ids);
  }
  return entries;
}

function toEntry(row: EventRow): LogEntry {
  const payload = JSON.parse(row.payload) as Record<string, unknown>;
  const str = (key: string): string | null => (typeof payload[key] === 'string' ? (payload[key] as string) : null);
  let target = '';
  if (typeof payload.slug === 'string') target = `${payload.slug}:${payload.ordinal}`;
  else if (typeof payload.memo === 'number') target = `memo ${payload.memo}`;
  else if (row.action === 'undo' && typeof payload.batch === 'string') target = `batch ${payload.batch.slice(0, 8)}`;
  else if (row.action === 'remove' || row.action === 'merged.remove') target = removedNames(payload);
  return { id: row.id, at: row.at, coder: row.coder, action: row.action, via: str('via'), target, code: str('code'), batch: row.batch, undoneBy: null, payload };
}

/** A removal's documents and cases, as its event names them (slugs and ids: the event holds no text). */
function removedNames(payload: Record<string, unknown>): string {
  const documents = Array.isArray(payload.documents) ? payload.documents.map((doc) => String((doc as { slug?: unknown }).slug)) : [];
  const cases = Array.isArray(payload.cases) ? payload.cases.map((id) => `case ${String(id)}`) : [];
  return [...cases, ...documents].join(', ');
}

export interface UndoReport {
  batch: string;
  via: string;
  /** The coders whose changes were reverted. */
  coders: string[];
  /** Coders whose changes in the same batch stand (undo --coder reverts one coder's part). */
  kept: string[];
  /** One line saying what was reverted. */
  description: string;
  counts: RevertCounts;
  /** The merges made after the batch (the undo went past them), oldest first. */
  pastMerges: Array<{ at: string; from: string }>;
  /** What the merges mean for this undo (codings kept because a merge also brought them), or null. */
  mergeNote: string | null;
}

export interface UndoOptions {
  coder?: string | undefined;
  /** Undo a batch older than a merge even when the merged copy may hold the same work. */
  pastMerge?: boolean | undefined;
  /** Undo a batch older than a removal (which itself cannot be undone). */
  pastRemoval?: boolean | undefined;
}

/** An event's time as the log shows it. */
function shownAt(at: string): string {
  return at.slice(0, 19).replace('T', ' ');
}

function mergeName(merge: MergeEvent): string {
  return `the merge of ${merge.from} on ${shownAt(merge.at)}`;
}

/**
 * A merge after the batch may have brought the same work (a copy that shares the batch, or made the same
 * codings); undo takes back only what the log shows the merged copies lack, unless told to go past the merge.
 */
function checkMerges(crossing: MergeCrossing, whose: string, description: string, at: string, retry: string, pastMerge: boolean): void {
  if (pastMerge || crossing.undoneThere || crossing.atRisk === 0) return;
  const [first] = crossing.merges as [MergeEvent, ...MergeEvent[]];
  const later = crossing.merges.length > 1 ? ` (and ${plural(crossing.merges.length - 1, 'later merge')})` : '';
  throw new UserError(`${whose} last action (${description}, ${shownAt(at)}) comes before ${mergeName(first)}${later}, which may have brought the same work; nothing was undone`, {
    hint: `Undo it anyway, keeping the codings the merge also brought, with: ${retry} --past-merge`,
  });
}

function describeMerges(crossing: MergeCrossing): string {
  const [first] = crossing.merges as [MergeEvent, ...MergeEvent[]];
  const later = crossing.merges.length > 1 ? ` and ${plural(crossing.merges.length - 1, 'later merge')}` : '';
  const parts: string[] = [];
  if (crossing.atRisk > 0) parts.push(`past ${mergeName(first)}${later}${crossing.undoneThere ? ', which had undone it too' : ''}`);
  const keptFrom = [...new Map([...crossing.kept.values()].map((merge) => [merge.id, merge])).values()];
  if (keptFrom.length > 0) {
    const count = crossing.kept.size;
    parts.push(`kept ${plural(count, 'coding')}: ${keptFrom.map(mergeName).join(', ')} also brought ${count === 1 ? 'it' : 'them'}`);
  }
  return parts.join('; ');
}

/**
 * Reverts the last action (one batch) of a coder, or of anyone; null when there is nothing to undo.
 * With a coder, only that coder's changes in the batch are reverted: a tag --from file can carry
 * several coders' codings in one batch, and each coder's codings and seen marks are their own, so
 * reverting one coder's part leaves the others' exactly as the batch made them.
 */
export function undoLast(project: Project, options: UndoOptions): UndoReport | null {
  const { db } = project;
  let coderId: number | null = null;
  if (options.coder !== undefined) {
    const coder = findCoder(db, options.coder);
    if (coder === undefined) throw new UserError(`no coder "${options.coder}" in this project`, { hint: 'See who has coded with: qcode log' });
    coderId = coder.id;
  }
  const batch = lastUndoableBatch(db, coderId);
  if (batch === undefined) return null;
  const events = eventsToRevert(db, batch, coderId);
  const entries = events.map(toEntry);
  const via = entries.find((entry) => entry.via !== null)?.via ?? 'unknown';
  const namesOf = (rows: readonly EventRow[]): string[] => [...new Set(rows.map((row) => row.coder).filter((name): name is string => name !== null))].sort();
  const coders = namesOf(events);
  const reverted = new Set(events.map((event) => event.id));
  const kept = coderId === null ? [] : namesOf(eventsToRevert(db, batch, null).filter((event) => !reverted.has(event.id)));
  const what = describe(via, entries);
  const description = what + (kept.length === 0 ? '' : `, ${coders.join(', ')}'s part only (${kept.join(', ')}'s changes stand: qcode undo --coder ${shellQuote(kept[0] ?? '')})`);
  const removals = options.pastRemoval ? [] : removalsAfter(db, events[0]?.id ?? Number.MAX_SAFE_INTEGER);
  const lastRemoval = removals[removals.length - 1];
  if (lastRemoval !== undefined) {
    // Someone typing undo right after a removal hopes to reverse it; reverting older, unrelated work instead would be a second loss.
    const whose = options.coder === undefined ? "the project's" : `${options.coder}'s`;
    const retry = `qcode undo${options.coder === undefined ? '' : ` --coder ${shellQuote(options.coder)}`} --past-removal`;
    throw new UserError(`the removal of ${removedNames(JSON.parse(lastRemoval.payload) as Record<string, unknown>)} (${shownAt(lastRemoval.at)}) cannot be undone, and ${whose} last action before it (${what}, ${shownAt(events[0]?.at ?? '')}) was not undone either`, {
      hint: `A removed participant comes back only by importing their text again with --readmit; to undo that older action anyway: ${retry}`,
    });
  }
  const codeNow = followRenames(db, events.reduce((first, event) => (event.at < first ? event.at : first), events[0]?.at ?? ''));
  let crossing: MergeCrossing | undefined;
  const acrossMerges = (found: MergeCrossing): void => {
    checkMerges(found, options.coder === undefined ? "the project's" : `${options.coder}'s`, what, events[0]?.at ?? '',
      `qcode undo${options.coder === undefined ? '' : ` --coder ${shellQuote(options.coder)}`}`, options.pastMerge ?? false);
    crossing = found;
  };
  const counts = revertBatch(db, batch, coderId ?? events[0]?.coder_id ?? null, { via, description }, { only: coderId, codeNow, acrossMerges });
  const merged = crossing as MergeCrossing | undefined;
  return {
    batch, via, coders, kept, description, counts,
    pastMerges: merged?.merges.map((merge) => ({ at: merge.at, from: merge.from })) ?? [],
    mergeNote: merged === undefined ? null : describeMerges(merged) || null,
  };
}

/**
 * A code's id now, given its id at `at`: codebook apply renames codes in place (was: in codebook.yaml)
 * and their codings follow, so an undo must follow them too. Each version applied since is read in
 * turn; a code absent from it that some code lists in was: became that code, and a child of a
 * renamed code moved with its parent.
 */
function followRenames(db: Project['db'], at: string): (code: string) => string {
  const versions: Codebook[] = [];
  for (const yaml of codebookYamlsAfter(db, at)) {
    try {
      versions.push(parseCodebook(yaml, 'codebook.yaml'));
    } catch {
      // A snapshot this version can no longer read is skipped: a change on a code it renamed then counts as gone.
    }
  }
  const known = new Map<string, string>();
  return (code) => {
    let now = known.get(code);
    if (now !== undefined) return now;
    now = code;
    for (const version of versions) {
      const ids = new Set(version.codes.map((item) => item.id));
      if (ids.has(now)) continue;
      const current: string = now;
      const renamed = version.codes.find((item) => item.was.includes(current))?.id
        ?? version.codes.flatMap((item) => item.was.filter((old) => current.startsWith(`${old}.`)).map((old) => item.id + current.slice(old.length))).find((id) => ids.has(id));
      if (renamed !== undefined) now = renamed;
    }
    known.set(code, now);
    return now;
  };
}

/** "code r01-vilnius-ru:12: +forms.protest −forms.media" for a small batch, counts for a large one. */
function describe(via: string, entries: LogEntry[]): string {
  const tags = entries.filter((entry) => entry.action === 'tag');
  const untags = entries.filter((entry) => entry.action === 'untag');
  const seen = entries.filter((entry) => entry.action === 'seen');
  const memos = entries.filter((entry) => entry.action.startsWith('memo.'));
  const targets = [...new Set(entries.map((entry) => entry.target))];
  if (memos.length > 0) return `${via}: ${memos.map((entry) => (entry.action === 'memo.add' ? `added ${entry.target}` : `edited ${entry.target}`)).join(', ')}`;
  if (targets.length === 1 && tags.length + untags.length <= 6) {
    const changes = [...tags.map((entry) => `+${entry.code}`), ...untags.map((entry) => `−${entry.code}`)];
    const what = changes.length > 0 ? changes.join(' ') : 'marked seen';
    return `${via} ${targets[0]}: ${what}`;
  }
  const parts = [
    tags.length > 0 ? `${plural(tags.length, 'coding')} added` : '',
    untags.length > 0 ? `${plural(untags.length, 'coding')} removed` : '',
    seen.length > 0 && tags.length === 0 && untags.length === 0 ? `${plural(seen.length, 'segment')} marked seen` : '',
  ].filter(Boolean);
  return `${via}: ${parts.join(', ')} on ${plural(targets.length, 'segment')}`;
}
