import {
  ALPHA_RELIABLE,
  ALPHA_TENTATIVE,
  alphaBelow,
  alphaFromCoincidence,
  binaryCodeApplied,
  binaryCoincidenceFromTally,
  bootstrapAlpha,
  bootstrapBinaryAlpha,
  cohenKappaFromTable,
  krippendorffAlpha,
  meanOfDefined,
  pooledBinaryAlphaOf,
  type AlphaResult,
  type BootstrapResult,
  type CoincidenceMatrix,
  type KappaResult,
  type PresenceTally,
} from '../core/agreement.js';
import { codeSuggestion } from '../core/codebook-model.js';
import { coderNamesOf, quoteCoderName } from '../core/coder-names.js';
import { UserError, usageError } from '../core/errors.js';
import { didYouMeanSuffix } from '../core/suggest.js';
import { codesInUse } from '../store/analysis.js';
import { findDocument, listCoders, listDocumentSlugs, type CoderRow } from '../store/common.js';
import type { Db } from '../store/db.js';
import {
  codingTriples,
  dimensionPasses,
  maxSegmentId,
  segmentDetail,
  segmentsInScope,
  seenPairs,
  teamCodes,
  teamDimensions,
  MAX_COMPARED_CODERS,
} from '../store/team.js';
import type { Project } from './project.js';

// Agreement between coders, computed from the project's codings and "seen" marks (docs/team.md states the rules):
// - A unit is a segment, or a document with --unit document. A coder has seen a unit when the store says so
//   (seen) or when they coded it; a coder has seen a document when they have seen any of its segments.
// - A segment a coder went through only in one-dimension passes (qcode code --dimension D) is seen for the codes
//   of those dimensions only; for the other codes that coder is missing, not absent.
// - Per code, presence/absence: percent agreement and Cohen's kappa over the units every compared coder has
//   seen; Krippendorff's binary alpha over the units at least two of them have seen, unseen = missing.
// - Per exclusive dimension, nominal alpha over its codes, for segments only (a document carries several codes
//   of an exclusive dimension as a matter of course): a coder who saw a unit but gave it no code of the
//   dimension (or, against the rule, several) is missing for that unit.
// - Per dimension and overall: the mean of the per-code alphas and the pooled alpha of the summed
//   coincidence matrices; pooled percent agreement and kappa likewise sum the per-code counts. Only codes that
//   a compared coder applied on a unit seen by two of them are pooled, so that codebook entries nobody used
//   do not move the pooled figures.

export type AgreementUnit = 'segment' | 'document';

export interface ScopeOptions {
  /** --coders values, each one or more names separated by commas (see resolveCoders), in the order columns are shown. */
  coders: readonly string[];
  dimensions?: readonly string[] | undefined;
  codes?: readonly string[] | undefined;
  /** Document slugs; all documents when absent. */
  documents?: readonly string[] | undefined;
}

export interface AgreementOptions extends ScopeOptions {
  unit?: AgreementUnit | undefined;
  /** Bootstrap samples for alpha's confidence interval; none when absent. */
  bootstrap?: number | undefined;
  seed?: number | undefined;
}

export interface AlphaInterval {
  low: number | null;
  high: number | null;
  confidence: number;
  samples: number;
}

export interface CodeAgreement {
  code: string;
  dimension: string;
  /** Units each coder applied the code to (coders in the order given). */
  coded: number[];
  /** Units every coder has seen: the base of percent agreement and kappa. */
  units: number;
  /** Of those, units where all coders agree (all applied the code, or none). */
  agreed: number;
  percentAgreement: number | null;
  /** Cohen's kappa (two coders only; null with reason otherwise). */
  kappa: KappaResult | null;
  /** 2×2 table of two coders over `units`: [[neither, second only], [first only, both]]. */
  table: [[number, number], [number, number]] | null;
  alpha: AlphaResult;
  interval: AlphaInterval | null;
  flag: AlphaFlag;
  /** Internal: the coincidence matrix, for pooling. */
  coincidence: CoincidenceMatrix;
}

