import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import {
  bestMatch, buildCatalog, highlighted, initialPickerState, matchCodes, orderedSelection, pressKey, toggleCode,
  type Catalog, type Key, type PickerCode, type PickerState,
} from '../../src/cli/coder/picker.js';
import { renderCoderScreen, type CoderView } from '../../src/cli/coder/screen.js';

const code = (id: string, label: string, ru: string, extra: Partial<PickerCode> = {}): PickerCode => ({
  id, dimensionId: id.split('.')[0] as string, label, labels: { ru }, definition: null, include: null, exclude: null, depth: 0, ...extra,
});

const catalog: Catalog = buildCatalog(
  [
    { id: 'forms', label: 'Forms of participation', labels: { ru: 'Формы участия' }, exclusive: false },
    { id: 'migration_effect', label: 'Effect of migration', labels: {}, exclusive: true },
    { id: 'networks', label: 'Networks', labels: {}, exclusive: false },
  ],
  [
    code('forms.protest', 'Protest, demonstration, picket', 'Протест, митинг, пикет', {
      definition: 'Taking part in or organising street protest.', include: 'pickets, rallies', exclude: 'online petitions',
    }),
    code('forms.petitions', 'Petitions and open letters', 'Петиции и открытые письма'),
    code('forms.media', 'Media work', 'Работа со СМИ'),
    code('migration_effect.mobilising', 'Mobilising', 'Мобилизует'),
    code('migration_effect.inhibiting', 'Inhibiting', 'Сдерживает'),
    code('networks.value_based', 'Value-based networks', 'Ценностные сети'),
    code('networks.self_protection', 'Mutual protection', 'Взаимная защита'),
  ],
);

const ids = (matches: number[]): string[] => matches.map((index) => catalog.codes[index]?.id ?? '?');
const key = (name: string, extra: Partial<Key> = {}): Key => ({ name, sequence: name.length === 1 ? name : undefined, ...extra });
const typeText = (state: PickerState, text: string, into: Catalog = catalog): PickerState =>
  [...text].reduce((current, char) => pressKey(into, current, { name: char.toLowerCase(), sequence: char }).state, state);

describe('filtering codes as the coder types', () => {
  it.each([
    ['', 7],
    ['prot', 2],
    ['ПРОТЕСТ', 1],
    ['митинг', 1],
    ['forms.', 3],
    ['letters', 1],
    ['zzz', 0],
  ])('%j matches %i codes', (filter, count) => {
    expect(matchCodes(catalog, filter)).toHaveLength(count);
  });

  it('matches by id, English or Russian label, ignoring case and ё/е', () => {
    expect(ids(matchCodes(catalog, 'prot'))).toEqual(['forms.protest', 'networks.self_protection']);
    expect(ids(matchCodes(catalog, 'письма'))).toEqual(['forms.petitions']);
    expect(ids(matchCodes(catalog, 'value_b'))).toEqual(['networks.value_based']);
    const withYo = buildCatalog([{ id: 'a', label: 'A', labels: {}, exclusive: false }], [code('a.x', 'X', 'Объём работы')]);
    expect(matchCodes(withYo, 'объем')).toHaveLength(1);
  });

  it('puts the cursor on the code with a word starting with the filter', () => {
    const matches = matchCodes(catalog, 'protect');
    expect(ids(matches)).toEqual(['networks.self_protection']);
    expect(bestMatch(catalog, matchCodes(catalog, 'ва'), 'ва')).toBe(0);
    const words = buildCatalog([{ id: 'a', label: 'A', labels: {}, exclusive: false }], [code('a.x', 'Restatement', ''), code('a.y', 'Statistics', '')]);
    expect(bestMatch(words, matchCodes(words, 'stat'), 'stat')).toBe(1);
    const demo = typeText(initialPickerState(catalog, []), 'pick');
    expect(highlighted(catalog, demo)?.id).toBe('forms.protest');
  });
});

