import { stringify } from 'yaml';
import { parseCodebook, type AttributeType, type Codebook } from '../../core/codebook.js';
import { ProblemsError, UserError } from '../../core/errors.js';
import { META_MARK, parseCodeNotes, readDescription, type CodeNotes, type Meta } from './describe.js';
import { idFromName, uniqueId } from './ids.js';
import type { RefiCode, RefiSet, RefiValue, RefiVariable } from './read.js';

// A REFI-QDA code tree (and, from a project, its variables and sets) as a qcode codebook YAML.
//
// Rules (docs/refi-qda.md): what qcode wrote itself comes back exactly, from the `[qcode]` meta lines.
// Otherwise a top-level code with children becomes a dimension and its descendants its codes; a
// codable (or coded) top-level parent also gets a code `general` for codings of the parent itself;
// top-level codes without children go into a dimension `codes`; an empty top-level folder is left out.
// Ids come from names (ids.ts), unique among siblings with _2, _3…

const LOCAL_ID = /^[a-z][a-z0-9_]*$/;
const COLOR = /^#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$/;
const LANGUAGE = /^[a-z]{2,3}$/;

export interface RetiredDimension {
  id: string; label: string; labels: Record<string, string>; description: string | null; exclusive: boolean; color: string | null;
}
export interface RetiredCode {
  id: string; dimensionId: string; parentId: string | null; label: string; labels: Record<string, string>;
  definition: string | null; include: string | null; exclude: string | null; examples: string[]; color: string | null;
}
export interface RetiredAttribute {
  name: string; type: AttributeType; label: string; labels: Record<string, string>; description: string | null;
  values: string[] | null; valueLabels: Record<string, string>; min: number | null; max: number | null;
}

export interface ImportedAttribute {
  name: string;
  type: AttributeType;
}

export interface CodebookBuild {
  yaml: string;
  codebook: Codebook;
  /** Code GUID → full code id (retired codes and the `general` codes of parents included). */
  codeIds: Map<string, string>;
  /** Dimension GUID → dimension id. */
  dimensionIds: Map<string, string>;
  /** Variable GUID → attribute. */
  attributes: Map<string, ImportedAttribute>;
  retired: { dimensions: RetiredDimension[]; codes: RetiredCode[]; attributes: RetiredAttribute[] };
  warnings: string[];
}

export interface CodebookSource {
  codes: RefiCode[];
  sets: RefiSet[];
  variables: RefiVariable[];
  /** Every variable value in the project, to choose attribute types that hold them; `owner` names its case or source. */
  values: Array<RefiValue & { owner?: string }>;
  /** GUIDs of dimensions (top-level codes) to import as non-exclusive whatever their meta says. */
  nonExclusive?: ReadonlySet<string>;
  /** A .qdc: a codebook alone, which cannot hold variables. */
  codebookOnly?: boolean;
  origin: string | null;
  /** GUIDs of codes that carry codings: such a code is codable whatever its flag says. */
  coded: ReadonlySet<string>;
  /** The codebook name when the file does not carry qcode's (from the file name). */
  fallbackName: string;
  /** The name problems are reported under (the YAML file to be). */
  displayName: string;
  /** The REFI-QDA file, for messages. */
  fileName: string;
  header: string;
}

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function stringRecord(value: unknown, keyPattern?: RegExp): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  const result: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) if (typeof item === 'string' && (keyPattern === undefined || keyPattern.test(key))) result[key] = item;
  return result;
}

function stringList(value: unknown): string[] | null {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? (value as string[]) : null;
}

function notesFromMeta(value: unknown): CodeNotes | null {
  if (value === null || typeof value !== 'object') return null;
  const record = value as Record<string, unknown>;
  return { definition: str(record.definition), include: str(record.include), exclude: str(record.exclude), examples: stringList(record.examples) ?? [] };
}

/** The meta qcode writes into CodeBook/@origin and Project/@origin. */
export function originMeta(origin: string | null): Meta | null {
  if (origin === null) return null;
  const at = origin.indexOf(META_MARK);
  if (at === -1) return null;
  try {
    const meta = JSON.parse(origin.slice(at + META_MARK.length)) as unknown;
    return meta !== null && typeof meta === 'object' && !Array.isArray(meta) ? (meta as Meta) : null;
  } catch {
    return null;
  }
}

interface YamlCode {
  id: string; label: string; labels?: Record<string, string>; definition?: string; include?: string; exclude?: string;
  examples?: string[]; color?: string; codes?: YamlCode[];
}
interface YamlDimension {
  id: string; label: string; labels?: Record<string, string>; description?: string; exclusive?: boolean; color?: string; codes: YamlCode[];
}

