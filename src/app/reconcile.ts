import { UserError, usageError } from '../core/errors.js';
import { didYouMeanSuffix } from '../core/suggest.js';
import { loadProjectCodebook } from '../store/codebook.js';
import { applyCodingBatch, type CodingChange, type SeenMark, type SegmentPlace } from '../store/codings.js';
import { ensureCoder, findCoder, findDocument, type CoderRow } from '../store/common.js';
import type { Db } from '../store/db.js';
import {
  coderHistory, codingsOnSegment, dimensionPasses, seenMarksOnSegment, seenPairs, segmentDetail, teamCodes, teamDimensions, type SpanRow, type TeamCodeRow,
} from '../store/team.js';
import { pairedCodeSets, sameCodes } from './agreement.js';
import { newBatchId, refuseNewCoderName, storedCoderName } from './coding.js';
import type { Project } from './project.js';

// `qcode reconcile --coders A,B --as NAME`: a third coder, the consensus, settles A's and B's disagreements.
// Opening a session first gives the consensus coder every segment on which A and B agree (same codes);
// the segments on which they differ are then walked one by one. Each answer is written at once (codings +
// seen, one transaction, undoable), and a segment the consensus coder has seen is never offered again,
// so a session can stop at any point and resume later.
// Where a coder went through a segment only in one-dimension passes, only the dimensions both went through
// are compared, and the consensus is marked seen for those dimensions alone (seen_dimensions): once the
// coders have gone through more dimensions, the next session offers the segment again for those.

export interface ReconcileOptions {
  coders: readonly string[];
  as: string;
  documents?: readonly string[] | undefined;
  /** Label language (a codebook language); by default each document's own, when the codebook has it. */
  language?: string | undefined;
}

export interface ReconcileItem {
  place: SegmentPlace;
  speaker: string | null;
  text: string;
  first: string[];
  second: string[];
  /** Codes both gave: what the prompt starts with. */
  both: string[];
  /** The dimensions this answer settles; null for every dimension the consensus has not settled on the segment yet. */
  dimensions: string[] | null;
  /** The language to show code labels in, as `qcode code` chooses it; undefined for the codebook's first. */
  language: string | undefined;
}

/** What one answer on a segment covers, and the seen marks that say so. */
interface Settles {
  covers: (dimensionId: string) => boolean;
  marks: Array<string | null>;
}

/** What confirm did with an answer: saved it, or left the segment to the answer another session saved meanwhile. */
export type ConfirmOutcome = 'saved' | 'settled-meanwhile';

export class ReconcileSession {
  readonly coders: [CoderRow, CoderRow];
  /** The consensus coder's name as stored (or as it will be stored once the first answer is written). */
  readonly consensusName: string;
  /** Segments both coders went through (in scope): none means there is nothing to compare. */
  readonly shared: number;
  /** Segments on which the two agreed, given to the consensus coder when the session opened. */
  readonly agreedCopied: number;
  readonly items: ReconcileItem[];
  private position = 0;
  /** Segments settled in this session. */
  settled = 0;
  /** Segments another session (under the same --as) settled while this one had them queued. */
  settledElsewhere = 0;
  private consensus: CoderRow | undefined;
  private readonly activeCodes: Set<string>;
  private readonly exclusiveDimensionOf: Map<string, string>;
  private readonly dimensionOf: Map<string, string>;

  private constructor(
    private readonly db: Db,
    coders: [CoderRow, CoderRow],
    consensusName: string,
    consensus: CoderRow | undefined,
    counts: { shared: number; agreedCopied: number },
    items: ReconcileItem[],
    private readonly settles: Map<number, Settles>,
  ) {
    this.coders = coders;
    this.consensusName = consensusName;
    this.consensus = consensus;
    this.shared = counts.shared;
    this.agreedCopied = counts.agreedCopied;
    this.items = items;
    const codes = teamCodes(db);
    this.activeCodes = new Set(codes.filter((code) => code.status === 'active').map((code) => code.id));
    this.exclusiveDimensionOf = exclusiveDimensions(db, codes);
    this.dimensionOf = new Map(codes.map((code) => [code.id, code.dimension_id]));
  }