describe('toggling and exclusive dimensions', () => {
  it('toggles a code on and off', () => {
    const on = toggleCode(catalog, new Set(), 'forms.protest');
    expect([...on]).toEqual(['forms.protest']);
    expect([...toggleCode(catalog, on, 'forms.protest')]).toEqual([]);
  });

  it('keeps several codes of an ordinary dimension', () => {
    const both = toggleCode(catalog, new Set(['forms.protest']), 'forms.media');
    expect(orderedSelection(catalog, both)).toEqual(['forms.protest', 'forms.media']);
  });

  it('lets one code of an exclusive dimension stand: choosing one deselects the other', () => {
    const first = toggleCode(catalog, new Set(['forms.protest', 'migration_effect.mobilising']), 'migration_effect.inhibiting');
    expect(orderedSelection(catalog, first)).toEqual(['forms.protest', 'migration_effect.inhibiting']);
  });

  it('starts from the codes already given, ignoring ids the picker does not offer', () => {
    expect([...initialPickerState(catalog, ['forms.media', 'forms.retired']).selected]).toEqual(['forms.media']);
  });
});

describe('keys', () => {
  it('space toggles the highlighted code, clears the filter and keeps the cursor on that code', () => {
    let state = typeText(initialPickerState(catalog, []), 'media');
    state = pressKey(catalog, state, key('space', { sequence: ' ' })).state;
    expect([...state.selected]).toEqual(['forms.media']);
    expect(state.filter).toBe('');
    expect(state.matches).toHaveLength(7);
    expect(highlighted(catalog, state)?.id).toBe('forms.media');
  });

  it('enter confirms the selection in codebook order', () => {
    let state = initialPickerState(catalog, ['networks.value_based']);
    state = pressKey(catalog, state, key('space', { sequence: ' ' })).state;
    const { effect } = pressKey(catalog, state, key('return'));
    expect(effect).toEqual({ kind: 'confirm', codes: ['forms.protest', 'networks.value_based'] });
  });

  it('enter with a filter still typed takes the highlighted code too', () => {
    const state = typeText(initialPickerState(catalog, ['migration_effect.mobilising']), 'inhib');
    expect(pressKey(catalog, state, key('return')).effect).toEqual({ kind: 'confirm', codes: ['migration_effect.inhibiting'] });
  });

  it('enter with a filter that matches no code saves nothing and says why', () => {
    const state = typeText(initialPickerState(catalog, ['forms.media']), 'protsetx');
    const result = pressKey(catalog, state, key('return'));
    expect(result.effect).toBeNull();
    expect(result.state.message).toBe('no code matches "protsetx": nothing saved; backspace to edit, esc to clear');
    expect([...result.state.selected]).toEqual(['forms.media']);
  });

  it('PgDn and PgUp ask the driver to scroll the segment by a page', () => {
    expect(pressKey(catalog, initialPickerState(catalog, []), key('pagedown')).effect).toEqual({ kind: 'scroll', pages: 1 });
    expect(pressKey(catalog, initialPickerState(catalog, []), key('pageup')).effect).toEqual({ kind: 'scroll', pages: -1 });
  });

  it('arrows move and wrap, tab jumps to the next dimension, backspace and escape edit the filter', () => {
    let state = initialPickerState(catalog, []);
    state = pressKey(catalog, state, key('up')).state;
    expect(highlighted(catalog, state)?.id).toBe('networks.self_protection');
    state = pressKey(catalog, state, key('down')).state;
    expect(highlighted(catalog, state)?.id).toBe('forms.protest');
    state = pressKey(catalog, state, key('tab')).state;
    expect(highlighted(catalog, state)?.id).toBe('migration_effect.mobilising');
    state = pressKey(catalog, state, key('tab', { shift: true })).state;
    expect(highlighted(catalog, state)?.id).toBe('forms.protest');
    state = pressKey(catalog, state, key('tab', { shift: true })).state;
    expect(highlighted(catalog, state)?.id).toBe('networks.value_based');
    state = typeText(state, 'medx');
    expect(state.matches).toHaveLength(0);
    state = pressKey(catalog, state, key('backspace')).state;
    expect(ids(state.matches)).toEqual(['forms.media']);
    state = pressKey(catalog, state, key('escape')).state;
    expect(state.filter).toBe('');
  });

  it.each<[string, Key, string]>([
    ['→ skips', key('right'), 'skip'],
    ['← goes back', key('left'), 'back'],
    ['^Q quits', key('q', { ctrl: true }), 'quit'],
    ['^C quits', key('c', { ctrl: true }), 'quit'],
  ])('%s', (_title, pressed, kind) => {
    expect(pressKey(catalog, initialPickerState(catalog, []), pressed).effect?.kind).toBe(kind);
  });

  it('^N opens a memo line: typing (spaces too) then enter saves it; escape cancels', () => {
    let state = pressKey(catalog, initialPickerState(catalog, ['forms.media']), key('n', { ctrl: true })).state;
    expect(state.mode).toBe('memo');
    state = typeText(state, 'Bank ');
    state = pressKey(catalog, state, key('space', { sequence: ' ' })).state;
    state = typeText(state, 'refused');
    const saved = pressKey(catalog, state, key('return'));
    expect(saved.effect).toEqual({ kind: 'memo', text: 'Bank  refused' });
    expect(saved.state.mode).toBe('codes');
    expect([...saved.state.selected]).toEqual(['forms.media']);
    expect(pressKey(catalog, state, key('escape')).effect).toBeNull();
    expect(pressKey(catalog, state, key('e', { ctrl: true })).effect).toEqual({ kind: 'editor', draft: 'Bank  refused' });
  });

  it('^G reads a segment number; letters are ignored', () => {
    let state = pressKey(catalog, initialPickerState(catalog, []), key('g', { ctrl: true })).state;
    state = typeText(state, '1a2');
    expect(state.draft).toBe('12');
    expect(pressKey(catalog, state, key('return')).effect).toEqual({ kind: 'jump', ordinal: 12 });
  });
});

