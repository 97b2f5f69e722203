import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCodebook, MAX_CODES } from '../../src/core/codebook.js';
import { formatProblem, ProblemsError } from '../../src/core/errors.js';
import { CODEBOOKS } from '../helpers.js';

function problemsOf(source: string): string[] {
  try {
    parseCodebook(source, 'cb.yaml');
  } catch (error) {
    if (error instanceof ProblemsError) return error.problems.map(formatProblem);
    throw error;
  }
  return [];
}

const minimal = `codebook: t
languages: [en, ru]
dimensions:
  - id: forms
    label: Forms
    codes:
      - id: protest
        label: Protest
`;

describe('the bundled codebooks', () => {
  it('political-remittances is valid and has the codes, attributes and hypotheses of the study', () => {
    const file = join(CODEBOOKS, 'political-remittances.yaml');
    const codebook = parseCodebook(readFileSync(file, 'utf8'), file);
    expect(codebook.codes.length).toBeGreaterThanOrEqual(45);
    expect(codebook.dimensions.map((d) => d.id)).toEqual(
      expect.arrayContaining(['forms', 'strategies', 'policy_areas', 'audiences', 'remittances', 'migration_effect', 'host_context', 'networks']),
    );
    for (const code of codebook.codes) {
      expect(code.labels.ru, code.id).toBeTruthy();
      expect(code.definition, code.id).toBeTruthy();
      expect(code.include, code.id).toBeTruthy();
      expect(code.exclude, code.id).toBeTruthy();
    }
    expect(codebook.dimensions.find((d) => d.id === 'migration_effect')?.exclusive).toBe(true);
    expect(codebook.attributes.find((a) => a.name === 'host_country')?.values).toEqual(['LT', 'LV', 'PL', 'DE', 'UK', 'FI', 'ES']);
    expect(codebook.attributes.map((a) => a.name)).toEqual(expect.arrayContaining(['emigration_year', 'activism_in_russia', 'role', 'gender', 'age_band']));
    expect(codebook.hypotheses.map((h) => h.id)).toEqual(['H1', 'H2', 'H3', 'H4']);
    expect(codebook.hypotheses[1]?.rows).toEqual([{ kind: 'attribute', name: 'host_country' }, { kind: 'dimension', id: 'host_context' }]);
  });

  it('example is valid and nests child codes under their parent', () => {
    const file = join(CODEBOOKS, 'example.yaml');
    const codebook = parseCodebook(readFileSync(file, 'utf8'), file);
    const child = codebook.codes.find((code) => code.depth === 1);
    expect(child?.parentId).toBeTruthy();
    expect(child?.id.startsWith(`${child?.parentId}.`)).toBe(true);
  });
});

describe('parseCodebook', () => {
  it('builds full ids and keeps labels per language', () => {
    const codebook = parseCodebook(`${minimal}        labels: {ru: Протест}\n`, 'cb.yaml');
    expect(codebook.codes[0]).toMatchObject({ id: 'forms.protest', dimensionId: 'forms', labels: { ru: 'Протест' } });
  });

  it.each([
    ['a YAML syntax error', 'codebook: t\ndimensions: [\n', /^cb\.yaml:\d+:\d+: YAML/],
    ['a duplicate key', `${minimal}        label: Again\n`, /^cb\.yaml:9:9: duplicate key/],
    ['an unknown key with a did-you-mean', minimal.replace('    label: Forms', '    lable: Forms'), /cb\.yaml:5:5: unknown key "lable" \(did you mean "label"\?\)/],
    ['a bad attribute type', `${minimal}attributes:\n  year: {type: integer}\n`, /cb\.yaml:10:\d+: attributes\.year\.type/],
    ['a category without values', `${minimal}attributes:\n  country: {type: category}\n`, /cb\.yaml:10:13: attribute "country" is a category but lists no values/],
    ['an unknown dimension in a hypothesis', `${minimal}hypotheses:\n  H1: {title: T, rows: [form], columns: [forms]}\n`, /cb\.yaml:10:25: hypothesis H1 rows: unknown dimension "form" \(did you mean "forms"\?\)/],
    ['an unknown attribute in a hypothesis', `${minimal}hypotheses:\n  H1: {title: T, rows: ["attribute:country"], columns: [forms]}\n`, /unknown attribute "country"/],
    ['an undeclared label language', `${minimal}        labels: {de: Protest}\n`, /cb\.yaml:9:18: label language "de"/],
    ['an empty file', '', /cb\.yaml:1:1: the codebook is empty/],
  ])('reports %s with file:line:col', (_name, source, expected) => {
    const problems = problemsOf(source);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toMatch(expected);
  });

  it('names both places of a duplicate id', () => {
    const source = `${minimal}      - id: protest\n        label: Protest again\n`;
    expect(problemsOf(source)).toEqual(['cb.yaml:9:13: duplicate code id "forms.protest" (also defined at 7:13): give one of them another id']);
  });

  it('refuses child codes under an exclusive dimension', () => {
    const source = minimal.replace('    label: Forms', '    label: Forms\n    exclusive: true') + '        codes:\n          - {id: picket, label: Picket}\n';
    expect(problemsOf(source).join('\n')).toMatch(/has child codes, but dimension "forms" is exclusive/);
  });

  it('reports every problem at once', () => {
    const source = minimal.replace('    label: Forms', '    lable: Forms') + 'hypotheses:\n  H1: {title: T, rows: [x], columns: [forms], colour: red}\n';
    expect(problemsOf(source).length).toBeGreaterThanOrEqual(2);
  });

  it(`refuses more than ${MAX_CODES} codes with one clear problem`, () => {
    const codes = Array.from({ length: 10_000 }, (_, i) => `      - {id: c${i}, label: C${i}}`).join('\n');
    const problems = problemsOf(`codebook: big\ndimensions:\n  - id: d\n    label: D\n    codes:\n${codes}\n`);
    expect(problems).toEqual([`cb.yaml:3:3: the codebook has 10000 codes; qcode accepts at most ${MAX_CODES} (split it into several codebooks or merge codes)`]);
  });

  it('refuses a was: that names a code still in the codebook', () => {
    const source = `${minimal}      - {id: demo, label: Demo, was: forms.protest}\n`;
    expect(problemsOf(source).join('\n')).toMatch(/says was: "forms.protest", but "forms.protest" is still in the codebook/);
  });
});
