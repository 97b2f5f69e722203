import { randomUUID } from 'node:crypto';
import type { CodeDef, DimensionDef, ProjectCodebook, Status } from '../core/codebook.js';
import { plural } from '../core/codebook-plan.js';
import { codeSuggestion } from '../core/codebook-model.js';
import { UserError, usageError } from '../core/errors.js';
import { shellQuote } from '../core/shell.js';
import { didYouMeanSuffix } from '../core/suggest.js';
import { loadProjectCodebook } from '../store/codebook.js';
import {
  caseValue, coderCodesInDimension, coderCodingsOnSegment,
  firstDocumentToDo, firstToDo, HIT_CLOSE, HIT_OPEN, isSeen, matchSegments, nextCandidate, previousCandidate,
  seenCount, sessionDocument, sessionSegmentByOrdinal, speakersOfDocument, applyCodingBatch, writeCodingBatch,
  type CodingBatchResult, type CodingChange, type SegmentPlace, type SessionDocument, type SessionFilter,
  type SessionSegment, type TextHit,
} from '../store/codings.js';
import { ensureCoder, findCoder, findDocument, listCoders, listDocumentSlugs, segmentById, segmentByOrdinal, type CoderRow, type SegmentRef } from '../store/common.js';
import type { Db } from '../store/db.js';
import { insertMemo, segmentMemoTexts } from '../store/memos.js';
import { removedDocumentBySlug } from '../store/removal.js';
import { teamCodes, teamDimensions } from '../store/team.js';
import type { Project } from './project.js';

export { HIT_CLOSE, HIT_OPEN };

/** A batch id: every event of one command shares it, so undo reverts the command as one action. */
export function newBatchId(): string {
  return randomUUID();
}

/**
 * The coder named by --coder, else $QCODE_CODER; a usage error naming the flag when neither is set. Given
 * the store, also refuses a name that cannot become a new coder (see newCoderNameProblem).
 */
export function requireCoderName(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env, db?: Db): string {
  // NFC, as case ids and values are: a name typed in decomposed form must not become a second coder.
  const name = (explicit ?? env.QCODE_CODER ?? '').trim().normalize('NFC');
  if (name === '') throw usageError('no coder given: pass --coder NAME (or set QCODE_CODER)');
  if (db !== undefined) refuseNewCoderName(db, name, explicit === undefined ? 'QCODE_CODER' : '--coder');
  return name;
}

/**
 * The name a typed coder name is stored under. Names are compared in NFC, as requireCoderName writes them: an
 * older qcode stored names as typed, so a decomposed "Андрей" there is the coder a composed one names.
 */
export function storedCoderName(db: Db, typed: string): string {
  const name = typed.trim().normalize('NFC');
  if (findCoder(db, name) !== undefined) return name;
  return listCoders(db).find((coder) => coder.name.normalize('NFC') === name)?.name ?? name;
}

// Terminal control sequences (ESC, BEL, C1), characters XML cannot hold (the REFI export would refuse the
// coder for good) and bidirectional overrides (a name that prints as another).
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffe\uffff]|\p{Cs}/u;

/**
 * Why a name cannot become a new coder, or undefined. --coders A,B (stats, agreement, disagreements,
 * reconcile) splits on commas, so a coder named "p,q" could never be chosen there; a name holding a control
 * character would be echoed raw to every terminal that lists it. A coder of that name already in the store
 * (from an older version) is still accepted, so that its work stays reachable.
 */
