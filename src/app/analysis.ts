import {
  cooccurrenceTable,
  countCooccurrence,
  expandAxis,
  parseAxisList,
  unknownAttribute,
  UNITS,
  type AxisContext,
  type CodedSegment,
  type CooccurrenceCounts,
  type CooccurrenceTable,
  type Unit,
} from '../core/cooccurrence.js';
import { codeSuggestion, labelIn, type AxisRef, type ProjectCodebook } from '../core/codebook-model.js';
import { coderNamesOf, quoteCoderName } from '../core/coder-names.js';
import { UserError, usageError } from '../core/errors.js';
import { didYouMean, didYouMeanSuffix } from '../core/suggest.js';
import {
  attributeValues,
  codedSegments,
  codesInUse,
  codingsPerCode,
  countSearchMatches,
  hasDocuments,
  loadAnalysisFrame,
  MATCH_CLOSE,
  MATCH_OPEN,
  passages,
  searchSegments,
  segmentCount,
  segmentsAndCodingsPerCode,
  speakers,
  type AnalysisFrame,
  type CodedSegmentRow,
  type CoderIds,
  type PassageRow,
} from '../store/analysis.js';
import { loadProjectCodebook } from '../store/codebook.js';
import { listCoders } from '../store/common.js';
import type { Db } from '../store/db.js';
import type { Project } from './project.js';

export interface CoderOptions {
  /** --coder X: only this coder's codings. */
  coder?: string | undefined;
  /** --coders A,B: the union of these coders' codings. */
  coders?: string | undefined;
}

export interface CoderSelection {
  ids: CoderIds;
  /** The names, or "all" for every coder. */
  names: string[] | 'all';
}

/** Resolves --coder / --coders; without either, every coder's codings count (their union). */
export function selectCoders(db: Db, options: CoderOptions): CoderSelection {
  if (options.coder !== undefined && options.coders !== undefined) throw usageError('use either --coder or --coders, not both');
  if (options.coder === undefined && options.coders === undefined) return { ids: null, names: 'all' };
  const known = listCoders(db);
  const stored = new Set(known.map((candidate) => candidate.name.normalize('NFC')));
  const asked = options.coder !== undefined ? [options.coder] : coderNamesOf(options.coders ?? '', (name) => stored.has(name.normalize('NFC')));
  if (asked.length === 0) throw usageError('--coders is empty', 'Name coders separated by commas, e.g. --coders anna,boris');
  const ids = asked.map((name) => {
    // Coder names are stored as first typed, which may be either Unicode form: compare both sides in NFC.
    const coder = known.find((candidate) => candidate.name.normalize('NFC') === name.normalize('NFC'));
    if (!coder) {
      const names = known.map((candidate) => candidate.name);
      throw new UserError(`unknown coder "${name}"${didYouMeanSuffix(name, names)}`, {
        hint: names.length > 0 ? `Coders in this project: ${names.map(quoteCoderName).join(', ')}` : 'Nobody has coded in this project yet',
      });
    }
    return coder.id;
  });
  return { ids: [...new Set(ids)], names: [...new Set(asked)] };
}

export function parseUnit(unit: string | undefined): Unit {
  if (unit === undefined) return 'segment';
  if ((UNITS as readonly string[]).includes(unit)) return unit as Unit;
  throw usageError(`unknown unit "${unit}"`, `Use --unit ${UNITS.join('|')}`);
}

/** The label language: one of the codebook's languages (the first is the default). */
export function checkLanguage(codebook: ProjectCodebook, language: string | undefined): string | undefined {
  if (language === undefined || codebook.languages.includes(language)) return language;
  throw new UserError(`the codebook has no labels in "${language}"`, { hint: `Languages: ${codebook.languages.join(', ')}`, exitCode: 2 });
}

export interface Analysis {
  codebook: ProjectCodebook;
  frame: AnalysisFrame;
}

function noDocuments(): UserError {
  return new UserError('the project has no documents yet', { hint: 'Import some first: qcode import FILE... (or try: qcode demo)' });
}

export function loadAnalysis(db: Db): Analysis {
  const frame = loadAnalysisFrame(db);
  if (frame.documents.length === 0) throw noDocuments();
  return { codebook: loadProjectCodebook(db), frame };
}

