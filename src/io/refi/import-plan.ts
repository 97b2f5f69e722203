import { createHash } from 'node:crypto';
import { UserError } from '../../core/errors.js';
import { segmentText } from '../../core/segment.js';
import { codePointLength, CodePointIndex } from '../../core/text.js';
import { readDescription } from './describe.js';
import { refiGuid } from './guid.js';
import { idFromName, uniqueId } from './ids.js';
import { normalizeSource, planSegments, segmentOf, type BaseSegment, type Span } from './positions.js';
import { namespaceWarning, PROJECT_NAMESPACE, type RefiCoding, type RefiProject } from './read.js';
import { attributeValue, buildCodebook, originMeta, type CodebookBuild, type CodebookSource, type ImportedAttribute } from './to-codebook.js';
import type { NewDocument } from '../../store/documents.js';

// A parsed .qdpx turned into what the store writes: every check that can refuse the file runs here,
// before anything is created on disk.

export interface PlannedCoding {
  segment: number;
  codeId: string;
  coder: string;
  /** null = the whole segment. */
  start: number | null;
  end: number | null;
  createdAt: string;
}

export interface PlannedDocument extends NewDocument {
  segments: Array<BaseSegment & { text: string }>;
  codings: PlannedCoding[];
  /** Segments seen (qcode's own exports carry them), by index. */
  seen: Array<{ segment: number; coder: string }>;
  /** One-dimension pass marks (qcode's own exports carry them), by index. */
  passes: Array<{ segment: number; coder: string; dimension: string }>;
}

export type PlannedMemoTarget =
  | { kind: 'project' }
  | { kind: 'document'; document: number }
  | { kind: 'segment'; document: number; segment: number }
  | { kind: 'code'; id: string }
  | { kind: 'case'; id: string };

export interface PlannedMemo {
  target: PlannedMemoTarget;
  coder: string | null;
  text: string;
  createdAt: string;
  updatedAt: string;
}

export interface ImportPlan {
  codebook: CodebookBuild;
  projectName: string;
  createdAt: string | null;
  coders: string[];
  cases: Array<{ id: string; kind: string; values: Array<{ attribute: string; value: string }> }>;
  documents: PlannedDocument[];
  memos: PlannedMemo[];
  /** Tombstones of documents and cases removed on a withdrawal of consent (qcode's own exports carry them). */
  removed: {
    documents: Array<{ sha256: string; slug: string; caseId: string | null; removedAt: string }>;
    cases: Array<{ id: string; removedAt: string }>;
  };
  warnings: string[];
}

export interface PlanInput {
  project: RefiProject;
  sourceTexts: Map<string, string>;
  noteTexts: Map<string, string>;
  file: string;
  /** Used where the file has no time (a coding without creationDateTime). */
  now: string;
  codebookHeader: string;
}

/**
 * An xsd:dateTime as qcode stores times (toISOString); one without a zone is read as UTC, also when written
 * with a space for the T (SQLite's `2024-05-01 10:00:00`), which Date.parse would read as local time.
 */
export function isoTime(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  const unzoned = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(:\d{2}(\.\d+)?)?)$/.exec(trimmed);
  const zoned = unzoned === null ? trimmed : `${unzoned[1]}T${unzoned[2]}Z`;
  const time = Date.parse(zoned);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

const DOCUMENT_KINDS = new Set(['interview', 'survey', 'web', 'chat']);
const CASE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const SLUG = /^[a-z0-9][a-z0-9._-]*$/;

const isPosition = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;
const isTime = (value: unknown): value is number | null => value === null || (typeof value === 'number' && Number.isFinite(value));

/**
 * The segments a qcode export wrote into a source's meta line (`[start, end, speaker, tStart, tEnd]`); null
 * unless every one is well-formed, in order and inside the text. They count code points of the text as qcode
 * stored it (NFC, LF), which is the normalised text: a tool that rewrote the file with CR LF moves its own
 * selections, never these, so they are not mapped like selections.
 */