  static open(project: Project, options: ReconcileOptions): ReconcileSession {
    const db = project.db;
    const typed = options.as.trim();
    if (typed === '') throw usageError('--as needs the name of the consensus coder', 'e.g. --as consensus');
    const name = storedCoderName(db, typed);
    refuseNewCoderName(db, name, '--as');
    // Checked before anything is written: opening gives the agreed segments to the consensus coder.
    const languages = loadProjectCodebook(db).languages;
    if (options.language !== undefined && !languages.includes(options.language)) {
      throw usageError(`--lang ${options.language}: the codebook's languages are ${languages.join(', ')}`);
    }
    const paired = pairedCodeSets(project, { coders: options.coders, documents: options.documents });
    if (paired.coders.some((coder) => coder.name.normalize('NFC') === name.normalize('NFC'))) {
      throw usageError(`--as ${name}: the consensus coder must differ from the coders being reconciled`, 'e.g. --as consensus');
    }
    const existing = findCoder(db, name);
    if (existing !== undefined) refuseIndependentCoder(db, existing);
    const alreadySeen = new Set<number>(existing === undefined ? [] : Array.from(seenPairs(db, [existing.id]).segment));
    const coderIds = [paired.coders[0].id, paired.coders[1].id];
    const codes = teamCodes(db);
    const dimensionOf = new Map(codes.map((code) => [code.id, code.dimension_id]));
    const exclusiveDimensionOf = exclusiveDimensions(db, codes);
    const scopeOf = settlesOf(db, coderIds, existing?.id, dimensionOf);
    const open: Array<{ segmentId: number; first: string[]; second: string[] }> = [];
    const settles = new Map<number, Settles>();
    for (const segment of paired.segments) {
      if (alreadySeen.has(segment.segmentId)) continue;
      const scope = scopeOf(segment.segmentId);
      if (scope === null) continue;
      const within = (codes: string[]): string[] => codes.filter((code) => scope.covers(dimensionOf.get(code)!));
      open.push({ segmentId: segment.segmentId, first: within(segment.first), second: within(segment.second) });
      settles.set(segment.segmentId, scope);
    }

    // Another session under the same --as may be writing too: what it settled meanwhile is left to it, and
    // an agreed segment whose codes would give the consensus a second code of an exclusive dimension is
    // queued with the disagreements instead, to be settled on screen.
    const agreed = open.filter((segment) => sameCodes(segment.first, segment.second));
    const queued = new Set<number>();
    let consensus = existing;
    const agreedCopied = agreed.length === 0 ? 0 : db.transaction(() => {
      const add: Array<Omit<CodingChange, 'coderId' | 'coder'>> = [];
      const seen: Array<Omit<SeenMark, 'coderId' | 'coder'>> = [];
      let copied = 0;
      const current = findCoder(db, name);
      if (current !== undefined && existing === undefined) refuseIndependentCoder(db, current);
      for (const segment of agreed) {
        const scope = settles.get(segment.segmentId)!;
        if (current !== undefined) {
          const state = consensusState(db, segment.segmentId, current.id, scope);
          if (state.settled) continue;
          if (exclusiveClash(segment.first, state.codes, exclusiveDimensionOf) !== undefined) {
            queued.add(segment.segmentId);
            continue;
          }
        }
        copied++;
        const place = placeOf(db, segment.segmentId);
        const rows = codingsOnSegment(db, segment.segmentId, coderIds);
        for (const code of segment.first) {
          for (const span of consensusSpans(code, rows, coderIds)) add.push({ place, codeId: code, ...span });
        }
        for (const dimensionId of scope.marks) seen.push({ place, dimensionId });
      }
      if (copied === 0) return 0;
      // Created with the first answer written, not before: a session that settles nothing leaves no coder.
      consensus = current ?? ensureCoder(db, name);
      const who = { coderId: consensus.id, coder: consensus.name };
      applyCodingBatch(db, {
        batch: newBatchId(),
        via: `reconcile ${paired.coders[0].name},${paired.coders[1].name} (agreed)`,
        add: add.map((change) => ({ ...change, ...who })),
        seen: seen.map((mark) => ({ ...mark, ...who })),
      });
      return copied;
    }).immediate();

    const documentLanguage = new Map<string, string | undefined>();
    const labelLanguage = (slug: string): string | undefined => {
      if (options.language !== undefined) return options.language;
      if (!documentLanguage.has(slug)) {
        const language = findDocument(db, slug)?.language ?? null;
        documentLanguage.set(slug, language !== null && languages.includes(language) ? language : undefined);
      }
      return documentLanguage.get(slug);
    };
    const items = open
      .filter((segment) => !sameCodes(segment.first, segment.second) || queued.has(segment.segmentId))
      .map((segment) => {
        const detail = segmentDetail(db, segment.segmentId)!;
        const marks = settles.get(segment.segmentId)!.marks;
        return {
          place: { segmentId: detail.id, slug: detail.slug, sha256: detail.sha256, ordinal: detail.ordinal },
          speaker: detail.speaker,
          text: detail.text,
          first: segment.first,
          second: segment.second,
          both: segment.first.filter((code) => segment.second.includes(code)),
          dimensions: marks.includes(null) ? null : (marks as string[]),
          language: labelLanguage(detail.slug),
        };
      })
      .sort((a, b) => (a.place.slug < b.place.slug ? -1 : a.place.slug > b.place.slug ? 1 : a.place.ordinal - b.place.ordinal));
    return new ReconcileSession(db, paired.coders, name, consensus, { shared: paired.segments.length, agreedCopied }, items, settles);
  }

