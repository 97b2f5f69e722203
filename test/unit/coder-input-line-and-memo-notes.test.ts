import stringWidth from 'string-width';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildCatalog, initialPickerState, type Catalog, type PickerCode, type PickerState } from '../../src/cli/coder/picker.js';
import { renderCoderScreen, type CoderView } from '../../src/cli/coder/screen.js';

const code = (id: string, label: string): PickerCode => ({
  id, dimensionId: id.split('.')[0] as string, label, labels: {}, definition: `Definition of ${label}.`, include: null, exclude: null, depth: 0,
});

const catalog: Catalog = buildCatalog(
  [{ id: 'forms', label: 'Forms', labels: {}, exclusive: false }],
  Array.from({ length: 8 }, (_, index) => code(`forms.code${index}`, `Code ${index}`)),
);

const view: CoderView = {
  title: 'R02 · segment 3/20 · 10% coded',
  previous: null,
  current: { label: '3 R:', text: 'A short answer.' },
  given: [],
  notes: ['Not coded yet by zed'],
};

function inputRow(state: PickerState, columns: number): string {
  const { lines } = renderCoderScreen(catalog, view, state, { columns, rows: 30 });
  for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(columns);
  const row = lines.map((line) => stripVTControlCharacters(line)).find((line) => /^(Memo on this segment|Memo|Codes) ›/.test(line));
  if (row === undefined) throw new Error(`no input line in:\n${lines.join('\n')}`);
  return row;
}

describe('the input line with more typed than fits', () => {
  const memo = `${Array.from({ length: 30 }, (_, index) => `word${index}`).join(' ')} the very end`;

  it('shows the end of a long memo draft and the cursor after it', () => {
    const row = inputRow({ ...initialPickerState(catalog, []), mode: 'memo', draft: memo }, 60);
    expect(row.startsWith('Memo on this segment › …')).toBe(true);
    expect(row.endsWith('the very end▏')).toBe(true);
    expect(stringWidth(row)).toBe(60);
  });

  it('keeps wide characters whole and within the width', () => {
    const draft = `${'日本語のメモ'.repeat(12)}終わり`;
    const row = inputRow({ ...initialPickerState(catalog, []), mode: 'memo', draft }, 61);
    expect(row.endsWith('終わり▏')).toBe(true);
    expect(stringWidth(row)).toBeLessThanOrEqual(61);
  });

  it('leaves a short draft as it is', () => {
    const row = inputRow({ ...initialPickerState(catalog, []), mode: 'memo', draft: 'Bank refused twice' }, 60);
    expect(row).toBe('Memo on this segment › Bank refused twice▏');
  });

  it('keeps the end of a long filter and the cursor in view, cutting what follows it instead', () => {
    const state = { ...initialPickerState(catalog, []), filter: 'a filter typed far longer than the line has room for, ending here' };
    const row = inputRow(state, 60);
    expect(row).toMatch(/^Codes › …[^▏]*ending here▏/);
  });
});

describe('the notes under the segment', () => {
  it('show the "+N more memos" line after the first two memos', () => {
    const notes = ['Coded by zed: forms.protest', 'Memo: first', 'Memo: second', '(+2 more memos: qcode memo list --document r02-riga-en)'];
    const { lines } = renderCoderScreen(catalog, { ...view, notes }, initialPickerState(catalog, []), { columns: 100, rows: 40 });
    const text = lines.map((line) => stripVTControlCharacters(line));
    for (const note of notes) expect(text).toContain(note);
  });
});
