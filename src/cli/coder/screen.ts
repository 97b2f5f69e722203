import chalk from 'chalk';
import wrapAnsi from 'wrap-ansi';
import { foldForSearch, highlighted, type Catalog, type PickerCode, type PickerState } from './picker.js';
import { displayWidth } from '../width.js';
import { wrapPlain } from './width.js';

/** What the coder shows for one segment; the source (coding session, reconcile, …) builds it. */
export interface CoderView {
  /** Top line, e.g. "R07 · Vilnius · segment 12/148 · 8% coded". */
  title: string;
  /** Shown dimmed at the right of the top line. */
  titleRight?: string | undefined;
  /** The segment before, dimmed for context. */
  previous: { label: string; text: string } | null;
  current: { label: string; text: string };
  /** The codes the prompt starts with (what this coder already gave). */
  given: string[];
  /** Lines under the segment: codes given, memos, notes. */
  notes: string[];
  /** Label language (a codebook language), else the codebook's first. */
  language?: string | undefined;
  /** "1–148", shown when going to a segment by number. */
  jumpRange?: string | undefined;
  /** The source goes forward only (reconcile): ← and ^G do nothing there, so the keys line leaves them out. */
  forwardOnly?: boolean | undefined;
}

export interface Size {
  columns: number;
  rows: number;
}

export interface Screen {
  lines: string[];
  /** The largest useful state.scroll for this size (the text's hidden lines). */
  maxScroll: number;
  /** Lines of segment text on screen: how far PgDn/PgUp move. */
  page: number;
}

const CODE_KEYS = 'enter confirm · space toggle · type to filter · ↑↓ move · tab next dimension · → skip · ← back · ^N memo · ^G go to segment · ^Q quit';
const MEMO_KEYS = 'enter save the memo · esc cancel · ^E write it in $EDITOR';
const JUMP_KEYS = 'enter go · esc cancel';
const FORWARD_ONLY_KEYS = CODE_KEYS.replace(' · ← back', '').replace(' · ^G go to segment', '');

/**
 * The smallest terminal the coder works in: the header, a few lines of the segment, the input line, a
 * few codes and the keys. Below it the coder shows renderTooSmall() and takes no answer, so that nobody
 * codes a segment they cannot read.
 */
export const MINIMUM_SIZE: Size = { columns: 50, rows: 18 };

export function isTooSmall(size: Size): boolean {
  return size.columns < MINIMUM_SIZE.columns || size.rows < MINIMUM_SIZE.rows;
}

/** The screen below MINIMUM_SIZE: what is needed, and how to get out. */
export function renderTooSmall(size: Size): string[] {
  const width = Math.max(1, size.columns);
  const text = `terminal too small: need at least ${MINIMUM_SIZE.columns}×${MINIMUM_SIZE.rows} (now ${size.columns}×${size.rows}); enlarge it to go on, or ^Q to quit (everything confirmed is saved)`;
  return wrapPlain(text, width).slice(0, Math.max(1, size.rows)).map((line) => fit(line, width));
}

/** A line cut to the width with an ellipsis, colours kept. */
export function fit(line: string, width: number): string {
  if (displayWidth(line) <= width) return line;
  if (width <= 1) return '…'.slice(0, width);
  return `${wrapAnsi(line, width - 1, { hard: true, trim: false, wordWrap: false }).split('\n')[0] ?? ''}…`;
}

/** Plain text wrapped to the width, paragraph by paragraph. */
export function wrap(text: string, width: number): string[] {
  return wrapPlain(text, Math.max(10, width));
}

function labelOf(item: { label: string; labels: Record<string, string> }, language: string | undefined): string {
  return (language !== undefined ? item.labels[language] : undefined) ?? item.label;
}

/** Keys help, broken at " · " to fit the width. */
function keyLines(keys: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const part of keys.split(' · ')) {
    const candidate = line === '' ? part : `${line} · ${part}`;
    if (displayWidth(candidate) > width && line !== '') {
      lines.push(line);
      line = part;
    } else {
      line = candidate;
    }
  }
  if (line !== '') lines.push(line);
  return lines.map((text) => chalk.dim(fit(text, width)));
}

type ListRow = { kind: 'dimension'; text: string } | { kind: 'code'; code: PickerCode; position: number; exclusive: boolean };

