// The code picker of the interactive coder as pure functions: filtering, toggling, exclusivity and
// what each key does. No I/O here, so every rule is unit-tested without a terminal.

export interface PickerDimension {
  id: string;
  label: string;
  labels: Record<string, string>;
  /** One code per segment. */
  exclusive: boolean;
  status?: 'active' | 'retired' | undefined;
}

export interface PickerCode {
  id: string;
  dimensionId: string;
  label: string;
  labels: Record<string, string>;
  definition: string | null;
  include: string | null;
  exclude: string | null;
  depth: number;
  /** A retired code is offered only where it was given (reconcile), and marked so. */
  status?: 'active' | 'retired' | undefined;
}

export interface Catalog {
  dimensions: Map<string, PickerDimension>;
  /** In codebook order, so that a filtered list stays grouped by dimension. */
  codes: PickerCode[];
  byId: Map<string, PickerCode>;
  /** Folded id and labels of each code, searched as the coder types. */
  haystacks: string[][];
}

/** Lower case, NFC, and ё read as е: Russian text is typed both ways. */
export function foldForSearch(text: string): string {
  return text.normalize('NFC').toLowerCase().replaceAll('ё', 'е');
}

/**
 * The picker's codes (those of known dimensions, in codebook order) with their search keys. Codes are grouped
 * by dimension, in the dimensions' order: a retired code sorts after the active ones in the codebook, and
 * must not open a second group of its dimension at the end of the list.
 */
export function buildCatalog(dimensions: readonly PickerDimension[], codes: readonly PickerCode[]): Catalog {
  const known = new Map(dimensions.map((dimension) => [dimension.id, dimension]));
  const position = new Map(dimensions.map((dimension, index) => [dimension.id, index]));
  const listed = codes
    .filter((code) => known.has(code.dimensionId))
    .map((code, order) => ({ code, order }))
    .sort((a, b) => position.get(a.code.dimensionId)! - position.get(b.code.dimensionId)! || a.order - b.order)
    .map(({ code }) => code);
  return {
    dimensions: known,
    codes: listed,
    byId: new Map(listed.map((code) => [code.id, code])),
    haystacks: listed.map((code) => [code.id, code.label, ...Object.values(code.labels)].map(foldForSearch)),
  };
}

/** Indices (into catalog.codes) of the codes whose id or any label contains the filter. */
export function matchCodes(catalog: Catalog, filter: string): number[] {
  const needle = foldForSearch(filter);
  const matches: number[] = [];
  catalog.haystacks.forEach((haystack, index) => {
    if (needle === '' || haystack.some((text) => text.includes(needle))) matches.push(index);
  });
  return matches;
}

/**
 * Where the cursor goes as the coder types: the first code with a word starting with the filter
 * ("prot" → forms.protest before strategies.self_protection), else the first match.
 */
export function bestMatch(catalog: Catalog, matches: readonly number[], filter: string): number {
  const needle = foldForSearch(filter);
  if (needle === '') return 0;
  const startsWord = (text: string): boolean => text.split(/[\s.,_/()-]+/).some((word) => word.startsWith(needle));
  const position = matches.findIndex((index) => (catalog.haystacks[index] ?? []).some(startsWord));
  return position === -1 ? 0 : position;
}

/** The selection with a code switched on or off; switching on a code of an exclusive dimension switches its siblings off. */
export function toggleCode(catalog: Catalog, selected: ReadonlySet<string>, id: string): Set<string> {
  if (selected.has(id)) {
    const next = new Set(selected);
    next.delete(id);
    return next;
  }
  return selectCode(catalog, selected, id);
}

/** The selection with a code on (replacing another code of its dimension when that dimension is exclusive). */
export function selectCode(catalog: Catalog, selected: ReadonlySet<string>, id: string): Set<string> {
  const code = catalog.byId.get(id);
  const next = new Set(selected);
  if (code === undefined) return next;
  if (catalog.dimensions.get(code.dimensionId)?.exclusive) {
    for (const other of selected) {
      if (catalog.byId.get(other)?.dimensionId === code.dimensionId) next.delete(other);
    }
  }
  next.add(id);
  return next;
}

/** The selected ids in codebook order. */
export function orderedSelection(catalog: Catalog, selected: ReadonlySet<string>): string[] {
  return catalog.codes.filter((code) => selected.has(code.id)).map((code) => code.id);
}

export type Mode = 'codes' | 'memo' | 'jump';

export interface PickerState {
  mode: Mode;
  filter: string;
  matches: number[];
  /** Index into matches. */
  cursor: number;
  selected: ReadonlySet<string>;
  /** The memo or segment number being typed. */
  draft: string;
  /** First line of the segment text shown, when the text is taller than its space. */
  scroll: number;
  message: string | null;
}

