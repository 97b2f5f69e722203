// Two codebook errors that pointed the user the wrong way: a tab after spaces in the indentation (reported
// as mapping or compact-mapping trouble, often on another line), and ids in Cyrillic (refused as if they
// were not lower-case letters).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCodebookFile } from '../../src/app/codebook.js';
import { parseCodebook } from '../../src/core/codebook.js';
import { ProblemsError, formatProblem } from '../../src/core/errors.js';
import { CODEBOOKS, tempDir } from '../helpers.js';

function problemsOf(parse: () => unknown): string[] {
  try {
    parse();
  } catch (error) {
    if (error instanceof ProblemsError) return error.problems.map(formatProblem);
    throw error;
  }
  return [];
}

const bundled = readFileSync(join(CODEBOOKS, 'political-remittances.yaml'), 'utf8').split('\n');

/** The bundled codebook with `line` (1-based) re-indented as `indent` followed by the line's text. */
function reindented(line: number, indent: string): string {
  const lines = [...bundled];
  lines[line - 1] = `${indent}${(lines[line - 1] as string).trimStart()}`;
  return lines.join('\n');
}

describe('codebook check: a tab after spaces in the indentation', () => {
  const labelLine = bundled.findIndex((line) => line === '        label: Protest, demonstration, picket') + 1;
  const firstTextLine = bundled.findIndex((line) => /^ {10}Public, physical/.test(line)) + 1;

  it.each([
    ['6 spaces and a tab before a key', labelLine, '      \t', 7],
    ['10 spaces and a tab before a key (read as more of the value above)', labelLine, '          \t', 11],
    ['a tab between spaces', labelLine, '    \t    ', 5],
    ['spaces and a tab before the text of a block scalar', firstTextLine, '    \t', 5],
    ['a tab after the spaces of a block scalar, on its first line', firstTextLine, '           \t', 12],
  ])('%s is reported as a tab, where the tab is', (_name, line, indent, col) => {
    expect(labelLine).toBeGreaterThan(0);
    expect(firstTextLine).toBeGreaterThan(0);
    expect(problemsOf(() => parseCodebook(reindented(line, indent), 'cb.yaml'))).toEqual([
      `cb.yaml:${line}:${col}: a tab in the indentation: YAML indents with spaces only`,
    ]);
  });

  it('still reports an error a tab did not cause, and leaves tabs that are text alone', () => {
    // A tab inside the text of a block scalar, past its indentation, is text; the error is elsewhere.
    const lines = [...bundled];
    lines[firstTextLine - 1] = `          \t${(lines[firstTextLine - 1] as string).trimStart()}`;
    expect(problemsOf(() => parseCodebook(lines.join('\n'), 'cb.yaml'))).toEqual([]);
    // On the scalar's second line (a tab starting its first line is taken for indentation), and a broken
    // key right after the scalar: that key is the problem.
    lines[firstTextLine - 1] = bundled[firstTextLine - 1] as string;
    lines[firstTextLine] = `          \t${(lines[firstTextLine] as string).trimStart()}`;
    const includeLine = firstTextLine + 3;
    expect(lines[includeLine - 1]).toBe('        include: >-');
    lines[includeLine - 1] = '        include: [unclosed';
    const problems = problemsOf(() => parseCodebook(lines.join('\n'), 'cb.yaml'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('YAML: Flow sequence in block collection must be sufficiently indented and end with a ]');
  });
});

describe('codebook check: ids not in Latin letters', () => {
  const russian = [
    'codebook: ru-only', 'languages: [ru]', 'attributes:', '  страна:', '    type: category', '    values: [Литва]',
    'dimensions:', '  - id: формы', '    label: Формы', '    codes:', '      - id: протест', '        label: Протест', '',
  ].join('\n');

  it('says Latin a-z and suggests the transliteration, at the id or key', () => {
    const file = join(tempDir(), 'ru.yaml');
    writeFileSync(file, russian);
    expect(problemsOf(() => checkCodebookFile(file, 'ru.yaml'))).toEqual([
      'ru.yaml:4:3: attributes: key "страна": an attribute name is lower-case Latin letters a-z, digits and _, and starts with a letter (try strana)',
      'ru.yaml:8:9: dimensions.0.id: an id is lower-case Latin letters a-z, digits and _, and starts with a letter, not "формы" (try formy)',
      'ru.yaml:11:13: dimensions.0.codes.0.id: an id is lower-case Latin letters a-z, digits and _, and starts with a letter, not "протест" (try protest)',
    ]);
  });

  it('suggests nothing it cannot make valid, and nothing without a transliteration', () => {
    const source = russian.replace('id: протест', 'id: 2020_x');
    expect(problemsOf(() => parseCodebook(source, 'cb.yaml'))).toContain(
      'cb.yaml:11:13: dimensions.0.codes.0.id: an id is lower-case Latin letters a-z, digits and _, and starts with a letter, not "2020_x"',
    );
  });
});