/** The whole screen for one state, as lines no wider than the terminal. */
export function renderCoderScreen(catalog: Catalog, view: CoderView, state: PickerState, size: Size): Screen {
  const width = Math.max(20, size.columns);
  const height = Math.max(12, size.rows);
  const language = view.language;

  const title = chalk.bold(view.title);
  const right = view.titleRight === undefined ? '' : view.titleRight;
  const gap = width - displayWidth(view.title) - displayWidth(right);
  const header = gap >= 2 ? `${title}${' '.repeat(gap)}${chalk.dim(right)}` : fit(title, width);

  const previousLines = view.previous === null ? [] : wrap(`${view.previous.label} ${view.previous.text}`, width);
  const previousHeight = Math.min(previousLines.length, height >= 30 ? 2 : 1);
  let previous = previousLines.slice(0, previousHeight).map((line, index) =>
    chalk.dim(index === previousHeight - 1 && previousLines.length > previousHeight ? fit(`${line} …`, width) : line));

  // Up to four: the codes given, two memos and the "+N more memos" line that says where the rest are.
  let notes = view.notes.slice(0, 4).map((note) => fit(note, width));
  const keys = keyLines(state.mode === 'memo' ? MEMO_KEYS : state.mode === 'jump' ? JUMP_KEYS : view.forwardOnly ? FORWARD_ONLY_KEYS : CODE_KEYS, width);
  // A message keeps all its lines (up to a third of the screen): its end often says how to fix what it reports.
  const message = messageLines(state.message, width, Math.max(1, Math.floor(height / 3)));
  const frame = (): number => 1 + previous.length + notes.length + 1 + 1 + 1 + keys.length + message.length;
  // On a short terminal the notes and then the previous segment give way, so that ten lines are left
  // for the segment (three lines and where they are), the codes and the definition, and the keys and
  // messages stay in view.
  while (height - frame() < 10 && notes.length > 0) notes = notes.slice(0, -1);
  if (height - frame() < 10) previous = [];
  const fixed = frame();
  // The definition's own lines; on a small terminal they give way first, so that the keys stay in view.
  const definitionBase = Math.max(1, Math.min(height >= 28 ? Math.min(8, Math.max(4, Math.floor(height / 6))) : 2, height - fixed - 4));
  const available = Math.max(2, height - fixed - definitionBase);

  const listRows = buildListRows(catalog, state, language);
  const textAll = wrap(`${view.current.label} ${view.current.text}`, width);
  const minimumList = Math.min(6, Math.max(1, listRows.length));
  // A text that must scroll needs a line more for the "lines a–b of n" under it.
  const minimumText = textAll.length <= 3 ? textAll.length : 4;
  const textHeight = Math.min(textAll.length, Math.max(Math.min(minimumText, available - 1), available - minimumList));
  let listHeight = Math.max(1, available - textHeight);
  // A filter that leaves fewer codes than the list has room for lends the rest to the definition, so the
  // coder reads the whole definition and criteria of the code about to be chosen.
  const spare = listRows.length > 0 ? Math.max(0, listHeight - listRows.length) : 0;
  const definition = renderDefinition(catalog, state, language, definitionBase, definitionBase + spare, width);
  listHeight += definitionBase - definition.length;
  let text: string[];
  let maxScroll = 0;
  let page = textAll.length;
  if (textAll.length <= textHeight) {
    text = textAll;
  } else {
    const shown = Math.max(1, textHeight - 1);
    page = shown;
    maxScroll = textAll.length - shown;
    const scroll = Math.min(state.scroll, maxScroll);
    text = [...textAll.slice(scroll, scroll + shown), chalk.dim(fit(`… lines ${scroll + 1}–${scroll + shown} of ${textAll.length} · PgDn/PgUp to scroll`, width))];
  }
  if (state.scroll === 0 && text[0] !== undefined) text[0] = text[0].replace(view.current.label, chalk.bold(view.current.label));

  const rule = chalk.dim('─'.repeat(width));
  const list = renderList(listRows, state, listHeight, width, language);
  // Where even that does not fit (12 rows, 40 columns: the keys take five lines), the definition gives way.
  let overflow = 1 + previous.length + text.length + notes.length + 2 + list.length + 1 + definition.length + keys.length + message.length - height;
  const definitionShown = definition.slice(0, Math.max(0, definition.length - Math.max(0, overflow)));
  overflow -= definition.length - definitionShown.length;
  // Then the list's last rows, so that the message at the bottom is never what is cut.
  const listShown = list.slice(0, Math.max(1, list.length - Math.max(0, overflow)));
  const lines = [
    header,
    ...previous,
    ...text,
    ...notes,
    rule,
    fit(inputLine(catalog, view, state, width), width),
    ...listShown,
    rule,
    ...definitionShown,
    ...keys,
    ...message,
  ];
  return { lines: lines.slice(0, height), maxScroll, page };
}

