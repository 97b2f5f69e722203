import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildCatalog, initialPickerState, type PickerCode } from '../../src/cli/coder/picker.js';
import { renderCoderScreen, type CoderView } from '../../src/cli/coder/screen.js';

// Reconcile offers a retired code where a coder gave it. The codebook lists retired codes after every
// active one, so the picker must put such a code back under its own dimension, and say it is retired.

const code = (id: string, status: 'active' | 'retired' = 'active'): PickerCode => ({
  id, dimensionId: id.split('.')[0]!, label: id.split('.')[1]!, labels: {}, definition: null, include: null, exclude: null, depth: 0, status,
});

const view: CoderView = { title: 'reconcile anna vs boris', previous: null, current: { label: '1', text: 'We went to the rally.' }, given: [], notes: [] };

describe('retired codes in the picker', () => {
  it('sit under their own dimension, once, marked retired', () => {
    const catalog = buildCatalog(
      [{ id: 'forms', label: 'Forms', labels: {}, exclusive: false }, { id: 'rating', label: 'Rating', labels: {}, exclusive: true }],
      // Codebook order: the retired code comes last, after the other dimension's codes.
      [code('forms.protest'), code('rating.r1'), code('rating.r2'), code('forms.old_protest', 'retired')],
    );
    expect(catalog.codes.map((item) => item.id)).toEqual(['forms.protest', 'forms.old_protest', 'rating.r1', 'rating.r2']);
    const lines = renderCoderScreen(catalog, view, initialPickerState(catalog, []), { columns: 100, rows: 40 }).lines.map((line) => stripVTControlCharacters(line));
    // The list: dimension headers and code lines (a mark in brackets, after the cursor's ›).
    const list = lines.map((line) => line.trim()).filter((line) => /^(forms|rating) · |^(› )?[[(]/.test(line));
    expect(list).toEqual([
      'forms · Forms',
      '› [ ] forms.protest  protest',
      '[ ] forms.old_protest (retired)  old_protest',
      'rating · Rating · one code',
      '( ) rating.r1  r1',
      '( ) rating.r2  r2',
    ]);
  });

  it('marks a retired dimension in its header', () => {
    const catalog = buildCatalog([{ id: 'old', label: 'Old', labels: {}, exclusive: false, status: 'retired' }], [code('old.x', 'retired')]);
    const lines = renderCoderScreen(catalog, view, initialPickerState(catalog, []), { columns: 100, rows: 40 }).lines.map((line) => stripVTControlCharacters(line));
    expect(lines.some((line) => line.trim() === 'old · Old · retired')).toBe(true);
  });
});