function segmentsFromMeta(value: unknown, textLength: number): BaseSegment[] | null {
  if (!Array.isArray(value)) return null;
  const segments: BaseSegment[] = [];
  let previousEnd = 0;
  for (const entry of value as unknown[]) {
    if (!Array.isArray(entry) || entry.length < 2 || entry.length > 5) return null;
    const [start, end, speaker = null, tStart = null, tEnd = null] = entry as unknown[];
    if (!isPosition(start) || !isPosition(end) || start < previousEnd || end < start || end > textLength) return null;
    if (!(speaker === null || typeof speaker === 'string') || !isTime(tStart) || !isTime(tEnd)) return null;
    previousEnd = end;
    segments.push({ start, end, speaker, tStart, tEnd });
  }
  return segments;
}

/** `{coder: [segment index…]}` from a meta line; anything malformed is left out. */
function seenFromMeta(value: unknown): Record<string, number[]> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  const result: Record<string, number[]> = {};
  for (const [coder, indexes] of Object.entries(value as Record<string, unknown>)) {
    if (Array.isArray(indexes)) result[coder] = indexes.filter(isPosition);
  }
  return result;
}

/** `{coder: {dimension id: [segment index…]}}` from a meta line; anything malformed is left out. */
function passesFromMeta(value: unknown): Record<string, Record<string, number[]>> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([coder, dimensions]) => [coder, seenFromMeta(dimensions)]));
}

const SHA256 = /^[0-9a-f]{64}$/;

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The tombstones of a withdrawal of consent that a qcode export carries in Project/@origin. Entries that
 * are not well-formed are counted, so that the import can say a removed participant may come back.
 */
function removedFromMeta(value: unknown): { removed: ImportPlan['removed']; malformed: number } {
  const removed: ImportPlan['removed'] = { documents: [], cases: [] };
  if (value === undefined) return { removed, malformed: 0 };
  if (!isRecord(value)) return { removed, malformed: 1 };
  let malformed = 0;
  const entries = (list: unknown): unknown[] => {
    if (list === undefined) return [];
    if (Array.isArray(list)) return list;
    malformed++;
    return [];
  };
  const time = (entry: Record<string, unknown>): string | null => (typeof entry.removed_at === 'string' ? isoTime(entry.removed_at) : null);
  for (const entry of entries(value.documents)) {
    const removedAt = isRecord(entry) ? time(entry) : null;
    const caseId = isRecord(entry) ? (entry.case_id ?? null) : undefined;
    if (isRecord(entry) && typeof entry.sha256 === 'string' && SHA256.test(entry.sha256) && typeof entry.slug === 'string' && entry.slug !== ''
      && (caseId === null || typeof caseId === 'string') && removedAt !== null) {
      removed.documents.push({ sha256: entry.sha256, slug: entry.slug, caseId, removedAt });
    } else malformed++;
  }
  for (const entry of entries(value.cases)) {
    const removedAt = isRecord(entry) ? time(entry) : null;
    if (isRecord(entry) && typeof entry.id === 'string' && entry.id !== '' && removedAt !== null) removed.cases.push({ id: entry.id, removedAt });
    else malformed++;
  }
  return { removed, malformed };
}