/** Counts occurrence and co-occurrence over the chosen unit in one pass over the codings (or over rows already read). */
export function countUnits(db: Db, frame: AnalysisFrame, unit: Unit, coderIds: CoderIds, rows?: Iterable<CodedSegmentRow>): CooccurrenceCounts {
  const caseCount = frame.cases.length;
  const unitsPerCase = new Int32Array(caseCount + 1);
  const slotOf = (caseId: string | null): number => (caseId === null ? caseCount : (frame.caseIndex.get(caseId) ?? caseCount));
  for (const document of frame.documents) {
    const slot = slotOf(document.caseId);
    if (unit === 'segment') unitsPerCase[slot]! += document.segments;
    else if (unit === 'document') unitsPerCase[slot]! += 1;
    else if (slot !== caseCount) unitsPerCase[slot] = 1;
  }
  function* segments(): Generator<CodedSegment> {
    for (const row of rows ?? codedSegments(db, frame, coderIds)) {
      const document = frame.documentById.get(row.documentId);
      const slot = slotOf(document?.caseId ?? null);
      const caseIndex = slot === caseCount ? -1 : slot;
      if (unit === 'case' && caseIndex < 0) continue;
      const key = unit === 'segment' ? row.segmentId : unit === 'document' ? row.documentId : caseIndex;
      yield { unit: key, caseIndex, codings: row.codings };
    }
  }
  return countCooccurrence({ unit, codeCount: frame.codeIds.length, caseCount, unitsPerCase, segments: segments() });
}

function axisContext(analysis: Analysis, counts: CooccurrenceCounts, language: string | undefined): AxisContext {
  const casesByValue = new Map<string, Map<string, number[]>>();
  for (const [attribute, values] of analysis.frame.caseValues) {
    const byValue = new Map<string, number[]>();
    for (const [caseIndex, value] of values) {
      const list = byValue.get(value);
      if (list) list.push(caseIndex);
      else byValue.set(value, [caseIndex]);
    }
    casesByValue.set(attribute, byValue);
  }
  return { codebook: analysis.codebook, codeIndex: analysis.frame.codeIndex, casesByValue, caseUnits: counts.caseUnits, language };
}

// ------------------------------------------------------------------------------------------- cooccur

export interface CooccurOptions extends CoderOptions {
  /** H1…, or "all". */
  hypothesis?: string | undefined;
  /** Ad hoc: comma-separated dimensions, codes and attribute:NAME. */
  rows?: string | undefined;
  columns?: string | undefined;
  unit?: string | undefined;
  language?: string | undefined;
}

export interface HypothesisTable {
  id: string;
  title: string;
  description: string | null;
  rows: AxisRef[];
  columns: AxisRef[];
  table: CooccurrenceTable;
}

export interface CooccurReport {
  unit: Unit;
  coders: string[] | 'all';
  tables: HypothesisTable[];
  /** False when the selected coders have coded nothing yet: every count is 0, which is the answer, not an error. */
  coded: boolean;
}

/** Co-occurrence tables per hypothesis (or one ad-hoc table), all from a single count. */
export function cooccur(project: Project, options: CooccurOptions): CooccurReport {
  const unit = parseUnit(options.unit);
  const analysis = loadAnalysis(project.db);
  const language = checkLanguage(analysis.codebook, options.language);
  const coders = selectCoders(project.db, options);
  const specs = tableSpecs(analysis.codebook, options);
  const counts = countUnits(project.db, analysis.frame, unit, coders.ids);
  requireCasedCodings(project.db, analysis.frame, counts, coders);
  const context = axisContext(analysis, counts, language);
  const tables = specs.map((spec) => ({
    ...spec,
    table: cooccurrenceTable(counts, spec.rows.flatMap((ref) => expandAxis(ref, context)), spec.columns.flatMap((ref) => expandAxis(ref, context))),
  }));
  return { unit, coders: coders.names, tables, coded: counts.codeUnits.some((n) => n > 0) };
}

/** Co-occurrence of every hypothesis of a project, as the demo and `export all` print and write them. */
export function hypothesisTables(db: Db, options: { unit?: Unit; language?: string | undefined; coderIds?: CoderIds } = {}): HypothesisTable[] {
  const analysis = loadAnalysis(db);
  const counts = countUnits(db, analysis.frame, options.unit ?? 'segment', options.coderIds ?? null);
  return tablesFromCounts(analysis, counts, options.language);
}