export interface PooledAgreement {
  /** Codes pooled: those a compared coder applied on a unit at least two of them have seen. */
  codes: number;
  /** (unit, code) decisions of the pooled codes over units seen by all, and how many agreed. */
  decisions: number;
  agreed: number;
  percentAgreement: number | null;
  kappa: KappaResult | null;
  pooledAlpha: AlphaResult;
  meanAlpha: number | null;
  /** Codes whose alpha is defined (the mean's denominator). */
  definedAlphas: number;
  flag: AlphaFlag;
}

export interface DimensionAgreement extends PooledAgreement {
  dimension: string;
  label: string;
  exclusive: boolean;
  /**
   * Nominal alpha over the codes of an exclusive dimension; null when not exclusive, only partly selected, or
   * with --unit document. `multiple`: units where a coder gave several of its codes (missing for that coder).
   */
  nominal: (AlphaResult & { interval: AlphaInterval | null; multiple: number }) | null;
}

export interface AgreementReport {
  coders: string[];
  unit: AgreementUnit;
  /** Units in scope, seen by at least two coders, seen by all. */
  units: number;
  unitsSeenByTwo: number;
  unitsSeenByAll: number;
  codes: CodeAgreement[];
  dimensions: DimensionAgreement[];
  overall: PooledAgreement;
}

/** Krippendorff's thresholds: α ≥ 0.8 reliable, 0.667 (2/3) ≤ α < 0.8 tentative conclusions only, below 0.667 discard. */
export type AlphaFlag = 'ok' | 'below 0.8' | 'below 0.667' | 'undefined';

export function alphaFlag(alpha: number | null): AlphaFlag {
  if (alpha === null) return 'undefined';
  if (alphaBelow(alpha, ALPHA_TENTATIVE)) return 'below 0.667';
  if (alphaBelow(alpha, ALPHA_RELIABLE)) return 'below 0.8';
  return 'ok';
}

interface Scope {
  coders: CoderRow[];
  codes: Array<{ id: string; dimensionId: string }>;
  dimensions: Array<{ id: string; label: string; exclusive: boolean; complete: boolean }>;
  documentIds: number[] | null;
}

/**
 * The coders named by --coders values. Each value lists names separated by commas; a name holding a comma
 * (stored by an older qcode) is written in double quotes ("Smith, Anna"), or left unquoted when only one
 * reading of the value names stored coders. Names compare in NFC (see storedCoderName).
 */
function resolveCoders(db: Db, values: readonly string[], exactly?: 2): CoderRow[] {
  const known = listCoders(db);
  const byName = new Map<string, CoderRow>();
  // The exact name first: should a store hold one name in both Unicode forms, each is still reachable.
  for (const coder of known) if (!byName.has(coder.name.normalize('NFC'))) byName.set(coder.name.normalize('NFC'), coder);
  for (const coder of known) byName.set(coder.name, coder);
  const find = (name: string): CoderRow | undefined => byName.get(name) ?? byName.get(name.normalize('NFC'));
  const forms = new Map<string, string>();
  for (const name of values.flatMap((value) => coderNamesOf(value, (name) => find(name) !== undefined))) {
    if (!forms.has(name.normalize('NFC'))) forms.set(name.normalize('NFC'), name);
  }
  const names = [...forms.values()];
  if (exactly !== undefined && names.length !== exactly) throw usageError('--coders takes exactly two coder names here', 'e.g. --coders anna,boris');
  if (names.length < 2) throw usageError('--coders needs at least two different coder names', 'e.g. --coders anna,boris');
  if (names.length > MAX_COMPARED_CODERS) throw usageError(`--coders takes at most ${MAX_COMPARED_CODERS} coders`);
  return names.map((name) => {
    const coder = find(name);
    if (coder === undefined) {
      throw new UserError(`no coder "${name}" in this project${didYouMeanSuffix(name, known.map((row) => row.name))}`, {
        hint: known.length === 0 ? 'Nobody has coded yet.' : `Coders: ${known.map((row) => quoteCoderName(row.name)).join(', ')}`,
      });
    }
    return coder;
  });
}

