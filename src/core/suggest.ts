/**
 * Edit distance with adjacent transpositions (optimal string alignment): "R10" is one slip from "R01",
 * as a typing hand makes it. Small and allocation-light: used only for did-you-mean hints.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      let best = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (beforePrevious[j - 2] as number) + 1);
      current[j] = best;
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * The closest candidate within a distance that scales with the word, or undefined. Short words allow
 * one slip at most: "typo" may mean "type" and "de" mean "DE", but "XX" is no typo of "LT" nor "Age"
 * one of "case". A word cut short also counts ("r07-madri" for "r07-madrid-ru": slugs are long and
 * end in a language tag), when it is at least three characters and half the candidate, so that "r"
 * or "for" suggest nothing.
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const limit = word.length <= 1 ? 0 : word.length <= 4 ? 1 : Math.max(2, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  let bestPrefixed: string | undefined;
  const lower = word.toLowerCase();
  for (const candidate of candidates) {
    const folded = candidate.toLowerCase();
    const distance = editDistance(lower, folded);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
    if (lower.length >= 3 && lower.length * 2 >= folded.length && folded.startsWith(lower) && (bestPrefixed === undefined || candidate.length < bestPrefixed.length)) {
      bestPrefixed = candidate;
    }
  }
  return bestDistance <= limit ? best : bestPrefixed;
}

/** " (did you mean X?)" or "". */
export function didYouMeanSuffix(word: string, candidates: Iterable<string>): string {
  const guess = didYouMean(word, candidates);
  return guess === undefined ? '' : ` (did you mean "${guess}"?)`;
}