// Escape and a key typed within node's escape timeout reach the picker as one key with meta set,
// exactly as readline's emitKeypressEvents reports them (name, meta, sequence).
describe('a key typed right after escape (read by node as Alt+key)', () => {
  const escReturn: Key = { name: 'return', sequence: '\u001b\r', ctrl: false, meta: true, shift: false };
  const escLetter = (letter: string): Key => ({ name: letter, sequence: `\u001b${letter}`, ctrl: false, meta: true, shift: false });
  const escCyrillic: Key = { name: undefined, sequence: '\u001bп', ctrl: false, meta: true, shift: false };
  const lone: Key = { name: 'escape', sequence: '\u001b', ctrl: false, meta: true, shift: false };

  it('escape then enter with a filter typed clears the filter and saves nothing', () => {
    const typed = typeText(initialPickerState(catalog, []), 'прот');
    const result = pressKey(catalog, typed, escReturn);
    expect(result.effect).toBeNull();
    expect(result.state.filter).toBe('');
    expect(result.state.selected.size).toBe(0);
  });

  it('escape then enter on a memo cancels it and saves nothing', () => {
    let state = pressKey(catalog, initialPickerState(catalog, []), key('n', { ctrl: true })).state;
    state = typeText(state, 'not meant');
    const result = pressKey(catalog, state, escReturn);
    expect(result.effect).toBeNull();
    expect(result.state.mode).toBe('codes');
    expect(result.state.draft).toBe('');
    expect(result.state.message).toBe('memo cancelled');
  });

  it('escape then enter on a segment number goes nowhere', () => {
    let state = pressKey(catalog, initialPickerState(catalog, []), key('g', { ctrl: true })).state;
    state = typeText(state, '12');
    const result = pressKey(catalog, state, escReturn);
    expect(result.effect).toBeNull();
    expect(result.state.mode).toBe('codes');
  });

  it('escape then a letter clears the filter and keeps the letter, Latin or Cyrillic', () => {
    let state = typeText(initialPickerState(catalog, []), 'abc');
    state = pressKey(catalog, state, escLetter('p')).state;
    state = typeText(state, 'rot');
    expect(state.filter).toBe('prot');
    expect(highlighted(catalog, state)?.id).toBe('forms.protest');
    state = pressKey(catalog, typeText(state, 'x'), escCyrillic).state;
    expect(state.filter).toBe('п');
  });

  it('escape then a letter on a memo cancels the memo', () => {
    let state = pressKey(catalog, initialPickerState(catalog, []), key('n', { ctrl: true })).state;
    state = typeText(state, 'draft');
    const result = pressKey(catalog, state, escLetter('m'));
    expect(result.effect).toBeNull();
    expect(result.state.mode).toBe('codes');
    expect(result.state.filter).toBe('m');
  });

  it('escape then space does not toggle a code', () => {
    const state = typeText(initialPickerState(catalog, []), 'media');
    const result = pressKey(catalog, state, { name: 'space', sequence: '\u001b ', meta: true });
    expect(result.effect).toBeNull();
    expect(result.state.selected.size).toBe(0);
    expect(result.state.filter).toBe('');
  });

  it('a lone escape (which node also marks meta) still clears the filter', () => {
    const state = pressKey(catalog, typeText(initialPickerState(catalog, []), 'prot'), lone).state;
    expect(state.filter).toBe('');
  });
});

