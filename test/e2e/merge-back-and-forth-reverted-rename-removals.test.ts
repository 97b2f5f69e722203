import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyProject, editCodebook, newProject, qcodeOk, runQcode, tempDir } from '../helpers.js';
import { query } from '../seed.js';

// Merge through the binary, two copies merged into each other more than once: a rename reverted with
// --codebook-from other, merge events going back and forth, a removal made in one copy, a removed text held
// under another case, and a --rename-coder repeated after the renamed coder came back.

function paragraphs(prefix: string, n: number): string {
  return Array.from({ length: n }, (_, i) => `${prefix} paragraph ${i + 1}, with words ${i + 1}.\n\n`).join('');
}

/** A project (example codebook) with g1 of case P1 and g14 of case P2; `files` holds their texts. */
function base(): { dir: string; files: string } {
  const dir = newProject('example');
  const files = join(tempDir('qcode-texts-'), 'src');
  mkdirSync(files);
  writeFileSync(join(files, 'g1.txt'), paragraphs('About the garden and the neighbours,', 6));
  writeFileSync(join(files, 'g14.txt'), paragraphs('About the kitchen and the market,', 4));
  qcodeOk(dir, 'import', join(files, 'g1.txt'), '--case', 'P1');
  qcodeOk(dir, 'import', join(files, 'g14.txt'), '--case', 'P2');
  return { dir, files };
}

function codingsOf(dir: string): string[] {
  return query<{ item: string }>(dir, `
    SELECT d.slug || ':' || s.ordinal || ' ' || k.code_id || ' ' || r.name AS item FROM codings k JOIN segments s ON s.id = k.segment_id
    JOIN documents d ON d.id = s.document_id JOIN coders r ON r.id = k.coder_id ORDER BY item`).map((row) => row.item);
}

