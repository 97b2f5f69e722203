import { UserError } from '../../core/errors.js';
import { guidKey } from './guid.js';
import { childNamed, childrenNamed, type Locate, type XmlElement } from './xml.js';
import { CODEBOOK_NAMESPACE, PROJECT_NAMESPACE } from './write.js';

// The REFI-QDA elements qcode reads, as plain data. Elements are matched by local name, so the
// namespace variants found in the wild (…:0:4, …:0:10, …:1:0) read like the standard one; the
// caller reports a variant as a warning. GUIDs are compared by guidKey (case and braces ignored).

export interface RefiCode {
  guid: string;
  name: string;
  isCodable: boolean;
  color: string | null;
  description: string | null;
  noteRefs: string[];
  children: RefiCode[];
}

export interface RefiSet {
  guid: string;
  name: string;
  description: string | null;
  memberCodes: string[];
  memberSources: number;
}

export interface RefiCodebook {
  origin: string | null;
  namespace: string | null;
  codes: RefiCode[];
  sets: RefiSet[];
}

export interface RefiUser {
  guid: string;
  name: string;
}

export type RefiValueType = 'Text' | 'Boolean' | 'Integer' | 'Float' | 'Date' | 'DateTime';

export interface RefiVariable {
  guid: string;
  name: string;
  type: RefiValueType;
  description: string | null;
}

export interface RefiValue {
  variable: string;
  type: RefiValueType;
  value: string;
}

export interface RefiCase {
  guid: string;
  name: string;
  description: string | null;
  values: RefiValue[];
  sources: string[];
}

export interface RefiCoding {
  guid: string;
  code: string;
  user: string | null;
  created: string | null;
  noteRefs: string[];
}

export interface RefiSelection {
  guid: string;
  start: number;
  end: number;
  user: string | null;
  created: string | null;
  description: string | null;
  codings: RefiCoding[];
  noteRefs: string[];
}

export interface RefiTextSource {
  guid: string;
  name: string;
  /** `pdf` for the text representation of a PDFSource (§10.3), else `txt`. */
  format: 'txt' | 'pdf';
  description: string | null;
  /** `internal://…` path, or null when the text is inline. */
  plainTextPath: string | null;
  plainTextContent: string | null;
  created: string | null;
  user: string | null;
  selections: RefiSelection[];
  /** Codings of the whole source. */
  codings: RefiCoding[];
  noteRefs: string[];
  values: RefiValue[];
}

export interface RefiNote {
  guid: string;
  name: string | null;
  description: string | null;
  plainTextPath: string | null;
  plainTextContent: string | null;
  user: string | null;
  created: string | null;
  modified: string | null;
  /**
   * The passage a note is about, when it holds a PlainTextSelection (QualCoder writes its annotations
   * so); its positions are in the text of the source that refers to the note.
   */
  passage: { start: number; end: number } | null;
}

export interface RefiLink {
  origin: string;
  target: string;
}

export interface RefiProject extends RefiCodebook {
  name: string;
  created: string | null;
  creatingUser: string | null;
  users: RefiUser[];
  variables: RefiVariable[];
  cases: RefiCase[];
  sources: RefiTextSource[];
  notes: RefiNote[];
  links: RefiLink[];
  description: string | null;
  noteRefs: string[];
  /** Sources qcode cannot hold (pictures, PDFs without a text representation, audio, video), by element name. */
  skippedSources: Map<string, number>;
  /** Codings inside those sources (of their selections, transcripts or whole), by element name: they go with them. */
  skippedCodings: Map<string, number>;
  /** Transcripts (text) of those sources, by element name (AudioSource, VideoSource): they go with them too. */
  skippedTranscripts: Map<string, number>;
  /** References the import cannot follow and ignores: a case's SourceRef or a Link's end naming no element of the project. */
  warnings: string[];
  /** Area selections on PDF pages (coordinates, not characters), which qcode cannot hold. */
  pdfAreas: number;
}

function attribute(element: XmlElement, name: string): string | null {
  const value = element.attributes[name];
  return value === undefined || value === '' ? null : value;
}

function required(element: XmlElement, name: string, file: string, where: string): string {
  const value = attribute(element, name);
  if (value === null) throw new UserError(`${file}: ${where} <${element.name}> has no ${name} attribute, which the standard requires`);
  return value;
}

