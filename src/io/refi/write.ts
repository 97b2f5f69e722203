import { formatAxis, type AttributeDef, type CodeDef, type DimensionDef, type HypothesisDef, type Status } from '../../core/codebook-model.js';
import { UserError } from '../../core/errors.js';
import { CodePointIndex } from '../../core/text.js';
import { codeNotesWithFallback, describe, META_MARK, type Meta } from './describe.js';
import { segmentText } from '../../core/segment.js';
import type { ExportCodebook, ExportCoding, ExportDocument, ExportMemo, ExportProject, ExportSegment, MemoTarget } from './export-model.js';
import { refiGuid } from './guid.js';
import { nonXmlCharacter, XmlWriter, type Attributes } from './xml.js';

export const CODEBOOK_NAMESPACE = 'urn:QDA-XML:codebook:1.0';
export const PROJECT_NAMESPACE = 'urn:QDA-XML:project:1.0';
/** §8.5: an internal file may hold at most 2^31 − 1 bytes. */
export const MAX_INTERNAL_FILE_BYTES = 2 ** 31 - 1;

export const guids = {
  dimension: (id: string): string => refiGuid('dimension', id),
  code: (id: string): string => refiGuid('code', id),
  hypothesis: (id: string): string => refiGuid('hypothesis', id),
  user: (name: string): string => refiGuid('user', name),
  attribute: (name: string): string => refiGuid('attribute', name),
  case: (id: string): string => refiGuid('case', id),
  document: (slug: string): string => refiGuid('document', slug),
  textFile: (slug: string): string => refiGuid('text-file', slug),
  selection: (slug: string, start: number, end: number): string => refiGuid('selection', `${slug}\u0000${start}\u0000${end}`),
  // Not whether it covered its whole segment: an imported project cuts segments differently, and the
  // same characters coded with the same code by the same coder are the same coding in any tool.
  coding: (coding: ExportCoding): string => refiGuid('coding', [coding.document, coding.start, coding.end, coding.codeId, coding.coder].join('\u0000')),
  note: (key: string): string => refiGuid('note', key),
  link: (noteGuid: string): string => refiGuid('link', noteGuid),
};

/**
 * CodeBook/@origin and Project/@origin: the writer, then the codebook facts that have no element of their
 * own, and for a project the tombstones of a withdrawal of consent (`removed`), when there are any.
 */
function originOf(origin: string, codebook: ExportCodebook, removed?: ExportProject['removed']): string {
  const meta: Meta = { codebook: codebook.name, version: codebook.version };
  if (codebook.title !== null) meta.title = codebook.title;
  meta.languages = codebook.languages;
  if (removed !== undefined && removed.documents.length + removed.cases.length > 0) {
    meta.removed = {
      documents: removed.documents.map((entry) => ({ sha256: entry.sha256, slug: entry.slug, case_id: entry.caseId, removed_at: entry.removedAt })),
      cases: removed.cases.map((entry) => ({ id: entry.id, removed_at: entry.removedAt })),
    };
  }
  return `${origin} ${META_MARK}${JSON.stringify(meta)}`;
}

// xsd:dateTime; qcode writes toISOString(), which matches. Anything else readable is converted.
const XSD_DATE_TIME = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