function resolveScope(db: Db, options: ScopeOptions, exactly?: 2): Scope {
  const coders = resolveCoders(db, options.coders, exactly);
  const allCodes = teamCodes(db);
  const allDimensions = teamDimensions(db);
  const used = codesInUse(db, coders.map((coder) => coder.id));
  const codeIds = new Set(allCodes.map((code) => code.id));
  const dimensionIds = new Set(allDimensions.map((dimension) => dimension.id));
  for (const id of options.dimensions ?? []) {
    if (!dimensionIds.has(id)) {
      throw new UserError(`no dimension "${id}"${didYouMeanSuffix(id, dimensionIds)}`, { hint: 'See: qcode codebook show' });
    }
  }
  for (const id of options.codes ?? []) {
    if (!codeIds.has(id)) throw new UserError(`no code "${id}"${codeSuggestion(id, [...codeIds])}`, { hint: 'See: qcode codebook show' });
  }
  const filtered = (options.dimensions?.length ?? 0) > 0 || (options.codes?.length ?? 0) > 0;
  const wantedDimensions = new Set(options.dimensions ?? []);
  const wantedCodes = new Set(options.codes ?? []);
  // Retired codes join only when these coders used them: they carry data but are no longer applied.
  const available = allCodes.filter((code) => code.status === 'active' || used.has(code.id));
  const codes = available
    .filter((code) => !filtered || wantedDimensions.has(code.dimension_id) || wantedCodes.has(code.id))
    .map((code) => ({ id: code.id, dimensionId: code.dimension_id }));
  if (codes.length === 0) throw new UserError('no codes to compare', { hint: 'Check --dimension and --code' });
  const inScope = new Set(codes.map((code) => code.id));
  const dimensions = allDimensions
    .filter((dimension) => codes.some((code) => code.dimensionId === dimension.id))
    .map((dimension) => ({
      id: dimension.id,
      label: dimension.label,
      exclusive: dimension.exclusive === 1,
      complete: available.every((code) => code.dimension_id !== dimension.id || inScope.has(code.id)),
    }));
  return { coders, codes, dimensions, documentIds: resolveDocuments(db, options.documents) };
}

function resolveDocuments(db: Db, slugs: readonly string[] | undefined): number[] | null {
  if (slugs === undefined || slugs.length === 0) return null;
  return slugs.map((slug) => {
    const document = findDocument(db, slug);
    if (document === undefined) {
      throw new UserError(`no document "${slug}"${didYouMeanSuffix(slug, listDocumentSlugs(db))}`, { hint: 'See: qcode docs list' });
    }
    return document.id;
  });
}

/** Units, who has seen each (a bit mask per unit), and the codings sorted by code. */
interface UnitData {
  units: number;
  /** Who has seen each unit for every dimension. */
  seenMask: Uint32Array;
  /**
   * Who has seen each unit for one dimension only (one-dimension passes), OR-ed onto seenMask for the codes of
   * that dimension. Only dimensions with such sightings have an entry.
   */
  passMask: Map<string, Uint32Array>;
  /** Codings in scope grouped by code: code k owns entries [codeStart[k], codeStart[k + 1]). */
  codeStart: Int32Array;
  entryUnit: Int32Array;
  entryCoder: Uint8Array;
}

