import type { AttributeDef, Codebook, CodeDef, DimensionDef, HypothesisDef } from './codebook.js';
import { groupDigits } from './text.js';

/** A code as the store holds it (no rename history, no place in the YAML), with how many codings it carries. */
export interface StoredCode extends Omit<CodeDef, 'was' | 'depth' | 'ord'> {
  status: 'active' | 'retired';
  codings: number;
}

export interface StoredDimension {
  id: string;
  label: string;
  labels: Record<string, string>;
  description: string | null;
  exclusive: boolean;
  color: string | null;
  status: 'active' | 'retired';
  /** Segments marked done by coders' one-dimension passes (seen_dimensions): deleting the dimension drops them. */
  passMarks: number;
}

export interface StoredAttribute {
  name: string;
  type: string;
  label: string;
  labels: Record<string, string>;
  description: string | null;
  /** Allowed values of a category, else null. */
  allowed: string[] | null;
  valueLabels: Record<string, string>;
  min: number | null;
  max: number | null;
  status: 'active' | 'retired';
  /** Values held by cases: value → number of cases. */
  values: Map<string, number>;
}

export interface StoredHypothesis {
  id: string;
  title: string;
  description: string | null;
  /** The axes as stored: JSON of AxisRef[]. */
  rows: string;
  columns: string;
}

export interface StoredCodebook {
  dimensions: StoredDimension[];
  codes: StoredCode[];
  attributes: StoredAttribute[];
  hypotheses: StoredHypothesis[];
  /**
   * How many codings of code `from` repeat one of the codes `into` on the same segment, coder and span
   * (a merge keeps those once). Absent, none are assumed: the plan then only undercounts them.
   */
  duplicateCodings?: (from: string, into: readonly string[]) => number;
  /**
   * Segments on which one coder has two or more distinct codes once `finalIds` (stored id → id after the
   * apply) is applied to the codings: per coder, and in all. With `involving`, only those where the coder
   * has a coding of one of these stored ids. Absent, none are assumed.
   */
  multiCodedSegments?: (finalIds: ReadonlyMap<string, string>, involving?: readonly string[]) => { segments: number; byCoder: Array<{ coder: string; segments: number }> };
}

export type PlanStep =
  | { action: 'add-dimension'; id: string }
  | { action: 'update-dimension'; id: string; changes: string[] }
  | { action: 'retire-dimension'; id: string }
  | { action: 'delete-dimension'; id: string; passMarks: number }
  | { action: 'add-code'; id: string }
  | { action: 'update-code'; id: string; changes: string[] }
  | { action: 'rename-code'; from: string; id: string; codings: number }
  | { action: 'merge-code'; from: string; id: string; codings: number; duplicates: number }
  | { action: 'retire-code'; id: string; codings: number }
  | { action: 'reactivate-code'; id: string }
  | { action: 'delete-code'; id: string }
  | { action: 'add-attribute'; name: string }
  | { action: 'update-attribute'; name: string; changes: string[] }
  | { action: 'retire-attribute'; name: string; values: number }
  | { action: 'delete-attribute'; name: string }
  | { action: 'add-hypothesis'; id: string }
  | { action: 'update-hypothesis'; id: string; changes: string[] }
  | { action: 'delete-hypothesis'; id: string };

export interface CodebookPlan {
  steps: PlanStep[];
  /** Renames to run before codes are written: old id → new id. */
  renames: Array<{ from: string; to: string }>;
  /** Codes whose codings (and memos) move into another, run after the renames; the old code then goes. */
  merges: Array<{ from: string; to: string }>;
  /** Codes to retire (kept with their codings) and to delete (never coded), children before parents. */
  retireCodes: string[];
  deleteCodes: string[];
  retireDimensions: string[];
  deleteDimensions: string[];
  retireAttributes: string[];
  deleteAttributes: string[];
  warnings: string[];
}

const CODE_FIELDS = ['dimensionId', 'parentId', 'label', 'labels', 'definition', 'include', 'exclude', 'examples', 'color'] as const;
const DIMENSION_FIELDS = ['label', 'labels', 'description', 'exclusive', 'color'] as const;