/** A key as node's readline reports it. */
export interface Key {
  name?: string | undefined;
  sequence?: string | undefined;
  ctrl?: boolean | undefined;
  meta?: boolean | undefined;
  shift?: boolean | undefined;
}

export type PickerEffect =
  | { kind: 'confirm'; codes: string[] }
  | { kind: 'skip' }
  | { kind: 'back' }
  | { kind: 'jump'; ordinal: number }
  | { kind: 'memo'; text: string }
  | { kind: 'editor'; draft: string }
  | { kind: 'redraw' }
  /** Scroll a long segment by whole screens of its text (the driver knows how tall that is). */
  | { kind: 'scroll'; pages: 1 | -1 }
  | { kind: 'quit' };

export interface KeyResult {
  state: PickerState;
  effect: PickerEffect | null;
}

/** The picker for a new segment: no filter, the cursor on the first code, `given` selected. */
export function initialPickerState(catalog: Catalog, given: Iterable<string>, message: string | null = null): PickerState {
  return {
    mode: 'codes',
    filter: '',
    matches: matchCodes(catalog, ''),
    cursor: 0,
    selected: new Set([...given].filter((id) => catalog.byId.has(id))),
    draft: '',
    scroll: 0,
    message,
  };
}

/** The code under the cursor, if any code matches. */
export function highlighted(catalog: Catalog, state: PickerState): PickerCode | undefined {
  const index = state.matches[state.cursor];
  return index === undefined ? undefined : catalog.codes[index];
}

/** A typed character (not a control or navigation key). */
function printable(key: Key): string | undefined {
  if (key.ctrl || key.meta) return undefined;
  const sequence = key.sequence;
  if (sequence === undefined || sequence === '' || [...sequence].length !== 1) return undefined;
  const point = sequence.codePointAt(0) as number;
  return point < 0x20 || point === 0x7f ? undefined : sequence;
}

function withFilter(catalog: Catalog, state: PickerState, filter: string): PickerState {
  const matches = matchCodes(catalog, filter);
  return { ...state, filter, matches, cursor: bestMatch(catalog, matches, filter), message: null };
}

/** The state after a key, and what the driver must do (commit, move, save a memo, quit). */
export function pressKey(catalog: Catalog, state: PickerState, key: Key): KeyResult {
  const same = (next: PickerState, effect: PickerEffect | null = null): KeyResult => ({ state: next, effect });
  if (key.meta && key.name !== 'escape') return afterEscape(catalog, state, key);
  if (key.ctrl && (key.name === 'c' || key.name === 'q')) return same(state, { kind: 'quit' });
  if (key.ctrl && key.name === 'l') return same(state, { kind: 'redraw' });
  if (key.name === 'pagedown') return same(state, { kind: 'scroll', pages: 1 });
  if (key.name === 'pageup') return same(state, { kind: 'scroll', pages: -1 });
  if (state.mode === 'memo') return memoKey(state, key);
  if (state.mode === 'jump') return jumpKey(state, key);

  const count = state.matches.length;
  const current = highlighted(catalog, state);
  switch (key.name) {
    case 'return':
    case 'enter': {
      // A mistyped filter must not pass for "no code": nothing is saved until it is fixed or cleared.
      if (state.filter !== '' && current === undefined) {
        return same({ ...state, message: `no code matches "${state.filter}": nothing saved; backspace to edit, esc to clear` });
      }
      // A filter still typed means "this one": take the highlighted code too.
      const selected = state.filter !== '' && current !== undefined ? selectCode(catalog, state.selected, current.id) : state.selected;
      return same({ ...state, selected }, { kind: 'confirm', codes: orderedSelection(catalog, selected) });
    }
    case 'space': {
      if (current === undefined) return same({ ...state, message: 'no code matches the filter' });
      const selected = toggleCode(catalog, state.selected, current.id);
      // After a choice the full list comes back, with the cursor on the code just chosen.
      const next = state.filter === '' ? state : withFilter(catalog, state, '');
      const cursor = next.matches.indexOf(catalog.codes.indexOf(current));
      return same({ ...next, selected, cursor: cursor === -1 ? 0 : cursor, message: null });
    }
    case 'up':
      return same({ ...state, cursor: count === 0 ? 0 : (state.cursor - 1 + count) % count, message: null });
    case 'down':
      return same({ ...state, cursor: count === 0 ? 0 : (state.cursor + 1) % count, message: null });
    case 'home':
      return same({ ...state, cursor: 0 });
    case 'end':
      return same({ ...state, cursor: Math.max(0, count - 1) });
    case 'tab':
      return same({ ...state, cursor: nextDimensionStart(catalog, state, key.shift ? -1 : 1) });
    case 'right':
      return same(state, { kind: 'skip' });
    case 'left':
      return same(state, { kind: 'back' });
    case 'escape':
      return same(withFilter(catalog, state, ''));
    case 'backspace':
      return same(withFilter(catalog, state, [...state.filter].slice(0, -1).join('')));
    default:
      break;
  }
  if (key.ctrl) {
    if (key.name === 'n') return same({ ...state, mode: 'memo', draft: '', message: null });
    if (key.name === 'g') return same({ ...state, mode: 'jump', draft: '', message: null });
    if (key.name === 'u' || key.name === 'w') return same(withFilter(catalog, state, ''));
    if (key.name === 'd' && state.filter === '') return same(state, { kind: 'quit' });
    return same(state);
  }
  const typed = printable(key);
  return typed === undefined ? same(state) : same(withFilter(catalog, state, state.filter + typed));
}