function loadUnitData(db: Db, scope: Scope, unit: AgreementUnit): UnitData {
  const coderIds = scope.coders.map((coder) => coder.id);
  const segments = segmentsInScope(db, scope.documentIds);
  const unitOfSegment = new Int32Array(maxSegmentId(db) + 1).fill(-1);
  let units = 0;
  if (unit === 'segment') {
    for (let i = 0; i < segments.segmentIds.length; i++) unitOfSegment[segments.segmentIds[i]!] = i;
    units = segments.segmentIds.length;
  } else {
    const unitOfDocument = new Map<number, number>();
    for (let i = 0; i < segments.segmentIds.length; i++) {
      const documentId = segments.documentIds[i]!;
      let index = unitOfDocument.get(documentId);
      if (index === undefined) {
        index = unitOfDocument.size;
        unitOfDocument.set(documentId, index);
      }
      unitOfSegment[segments.segmentIds[i]!] = index;
    }
    units = unitOfDocument.size;
  }

  const n = coderIds.length;
  const passes = dimensionPasses(db, coderIds);
  const partial = new Set<number>();
  for (let i = 0; i < passes.partial.segment.length; i++) partial.add(passes.partial.segment[i]! * n + passes.partial.coder[i]!);
  const passMask = new Map<string, Uint32Array>();
  const passMaskOf = (dimensionId: string): Uint32Array => {
    let mask = passMask.get(dimensionId);
    if (mask === undefined) {
      mask = new Uint32Array(units);
      passMask.set(dimensionId, mask);
    }
    return mask;
  };
  const dimensionsInScope = new Set(scope.dimensions.map((dimension) => dimension.id));
  for (let i = 0; i < passes.passes.segment.length; i++) {
    const dimensionId = passes.passes.dimension[i]!;
    const u = unitOfSegment[passes.passes.segment[i]!] ?? -1;
    if (u >= 0 && dimensionsInScope.has(dimensionId)) passMaskOf(dimensionId)[u]! |= 1 << passes.passes.coder[i]!;
  }

  const seenMask = new Uint32Array(units);
  const seen = seenPairs(db, coderIds);
  for (let i = 0; i < seen.segment.length; i++) {
    const u = unitOfSegment[seen.segment[i]!] ?? -1;
    if (u >= 0) seenMask[u]! |= 1 << seen.coder[i]!;
  }

  const triples = codingTriples(db, coderIds, scope.codes.map((code) => code.id));
  const codeStart = new Int32Array(scope.codes.length + 1);
  for (let i = 0; i < triples.code.length; i++) {
    if ((unitOfSegment[triples.segment[i]!] ?? -1) >= 0) codeStart[triples.code[i]! + 1]! += 1;
  }
  for (let k = 0; k < scope.codes.length; k++) codeStart[k + 1]! += codeStart[k]!;
  const fill = codeStart.slice(0, scope.codes.length);
  const entryUnit = new Int32Array(codeStart[scope.codes.length]!);
  const entryCoder = new Uint8Array(entryUnit.length);
  for (let i = 0; i < triples.code.length; i++) {
    const u = unitOfSegment[triples.segment[i]!] ?? -1;
    if (u < 0) continue;
    const at = fill[triples.code[i]!]!++;
    entryUnit[at] = u;
    entryCoder[at] = triples.coder[i]!;
    // A coder who coded a unit has seen it, whatever the seen table says; in a one-dimension pass, for that dimension.
    const bit = 1 << triples.coder[i]!;
    if (partial.size > 0 && partial.has(triples.segment[i]! * n + triples.coder[i]!)) passMaskOf(scope.codes[triples.code[i]!]!.dimensionId)[u]! |= bit;
    else seenMask[u]! |= bit;
  }
  return { units, seenMask, passMask, codeStart, entryUnit, entryCoder };
}

/** Who has seen each unit for the codes of one dimension. */
function seenFor(data: UnitData, dimensionId: string): Uint32Array {
  const pass = data.passMask.get(dimensionId);
  if (pass === undefined) return data.seenMask;
  const mask = new Uint32Array(data.units);
  for (let u = 0; u < data.units; u++) mask[u] = data.seenMask[u]! | pass[u]!;
  return mask;
}

/** Who has seen each unit for at least one of the dimensions compared. */
function seenForAny(data: UnitData): Uint32Array {
  if (data.passMask.size === 0) return data.seenMask;
  const mask = data.seenMask.slice();
  for (const pass of data.passMask.values()) for (let u = 0; u < data.units; u++) mask[u]! |= pass[u]!;
  return mask;
}

/** How many units each number of coders has seen (index = number of coders). */
function unitsBySeers(mask: Uint32Array, coders: number): number[] {
  const counts = new Array<number>(coders + 1).fill(0);
  for (let u = 0; u < mask.length; u++) counts[popcount(mask[u]!)]! += 1;
  return counts;
}