function changedFields<T, K extends keyof T>(before: T, after: T, fields: readonly K[]): string[] {
  return fields.filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field])).map(String);
}

/**
 * What `codebook apply` must do to bring the store in line with a codebook. Pure: the store executes
 * the plan in one transaction. A code with codings is never deleted: it is retired, or renamed by `was:`.
 */
export function planCodebookApply(stored: StoredCodebook, next: Codebook): CodebookPlan {
  const plan: CodebookPlan = {
    steps: [],
    renames: [],
    merges: [],
    retireCodes: [],
    deleteCodes: [],
    retireDimensions: [],
    deleteDimensions: [],
    retireAttributes: [],
    deleteAttributes: [],
    warnings: [],
  };
  const storedDimensions = new Map(stored.dimensions.map((dimension) => [dimension.id, dimension]));
  const storedCodes = new Map(stored.codes.map((code) => [code.id, code]));
  const nextCodeIds = new Set(next.codes.map((code) => code.id));

  for (const dimension of next.dimensions) {
    const before = storedDimensions.get(dimension.id);
    if (!before) {
      plan.steps.push({ action: 'add-dimension', id: dimension.id });
      continue;
    }
    const changes = changedFields(before, toStoredDimension(dimension), DIMENSION_FIELDS);
    if (before.status === 'retired') changes.push('status');
    if (changes.length > 0) plan.steps.push({ action: 'update-dimension', id: dimension.id, changes });
  }

  const renamedAway = new Set<string>();
  const mergedAway = new Set<string>();
  const available = (old: string): boolean => storedCodes.has(old) && !nextCodeIds.has(old) && !renamedAway.has(old) && !mergedAway.has(old);
  for (const code of next.codes) {
    let before = storedCodes.get(code.id);
    // A child of a renamed or merged code follows its parent (forms.protest.picket → forms.street_protest.picket)
    // without a was: of its own. Parents come before children, so the parent's sources are known here.
    const parentSources = code.parentId === null ? [] : [...plan.renames, ...plan.merges].filter((move) => move.to === code.parentId);
    const implied = parentSources.map((move) => `${move.from}${code.id.slice(move.to.length)}`);
    const sources = [...new Set([...code.was, ...implied])].filter(available);
    // The first old code becomes this one unless it already exists; every other one is merged into it:
    // a list in was: means that several codes became one.
    if (!before && sources[0] !== undefined) {
      const from = sources.shift() as string;
      const old = storedCodes.get(from) as StoredCode;
      renamedAway.add(from);
      plan.renames.push({ from, to: code.id });
      plan.steps.push({ action: 'rename-code', from, id: code.id, codings: old.codings });
      before = old;
    }
    if (before) {
      const into = [plan.renames.find((rename) => rename.to === code.id)?.from ?? code.id];
      for (const from of sources) {
        const old = storedCodes.get(from) as StoredCode;
        // What an earlier merge left behind (a retired parent kept for its retired children) has nothing to bring.
        if (old.status === 'retired' && old.codings === 0) continue;
        mergedAway.add(from);
        plan.merges.push({ from, to: code.id });
        plan.steps.push({ action: 'merge-code', from, id: code.id, codings: old.codings, duplicates: stored.duplicateCodings?.(from, into) ?? 0 });
        into.push(from);
      }
    }
    if (!before) {
      plan.steps.push({ action: 'add-code', id: code.id });
      continue;
    }
    if (before.status === 'retired') plan.steps.push({ action: 'reactivate-code', id: code.id });
    const changes = changedFields(before, toStoredCode(code), CODE_FIELDS);
    if (changes.length > 0) plan.steps.push({ action: 'update-code', id: code.id, changes });
  }

  // A code leaving the YAML is kept (retired) if it or a descendant has codings, else deleted.
  const leaving = stored.codes.filter((code) => !nextCodeIds.has(code.id) && !renamedAway.has(code.id));
  const keep = new Set<string>();
  // A merged code's codings have moved: it goes unless a retired child still needs it as parent.
  const codingsLeft = (code: StoredCode): number => (mergedAway.has(code.id) ? 0 : code.codings);
  for (const code of leaving) {
    if (codingsLeft(code) === 0) continue;
    for (let id: string | null = code.id; id !== null; id = storedCodes.get(id)?.parentId ?? null) {
      if (!nextCodeIds.has(id) && !renamedAway.has(id)) keep.add(id);
    }
  }
  // Children before parents, by depth: stored ord cannot tell, since a retired code's ord moved past its
  // parent's (ord + 1000000) and the parent's own ord may have changed since.
  const depthOf = (code: StoredCode): number => {
    let depth = 0;
    for (let id = code.parentId; id !== null && depth <= storedCodes.size; id = storedCodes.get(id)?.parentId ?? null) depth += 1;
    return depth;
  };
  const leavingDeepestFirst = leaving
    .map((code, index) => ({ code, index, depth: depthOf(code) }))
    .sort((a, b) => b.depth - a.depth || b.index - a.index)
    .map((entry) => entry.code);
  for (const code of leavingDeepestFirst) {
    const codings = codingsLeft(code);
    if (keep.has(code.id)) {
      if (code.status === 'active') {
        plan.retireCodes.push(code.id);
        plan.steps.push({ action: 'retire-code', id: code.id, codings });
        if (codings > 0) {
          plan.warnings.push(`code ${code.id} is no longer in the codebook: retired, keeping its ${plural(codings, 'coding')}`);
        }
      }
    } else {
      plan.deleteCodes.push(code.id);
      // The merge step already says where it went.
      if (!mergedAway.has(code.id)) plan.steps.push({ action: 'delete-code', id: code.id });
    }
  }

  const nextDimensionIds = new Set(next.dimensions.map((dimension) => dimension.id));
  for (const dimension of stored.dimensions) {
    if (nextDimensionIds.has(dimension.id)) continue;
    const keepsCodes = stored.codes.some((code) => code.dimensionId === dimension.id && keep.has(code.id));
    if (keepsCodes) {
      if (dimension.status === 'active') {
        plan.retireDimensions.push(dimension.id);
        plan.steps.push({ action: 'retire-dimension', id: dimension.id });
      }
    } else {
      plan.deleteDimensions.push(dimension.id);
      plan.steps.push({ action: 'delete-dimension', id: dimension.id, passMarks: dimension.passMarks });
      // The marks go with the dimension row (ON DELETE CASCADE), also when its codes were renamed into another
      // dimension: the codebook cannot say that a dimension was renamed, so say what is lost before it is.
      if (dimension.passMarks > 0) {
        plan.warnings.push(`dimension ${dimension.id} is no longer in the codebook: its ${plural(dimension.passMarks, 'one-dimension pass mark')} (segments coders went through with qcode code --dimension ${dimension.id}) ${dimension.passMarks === 1 ? 'is' : 'are'} dropped`);
      }
    }
  }

  warnAboutNewlyExclusive(stored, next, plan);
  planAttributes(stored.attributes, next.attributes, plan);
  planHypotheses(stored.hypotheses, next.hypotheses, plan);
  return plan;
}