function nonEmpty<T extends object>(value: T): T {
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === null || item === undefined || item === '') continue;
    if (Array.isArray(item) && item.length === 0) continue;
    if (typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length === 0) continue;
    result[key] = item;
  }
  return result as T;
}

/** The tree with a name for every code that has none (a YAML label cannot be empty), counted in order. */
function nameUnnamed(codes: RefiCode[], warnings: string[]): RefiCode[] {
  let unnamed = 0;
  const visit = (list: RefiCode[]): RefiCode[] =>
    list.map((code) => {
      const name = code.name.trim() === '' ? `Unnamed code ${++unnamed}` : code.name;
      return { ...code, name, children: visit(code.children) };
    });
  const named = visit(codes);
  if (unnamed > 0) warnings.push(`${unnamed} code(s) without a name were named "Unnamed code 1"…`);
  return named;
}

/** Builds and validates the codebook; a problem in the result is reported like any codebook problem. */
export function buildCodebook(source: CodebookSource): CodebookBuild {
  const warnings: string[] = [];
  const sourceCodes = nameUnnamed(source.codes, warnings);
  const codeIds = new Map<string, string>();
  const dimensionIds = new Map<string, string>();
  const retired: CodebookBuild['retired'] = { dimensions: [], codes: [], attributes: [] };
  const takenDimensions = new Set<string>();
  const labelLanguages = new Set<string>();
  let foldersAsCodes = 0;

  const labelsOf = (meta: Meta | null): Record<string, string> => {
    const labels = stringRecord(meta?.labels, LANGUAGE);
    for (const language of Object.keys(labels)) labelLanguages.add(language);
    return labels;
  };
  const badColors = new Set<string>();
  const colorOf = (code: RefiCode): string | undefined => {
    if (code.color === null) return undefined;
    if (COLOR.test(code.color.trim())) return code.color.trim();
    badColors.add(`"${code.name}" (${code.color})`);
    return undefined;
  };

  const buildCodes = (children: RefiCode[], dimensionId: string, parentId: string | null, parentRetired: boolean): YamlCode[] => {
    const taken = new Set<string>();
    const prefix = `${parentId ?? dimensionId}.`;
    const result: YamlCode[] = [];
    for (const code of children) {
      const { text, meta } = readDescription(code.description);
      const metaId = str(meta?.id);
      const wanted = metaId !== null && metaId.startsWith(prefix) && LOCAL_ID.test(metaId.slice(prefix.length)) ? metaId.slice(prefix.length) : idFromName(code.name, 'code');
      const id = `${prefix}${uniqueId(wanted, taken)}`;
      codeIds.set(code.guid, id);
      if (!code.isCodable && meta === null && code.children.length > 0) foldersAsCodes++;
      const notes = notesFromMeta(meta?.notes) ?? parseCodeNotes(text);
      const labels = labelsOf(meta);
      const isRetired = parentRetired || meta?.retired === true;
      if (isRetired) {
        // Parents before children: the store checks each code's parent as it is inserted.
        retired.codes.push({
          id, dimensionId, parentId, label: code.name, labels, definition: notes.definition, include: notes.include,
          exclude: notes.exclude, examples: notes.examples, color: colorOf(code) ?? null,
        });
        buildCodes(code.children, dimensionId, id, true);
        continue;
      }
      const grandchildren = buildCodes(code.children, dimensionId, id, false);
      result.push(nonEmpty({
        id: id.slice(prefix.length), label: code.name, labels, definition: notes.definition ?? undefined, include: notes.include ?? undefined,
        exclude: notes.exclude ?? undefined, examples: notes.examples, color: colorOf(code), codes: grandchildren,
      }));
    }
    return result;
  };

  const dimensions: YamlDimension[] = [];
  const looseCodes: RefiCode[] = [];
  for (const top of sourceCodes) {
    const { text, meta } = readDescription(top.description);
    const metaDimension = str(meta?.dimension);
    const codedOrCodable = top.isCodable || source.coded.has(top.guid);
    if (metaDimension === null && top.children.length === 0) {
      if (codedOrCodable) looseCodes.push(top);
      else warnings.push(`code folder "${top.name}" holds no codes; left out`);
      continue;
    }
    const id = uniqueId(metaDimension !== null && LOCAL_ID.test(metaDimension) ? metaDimension : idFromName(top.name, 'dimension'), takenDimensions);
    dimensionIds.set(top.guid, id);
    const labels = labelsOf(meta);
    const isRetired = meta?.retired === true;
    const codes = buildCodes(top.children, id, null, isRetired);
    if (metaDimension === null && codedOrCodable) {
      // Codings of the parent itself need a code of their own: qcode codes codes, not dimensions.
      const general = uniqueId('general', new Set(codes.map((code) => code.id)));
      codeIds.set(top.guid, `${id}.${general}`);
      codes.unshift({ id: general, label: top.name, definition: `Codings of "${top.name}" itself (not of one of its sub-codes).` });
    }
    let exclusive = meta?.exclusive === true && !(source.nonExclusive?.has(top.guid) ?? false);
    if (exclusive && codes.some((code) => code.codes !== undefined)) {
      warnings.push(`dimension "${id}" is marked exclusive but its codes have children; imported as non-exclusive`);
      exclusive = false;
    }
    const description = text === '' ? null : text;
    if (isRetired || codes.length === 0) {
      if (!isRetired) warnings.push(`dimension "${id}" has no active codes; imported as retired`);
      retired.dimensions.push({ id, label: top.name, labels, description, exclusive, color: colorOf(top) ?? null });
      continue;
    }
    dimensions.push(nonEmpty({ id, label: top.name, labels, description: description ?? undefined, exclusive: exclusive || undefined, color: colorOf(top), codes }));
  }
  if (looseCodes.length > 0) {
    const id = uniqueId('codes', takenDimensions);
    dimensions.push({ id, label: 'Codes', codes: buildCodes(looseCodes, id, null, false) });
  }
  if (badColors.size > 0) warnings.push(`colours that are not #rgb or #rrggbb were left out: ${[...badColors].join(', ')}`);
  if (foldersAsCodes > 0) warnings.push(`${foldersAsCodes} code folders below the top level became ordinary codes (qcode codes any code below a dimension)`);
  if (dimensions.length === 0) {
    throw new UserError(`${source.fileName}: no codes qcode can use (only empty folders, or none at all); a qcode project needs at least one code`, {
      hint: 'Add a code in the other tool and export again, or import the texts with qcode import',
    });
  }

  const { attributes, definitions: yamlAttributes } = buildAttributes(source.variables, source.values, retired.attributes, warnings, source.fileName);
  const activeAttributes = new Set(Object.keys(yamlAttributes));
  for (const definition of Object.values(yamlAttributes)) for (const language of Object.keys(definition.labels ?? {})) labelLanguages.add(language);

  const meta = originMeta(source.origin);
  const metaLanguages = (stringList(meta?.languages) ?? []).filter((language) => LANGUAGE.test(language));
  const languages = metaLanguages.length > 0 ? [...metaLanguages] : ['en'];
  for (const language of labelLanguages) if (!languages.includes(language)) languages.push(language);
  // A label in the first language is the code's `label`; the YAML may not repeat it under labels.
  const dropFirstLanguage = (item: { labels?: Record<string, string>; codes?: YamlCode[] }): void => {
    if (item.labels !== undefined) {
      delete item.labels[languages[0] as string];
      if (Object.keys(item.labels).length === 0) delete item.labels;
    }
    for (const child of item.codes ?? []) dropFirstLanguage(child);
  };
  for (const dimension of dimensions) dropFirstLanguage(dimension);
  for (const definition of Object.values(yamlAttributes)) dropFirstLanguage(definition);

  const activeCodeIds = new Set<string>();
  const collect = (codes: YamlCode[], prefix: string): void => {
    for (const code of codes) {
      activeCodeIds.add(`${prefix}.${code.id}`);
      collect(code.codes ?? [], `${prefix}.${code.id}`);
    }
  };
  for (const dimension of dimensions) collect(dimension.codes, dimension.id);
  const activeDimensions = new Set(dimensions.map((dimension) => dimension.id));
  const codeGuids = new Set<string>();
  const collectGuids = (codes: RefiCode[]): void => {
    for (const code of codes) {
      codeGuids.add(code.guid);
      collectGuids(code.children);
    }
  };
  collectGuids(sourceCodes);
  const hypotheses = buildHypotheses(source.sets, { codeGuids, codeIds, dimensionIds, activeCodeIds, activeDimensions, activeAttributes }, warnings, source.codebookOnly ?? false);

  const name = str(meta?.codebook);
  const version = meta?.version;
  const document = nonEmpty({
    codebook: name !== null && /^[a-z0-9][a-z0-9-]*$/.test(name) ? name : idFromName(source.fallbackName, 'imported', '-'),
    version: typeof version === 'number' && Number.isInteger(version) && version > 0 ? version : 1,
    title: str(meta?.title) ?? undefined,
    languages,
    attributes: yamlAttributes,
    dimensions,
    hypotheses,
  });
  // No anchors and aliases: a set whose rows are its columns would otherwise share one list, and editing
  // the rows in the YAML would silently change the columns too.
  const yaml = `${source.header}${stringify(document, { lineWidth: 110, aliasDuplicateObjects: false })}`;
  let codebook: Codebook;
  try {
    codebook = parseCodebook(yaml, source.displayName);
  } catch (error) {
    // The YAML exists only in memory: point at the file it came from, not at lines of a file nobody has.
    if (!(error instanceof ProblemsError)) throw error;
    throw new UserError(`${source.fileName}: ${error.problems.map((problem) => problem.message).join('; ')}`, {
      hint: carriesMeta(source)
        ? 'The file came from another tool or was edited: fix it there, or remove the [qcode] line from the Description of what is named'
        : 'Fix it in the tool the file came from, and export again',
    });
  }
  return { yaml, codebook, codeIds, dimensionIds, attributes, retired, warnings };
}