export function newCoderNameProblem(db: Db, name: string): { what: string; fix: string } | undefined {
  if (findCoder(db, name) !== undefined) return undefined;
  const unprintable = UNPRINTABLE.exec(name);
  if (unprintable !== null) {
    const code = `U+${(unprintable[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
    const shown = name.replace(new RegExp(UNPRINTABLE.source, 'gu'), (character) => `\\u${(character.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
    return { what: `coder name "${shown}" holds the character ${code}, which a terminal or a REFI-QDA file cannot show as text`, fix: 'use letters, digits, spaces and punctuation' };
  }
  if (name.includes(',')) return { what: `coder name "${name}" contains a comma, which --coders A,B would read as two coders`, fix: `use a name without a comma, e.g. "${name.replace(/\s*,\s*/g, '-')}"` };
  return undefined;
}

/** A usage error (naming where the name came from) when `name` cannot become a new coder: see newCoderNameProblem. */
export function refuseNewCoderName(db: Db, name: string, source = '--coder'): void {
  const problem = newCoderNameProblem(db, name);
  if (problem !== undefined) throw usageError(`${source}: ${problem.what}`, `${problem.fix.charAt(0).toUpperCase()}${problem.fix.slice(1)}`);
}

/** Why a coder name typed at a prompt cannot be used (the rules of requireCoderName), or undefined when it can. */
export function coderNameProblem(db: Db, typed: string): string | undefined {
  const name = typed.trim().normalize('NFC');
  if (name === '') return 'Type a name (or press Ctrl-C to stop)';
  const problem = newCoderNameProblem(db, name);
  return problem === undefined ? undefined : `A ${problem.what.slice(0, 1).toLowerCase()}${problem.what.slice(1)}: ${problem.fix}`;
}

// ---- codes

type ProjectCode = CodeDef & { status: Status };

/** The project's codebook indexed for lookups: codes by id, dimensions by id. */
export class CodeIndex {
  readonly codes = new Map<string, ProjectCode>();
  readonly dimensions = new Map<string, DimensionDef & { status: Status }>();
  private readonly activeIds: string[];

  constructor(readonly codebook: ProjectCodebook) {
    for (const code of codebook.codes) this.codes.set(code.id, code);
    for (const dimension of codebook.dimensions) this.dimensions.set(dimension.id, dimension);
    this.activeIds = codebook.codes.filter((code) => code.status === 'active').map((code) => code.id);
  }

  /** The project's codebook, read once. */
  static load(db: Db): CodeIndex {
    return new CodeIndex(loadProjectCodebook(db));
  }

  /** Whether the code's dimension allows one code per segment. */
  isExclusive(code: ProjectCode): boolean {
    return this.dimensions.get(code.dimensionId)?.exclusive ?? false;
  }

  /** Why an id is not an applicable code, or undefined when it is one. */
  problemWith(id: string, purpose: 'apply' | 'remove'): string | undefined {
    const code = this.codes.get(id);
    if (code === undefined) return `unknown code "${id}"${codeSuggestion(id, this.activeIds)}`;
    if (purpose === 'apply' && code.status === 'retired') {
      return `code "${id}" is retired and cannot be applied (see qcode codebook show --retired)`;
    }
    return undefined;
  }

  /** Resolves a code the user typed, or throws a one-line error with a did-you-mean. */
  require(id: string, purpose: 'apply' | 'remove'): ProjectCode {
    const problem = this.problemWith(id, purpose);
    if (problem !== undefined) throw new UserError(problem, { hint: 'List the codes with: qcode codebook show' });
    return this.codes.get(id) as ProjectCode;
  }

}

/** A coding of one coder on a segment: the whole segment (start and end null) or a span. */
type PlacedCode = { code_id: string; start: number | null; end: number | null };

/**
 * The codings of another code of `code`'s exclusive dimension among a coder's codings on a segment (every
 * place that code is given, spans included), or undefined when there is none.
 */
function exclusiveConflict(index: CodeIndex, code: ProjectCode, given: readonly PlacedCode[]): PlacedCode[] | undefined {
  if (!index.isExclusive(code)) return undefined;
  const other = given.find((row) => row.code_id !== code.id && index.codes.get(row.code_id)?.dimensionId === code.dimensionId);
  return other === undefined ? undefined : given.filter((row) => row.code_id === other.code_id);
}

function exclusiveRefusal(label: string, conflicting: readonly PlacedCode[], coder: string, dimensionId: string): UserError {
  const id = conflicting[0]?.code_id ?? '';
  // untag removes a coding only at the place it names: a code given on a span needs the span's --start and --end.
  const commands = conflicting.map((row) =>
    `qcode untag ${label} ${id}${row.start === null ? '' : ` --start ${row.start} --end ${row.end}`} --coder ${shellQuote(coder)}`);
  // The command is part of the message, so that wherever the refusal shows, the fix shows with it.
  return new UserError(
    `${label} already has ${id} from ${coder}; dimension "${dimensionId}" allows one code per segment: untag it first with ${commands.join(' && ')}`,
  );
}

/** A coding session's answer on a segment that is gone from the project; the session has moved on (or ended). */
export class SegmentGoneError extends UserError {}

// ---- segments

export interface ResolvedSegment {
  segment: SegmentRef;
  place: SegmentPlace;
  /** "r01-vilnius-ru:12" */
  label: string;
}

/** A segment named as DOCUMENT:ORDINAL (r01-vilnius-ru:12) or by its numeric id. */
export function resolveSegment(db: Db, ref: string): ResolvedSegment {
  const trimmed = ref.trim();
  if (/^\d+$/.test(trimmed)) {
    const segment = segmentById(db, Number(trimmed));
    if (segment === undefined) throw new UserError(`no segment with id ${trimmed}`, { hint: 'Name segments as DOCUMENT:N, e.g. r01-vilnius-ru:12' });
    return documentOfSegment(db, segment);
  }
  const match = /^(.+):(\d+)$/.exec(trimmed);
  if (match === null) throw usageError(`"${ref}" is not a segment: write DOCUMENT:N (e.g. r01-vilnius-ru:12) or a segment id`);
  const [, slug, ordinal] = match as unknown as [string, string, string];
  const document = requireDocument(db, slug);
  const segment = segmentByOrdinal(db, document.id, Number(ordinal));
  if (segment === undefined) {
    const { first_ordinal: first, last_ordinal: last } = sessionDocument(db, document.id);
    throw new UserError(`${slug} has no segment ${ordinal} (its segments are ${first}–${last})`);
  }
  return { segment, place: { segmentId: segment.id, slug, sha256: document.sha256, ordinal: segment.ordinal }, label: `${slug}:${segment.ordinal}` };
}

function documentOfSegment(db: Db, segment: SegmentRef): ResolvedSegment {
  const info = sessionDocument(db, segment.document_id);
  return {
    segment,
    place: { segmentId: segment.id, slug: info.slug, sha256: info.sha256, ordinal: segment.ordinal },
    label: `${info.slug}:${segment.ordinal}`,
  };
}

/** A document by slug, or a one-line error with a did-you-mean. */
export function requireDocument(db: Db, slug: string): NonNullable<ReturnType<typeof findDocument>> {
  const document = findDocument(db, slug);
  if (document === undefined) {
    const slugs = listDocumentSlugs(db);
    throw new UserError(`no document "${slug}"${didYouMeanSuffix(slug, slugs)}`, {
      hint: slugs.length === 0 ? 'The project has no documents yet: qcode import FILES...' : 'List them with: qcode docs list',
    });
  }
  return document;
}

function checkSpan(resolved: ResolvedSegment, start: number | undefined, end: number | undefined): { start: number | null; end: number | null } {
  if (start === undefined && end === undefined) return { start: null, end: null };
  if (start === undefined || end === undefined) throw usageError('a span needs both --start and --end (document code-point offsets)');
  const { segment } = resolved;
  if (start >= end) {
    throw new UserError(`span ${start}–${end} is ${start === end ? 'empty' : 'reversed'}: --start must be less than --end (${resolved.label} is ${segment.start}–${segment.end})`);
  }
  if (!(start >= segment.start && end <= segment.end)) {
    throw new UserError(`span ${start}–${end} is not inside ${resolved.label} (${segment.start}–${segment.end}); offsets count code points of the document text`);
  }
  return wholeSegmentSpan(start, end, segment);
}

/**
 * A span that covers its whole segment is the whole-segment coding: stored as a span beside a whole-segment
 * coding of the same code, it would count twice (and a REFI export writes one).
 */
export function wholeSegmentSpan(start: number, end: number, segment: { start: number; end: number }): { start: number | null; end: number | null } {
  return start === segment.start && end === segment.end ? { start: null, end: null } : { start, end };
}

// ---- tag / untag one segment

export interface TagOptions {
  segment: string;
  codes: string[];
  coder: string;
  start?: number | undefined;
  end?: number | undefined;
  dryRun?: boolean | undefined;
}

export interface TagReport extends CodingBatchResult {
  segment: string;
  coder: string;
  codes: string[];
  batch: string | null;
  dryRun: boolean;
}

/** Applies codes to one segment for one coder. Refuses retired codes and a second code of an exclusive dimension. */
export function tagSegment(project: Project, options: TagOptions): TagReport {
  const { db } = project;
  const index = CodeIndex.load(db);
  const resolved = resolveSegment(db, options.segment);
  const codes = [...new Set(options.codes)].map((id) => index.require(id, 'apply'));
  const span = checkSpan(resolved, options.start, options.end);
  // The exclusive-dimension check and the write are one IMMEDIATE transaction: checked outside it, two
  // qcode tag processes on one segment could each see the other's code missing and both write.
  return db.transaction(() => tagChecked(db, index, resolved, codes, span, options)).immediate();
}

function tagChecked(db: Db, index: CodeIndex, resolved: ResolvedSegment, codes: readonly ProjectCode[], span: { start: number | null; end: number | null }, options: TagOptions): TagReport {
  if (segmentById(db, resolved.segment.id) === undefined) throw new UserError(`${resolved.label} was removed by another qcode meanwhile; nothing was saved`);
  const existingCoder = findCoder(db, options.coder);
  const byDimension = new Map<string, string>();
  for (const code of codes) {
    if (!index.isExclusive(code)) continue;
    const other = byDimension.get(code.dimensionId);
    if (other !== undefined) {
      throw new UserError(`${other} and ${code.id} are both in dimension "${code.dimensionId}", which allows one code per segment: choose one`);
    }
    byDimension.set(code.dimensionId, code.id);
    const given = existingCoder === undefined ? [] : coderCodingsOnSegment(db, resolved.segment.id, existingCoder.id);
    const conflicting = exclusiveConflict(index, code, given);
    if (conflicting !== undefined) throw exclusiveRefusal(resolved.label, conflicting, options.coder, code.dimensionId);
  }
  const base = { segment: resolved.label, coder: options.coder, codes: codes.map((code) => code.id) };
  if (options.dryRun) {
    const present = new Set(existingCoder === undefined ? [] : coderCodingsOnSegment(db, resolved.segment.id, existingCoder.id)
      .filter((row) => row.start === span.start && row.end === span.end).map((row) => row.code_id));
    const already = codes.filter((code) => present.has(code.id)).length;
    return { ...base, added: codes.length - already, alreadyThere: already, removed: 0, missing: 0, newlySeen: 0, batch: null, dryRun: true };
  }
  const coder = ensureCoder(db, options.coder);
  const batch = newBatchId();
  const result = writeCodingBatch(db, {
    batch,
    via: 'tag',
    add: codes.map((code) => ({ place: resolved.place, codeId: code.id, coderId: coder.id, coder: coder.name, ...span })),
    seen: [{ place: resolved.place, coderId: coder.id, coder: coder.name, dimensionId: null }],
  });
  return { ...base, ...result, batch, dryRun: false };
}

/** Removes codes from one segment for one coder (the whole-segment coding, or the span given). */
export function untagSegment(project: Project, options: TagOptions): TagReport {
  const { db } = project;
  const index = CodeIndex.load(db);
  const resolved = resolveSegment(db, options.segment);
  const codes = [...new Set(options.codes)].map((id) => index.require(id, 'remove'));
  const span = checkSpan(resolved, options.start, options.end);
  const coder = findCoder(db, options.coder);
  const base = { segment: resolved.label, coder: options.coder, codes: codes.map((code) => code.id) };
  const none = { added: 0, alreadyThere: 0, newlySeen: 0 };
  if (coder === undefined) return { ...base, ...none, removed: 0, missing: codes.length, batch: null, dryRun: options.dryRun ?? false };
  if (options.dryRun) {
    const present = new Set(coderCodingsOnSegment(db, resolved.segment.id, coder.id)
      .filter((row) => row.start === span.start && row.end === span.end).map((row) => row.code_id));
    const removed = codes.filter((code) => present.has(code.id)).length;
    return { ...base, ...none, removed, missing: codes.length - removed, batch: null, dryRun: true };
  }
  const batch = newBatchId();
  const result = writeCodingBatch(db, {
    batch,
    via: 'untag',
    remove: codes.map((code) => ({ place: resolved.place, codeId: code.id, coderId: coder.id, coder: coder.name, ...span })),
  });
  return { ...base, ...result, batch: result.removed > 0 ? batch : null, dryRun: false };
}

// ---- autocode

export interface AutocodeOptions {
  query: string;
  code: string;
  coder: string;
  document?: string | undefined;
  speaker?: string | undefined;
  dryRun?: boolean | undefined;
}

export interface AutocodeHit {
  segment: string;
  speaker: string | null;
  /** The matching passage; matches wrapped in HIT_OPEN … HIT_CLOSE. */
  context: string;
  /** The coder had this code on the segment before the run. */
  already: boolean;
  /** The run added the code here (on a dry run: would add it). */
  added: boolean;
}

export interface AutocodeReport {
  query: string;
  code: string;
  coder: string;
  hits: AutocodeHit[];
  added: number;
  alreadyThere: number;
  batch: string | null;
  dryRun: boolean;
}

const FTS_HINT = 'Full-text syntax (SQLite FTS5): words that must all occur (протест митинг), "an exact phrase", a prefix* , a OR b, a NOT b, NEAR(a b, 10); put words with - . : in double quotes';

/**
 * Tags every segment that matches a full-text query with one code, as one batch. Refuses (writing
 * nothing) when a hit already has another code of an exclusive dimension from this coder.
 */
export function autocode(project: Project, options: AutocodeOptions): AutocodeReport {
  const { db } = project;
  const query = options.query.trim();
  if (query === '') throw usageError('the --query is empty', FTS_HINT);
  const index = CodeIndex.load(db);
  const code = index.require(options.code, 'apply');
  const documentId = options.document === undefined ? null : requireDocument(db, options.document).id;
  if (options.speaker !== undefined) requireSpeaker(db, documentId, options.speaker);
  let hits;
  try {
    hits = matchSegments(db, query, { documentId, speaker: options.speaker ?? null });
  } catch (error) {
    throw ftsError(query, error);
  }
  // The exclusive-dimension check and the write are one IMMEDIATE transaction: checked outside it, two
  // processes (autocode, tag) could each see the other's code missing on a segment and both write.
  const check = db.transaction(() => autocodeChecked(db, index, code, query, hits, options));
  // A dry run only reads: it takes no write lock, so it works on a project that is read-only for this user.
  return options.dryRun ? check.deferred() : check.immediate();
}

function autocodeChecked(db: Db, index: CodeIndex, code: ProjectCode, query: string, hits: readonly TextHit[], options: AutocodeOptions): AutocodeReport {
  refuseNewCoderName(db, options.coder);
  const coder = findCoder(db, options.coder);
  const exclusive = index.isExclusive(code);
  const conflicts: string[] = [];
  const result: AutocodeHit[] = hits.map((hit) => {
    const given = coder === undefined ? [] : coderCodesInDimension(db, hit.id, coder.id, code.dimensionId);
    const label = `${hit.slug}:${hit.ordinal}`;
    if (exclusive) {
      const other = given.find((id) => id !== code.id);
      if (other !== undefined) conflicts.push(`${label} (${other})`);
    }
    const already = coder !== undefined && coderCodingsOnSegment(db, hit.id, coder.id).some((row) => row.code_id === code.id && row.start === null);
    // Checked and written in one transaction: what was not there before is what the batch adds.
    return { segment: label, speaker: hit.speaker, context: hit.snippet, already, added: !already };
  });
  // A dry run refuses as the real run would, so that it never promises a run that will fail.
  if (conflicts.length > 0) {
    throw new UserError(
      `${plural(conflicts.length, 'matching segment')} already ${conflicts.length === 1 ? 'has' : 'have'} another code of exclusive dimension "${code.dimensionId}" from ${options.coder}: ${conflicts.slice(0, 10).join(', ')}${conflicts.length > 10 ? ', …' : ''}; nothing was written`,
      { hint: 'Narrow the query (or --document, --speaker), or untag those codes first' },
    );
  }
  const already = result.filter((hit) => hit.already).length;
  const base = { query, code: code.id, coder: options.coder, hits: result };
  if (options.dryRun || hits.length === 0) {
    return { ...base, added: hits.length - already, alreadyThere: already, batch: null, dryRun: options.dryRun ?? false };
  }
  const row = ensureCoder(db, options.coder);
  const batch = newBatchId();
  const places = hits.map((hit) => ({ segmentId: hit.id, slug: hit.slug, sha256: hit.sha256, ordinal: hit.ordinal }));
  const written = applyCodingBatch(db, {
    batch,
    via: `autocode ${query}`,
    add: places.map((place) => ({ place, codeId: code.id, coderId: row.id, coder: row.name, start: null, end: null })),
    seen: places.map((place) => ({ place, coderId: row.id, coder: row.name, dimensionId: null })),
  });
  return { ...base, added: written.added, alreadyThere: written.alreadyThere, batch, dryRun: false };
}

function ftsError(query: string, error: unknown): unknown {
  const message = error instanceof Error ? error.message : String(error);
  if (/fts5|syntax error|no such column|unknown special query|unterminated/i.test(message)) {
    return new UserError(`cannot read the query ${JSON.stringify(query)}: ${message.replace(/^fts5: /, '')}`, { hint: FTS_HINT, exitCode: 2 });
  }
  return error;
}

function requireSpeaker(db: Db, documentId: number | null, speaker: string): void {
  const speakers = speakersOfDocument(db, documentId);
  if (!speakers.includes(speaker)) {
    throw new UserError(`no speaker "${speaker}"${documentId === null ? '' : ' in that document'}${didYouMeanSuffix(speaker, speakers)}`, {
      hint: speakers.length === 0 ? 'The segments have no speakers.' : `Speakers: ${speakers.slice(0, 12).join(', ')}`,
    });
  }
}

// ---- the interactive coding session

/** What a coding session's cached codebook depends on: code ids, their dimensions and status, and which dimensions are exclusive. */
function codebookShape(db: Db): string {
  const codes = teamCodes(db).map((code) => `${code.id} ${code.dimension_id} ${code.status}`);
  const dimensions = teamDimensions(db).map((dimension) => `${dimension.id} ${dimension.exclusive} ${dimension.status}`);
  return JSON.stringify([codes, dimensions]);
}

export interface CodingSessionOptions {
  coder: string;
  document?: string | undefined;
  dimension?: string | undefined;
  onlyUncoded?: boolean | undefined;
  speaker?: string | undefined;
}

export interface SessionView {
  document: {
    slug: string;
    caseId: string | null;
    /** The case's city, else its host country (label), else null. */
    place: string | null;
    language: string | null;
    segments: number;
    seen: number;
  };
  segment: { id: number; ordinal: number; speaker: string | null; text: string; seen: boolean };
  previous: { ordinal: number; speaker: string | null; text: string } | null;
  /** The coder's whole-segment codes in this session's scope: what the prompt starts with. */
  given: string[];
  /** The coder's other codings on the segment (spans, other dimensions, retired codes), as "id" or "id [start–end]". */
  otherCodings: string[];
  memos: string[];
}

export interface ConfirmResult {
  added: string[];
  removed: string[];
  /** The coder's codes on the segment that another process changed since it was drawn; kept as they are now. */
  elsewhere?: { added: string[]; removed: string[] };
}

/**
 * A coder working through segments. Every answer is committed (codings + seen, one transaction)
 * before the next segment is read, and each step runs a fixed handful of prepared queries.
 */
export class CodingSession {
  readonly index: CodeIndex;
  /** Active codes the coder chooses from: all of them, or one dimension's. */
  readonly scope: ProjectCode[];
  readonly dimension: string | null;
  private readonly scopeIds: Set<string>;
  private readonly filter: SessionFilter;
  private readonly fixedDocument: boolean;
  private readonly coderName: string;
  /** Undefined for a new coder until begin() or their first answer: a session that fails to open leaves no coder behind. */
  private coderRow: CoderRow | undefined;
  /** The codebook's shape when the session opened: `index` and the picker's codes are only valid while it holds. */
  private readonly codebookShape: string;
  private document: SessionDocument | null = null;
  private documentHeader: { place: string | null } = { place: null };
  private segment: SessionSegment | null = null;
  /** Segments confirmed or skipped in this session: one answered again after ← is still one. */
  private readonly answeredIds = new Set<number>();
  /** The codes the last view() showed, for confirm() to tell the coder's changes from other processes'. */
  private shown: { segmentId: number; given: readonly string[] } | undefined;

  private constructor(private readonly db: Db, options: CodingSessionOptions) {
    this.index = CodeIndex.load(db);
    this.codebookShape = codebookShape(db);
    if (options.dimension !== undefined) {
      const dimension = this.index.dimensions.get(options.dimension);
      if (dimension === undefined || dimension.status === 'retired') {
        const active = [...this.index.dimensions.values()].filter((item) => item.status === 'active').map((item) => item.id);
        throw new UserError(`no dimension "${options.dimension}"${didYouMeanSuffix(options.dimension, active)}`, { hint: `Dimensions: ${active.join(', ')}` });
      }
    }
    this.dimension = options.dimension ?? null;
    this.scope = this.index.codebook.codes.filter((code) => code.status === 'active' && (this.dimension === null || code.dimensionId === this.dimension));
    this.scopeIds = new Set(this.scope.map((code) => code.id));
    this.fixedDocument = options.document !== undefined;
    const documentId = options.document === undefined ? undefined : requireDocument(db, options.document).id;
    if (options.speaker !== undefined) requireSpeaker(db, documentId ?? null, options.speaker);
    this.coderName = options.coder;
    this.coderRow = findCoder(db, options.coder);
    // No coder row matches -1: a coder not created yet has seen and coded nothing.
    this.filter = { coderId: this.coderRow?.id ?? -1, speaker: options.speaker ?? null, onlyUncoded: options.onlyUncoded ?? false, dimension: this.dimension };
    if (documentId === undefined && listDocumentSlugs(db).length === 0) {
      throw new UserError('the project has no documents to code yet', { hint: 'Import some first: qcode import FILES...' });
    }
    if (documentId !== undefined) {
      this.openDocument(documentId);
      // A finished document opens at its start, for review.
      this.segment = firstToDo(db, documentId, this.filter) ?? (this.filter.onlyUncoded ? null : nextCandidate(db, documentId, 0, this.filter) ?? null);
    } else {
      this.moveToNextDocument();
    }
  }

  /** Opens a session at the first segment still to do; throws a UserError for an unknown document, dimension or speaker. Writes nothing. */
  static open(project: Project, options: CodingSessionOptions): CodingSession {
    return new CodingSession(project.db, options);
  }

  /** The coder; `id` is null until begin() or their first answer creates the row. */
  get coder(): { id: number | null; name: string } {
    return { id: this.coderRow?.id ?? null, name: this.coderName };
  }

  /** Creates the coder's row if it is new: for when the coder's screen starts, every option having been checked. */
  begin(): void {
    if (this.coderRow !== undefined) return;
    this.coderRow = ensureCoder(this.db, this.coderName);
    this.filter.coderId = this.coderRow.id;
  }

  /** What to draw, or null when there is nothing (left) to code. */
  view(): SessionView | null {
    const { db, segment, document } = this;
    if (segment === null || document === null) return null;
    const previousRow = sessionSegmentByOrdinal(db, document.id, segment.ordinal - 1);
    const given: string[] = [];
    const otherCodings: string[] = [];
    for (const row of coderCodingsOnSegment(db, segment.id, this.filter.coderId)) {
      if (row.start === null && this.scopeIds.has(row.code_id)) given.push(row.code_id);
      else otherCodings.push(row.start === null ? row.code_id : `${row.code_id} [${row.start}–${row.end}]`);
    }
    this.shown = { segmentId: segment.id, given };
    return {
      document: {
        slug: document.slug,
        caseId: document.case_id,
        place: this.documentHeader.place,
        language: document.language,
        segments: document.segments,
        seen: seenCount(db, document.id, this.filter.coderId, this.dimension),
      },
      segment: { id: segment.id, ordinal: segment.ordinal, speaker: segment.speaker, text: segment.text, seen: isSeen(db, segment.id, this.filter.coderId) },
      previous: previousRow === undefined ? null : { ordinal: previousRow.ordinal, speaker: previousRow.speaker, text: previousRow.text },
      given,
      otherCodings,
      memos: segmentMemoTexts(db, segment.id),
    };
  }

  /**
   * Commits the coder's answer for the current segment, then moves on. The answer is what the coder
   * changed on screen: codes in `codeIds` but not in `shown` are added, codes in `shown` but not in
   * `codeIds` removed. Codes another process added or removed since the screen was drawn stay as that
   * process left them (reported in `elsewhere`). `shown` defaults to the codes the last view() of this
   * segment gave.
   */
  confirm(codeIds: readonly string[], shown?: readonly string[]): ConfirmResult {
    const { segment, document } = this.requireCurrent();
    const chosen = new Set(codeIds);
    const drawn = shown ?? (this.shown?.segmentId === segment.id ? this.shown.given : undefined);
    const place = { segmentId: segment.id, slug: document.slug, sha256: document.sha256, ordinal: segment.ordinal };
    const result = this.write({ checkCodebook: true, segmentId: segment.id }, (coder): ConfirmResult => {
      const perDimension = new Map<string, string>();
      for (const id of chosen) {
        const code = this.index.codes.get(id);
        if (code === undefined || !this.scopeIds.has(id)) throw new UserError(`code "${id}" cannot be chosen here`);
        if (!this.index.isExclusive(code)) continue;
        const other = perDimension.get(code.dimensionId);
        if (other !== undefined) throw new UserError(`${other} and ${id}: dimension "${code.dimensionId}" allows one code per segment`);
        perDimension.set(code.dimensionId, id);
      }
      const rows = coderCodingsOnSegment(this.db, segment.id, coder.id);
      const given = new Set(rows.filter((row) => row.start === null && this.scopeIds.has(row.code_id)).map((row) => row.code_id));
      const before = new Set(drawn ?? given);
      const ticked = [...chosen].filter((id) => !before.has(id));
      const unticked = new Set([...before].filter((id) => !chosen.has(id)));
      const added = ticked.filter((id) => !given.has(id));
      const removed = new Set([...given].filter((id) => unticked.has(id)));
      // What stays besides the answer: spans, codes outside the session's scope, and codes given elsewhere meanwhile.
      const kept = rows.filter((row) => !(row.start === null && removed.has(row.code_id)));
      for (const id of ticked) {
        const code = this.index.codes.get(id)!;
        const conflicting = exclusiveConflict(this.index, code, kept);
        if (conflicting !== undefined) throw exclusiveRefusal(`${document.slug}:${segment.ordinal}`, conflicting, coder.name, code.dimensionId);
      }
      const change = (codeId: string): CodingChange => ({ place, codeId, coderId: coder.id, coder: coder.name, start: null, end: null });
      applyCodingBatch(this.db, {
        batch: newBatchId(),
        via: 'code',
        add: added.map(change),
        remove: [...removed].map(change),
        seen: [{ place, coderId: coder.id, coder: coder.name, dimensionId: this.dimension }],
      });
      const elsewhere = {
        added: [...given].filter((id) => !before.has(id)),
        removed: [...before].filter((id) => !given.has(id)),
      };
      const changed = elsewhere.added.length + elsewhere.removed.length > 0;
      return { added, removed: [...removed], ...(changed ? { elsewhere } : {}) };
    });
    this.answeredIds.add(segment.id);
    this.advance();
    return result;
  }

  /** Marks the segment seen without changing its codes, and moves on. */
  skip(): void {
    const { segment, document } = this.requireCurrent();
    const place = { segmentId: segment.id, slug: document.slug, sha256: document.sha256, ordinal: segment.ordinal };
    this.write({ checkCodebook: true, segmentId: segment.id }, (coder) => {
      applyCodingBatch(this.db, { batch: newBatchId(), via: 'code', seen: [{ place, coderId: coder.id, coder: coder.name, dimensionId: this.dimension }] });
    });
    this.answeredIds.add(segment.id);
    this.advance();
  }

  /** Moves to the previous segment of the document; false at its first. */
  back(): boolean {
    const { segment, document } = this.requireCurrent();
    const previous = previousCandidate(this.db, document.id, segment.ordinal, this.filter);
    if (previous === undefined) return false;
    this.segment = previous;
    return true;
  }

  /** Moves to segment N of the current document. */
  jump(ordinal: number): void {
    const { document } = this.requireCurrent();
    const target = sessionSegmentByOrdinal(this.db, document.id, ordinal);
    if (target === undefined) throw new UserError(`no segment ${ordinal} in ${document.slug} (${document.first_ordinal}–${document.last_ordinal})`);
    this.segment = target;
  }

  /** Adds a memo on the current segment. */
  addMemo(text: string): void {
    const { segment } = this.requireCurrent();
    const clean = text.trim();
    if (clean === '') throw new UserError('empty memo: nothing saved');
    // A memo names no code: a codebook changed meanwhile does not make it stale.
    this.write({ checkCodebook: false, segmentId: segment.id }, (coder) => {
      insertMemo(this.db, { target: { kind: 'segment', id: String(segment.id) }, coderId: coder.id, text: clean, batch: newBatchId(), via: 'code' });
    });
  }

  /** How many segments this session has confirmed or skipped. */
  get answered(): number {
    return this.answeredIds.size;
  }

  get currentDocument(): string | null {
    return this.document?.slug ?? null;
  }

  /** Whether the session was opened on one document (qcode code DOC) rather than going from document to document. */
  get openedOnDocument(): boolean {
    return this.fixedDocument;
  }

  /** The number of the segment on screen, or null when the session has ended. */
  get currentOrdinal(): number | null {
    return this.segment?.ordinal ?? null;
  }

  /** Whether the session goes through uncoded segments (seen or not) rather than unseen ones. */
  get onlyUncoded(): boolean {
    return this.filter.onlyUncoded;
  }

  /** The speaker whose turns the session goes through, or null for every turn. */
  get speaker(): string | null {
    return this.filter.speaker;
  }

  /**
   * Runs one answer's writes in one transaction, with the coder's row created in it on first use. With
   * checkCodebook, refuses when the codebook changed since the session opened (codebook apply, merge): the
   * cached codes may name a code renamed, retired or gone, so nothing of the answer is written.
   */
  private write<T>(options: { checkCodebook: boolean; segmentId: number }, writes: (coder: CoderRow) => T): T {
    let outcome: { result: T; coder: CoderRow };
    try {
      outcome = this.writeChecked(options, writes);
    } catch (error) {
      // The document went (docs remove, import --replace) while it was on screen: the session moves on to
      // the next document to do, or ends, and the screen shows the refusal with what comes next.
      if (error instanceof SegmentGoneError) {
        if (this.fixedDocument) this.segment = null;
        else this.moveToNextDocument();
      }
      throw error;
    }
    this.coderRow = outcome.coder;
    this.filter.coderId = outcome.coder.id;
    return outcome.result;
  }

  private writeChecked<T>(options: { checkCodebook: boolean; segmentId: number }, writes: (coder: CoderRow) => T): { result: T; coder: CoderRow } {
    return this.db.transaction(() => {
      // Under the write lock, so that a removal committed before this answer cannot be missed.
      if (segmentById(this.db, options.segmentId) === undefined) throw this.segmentGone();
      if (options.checkCodebook && codebookShape(this.db) !== this.codebookShape) {
        throw new UserError('the codebook changed: this answer was not saved (earlier ones were); quit (^Q) and start qcode code again', {
          hint: 'on quitting, the coder prints the command that resumes here',
        });
      }
      const row = this.coderRow ?? ensureCoder(this.db, this.coderName);
      return { result: writes(row), coder: row };
    }).immediate();
  }

  private segmentGone(): SegmentGoneError {
    const slug = this.document?.slug ?? 'the document';
    const tombstone = removedDocumentBySlug(this.db, slug);
    const why = tombstone !== undefined && findDocument(this.db, slug) === undefined
      ? `${slug} was removed (withdrawal of consent, ${tombstone.removed_at.slice(0, 10)}) since this session opened`
      : `${slug}:${this.segment?.ordinal ?? '?'} is no longer in the project (the document was replaced or removed since this session opened)`;
    return new SegmentGoneError(`${why}; nothing was saved`);
  }

  private requireCurrent(): { segment: SessionSegment; document: SessionDocument } {
    if (this.segment === null || this.document === null) throw new Error('the coding session has ended');
    return { segment: this.segment, document: this.document };
  }

  private advance(): void {
    const { segment, document } = this.requireCurrent();
    const next = nextCandidate(this.db, document.id, segment.ordinal, this.filter);
    if (next !== undefined) {
      this.segment = next;
      return;
    }
    // The coder may have jumped past segments not seen yet: the document is finished only when none is
    // left. With --only-uncoded a skipped segment stays uncoded, so coming back to it would never end.
    if (!this.filter.onlyUncoded) {
      const earlier = firstToDo(this.db, document.id, this.filter);
      if (earlier !== undefined) {
        this.segment = earlier;
        return;
      }
    }
    if (this.fixedDocument) {
      this.segment = null;
      return;
    }
    this.moveToNextDocument(this.filter.onlyUncoded ? document.slug : null);
  }

  /** Opens the first document with work left; with `afterSlug`, only documents after that one. */
  private moveToNextDocument(afterSlug: string | null = null): void {
    const documentId = firstDocumentToDo(this.db, this.filter, afterSlug);
    if (documentId === undefined) {
      this.segment = null;
      return;
    }
    this.openDocument(documentId);
    this.segment = firstToDo(this.db, documentId, this.filter) ?? null;
  }

  private openDocument(documentId: number): void {
    this.document = sessionDocument(this.db, documentId);
    const caseId = this.document.case_id;
    const place = caseId === null ? undefined : (caseValue(this.db, caseId, 'city') ?? caseValue(this.db, caseId, 'host_country'));
    this.documentHeader = { place: place?.label ?? null };
  }
}