export function xsdDateTime(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (XSD_DATE_TIME.test(value)) return value;
  // A time without a zone (SQLite's `2025-03-02 10:00:00`) is UTC, as qcode stores times: reading it as
  // local time would make the export depend on the machine's time zone.
  const trimmed = value.trim();
  const time = Date.parse(/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(trimmed) ? `${trimmed.replace(' ', 'T')}Z` : trimmed);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

/** `#rgb` as `#rrggbb`: the schema accepts both, but not every tool reads the short form. */
export function sixDigitColor(color: string | null): string | null {
  if (color === null) return null;
  const short = /^#([0-9A-Fa-f])([0-9A-Fa-f])([0-9A-Fa-f])$/.exec(color);
  return short === null ? color : `#${short[1]}${short[1]}${short[2]}${short[2]}${short[3]}${short[3]}`;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

const byStatusAndOrder = <T extends { status: Status; ord: number }>(a: T, b: T): number =>
  (a.status === b.status ? 0 : a.status === 'active' ? -1 : 1) || a.ord - b.ord;

function dimensionMeta(dimension: DimensionDef & { status: Status }): Meta {
  const meta: Meta = { dimension: dimension.id };
  if (Object.keys(dimension.labels).length > 0) meta.labels = dimension.labels;
  if (dimension.exclusive) meta.exclusive = true;
  if (dimension.status === 'retired') meta.retired = true;
  return meta;
}

function codeDescription(code: CodeDef & { status: Status }): string | null {
  const { text, metaNotes } = codeNotesWithFallback({ definition: code.definition, include: code.include, exclude: code.exclude, examples: code.examples });
  const meta: Meta = { id: code.id };
  if (Object.keys(code.labels).length > 0) meta.labels = code.labels;
  if (code.status === 'retired') meta.retired = true;
  if (metaNotes !== null) meta.notes = metaNotes;
  return describe(text, meta);
}

/**
 * The codebook as nested Code elements: each dimension a parent code that cannot be coded (qcode codes
 * only codes, never a dimension as a whole), its codes nested below as in the YAML.
 */
function writeCodes(writer: XmlWriter, codebook: ExportCodebook, noteRefs: Map<string, string[]> | null): void {
  const childrenOf = new Map<string, Array<CodeDef & { status: Status }>>();
  for (const code of codebook.codes) {
    const key = code.parentId ?? `dimension:${code.dimensionId}`;
    pushTo(childrenOf, key, code);
  }
  const writeNoteRefs = (key: string): void => {
    for (const target of noteRefs?.get(key) ?? []) writer.empty('NoteRef', [['targetGUID', target]]);
  };
  const writeCode = (code: CodeDef & { status: Status }): void => {
    const children = [...(childrenOf.get(code.id) ?? [])].sort(byStatusAndOrder);
    writer.start('Code', [['guid', guids.code(code.id)], ['name', code.label], ['isCodable', 'true'], ['color', sixDigitColor(code.color)]]);
    const description = codeDescription(code);
    if (description !== null) writer.text('Description', description);
    writeNoteRefs(`code:${code.id}`);
    for (const child of children) writeCode(child);
    writer.end('Code');
  };
  writer.start('Codes');
  for (const dimension of [...codebook.dimensions].sort(byStatusAndOrder)) {
    writer.start('Code', [['guid', guids.dimension(dimension.id)], ['name', dimension.label], ['isCodable', 'false'], ['color', sixDigitColor(dimension.color)]]);
    const description = describe(dimension.description, dimensionMeta(dimension));
    if (description !== null) writer.text('Description', description);
    writeNoteRefs(`dimension:${dimension.id}`);
    for (const code of [...(childrenOf.get(`dimension:${dimension.id}`) ?? [])].sort(byStatusAndOrder)) writeCode(code);
    writer.end('Code');
  }
  writer.end('Codes');
}

/** Codes and dimensions a hypothesis crosses, as GUIDs (attributes have no place in a set). */
function hypothesisMembers(hypothesis: HypothesisDef): string[] {
  const members: string[] = [];
  for (const axis of [...hypothesis.rows, ...hypothesis.columns]) {
    if (axis.kind === 'attribute') continue;
    const guid = axis.kind === 'dimension' ? guids.dimension(axis.id) : guids.code(axis.id);
    if (!members.includes(guid)) members.push(guid);
  }
  return members;
}

function hypothesisDescription(hypothesis: HypothesisDef): string | null {
  return describe(hypothesis.description, {
    hypothesis: hypothesis.id,
    title: hypothesis.title,
    rows: hypothesis.rows.map(formatAxis),
    columns: hypothesis.columns.map(formatAxis),
  });
}

function writeSets(writer: XmlWriter, hypotheses: readonly HypothesisDef[], memberAttribute: 'guid' | 'targetGUID'): void {
  if (hypotheses.length === 0) return;
  writer.start('Sets');
  for (const hypothesis of hypotheses) {
    writer.start('Set', [['guid', guids.hypothesis(hypothesis.id)], ['name', `${hypothesis.id}: ${hypothesis.title}`]]);
    const description = hypothesisDescription(hypothesis);
    if (description !== null) writer.text('Description', description);
    for (const member of hypothesisMembers(hypothesis)) writer.empty('MemberCode', [[memberAttribute, member]]);
    writer.end('Set');
  }
  writer.end('Sets');
}

/**
 * Refuses, naming the object, a string anywhere in `value` that holds a character XML cannot (U+FFFF, a
 * C0 control): input refuses them now, but a project may hold them from before.
 */
function requireXmlText(what: string, value: unknown, hint: string): void {
  if (typeof value === 'string') {
    const bad = nonXmlCharacter(value);
    if (bad !== null) throw new UserError(`cannot export ${what}: it contains ${bad.code}, a character XML cannot hold`, { hint });
  } else if (Array.isArray(value)) {
    for (const item of value) requireXmlText(what, item, hint);
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) requireXmlText(what, item, hint);
  }
}

function requireXmlCodebook(codebook: ExportCodebook): void {
  const hint = 'Remove the character from codebook.yaml, run qcode codebook apply, and export again';
  requireXmlText('the codebook title', codebook.title, hint);
  for (const dimension of codebook.dimensions) requireXmlText(`dimension ${dimension.id}`, dimension, hint);
  for (const code of codebook.codes) requireXmlText(`code ${code.id}`, code, hint);
  for (const attribute of codebook.attributes) requireXmlText(`attribute ${attribute.name}`, attribute, hint);
  for (const hypothesis of codebook.hypotheses) requireXmlText(`hypothesis ${hypothesis.id}`, hypothesis, hint);
}

function requireXmlProject(project: ExportProject): void {
  requireXmlCodebook(project.codebook);
  for (const entry of project.cases) {
    for (const value of entry.values) {
      requireXmlText(`case ${entry.id}, attribute ${value.attribute}`, value.value, `Set the value again without it: qcode cases set ${entry.id} ${value.attribute}=…`);
    }
    requireXmlText(`case ${entry.id}`, entry.kind, 'Import the case again with another kind: qcode cases import');
  }
  for (const memo of project.memos) {
    requireXmlText(memo.id === undefined ? 'a memo' : `memo ${memo.id}`, memo.text, `Remove the character: qcode memo edit ${memo.id ?? 'ID'}`);
  }
  // The text itself goes to its own file, not into the XML; title, speakers and the rest do not.
  for (const document of project.documents) requireXmlText(`document ${document.slug}`, { ...document, text: '' }, 'Remove the character from the document\'s title or speaker labels and export again');
  for (const coder of project.coders) requireXmlText(`coder "${coder}"`, coder, 'qcode cannot write this coder\'s name; report it with the output of: qcode log');
}

/** The codebook as a REFI-QDA codebook exchange file (.qdc). */
export function writeCodebookXml(codebook: ExportCodebook, origin: string): string {
  requireXmlCodebook(codebook);
  const writer = new XmlWriter();
  writer.start('CodeBook', [['xmlns', CODEBOOK_NAMESPACE], ['origin', originOf(origin, codebook)]]);
  writeCodes(writer, codebook, null);
  // In a .qdc a set member names its code with `guid`; in a .qde with `targetGUID` (the schemas differ).
  writeSets(writer, codebook.hypotheses, 'guid');
  writer.end('CodeBook');
  return writer.toString();
}

type VariableType = 'Text' | 'Integer' | 'Float' | 'Date';

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The REFI type of an attribute: the narrowest one every stored value fits, so the XML stays valid. */
function variableType(attribute: AttributeDef, values: readonly string[]): VariableType {
  if (attribute.type === 'number') {
    if (values.every((value) => INTEGER.test(value))) return 'Integer';
    if (values.every((value) => DECIMAL.test(value))) return 'Float';
    return 'Text';
  }
  if (attribute.type === 'date') return values.every((value) => DATE.test(value)) ? 'Date' : 'Text';
  return 'Text';
}

function attributeMeta(attribute: AttributeDef & { status: Status }): Meta {
  const meta: Meta = { attribute: attribute.name, type: attribute.type, label: attribute.label };
  if (Object.keys(attribute.labels).length > 0) meta.labels = attribute.labels;
  if (attribute.description !== null) meta.description = attribute.description;
  if (attribute.values !== null) meta.values = attribute.values;
  if (Object.keys(attribute.valueLabels).length > 0) meta.value_labels = attribute.valueLabels;
  if (attribute.min !== null) meta.min = attribute.min;
  if (attribute.max !== null) meta.max = attribute.max;
  if (attribute.status === 'retired') meta.retired = true;
  return meta;
}

const VALUE_ELEMENT: Record<VariableType, string> = { Text: 'TextValue', Integer: 'IntegerValue', Float: 'FloatValue', Date: 'DateValue' };

/**
 * The document's segments as `[start, end, speaker, tStart, tEnd]` (trailing nulls dropped), or null when
 * they are exactly what an import cuts from the text by default (docs/refi-qda.md), which is the usual case.
 * A layout cut otherwise (`qcode import --segment sentences`, subtitle cues with media times, a survey's
 * answers) travels in the meta line, so an import gets the same units back for co-occurrence and agreement.
 */
function segmentLayout(document: ExportDocument): Array<Array<number | string | null>> | null {
  const cut = segmentText(document.text).segments;
  const same = cut.length === document.segments.length && cut.every((segment, index) => {
    const own = document.segments[index] as ExportSegment;
    return own.start === segment.start && own.end === segment.end && own.speaker === segment.speaker && own.tStart === segment.tStart && own.tEnd === segment.tEnd;
  });
  if (same) return null;
  return document.segments.map((segment) => {
    const tuple: Array<number | string | null> = [segment.start, segment.end, segment.speaker, segment.tStart, segment.tEnd];
    while (tuple.length > 2 && tuple[tuple.length - 1] === null) tuple.pop();
    return tuple;
  });
}

/** A short, one-line preview of a selection's text, as QDA tools name quotations. */
function preview(text: string): string {
  // Only a display name: characters XML cannot hold (U+FFFF and the like, which a text may contain) are
  // dropped rather than failing the export.
  const oneLine = text.replace(/\s+/g, ' ').trim().replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
  const chars = Array.from(oneLine);
  return chars.length <= 60 ? oneLine : `${chars.slice(0, 59).join('')}…`;
}

function memoKey(memo: ExportMemo): string {
  const target = memo.target;
  switch (target.kind) {
    case 'project': return 'project';
    case 'document': return `document\u0000${target.document}`;
    case 'segment': return `segment\u0000${target.document}\u0000${target.start}\u0000${target.end}`;
    case 'code': return `code\u0000${target.codeId}`;
    case 'case': return `case\u0000${target.caseId}`;
  }
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

interface Selection {
  document: string;
  start: number;
  end: number;
  codings: Array<ExportCoding & { guid: string }>;
  notes: string[];
  firstCoder: string | null;
  firstTime: string | null;
}

export interface ProjectFiles {
  xml: string;
  /** Source texts, by their name inside the archive (sources/GUID.txt), in name order. */
  sources: Array<{ name: string; text: string }>;
}

/** The whole project as project.qde plus its source texts. */
export function writeProjectXml(project: ExportProject): ProjectFiles {
  requireXmlProject(project);
  const { codebook } = project;
  const textOf = new Map(project.documents.map((document) => [document.slug, new CodePointIndex(document.text)]));

  const caseIds = new Set(project.cases.map((entry) => entry.id));
  const codeIds = new Set(codebook.codes.map((code) => code.id));
  const dimensionIds = new Set(codebook.dimensions.map((dimension) => dimension.id));
  // The app resolves memo targets; one whose target is gone still travels, as a project note.
  const noteTargetKey = (target: MemoTarget): string => {
    if (target.kind === 'code' && codeIds.has(target.codeId)) return `code:${target.codeId}`;
    if (target.kind === 'code' && dimensionIds.has(target.codeId)) return `dimension:${target.codeId}`;
    if (target.kind === 'document' && textOf.has(target.document)) return `document:${target.document}`;
    if (target.kind === 'segment' && textOf.has(target.document)) return `selection:${target.document}:${target.start}:${target.end}`;
    if (target.kind === 'case' && caseIds.has(target.caseId)) return `case:${target.caseId}`;
    return 'project';
  };

  // Notes first: every target needs the GUIDs of the notes that refer to it. Equal memos on one
  // target get an ordinal in their key, so each keeps its own stable GUID.
  const memos = [...project.memos].sort((a, b) =>
    compare(a.createdAt, b.createdAt) || compare(memoKey(a), memoKey(b)) || compare(a.coder ?? '', b.coder ?? '') || compare(a.text, b.text) || compare(a.updatedAt, b.updatedAt));
  const noteGuids: string[] = [];
  const seenKeys = new Map<string, number>();
  const notesByTarget = new Map<string, string[]>();
  for (const memo of memos) {
    const base = [memo.createdAt, memoKey(memo), memo.coder ?? ''].join('\u0000');
    const ordinal = (seenKeys.get(base) ?? 0) + 1;
    seenKeys.set(base, ordinal);
    const guid = guids.note(`${base}\u0000${ordinal}`);
    noteGuids.push(guid);
    pushTo(notesByTarget, noteTargetKey(memo.target), guid);
  }

  // One selection per distinct span of a document, carrying every coding of it and every note on it.
  const selections = new Map<string, Selection>();
  const selectionFor = (document: string, start: number, end: number): Selection => {
    const key = `selection:${document}:${start}:${end}`;
    let selection = selections.get(key);
    if (selection === undefined) {
      selection = { document, start, end, codings: [], notes: notesByTarget.get(key) ?? [], firstCoder: null, firstTime: null };
      selections.set(key, selection);
    }
    return selection;
  };
  const codingGuids = new Set<string>();
  for (const coding of project.codings) {
    // A whole-segment coding and a span over that whole segment (same code, same coder) are one coding here.
    const guid = guids.coding(coding);
    if (codingGuids.has(guid)) continue;
    codingGuids.add(guid);
    const selection = selectionFor(coding.document, coding.start, coding.end);
    selection.codings.push({ ...coding, guid });
    if (selection.firstTime === null || compare(coding.createdAt, selection.firstTime) < 0 || (coding.createdAt === selection.firstTime && compare(coding.coder, selection.firstCoder ?? '') < 0)) {
      selection.firstTime = coding.createdAt;
      selection.firstCoder = coding.coder;
    }
  }
  for (const memo of memos) {
    if (memo.target.kind !== 'segment' || !textOf.has(memo.target.document)) continue;
    const selection = selectionFor(memo.target.document, memo.target.start, memo.target.end);
    if (selection.firstTime === null) {
      selection.firstTime = memo.createdAt;
      selection.firstCoder = memo.coder;
    }
  }
  const selectionsByDocument = new Map<string, Selection[]>();
  for (const selection of selections.values()) {
    const index = textOf.get(selection.document);
    if (index === undefined) throw new UserError(`a coding refers to document ${selection.document}, which the store does not hold`);
    if (selection.start < 0 || selection.end > index.length || selection.start > selection.end) {
      throw new UserError(`a coding or memo in document ${selection.document} spans ${selection.start}..${selection.end}, outside its ${index.length} code points; the store is inconsistent`, {
        hint: 'Restore qcode.db from a backup, or report the bug with the output of: qcode log',
      });
    }
    pushTo(selectionsByDocument, selection.document, selection);
  }

  const writer = new XmlWriter();
  writer.start('Project', [
    ['xmlns', PROJECT_NAMESPACE],
    ['name', project.name],
    ['origin', originOf(project.origin, codebook, project.removed)],
    ['creationDateTime', xsdDateTime(project.createdAt)],
  ]);

  const coders = [...project.coders].sort(compare);
  if (coders.length > 0) {
    writer.start('Users');
    for (const coder of coders) writer.empty('User', [['guid', guids.user(coder)], ['name', coder]]);
    writer.end('Users');
  }

  writer.start('CodeBook');
  writeCodes(writer, codebook, notesByTarget);
  writer.end('CodeBook');

  const valuesOf = new Map<string, string[]>();
  for (const entry of project.cases) for (const value of entry.values) pushTo(valuesOf, value.attribute, value.value);
  const attributes = [...codebook.attributes].sort(byStatusAndOrder);
  const typeOf = new Map(attributes.map((attribute) => [attribute.name, variableType(attribute, valuesOf.get(attribute.name) ?? [])]));
  if (attributes.length > 0) {
    writer.start('Variables');
    for (const attribute of attributes) {
      writer.start('Variable', [['guid', guids.attribute(attribute.name)], ['name', attribute.name], ['typeOfVariable', typeOf.get(attribute.name)]]);
      writer.text('Description', describe(attribute.description ?? attribute.label, attributeMeta(attribute)) as string);
      writer.end('Variable');
    }
    writer.end('Variables');
  }

  const order = new Map(attributes.map((attribute, index) => [attribute.name, index]));
  const cases = [...project.cases].sort((a, b) => compare(a.id, b.id));
  if (cases.length > 0) {
    writer.start('Cases');
    for (const entry of cases) {
      writer.start('Case', [['guid', guids.case(entry.id)], ['name', entry.id]]);
      if (entry.kind !== 'participant') writer.text('Description', describe(null, { kind: entry.kind }) as string);
      const values = [...entry.values].sort((a, b) => (order.get(a.attribute) ?? 0) - (order.get(b.attribute) ?? 0));
      for (const value of values) {
        writer.start('VariableValue');
        writer.empty('VariableRef', [['targetGUID', guids.attribute(value.attribute)]]);
        writer.text(VALUE_ELEMENT[typeOf.get(value.attribute) ?? 'Text'], value.value);
        writer.end('VariableValue');
      }
      for (const document of [...entry.documents].sort(compare)) writer.empty('SourceRef', [['targetGUID', guids.document(document)]]);
      writer.end('Case');
    }
    writer.end('Cases');
  }

  const sources: ProjectFiles['sources'] = [];
  const documents = [...project.documents].sort((a, b) => compare(a.slug, b.slug));
  if (documents.length > 0) {
    writer.start('Sources');
    for (const document of documents) {
      const fileGuid = guids.textFile(document.slug);
      if (Buffer.byteLength(document.text, 'utf8') > MAX_INTERNAL_FILE_BYTES) {
        throw new UserError(`document ${document.slug} is larger than the 2 GB REFI-QDA allows for one source file (§8.5)`);
      }
      sources.push({ name: `sources/${fileGuid}.txt`, text: document.text });
      writer.start('TextSource', [
        ['guid', guids.document(document.slug)],
        ['name', document.title ?? document.slug],
        ['plainTextPath', `internal://${fileGuid}.txt`],
        ['creationDateTime', xsdDateTime(document.importedAt)],
      ]);
      const meta: Meta = { slug: document.slug };
      if (document.title !== null) meta.title = document.title;
      meta.kind = document.kind;
      if (document.language !== null) meta.language = document.language;
      meta.format = document.format;
      if (document.encoding !== null) meta.encoding = document.encoding;
      if (document.fileName !== null) meta.file = document.fileName;
      const layout = segmentLayout(document);
      if (layout !== null) meta.segments = layout;
      if (Object.keys(document.seenUncoded).length > 0) meta.seen = document.seenUncoded;
      if (document.passes !== undefined && Object.keys(document.passes).length > 0) meta.passes = document.passes;
      writer.text('Description', describe(null, meta) as string);
      const index = textOf.get(document.slug) as CodePointIndex;
      const documentSelections = (selectionsByDocument.get(document.slug) ?? []).sort((a, b) => a.start - b.start || a.end - b.end);
      for (const selection of documentSelections) {
        writer.start('PlainTextSelection', [
          ['guid', guids.selection(document.slug, selection.start, selection.end)],
          ['name', preview(index.slice(selection.start, selection.end))],
          ['startPosition', selection.start],
          ['endPosition', selection.end],
          ['creatingUser', selection.firstCoder === null ? null : guids.user(selection.firstCoder)],
          ['creationDateTime', xsdDateTime(selection.firstTime)],
        ]);
        const codings = [...selection.codings].sort((a, b) => compare(a.codeId, b.codeId) || compare(a.coder, b.coder));
        for (const coding of codings) {
          writer.start('Coding', [['guid', coding.guid], ['creatingUser', guids.user(coding.coder)], ['creationDateTime', xsdDateTime(coding.createdAt)]]);
          writer.empty('CodeRef', [['targetGUID', guids.code(coding.codeId)]]);
          writer.end('Coding');
        }
        for (const note of selection.notes) writer.empty('NoteRef', [['targetGUID', note]]);
        writer.end('PlainTextSelection');
      }
      for (const note of notesByTarget.get(`document:${document.slug}`) ?? []) writer.empty('NoteRef', [['targetGUID', note]]);
      writer.end('TextSource');
    }
    writer.end('Sources');
  }

  if (memos.length > 0) {
    writer.start('Notes');
    memos.forEach((memo, index) => {
      const attributes: Attributes = [
        ['guid', noteGuids[index]],
        ['name', preview(memo.text.split('\n')[0] ?? '')],
        ['creatingUser', memo.coder === null ? null : guids.user(memo.coder)],
        ['creationDateTime', xsdDateTime(memo.createdAt)],
        ['modifiedDateTime', xsdDateTime(memo.updatedAt)],
      ];
      writer.start('Note', attributes);
      writer.text('PlainTextContent', memo.text);
      writer.end('Note');
    });
    writer.end('Notes');
  }

  // A Case has no NoteRef in the schema; a Link from the note to the case carries a case memo, the
  // way ATLAS.ti links memos to what they are about.
  const caseNotes = cases.flatMap((entry) => (notesByTarget.get(`case:${entry.id}`) ?? []).map((note) => ({ note, caseId: entry.id })));
  if (caseNotes.length > 0) {
    writer.start('Links');
    for (const { note, caseId } of caseNotes) {
      writer.empty('Link', [['guid', guids.link(note)], ['name', 'Memo'], ['direction', 'OneWay'], ['originGUID', note], ['targetGUID', guids.case(caseId)]]);
    }
    writer.end('Links');
  }

  writeSets(writer, codebook.hypotheses, 'targetGUID');
  for (const note of notesByTarget.get('project') ?? []) writer.empty('NoteRef', [['targetGUID', note]]);
  writer.end('Project');
  return { xml: writer.toString(), sources: sources.sort((a, b) => compare(a.name, b.name)) };
}
