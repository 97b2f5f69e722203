import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LONG_KEYS } from '../../src/core/cooccurrence.js';
import { newProject, qcodeOk, runQcode, tempDir } from '../helpers.js';

// Four things the analysis commands got wrong as a user sees them: export all --unit case wrote all-zero
// tables where cooccur refuses, a line break or tab in a label broke the terminal tables, a bare code id
// got no did-you-mean in retrieve and disagreements, and cooccur --help named the wrong --long columns.

function interview(dir: string): string {
  const file = join(dir, 'a.txt');
  writeFileSync(file, 'Interviewer: Q?\nRespondent: A.\n');
  return file;
}

describe('export all --unit case with no document linked to a case', () => {
  it('is refused as cooccur --unit case refuses it, and writes nothing', () => {
    const project = newProject();
    const dir = tempDir();
    qcodeOk(project, 'import', interview(dir), '--quiet');
    qcodeOk(project, 'tag', 'a:2', 'forms.protest', '--coder', 'anna', '--quiet');
    const cooccur = runQcode(['--project', project, 'cooccur', '--unit', 'case']);
    expect(cooccur.code).toBe(1);
    const out = join(dir, 'out');
    const exported = runQcode(['--project', project, 'export', 'all', '--unit', 'case', '--out', out]);
    expect(exported.code).toBe(1);
    expect(exported.stderr).toContain('--unit case: no document is linked to a case');
    expect(exported.stderr.split('\n')[0]).toBe(cooccur.stderr.split('\n')[0]);
    expect(existsSync(out)).toBe(false);
    // Linked, it exports.
    qcodeOk(project, 'import', interview(dir), '--case', 'K1', '--quiet');
    qcodeOk(project, 'export', 'all', '--unit', 'case', '--out', out, '--quiet');
    expect(existsSync(join(out, 'cases.csv'))).toBe(true);
  });
});

describe('labels with line breaks and tabs on the terminal', () => {
  it('stats and cooccur print each label on one line', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'cb.yaml'), [
      'codebook: t',
      'attributes:',
      '  country: {type: category, label: "Host\\ncountry", values: [a, b], value_labels: {a: "A\\tland"}}',
      'dimensions:',
      '  - id: dd',
      '    label: "Dim\\nlabel"',
      '    codes:',
      '      - {id: x, label: "Child\\nwith newline"}',
      '      - {id: y, label: "\\ttab label"}',
      'hypotheses:',
      '  H1: {title: "Two\\nlines", rows: [dd], columns: [attribute:country]}',
      '',
    ].join('\n'));
    const project = join(dir, 'p');
    expect(runQcode(['init', project, '--codebook', join(dir, 'cb.yaml'), '--quiet']).code).toBe(0);
    qcodeOk(project, 'import', interview(dir), '--case', 'K1', '--quiet');
    qcodeOk(project, 'cases', 'set', 'K1', 'country=a', '--quiet');
    qcodeOk(project, 'tag', 'a:2', 'dd.x', 'dd.y', '--coder', 'anna', '--quiet');

    const stats = qcodeOk(project, 'stats', '--by', 'attribute:country');
    expect(stats).not.toContain('\t');
    expect(stats).toContain('Host country: a A land · b b\n');
    expect(stats).toMatch(/\ndd\.x +Child with newline +1 +50\.0% +1 +1 +0\n/);
    expect(stats).toMatch(/\ndd\.y +tab label +1 +50\.0% +1 +1 +0\n/);

    const cooccur = qcodeOk(project, 'cooccur');
    expect(cooccur).not.toContain('\t');
    expect(cooccur.startsWith('H1  Two lines\n')).toBe(true);
    expect(cooccur).toMatch(/\n {2}Child with newline +1 /);
    expect(cooccur).toMatch(/\n {3}tab label +1 /);
    expect(cooccur).toContain('\nHost country\n');

    // CSV keeps the label as it is.
    expect(qcodeOk(project, 'stats', '--csv')).toContain('"Child\nwith newline"');
  });
});

describe('a code named by its last part', () => {
  it('retrieve and disagreements suggest the full id, as tag does', () => {
    const project = newProject();
    const dir = tempDir();
    qcodeOk(project, 'import', interview(dir), '--quiet');
    qcodeOk(project, 'tag', 'a:2', 'forms.protest', '--coder', 'anna', '--quiet');
    qcodeOk(project, 'tag', 'a:2', 'forms.media', '--coder', 'mikhail', '--quiet');
    const cases: Array<[string[], string]> = [
      [['retrieve', '--code', 'protest'], '--code: unknown code "protest" (did you mean "forms.protest"?)'],
      [['retrieve', '--code', 'forms.media', '--not', 'protest'], '--not: unknown code "protest" (did you mean "forms.protest"?)'],
      [['disagreements', '--coders', 'anna,mikhail', '--code', 'protest'], 'no code "protest" (did you mean "forms.protest"?)'],
    ];
    for (const [args, message] of cases) {
      const result = runQcode(['--project', project, ...args]);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr.split('\n')[0], args.join(' ')).toContain(message);
    }
  });
});

describe('cooccur --help', () => {
  it('lists the columns --long prints', () => {
    const help = runQcode(['cooccur', '--help']).stdout.replace(/\s+/g, ' ');
    expect(help).toContain(`one row per cell (${LONG_KEYS.join(', ')})`);
  });
});