/**
 * Node reads Escape and a key typed within its escape timeout (half a second) as one Alt+key: ESC CR
 * comes as meta-return, ESC p as meta-p. Acting on that key would save what the coder just meant to
 * discard, so it is Escape first; a typed character after it is kept, anything else (enter above
 * all) is dropped, for the coder to press again on the screen Escape left.
 */
function afterEscape(catalog: Catalog, state: PickerState, key: Key): KeyResult {
  const escaped = pressKey(catalog, state, { name: 'escape', sequence: '\u001b' });
  const rest = key.sequence?.startsWith('\u001b') ? key.sequence.slice(1) : undefined;
  const typed = rest === undefined ? undefined : printable({ sequence: rest });
  // A space would toggle a code once Escape has left a memo: not typing, so dropped as well.
  if (typed === undefined || typed === ' ' || escaped.effect !== null) return escaped;
  return pressKey(catalog, escaped.state, { sequence: typed });
}

function nextDimensionStart(catalog: Catalog, state: PickerState, direction: 1 | -1): number {
  const dimensionAt = (position: number): string | undefined => catalog.codes[state.matches[position] ?? -1]?.dimensionId;
  const count = state.matches.length;
  if (count === 0) return 0;
  const here = dimensionAt(state.cursor);
  // The first code of the next (or, backwards, of this or the previous) dimension.
  let position = state.cursor;
  if (direction === 1) {
    while (position < count && dimensionAt(position) === here) position++;
    return position >= count ? 0 : position;
  }
  let start = position;
  while (start > 0 && dimensionAt(start - 1) === here) start--;
  if (start !== state.cursor) return start;
  if (start === 0) start = count;
  const previous = dimensionAt(start - 1);
  while (start > 0 && dimensionAt(start - 1) === previous) start--;
  return start;
}

function memoKey(state: PickerState, key: Key): KeyResult {
  const back = { ...state, mode: 'codes' as const, draft: '' };
  if (key.name === 'escape') return { state: { ...back, message: 'memo cancelled' }, effect: null };
  if (key.name === 'return' || key.name === 'enter') {
    const text = state.draft.trim();
    if (text === '') return { state: { ...back, message: 'empty memo: nothing saved' }, effect: null };
    // U+FFFD is what keys sent in another charset than UTF-8 decode to: saved, the words would be lost unseen.
    if (text.includes('\uFFFD')) {
      return { state: { ...state, message: 'the memo has characters that did not arrive as UTF-8 (shown as \uFFFD): not saved; fix them (^U clears) or esc to cancel' }, effect: null };
    }
    return { state: back, effect: { kind: 'memo', text } };
  }
  if (key.ctrl && key.name === 'e') return { state: back, effect: { kind: 'editor', draft: state.draft } };
  if (key.ctrl && key.name === 'u') return { state: { ...state, draft: '' }, effect: null };
  if (key.name === 'backspace') return { state: { ...state, draft: [...state.draft].slice(0, -1).join('') }, effect: null };
  const typed = key.name === 'space' ? ' ' : printable(key);
  return { state: typed === undefined ? state : { ...state, draft: state.draft + typed }, effect: null };
}

function jumpKey(state: PickerState, key: Key): KeyResult {
  const back = { ...state, mode: 'codes' as const, draft: '' };
  if (key.name === 'escape') return { state: back, effect: null };
  if (key.name === 'return' || key.name === 'enter') {
    return state.draft === '' ? { state: back, effect: null } : { state: back, effect: { kind: 'jump', ordinal: Number(state.draft) } };
  }
  if (key.name === 'backspace') return { state: { ...state, draft: state.draft.slice(0, -1) }, effect: null };
  const typed = printable(key);
  if (typed !== undefined && /^[0-9]$/.test(typed) && state.draft.length < 9) return { state: { ...state, draft: state.draft + typed }, effect: null };
  return { state, effect: null };
}