function guidOf(element: XmlElement, file: string, where: string): string {
  // Project.xsd spells it `guid`; a few writers use `GUID`.
  const raw = attribute(element, 'guid') ?? attribute(element, 'GUID');
  if (raw === null) throw new UserError(`${file}: ${where} <${element.name}> has no guid attribute`);
  return guidKey(raw);
}

function optionalGuid(element: XmlElement, name: string): string | null {
  const value = attribute(element, name);
  return value === null ? null : guidKey(value);
}

function textOf(element: XmlElement | undefined): string | null {
  return element === undefined ? null : element.text;
}

function refs(element: XmlElement, name: string, attributeName = 'targetGUID'): string[] {
  return childrenNamed(element, name).flatMap((ref) => {
    const value = attribute(ref, attributeName) ?? attribute(ref, 'guid');
    return value === null ? [] : [guidKey(value)];
  });
}

function readCode(element: XmlElement, file: string): RefiCode {
  const guid = guidOf(element, file, 'a');
  const codable = (attribute(element, 'isCodable') ?? 'true').trim();
  return {
    guid,
    name: attribute(element, 'name') ?? '',
    isCodable: codable === 'true' || codable === '1',
    color: attribute(element, 'color'),
    description: textOf(childNamed(element, 'Description')),
    noteRefs: refs(element, 'NoteRef'),
    children: childrenNamed(element, 'Code').map((child) => readCode(child, file)),
  };
}

function readCodes(parent: XmlElement | undefined, file: string): RefiCode[] {
  const codes = parent === undefined ? undefined : childNamed(parent, 'Codes');
  return codes === undefined ? [] : childrenNamed(codes, 'Code').map((code) => readCode(code, file));
}

function readSets(parent: XmlElement, file: string): RefiSet[] {
  const sets = childNamed(parent, 'Sets');
  if (sets === undefined) return [];
  return childrenNamed(sets, 'Set').map((set) => ({
    guid: guidOf(set, file, 'a'),
    name: attribute(set, 'name') ?? '',
    description: textOf(childNamed(set, 'Description')),
    // `guid` in a .qdc, `targetGUID` in a .qde: read either in both.
    memberCodes: refs(set, 'MemberCode'),
    memberSources: childrenNamed(set, 'MemberSource').length,
  }));
}

/** One element of a kind that GUIDs must tell apart, and how to name it in an error. */
interface Identified {
  element: XmlElement;
  label: string;
}

const named = (element: XmlElement, fallback = '(no name)'): Identified => ({ element, label: `"${attribute(element, 'name') ?? fallback}"` });

/**
 * Refuses two elements of one kind with the same GUID. The import looks them up by GUID (codings their
 * code, texts and cases their source, values their variable, memos their note or selection), so one of
 * the two would silently take the other's codings, texts or values.
 */
function refuseDuplicateGuids(kind: string, items: Iterable<Identified>, file: string, locate: Locate): void {
  const seen = new Map<string, Identified>();
  for (const item of items) {
    const raw = attribute(item.element, 'guid') ?? attribute(item.element, 'GUID');
    if (raw === null) continue;
    const key = guidKey(raw);
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, item);
      continue;
    }
    const at = locate(item.element);
    const firstAt = locate(first.element);
    throw new UserError(`${file}${at === null ? '' : `:${at}`}: ${kind} ${item.label} has the GUID ${raw.trim()} of ${kind} ${first.label}${firstAt === null ? '' : ` (at ${firstAt})`}; qcode cannot tell them apart`, {
      hint: 'Every element needs a GUID of its own: export the project again from its tool, or give one of the two a new GUID',
    });
  }
}

function* allCodes(parent: XmlElement | undefined): Generator<Identified> {
  const codes = parent === undefined ? undefined : childNamed(parent, 'Codes');
  const walk = function* (element: XmlElement): Generator<Identified> {
    for (const code of childrenNamed(element, 'Code')) {
      yield named(code);
      yield* walk(code);
    }
  };
  if (codes !== undefined) yield* walk(codes);
}

export function namespaceWarning(namespace: string | null, expected: string, file: string): string | null {
  if (namespace === expected) return null;
  return `${file}: namespace ${namespace === null ? '(none)' : `"${namespace}"`} instead of "${expected}"; read by element names`;
}