  /** The disagreement to settle now, or null when none is left. */
  current(): ReconcileItem | null {
    return this.items[this.position] ?? null;
  }

  get remaining(): number {
    return this.items.length - this.position;
  }

  /** Disagreements neither this session nor another has settled. */
  get left(): number {
    return this.items.length - this.settled - this.settledElsewhere;
  }

  /**
   * Writes the agreed codes of the current segment under the consensus coder (and marks it seen), then moves
   * on. A segment another session settled meanwhile keeps that answer: nothing is written, and the session
   * moves on all the same ('settled-meanwhile').
   */
  confirm(codeIds: readonly string[]): ConfirmOutcome {
    const item = this.current();
    if (item === null) throw new UserError('nothing left to reconcile');
    const offered = new Set([...item.first, ...item.second]);
    const settles = this.settles.get(item.place.segmentId)!;
    const perDimension = new Map<string, string>();
    for (const id of codeIds) {
      if (!this.activeCodes.has(id) && !offered.has(id)) {
        throw new UserError(`code "${id}" cannot be chosen here${didYouMeanSuffix(id, this.activeCodes)}`);
      }
      // The seen marks written cover only the dimensions compared: a code outside them would be settled unseen.
      const dimensionId = this.dimensionOf.get(id)!;
      if (!settles.covers(dimensionId)) {
        throw new UserError(`code "${id}": dimension "${dimensionId}" is not reconciled on this segment (${item.dimensions === null ? 'settled earlier' : `only ${item.dimensions.join(', ')}`})`);
      }
      const dimension = this.exclusiveDimensionOf.get(id);
      if (dimension === undefined) continue;
      const other = perDimension.get(dimension);
      if (other !== undefined && other !== id) throw new UserError(`${other} and ${id}: dimension "${dimension}" allows one code per segment`);
      perDimension.set(dimension, id);
    }
    const coderIds = [this.coders[0].id, this.coders[1].id];
    const chosen = [...new Set(codeIds)];
    // Checked and written in one IMMEDIATE transaction: two sessions under one --as must not both settle a segment.
    const outcome = this.db.transaction((): { outcome: ConfirmOutcome; consensus: CoderRow } => {
      const current = this.consensus ?? findCoder(this.db, this.consensusName);
      if (current !== undefined) {
        if (this.consensus === undefined) refuseIndependentCoder(this.db, current);
        const state = consensusState(this.db, item.place.segmentId, current.id, settles);
        if (state.settled) return { outcome: 'settled-meanwhile', consensus: current };
        const clash = exclusiveClash(chosen, state.codes, this.exclusiveDimensionOf);
        if (clash !== undefined) {
          throw new UserError(`${item.place.slug}:${item.place.ordinal} already has ${clash.stored} from ${current.name}; dimension "${clash.dimension}" allows one code per segment: choose ${clash.stored}, or → to skip`);
        }
      }
      const consensus = current ?? ensureCoder(this.db, this.consensusName);
      const rows = codingsOnSegment(this.db, item.place.segmentId, coderIds);
      const who = { coderId: consensus.id, coder: consensus.name };
      applyCodingBatch(this.db, {
        batch: newBatchId(),
        via: `reconcile ${this.coders[0].name},${this.coders[1].name}`,
        add: chosen.flatMap((code) => consensusSpans(code, rows, coderIds).map((span) => ({ place: item.place, codeId: code, ...who, ...span }))),
        seen: settles.marks.map((dimensionId) => ({ place: item.place, ...who, dimensionId })),
      });
      return { outcome: 'saved', consensus };
    }).immediate();
    this.consensus = outcome.consensus;
    if (outcome.outcome === 'saved') this.settled++;
    else this.settledElsewhere++;
    this.position++;
    return outcome.outcome;
  }