/** The message wrapped to the width, at most `maximum` lines (the last cut with an ellipsis); one empty line for none. */
function messageLines(message: string | null, width: number, maximum: number): string[] {
  if (message === null) return [''];
  const lines = wrapPlain(message, width);
  const shown = lines.slice(0, maximum);
  if (lines.length > maximum) shown[maximum - 1] = fit(`${shown[maximum - 1] ?? ''} …`, width);
  return shown.map((line) => chalk.yellow(fit(line, width)));
}

/**
 * The line being typed on, no wider than the width. A draft or filter too long for it shows "…" and its
 * end, so that the cursor and the last words typed stay in view.
 */
function inputLine(catalog: Catalog, view: CoderView, state: PickerState, width: number): string {
  const typing = (label: string, short: string): string => {
    const room = width - displayWidth(label) - 2;
    // On a narrow screen the label gives way to what is typed.
    const shown = room >= 10 ? label : short;
    return `${chalk.bold(shown)} ${keepEnd(state.draft, width - displayWidth(shown) - 2)}▏`;
  };
  if (state.mode === 'memo') return typing('Memo on this segment ›', 'Memo ›');
  if (state.mode === 'jump') return typing(`Go to segment${view.jumpRange ? ` (${view.jumpRange})` : ''} ›`, 'Go to ›');
  const given = new Set(view.given);
  const added = [...state.selected].filter((id) => !given.has(id)).length;
  const removed = view.given.filter((id) => !state.selected.has(id)).length;
  const pending = added + removed > 0 ? chalk.yellow(` (unsaved: +${added} −${removed})`) : '';
  const count = state.filter === '' ? `${catalog.codes.length} codes` : `${state.matches.length} of ${catalog.codes.length} codes`;
  const after = `  ${chalk.dim(count)} · ${state.selected.size} selected${pending}`;
  // What follows the cursor is cut at the line's end (by fit) before the cursor goes out of view.
  const room = Math.max(10, width - displayWidth('Codes › ▏') - displayWidth(after));
  return `${chalk.bold('Codes ›')} ${keepEnd(state.filter, room)}▏${after}`;
}

const graphemes = new Intl.Segmenter();

/** Plain text in at most `room` columns: as it is, or "…" and as much of its end as fits. */
function keepEnd(text: string, room: number): string {
  if (displayWidth(text) <= room) return text;
  if (room < 1) return '';
  const characters = [...graphemes.segment(text)].map((item) => item.segment);
  const kept: string[] = [];
  let used = displayWidth('…');
  for (let index = characters.length - 1; index >= 0; index--) {
    const character = characters[index] ?? '';
    const size = displayWidth(character);
    if (used + size > room) break;
    kept.unshift(character);
    used += size;
  }
  return `…${kept.join('')}`;
}

function buildListRows(catalog: Catalog, state: PickerState, language: string | undefined): ListRow[] {
  const rows: ListRow[] = [];
  let dimensionId: string | undefined;
  state.matches.forEach((index, position) => {
    const code = catalog.codes[index];
    if (code === undefined) return;
    if (code.dimensionId !== dimensionId) {
      dimensionId = code.dimensionId;
      const dimension = catalog.dimensions.get(dimensionId);
      const label = dimension === undefined ? dimensionId : labelOf(dimension, language);
      rows.push({ kind: 'dimension', text: `${dimensionId} · ${label}${dimension?.exclusive ? ' · one code' : ''}${dimension?.status === 'retired' ? ' · retired' : ''}` });
    }
    rows.push({ kind: 'code', code, position, exclusive: catalog.dimensions.get(code.dimensionId)?.exclusive ?? false });
  });
  return rows;
}

