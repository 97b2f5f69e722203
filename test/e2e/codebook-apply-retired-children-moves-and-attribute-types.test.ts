// codebook apply over a project whose codebook changed before: a retired parent and child deleted in the
// right order, a code moved into an exclusive dimension, and attributes whose type or range changed under
// the values cases hold (and what export then writes).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { editCodebook, runQcode, tempDir } from '../helpers.js';
import { query, seedInterviews } from '../seed.js';

function qcode(dir: string, ...args: string[]) {
  return runQcode(['--project', dir, ...args]);
}

function ok(dir: string, ...args: string[]): { stdout: string; stderr: string } {
  const result = qcode(dir, ...args);
  expect(result.code, result.stderr).toBe(0);
  return result;
}

describe('codebook apply: deleting retired codes', () => {
  it('deletes a retired child before its parent, though the parent was retired later (ord moved past the child)', () => {
    const dir = seedInterviews();
    const base = readFileSync(join(dir, 'codebook.yaml'), 'utf8');
    const withChild = join(dir, 'a.yaml');
    const parentOnly = join(dir, 'b.yaml');
    const plain = join(dir, 'base.yaml');
    writeFileSync(plain, base);
    writeFileSync(withChild, base.replace('      - id: protest\n', '      - id: alpha\n        label: Alpha\n        codes:\n          - {id: c, label: Alpha child}\n      - id: protest\n'));
    writeFileSync(parentOnly, base.replace('      - id: fundraising\n', '      - id: alpha\n        label: Alpha\n      - id: fundraising\n'));
    expect(readFileSync(withChild, 'utf8')).not.toBe(base);
    expect(readFileSync(parentOnly, 'utf8')).not.toBe(base);

    ok(dir, 'codebook', 'apply', withChild);
    ok(dir, 'tag', 'r01-vilnius-ru:2', 'forms.alpha.c', '--coder', 'anna');
    ok(dir, 'tag', 'r01-vilnius-ru:3', 'forms.alpha', '--coder', 'anna');
    ok(dir, 'codebook', 'apply', parentOnly); // retires the child
    ok(dir, 'codebook', 'apply', plain); // retires the parent: its ord now comes after the child's
    ok(dir, 'untag', 'r01-vilnius-ru:2', 'forms.alpha.c', '--coder', 'anna');
    ok(dir, 'untag', 'r01-vilnius-ru:3', 'forms.alpha', '--coder', 'anna');

    const applied = qcode(dir, 'codebook', 'apply', plain);
    expect(applied.stderr).not.toContain('FOREIGN KEY');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('  - code forms.alpha.c (never coded)\n  - code forms.alpha (never coded)\n');
    expect(query(dir, "SELECT id FROM codes WHERE id LIKE 'forms.alpha%'")).toEqual([]);
    expect(qcode(dir, 'codebook', 'apply', plain).stdout).toContain('nothing to apply');
  });
});

describe('codebook apply: a code moved into an exclusive dimension', () => {
  it('warns with counts per coder of the segments where the moved code meets another code of that dimension', () => {
    const dir = seedInterviews();
    // migration_effect is exclusive; forms.media moves into it.
    ok(dir, 'tag', 'r01-vilnius-ru:2', 'forms.media', 'migration_effect.mobilising', '--coder', 'anna');
    ok(dir, 'tag', 'r01-vilnius-ru:3', 'forms.media', 'migration_effect.inhibiting', '--coder', 'boris');
    ok(dir, 'tag', 'r01-vilnius-ru:4', 'forms.media', '--coder', 'anna');
    ok(dir, 'tag', 'r01-vilnius-ru:5', 'forms.media', 'migration_effect.inhibiting', '--coder', 'boris');
    editCodebook(dir, (yaml) => {
      const start = yaml.indexOf('      - id: media\n');
      const end = yaml.indexOf('      - id: ', start + 10);
      const block = yaml.slice(start, end).replace('      - id: media\n', '      - id: media\n        was: forms.media\n');
      const without = yaml.slice(0, start) + yaml.slice(end);
      const at = without.indexOf('      - id: no_change\n');
      return without.slice(0, at) + block + without.slice(at);
    });
    const warning = 'code forms.media moves into dimension migration_effect, which is one-code-per-segment, and then 3 segments carry two or more of its codes from one coder (boris: 2, anna: 1)';

    const diff = ok(dir, 'codebook', 'diff', join(dir, 'codebook.yaml'));
    expect(diff.stdout).toContain('  > code forms.media renamed to migration_effect.media (keeps 4 codings)\n');
    expect(diff.stderr).toContain(`Warning: ${warning}: they are kept`);

    const applied = ok(dir, 'codebook', 'apply');
    expect(applied.stderr).toContain(`Warning: ${warning}`);
    expect(query(dir, "SELECT count(*) AS n FROM codings WHERE code_id = 'migration_effect.media'")).toEqual([{ n: 4 }]);
  });
});

describe('codebook apply and export: attribute values that no longer fit the type or range', () => {
  it('warns at diff and apply, and export writes the values as text with a warning instead of leaving them out', () => {
    const dir = seedInterviews();
    ok(dir, 'cases', 'set', 'R01', 'emigration_year=2019');
    ok(dir, 'cases', 'set', 'R02', 'emigration_year=2022');
    editCodebook(dir, (yaml) => yaml
      .replace(/( {2}host_country:\n {4}type: )category/, '$1number')
      .replace(/\n {4}values: \[LT, LV[^\n]*\n {4}value_labels:\n(?: {6}[A-Z]{2}: [^\n]*\n)+/, '\n')
      .replace('    min: 1990\n', '    min: 2020\n'));

    const diff = ok(dir, 'codebook', 'diff', join(dir, 'codebook.yaml'));
    expect(diff.stderr).toContain('Warning: attribute host_country is of type number, but 2 cases hold values that are not a number: "LT" (1), "LV" (1) (kept; qcode export writes host_country as text');
    expect(diff.stderr).toContain('Warning: attribute emigration_year: 1 case holds a value that is below the minimum 2020: "2019" (1) (kept; fix with qcode cases set)\n');

    const applied = ok(dir, 'codebook', 'apply');
    expect(applied.stderr).toContain('Warning: attribute host_country is of type number, but 2 cases hold values');

    const out = join(tempDir(), 'export');
    const exported = ok(dir, 'export', 'all', '--out', out);
    expect(exported.stderr).toContain(
      'Warning: attribute host_country is of type number, but 2 cases hold values that are not a number: "LT" (1), "LV" (1); so column host_country is written as text in cases.csv, documents.csv and segments.csv',
    );
    const cases = readFileSync(join(out, 'cases.csv'), 'utf8').split('\n');
    const header = (cases[0] ?? '').split(',');
    const column = header.indexOf('host_country');
    expect(cases.slice(1, 3).map((line) => line.split(',')[column])).toEqual(['LT', 'LV']);
    expect(readFileSync(join(out, 'qcode.R'), 'utf8')).toMatch(/host_country = "character"/);
    // Numbers within the type are written as they are, and say nothing.
    expect(exported.stderr).not.toContain('emigration_year');
  });
});