/**
 * A dimension turned exclusive keeps the codings that break the rule: apply cannot choose which one to drop.
 * Say so now, or the coder learns it only when tag refuses or agreement counts them. Codings are counted
 * as they will be after the apply: renamed and merged codes under their new id (a merge of two codes a
 * segment both carried leaves one), retired codes in the dimension they stay in. The same holds for codes
 * that a rename or merge moves into a dimension that is already exclusive: there, only the segments where
 * a moved code meets another of the dimension's codes are new, so only those are counted.
 */
function warnAboutNewlyExclusive(stored: StoredCodebook, next: Codebook, plan: CodebookPlan): void {
  if (stored.multiCodedSegments === undefined) return;
  const before = new Map(stored.dimensions.map((dimension) => [dimension.id, dimension]));
  const moved = new Map([...plan.renames, ...plan.merges].map((move) => [move.from, move.to]));
  const nextCodes = new Map(next.codes.map((code) => [code.id, code]));
  for (const dimension of next.dimensions.filter((candidate) => candidate.exclusive)) {
    const finalIds = new Map<string, string>();
    const movedIn: string[] = [];
    for (const code of stored.codes) {
      const finalId = moved.get(code.id) ?? code.id;
      if ((nextCodes.get(finalId)?.dimensionId ?? code.dimensionId) !== dimension.id) continue;
      finalIds.set(code.id, finalId);
      if (code.dimensionId !== dimension.id) movedIn.push(code.id);
    }
    const becoming = before.get(dimension.id)?.exclusive !== true;
    if (!becoming && movedIn.length === 0) continue;
    if (finalIds.size < 2) continue;
    const { segments, byCoder } = becoming ? stored.multiCodedSegments(finalIds) : stored.multiCodedSegments(finalIds, movedIn);
    if (segments === 0) continue;
    const coders = byCoder.map((entry) => `${entry.coder}: ${groupDigits(entry.segments)}`).join(', ');
    const carry = segments === 1 ? 'carries' : 'carry';
    const what = becoming
      ? `dimension ${dimension.id} becomes one-code-per-segment, but ${plural(segments, 'segment')} already ${carry}`
      : `${movedIn.length === 1 ? 'code' : 'codes'} ${movedIn.join(', ')} ${movedIn.length === 1 ? 'moves' : 'move'} into dimension ${dimension.id}, which is one-code-per-segment, ` +
        `and then ${plural(segments, 'segment')} ${carry}`;
    plan.warnings.push(
      `${what} two or more of its codes from one coder (${coders}): ` +
        `they are kept, and qcode tag and qcode code refuse another code of ${dimension.id} there; ` +
        `find them with qcode retrieve --coder NAME --code CODE --and OTHER and remove the extra with qcode untag`,
    );
  }
}

