import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatAxis, parseCodebook, MAX_CODES } from '../../src/core/codebook.js';
import { checkAttributeValue } from '../../src/app/cases.js';
import { CODEBOOKS, codebookProblems as problemsOf } from '../helpers.js';


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

  // Every code issue 2 lists, in its words, with the id that stands for it.
  it.each([
    ['forms', 'protest/picket', 'protest'], ['forms', 'petitions and open letters', 'petitions'], ['forms', 'association/NGO work', 'ngo_work'],
    ['forms', 'independent media and journalism', 'media'], ['forms', 'art and cultural action', 'art'], ['forms', 'humanitarian aid and volunteering', 'humanitarian'],
    ['forms', 'election-related action', 'elections'], ['forms', 'online activism', 'online'], ['forms', 'advocacy towards host institutions', 'advocacy'],
    ['forms', 'education and public talks', 'education'], ['forms', 'legal aid and human-rights documentation', 'legal_aid'], ['forms', 'fundraising', 'fundraising'],
    ['strategies', 'continuing home activity', 'continuing'], ['strategies', 'adapting or reframing', 'reframing'], ['strategies', 'coalition-building with host NGOs', 'coalition'],
    ['strategies', 'institutionalising', 'institutionalising'], ['strategies', 'transnational networking', 'transnational'], ['strategies', 'security precautions and anonymity', 'security'],
    ['strategies', 'withdrawal or disengagement', 'withdrawal'], ['strategies', 'targeting Russia remotely', 'targeting_russia'], ['strategies', 'integrating into host civic life', 'integrating'],
    ['policy_areas', 'human rights and political prisoners', 'human_rights'], ['policy_areas', 'democracy and elections', 'democracy'], ['policy_areas', 'anti-corruption', 'anti_corruption'],
    ['policy_areas', 'anti-war and Ukraine', 'anti_war'], ['policy_areas', 'free speech and media', 'free_speech'], ['policy_areas', 'LGBT rights', 'lgbt'],
    ['policy_areas', 'environment', 'environment'], ['policy_areas', "migrants' rights and legal status", 'migrant_rights'], ['policy_areas', 'culture and education', 'culture_education'],
    ['policy_areas', 'EU and host policy towards Russia', 'host_policy'],
    ['audiences', 'people in Russia', 'russia'], ['audiences', 'the Russian diaspora in the host country', 'diaspora'], ['audiences', 'the host public', 'host_public'],
    ['audiences', 'host policymakers and EU institutions', 'policymakers'], ['audiences', 'international organisations', 'intl_orgs'], ['audiences', 'media', 'media'],
    ['audiences', 'other émigré communities', 'other_emigres'],
    ['remittances', 'political', 'political'], ['remittances', 'social', 'social'], ['remittances', 'cultural', 'cultural'], ['remittances', 'economic (money sent)', 'economic'],
    ['remittances', 'reverse transfer', 'reverse'],
    ['migration_effect', 'mobilising', 'mobilising'], ['migration_effect', 'inhibiting', 'inhibiting'], ['migration_effect', 'transforming', 'transforming'], ['migration_effect', 'no change', 'no_change'],
    ['host_context', 'open civic opportunity structure', 'open_cos'], ['host_context', 'restrictive civic opportunity structure', 'restrictive_cos'], ['host_context', 'association law', 'association_law'],
    ['host_context', 'migration regime and legal status', 'migration_regime'], ['host_context', 'settled diaspora supportive', 'diaspora_supportive'], ['host_context', 'settled diaspora conflictual', 'diaspora_conflictual'],
    ['host_context', 'settled diaspora absent', 'diaspora_absent'], ['host_context', 'host public attitude', 'host_attitude'],
    ['networks', 'value-based', 'value_based'], ['networks', 'pre-migration activist', 'pre_migration'], ['networks', 'kin and friends', 'kin_friends'], ['networks', 'professional', 'professional'],
    ['networks', 'host NGO ties', 'host_ngo'], ['networks', 'diaspora organisations', 'diaspora_orgs'], ['networks', 'online', 'online'],
  ])('political-remittances has %s: %s (%s), labelled in English and Russian', (dimension, _words, id) => {
    const file = join(CODEBOOKS, 'political-remittances.yaml');
    const code = parseCodebook(readFileSync(file, 'utf8'), file).codes.find((item) => item.id === `${dimension}.${id}`);
    expect(code?.label).toBeTruthy();
    expect(code?.labels.ru).toMatch(/[А-Яа-яЁё]/);
  });

  it('political-remittances declares the attributes and hypotheses of the study', () => {
    const file = join(CODEBOOKS, 'political-remittances.yaml');
    const codebook = parseCodebook(readFileSync(file, 'utf8'), file);
    const attribute = (name: string): unknown => codebook.attributes.find((item) => item.name === name);
    expect(attribute('host_country')).toMatchObject({ type: 'category', values: ['LT', 'LV', 'PL', 'DE', 'UK', 'FI', 'ES'] });
    expect(attribute('emigration_year')).toMatchObject({ type: 'number' });
    expect(attribute('role')).toMatchObject({ type: 'category', values: ['emigrant', 'host_opinion_maker', 'russia_opinion_maker'] });
    for (const name of ['activism_in_russia', 'gender', 'age_band']) expect(attribute(name)).toMatchObject({ type: 'category' });
    const axes = (id: string): { rows: string[]; columns: string[] } => {
      const hypothesis = codebook.hypotheses.find((item) => item.id === id);
      return { rows: (hypothesis?.rows ?? []).map(formatAxis), columns: (hypothesis?.columns ?? []).map(formatAxis) };
    };
    expect(axes('H1')).toEqual({ rows: ['migration_effect'], columns: ['forms', 'strategies', 'policy_areas', 'audiences'] });
    expect(axes('H2')).toEqual({ rows: ['attribute:host_country', 'host_context'], columns: ['strategies', 'forms', 'policy_areas'] });
    expect(axes('H3')).toEqual({ rows: ['networks'], columns: ['strategies', 'forms', 'policy_areas', 'remittances'] });
    expect(axes('H4')).toEqual({ rows: ['remittances'], columns: ['audiences', 'policy_areas'] });
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
    ['a missing required key', minimal.replace('    label: Forms\n', ''), /cb\.yaml:4:5: dimensions\.0: missing key "label"/],
    ['a list where a mapping belongs', `${minimal}attributes: [host_country]\n`, /cb\.yaml:9:13: attributes: expected a mapping, found a list/],
    ['a yes/no that is not true/false', minimal.replace('    label: Forms', '    label: Forms\n    exclusive: yes'), /cb\.yaml:6:16: dimensions\.0\.exclusive: expected true or false, found the text "yes"/],
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

  it('still finds duplicate ids and unknown hypothesis axes when the shape is wrong elsewhere', () => {
    const source = minimal.replace('    label: Forms', '    lable: Forms') + '      - {id: protest, label: Again}\nhypotheses:\n  H1: {title: T, rows: [form], columns: [forms]}\n';
    expect(problemsOf(source)).toEqual([
      'cb.yaml:4:5: dimensions.0: missing key "label"',
      'cb.yaml:5:5: unknown key "lable" (did you mean "label"?)',
      'cb.yaml:9:14: duplicate code id "forms.protest" (also defined at 7:13): give one of them another id',
      'cb.yaml:11:25: hypothesis H1 rows: unknown dimension "form" (did you mean "forms"?)',
    ]);
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

  it('accepts several old codes in one was: (a merge) but refuses one old code in the was: of two codes', () => {
    const merged = `${minimal}        was: [forms.old_a, forms.old_b]\n`;
    expect(parseCodebook(merged, 'cb.yaml').codes[0]?.was).toEqual(['forms.old_a', 'forms.old_b']);
    const split = `${minimal}        was: forms.old_a\n      - id: other\n        label: Other\n        was: [forms.old_b, forms.old_a]\n`;
    expect(problemsOf(split)).toEqual([
      'cb.yaml:12:14: code "forms.other" says was: "forms.old_a", but so does code "forms.protest" (at 9:14): an old code can become only one code, so keep "forms.old_a" in one was:',
    ]);
  });

  it('stores category values and value_labels keys written in decomposed Unicode (NFD) in NFC, as cases store their values', () => {
    const nfd = 'Köln'.normalize('NFD');
    expect(nfd).not.toBe('Köln');
    const source = `${minimal}attributes:\n  city:\n    type: category\n    values: [${nfd}, Riga]\n    value_labels:\n      ${nfd}: Cologne\n`;
    const city = parseCodebook(source, 'cb.yaml').attributes[0];
    expect(city?.values).toEqual(['Köln', 'Riga']);
    expect(city?.valueLabels).toEqual({ Köln: 'Cologne' });
    // A case value typed or imported as "Köln" (NFC) is one of the category's values.
    const rule = { name: 'city', type: 'category' as const, allowed: city?.values ?? null, min: null, max: null, status: 'active' as const };
    expect(checkAttributeValue(rule, 'Köln')).toEqual({ value: 'Köln' });
  });

  it('finds the value twice when it is written once composed and once decomposed, and places a decomposed value_labels key', () => {
    const nfd = 'Köln'.normalize('NFD');
    const twice = `${minimal}attributes:\n  city:\n    type: category\n    values: [Köln, ${nfd}]\n`;
    expect(problemsOf(twice)).toEqual(['cb.yaml:12:13: attribute "city" lists the value "Köln" twice']);
    const labelled = `${minimal}attributes:\n  city:\n    type: category\n    values: [Riga]\n    value_labels:\n      ${nfd}: Cologne\n`;
    expect(problemsOf(labelled)).toEqual(['cb.yaml:14:7: value_labels names "Köln", which is not among the values of "city"']);
    const labelledTwice = `${minimal}attributes:\n  city:\n    type: category\n    values: [Köln]\n    value_labels:\n      Köln: Cologne\n      ${nfd}: Köln\n`;
    expect(problemsOf(labelledTwice)).toEqual(['cb.yaml:15:7: value_labels of "city" names the value "Köln" twice (once in decomposed Unicode): keep one']);
  });

  describe('YAML that parses badly', () => {
    // Each alias level repeats the one before ten times: 10^9 items if expanded.
    const laughs = ['codebook: t', 'version: 1', 'title: &a [x,x,x,x,x,x,x,x,x,x]']
      .concat(Array.from({ length: 8 }, (_, i) => {
        const name = String.fromCharCode(98 + i);
        const previous = String.fromCharCode(97 + i);
        return `k${name}: &${name} [${Array(10).fill(`*${previous}`).join(',')}]`;
      }))
      .join('\n');

    it('refuses a billion-laughs file as a codebook problem at its first alias, not as a crash', () => {
      expect(problemsOf(`${laughs}\n`)).toEqual([
        'cb.yaml:4:9: the codebook expands YAML aliases (*name) too much: aliases of aliases multiply; write the repeated values out instead',
      ]);
    });

    it('still reads a codebook that uses an alias or two', () => {
      const source = `${minimal}attributes:\n  a: {type: category, values: &v [x, y]}\n  b: {type: category, values: *v}\n`;
      expect(parseCodebook(source, 'cb.yaml').attributes.map((attribute) => attribute.values)).toEqual([['x', 'y'], ['x', 'y']]);
    });

    it('reports an alias without an anchor before it, and one inside the node it repeats, instead of crashing', () => {
      expect(problemsOf('codebook: t\ntitle: *nope\n')).toEqual([
        'cb.yaml:2:8: the YAML alias *nope has no anchor &nope before it: put the anchor first, or write the value out',
      ]);
      expect(problemsOf('codebook: t\ndimensions: &d\n  - id: a\n    label: A\n    codes: *d\n')).toEqual([
        'cb.yaml:5:12: the YAML alias *d is inside the node &d it repeats, which would never end: write the value out',
      ]);
    });

    it('asks for one document when the file holds several', () => {
      expect(problemsOf('codebook: t\n---\ncodebook: u\n')).toEqual([
        'cb.yaml:2:1: a codebook is one YAML document: remove the --- at line 2 (or split the file)',
      ]);
      expect(problemsOf('codebook: t\n...\ncodebook: u\n')).toEqual([
        'cb.yaml:3:1: a codebook is one YAML document, but a second one starts at line 3, after the end marker (...): remove it (or split the file)',
      ]);
      // A --- that opens the only document is fine.
      expect(parseCodebook(`---\n${minimal}`, 'cb.yaml').codes).toHaveLength(1);
    });

    it('names a duplicate key and where it first appears', () => {
      expect(problemsOf(`${minimal}title: A\ntitle: B\n`)).toEqual([
        'cb.yaml:10:1: duplicate key "title" (first at 9:1): a key may appear only once in a mapping',
      ]);
      expect(problemsOf(`${minimal}        labels: {ru: A, "ru": B}\n`)).toEqual([
        'cb.yaml:9:25: duplicate key "ru" (first at 9:18): a key may appear only once in a mapping',
      ]);
    });

    it('reports a tab in the indentation once, without the errors it drags after it', () => {
      const file = join(CODEBOOKS, 'example.yaml');
      const lines = readFileSync(file, 'utf8').split('\n');
      const index = lines.findIndex((line) => /^ {8}label: /.test(line));
      lines[index] = `\t${(lines[index] as string).trimStart()}`;
      expect(problemsOf(lines.join('\n'))).toEqual([`cb.yaml:${index + 1}:1: a tab in the indentation: YAML indents with spaces only`]);
    });

    it('reports only the first syntax error, keeping the duplicate keys before it', () => {
      expect(problemsOf('codebook: t\ntitle: A\ntitle: B\ndimensions: [\n  {id: a\n  x: ]\n]]\n')).toEqual([
        'cb.yaml:3:1: duplicate key "title" (first at 2:1): a key may appear only once in a mapping',
        'cb.yaml:5:8: YAML: Implicit keys need to be on a single line',
      ]);
    });
  });
});