export function tablesFromCounts(analysis: Analysis, counts: CooccurrenceCounts, language: string | undefined): HypothesisTable[] {
  const context = axisContext(analysis, counts, language);
  return analysis.codebook.hypotheses.map((hypothesis) => ({
    id: hypothesis.id,
    title: hypothesis.title,
    description: hypothesis.description,
    rows: hypothesis.rows,
    columns: hypothesis.columns,
    table: cooccurrenceTable(counts, hypothesis.rows.flatMap((ref) => expandAxis(ref, context)), hypothesis.columns.flatMap((ref) => expandAxis(ref, context))),
  }));
}

type TableSpec = Omit<HypothesisTable, 'table'>;

function tableSpecs(codebook: ProjectCodebook, options: CooccurOptions): TableSpec[] {
  const adHoc = options.rows !== undefined || options.columns !== undefined;
  if (adHoc && options.hypothesis !== undefined) throw usageError('use either --hypothesis or --rows/--columns, not both');
  if (adHoc) {
    if (options.rows === undefined || options.columns === undefined) {
      throw usageError('an ad-hoc table needs both --rows and --columns', 'e.g. qcode cooccur --rows networks --columns forms');
    }
    const rows = parseAxisList(options.rows, codebook, '--rows');
    const columns = parseAxisList(options.columns, codebook, '--columns');
    return [{ id: 'table', title: `${options.rows} × ${options.columns}`, description: null, rows, columns }];
  }
  const ids = codebook.hypotheses.map((hypothesis) => hypothesis.id);
  if (ids.length === 0) {
    throw new UserError('the codebook defines no hypotheses', { hint: 'Add hypotheses: to codebook.yaml, or cross dimensions ad hoc: qcode cooccur --rows D --columns D' });
  }
  const asked = options.hypothesis ?? 'all';
  if (asked.toLowerCase() === 'all') return codebook.hypotheses;
  return asked.split(',').map((raw) => {
    const name = raw.trim();
    const exact = codebook.hypotheses.find((hypothesis) => hypothesis.id === name);
    if (exact) return exact;
    // The schema lets ids differ only in case (H1 and h1), so ignoring case is a convenience taken only when it picks one.
    const folded = codebook.hypotheses.filter((hypothesis) => hypothesis.id.toLowerCase() === name.toLowerCase());
    if (folded.length > 1) {
      const candidates = folded.map((hypothesis) => hypothesis.id);
      throw usageError(`--hypothesis ${name} is ambiguous: the codebook has ${candidates.join(', ')}`, `Name one exactly as written, e.g. --hypothesis ${candidates[0]}`);
    }
    const found = folded[0];
    if (!found) throw new UserError(`unknown hypothesis "${name}"${didYouMeanSuffix(name, ids)}`, { hint: `Hypotheses: ${ids.join(', ')}, or all` });
    return found;
  });
}

/**
 * Case units count only codings in documents linked to a case. With no document linked there are no case
 * units to count; with codings but none in a linked document, all zeros would hide them. Either way the fix
 * is to link the documents. With no codings at all and some document linked, the zeros are the answer.
 */
export function requireCasedCodings(db: Db, frame: AnalysisFrame, counts: CooccurrenceCounts, coders: CoderSelection): void {
  if (counts.unit !== 'case' || counts.codeUnits.some((n) => n > 0)) return;
  const anyLinked = frame.documents.some((document) => document.caseId !== null);
  if (anyLinked && codesInUse(db, coders.ids).size === 0) return;
  const coded = coders.names === 'all' ? 'coded' : `coded by ${coders.names.join(', ')}`;
  throw new UserError(anyLinked ? `--unit case: none of the documents ${coded} is linked to a case` : '--unit case: no document is linked to a case', {
    hint: 'Link a document to its case by importing its file again with the case (its codings are kept): qcode import FILE --case ID, or many at once: qcode import FILES... --manifest manifest.csv',
  });
}

// ------------------------------------------------------------------------------------------- stats

export interface StatsOptions extends CoderOptions {
  /** attribute:NAME */
  by?: string | undefined;
  unit?: string | undefined;
  language?: string | undefined;
}