/** Reads a .qdc (root CodeBook). */
export function readCodebook(root: XmlElement, namespace: string | null, file: string, locate: Locate = () => null): RefiCodebook {
  if (root.name !== 'CodeBook') {
    throw new UserError(`${file}: the root element is <${root.name}>, not <CodeBook>; is this a REFI-QDA codebook (.qdc)?`, {
      hint: root.name === 'Project' ? 'This is a project: import a .qdpx, the ZIP that holds it' : undefined,
    });
  }
  const codes = readCodes(root, file);
  if (codes.length === 0) throw new UserError(`${file}: the codebook has no codes`);
  refuseDuplicateGuids('code', allCodes(root), file, locate);
  return { origin: attribute(root, 'origin'), namespace, codes, sets: readSets(root, file) };
}

const VALUE_TYPES: readonly RefiValueType[] = ['Text', 'Boolean', 'Integer', 'Float', 'Date', 'DateTime'];

/** Values of a case or source; a VariableValue without a value (QualCoder writes one for a missing number) is missing. */
function readValues(parent: XmlElement, file: string, where: string): RefiValue[] {
  return childrenNamed(parent, 'VariableValue').flatMap((value) => {
    const ref = childNamed(value, 'VariableRef');
    const target = ref === undefined ? null : optionalGuid(ref, 'targetGUID');
    if (target === null) throw new UserError(`${file}: a VariableValue of ${where} has no VariableRef targetGUID`);
    const typed = value.children.find((child) => child.name.endsWith('Value') && VALUE_TYPES.includes(child.name.slice(0, -'Value'.length) as RefiValueType));
    if (typed === undefined || typed.text.trim() === '') return [];
    return [{ variable: target, type: typed.name.slice(0, -'Value'.length) as RefiValueType, value: typed.text }];
  });
}

function readCoding(element: XmlElement, file: string): RefiCoding {
  const ref = childNamed(element, 'CodeRef');
  const code = ref === undefined ? null : optionalGuid(ref, 'targetGUID');
  const guid = guidOf(element, file, 'a');
  if (code === null) throw new UserError(`${file}: coding ${guid} has no CodeRef targetGUID`);
  return {
    guid,
    code,
    user: optionalGuid(element, 'creatingUser'),
    created: attribute(element, 'creationDateTime'),
    noteRefs: refs(element, 'NoteRef'),
  };
}

function integerAttribute(element: XmlElement, name: string, file: string, where: string): number {
  const raw = required(element, name, file, where).trim();
  if (!/^[+-]?\d+$/.test(raw)) throw new UserError(`${file}: ${where}: ${name}="${raw}" is not a whole number`);
  return Number.parseInt(raw, 10);
}

function readTextSource(element: XmlElement, file: string): RefiTextSource {
  const guid = guidOf(element, file, 'a');
  const name = attribute(element, 'name') ?? guid;
  return {
    guid,
    name,
    format: 'txt',
    description: textOf(childNamed(element, 'Description')),
    plainTextPath: attribute(element, 'plainTextPath'),
    plainTextContent: textOf(childNamed(element, 'PlainTextContent')),
    created: attribute(element, 'creationDateTime'),
    user: optionalGuid(element, 'creatingUser'),
    selections: childrenNamed(element, 'PlainTextSelection').map((selection) => {
      const selectionGuid = guidOf(selection, file, `source "${name}":`);
      const where = `selection ${selectionGuid} in source "${name}"`;
      return {
        guid: selectionGuid,
        start: integerAttribute(selection, 'startPosition', file, where),
        end: integerAttribute(selection, 'endPosition', file, where),
        user: optionalGuid(selection, 'creatingUser'),
        created: attribute(selection, 'creationDateTime'),
        description: textOf(childNamed(selection, 'Description')),
        codings: childrenNamed(selection, 'Coding').map((coding) => readCoding(coding, file)),
        noteRefs: refs(selection, 'NoteRef'),
      };
    }),
    codings: childrenNamed(element, 'Coding').map((coding) => readCoding(coding, file)),
    noteRefs: refs(element, 'NoteRef'),
    values: readValues(element, file, `source "${name}"`),
  };
}

/**
 * A PDFSource as the text its Representation holds (§10.3: text selections in a PDF are made in that
 * plain-text representation). The PDF's own GUID, name, description, codings, notes and values stand for
 * the document, as cases and links refer to the PDF; area selections on its pages are counted, not read.
 */
