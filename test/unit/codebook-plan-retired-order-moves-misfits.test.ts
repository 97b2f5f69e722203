import { describe, expect, it } from 'vitest';
import { parseCodebook } from '../../src/core/codebook.js';
import { attributeMisfit, planCodebookApply, type StoredAttribute, type StoredCodebook } from '../../src/core/codebook-plan.js';

const dimension = (id: string, exclusive: boolean): StoredCodebook['dimensions'][number] =>
  ({ id, label: id, labels: {}, description: null, exclusive, color: null, status: 'active', passMarks: 0 });

const code = (id: string, parentId: string | null, codings: number, status: 'active' | 'retired' = 'active'): StoredCodebook['codes'][number] => ({
  id, dimensionId: id.split('.')[0] as string, parentId, label: id, labels: {}, definition: null, include: null, exclude: null,
  examples: [], color: null, status, codings,
});

describe('planCodebookApply: retired codes leaving the store', () => {
  it('deletes children before parents whatever their stored order (a parent retired later sorts after its child)', () => {
    const stored: StoredCodebook = {
      dimensions: [dimension('forms', false)],
      // As loaded (ORDER BY ord): the child was retired first, then the parent, whose ord went past it.
      codes: [code('forms.protest', null, 0), code('forms.alpha.c.d', 'forms.alpha.c', 0, 'retired'), code('forms.alpha.c', 'forms.alpha', 0, 'retired'), code('forms.alpha', null, 0, 'retired')],
      attributes: [],
      hypotheses: [],
    };
    const plan = planCodebookApply(stored, parseCodebook('codebook: t\ndimensions:\n  - id: forms\n    label: forms\n    codes:\n      - {id: protest, label: forms.protest}\n', 'cb.yaml'));
    expect(plan.deleteCodes).toEqual(['forms.alpha.c.d', 'forms.alpha.c', 'forms.alpha']);
  });
});

describe('planCodebookApply: a code moved into a dimension that is already exclusive', () => {
  const next = parseCodebook([
    'codebook: t', 'dimensions:',
    '  - id: forms', '    label: forms', '    codes:', '      - {id: protest, label: p}',
    '  - id: effect', '    label: effect', '    exclusive: true', '    codes:', '      - {id: mobilising, label: m}', '      - {id: media, label: media, was: forms.media}', '',
  ].join('\n'), 'cb.yaml');

  function stored(calls: Array<{ finalIds: Record<string, string>; involving: readonly string[] | undefined }>): StoredCodebook {
    return {
      dimensions: [dimension('forms', false), dimension('effect', true)],
      codes: [code('forms.protest', null, 1), code('forms.media', null, 3), code('effect.mobilising', null, 2)],
      attributes: [],
      hypotheses: [],
      multiCodedSegments: (finalIds, involving) => {
        calls.push({ finalIds: Object.fromEntries(finalIds), involving });
        return { segments: 2, byCoder: [{ coder: 'boris', segments: 2 }, { coder: 'anna', segments: 1 }] };
      },
    };
  }

  it('counts only the segments where the moved code meets another code of the dimension, and warns', () => {
    const calls: Array<{ finalIds: Record<string, string>; involving: readonly string[] | undefined }> = [];
    const plan = planCodebookApply(stored(calls), next);
    expect(calls).toEqual([{ finalIds: { 'forms.media': 'effect.media', 'effect.mobilising': 'effect.mobilising' }, involving: ['forms.media'] }]);
    expect(plan.warnings).toEqual([
      'code forms.media moves into dimension effect, which is one-code-per-segment, and then 2 segments carry two or more of its codes from one coder (boris: 2, anna: 1): ' +
        'they are kept, and qcode tag and qcode code refuse another code of effect there; find them with qcode retrieve --coder NAME --code CODE --and OTHER and remove the extra with qcode untag',
    ]);
  });

  it('asks nothing when no code moves in', () => {
    const calls: Array<{ finalIds: Record<string, string>; involving: readonly string[] | undefined }> = [];
    const withoutMove = parseCodebook([
      'codebook: t', 'dimensions:',
      '  - id: forms', '    label: forms', '    codes:', '      - {id: protest, label: p}', '      - {id: media, label: media}',
      '  - id: effect', '    label: effect', '    exclusive: true', '    codes:', '      - {id: mobilising, label: m}', '',
    ].join('\n'), 'cb.yaml');
    expect(planCodebookApply(stored(calls), withoutMove).warnings).toEqual([]);
    expect(calls).toEqual([]);
  });
});

describe('planCodebookApply: attribute values that no longer fit', () => {
  const attribute = (name: string, type: string, values: Record<string, number>, extra: Partial<StoredAttribute> = {}): StoredAttribute => ({
    name, type, label: name, labels: {}, description: null, allowed: null, valueLabels: {}, min: null, max: null, status: 'active',
    values: new Map(Object.entries(values)), ...extra,
  });

  it('warns about values that are not of the new type, or outside a narrower min or max', () => {
    const stored: StoredCodebook = {
      dimensions: [dimension('forms', false)],
      codes: [code('forms.protest', null, 0)],
      attributes: [
        attribute('host_country', 'category', { LT: 6, PL: 4, DE: 3, FI: 1, '2020': 2 }, { allowed: ['LT', 'PL', 'DE', 'FI', '2020'] }),
        attribute('year', 'number', { '2019': 2, '2022': 5, '2031': 1 }, { min: 1990, max: 2030 }),
        attribute('age_band', 'category', { '30-39': 1 }, { allowed: ['30-39'] }),
      ],
      hypotheses: [],
    };
    const next = parseCodebook([
      'codebook: t', 'attributes:', '  host_country: {type: number}', '  year: {type: number, min: 2020, max: 2030}', '  age_band: {type: date}',
      'dimensions:', '  - id: forms', '    label: forms', '    codes:', '      - {id: protest, label: forms.protest}', '',
    ].join('\n'), 'cb.yaml');
    expect(planCodebookApply(stored, next).warnings).toEqual([
      'attribute host_country is of type number, but 14 cases hold values that are not a number: "LT" (6), "PL" (4), "DE" (3) and 1 more ' +
        '(kept; qcode export writes host_country as text until they are fixed with qcode cases set, or the type changed back)',
      'attribute year: 2 cases hold values that are below the minimum 2020: "2019" (2) (kept; fix with qcode cases set)',
      'attribute year: 1 case holds a value that is above the maximum 2030: "2031" (1) (kept; fix with qcode cases set)',
      'attribute age_band is of type date, but 1 case holds a value that is not a date written yyyy-mm-dd: "30-39" (1) ' +
        '(kept; qcode export writes age_band as text until they are fixed with qcode cases set, or the type changed back)',
    ]);
  });

  it('tells the values that fit from those that do not', () => {
    expect(attributeMisfit({ type: 'number', min: null, max: null }, '2022')).toBeNull();
    expect(attributeMisfit({ type: 'number', min: null, max: null }, '-1.5e3')).toBeNull();
    expect(attributeMisfit({ type: 'number', min: null, max: null }, 'LT')).toBe('type');
    expect(attributeMisfit({ type: 'number', min: 0, max: 10 }, '11')).toBe('max');
    expect(attributeMisfit({ type: 'date', min: null, max: null }, '2024-02-29')).toBeNull();
    expect(attributeMisfit({ type: 'date', min: null, max: null }, '2023-02-29')).toBe('type');
    expect(attributeMisfit({ type: 'text', min: null, max: null }, 'anything')).toBeNull();
  });
});