export function planProjectImport(input: PlanInput): ImportPlan {
  const { project, file } = input;
  const warnings: string[] = [];
  const namespaceProblem = namespaceWarning(project.namespace, PROJECT_NAMESPACE, file);
  if (namespaceProblem !== null) warnings.push(namespaceProblem);
  warnings.push(...project.warnings);
  for (const [kind, count] of project.skippedSources) {
    const codings = project.skippedCodings.get(kind) ?? 0;
    const transcripts = project.skippedTranscripts.get(kind) ?? 0;
    warnings.push(`${count} ${kind} source(s) left out: qcode holds text only${kind === 'PDFSource' ? ' (these PDFs come without a text representation)' : ''}`
      + `${codings > 0 ? `; their ${codings} coding(s) went with them` : ''}${transcripts > 0 ? `; so did ${transcripts} text Transcript(s), which qcode does not import` : ''}`);
  }
  if (project.pdfAreas > 0) warnings.push(`${project.pdfAreas} PDFSelection(s) (areas of a PDF page) left out: qcode codes characters of the PDF's text`);
  // ATLAS.ti counts CR LF as one position; the standard and the other tools count code points.
  const crlfIsOne = /atlas\.ti/i.test(project.origin ?? '');

  // Coders: one per User, names made unique. Work without a user goes to the project's creating user,
  // else to a coder "imported"; work by a user GUID the Users list lacks to a coder of its own per GUID
  // (`user-` and the GUID's first 8 characters, as for a User without a name). Either name is made unique
  // against the Users, so nobody's work is merged into a real user's.
  const takenCoders = new Set<string>();
  const coderOf = new Map<string, string>();
  // A comma would make the coder unselectable by --coders A,B: "Smith, Anna" comes in as "Smith Anna".
  for (const user of project.users) {
    const name = user.name.replace(/\s*,\s*/g, ' ').trim();
    coderOf.set(user.guid, uniqueId(name === '' ? 'user' : name, takenCoders, '_'));
  }
  let noUserCoder: string | null = null;
  const fallbackCoder = (): string => {
    const creator = project.creatingUser === null ? undefined : coderOf.get(project.creatingUser);
    if (creator !== undefined) return creator;
    noUserCoder ??= uniqueId('imported', takenCoders, '_');
    return noUserCoder;
  };
  const usedCoders = new Set<string>();
  const unknownUsers = new Map<string, string>();
  const coderFor = (guid: string | null): string => {
    let name: string;
    if (guid === null) name = fallbackCoder();
    else {
      const known = coderOf.get(guid) ?? unknownUsers.get(guid);
      if (known !== undefined) name = known;
      else {
        name = uniqueId(`user-${guid.slice(0, 8).toLowerCase()}`, takenCoders, '_');
        unknownUsers.set(guid, name);
      }
    }
    usedCoders.add(name);
    return name;
  };

  const allCodings: Array<{ coding: RefiCoding; where: string }> = [];
  for (const source of project.sources) {
    for (const coding of source.codings) allCodings.push({ coding, where: `source "${source.name}"` });
    for (const selection of source.selections) for (const coding of selection.codings) allCodings.push({ coding, where: `selection ${selection.guid} of source "${source.name}"` });
  }
  const codebookSource: CodebookSource = {
    codes: project.codes,
    sets: project.sets,
    variables: project.variables,
    values: [
      ...project.cases.flatMap((entry) => entry.values.map((value) => ({ ...value, owner: `case "${entry.name}"` }))),
      ...project.sources.flatMap((source) => source.values.map((value) => ({ ...value, owner: `source "${source.name}"` }))),
    ],
    origin: project.origin,
    coded: new Set(allCodings.map(({ coding }) => coding.code)),
    fallbackName: project.name,
    displayName: 'codebook.yaml (from the project)',
    fileName: file,
    header: input.codebookHeader,
  };
  let codebook = buildCodebook(codebookSource);
  warnings.push(...codebook.warnings);
  // Exclusive dimensions by id (active or retired), to find codings another tool added against the rule.
  const exclusiveDimensions = new Set([
    ...codebook.codebook.dimensions.filter((dimension) => dimension.exclusive).map((dimension) => dimension.id),
    ...codebook.retired.dimensions.filter((dimension) => dimension.exclusive).map((dimension) => dimension.id),
  ]);
  const dimensionGuidOf = new Map([...codebook.dimensionIds].map(([guid, id]) => [id, guid]));
  const exclusiveConflicts = new Map<string, string>();
  for (const { coding, where } of allCodings) {
    if (!codebook.codeIds.has(coding.code)) {
      throw new UserError(`${file}: coding ${coding.guid} in ${where} refers to code ${coding.code}, which the codebook does not hold (unknown codeRef)`, {
        hint: 'The export is inconsistent: export the project again from its tool',
      });
    }
  }
  const attributeOf = (guid: string, where: string): { name: string; type: ImportedAttribute['type'] } => {
    const attribute = codebook.attributes.get(guid);
    if (attribute === undefined) throw new UserError(`${file}: a value of ${where} refers to variable ${guid}, which the project does not declare`);
    return attribute;
  };

  // Cases, with their values and the sources they hold.
  const takenCases = new Set<string>();
  const cases: ImportPlan['cases'] = [];
  const caseOfSource = new Map<string, string>();
  const caseMemos: Array<{ caseId: string; text: string }> = [];
  const caseIdOf = new Map<string, string>();
  for (const entry of project.cases) {
    const { text, meta } = readDescription(entry.description);
    const id = uniqueId(CASE_ID.test(entry.name) ? entry.name : idFromName(entry.name, 'case', '-'), takenCases, '-');
    caseIdOf.set(entry.guid, id);
    const values = new Map<string, string>();
    for (const value of entry.values) {
      const attribute = attributeOf(value.variable, `case "${entry.name}"`);
      values.set(attribute.name, attributeValue(attribute.type, value));
    }
    cases.push({ id, kind: typeof meta?.kind === 'string' ? meta.kind : 'participant', values: [...values].map(([attribute, value]) => ({ attribute, value })) });
    if (text.trim() !== '') caseMemos.push({ caseId: id, text });
    for (const source of entry.sources) {
      const earlier = caseOfSource.get(source);
      if (earlier === undefined) caseOfSource.set(source, id);
      else warnings.push(`source ${source} belongs to cases ${earlier} and ${id}; qcode keeps one case per document (${earlier})`);
    }
  }

  const documents: PlannedDocument[] = [];
  const memos: PlannedMemo[] = [];
  const takenSlugs = new Set<string>();
  const noteTargets = new Map<string, PlannedMemoTarget[]>();
  const addNoteTarget = (note: string, target: PlannedMemoTarget): void => {
    const targets = noteTargets.get(note);
    if (targets === undefined) noteTargets.set(note, [target]);
    else targets.push(target);
  };
  const memoTime = (value: string | null): string => isoTime(value) ?? input.now;
  const selectionSegment = new Map<string, PlannedMemoTarget>();
  let normalizedSources = 0;
  const notesByGuid = new Map(project.notes.map((note) => [note.guid, note]));
  // The meta names coders as qcode exported them, each the name of its User: by that User's GUID they are
  // the coders their codings went to, also where a name had to change (a comma, a clash).
  const importedCoders = new Set(coderOf.values());
  const coderOfMeta = (name: string): string | undefined => coderOf.get(refiGuid('user', name)) ?? (importedCoders.has(name) ? name : undefined);

  for (const source of project.sources) {
    const documentIndex = documents.length;
    const raw = input.sourceTexts.get(source.guid) as string;
    const normalized = normalizeSource(raw, crlfIsOne);
    if (normalized.changed) normalizedSources++;
    const toSpan = (start: number, end: number, what: string): Span => {
      if (start < 0 || end < start || end > normalized.sourceLength) {
        const problem = start < 0 ? 'which starts before the text' : end < start ? 'which runs backwards' : `beyond its text of ${normalized.sourceLength} characters`;
        throw new UserError(`${file}: ${what} of source "${source.name}" spans ${start}..${end}, ${problem}`, {
          hint: 'Positions count Unicode code points from 0; the export is inconsistent with its source file',
        });
      }
      return { start: normalized.mapStart(start), end: normalized.mapEnd(end) };
    };
    const fullText: Span = { start: 0, end: normalized.mapEnd(normalized.sourceLength) };
    const selections = source.selections.map((selection) => ({ selection, span: toSpan(selection.start, selection.end, `selection ${selection.guid}`) }));
    // A note the source refers to that holds a selection (a QualCoder annotation) is about that passage;
    // one whose passage does not fit the text stays a memo on the document.
    const annotations = source.noteRefs.flatMap((guid) => {
      const passage = notesByGuid.get(guid)?.passage;
      if (passage === null || passage === undefined || passage.end < passage.start || passage.end > normalized.sourceLength) return [];
      return [{ note: guid, span: { start: normalized.mapStart(passage.start), end: normalized.mapEnd(passage.end) } }];
    });
    const { meta, text: descriptionText } = readDescription(source.description);
    // The layout a qcode export carries, else the cut `qcode import` makes by default; either is joined
    // wherever a selection does not fit.
    const layout = meta?.segments === undefined ? null : segmentsFromMeta(meta.segments, codePointLength(normalized.text));
    if (meta?.segments !== undefined && layout === null) warnings.push(`source "${source.name}": the segments in its qcode meta line do not fit its text; cut as qcode import cuts it`);
    const base = layout ?? segmentText(normalized.text).segments.map(({ start, end, speaker, tStart, tEnd }) => ({ start, end, speaker, tStart, tEnd }));
    const segmentSpans = planSegments(base, [
      ...selections.map(({ span }) => span), ...annotations.map(({ span }) => span), ...(source.codings.length > 0 ? [fullText] : []),
    ]);
    const index = new CodePointIndex(normalized.text);
    const metaString = (key: string): string | null => (typeof meta?.[key] === 'string' ? (meta[key] as string) : null);
    const metaSlug = metaString('slug');
    const slug = uniqueId(metaSlug !== null && SLUG.test(metaSlug) ? metaSlug : idFromName(source.name.replace(/\.[A-Za-z0-9]{1,5}$/, ''), 'document', '-'), takenSlugs, '-');
    const kind = metaString('kind');

    let caseId = caseOfSource.get(source.guid) ?? null;
    if (source.values.length > 0) {
      // Tools such as MAXQDA keep variables on documents; qcode keeps them on cases.
      if (caseId === null) {
        caseId = uniqueId(CASE_ID.test(source.name) ? source.name : idFromName(source.name, 'case', '-'), takenCases, '-');
        cases.push({ id: caseId, kind: 'participant', values: [] });
        warnings.push(`source "${source.name}" has variable values but no case; they went to a new case ${caseId}`);
      }
      const target = cases.find((entry) => entry.id === caseId) as ImportPlan['cases'][number];
      for (const value of source.values) {
        const attribute = attributeOf(value.variable, `source "${source.name}"`);
        if (!target.values.some((existing) => existing.attribute === attribute.name)) target.values.push({ attribute: attribute.name, value: attributeValue(attribute.type, value) });
      }
    }

    const codings: PlannedCoding[] = [];
    const codingKeys = new Set<string>();
    /** segment, coder and exclusive dimension → the first code seen there. */
    const exclusiveCodes = new Map<string, string>();
    let duplicates = 0;
    const segmentFor = (span: Span): number => {
      const segment = segmentOf(segmentSpans, span);
      if (segment === -1) throw new Error(`no segment holds ${span.start}..${span.end} in source "${source.name}"`);
      return segment;
    };
    const addCoding = (coding: RefiCoding, span: Span, fallbackTime: string | null, where: string): void => {
      const segment = segmentFor(span);
      const bounds = segmentSpans[segment] as Span;
      const whole = bounds.start === span.start && bounds.end === span.end;
      const planned: PlannedCoding = {
        segment,
        codeId: codebook.codeIds.get(coding.code) as string,
        coder: coderFor(coding.user),
        start: whole ? null : span.start,
        end: whole ? null : span.end,
        createdAt: isoTime(coding.created) ?? isoTime(fallbackTime) ?? input.now,
      };
      const key = [planned.segment, planned.codeId, planned.coder, planned.start, planned.end].join('\u0000');
      if (codingKeys.has(key)) {
        duplicates++;
        return;
      }
      codingKeys.add(key);
      codings.push(planned);
      const dimension = planned.codeId.slice(0, planned.codeId.indexOf('.'));
      if (exclusiveDimensions.has(dimension) && !exclusiveConflicts.has(dimension)) {
        const slot = [planned.segment, planned.coder, dimension].join('\u0000');
        const other = exclusiveCodes.get(slot);
        if (other === undefined) exclusiveCodes.set(slot, planned.codeId);
        else if (other !== planned.codeId) {
          exclusiveConflicts.set(dimension, `source "${source.name}": ${where} adds ${planned.codeId} from ${planned.coder} to a segment that has ${other}, but dimension "${dimension}" is exclusive (one code per segment); imported as non-exclusive`);
        }
      }
      for (const note of coding.noteRefs) addNoteTarget(note, { kind: 'segment', document: documentIndex, segment });
    };
    for (const { selection, span } of selections) {
      for (const coding of selection.codings) addCoding(coding, span, selection.created, `selection ${selection.guid}`);
      const segment = segmentFor(span);
      selectionSegment.set(selection.guid, { kind: 'segment', document: documentIndex, segment });
      for (const note of selection.noteRefs) addNoteTarget(note, { kind: 'segment', document: documentIndex, segment });
      if (selection.description !== null && selection.description.trim() !== '') {
        memos.push({ target: { kind: 'segment', document: documentIndex, segment }, coder: selection.user === null ? null : coderFor(selection.user), text: selection.description, createdAt: memoTime(selection.created), updatedAt: memoTime(selection.created) });
      }
    }
    for (const coding of source.codings) addCoding(coding, fullText, source.created, 'a coding of the whole source');
    if (duplicates > 0) warnings.push(`source "${source.name}": ${duplicates} duplicate codings (same span, code and coder) imported once`);
    const annotated = new Map(annotations.map(({ note, span }) => [note, segmentFor(span)]));
    for (const note of source.noteRefs) {
      const segment = annotated.get(note);
      addNoteTarget(note, segment === undefined ? { kind: 'document', document: documentIndex } : { kind: 'segment', document: documentIndex, segment });
    }
    if (descriptionText.trim() !== '') {
      memos.push({ target: { kind: 'document', document: documentIndex }, coder: null, text: descriptionText, createdAt: memoTime(source.created), updatedAt: memoTime(source.created) });
    }

    const seen: PlannedDocument['seen'] = [];
    for (const [name, indexes] of Object.entries(seenFromMeta(meta?.seen))) {
      const coder = coderOfMeta(name);
      if (coder === undefined) continue;
      for (const at of indexes) {
        const segment = base[at];
        if (segment !== undefined) seen.push({ segment: segmentFor(segment), coder });
      }
    }
    const passes: PlannedDocument['passes'] = [];
    for (const [name, dimensions] of Object.entries(passesFromMeta(meta?.passes))) {
      const coder = coderOfMeta(name);
      if (coder === undefined) continue;
      for (const [dimensionId, indexes] of Object.entries(dimensions)) {
        // By the dimension's GUID, which is what the codebook was matched by.
        const dimension = codebook.dimensionIds.get(refiGuid('dimension', dimensionId));
        if (dimension === undefined) continue;
        for (const at of indexes) {
          const segment = base[at];
          if (segment !== undefined) passes.push({ segment: segmentFor(segment), coder, dimension });
        }
      }
    }

    documents.push({
      slug,
      caseId,
      title: meta !== null ? metaString('title') : source.name,
      kind: kind !== null && DOCUMENT_KINDS.has(kind) ? kind : 'interview',
      language: metaString('language'),
      sourcePath: meta !== null ? metaString('file') : source.name,
      format: metaString('format') ?? source.format,
      encoding: metaString('encoding'),
      sha256: createHash('sha256').update(normalized.text, 'utf8').digest('hex'),
      text: normalized.text,
      importedAt: isoTime(source.created) ?? input.now,
      segments: segmentSpans.map((span) => ({ ...span, text: index.slice(span.start, span.end) })),
      codings,
      seen,
      passes,
    });
  }
  if (exclusiveConflicts.size > 0) {
    // Another tool knows no exclusive dimensions; keeping the codings and dropping the flag loses nothing
    // (qcode codebook apply can set it again once the conflicts are resolved), as for one with nested codes.
    codebook = buildCodebook({ ...codebookSource, nonExclusive: new Set([...exclusiveConflicts.keys()].map((id) => dimensionGuidOf.get(id) as string)) });
    warnings.push(...exclusiveConflicts.values());
  }
  if (normalizedSources > 0) {
    warnings.push(`${normalizedSources} source(s) normalised to NFC with LF line ends; positions were moved with the text${crlfIsOne ? ' (CR LF counted as one position, as ATLAS.ti does)' : ''}`);
  }

  // Notes: one memo per place that refers to a note; a note nothing refers to belongs to the project.
  const sourceIndex = new Map(project.sources.map((source, position) => [source.guid, position]));
  const codeTarget = (guid: string): PlannedMemoTarget | null => {
    const id = codebook.dimensionIds.get(guid) ?? codebook.codeIds.get(guid);
    return id === undefined ? null : { kind: 'code', id };
  };
  const walkCodes = (codes: RefiProject['codes']): void => {
    for (const code of codes) {
      const target = codeTarget(code.guid);
      if (target !== null) for (const note of code.noteRefs) addNoteTarget(note, target);
      walkCodes(code.children);
    }
  };
  walkCodes(project.codes);
  for (const note of project.noteRefs) addNoteTarget(note, { kind: 'project' });
  const noteGuids = new Set(project.notes.map((note) => note.guid));
  for (const link of project.links) {
    const [note, other] = noteGuids.has(link.origin) ? [link.origin, link.target] : noteGuids.has(link.target) ? [link.target, link.origin] : [null, null];
    if (note === null || other === null) continue;
    const caseId = caseIdOf.get(other);
    const document = sourceIndex.get(other);
    const target: PlannedMemoTarget | null =
      caseId !== undefined ? { kind: 'case', id: caseId }
      : document !== undefined ? { kind: 'document', document }
      : codeTarget(other) ?? selectionSegment.get(other) ?? null;
    if (target !== null) addNoteTarget(note, target);
  }
  for (const note of project.notes) {
    const body = note.plainTextContent ?? input.noteTexts.get(note.guid) ?? '';
    const description = note.description ?? '';
    const text = description.trim() === '' ? body : body.trim() === '' ? description : `${description}\n\n${body}`;
    const targets = noteTargets.get(note.guid) ?? [{ kind: 'project' } as const];
    for (const target of targets) {
      memos.push({
        target,
        coder: note.user === null ? null : coderFor(note.user),
        text,
        createdAt: memoTime(note.created),
        updatedAt: memoTime(note.modified ?? note.created),
      });
    }
  }
  const missingNotes = [...noteTargets.keys()].filter((guid) => !noteGuids.has(guid)).length;
  if (missingNotes > 0) warnings.push(`${missingNotes} NoteRef(s) point to notes the project does not hold; ignored`);
  for (const { caseId, text } of caseMemos) memos.push({ target: { kind: 'case', id: caseId }, coder: null, text, createdAt: input.now, updatedAt: input.now });
  const projectDescription = readDescription(project.description).text;
  if (projectDescription.trim() !== '') memos.push({ target: { kind: 'project' }, coder: null, text: projectDescription, createdAt: input.now, updatedAt: input.now });

  if (unknownUsers.size > 0) {
    const names = [...unknownUsers].map(([guid, name]) => `${guid} → ${name}`);
    warnings.push(`${unknownUsers.size} user GUID(s) not among the project's Users; each became a coder of its own: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}`);
  }
  const { removed, malformed } = removedFromMeta(originMeta(project.origin)?.removed);
  if (malformed > 0) {
    warnings.push(`${malformed} record(s) of removed participants in the file's qcode meta (Project/@origin) could not be read; a participant they name could be imported again`);
  }
  // Every user is kept as a coder, even one who coded nothing, so the team list survives.
  const coders = [...new Set([...coderOf.values(), ...usedCoders])];
  return {
    codebook,
    projectName: project.name,
    createdAt: isoTime(project.created),
    coders,
    cases,
    documents,
    memos,
    removed,
    warnings,
  };
}