function readPdfSource(element: XmlElement, representation: XmlElement, file: string): { source: RefiTextSource; areas: number } {
  const guid = guidOf(element, file, 'a');
  const name = attribute(element, 'name') ?? guid;
  const text = readTextSource(representation, file);
  const own = readTextSource(element, file);
  return {
    source: {
      ...text,
      guid,
      name,
      format: 'pdf',
      description: own.description ?? text.description,
      created: own.created ?? text.created,
      user: own.user ?? text.user,
      codings: [...own.codings, ...text.codings],
      noteRefs: [...own.noteRefs, ...text.noteRefs],
      values: [...own.values, ...text.values],
    },
    areas: childrenNamed(element, 'PDFSelection').length,
  };
}

function notePassage(note: XmlElement): { start: number; end: number } | null {
  const selection = childNamed(note, 'PlainTextSelection');
  if (selection === undefined) return null;
  const start = (attribute(selection, 'startPosition') ?? '').trim();
  const end = (attribute(selection, 'endPosition') ?? '').trim();
  return /^\d+$/.test(start) && /^\d+$/.test(end) ? { start: Number(start), end: Number(end) } : null;
}

function countDescendants(element: XmlElement, name: string): number {
  return element.children.reduce((sum, child) => sum + (child.name === name ? 1 : 0) + countDescendants(child, name), 0);
}

/** The GUID of every element in the tree, as guidKey gives them. */
function allGuids(root: XmlElement): Set<string> {
  const result = new Set<string>();
  const walk = (element: XmlElement): void => {
    const raw = attribute(element, 'guid') ?? attribute(element, 'GUID');
    if (raw !== null) result.add(guidKey(raw));
    for (const child of element.children) walk(child);
  };
  walk(root);
  return result;
}

/** The first few items of a list for a message, with … when there are more. */
function listSome(items: string[]): string {
  return `${items.slice(0, 3).join(', ')}${items.length > 3 ? ', …' : ''}`;
}

