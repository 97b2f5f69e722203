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
   * apply) is applied to the codings: per coder, and in all. Absent, none are assumed.
   */
  multiCodedSegments?: (finalIds: ReadonlyMap<string, string>) => { segments: number; byCoder: Array<{ coder: string; segments: number }> };
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
  for (const code of [...leaving].reverse()) {
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
 * segment both carried leaves one), retired codes in the dimension they stay in.
 */
function warnAboutNewlyExclusive(stored: StoredCodebook, next: Codebook, plan: CodebookPlan): void {
  if (stored.multiCodedSegments === undefined) return;
  const before = new Map(stored.dimensions.map((dimension) => [dimension.id, dimension]));
  const becoming = next.dimensions.filter((dimension) => dimension.exclusive && before.get(dimension.id)?.exclusive !== true);
  if (becoming.length === 0) return;
  const moved = new Map([...plan.renames, ...plan.merges].map((move) => [move.from, move.to]));
  const nextCodes = new Map(next.codes.map((code) => [code.id, code]));
  for (const dimension of becoming) {
    const finalIds = new Map<string, string>();
    for (const code of stored.codes) {
      const finalId = moved.get(code.id) ?? code.id;
      if ((nextCodes.get(finalId)?.dimensionId ?? code.dimensionId) === dimension.id) finalIds.set(code.id, finalId);
    }
    if (finalIds.size < 2) continue;
    const { segments, byCoder } = stored.multiCodedSegments(finalIds);
    if (segments === 0) continue;
    const coders = byCoder.map((entry) => `${entry.coder}: ${groupDigits(entry.segments)}`).join(', ');
    plan.warnings.push(
      `dimension ${dimension.id} becomes one-code-per-segment, but ${plural(segments, 'segment')} already ${segments === 1 ? 'carries' : 'carry'} two or more of its codes from one coder (${coders}): ` +
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
