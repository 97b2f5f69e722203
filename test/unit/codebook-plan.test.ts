import { describe, expect, it } from 'vitest';
import { parseCodebook } from '../../src/core/codebook.js';
import { describeStep, planCodebookApply, type StoredCodebook } from '../../src/core/codebook-plan.js';

const book = (codes: string): ReturnType<typeof parseCodebook> =>
  parseCodebook(`codebook: t\ndimensions:\n  - id: forms\n    label: Forms\n    codes:\n${codes}`, 'cb.yaml');

function stored(codes: Array<{ id: string; codings: number; status?: 'active' | 'retired'; label?: string }>): StoredCodebook {
  return {
    dimensions: [{ id: 'forms', label: 'Forms', labels: {}, description: null, exclusive: false, color: null, status: 'active', passMarks: 0 }],
    codes: codes.map((code) => ({
      id: code.id, dimensionId: 'forms', parentId: null, label: code.label ?? code.id.split('.')[1] ?? '', labels: {},
      definition: null, include: null, exclude: null, examples: [], color: null, status: code.status ?? 'active', codings: code.codings,
    })),
    attributes: [],
    hypotheses: [],
  };
}

describe('planCodebookApply', () => {
  it('adds new codes and leaves unchanged ones alone', () => {
    const plan = planCodebookApply(stored([{ id: 'forms.protest', codings: 0, label: 'Protest' }]), book('      - {id: protest, label: Protest}\n      - {id: media, label: Media}\n'));
    expect(plan.steps).toEqual([{ action: 'add-code', id: 'forms.media' }]);
  });

  it('retires a removed code that has codings and warns with the count', () => {
    const plan = planCodebookApply(stored([{ id: 'forms.protest', codings: 0, label: 'Protest' }, { id: 'forms.media', codings: 7 }]), book('      - {id: protest, label: Protest}\n'));
    expect(plan.retireCodes).toEqual(['forms.media']);
    expect(plan.deleteCodes).toEqual([]);
    expect(plan.warnings).toEqual(['code forms.media is no longer in the codebook: retired, keeping its 7 codings']);
  });

  it('deletes a removed code that was never used', () => {
    const plan = planCodebookApply(stored([{ id: 'forms.protest', codings: 0, label: 'Protest' }, { id: 'forms.media', codings: 0 }]), book('      - {id: protest, label: Protest}\n'));
    expect(plan.deleteCodes).toEqual(['forms.media']);
  });

  it('renames a code named by was: and keeps its codings', () => {
    const plan = planCodebookApply(stored([{ id: 'forms.protst', codings: 3, label: 'Protest' }]), book('      - {id: protest, label: Protest, was: forms.protst}\n'));
    expect(plan.renames).toEqual([{ from: 'forms.protst', to: 'forms.protest' }]);
    expect(plan.retireCodes).toEqual([]);
    expect(plan.deleteCodes).toEqual([]);
  });

  it('reports label changes as updates', () => {
    const plan = planCodebookApply(stored([{ id: 'forms.protest', codings: 1, label: 'Protest' }]), book('      - {id: protest, label: Street protest}\n'));
    expect(plan.steps).toEqual([{ action: 'update-code', id: 'forms.protest', changes: ['label'] }]);
  });

  it('carries the children of a renamed code along without a was: of their own', () => {
    const before = stored([{ id: 'forms.protest', codings: 0, label: 'Protest' }, { id: 'forms.protest.picket', codings: 2, label: 'Picket' }]);
    const [parent, child] = before.codes;
    if (child !== undefined && parent !== undefined) child.parentId = parent.id;
    const plan = planCodebookApply(before, book('      - id: street_protest\n        label: Protest\n        was: forms.protest\n        codes: [{id: picket, label: Picket}]\n'));
    expect(plan.renames).toEqual([{ from: 'forms.protest', to: 'forms.street_protest' }, { from: 'forms.protest.picket', to: 'forms.street_protest.picket' }]);
    expect(plan.steps).toContainEqual({ action: 'rename-code', from: 'forms.protest.picket', id: 'forms.street_protest.picket', codings: 2 });
    expect(plan.retireCodes).toEqual([]);
    expect(plan.deleteCodes).toEqual([]);
    expect(plan.warnings).toEqual([]);
  });

  it('merges every code listed in was: into the new one, the first by a rename and the others by a merge', () => {
    const before = stored([{ id: 'forms.protest', codings: 23 }, { id: 'forms.art', codings: 11 }]);
    before.duplicateCodings = (from, into) => (from === 'forms.art' && into.join() === 'forms.protest' ? 3 : 0);
    const plan = planCodebookApply(before, book('      - {id: protest_art, label: Protest or art, was: [forms.protest, forms.art]}\n'));
    expect(plan.renames).toEqual([{ from: 'forms.protest', to: 'forms.protest_art' }]);
    expect(plan.merges).toEqual([{ from: 'forms.art', to: 'forms.protest_art' }]);
    expect(plan.steps.slice(0, 2)).toEqual([
      { action: 'rename-code', from: 'forms.protest', id: 'forms.protest_art', codings: 23 },
      { action: 'merge-code', from: 'forms.art', id: 'forms.protest_art', codings: 11, duplicates: 3 },
    ]);
    expect(plan.steps.map(describeStep)).toContain('> code forms.art merged into forms.protest_art (11 codings follow; 3 already there on the same segment, coder and span are kept once)');
    // The merged code goes (its codings have moved), with no retire step or warning saying otherwise.
    expect(plan.retireCodes).toEqual([]);
    expect(plan.deleteCodes).toEqual(['forms.art']);
    expect(plan.steps.some((step) => step.action === 'retire-code' || step.action === 'delete-code')).toBe(false);
    expect(plan.warnings).toEqual([]);
  });

  it('merges a code named by was: into a code that already exists, children included', () => {
    const before = stored([
      { id: 'forms.protest', codings: 5 }, { id: 'forms.protest.picket', codings: 1 },
      { id: 'forms.art', codings: 2 }, { id: 'forms.art.picket', codings: 4 },
    ]);
    const [, protestPicket, , artPicket] = before.codes;
    if (protestPicket !== undefined && artPicket !== undefined) {
      protestPicket.parentId = 'forms.protest';
      artPicket.parentId = 'forms.art';
    }
    const plan = planCodebookApply(before, book('      - id: protest\n        label: protest\n        was: forms.art\n        codes: [{id: picket, label: picket}]\n'));
    expect(plan.renames).toEqual([]);
    expect(plan.merges).toEqual([{ from: 'forms.art', to: 'forms.protest' }, { from: 'forms.art.picket', to: 'forms.protest.picket' }]);
    expect(plan.deleteCodes).toEqual(['forms.art.picket', 'forms.art']);
    expect(plan.warnings).toEqual([]);
  });

  it('keeps a merged code, retired, while a retired child of it still needs a parent', () => {
    const before = stored([{ id: 'forms.protest', codings: 5 }, { id: 'forms.art', codings: 2 }, { id: 'forms.art.mural', codings: 4 }]);
    const mural = before.codes[2];
    if (mural !== undefined) mural.parentId = 'forms.art';
    const plan = planCodebookApply(before, book('      - {id: protest, label: protest, was: forms.art}\n'));
    expect(plan.merges).toEqual([{ from: 'forms.art', to: 'forms.protest' }]);
    expect(plan.retireCodes).toEqual(['forms.art.mural', 'forms.art']);
    expect(plan.steps).toContainEqual({ action: 'retire-code', id: 'forms.art', codings: 0 });
    // Applied again, the retired leftover has nothing to bring: no step, so the same YAML writes nothing.
    const after = stored([{ id: 'forms.protest', codings: 7 }, { id: 'forms.art', codings: 0, status: 'retired' }, { id: 'forms.art.mural', codings: 4, status: 'retired' }]);
    const leftover = after.codes[2];
    if (leftover !== undefined) leftover.parentId = 'forms.art';
    expect(planCodebookApply(after, book('      - {id: protest, label: protest, was: forms.art}\n')).steps).toEqual([]);
  });

  it('warns, one line per dimension, how many one-dimension pass marks deleting a dimension drops', () => {
    const before = stored([{ id: 'forms.protest', codings: 2, label: 'Protest' }]);
    before.dimensions = [{ id: 'forms', label: 'Forms', labels: {}, description: null, exclusive: false, color: null, status: 'active', passMarks: 3 }];
    const next = parseCodebook('codebook: t\ndimensions:\n  - id: participation\n    label: Forms\n    codes:\n      - {id: protest, label: Protest, was: forms.protest}\n', 'cb.yaml');
    const plan = planCodebookApply(before, next);
    expect(plan.deleteDimensions).toEqual(['forms']);
    expect(plan.steps).toContainEqual({ action: 'delete-dimension', id: 'forms', passMarks: 3 });
    expect(plan.steps.map(describeStep)).toContain('- dimension forms (drops 3 one-dimension pass marks)');
    expect(plan.warnings).toEqual([
      'dimension forms is no longer in the codebook: its 3 one-dimension pass marks (segments coders went through with qcode code --dimension forms) are dropped',
    ]);
  });

  it('says which hypotheses and attribute declarations change', () => {
    const before = stored([{ id: 'forms.protest', codings: 0, label: 'Protest' }]);
    before.attributes = [{ name: 'country', type: 'category', label: 'country', labels: {}, description: null, allowed: ['DE', 'LT'], valueLabels: {}, min: null, max: null, status: 'active', values: new Map() }];
    before.hypotheses = [
      { id: 'H1', title: 'T', description: null, rows: JSON.stringify([{ kind: 'dimension', id: 'forms' }]), columns: JSON.stringify([{ kind: 'dimension', id: 'forms' }]) },
      { id: 'H9', title: 'Old', description: null, rows: '[]', columns: '[]' },
    ];
    const next = parseCodebook([
      'codebook: t', 'attributes:', '  country: {type: category, values: [DE, LT, PL]}', 'dimensions:', '  - id: forms', '    label: Forms', '    codes:', '      - {id: protest, label: Protest}',
      'hypotheses:', '  H1: {title: T, rows: ["attribute:country"], columns: [forms]}', '  H2: {title: New, rows: [forms], columns: [forms]}', '',
    ].join('\n'), 'cb.yaml');
    expect(planCodebookApply(before, next).steps).toEqual([
      { action: 'update-attribute', name: 'country', changes: ['values'] },
      { action: 'update-hypothesis', id: 'H1', changes: ['rows'] },
      { action: 'add-hypothesis', id: 'H2' },
      { action: 'delete-hypothesis', id: 'H9' },
    ]);
  });
});
