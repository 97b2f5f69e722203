import { isDeepStrictEqual } from 'node:util';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Scalar, type YAMLSeq } from 'yaml';

// A codebook's examples are often a participant's own words. When that participant withdraws consent,
// their words must leave the codebook too: these helpers tell which examples quote a text. An example is
// usually trimmed ("…we stood outside the embassy…") and typeset («», curly apostrophes, a full stop added),
// so both sides are compared folded, and an elided example matches when each of its parts occurs.

/** Parts shorter than this (in folded characters) are left out of the comparison: "and", "но", "we". */
const MIN_PART = 8;
/**
 * An example whose parts add up to less than this is too short to tell a quote from a common phrase
 * ("went to a protest"): it is never said to quote anyone.
 */
const MIN_QUOTE = 20;

const ELLIPSIS = /\[\s*(?:…|\.{3,})\s*\]|\(\s*(?:…|\.{3,})\s*\)|…|\.{3,}/u;
const DOUBLE_QUOTES = /["«»“”„‟]/gu;
const SINGLE_QUOTES = /[‘’‚‛`´]/gu;
const DASHES = /[‐‑‒–—―−]/gu;
const EDGE_PUNCTUATION = /^[\s\p{P}]+|[\s\p{P}]+$/gu;

/** The form both sides are compared in: NFC, lower case, ё as е, quotes and dashes plain, spaces single. */
export function foldForQuotes(text: string): string {
  return text
    .normalize('NFC')
    .toLowerCase()
    .replace(/ё/gu, 'е')
    .replace(DOUBLE_QUOTES, '')
    .replace(SINGLE_QUOTES, "'")
    .replace(DASHES, '-')
    .replace(/\s+/gu, ' ');
}

/** The parts of an example to look for, folded: split at ellipses, edges trimmed; none when it is too short to tell. */
export function quoteParts(example: string): string[] {
  const parts = example
    .split(ELLIPSIS)
    .map((part) => foldForQuotes(part).replace(EDGE_PUNCTUATION, ''))
    .filter((part) => part.length >= MIN_PART);
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  return length >= MIN_QUOTE ? parts : [];
}

/**
 * Words a memo shares in a row with a removed text that make the passage a quote even without quotation
 * marks: long enough that the team's own sentences do not repeat a participant's by chance.
 */
export const MIN_SHARED_WORDS = 8;
const WORD = /[\p{L}\p{N}]+(?:['’ʼ-][\p{L}\p{N}]+)*/gu;
/** A passage in quotation marks, typeset any of the usual ways; the group is what is quoted. */
const QUOTED = /«([^»]*)»|“([^”]*)”|„([^“”]*)[“”]|"([^"]*)"/gu;

interface Word {
  folded: string;
  start: number;
  end: number;
}

function wordsOf(text: string): Word[] {
  return [...text.matchAll(WORD)].map((match) => ({ folded: foldForQuotes(match[0]), start: match.index, end: match.index + match[0].length }));
}

function windowAt(words: readonly Word[], index: number): string {
  return words.slice(index, index + MIN_SHARED_WORDS).map((word) => word.folded).join(' ');
}

/** A stretch of a text, [start, end) in UTF-16 units. */
export type Passage = readonly [number, number];

/** Finds which of some texts (a withdrawn participant's documents) an example or a memo quotes. */
export class QuoteFinder {
  private readonly folded: Array<{ name: string; text: string }>;
  private readonly texts: ReadonlyArray<{ name: string; text: string }>;
  private windows: Set<string> | undefined;

  constructor(texts: ReadonlyArray<{ name: string; text: string }>) {
    this.texts = texts;
    this.folded = texts.map(({ name, text }) => ({ name, text: foldForQuotes(text) }));
  }

  get empty(): boolean {
    return this.folded.length === 0;
  }

  /** The name of the first text the example quotes, or undefined. */
  sourceOf(example: string): string | undefined {
    if (this.folded.length === 0) return undefined;
    const parts = quoteParts(example);
    if (parts.length === 0) return undefined;
    return this.folded.find(({ text }) => parts.every((part) => text.includes(part)))?.name;
  }

  /**
   * The passages of a free text (a memo) that quote the texts: a passage in quotation marks that reads as
   * an example would, and any run of MIN_SHARED_WORDS or more words in a row that the texts have too.
   * Sorted, overlaps merged.
   */
  passagesIn(text: string): Passage[] {
    if (this.folded.length === 0) return [];
    const found: Array<[number, number]> = [];
    for (const match of text.matchAll(QUOTED)) {
      const inner = match.slice(1).find((group) => group !== undefined) ?? '';
      if (this.sourceOf(inner) === undefined) continue;
      const start = match.index + match[0].indexOf(inner);
      found.push([start, start + inner.length]);
    }
    const words = wordsOf(text);
    const windows = this.sharedWindows();
    for (let index = 0; index + MIN_SHARED_WORDS <= words.length; index++) {
      if (windows.has(windowAt(words, index))) found.push([words[index]!.start, words[index + MIN_SHARED_WORDS - 1]!.end]);
    }
    found.sort((a, b) => a[0] - b[0]);
    const merged: Array<[number, number]> = [];
    for (const [start, end] of found) {
      const last = merged.at(-1);
      if (last !== undefined && start <= last[1]) last[1] = Math.max(last[1], end);
      else merged.push([start, end]);
    }
    return merged;
  }

  /** Every run of MIN_SHARED_WORDS words of the texts, built on first use: most removals meet no memo. */
  private sharedWindows(): Set<string> {
    if (this.windows === undefined) {
      this.windows = new Set();
      for (const { text } of this.texts) {
        const words = wordsOf(text);
        for (let index = 0; index + MIN_SHARED_WORDS <= words.length; index++) this.windows.add(windowAt(words, index));
      }
    }
    return this.windows;
  }
}

/** What a memo reads in place of a passage that quoted a participant who withdrew consent. */
export const WITHDRAWN_QUOTE = '[quote removed: withdrawal of consent]';

/**
 * A memo event's payload (JSON) with the passages of its memo texts (`text` when added; `before` and `after`
 * when edited) that quote the texts replaced by WITHDRAWN_QUOTE; undefined when none do.
 */
export function memoPayloadWithoutQuotes(payload: string, quotes: QuoteFinder): string | undefined {
  if (quotes.empty) return undefined;
  const data = JSON.parse(payload) as Record<string, unknown>;
  let changed = false;
  for (const field of ['text', 'before', 'after']) {
    const text = data[field];
    if (typeof text !== 'string') continue;
    const passages = quotes.passagesIn(text);
    if (passages.length === 0) continue;
    data[field] = withoutPassages(text, passages);
    changed = true;
  }
  return changed ? JSON.stringify(data) : undefined;
}

/** The text with each passage replaced by WITHDRAWN_QUOTE. */
export function withoutPassages(text: string, passages: readonly Passage[]): string {
  let result = text;
  for (const [start, end] of [...passages].sort((a, b) => b[0] - a[0])) result = result.slice(0, start) + WITHDRAWN_QUOTE + result.slice(end);
  return result;
}

/** An example in a codebook's YAML: the code it belongs to (forms.protest) and where it is. */
export interface ExampleInYaml {
  code: string | null;
  text: string;
  line: number;
  col: number;
}

/**
 * Every example in a codebook's YAML, wherever a map has `examples:` with a list of texts (dimensions'
 * codes and nested codes alike). The YAML may be one the codebook check would refuse (an old version, a
 * backup): what cannot be read as YAML has no examples to find.
 */
export function examplesInYaml(source: string): ExampleInYaml[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, uniqueKeys: false });
  if (doc.errors.length > 0) return [];
  const found: ExampleInYaml[] = [];
  visitExampleLists(doc.contents, (code, list) => {
    for (const item of list.items) {
      if (!isScalar(item) || typeof item.value !== 'string') continue;
      const { line, col } = lineCounter.linePos(item.range?.[0] ?? 0);
      found.push({ code, text: item.value, line, col });
    }
  });
  return found;
}

/**
 * The YAML without the examples `drop` picks; `removed` is how many went. Only their lines (or, in a
 * [flow, list], the items) are cut, so the rest of the text stays as it was written; should the cut text
 * not read back as the same codebook less those examples, the yaml library writes the whole document
 * instead. Unchanged text when none go.
 */
export function withoutExamples(source: string, drop: (example: string) => boolean): { yaml: string; removed: number } {
  const doc = parseDocument(source, { uniqueKeys: false });
  if (doc.errors.length > 0) return { yaml: source, removed: 0 };
  const cuts: Cut[] = [];
  let removed = 0;
  visitExampleLists(doc.contents, (_code, seq) => {
    const dropped = seq.items.filter((item): item is Scalar => isScalar(item) && typeof item.value === 'string' && drop(item.value));
    if (dropped.length === 0) return;
    const everyItem = dropped.length === seq.items.length;
    dropped.forEach((item, index) => cuts.push(seq.flow === true ? flowCut(source, item, everyItem) : blockCut(source, item, everyItem && index === 0)));
    seq.items = seq.items.filter((item) => !(dropped as unknown[]).includes(item));
    removed += dropped.length;
  });
  if (removed === 0) return { yaml: source, removed };
  let cut = source;
  for (const { start, end, insert } of cuts.sort((a, b) => b.start - a.start)) cut = cut.slice(0, start) + insert + cut.slice(end);
  const reread = parseDocument(cut, { uniqueKeys: false });
  const same = reread.errors.length === 0 && isDeepStrictEqual(reread.toJS(), doc.toJS());
  return { yaml: same ? cut : doc.toString(), removed };
}

interface Cut {
  start: number;
  end: number;
  insert: string;
}

/** A block list's item: its whole lines; the list's last item leaves `[]` in its place, so that it stays a list. */
function blockCut(source: string, item: Scalar, leaveEmptyList: boolean): Cut {
  const [from, to] = item.range ?? [0, 0];
  const start = source.lastIndexOf('\n', from) + 1;
  const lineEnd = source.indexOf('\n', Math.max(from, to - 1));
  const end = lineEnd === -1 ? source.length : lineEnd + 1;
  const indent = /^[ ]*/.exec(source.slice(start, from))?.[0] ?? '';
  return { start, end, insert: leaveEmptyList ? `${indent}[]\n` : '' };
}

/** A flow list's item with the comma after it (or, for the last item, the one before). */
function flowCut(source: string, item: Scalar, everyItem: boolean): Cut {
  const [from, to] = item.range ?? [0, 0];
  if (everyItem) return { start: from, end: /^\s*,?\s*/.exec(source.slice(to))![0].length + to, insert: '' };
  const after = /^\s*,\s*/.exec(source.slice(to));
  if (after !== null) return { start: from, end: to + after[0].length, insert: '' };
  const before = /,\s*$/.exec(source.slice(0, from));
  return { start: before === null ? from : from - before[0].length, end: to, insert: '' };
}

/**
 * Calls `visit` with each `examples:` list, and the code's id as the codebook makes it: the ids of the
 * maps around it joined with dots (dimension `forms`, code `protest`: forms.protest).
 */
function visitExampleLists(node: unknown, visit: (codeId: string | null, list: YAMLSeq) => void, ids: readonly string[] = []): void {
  if (isMap(node)) {
    const id = node.get('id');
    const path = typeof id === 'string' ? [...ids, id] : ids;
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      if (key === 'examples' && isSeq(pair.value)) visit(path.length === 0 ? null : path.join('.'), pair.value);
      else visitExampleLists(pair.value, visit, path);
    }
  } else if (isSeq(node)) {
    for (const item of node.items) visitExampleLists(item, visit, ids);
  }
}