describe('the coder screen', () => {
  const view: CoderView = {
    title: 'R07 · Vilnius · segment 12/148 · 8% coded',
    titleRight: 'r07-madrid-ru · anna',
    previous: { label: '11 Интервьюер:', text: 'Как вы оказались именно в Вильнюсе?' },
    current: { label: '12 Респондент:', text: 'Здесь уже были несколько человек из нашего движения. '.repeat(6) },
    given: ['forms.media'],
    notes: ['Coded by anna: forms.media'],
    language: 'ru',
  };

  it('shows the header, both segments, the codes grouped by dimension and the highlighted definition', () => {
    const { lines } = renderCoderScreen(catalog, view, initialPickerState(catalog, view.given), { columns: 100, rows: 40 });
    const text = lines.join('\n');
    expect(lines[0]?.startsWith('R07 · Vilnius · segment 12/148 · 8% coded')).toBe(true);
    expect(lines[0]?.endsWith('r07-madrid-ru · anna')).toBe(true);
    expect(text).toContain('11 Интервьюер: Как вы оказались');
    expect(text).toContain('12 Респондент: Здесь');
    expect(text).toContain('forms · Формы участия');
    expect(text).toContain('migration_effect · Effect of migration · one code');
    expect(text).toContain('› [ ] forms.protest  Протест, митинг, пикет');
    expect(text).toContain('  [x] forms.media  Работа со СМИ');
    expect(text).toContain('  ( ) migration_effect.mobilising');
    expect(text).toContain('+ pickets, rallies');
    expect(text).toContain('− online petitions');
    expect(text).toContain('^N memo');
    expect(lines.every((line) => line.length <= 100)).toBe(true);
    expect(lines.length).toBeLessThanOrEqual(40);
  });

  it('keeps the keys, the input line and the message in view on every terminal from 12 rows up', () => {
    const long = { ...view, notes: ['Coded by anna: forms.media', 'Coded by boris: forms.protest', 'Memo: see the 2023 interview'], current: { label: '12 R:', text: 'word '.repeat(400) } };
    const failures: string[] = [];
    for (const columns of [40, 60, 80, 120]) {
      for (let rows = 12; rows <= 30; rows++) {
        const state = { ...initialPickerState(catalog, []), message: 'MESSAGE-LINE' };
        const { lines } = renderCoderScreen(catalog, long, state, { columns, rows });
        const text = lines.join('\n');
        if (lines.length > rows || !text.includes('^Q quit') || !text.includes('Codes ›') || !text.includes('MESSAGE-LINE') || !text.includes('12 R:')) {
          failures.push(`${columns}×${rows}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('fits a small terminal and lets a long segment scroll', () => {
    const long = { ...view, current: { label: '12 R:', text: 'word '.repeat(400) } };
    const screen = renderCoderScreen(catalog, long, initialPickerState(catalog, []), { columns: 60, rows: 24 });
    expect(screen.lines.length).toBeLessThanOrEqual(24);
    expect(screen.lines.every((line) => line.length <= 60)).toBe(true);
    expect(screen.maxScroll).toBeGreaterThan(0);
    expect(screen.lines.join('\n')).toContain('PgDn/PgUp to scroll');
  });

  const longDefinition = buildCatalog(
    [{ id: 'forms', label: 'Forms', labels: {}, exclusive: false }],
    [
      ...Array.from({ length: 40 }, (_, index) => code(`forms.filler${index}`, `Filler ${index}`, `Заполнитель ${index}`)),
      code('forms.protest', 'Protest, demonstration, picket', 'Протест, митинг, пикет', {
        definition: `Public collective action. ${'More of the definition. '.repeat(6)}END-OF-DEFINITION`,
        include: `Street rallies. ${'More to include. '.repeat(4)}END-OF-INCLUDE`,
        exclude: `Online-only actions. ${'More to exclude. '.repeat(4)}END-OF-EXCLUDE`,
      }),
    ],
  );

  it('shows the whole definition and both criteria once a filter leaves room, on an 80×24 terminal', () => {
    const size = { columns: 80, rows: 24 };
    const full = initialPickerState(longDefinition, []);
    const cursorOnProtest = { ...full, cursor: full.matches.length - 1 };
    const unfiltered = renderCoderScreen(longDefinition, view, cursorOnProtest, size).lines.join('\n');
    expect(unfiltered).toContain('forms.protest — Протест, митинг, пикет');
    expect(unfiltered).not.toContain('END-OF-DEFINITION');

    const filtered = renderCoderScreen(longDefinition, view, typeText(full, 'протест', longDefinition), size);
    const text = filtered.lines.join('\n');
    for (const end of ['END-OF-DEFINITION', 'END-OF-INCLUDE', 'END-OF-EXCLUDE', '+ Street rallies.', '− Online-only actions.', '^Q quit']) {
      expect(text).toContain(end);
    }
    expect(filtered.lines.length).toBeLessThanOrEqual(24);
  });

  it('keeps one line of each criterion when the definition must be cut', () => {
    const state = typeText(initialPickerState(longDefinition, []), 'протест', longDefinition);
    const lines = renderCoderScreen(longDefinition, { ...view, current: { label: '12 R:', text: 'word '.repeat(600) } }, state, { columns: 80, rows: 30 }).lines;
    const text = lines.join('\n');
    expect(text).toContain('+ Street rallies.');
    expect(text).toContain('− Online-only actions.');
    expect(text).toContain('… lines 1–');
  });

  it.each([
    [100, 40],
    [80, 24],
    [60, 20],
    [40, 16],
  ])('at %i×%i no line is wider than the terminal (Cyrillic, CJK, emoji) and the keys stay in view', (columns, rows) => {
    const wide = {
      ...view,
      title: 'R07 · Мадрид 🙂 · segment 12/148 · 8% coded',
      previous: { label: '11 Интервьюер:', text: '中文字 '.repeat(60) },
      current: { label: '12 Респондент:', text: 'Эмиграция 🙂 中文字 протест. '.repeat(40) },
      notes: ['Coded by anna: forms.media', `Memo: ${'заметка 🙂 '.repeat(20)}`],
    };
    const state = initialPickerState(catalog, view.given);
    const lines = renderCoderScreen(catalog, wide, state, { columns, rows }).lines;
    expect(lines.length).toBeLessThanOrEqual(rows);
    for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(columns);
    expect(lines.join(' ')).toMatch(/\^Q\s+quit/);
  });

  it('counts unsaved changes on the input line', () => {
    const state = pressKey(catalog, initialPickerState(catalog, view.given), key('space', { sequence: ' ' })).state;
    const { lines } = renderCoderScreen(catalog, view, state, { columns: 100, rows: 40 });
    expect(lines.join('\n')).toContain('2 selected (unsaved: +1 −0)');
  });
});