export interface StatsValue {
  /** null: the units without a value (no case, or a case without the attribute), listed last and only if there are any. */
  value: string | null;
  label: string;
  units: number;
}

export interface StatsRow {
  code: string;
  label: string;
  dimension: string;
  status: string;
  codings: number;
  /** Units carrying the code. */
  n: number;
  /** n / all units. */
  share: number;
  /** Units carrying the code per value of --by, in the order of StatsReport.by.values. */
  byValue: number[];
}

export interface StatsReport {
  unit: Unit;
  unitCount: number;
  coders: string[] | 'all';
  by: { attribute: string; label: string; values: StatsValue[] } | null;
  rows: StatsRow[];
}

/** Per code, how many units carry it, overall and per value of a case attribute. */
export function codeFrequencies(project: Project, options: StatsOptions): StatsReport {
  const unit = parseUnit(options.unit);
  const codebook = loadProjectCodebook(project.db);
  const language = checkLanguage(codebook, options.language);
  const coders = selectCoders(project.db, options);
  const byRef = options.by === undefined ? null : parseBy(options.by, codebook);
  const rows: StatsRow[] = [];
  const add = (code: ProjectCodebook['codes'][number], n: number, codings: number, unitCount: number, byValue: number[]): void => {
    if (code.status === 'retired' && n === 0) return;
    rows.push({
      code: code.id, label: labelIn(code, language), dimension: code.dimensionId, status: code.status, codings, n,
      share: unitCount === 0 ? 0 : n / unitCount, byValue,
    });
  };
  if (unit === 'segment' && byRef === null) {
    // The common question needs neither co-occurrence nor the documents and cases: the codings_code index answers it.
    if (!hasDocuments(project.db)) throw noDocuments();
    const perCode = segmentsAndCodingsPerCode(project.db, codebook.codes.map((code) => code.id), coders.ids);
    const unitCount = segmentCount(project.db);
    for (const code of codebook.codes) add(code, perCode.get(code.id)?.segments ?? 0, perCode.get(code.id)?.codings ?? 0, unitCount, []);
    return { unit, unitCount, coders: coders.names, by: null, rows };
  }
  const frame = loadAnalysisFrame(project.db);
  if (frame.documents.length === 0) throw noDocuments();
  const analysis: Analysis = { codebook, frame };
  const counts = countUnits(project.db, analysis.frame, unit, coders.ids);
  requireCasedCodings(project.db, analysis.frame, counts, coders);
  // Case units leave documents without a case out, and so do their codings.
  const codings = codingsPerCode(project.db, analysis.frame, coders.ids, unit === 'case');
  const valueItems = byRef === null ? [] : expandAxis(byRef, axisContext(analysis, counts, language));
  const K = counts.codeCount;
  for (const code of analysis.codebook.codes) {
    const index = analysis.frame.codeIndex.get(code.id);
    if (index === undefined) continue;
    const byValue = valueItems.map((item) => (item.kind === 'value' ? item.cases.reduce((sum, k) => sum + (counts.caseCodeUnits[k * K + index] ?? 0), 0) : 0));
    add(code, counts.codeUnits[index] ?? 0, codings[index] ?? 0, counts.unitCount, byValue);
  }
  const attribute = byRef?.kind === 'attribute' ? analysis.codebook.attributes.find((candidate) => candidate.name === byRef.name) : undefined;
  return {
    unit,
    unitCount: counts.unitCount,
    coders: coders.names,
    by: attribute === undefined ? null : {
      attribute: attribute.name,
      label: labelIn(attribute, language),
      values: valueItems.map((item) => ({
        value: item.kind === 'value' ? item.value : item.id,
        label: item.label,
        units: item.kind === 'value' ? item.cases.reduce((sum, k) => sum + (counts.caseUnits[k] ?? 0), 0) : 0,
      })),
    },
    rows,
  };
}

function parseBy(by: string, codebook: ProjectCodebook): AxisRef {
  if (!by.startsWith('attribute:')) {
    const hint = codebook.attributes.some((attribute) => attribute.name === by) ? `write --by attribute:${by}` : 'e.g. --by attribute:host_country';
    throw usageError(`--by takes attribute:NAME, not "${by}"`, hint);
  }
  const name = by.slice('attribute:'.length);
  if (!codebook.attributes.some((attribute) => attribute.name === name)) throw unknownAttribute(name, codebook);
  return { kind: 'attribute', name };
}