function renderList(rows: ListRow[], state: PickerState, height: number, width: number, language: string | undefined): string[] {
  if (rows.length === 0) {
    return [chalk.yellow(fit(`  no code matches "${state.filter}": backspace to edit, esc to clear`, width)), ...Array<string>(height - 1).fill('')];
  }
  const cursorRow = Math.max(0, rows.findIndex((row) => row.kind === 'code' && row.position === state.cursor));
  // Keep the cursor a third of the way down, so the codes after it stay in view.
  const first = Math.max(0, Math.min(cursorRow - Math.floor(height / 3), rows.length - height));
  const visible = rows.slice(first, first + height).map((row) => {
    if (row.kind === 'dimension') return chalk.bold(fit(`  ${row.text}`, width));
    const { code } = row;
    const selected = state.selected.has(code.id);
    const here = row.position === state.cursor;
    return fit(codeLine(code, { selected, here, exclusive: row.exclusive, filter: state.filter, language }), width);
  });
  while (visible.length < height) visible.push('');
  return visible;
}

function codeLine(code: PickerCode, options: { selected: boolean; here: boolean; exclusive: boolean; filter: string; language: string | undefined }): string {
  const pointer = options.here ? '›' : ' ';
  // Round marks for a one-code dimension, as radio buttons are.
  const mark = options.exclusive ? (options.selected ? '(•)' : '( )') : options.selected ? '[x]' : '[ ]';
  const indent = '  '.repeat(code.depth);
  const retired = code.status === 'retired' ? ' (retired)' : '';
  const text = `${pointer} ${mark} ${indent}${code.id}${retired}  ${labelsFor(code, options.filter, options.language)}`;
  if (options.here) return chalk.inverse(text);
  return options.selected ? chalk.green(text) : text;
}

/** The code's label, plus the other-language label that matched what the coder typed. */
function labelsFor(code: PickerCode, filter: string, language: string | undefined): string {
  const shown = labelOf(code, language);
  const needle = foldForSearch(filter);
  if (needle === '' || foldForSearch(shown).includes(needle)) return shown;
  const extra = [code.label, ...Object.values(code.labels)].find((label) => foldForSearch(label).includes(needle));
  return extra === undefined ? shown : `${shown} · ${extra}`;
}

/**
 * The highlighted code's label, definition and include (+) / exclude (−) criteria in `minimum` to
 * `maximum` lines: all of it when it fits, else the definition first and at least a line of each
 * criterion, each part cut with an ellipsis. Padded to `minimum` so the layout does not jump as the
 * cursor moves.
 */
function renderDefinition(catalog: Catalog, state: PickerState, language: string | undefined, minimum: number, maximum: number, width: number): string[] {
  const code = highlighted(catalog, state);
  const pad = (lines: string[]): string[] => [...lines, ...Array<string>(Math.max(0, minimum - lines.length)).fill('')];
  if (code === undefined) return pad([]);
  const label = labelOf(code, language);
  const others = [code.label, ...Object.values(code.labels)].filter((other) => other !== label);
  const head = fit(`${chalk.bold(code.id)} — ${label}${others.length > 0 ? chalk.dim(` · ${others.join(' · ')}`) : ''}`, width);
  const flat = (text: string | null): string | null => (text === null ? null : text.replace(/\s+/g, ' ').trim());
  const parts = [
    { text: flat(code.definition), mark: '', colour: (line: string) => line },
    { text: flat(code.include), mark: '+ ', colour: chalk.green },
    { text: flat(code.exclude), mark: '− ', colour: chalk.red },
  ].flatMap((part) => (part.text === null || part.text === '' ? [] : [{ ...part, lines: wrapPart(part.mark, part.text, width) }]));
  const room = Math.max(0, maximum - 1);
  // One line for each part while room lasts, then the rest in order: definition, include, exclude.
  const shown = parts.map((_part, index): number => (index < room ? 1 : 0));
  let left = room - shown.reduce((sum, count) => sum + count, 0);
  parts.forEach((part, index) => {
    const more = Math.min(left, part.lines.length - (shown[index] ?? 0));
    if ((shown[index] ?? 0) > 0 && more > 0) {
      shown[index] = (shown[index] ?? 0) + more;
      left -= more;
    }
  });
  const body = parts.flatMap((part, index) => {
    const count = shown[index] ?? 0;
    const lines = part.lines.slice(0, count);
    if (count > 0 && count < part.lines.length) lines[count - 1] = fit(`${lines[count - 1]} …`, width);
    return lines.map((line) => fit(part.colour(line), width));
  });
  return pad([head, ...body].slice(0, Math.max(1, maximum)));
}

/** A criterion wrapped under its mark ("+ ", "− "), continuation lines indented to match. */
function wrapPart(mark: string, text: string, width: number): string[] {
  const indent = ' '.repeat(mark.length);
  return wrap(text, width - mark.length).map((line, index) => (index === 0 ? mark : indent) + line);
}