/** Hypotheses are replaced wholesale on apply; the plan says which ones change, so a dry run shows it. */
function planHypotheses(stored: readonly StoredHypothesis[], next: readonly HypothesisDef[], plan: CodebookPlan): void {
  const storedById = new Map(stored.map((hypothesis) => [hypothesis.id, hypothesis]));
  for (const hypothesis of next) {
    const before = storedById.get(hypothesis.id);
    if (before === undefined) {
      plan.steps.push({ action: 'add-hypothesis', id: hypothesis.id });
      continue;
    }
    const changes = [
      before.title !== hypothesis.title ? 'title' : null,
      before.description !== hypothesis.description ? 'description' : null,
      before.rows !== JSON.stringify(hypothesis.rows) ? 'rows' : null,
      before.columns !== JSON.stringify(hypothesis.columns) ? 'columns' : null,
    ].filter((change): change is string => change !== null);
    if (changes.length > 0) plan.steps.push({ action: 'update-hypothesis', id: hypothesis.id, changes });
  }
  const nextIds = new Set(next.map((hypothesis) => hypothesis.id));
  for (const hypothesis of stored) if (!nextIds.has(hypothesis.id)) plan.steps.push({ action: 'delete-hypothesis', id: hypothesis.id });
}

function planAttributes(stored: StoredAttribute[], next: AttributeDef[], plan: CodebookPlan): void {
  const storedByName = new Map(stored.map((attribute) => [attribute.name, attribute]));
  for (const attribute of next) {
    const before = storedByName.get(attribute.name);
    if (!before) {
      plan.steps.push({ action: 'add-attribute', name: attribute.name });
      continue;
    }
    const changes: string[] = [];
    if (before.type !== attribute.type) changes.push('type');
    if (before.label !== attribute.label) changes.push('label');
    if (JSON.stringify(before.labels) !== JSON.stringify(attribute.labels)) changes.push('labels');
    if (before.description !== attribute.description) changes.push('description');
    if (JSON.stringify(before.allowed) !== JSON.stringify(attribute.values)) changes.push('values');
    if (JSON.stringify(before.valueLabels) !== JSON.stringify(attribute.valueLabels)) changes.push('value_labels');
    if (before.min !== attribute.min || before.max !== attribute.max) changes.push('min/max');
    if (before.status === 'retired') changes.push('status');
    plan.steps.push({ action: 'update-attribute', name: attribute.name, changes });
    if (attribute.values !== null) {
      for (const [value, cases] of before.values) {
        if (!attribute.values.includes(value)) {
          plan.warnings.push(`attribute ${attribute.name}: ${plural(cases, 'case')} hold "${value}", which the codebook no longer lists (kept; fix with qcode cases set)`);
        }
      }
    } else {
      warnAboutMisfits(attribute, before.values, plan);
    }
  }
  const nextNames = new Set(next.map((attribute) => attribute.name));
  for (const attribute of stored) {
    if (nextNames.has(attribute.name)) continue;
    const held = [...attribute.values.values()].reduce((sum, n) => sum + n, 0);
    if (held > 0) {
      if (attribute.status === 'active') {
        plan.retireAttributes.push(attribute.name);
        plan.steps.push({ action: 'retire-attribute', name: attribute.name, values: held });
        plan.warnings.push(`attribute ${attribute.name} is no longer in the codebook: retired, keeping ${plural(held, 'case value')}`);
      }
    } else {
      plan.deleteAttributes.push(attribute.name);
      plan.steps.push({ action: 'delete-attribute', name: attribute.name });
    }
  }
  // Attribute updates with no change are noise in the plan.
  plan.steps = plan.steps.filter((step) => step.action !== 'update-attribute' || step.changes.length > 0);
}

