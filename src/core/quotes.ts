import { isDeepStrictEqual } from 'node:util';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, Parser, type Scalar, type YAMLSeq } from 'yaml';

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
const SINGLE_QUOTES = /[‘’‚‛`´ʼ]/gu;
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
// Joined by the apostrophes and hyphens foldForQuotes makes plain, so that both sides split words alike;
// with combining marks (stress marks, text not in NFC).
const WORD = /[\p{L}\p{N}\p{M}]+(?:['‘’‚‛`´ʼ‐‑-][\p{L}\p{N}\p{M}]+)*/gu;
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

/**
 * A run of words as a 53-bit hash: a long interview has hundreds of thousands of runs, which as strings
 * would take a hundred megabytes. Two different runs share a hash about once in 2^53 comparisons.
 */
function windowAt(words: readonly Word[], index: number): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let at = index; at < index + MIN_SHARED_WORDS; at++) {
    const word = words[at]!.folded;
    for (let char = 0; char <= word.length; char++) {
      // The separator (code 32 past the word's end) keeps "ab c" and "a bc" apart.
      const code = char === word.length ? 32 : word.charCodeAt(char);
      h1 = Math.imul(h1 ^ code, 2654435761);
      h2 = Math.imul(h2 ^ code, 1597334677);
    }
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** A stretch of a text, [start, end) in UTF-16 units. */
export type Passage = readonly [number, number];

/**
 * A withdrawn participant's document: its text and, when known, its turns (segments), so that a run of
 * words is never taken across a speaker's label into the next turn.
 */
export interface QuotedText {
  name: string;
  text: string;
  turns?: readonly string[];
}

/** Finds which of some texts (a withdrawn participant's documents) an example or a memo quotes. */
export class QuoteFinder {
  private readonly folded: Array<{ name: string; text: string }>;
  private readonly texts: readonly QuotedText[];
  private windows: Set<number> | undefined;

  /**
   * @param sharedElsewhere whether a memo's passage is also in texts that stay (an interview guide's question
   *   asked in every interview): then it is not this participant's words, and passagesIn leaves it.
   */
  constructor(texts: readonly QuotedText[], private readonly sharedElsewhere: (passage: string) => boolean = () => false) {
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
   * Sorted, overlaps merged; those sharedElsewhere says the texts that stay also hold are left out.
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
    return merged.filter(([start, end]) => !this.sharedElsewhere(text.slice(start, end)));
  }

  /** Every run of MIN_SHARED_WORDS words of the texts, built on first use: most removals meet no memo. */
  private sharedWindows(): Set<number> {
    if (this.windows === undefined) {
      this.windows = new Set();
      for (const { text, turns } of this.texts) {
        for (const turn of turns ?? [text]) {
          const words = wordsOf(turn);
          for (let index = 0; index + MIN_SHARED_WORDS <= words.length; index++) this.windows.add(windowAt(words, index));
        }
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
  const dropped: Scalar[] = [];
  let removed = 0;
  visitExampleLists(doc.contents, (_code, seq) => {
    const going = seq.items.filter((item): item is Scalar => isScalar(item) && typeof item.value === 'string' && drop(item.value));
    if (going.length === 0) return;
    const everyItem = going.length === seq.items.length;
    if (seq.flow === true) {
      let keptBefore = false;
      for (const item of seq.items) {
        if ((going as unknown[]).includes(item)) cuts.push(flowCut(source, item as Scalar, everyItem, keptBefore));
        else keptBefore = true;
      }
    } else {
      going.forEach((item, index) => cuts.push(blockCut(source, item, everyItem && index === 0)));
    }
    seq.items = seq.items.filter((item) => !(going as unknown[]).includes(item));
    dropped.push(...going);
    removed += going.length;
  });
  if (removed === 0) return { yaml: source, removed };
  const cut = applyCuts(source, cuts);
  const expected = valueOf(doc);
  if (expected !== undefined && readsAs(cut, expected)) return { yaml: cut, removed };
  // An anchor on a cut example that an alias elsewhere names, or a layout the cuts do not foresee: the
  // examples' texts are replaced instead, in place, which keeps every alias and the layout whole.
  const replaced = applyCuts(source, dropped.map((item) => ({ start: item.range?.[0] ?? 0, end: item.range?.[1] ?? 0, insert: JSON.stringify(WITHDRAWN_QUOTE) })));
  if (readsAs(replaced)) return { yaml: replaced, removed };
  try {
    return { yaml: doc.toString(), removed };
  } catch {
    return { yaml: replaced, removed };
  }
}

/** The text with the cuts made; overlapping ones (the last two items of a flow list) as one. */
function applyCuts(source: string, cuts: readonly Cut[]): string {
  const merged: Cut[] = [];
  for (const cut of [...cuts].sort((a, b) => a.start - b.start)) {
    const last = merged.at(-1);
    if (last !== undefined && cut.start < last.end) merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, cut.end), insert: last.insert + cut.insert };
    else merged.push(cut);
  }
  let result = source;
  for (const { start, end, insert } of merged.reverse()) result = result.slice(0, start) + insert + result.slice(end);
  return result;
}

/** A document's value; undefined when an alias names an anchor that is no longer there. */
function valueOf(doc: ReturnType<typeof parseDocument>): unknown {
  try {
    return doc.toJS() as unknown;
  } catch {
    return undefined;
  }
}

/** Whether a YAML text reads without errors (and, given `expected`, as that value). */
function readsAs(yaml: string, expected?: unknown): boolean {
  try {
    const doc = parseDocument(yaml, { uniqueKeys: false });
    if (doc.errors.length > 0) return false;
    const value = doc.toJS();
    return expected === undefined || isDeepStrictEqual(value, expected);
  } catch {
    return false;
  }
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
  const newline = lineEnd === -1 ? '' : source[lineEnd - 1] === '\r' ? '\r\n' : '\n';
  return { start, end, insert: leaveEmptyList ? `${indent}[]${newline}` : '' };
}

/**
 * A flow list's item with the comma before it when an item that stays precedes it, else with the comma
 * after it: `[keep, A, B]`, `[A, B, keep]` and `[A, keep, B]` all become `[keep]`.
 */
function flowCut(source: string, item: Scalar, everyItem: boolean, keptBefore: boolean): Cut {
  const [from, to] = item.range ?? [0, 0];
  if (everyItem || !keptBefore) {
    const after = /^\s*,?\s*/.exec(source.slice(to))![0].length;
    return { start: from, end: to + after, insert: '' };
  }
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

/** Where a YAML text quotes the texts: an example (its code), a comment (a commented-out example), or a line. */
export interface QuoteInYaml {
  line: number;
  col: number;
  /** "the example of code forms.protest", "a comment", "line 12". */
  what: string;
  /** The text quoted, when it is known (an example). */
  source: string | undefined;
}

/**
 * Every place a codebook's YAML quotes the texts: its examples and its comments. A file that does not read as
 * YAML (a half-edited codebook.yaml) is compared line by line, since its examples cannot be told apart.
 */
export function quotesInYaml(source: string, quotes: QuoteFinder): QuoteInYaml[] {
  if (quotes.empty) return [];
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, uniqueKeys: false });
  if (doc.errors.length > 0) {
    return source.split('\n').flatMap((line, index) => {
      const passage = quotes.passagesIn(line)[0];
      return passage === undefined ? [] : [{ line: index + 1, col: passage[0] + 1, what: `line ${index + 1}`, source: undefined }];
    });
  }
  const found: QuoteInYaml[] = [];
  for (const example of examplesInYaml(source)) {
    const document = quotes.sourceOf(example.text);
    if (document !== undefined) found.push({ line: example.line, col: example.col, what: `the example of code ${example.code ?? '(no id)'}`, source: document });
  }
  for (const comment of quotingComments(source, quotes)) {
    const { line, col } = lineCounter.linePos(comment.offset);
    found.push({ line, col, what: 'a comment', source: undefined });
  }
  return found.sort((a, b) => a.line - b.line || a.col - b.col);
}

/** The YAML with each comment that quotes the texts reading `# [quote removed: …]`; `removed` is how many. */
export function withoutQuotingComments(source: string, quotes: QuoteFinder): { yaml: string; removed: number } {
  const comments = quotingComments(source, quotes);
  const yaml = applyCuts(source, comments.map(({ offset, text }) => ({ start: offset, end: offset + text.length, insert: `# ${WITHDRAWN_QUOTE}` })));
  return { yaml, removed: comments.length };
}

/** The comments of a YAML text (from the parser's concrete syntax tree, so never a `#` inside a text) that quote the texts. */
function quotingComments(source: string, quotes: QuoteFinder): Array<{ offset: number; text: string }> {
  if (quotes.empty) return [];
  const comments: Array<{ offset: number; text: string }> = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const token = node as { type?: unknown; offset?: unknown; source?: unknown };
    if (token.type === 'comment' && typeof token.offset === 'number' && typeof token.source === 'string') {
      comments.push({ offset: token.offset, text: token.source });
      return;
    }
    for (const value of Object.values(node)) visit(value);
  };
  for (const token of new Parser().parse(source)) visit(token);
  return comments.filter(({ text }) => quotes.passagesIn(text.slice(1)).length > 0 || quotes.sourceOf(text.slice(1).replace(/^\s*-\s*/u, '')) !== undefined);
}

/**
 * Whether `original` is `redacted` as it was before its quotes were replaced: the same text, where each
 * WITHDRAWN_QUOTE stands for some passage. A copy that made the removal and one that has not yet made it
 * hold the same memo so; a merge takes them for one.
 */
export function isRedactionOf(redacted: string, original: string): boolean {
  if (!redacted.includes(WITHDRAWN_QUOTE)) return redacted === original;
  const pattern = redacted.split(WITHDRAWN_QUOTE).map((part) => part.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')).join('[\\s\\S]+?');
  return new RegExp(`^${pattern}$`, 'u').test(original);
}

/** isRedactionOf for two memo events' payloads (JSON): equal but for memo texts that are redactions of the other's. */
export function isRedactedPayloadOf(redacted: string, original: string): boolean {
  const a = JSON.parse(redacted) as Record<string, unknown>;
  const b = JSON.parse(original) as Record<string, unknown>;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => {
    const [mine, theirs] = [a[key], b[key]];
    return ['text', 'before', 'after'].includes(key) && typeof mine === 'string' && typeof theirs === 'string'
      ? isRedactionOf(mine, theirs)
      : isDeepStrictEqual(mine, theirs);
  });
}