  /** Whether an answer on the item may hold codes of this dimension: not when a coder has not gone through it there, or the consensus settled it before. */
  reconciles(item: ReconcileItem, dimensionId: string): boolean {
    return this.settles.get(item.place.segmentId)?.covers(dimensionId) ?? false;
  }

  /** Leaves the current segment for a later session. */
  skip(): void {
    if (this.current() !== null) this.position++;
  }
}

/** Exclusive codes and their dimensions. */
function exclusiveDimensions(db: Db, codes: readonly TeamCodeRow[]): Map<string, string> {
  const exclusive = new Set(teamDimensions(db).filter((dimension) => dimension.exclusive === 1).map((dimension) => dimension.id));
  return new Map(codes.filter((code) => exclusive.has(code.dimension_id)).map((code) => [code.id, code.dimension_id]));
}

/** A typo or a colleague's name must not pour consensus codes into an independent coder's work. */
function refuseIndependentCoder(db: Db, coder: CoderRow): void {
  const history = coderHistory(db, coder.id);
  if (history.work && !history.reconciled) {
    throw new UserError(`--as ${coder.name}: "${coder.name}" has coded on their own; the consensus needs a name of its own`, {
      hint: 'Choose a new name (e.g. --as consensus), or one that reconcile has written under before',
    });
  }
}

/**
 * The consensus coder's segment as stored now: settled when it holds a seen mark for what this answer
 * covers (a mark this session did not know of when it opened), and the codes it holds.
 */
function consensusState(db: Db, segmentId: number, consensusId: number, scope: Settles): { settled: boolean; codes: string[] } {
  const marks = seenMarksOnSegment(db, segmentId, consensusId);
  const settled = marks.seen || marks.dimensions.some((dimensionId) => scope.covers(dimensionId));
  return { settled, codes: codingsOnSegment(db, segmentId, [consensusId]).map((row) => row.code_id) };
}