/** Reads a project.qde (root Project). */
export function readProject(root: XmlElement, namespace: string | null, file: string, locate: Locate = () => null): RefiProject {
  if (root.name !== 'Project') throw new UserError(`${file}: the root element is <${root.name}>, not <Project>`);
  const users = childNamed(root, 'Users');
  const variables = childNamed(root, 'Variables');
  const cases = childNamed(root, 'Cases');
  const sources = childNamed(root, 'Sources');
  const notes = childNamed(root, 'Notes');
  const links = childNamed(root, 'Links');
  const skippedSources = new Map<string, number>();
  const skippedCodings = new Map<string, number>();
  const skippedTranscripts = new Map<string, number>();
  const textSources: RefiTextSource[] = [];
  let pdfAreas = 0;
  for (const source of sources?.children ?? []) {
    const representation = source.name === 'PDFSource' ? childNamed(source, 'Representation') : undefined;
    if (source.name === 'TextSource') textSources.push(readTextSource(source, file));
    else if (representation !== undefined) {
      const pdf = readPdfSource(source, representation, file);
      textSources.push(pdf.source);
      pdfAreas += pdf.areas;
    } else {
      skippedSources.set(source.name, (skippedSources.get(source.name) ?? 0) + 1);
      const codings = countDescendants(source, 'Coding');
      if (codings > 0) skippedCodings.set(source.name, (skippedCodings.get(source.name) ?? 0) + codings);
      const transcripts = childrenNamed(source, 'Transcript').length;
      if (transcripts > 0) skippedTranscripts.set(source.name, (skippedTranscripts.get(source.name) ?? 0) + transcripts);
    }
  }
  refuseDuplicateGuids('code', allCodes(childNamed(root, 'CodeBook')), file, locate);
  refuseDuplicateGuids('user', (users === undefined ? [] : childrenNamed(users, 'User')).map((user) => named(user)), file, locate);
  refuseDuplicateGuids('variable', (variables === undefined ? [] : childrenNamed(variables, 'Variable')).map((variable) => named(variable)), file, locate);
  refuseDuplicateGuids('case', (cases === undefined ? [] : childrenNamed(cases, 'Case')).map((entry) => named(entry)), file, locate);
  refuseDuplicateGuids('source', (sources?.children ?? []).map((source) => named(source)), file, locate);
  refuseDuplicateGuids('note', (notes === undefined ? [] : childrenNamed(notes, 'Note')).map((note) => named(note, '(untitled)')), file, locate);
  refuseDuplicateGuids('selection', (sources?.children ?? []).flatMap((source) => {
    const holder = source.name === 'PDFSource' ? childNamed(source, 'Representation') : source;
    return (holder === undefined ? [] : childrenNamed(holder, 'PlainTextSelection')).map((selection) => ({
      element: selection,
      label: `${attribute(selection, 'startPosition') ?? '?'}–${attribute(selection, 'endPosition') ?? '?'} in source "${attribute(source, 'name') ?? '(no name)'}"`,
    }));
  }), file, locate);
  const readCases = (cases === undefined ? [] : childrenNamed(cases, 'Case')).map((entry) => {
    const guid = guidOf(entry, file, 'a');
    const name = attribute(entry, 'name') ?? guid;
    return { guid, name, description: textOf(childNamed(entry, 'Description')), values: readValues(entry, file, `case "${name}"`), sources: refs(entry, 'SourceRef') };
  });
  const readLinks = (links === undefined ? [] : childrenNamed(links, 'Link')).flatMap((link) => {
    const origin = optionalGuid(link, 'originGUID');
    const target = optionalGuid(link, 'targetGUID');
    return origin === null || target === null ? [] : [{ origin, target }];
  });
  const warnings: string[] = [];
  const sourceGuids = new Set((sources?.children ?? []).flatMap((source) => {
    const raw = attribute(source, 'guid') ?? attribute(source, 'GUID');
    return raw === null ? [] : [guidKey(raw)];
  }));
  const strayRefs = readCases.flatMap((entry) => entry.sources.filter((guid) => !sourceGuids.has(guid)).map((guid) => `case "${entry.name}" → ${guid}`));
  if (strayRefs.length > 0) warnings.push(`${strayRefs.length} SourceRef(s) of cases point to sources the project does not hold; ignored: ${listSome(strayRefs)}`);
  if (readLinks.length > 0) {
    const known = allGuids(root);
    const strayLinks = readLinks.filter((link) => !known.has(link.origin) || !known.has(link.target)).map((link) => (known.has(link.origin) ? link.target : link.origin));
    if (strayLinks.length > 0) warnings.push(`${strayLinks.length} Link(s) point to GUIDs the project does not hold; ignored: ${listSome(strayLinks)}`);
  }
  return {
    name: attribute(root, 'name') ?? 'project',
    origin: attribute(root, 'origin'),
    namespace,
    created: attribute(root, 'creationDateTime'),
    creatingUser: optionalGuid(root, 'creatingUserGUID'),
    users: (users === undefined ? [] : childrenNamed(users, 'User')).map((user) => {
      const guid = guidOf(user, file, 'a');
      return { guid, name: attribute(user, 'name') ?? attribute(user, 'id') ?? `user-${guid.slice(0, 8).toLowerCase()}` };
    }),
    codes: readCodes(childNamed(root, 'CodeBook'), file),
    variables: (variables === undefined ? [] : childrenNamed(variables, 'Variable')).map((variable) => {
      const type = (attribute(variable, 'typeOfVariable') ?? 'Text').trim() as RefiValueType;
      return {
        guid: guidOf(variable, file, 'a'),
        name: required(variable, 'name', file, 'a'),
        type: VALUE_TYPES.includes(type) ? type : 'Text',
        description: textOf(childNamed(variable, 'Description')),
      };
    }),
    cases: readCases,
    sources: textSources,
    notes: (notes === undefined ? [] : childrenNamed(notes, 'Note')).map((note) => ({
      guid: guidOf(note, file, 'a'),
      name: attribute(note, 'name'),
      description: textOf(childNamed(note, 'Description')),
      plainTextPath: attribute(note, 'plainTextPath'),
      plainTextContent: textOf(childNamed(note, 'PlainTextContent')),
      user: optionalGuid(note, 'creatingUser'),
      created: attribute(note, 'creationDateTime'),
      modified: attribute(note, 'modifiedDateTime'),
      passage: notePassage(note),
    })),
    links: readLinks,
    sets: readSets(root, file),
    description: textOf(childNamed(root, 'Description')),
    noteRefs: refs(root, 'NoteRef'),
    skippedSources,
    skippedCodings,
    skippedTranscripts,
    pdfAreas,
    warnings,
  };
}

export { CODEBOOK_NAMESPACE, PROJECT_NAMESPACE };
