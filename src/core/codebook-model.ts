/** The codebook model: what a parsed codebook and a project's stored codebook are. Pure data, no parser. */

import { didYouMeanSuffix } from './suggest.js';

export type AttributeType = 'category' | 'number' | 'date' | 'text';

export interface AttributeDef {
  name: string;
  type: AttributeType;
  label: string;
  labels: Record<string, string>;
  description: string | null;
  values: string[] | null;
  valueLabels: Record<string, string>;
  min: number | null;
  max: number | null;
  ord: number;
}

export interface DimensionDef {
  id: string;
  label: string;
  labels: Record<string, string>;
  description: string | null;
  exclusive: boolean;
  color: string | null;
  ord: number;
}

export interface CodeDef {
  /** Full id: dimension.code[.child]. */
  id: string;
  dimensionId: string;
  parentId: string | null;
  label: string;
  labels: Record<string, string>;
  definition: string | null;
  include: string | null;
  exclude: string | null;
  examples: string[];
  color: string | null;
  was: string[];
  depth: number;
  ord: number;
}

export type AxisRef =
  | { kind: 'dimension'; id: string }
  | { kind: 'code'; id: string }
  | { kind: 'attribute'; name: string };

export interface HypothesisDef {
  id: string;
  title: string;
  description: string | null;
  rows: AxisRef[];
  columns: AxisRef[];
  ord: number;
}

export interface Codebook {
  name: string;
  version: number;
  title: string | null;
  languages: string[];
  attributes: AttributeDef[];
  dimensions: DimensionDef[];
  /** Every code in codebook order (parents before children). */
  codes: CodeDef[];
  hypotheses: HypothesisDef[];
}

/** "attribute:NAME", a dimension id or a full code id, as written in the YAML. */
export function formatAxis(axis: AxisRef): string {
  return axis.kind === 'attribute' ? `attribute:${axis.name}` : axis.id;
}

export type Status = 'active' | 'retired';

/** The codebook as a project holds it: the applied YAML plus what was retired since. */
export interface ProjectCodebook {
  name: string;
  version: number;
  languages: string[];
  attributes: Array<AttributeDef & { status: Status }>;
  dimensions: Array<DimensionDef & { status: Status }>;
  codes: Array<CodeDef & { status: Status }>;
  hypotheses: HypothesisDef[];
}

/** A code's label in a language, falling back to the codebook's first language. */
export function labelIn(item: { label: string; labels: Record<string, string> }, language: string | undefined): string {
  return (language !== undefined ? item.labels[language] : undefined) ?? item.label;
}

/**
 * " (did you mean "forms.protest"?)" for a code id typed wrong, or "". A bare "protest" most likely means
 * the one code whose own id is "protest" (as tag and memo suggest it); otherwise the closest id.
 */
export function codeSuggestion(id: string, codeIds: readonly string[]): string {
  const byLastPart = codeIds.filter((candidate) => candidate.endsWith(`.${id}`));
  if (byLastPart.length === 1) return ` (did you mean "${byLastPart[0]}"?)`;
  return didYouMeanSuffix(id, codeIds);
}