/** The first chosen code of an exclusive dimension in which the consensus already holds another code. */
function exclusiveClash(chosen: readonly string[], stored: readonly string[], exclusiveDimensionOf: ReadonlyMap<string, string>): { stored: string; dimension: string } | undefined {
  for (const code of chosen) {
    const dimension = exclusiveDimensionOf.get(code);
    if (dimension === undefined) continue;
    const other = stored.find((id) => id !== code && exclusiveDimensionOf.get(id) === dimension);
    if (other !== undefined) return { stored: other, dimension };
  }
  return undefined;
}

/**
 * What a consensus answer on a segment covers, or null when nothing is left to settle there. Both coders went
 * through it for every dimension, or (one-dimension passes, as pairedCodeSets compares them) for the
 * dimensions of their pass marks and of the codes they gave; minus what the consensus settled before.
 */
function settlesOf(db: Db, coderIds: readonly number[], consensusId: number | undefined, dimensionOf: ReadonlyMap<string, string>): (segmentId: number) => Settles | null {
  const passes = dimensionPasses(db, coderIds);
  const partial = new Set<string>();
  for (let i = 0; i < passes.partial.segment.length; i++) partial.add(`${passes.partial.segment[i]}:${passes.partial.coder[i]}`);
  const passed = new Map<string, Set<string>>();
  for (let i = 0; i < passes.passes.segment.length; i++) {
    const key = `${passes.passes.segment[i]}:${passes.passes.coder[i]}`;
    if (!passed.has(key)) passed.set(key, new Set());
    passed.get(key)!.add(passes.passes.dimension[i]!);
  }
  const settledBefore = new Map<number, Set<string>>();
  if (consensusId !== undefined) {
    const own = dimensionPasses(db, [consensusId]).passes;
    for (let i = 0; i < own.segment.length; i++) {
      const segmentId = own.segment[i]!;
      if (!settledBefore.has(segmentId)) settledBefore.set(segmentId, new Set());
      settledBefore.get(segmentId)!.add(own.dimension[i]!);
    }
  }
  return (segmentId) => {
    const before = settledBefore.get(segmentId) ?? new Set<string>();
    let compared: Set<string> | null = null;
    coderIds.forEach((coderId, index) => {
      const key = `${segmentId}:${index}`;
      if (!partial.has(key)) return;
      const dimensions = new Set(passed.get(key));
      for (const row of codingsOnSegment(db, segmentId, [coderId])) dimensions.add(dimensionOf.get(row.code_id)!);
      compared = compared === null ? dimensions : new Set([...compared].filter((dimension) => dimensions.has(dimension)));
    });
    if (compared === null) return { covers: (dimension) => !before.has(dimension), marks: [null] };
    const open = [...(compared as Set<string>)].filter((dimension) => !before.has(dimension)).sort();
    if (open.length === 0) return null;
    return { covers: (dimension) => open.includes(dimension), marks: open };
  };
}

function placeOf(db: Db, segmentId: number): SegmentPlace {
  const detail = segmentDetail(db, segmentId)!;
  return { segmentId, slug: detail.slug, sha256: detail.sha256, ordinal: detail.ordinal };
}

/**
 * Where the consensus coding of a code goes: the spans a single coder gave it, or the spans both gave
 * when they match; the whole segment when the two coders' spans differ or neither gave the code.
 */
export function consensusSpans(code: string, rows: readonly SpanRow[], coderIds: readonly number[]): Array<{ start: number | null; end: number | null }> {
  const spansOf = (coderId: number): string[] =>
    rows.filter((row) => row.coder_id === coderId && row.code_id === code).map((row) => `${row.start ?? ''}:${row.end ?? ''}`).sort();
  const given = coderIds.map(spansOf).filter((spans) => spans.length > 0);
  const whole = [{ start: null, end: null }];
  if (given.length === 0) return whole;
  const first = given[0]!;
  if (given.some((spans) => spans.length !== first.length || spans.some((span, i) => span !== first[i]))) return whole;
  return first.map((span) => {
    const [start, end] = span.split(':');
    return start === '' ? { start: null, end: null } : { start: Number(start), end: Number(end) };
  });
}