function popcount(x: number): number {
  let v = x >>> 0;
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function interval(result: BootstrapResult): AlphaInterval {
  return { low: result.low, high: result.high, confidence: result.confidence, samples: result.samples };
}

/** Percent agreement, Cohen's kappa and Krippendorff's alpha per code, per dimension and overall. */
export function computeAgreement(project: Project, options: AgreementOptions): AgreementReport {
  const unit = options.unit ?? 'segment';
  if (options.bootstrap !== undefined && (!Number.isInteger(options.bootstrap) || options.bootstrap < 1)) {
    throw usageError(`--bootstrap needs a positive whole number of samples, got ${options.bootstrap}`, 'e.g. --bootstrap 1000');
  }
  const scope = resolveScope(project.db, options);
  const data = loadUnitData(project.db, scope, unit);
  const n = scope.coders.length;
  const allMask = n === 32 ? 0xffffffff : (1 << n) - 1;

  const anySeers = unitsBySeers(seenForAny(data), n);
  const unitsSeenByAll = anySeers[n]!;
  const unitsSeenByTwo = anySeers.slice(2).reduce((sum, count) => sum + count, 0);
  // Who has seen what, per dimension: the absent cells of every code's tally start from these counts.
  const seenByDimension = new Map<string, { mask: Uint32Array; bySeers: number[] }>();
  const seenOf = (dimensionId: string): { mask: Uint32Array; bySeers: number[] } => {
    let entry = seenByDimension.get(dimensionId);
    if (entry === undefined) {
      const mask = seenFor(data, dimensionId);
      entry = { mask, bySeers: unitsBySeers(mask, n) };
      seenByDimension.set(dimensionId, entry);
    }
    return entry;
  };

  const codedMask = new Uint32Array(data.units);
  const touched = new Int32Array(data.units);
  const bootstrapOptions = { samples: options.bootstrap ?? 1, seed: options.seed ?? 1 };
  const codes: CodeAgreement[] = scope.codes.map((code, k) => {
    const { mask: seenMask, bySeers } = seenOf(code.dimensionId);
    const seenByAll = bySeers[n]!;
    let touchedCount = 0;
    for (let e = data.codeStart[k]!; e < data.codeStart[k + 1]!; e++) {
      const u = data.entryUnit[e]!;
      if (codedMask[u] === 0) touched[touchedCount++] = u;
      codedMask[u]! |= 1 << data.entryCoder[e]!;
    }
    const coded = new Array<number>(n).fill(0);
    const present = Array.from({ length: n + 1 }, () => new Array<number>(n + 1).fill(0));
    const touchedBySeers = new Array<number>(n + 1).fill(0);
    let allTouched = 0;
    let allPresent = 0;
    const pairCells = [0, 0, 0, 0];
    for (let t = 0; t < touchedCount; t++) {
      const u = touched[t]!;
      const mask = codedMask[u]!;
      codedMask[u] = 0;
      for (let i = 0; i < n; i++) if (mask & (1 << i)) coded[i]! += 1;
      const seers = popcount(seenMask[u]!);
      const ones = popcount(mask);
      present[seers]![ones]! += 1;
      touchedBySeers[seers]! += 1;
      if ((seenMask[u]! >>> 0) === allMask >>> 0) {
        allTouched++;
        if (ones === n) allPresent++;
        if (n === 2) pairCells[mask]! += 1;
      }
    }
    const tally: PresenceTally[] = [];
    for (let m = 2; m <= n; m++) {
      tally.push({ coders: m, present: 0, units: bySeers[m]! - touchedBySeers[m]! });
      for (let ones = 1; ones <= m; ones++) tally.push({ coders: m, present: ones, units: present[m]![ones]! });
    }
    const coincidence = binaryCoincidenceFromTally(tally);
    const alpha = alphaFromCoincidence(coincidence, 'nominal');
    const agreed = allPresent + (seenByAll - allTouched);
    const table: [[number, number], [number, number]] | null =
      n === 2 ? [[seenByAll - allTouched, pairCells[2]!], [pairCells[1]!, pairCells[3]!]] : null;
    return {
      code: code.id,
      dimension: code.dimensionId,
      coded,
      units: seenByAll,
      agreed,
      percentAgreement: seenByAll === 0 ? null : agreed / seenByAll,
      kappa: table === null ? null : cohenKappaFromTable(table),
      table,
      alpha,
      interval: options.bootstrap === undefined ? null : interval(bootstrapBinaryAlpha(tally, bootstrapOptions)),
      flag: alphaFlag(alpha.alpha),
      coincidence,
    };
  });

  const dimensions: DimensionAgreement[] = scope.dimensions.map((dimension) => {
    const members = codes.filter((code) => code.dimension === dimension.id);
    const nominal = dimension.exclusive && dimension.complete && unit === 'segment'
      ? nominalAlpha(data, scope, dimension.id, n, options.bootstrap === undefined ? undefined : bootstrapOptions)
      : null;
    return { dimension: dimension.id, label: dimension.label, exclusive: dimension.exclusive, ...pooled(members, n), nominal };
  });

  return {
    coders: scope.coders.map((coder) => coder.name),
    unit,
    units: data.units,
    unitsSeenByTwo,
    unitsSeenByAll,
    codes,
    dimensions,
    overall: pooled(codes, n),
  };
}

function pooled(all: readonly CodeAgreement[], coders: number): PooledAgreement {
  // Units seen by all are among those seen by two, so a code left out has only (0, 0) decisions in the tables too.
  const codes = all.filter((code) => binaryCodeApplied(code.coincidence));
  const decisions = codes.reduce((sum, code) => sum + code.units, 0);
  const agreed = codes.reduce((sum, code) => sum + code.agreed, 0);
  let kappa: KappaResult | null = null;
  if (coders === 2) {
    const table: [[number, number], [number, number]] = [[0, 0], [0, 0]];
    for (const code of codes) {
      for (const i of [0, 1] as const) for (const j of [0, 1] as const) table[i][j] += code.table![i][j];
    }
    kappa = cohenKappaFromTable(table);
  }
  const pooledAlpha = pooledBinaryAlphaOf(all.map((code) => code.coincidence));
  const mean = meanOfDefined(codes.map((code) => code.alpha.alpha));
  return {
    codes: codes.length,
    decisions,
    agreed,
    percentAgreement: decisions === 0 ? null : agreed / decisions,
    kappa,
    pooledAlpha,
    meanAlpha: mean.mean,
    definedAlphas: mean.defined,
    flag: alphaFlag(pooledAlpha.alpha),
  };
}

const NONE = -1;
const SEVERAL = -2;

/** Nominal alpha over an exclusive dimension's codes: one value per (unit, coder), missing when none or several. */
function nominalAlpha(
  data: UnitData,
  scope: Scope,
  dimensionId: string,
  n: number,
  bootstrap: { samples: number; seed: number } | undefined,
): DimensionAgreement['nominal'] {
  const value = new Int32Array(data.units * n).fill(NONE);
  const touchedUnits: number[] = [];
  let multiple = 0;
  scope.codes.forEach((code, k) => {
    if (code.dimensionId !== dimensionId) return;
    for (let e = data.codeStart[k]!; e < data.codeStart[k + 1]!; e++) {
      const cell = data.entryUnit[e]! * n + data.entryCoder[e]!;
      const before = value[cell]!;
      if (before === NONE) {
        value[cell] = k;
        touchedUnits.push(data.entryUnit[e]!);
      } else if (before !== k && before !== SEVERAL) {
        value[cell] = SEVERAL;
      }
    }
  });
  const rows: Array<Array<number | null>> = [];
  for (const u of new Set(touchedUnits)) {
    const row: Array<number | null> = [];
    let values = 0;
    let several = false;
    for (let i = 0; i < n; i++) {
      const v = value[u * n + i]!;
      row.push(v >= 0 ? v : null);
      if (v >= 0) values++;
      if (v === SEVERAL) several = true;
    }
    if (several) multiple++;
    if (values >= 2) rows.push(row);
  }
  const alpha = krippendorffAlpha(rows, 'nominal');
  return {
    ...alpha,
    interval: bootstrap === undefined ? null : interval(bootstrapAlpha(rows, 'nominal', bootstrap)),
    multiple,
  };
}

// ---- disagreements

export type DisagreementOptions = ScopeOptions;

export interface Disagreement {
  segmentId: number;
  document: string;
  sha256: string;
  ordinal: number;
  speaker: string | null;
  text: string;
  /** Codes of the first and the second coder, in codebook order. */
  first: string[];
  second: string[];
}

export interface DisagreementReport {
  coders: [string, string];
  coderIds: [number, number];
  /** Segments both coders have seen (the base), and how many of them differ. */
  seenByBoth: number;
  disagreements: Disagreement[];
}

/** Two coders' codes (in scope, codebook order) on each segment both have seen. */
export interface PairedSegments {
  coders: [CoderRow, CoderRow];
  segments: Array<{ segmentId: number; first: string[]; second: string[] }>;
}

export function pairedCodeSets(project: Project, options: ScopeOptions): PairedSegments {
  const scope = resolveScope(project.db, options, 2);
  const data = loadUnitData(project.db, scope, 'segment');
  const segmentIds = segmentsInScope(project.db, scope.documentIds).segmentIds;
  const codeSets = [new Map<number, string[]>(), new Map<number, string[]>()];
  scope.codes.forEach((code, k) => {
    for (let e = data.codeStart[k]!; e < data.codeStart[k + 1]!; e++) {
      const sets = codeSets[data.entryCoder[e]!]!;
      const u = data.entryUnit[e]!;
      const list = sets.get(u);
      // Entries come grouped by code, so a repeated code (several spans) is always the list's last element.
      if (list === undefined) sets.set(u, [code.id]);
      else if (list[list.length - 1] !== code.id) list.push(code.id);
    }
  });
  const dimensionOf = new Map(scope.codes.map((code) => [code.id, code.dimensionId]));
  const segments: PairedSegments['segments'] = [];
  for (let u = 0; u < data.units; u++) {
    const first = codeSets[0]!.get(u) ?? [];
    const second = codeSets[1]!.get(u) ?? [];
    if (data.seenMask[u] === 3) {
      segments.push({ segmentId: segmentIds[u]!, first, second });
      continue;
    }
    // Seen by both only in one-dimension passes: compare the codes of the dimensions both went through.
    const shared = new Set<string>();
    for (const [dimensionId, pass] of data.passMask) if ((data.seenMask[u]! | pass[u]!) === 3) shared.add(dimensionId);
    if (shared.size === 0) continue;
    const within = (codes: string[]): string[] => codes.filter((code) => shared.has(dimensionOf.get(code)!));
    segments.push({ segmentId: segmentIds[u]!, first: within(first), second: within(second) });
  }
  return { coders: [scope.coders[0]!, scope.coders[1]!], segments };
}

export function sameCodes(first: readonly string[], second: readonly string[]): boolean {
  return first.length === second.length && first.every((code, i) => second[i] === code);
}

/** Segments both coders have seen on which their sets of codes (in scope) differ, in document order. */
export function listDisagreements(project: Project, options: DisagreementOptions): DisagreementReport {
  const paired = pairedCodeSets(project, options);
  const disagreements = paired.segments
    .filter((segment) => !sameCodes(segment.first, segment.second))
    .map((segment) => {
      const detail = segmentDetail(project.db, segment.segmentId)!;
      return {
        segmentId: detail.id,
        document: detail.slug,
        sha256: detail.sha256,
        ordinal: detail.ordinal,
        speaker: detail.speaker,
        text: detail.text,
        first: segment.first,
        second: segment.second,
      };
    });
  disagreements.sort((a, b) => (a.document < b.document ? -1 : a.document > b.document ? 1 : a.ordinal - b.ordinal));
  return {
    coders: [paired.coders[0].name, paired.coders[1].name],
    coderIds: [paired.coders[0].id, paired.coders[1].id],
    seenByBoth: paired.segments.length,
    disagreements,
  };
}
