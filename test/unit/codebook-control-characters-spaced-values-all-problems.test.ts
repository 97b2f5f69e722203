// Codebook text that passed `codebook check` but broke later: control characters in labels (a NUL made
// PSPP read qcode.sps as UTF-16, ESC reached the terminal), category values with spaces around them
// (never holdable: a case's value is trimmed), and a problem hidden behind a shape error (min on a category
// was reported only once an unknown key elsewhere was fixed).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codebookProblems as problemsOf, runQcode, tempDir } from '../helpers.js';


const CONTROL = '(only tab and line feed may appear); remove it';

describe('codebook check: control characters', () => {
  it('refuses C0 and C1 control characters in every text, with the place of each', () => {
    const source = [
      'codebook: t',
      'title: "Ti\\x01tle"',
      'description: "fine\\ttab and\\nline feed"',
      'attributes:',
      '  country:',
      '    type: category',
      '    label: "Esc\\e[31mRED"',
      '    values: [a, "b\\u0085"]',
      '    value_labels: {a: "A\\0", "b\\u0085": B}',
      '  type:',
      '    type: text',
      '    description: "d\\x7f"',
      'dimensions:',
      '  - id: forms',
      '    label: "Protest\\0"',
      '    codes:',
      '      - {id: p, label: "\\tok", definition: "a\\rb", examples: [ok, "e\\x1b"], labels: {}}',
      'hypotheses:',
      '  H1: {title: "h\\x02", rows: [forms], columns: [forms]}',
      '',
    ].join('\n');
    expect(problemsOf(source)).toEqual([
      `cb.yaml:2:8: title: the text contains U+0001, a control character ${CONTROL}`,
      `cb.yaml:7:12: attributes.country.label: the text contains U+001B, a control character ${CONTROL}`,
      `cb.yaml:8:17: attributes.country.values.1: the text contains U+0085, a control character ${CONTROL}`,
      `cb.yaml:9:23: attributes.country.value_labels.a: the text contains U+0000, a control character ${CONTROL}`,
      `cb.yaml:9:30: attributes.country.value_labels: a value contains U+0085, a control character ${CONTROL}`,
      `cb.yaml:12:18: attributes.type.description: the text contains U+007F, a control character ${CONTROL}`,
      `cb.yaml:15:12: dimensions.0.label: the text contains U+0000, a control character ${CONTROL}`,
      `cb.yaml:17:44: dimensions.0.codes.0.definition: the text contains U+000D, a control character ${CONTROL}`,
      `cb.yaml:17:67: dimensions.0.codes.0.examples.1: the text contains U+001B, a control character ${CONTROL}`,
      `cb.yaml:19:15: hypotheses.H1.title: the text contains U+0002, a control character ${CONTROL}`,
    ]);
  });

  it('reports them alongside shape problems, and never prints the character itself', () => {
    const problems = problemsOf('codebook: t\ndimensions:\n  - id: d\n    label: "x\\0"\n    colour: red\n    codes: [{id: c, label: "\\e[2J"}]\n');
    expect(problems).toEqual([
      `cb.yaml:4:12: dimensions.0.label: the text contains U+0000, a control character ${CONTROL}`,
      'cb.yaml:5:5: unknown key "colour" (did you mean "color"?)',
      `cb.yaml:6:28: dimensions.0.codes.0.label: the text contains U+001B, a control character ${CONTROL}`,
    ]);
    expect(problems.join('\n')).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/);
  });

  it('codebook check prints one line per problem and exits 1', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'cb.yaml'), 'codebook: t\ndimensions:\n  - id: d\n    label: "Protest\\0"\n    codes: [{id: c, label: C}]\n');
    const result = runQcode(['codebook', 'check', 'cb.yaml'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toContain(`cb.yaml:4:12: dimensions.0.label: the text contains U+0000, a control character ${CONTROL}`);
    expect(result.stdout + result.stderr).not.toContain('\u0000');
  });
});

describe('codebook check: category values no case can hold', () => {
  it('refuses values with spaces around them and empty ones', () => {
    const source = 'codebook: t\nattributes:\n  country:\n    type: category\n    values: [a, "a ", " ", "\\t", " b", ""]\ndimensions:\n  - id: d\n    label: D\n    codes: [{id: c, label: C}]\n';
    expect(problemsOf(source)).toEqual([
      'cb.yaml:5:17: attribute "country" lists the value "a " with spaces around it, which no case can hold (values are trimmed): write "a"',
      'cb.yaml:5:23: attribute "country" lists an empty value (" "), which no case can hold: remove it',
      'cb.yaml:5:28: attribute "country" lists an empty value ("\\t"), which no case can hold: remove it',
      'cb.yaml:5:34: attribute "country" lists the value " b" with spaces around it, which no case can hold (values are trimmed): write "b"',
      'cb.yaml:5:40: attribute "country" lists an empty value (""), which no case can hold: remove it',
    ]);
  });

  it('keeps inner spaces', () => {
    expect(problemsOf('codebook: t\nattributes:\n  city:\n    type: category\n    values: [New York, "São Paulo"]\ndimensions:\n  - id: d\n    label: D\n    codes: [{id: c, label: C}]\n')).toEqual([]);
  });
});

describe('codebook check: every problem in one pass', () => {
  it('reports min on a category attribute next to an unknown key elsewhere', () => {
    const source = 'codebook: t\nversion: 1\nlanguages: [en]\nattributes:\n  country:\n    type: category\n    label: C\n    values: [a]\n    min: 3\ndimensions:\n  - id: forms\n    label: F\n    labls: {ru: x}\n    codes: [{id: p, label: P}]\n';
    expect(problemsOf(source)).toEqual([
      'cb.yaml:9:5: min and max are only for number attributes; "country" is of type category',
      'cb.yaml:13:5: unknown key "labls" (did you mean "labels"?)',
    ]);
  });

  it('reports values on a text attribute and max below min next to a shape problem', () => {
    const source = 'codebook: t\nattributes:\n  note:\n    type: text\n    values: [a]\n  age:\n    type: number\n    min: 9\n    max: 1\ndimensions:\n  - id: d\n    label: D\n    colour: red\n    codes: [{id: c, label: C}]\n';
    expect(problemsOf(source)).toEqual([
      'cb.yaml:5:5: values are only for category attributes; "note" is of type text',
      'cb.yaml:8:5: attribute "age" has min 9 above max 1',
      'cb.yaml:13:5: unknown key "colour" (did you mean "color"?)',
    ]);
  });

  it('says nothing more of an attribute whose type is unknown', () => {
    const source = 'codebook: t\nattributes:\n  country:\n    type: categroy\n    values: [a]\n    min: 3\ndimensions:\n  - id: d\n    label: D\n    codes: [{id: c, label: C}]\n';
    const problems = problemsOf(source);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^cb\.yaml:4:11: attributes\.country\.type: "categroy" is not one of/);
  });
});