// ------------------------------------------------------------------------------------------- retrieve

export interface RetrieveOptions extends CoderOptions {
  codes: string[];
  and?: string[] | undefined;
  or?: string[] | undefined;
  not?: string[] | undefined;
  /** ATTR=VALUE, all must hold. */
  where?: string[] | undefined;
  speaker?: string | undefined;
}

export interface PassageCoding {
  code: string;
  coder: string;
  /** Code points into the document; null for a coding of the whole segment. */
  start: number | null;
  end: number | null;
}

export interface Passage {
  document: string;
  title: string | null;
  case: string | null;
  segment: number;
  speaker: string | null;
  start: number;
  end: number;
  tStart: number | null;
  tEnd: number | null;
  text: string;
  codings: PassageCoding[];
}

export interface RetrieveReport {
  coders: string[] | 'all';
  codes: string[];
  passages: Passage[];
}

/** A retrieval whose passages are read one at a time as they are consumed: memory stays flat, and no other query may run until the last. */
export interface PassageStream extends Omit<RetrieveReport, 'passages'> {
  passages: IterableIterator<Passage>;
}

/**
 * Coded passages: segments carrying (any of --code and --or) and every --and code and no --not code,
 * of cases matching every --where, by the selected coders. Each passage lists the codings of the asked
 * codes so a renderer can highlight spans.
 */
export function retrieve(project: Project, options: RetrieveOptions): RetrieveReport {
  const stream = streamPassages(project, options);
  return { ...stream, passages: [...stream.passages] };
}

/** retrieve, streamed: for printing tens of thousands of passages without holding them all. */
export function streamPassages(project: Project, options: RetrieveOptions): PassageStream {
  const db = project.db;
  const codebook = loadProjectCodebook(db);
  const codeIds = codebook.codes.map((code) => code.id);
  const checkCodes = (list: readonly string[], flag: string): string[] =>
    list.map((id) => {
      if (codeIds.includes(id)) return id;
      const dimension = codebook.dimensions.find((candidate) => candidate.id === id);
      const hint = dimension ? `"${id}" is a dimension; name one of its codes, e.g. ${codebook.codes.find((code) => code.dimensionId === id)?.id ?? `${id}.CODE`}` : 'See: qcode codebook show';
      const guess = dimension ? '' : codeSuggestion(id, codeIds);
      throw new UserError(`${flag}: unknown code "${id}"${guess}`, { hint });
    });
  if (options.codes.length === 0) throw usageError('retrieve needs --code CODE', 'e.g. qcode retrieve --code forms.protest');
  if (!hasDocuments(db)) throw noDocuments();
  const anyOf = [...checkCodes(options.codes, '--code'), ...checkCodes(options.or ?? [], '--or')];
  const allOf = checkCodes(options.and ?? [], '--and');
  const noneOf = checkCodes(options.not ?? [], '--not');
  const where = (options.where ?? []).map((condition) => parseWhere(db, codebook, condition));
  // Speakers, like case ids and attribute values, are stored in NFC; the typed one may be decomposed.
  const speaker = options.speaker?.normalize('NFC');
  if (speaker !== undefined) {
    const known = speakers(db);
    if (!known.includes(speaker)) {
      throw new UserError(`no segment has the speaker "${speaker}"${didYouMeanSuffix(speaker, known)}`, {
        hint: known.length > 0 ? `Speakers: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''}` : 'No segment has a speaker',
      });
    }
  }
  const coders = selectCoders(db, options);
  const rows = passages(db, { anyOf, allOf, noneOf, where, speaker, coderIds: coders.ids });
  return { coders: coders.names, codes: [...new Set([...anyOf, ...allOf])], passages: passagesOf(rows) };
}