/**
 * Why a value held by a case no longer fits a number or date attribute as the codebook declares it (the
 * type, or min and max, changed since it was set), or null. qcode cases set refuses such values; only a
 * codebook change leaves them behind. Category values are checked against their list where they are used.
 */
export function attributeMisfit(attribute: Pick<AttributeDef, 'type' | 'min' | 'max'>, value: string): 'type' | 'min' | 'max' | null {
  if (attribute.type === 'number') {
    const number = Number(value);
    if (!/^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/.test(value) || !Number.isFinite(number)) return 'type';
    if (attribute.min !== null && number < attribute.min) return 'min';
    if (attribute.max !== null && number > attribute.max) return 'max';
    return null;
  }
  if (attribute.type === 'date') {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (match === null) return 'type';
    const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
    return date.toISOString().slice(0, 10) === value ? null : 'type';
  }
  return null;
}

/** What a number or date attribute needs, for the messages about values that do not fit it. */
export function attributeTypeNeeds(type: AttributeDef['type']): string {
  return type === 'number' ? 'a number' : type === 'date' ? 'a date written yyyy-mm-dd' : `a ${type}`;
}

/** The first few values with their counts, most held first: "LT" (6), "PL" (4) and 2 more. */
export function someValues(counts: ReadonlyMap<string, number>, shown = 3): string {
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const listed = sorted.slice(0, shown).map(([value, n]) => `"${value}" (${groupDigits(n)})`).join(', ');
  return sorted.length > shown ? `${listed} and ${groupDigits(sorted.length - shown)} more` : listed;
}

/**
 * A type changed to number or date, or a narrower min or max, keeps the values cases hold: say how many
 * no longer fit, as for a category value the codebook no longer lists. Exports write a column whose
 * values are not all of its type as text, rather than leave them out.
 */