describe('merge --codebook-from other: a rename known in either codebook history', () => {
  it('renames the code back (its codings follow) instead of retiring it and adding a second one', () => {
    const { dir } = base();
    const a = copyProject(dir, 'A');
    const b = copyProject(dir, 'B');
    qcodeOk(a, 'tag', 'g1:1', 'motives.food', '--coder', 'anna');
    qcodeOk(b, 'tag', 'g1:1', 'motives.food', '--coder', 'boris');
    editCodebook(b, (yaml) => yaml.replace('      - id: food\n', '      - id: eating\n        was: motives.food\n'));
    qcodeOk(b, 'codebook', 'apply');

    const output = qcodeOk(b, 'merge', a, '--codebook-from', 'other');
    expect(output).toContain('> code motives.eating renamed to motives.food (keeps 1 coding)');
    expect(output).not.toContain('retired');
    expect(codingsOf(b)).toEqual(['g1:1 motives.food anna', 'g1:1 motives.food boris']);
    expect(query(b, "SELECT id FROM codes WHERE id = 'motives.eating'")).toEqual([]);
    const agreement = qcodeOk(b, 'agreement', '--coders', 'anna,boris', '--csv');
    expect(agreement).toContain('code,motives.food,motives,1,1,1,1,1,');

    // And back: nothing is split, nothing comes twice.
    qcodeOk(a, 'merge', b, '--codebook-from', 'other');
    expect(codingsOf(a)).toEqual(['g1:1 motives.food anna', 'g1:1 motives.food boris']);
  });

  it('refuses, changing nothing, when the histories tie one code here to several codes over there', () => {
    const { dir } = base();
    const a = copyProject(dir, 'A');
    const b = copyProject(dir, 'B');
    qcodeOk(b, 'tag', 'g1:1', 'motives.food', '--coder', 'boris');
    qcodeOk(b, 'tag', 'g1:2', 'motives.leisure', '--coder', 'boris');
    // B made food and leisure one code; A still has them apart.
    editCodebook(b, (yaml) => yaml
      .replace('      - id: food\n', '      - id: eating\n        was: [motives.food, motives.leisure]\n')
      .replace(/      - id: leisure\n(?:        .*\n)+/, ''));
    qcodeOk(b, 'codebook', 'apply');
    const before = { codings: codingsOf(b), codes: query(b, 'SELECT id, status FROM codes ORDER BY id'), yaml: readFileSync(join(b, 'codebook.yaml'), 'utf8') };

    const result = runQcode(['--project', b, 'merge', a, '--codebook-from', 'other']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('code motives.eating here is motives.food, motives.leisure over there');
    expect(result.stderr).toContain('nothing was merged');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect({ codings: codingsOf(b), codes: query(b, 'SELECT id, status FROM codes ORDER BY id'), yaml: readFileSync(join(b, 'codebook.yaml'), 'utf8') }).toEqual(before);
  });
});

describe('merge back and forth', () => {
  it('adds nothing once the copies hold the same: no merge event twice, no new merge event for nothing', () => {
    const { dir } = base();
    const a = copyProject(dir, 'A');
    const b = copyProject(dir, 'B');
    qcodeOk(a, 'tag', 'g1:1', 'motives.food', '--coder', 'anna');
    qcodeOk(b, 'tag', 'g1:2', 'motives.food', '--coder', 'boris');
    for (let round = 0; round < 2; round++) {
      qcodeOk(a, 'merge', b, '--quiet');
      qcodeOk(b, 'merge', a, '--quiet');
    }
    const merges = (dir: string): unknown[] => query(dir, "SELECT at, json_remove(payload, '$.shared') AS payload FROM events WHERE action = 'merge' ORDER BY at");
    // One merge event of each copy's first merge, each stored once in both copies.
    expect(merges(a)).toHaveLength(2);
    expect(merges(b)).toEqual(merges(a));
    const again = JSON.parse(qcodeOk(a, 'merge', b, '--json')) as { added: Record<string, unknown> };
    expect(again.added).toMatchObject({ coders: 0, codings: 0, events: 0 });
    expect(JSON.parse(qcodeOk(b, 'merge', a, '--json')).added).toMatchObject({ events: 0 });
    expect(merges(a)).toHaveLength(2);
  });

  it('does not bring this copy\'s own removal back as a second, merged one', () => {
    const { dir } = base();
    const a = copyProject(dir, 'A');
    const b = copyProject(dir, 'B');
    qcodeOk(a, 'cases', 'remove', 'P2', '--yes');
    qcodeOk(b, 'merge', a);
    qcodeOk(a, 'merge', b);
    expect(query(a, "SELECT action FROM events WHERE action LIKE '%remove' ORDER BY id")).toEqual([{ action: 'remove' }]);
  });

  it('says on every merge (and dry run) that the other copy removed a case this copy still holds', () => {
    const { dir } = base();
    const a = copyProject(dir, 'A');
    const b = copyProject(dir, 'B');
    qcodeOk(a, 'cases', 'remove', 'P2', '--yes');
    const warning = '! the other copy removed case P2, g14 on ';
    expect(qcodeOk(b, 'merge', a)).toContain(warning);
    expect(qcodeOk(b, 'merge', a)).toContain(warning);
    const dryRun = JSON.parse(qcodeOk(b, 'merge', a, '--dry-run', '--json')) as { removed_there: Array<{ cases: string[]; documents: string[]; commands: string[] }> };
    expect(dryRun.removed_there).toMatchObject([{ cases: ['P2'], documents: ['g14'], commands: ['qcode cases remove P2'] }]);
    qcodeOk(b, 'cases', 'remove', 'P2', '--yes');
    expect(qcodeOk(b, 'merge', a)).not.toContain(warning);
  });
});

describe('merge: a removed text held over there under another case', () => {
  it('leaves out the case whose every document was left out, with its values, and a coder whose work all was', () => {
    const { dir, files } = base();
    const a = copyProject(dir, 'A');
    const c = copyProject(dir, 'C');
    const other = join(files, 'other.txt');
    writeFileSync(other, readFileSync(join(files, 'g14.txt')));
    qcodeOk(c, 'import', other, '--case', 'P9');
    qcodeOk(c, 'cases', 'set', 'P9', 'garden_type=allotment');
    qcodeOk(c, 'tag', 'other:1', 'motives.food', '--coder', 'carl');
    qcodeOk(a, 'docs', 'remove', 'g14', '--yes');

    const report = JSON.parse(qcodeOk(a, 'merge', c, '--json')) as { added: Record<string, unknown>; left_out_removed: { cases: string[]; case_values: number; codings: number } };
    expect(report.added).toMatchObject({ coders: 0, cases: 0, case_values: 0, documents: 0, codings: 0 });
    expect(report.left_out_removed).toMatchObject({ cases: ['P9'], case_values: 1, codings: 1 });
    expect(query(a, 'SELECT id FROM cases ORDER BY id')).toEqual([{ id: 'P1' }, { id: 'P2' }]);
    expect(query(a, 'SELECT * FROM case_values')).toEqual([]);
    expect(query(a, 'SELECT name FROM coders')).toEqual([]);
    expect(qcodeOk(a, 'merge', c)).toContain('− left out, removed here (withdrawal of consent): case P9, g14, other');
  });
});

describe('merge --rename-coder repeated after a merge back', () => {
  /** anna coded on two laptops; A merged B's anna in as anna-2. */
  function annaOnTwoLaptops(): { a: string; b: string } {
    const { dir } = base();
    const a = copyProject(dir, 'A');
    const b = copyProject(dir, 'B');
    qcodeOk(a, 'tag', 'g1:1', 'motives.food', '--coder', 'anna');
    qcodeOk(b, 'tag', 'g1:1', 'motives.civic', '--coder', 'anna');
    qcodeOk(a, 'merge', b, '--rename-coder', 'anna=anna-2');
    return { a, b };
  }

  it('is allowed although the renamed coder came back in the other copy', () => {
    const { a, b } = annaOnTwoLaptops();
    qcodeOk(b, 'merge', a);
    qcodeOk(b, 'tag', 'g1:2', 'motives.civic', '--coder', 'anna');
    qcodeOk(a, 'merge', b, '--rename-coder', 'anna=anna-2');
    expect(codingsOf(a)).toContain('g1:2 motives.civic anna-2');
    expect(query(a, 'SELECT name FROM coders ORDER BY name')).toEqual([{ name: 'anna' }, { name: 'anna-2' }]);
  });

  it('keeps the two laptops apart when the other copy brought this one\'s coder in under another name', () => {
    const { a, b } = annaOnTwoLaptops();
    qcodeOk(b, 'merge', a, '--rename-coder', 'anna=anna-a');
    qcodeOk(b, 'tag', 'g1:2', 'motives.civic', '--coder', 'anna');
    qcodeOk(a, 'merge', b, '--rename-coder', 'anna=anna-2', '--rename-coder', 'anna-a=anna', '--into-existing-coder');
    expect(codingsOf(a)).toEqual(['g1:1 motives.civic anna-2', 'g1:1 motives.food anna', 'g1:2 motives.civic anna-2']);
  });

  it('still refuses when the coder of that name over there did work of their own', () => {
    const { a, b } = annaOnTwoLaptops();
    qcodeOk(b, 'merge', a);
    qcodeOk(b, 'tag', 'g1:3', 'motives.civic', '--coder', 'anna-2');
    const result = runQcode(['--project', a, 'merge', b, '--rename-coder', 'anna=anna-2']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"anna-2" would hold the work of both "anna" and "anna-2" of the other project');
  });
});