function* passagesOf(rows: Iterable<PassageRow>): Generator<Passage> {
  for (const [, document, title, caseId, segment, speaker, start, end, tStart, tEnd, text, json] of rows) {
    const codings = (JSON.parse(json) as Array<[string, string, number | null, number | null]>).map(([code, coder, from, to]) => ({ code, coder, start: from, end: to }));
    if (codings.length > 1) codings.sort((a, b) => compare(a.code, b.code) || compare(a.coder, b.coder) || (a.start ?? -1) - (b.start ?? -1));
    yield { document, title, case: caseId, segment, speaker, start, end, tStart, tEnd, text, codings };
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function parseWhere(db: Db, codebook: ProjectCodebook, condition: string): { attribute: string; value: string } {
  const at = condition.indexOf('=');
  if (at <= 0) throw usageError(`--where takes ATTRIBUTE=VALUE, not "${condition}"`, 'e.g. --where host_country=DE');
  const attribute = condition.slice(0, at).trim().replace(/^attribute:/, '');
  // Values are stored in NFC (import, `cases set`, the codebook parser); the typed one may be decomposed.
  const value = condition.slice(at + 1).trim().normalize('NFC');
  const definition = codebook.attributes.find((candidate) => candidate.name === attribute);
  if (!definition) throw unknownAttribute(attribute, codebook);
  const known = definition.values ?? attributeValues(db, attribute);
  if (!known.includes(value)) {
    const guess = didYouMean(value, known);
    throw new UserError(`no value "${value}" of attribute ${attribute}${guess === undefined ? '' : ` (did you mean "${guess}"?)`}`, {
      hint: known.length > 0 ? `Values: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''}` : `No case has a value of ${attribute} yet`,
    });
  }
  return { attribute, value };
}

// ------------------------------------------------------------------------------------------- search

export interface SearchOptions {
  query: string;
  limit?: number | undefined;
  /** Words of context in each snippet. */
  contextWords?: number | undefined;
}

export interface SearchResult {
  document: string;
  case: string | null;
  segment: number;
  speaker: string | null;
  start: number;
  end: number;
  tStart: number | null;
  score: number;
  /** The snippet without marks, and where the matches are in it: [start, end) in code points, as every position in qcode. */
  snippet: string;
  matches: Array<[number, number]>;
  text: string;
}

export interface SearchReport {
  query: string;
  total: number;
  results: SearchResult[];
}

/** Keyword in context over all segments with SQLite FTS5, ranked by bm25. */
export function search(project: Project, options: SearchOptions): SearchReport {
  // The indexed text is NFC. The tokenizer drops accents either way, but not every decomposition: Hangul typed as jamo matched nothing.
  const query = options.query.normalize('NFC').trim();
  if (query === '') throw usageError('the search query is empty', 'e.g. qcode search "open letter" or qcode search протест*');
  const limit = options.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1) throw usageError(`--limit must be a positive whole number, not "${options.limit}"`);
  if (!hasDocuments(project.db)) throw noDocuments();
  try {
    const total = countSearchMatches(project.db, query);
    const hits = searchSegments(project.db, query, limit, Math.min(64, Math.max(4, options.contextWords ?? 24)));
    return {
      query,
      total,
      results: hits.map((hit) => {
        const { plain, matches } = splitMarks(hit.snippet);
        return {
          document: hit.document, case: hit.caseId, segment: hit.ordinal, speaker: hit.speaker, start: hit.start, end: hit.end,
          tStart: hit.tStart, score: Math.round(hit.score * 1000) / 1000, snippet: plain, matches, text: hit.text,
        };
      }),
    };
  } catch (error) {
    throw searchError(error, query);
  }
}

function splitMarks(marked: string): { plain: string; matches: Array<[number, number]> } {
  let plain = '';
  let length = 0;
  const matches: Array<[number, number]> = [];
  let open = -1;
  for (const char of marked) {
    if (char === MATCH_OPEN) open = length;
    else if (char === MATCH_CLOSE && open >= 0) {
      matches.push([open, length]);
      open = -1;
    } else {
      plain += char;
      length++;
    }
  }
  return { plain, matches };
}

function searchError(error: unknown, query: string): unknown {
  const message = error instanceof Error ? error.message : String(error);
  // FTS5 reports a malformed query as a plain SQLITE_ERROR; anything else (busy, corrupt) is not the query's fault.
  if ((error as { code?: string }).code !== 'SQLITE_ERROR') return error;
  const reason = message.replace(/^fts5: /, '');
  return new UserError(`cannot read the search query ${JSON.stringify(query)}: ${reason}`, {
    exitCode: 2,
    hint: 'Words match whole words; word* matches a prefix; "two words" a phrase; AND, OR, NOT (in capitals) combine; quote words with - or : inside, e.g. \'"anti-war"\'',
  });
}