/** Whether anything in the file holds qcode's meta, which a problem may come from. */
function carriesMeta(source: CodebookSource): boolean {
  const hasMeta = (description: string | null): boolean => readDescription(description).meta !== null;
  const inCodes = (codes: RefiCode[]): boolean => codes.some((code) => hasMeta(code.description) || inCodes(code.children));
  return originMeta(source.origin) !== null || inCodes(source.codes)
    || source.variables.some((variable) => hasMeta(variable.description)) || source.sets.some((set) => hasMeta(set.description));
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A date `cases set` would accept: yyyy-mm-dd, and a day the calendar has (not 2024-02-30). */
function isDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return match !== null && new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))).toISOString().slice(0, 10) === value;
}

function buildAttributes(
  variables: RefiVariable[],
  values: Array<RefiValue & { owner?: string }>,
  retired: RetiredAttribute[],
  warnings: string[],
  fileName: string,
): { attributes: Map<string, ImportedAttribute>; definitions: Record<string, { labels?: Record<string, string> }> } {
  const result = new Map<string, ImportedAttribute>();
  const definitions: Record<string, { labels?: Record<string, string> }> = {};
  const taken = new Set<string>();
  for (const variable of variables) {
    const { text, meta } = readDescription(variable.description);
    const metaName = str(meta?.attribute);
    const name = uniqueId(metaName !== null && LOCAL_ID.test(metaName) ? metaName : idFromName(variable.name, 'attribute'), taken);
    const own = values.filter((value) => value.variable === variable.guid);
    const observed = own.map((value) => normalizeValue(value));
    const metaType = str(meta?.type);
    let type: AttributeType =
      metaType === 'category' || metaType === 'number' || metaType === 'date' || metaType === 'text' ? metaType
      : variable.type === 'Integer' || variable.type === 'Float' ? 'number'
      : variable.type === 'Date' ? 'date'
      : variable.type === 'Boolean' ? 'category'
      : 'text';
    let allowed = type === 'category' ? (stringList(meta?.values) ?? (variable.type === 'Boolean' ? ['false', 'true'] : [])) : null;
    if ((type === 'number' && !observed.every(isNumber)) || (type === 'date' && !observed.every(isDate))) {
      warnings.push(`variable "${variable.name}" holds values that are not of type ${type}; imported as a text attribute`);
      type = 'text';
      allowed = null;
    }
    if (allowed !== null) {
      for (const value of observed) {
        if (!allowed.includes(value)) {
          warnings.push(`variable "${variable.name}": value "${value}" added to the category's values`);
          allowed = [...allowed, value];
        }
      }
      if (allowed.length === 0) {
        type = 'text';
        allowed = null;
      }
    }
    result.set(variable.guid, { name, type });
    const labels = stringRecord(meta?.labels, LANGUAGE);
    const valueLabels = type === 'category' ? stringRecord(meta?.value_labels) : {};
    let min = type === 'number' && typeof meta?.min === 'number' ? meta.min : null;
    let max = type === 'number' && typeof meta?.max === 'number' ? meta.max : null;
    if (min !== null && max !== null && min > max) {
      throw new UserError(`${fileName}: variable "${variable.name}": min ${min} above max ${max}`, {
        hint: 'The file came from another tool or was edited: fix min and max in the [qcode] line of the variable\'s Description, or remove that line',
      });
    }
    // Like a category value missing from its list, a value beyond a bound widens the definition: the
    // participant's value is data, the bound only a check.
    for (const value of own) {
      const number = Number(normalizeValue(value));
      const owner = value.owner ?? 'a value';
      if (min !== null && number < min) {
        warnings.push(`variable "${variable.name}": ${owner} has ${normalizeValue(value)}, below its minimum ${min}; the minimum was left out`);
        min = null;
      }
      if (max !== null && number > max) {
        warnings.push(`variable "${variable.name}": ${owner} has ${normalizeValue(value)}, above its maximum ${max}; the maximum was left out`);
        max = null;
      }
    }
    const label = str(meta?.label) ?? variable.name;
    const description = meta === null ? (text === '' ? null : text) : str(meta.description);
    if (meta?.retired === true) {
      retired.push({ name, type, label, labels, description, values: allowed, valueLabels, min, max });
      continue;
    }
    definitions[name] = nonEmpty({
      type, label, labels, description: description ?? undefined, values: allowed ?? undefined, value_labels: valueLabels,
      min: min ?? undefined, max: max ?? undefined,
    });
  }
  return { attributes: result, definitions };
}