function warnAboutMisfits(attribute: AttributeDef, values: ReadonlyMap<string, number>, plan: CodebookPlan): void {
  const misfits = { type: new Map<string, number>(), min: new Map<string, number>(), max: new Map<string, number>() };
  for (const [value, cases] of values) {
    const misfit = attributeMisfit(attribute, value);
    if (misfit !== null) misfits[misfit].set(value, cases);
  }
  // "1 case holds a value that is", "3 cases hold values that are".
  const held = (counts: Map<string, number>): string => {
    const cases = [...counts.values()].reduce((sum, n) => sum + n, 0);
    return `${plural(cases, 'case')} ${cases === 1 ? 'holds a value that is' : 'hold values that are'}`;
  };
  if (misfits.type.size > 0) {
    plan.warnings.push(
      `attribute ${attribute.name} is of type ${attribute.type}, but ${held(misfits.type)} not ${attributeTypeNeeds(attribute.type)}: ${someValues(misfits.type)} ` +
        `(kept; qcode export writes ${attribute.name} as text until they are fixed with qcode cases set, or the type changed back)`,
    );
  }
  if (misfits.min.size > 0) {
    plan.warnings.push(`attribute ${attribute.name}: ${held(misfits.min)} below the minimum ${attribute.min}: ${someValues(misfits.min)} (kept; fix with qcode cases set)`);
  }
  if (misfits.max.size > 0) {
    plan.warnings.push(`attribute ${attribute.name}: ${held(misfits.max)} above the maximum ${attribute.max}: ${someValues(misfits.max)} (kept; fix with qcode cases set)`);
  }
}

function toStoredCode(code: CodeDef): Omit<StoredCode, 'status' | 'codings'> {
  return {
    id: code.id,
    dimensionId: code.dimensionId,
    parentId: code.parentId,
    label: code.label,
    labels: code.labels,
    definition: code.definition,
    include: code.include,
    exclude: code.exclude,
    examples: code.examples,
    color: code.color,
  };
}

function toStoredDimension(dimension: DimensionDef): Omit<StoredDimension, 'status' | 'passMarks'> {
  return {
    id: dimension.id,
    label: dimension.label,
    labels: dimension.labels,
    description: dimension.description,
    exclusive: dimension.exclusive,
    color: dimension.color,
  };
}

export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${groupDigits(n)} ${n === 1 ? noun : nouns}`;
}

/** One line per step, for --dry-run and for the apply report. */
export function describeStep(step: PlanStep): string {
  switch (step.action) {
    case 'add-dimension': return `+ dimension ${step.id}`;
    case 'update-dimension': return `~ dimension ${step.id} (${step.changes.join(', ')})`;
    case 'retire-dimension': return `- dimension ${step.id} retired (its codes keep their codings)`;
    case 'delete-dimension': return `- dimension ${step.id}${step.passMarks > 0 ? ` (drops ${plural(step.passMarks, 'one-dimension pass mark')})` : ''}`;
    case 'add-code': return `+ code ${step.id}`;
    case 'update-code': return `~ code ${step.id} (${step.changes.join(', ')})`;
    case 'rename-code': return `> code ${step.from} renamed to ${step.id} (keeps ${plural(step.codings, 'coding')})`;
    case 'merge-code': return `> code ${step.from} merged into ${step.id} (${plural(step.codings, 'coding')} ${step.codings === 1 ? 'follows' : 'follow'}${step.duplicates > 0 ? `; ${groupDigits(step.duplicates)} already there on the same segment, coder and span ${step.duplicates === 1 ? 'is' : 'are'} kept once` : ''})`;
    case 'retire-code': return `- code ${step.id} retired (keeps ${plural(step.codings, 'coding')})`;
    case 'reactivate-code': return `+ code ${step.id} active again`;
    case 'delete-code': return `- code ${step.id} (never coded)`;
    case 'add-attribute': return `+ attribute ${step.name}`;
    case 'update-attribute': return `~ attribute ${step.name} (${step.changes.join(', ')})`;
    case 'retire-attribute': return `- attribute ${step.name} retired (keeps ${plural(step.values, 'case value')})`;
    case 'delete-attribute': return `- attribute ${step.name}`;
    case 'add-hypothesis': return `+ hypothesis ${step.id}`;
    case 'update-hypothesis': return `~ hypothesis ${step.id} (${step.changes.join(', ')})`;
    case 'delete-hypothesis': return `- hypothesis ${step.id}`;
  }
}
