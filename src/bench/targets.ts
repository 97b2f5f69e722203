// The targets of the performance issue, in one table. They are stated for corpus l on 2 cores; the
// benchmark evaluates them at every size so that a regression shows early, but only l is the verdict.

export type FigureId =
  | 'version'
  | 'stats'
  | 'import_seconds'
  | 'import_mb_per_s'
  | 'import_docs_per_s'
  | 'import_peak_rss'
  | 'cooccur'
  | 'retrieve'
  | 'agreement'
  | 'search_common'
  | 'search_rare'
  | 'search_prefix'
  | 'export_all'
  | 'tag_from';

export interface Target {
  /** As the issue states it. */
  text: string;
  maxSeconds?: number;
  maxRatio?: number;
  maxMb?: number;
  /** Peak RSS may exceed the same figure measured on corpus s by at most this much. */
  maxMbAboveSizeS?: number;
}

export const TARGETS: Record<FigureId, Target | null> = {
  version: { text: '≤ 1.6 × bare node start-up', maxRatio: 1.6 },
  stats: { text: '≤ 0.3 s', maxSeconds: 0.3 },
  import_seconds: { text: '≤ 2 × insert floor, ≤ 30 s', maxRatio: 2, maxSeconds: 30 },
  import_mb_per_s: null,
  import_docs_per_s: null,
  import_peak_rss: { text: '≤ 300 MB, ≤ corpus s + 50 MB', maxMb: 300, maxMbAboveSizeS: 50 },
  cooccur: { text: '≤ 1.3 × hand-SQL floor, ≤ 1 s', maxRatio: 1.3, maxSeconds: 1 },
  retrieve: { text: '≤ 1.3 × hand-SQL floor', maxRatio: 1.3 },
  agreement: { text: '≤ 2 s', maxSeconds: 2 },
  search_common: { text: '≤ 50 ms median', maxSeconds: 0.05 },
  search_rare: { text: '≤ 50 ms median', maxSeconds: 0.05 },
  search_prefix: { text: '≤ 50 ms median', maxSeconds: 0.05 },
  export_all: { text: '≤ 3 × sqlite3 dump floor', maxRatio: 3 },
  tag_from: { text: '≤ 5 s', maxSeconds: 5 },
};

/** "Grows no faster than the work": a figure's log-log slope against the corpus size between two sizes. */
export const GROWTH_TARGET = { text: 'grows no faster than the work (slope ≤ 1.1 on log-log)', maxSlope: 1.1 };

export interface Verdict {
  ok: boolean | null;
  notes: string[];
}

/** Checks one figure against its target; a part whose input is missing is noted and left out. */
export function evaluate(
  target: Target | null,
  figure: { value: number | null; unit: string; ratio: number | null },
  sizeSPeakMb: number | null,
): Verdict {
  if (target === null || figure.value === null) return { ok: null, notes: [] };
  const notes: string[] = [];
  const checks: boolean[] = [];
  if (target.maxSeconds !== undefined) checks.push(figure.value <= target.maxSeconds);
  if (target.maxMb !== undefined) checks.push(figure.value <= target.maxMb);
  if (target.maxRatio !== undefined) {
    if (figure.ratio === null) notes.push('ratio not checked: floor unavailable');
    else checks.push(figure.ratio <= target.maxRatio);
  }
  if (target.maxMbAboveSizeS !== undefined) {
    if (sizeSPeakMb === null) notes.push('not compared with corpus s: run the bench with --size s first');
    else checks.push(figure.value - sizeSPeakMb <= target.maxMbAboveSizeS);
  }
  return { ok: checks.length === 0 ? null : checks.every(Boolean), notes };
}