/** A value as qcode stores it: booleans as true/false, everything trimmed. */
export function normalizeValue(value: RefiValue): string {
  const trimmed = value.value.trim();
  if (value.type === 'Boolean') return trimmed === '1' || trimmed === 'true' ? 'true' : 'false';
  return value.type === 'Text' ? value.value : trimmed;
}

/** A number `cases set` would accept (finite, written as decimal or with an exponent). */
function isNumber(value: string): boolean {
  return NUMBER.test(value) && Number.isFinite(Number(value));
}

/** A value for an attribute of `type` as qcode stores it: a number as `cases set` stores it (`4.2e1` → `42`). */
export function attributeValue(type: AttributeType, value: RefiValue): string {
  const normalized = normalizeValue(value);
  return type === 'number' ? String(Number(normalized)) : normalized;
}

interface Known {
  /** Every code in the file, whether qcode keeps it or not. */
  codeGuids: Set<string>;
  codeIds: Map<string, string>;
  dimensionIds: Map<string, string>;
  activeCodeIds: Set<string>;
  activeDimensions: Set<string>;
  activeAttributes: Set<string>;
}

function buildHypotheses(sets: RefiSet[], known: Known, warnings: string[], codebookOnly: boolean): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  const taken = new Set<string>();
  const exists = (axis: string): boolean =>
    axis.startsWith('attribute:') ? known.activeAttributes.has(axis.slice('attribute:'.length)) : known.activeDimensions.has(axis) || known.activeCodeIds.has(axis);
  for (const set of sets) {
    const unknown = set.memberCodes.filter((guid) => !known.codeGuids.has(guid)).length;
    if (unknown > 0) warnings.push(`set "${set.name}": ${unknown} MemberCode(s) point to codes the codebook does not hold; ignored`);
    const { text, meta } = readDescription(set.description);
    const metaId = str(meta?.hypothesis);
    let rows: string[];
    let columns: string[];
    if (metaId !== null) {
      rows = (stringList(meta?.rows) ?? []).filter(exists);
      columns = (stringList(meta?.columns) ?? []).filter(exists);
    } else {
      const members = set.memberCodes.flatMap((guid) => {
        const id = known.dimensionIds.get(guid) ?? known.codeIds.get(guid);
        return id !== undefined && exists(id) ? [id] : [];
      });
      rows = members;
      columns = members;
    }
    // Rows or columns that named only attributes: the set names codes, but no cross is left without them.
    const onlyAttributes = metaId === null ? null
      : ([['rows', meta?.rows], ['columns', meta?.columns]] as const).map(([side, list]) => [side, stringList(list) ?? []] as const)
        .find(([, list]) => list.length > 0 && list.every((axis) => axis.startsWith('attribute:') && !exists(axis))) ?? null;
    if ((rows.length === 0 || columns.length === 0) && onlyAttributes !== null) {
      const [side, list] = onlyAttributes;
      warnings.push(`set "${set.name}": its ${side} are attributes only (${list.join(', ')}), which ${codebookOnly ? 'a .qdc codebook cannot hold (a .qdpx keeps them)' : 'the project does not declare as variables'}; left out`);
      continue;
    }
    if (rows.length === 0 || columns.length === 0) {
      warnings.push(`set "${set.name}" names no codes qcode holds${set.memberSources > 0 ? ' (qcode has no sets of documents)' : ''}; left out`);
      continue;
    }
    const id = uniqueId(metaId !== null && /^[A-Za-z][A-Za-z0-9_]*$/.test(metaId) ? metaId : idFromName(set.name, 'set'), taken);
    result[id] = nonEmpty({ title: str(meta?.title) ?? (set.name === '' ? id : set.name), description: text === '' ? undefined : text, rows, columns });
  }
  return result;
}
