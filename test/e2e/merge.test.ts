import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectContent } from '../agreement-seed.js';
import { FIXTURES, newProject, runQcode, spawnUntilPaused, tempDir } from '../helpers.js';
import { query } from '../seed.js';

// The team workflow through the binary: one fixture project copied to two coders, each coding their copy
// with `qcode tag --from`, merged, then measured against a table computed by hand.

function qcode(project: string, ...args: string[]): string {
  const result = runQcode(['--project', project, ...args]);
  if (result.code !== 0) throw new Error(`qcode ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

/** A project holding two imported fixture interviews, and two copies of it. */
function copies(...names: string[]): string[] {
  const base = newProject();
  const sources = tempDir('qcode-sources-');
  for (const file of ['r01-vilnius-ru.txt', 'r02-riga-en.txt']) copyFileSync(join(FIXTURES, 'interviews', file), join(sources, file));
  qcode(base, 'import', join(sources, 'r01-vilnius-ru.txt'), join(sources, 'r02-riga-en.txt'));
  return names.map((name) => {
    const copy = join(tempDir('qcode-copy-'), name);
    cpSync(base, copy, { recursive: true });
    return copy;
  });
}

function tagFrom(project: string, rows: string[]): void {
  const file = join(tempDir('qcode-csv-'), 'codings.csv');
  writeFileSync(file, ['document,segment,code,coder', ...rows].join('\n') + '\n');
  qcode(project, 'tag', '--from', file);
}

const R01 = 'r01-vilnius-ru';
const ANNA = [
  `${R01},1,forms.protest,anna`,
  `${R01},2,forms.protest,anna`,
  `${R01},3,forms.petitions,anna`,
  `${R01},4,forms.petitions,anna`,
  `${R01},5,migration_effect.mobilising,anna`,
  `${R01},6,migration_effect.inhibiting,anna`,
];
const BORIS = [
  `${R01},2,forms.protest,boris`,
  `${R01},3,forms.protest,boris`,
  `${R01},3,forms.petitions,boris`,
  `${R01},4,forms.petitions,boris`,
  `${R01},5,migration_effect.mobilising,boris`,
  `${R01},6,migration_effect.mobilising,boris`,
  `${R01},7,forms.protest,boris`,
];

interface Row {
  level: string;
  id: string;
  coded_anna: number | null;
  coded_boris: number | null;
  units: number | null;
  agreement: number | null;
  kappa: number | null;
  alpha: number | null;
  nominal_alpha: number | null;
  nominal_units: number | null;
  flag: string;
}

describe('team workflow: copies coded apart, merged, measured', () => {
  it('merges boris\'s copy into anna\'s and reproduces the hand-computed agreement table; a second merge adds nothing', () => {
    const [anna, boris] = copies('study-anna', 'study-boris') as [string, string];
    tagFrom(anna, ANNA);
    tagFrom(boris, BORIS);

    const merged = JSON.parse(qcode(anna, 'merge', boris, '--json')) as { applied: boolean; matched_documents: number; added: Record<string, unknown> };
    expect(merged.applied).toBe(true);
    expect(merged.matched_documents).toBe(2);
    // boris: 7 codings on 6 segments; his copy's log holds one tag event per coding (the first on each segment also records the seen mark).
    expect(merged.added).toMatchObject({ coders: 1, documents: 0, segments: 0, codings: 7, seen: 6, events: 7 });

    // Tagging marks a segment seen, so both coders have seen r01 segments 2–6: five units, by hand:
    //   forms.protest      anna {2}     boris {2,3}  → PA 4/5, κ = (0.8 − 0.56)/(1 − 0.56) = 0.545455, α = 4/7
    //   forms.petitions    anna {3,4}   boris {3,4}  → 1, 1, 1
    //   …mobilising        anna {5}     boris {5,6}  → 0.8, 0.545455, 4/7
    //   …inhibiting        anna {6}     boris {}     → 0.8, κ 0 (p_e = 0.8), α 0
    //   migration_effect nominal: units 5 (mob, mob) and 6 (inh, mob) → D_o = D_e = 0.5, α = 0
    const rows = JSON.parse(qcode(anna, 'agreement', '--coders', 'anna,boris', '--json')) as Row[];
    const row = (id: string): Row => rows.find((item) => item.id === id)!;
    const pick = (item: Row) => [item.coded_anna, item.coded_boris, item.units, item.agreement, item.kappa, item.alpha].map((value) => (typeof value === 'number' ? Number(value.toFixed(6)) : value));
    expect(pick(row('forms.protest'))).toEqual([2, 3, 5, 0.8, 0.545455, 0.571429]);
    expect(pick(row('forms.petitions'))).toEqual([2, 2, 5, 1, 1, 1]);
    expect(pick(row('migration_effect.mobilising'))).toEqual([1, 2, 5, 0.8, 0.545455, 0.571429]);
    expect(pick(row('migration_effect.inhibiting'))).toEqual([1, 0, 5, 0.8, 0, 0]);
    expect(pick(row('forms.media'))).toEqual([0, 0, 5, 1, null, null]);
    expect([row('forms.protest').flag, row('forms.petitions').flag, row('forms.media').flag]).toEqual(['below 0.667', 'ok', 'undefined']);
    const dimension = rows.find((item) => item.level === 'dimension' && item.id === 'migration_effect')!;
    expect(dimension.nominal_alpha).toBeCloseTo(0, 12);
    expect(dimension.nominal_units).toBe(2);
    expect(rows.at(-1)).toMatchObject({ level: 'overall', id: 'all', units: null });

    const csv = qcode(anna, 'disagreements', '--coders', 'anna,boris', '--csv').split('\n');
    expect(csv[0]).toBe('document,ordinal,speaker,text,codes_anna,codes_boris,only_anna,only_boris');
    expect(csv.filter((line) => line.startsWith(`${R01},`))).toHaveLength(2);
    const disagreements = JSON.parse(qcode(anna, 'disagreements', '--coders', 'anna,boris', '--json')) as Array<Record<string, unknown>>;
    expect(disagreements.map((item) => [item.document, item.ordinal, item.codes_anna, item.codes_boris, item.only_anna, item.only_boris])).toEqual([
      [R01, 3, 'forms.petitions', 'forms.protest forms.petitions', '', 'forms.protest'],
      [R01, 6, 'migration_effect.inhibiting', 'migration_effect.mobilising', 'migration_effect.inhibiting', 'migration_effect.mobilising'],
    ]);
    const screen = qcode(anna, 'disagreements', '--coders', 'anna,boris');
    expect(screen).toMatch(/^document +# +speaker +text +only anna +only boris$/m);
    expect(screen).toMatch(new RegExp(`^${R01} +3 .* — +forms\\.protest$`, 'm'));
    expect(screen).toMatch(/2 disagreements in 5 segments seen by both anna and boris\./);

    const after = projectContent(anna);
    const again = JSON.parse(qcode(anna, 'merge', boris, '--json')) as { added: Record<string, unknown> };
    expect(again.added).toMatchObject({ coders: 0, cases: 0, case_values: 0, documents: 0, segments: 0, codings: 0, seen: 0, memos: 0, events: 0 });
    expect(projectContent(anna)).toEqual(after);
  });

  it('prints the table with flags, and a dry run changes nothing', () => {
    const [anna, boris] = copies('a', 'b') as [string, string];
    tagFrom(anna, ANNA);
    tagFrom(boris, BORIS);
    const before = projectContent(anna);
    expect(qcode(anna, 'merge', boris, '--dry-run')).toMatch(/^Dry run, nothing changed\. Would merge .*\n {2}\+ 1 coder, 0 cases \(0 values\), 0 documents \(0 segments\)\n {2}\+ 7 codings, 6 seen marks, 0 memos, 7 events\n/);
    expect(projectContent(anna)).toEqual(before);
    qcode(anna, 'merge', boris);
    const table = qcode(anna, 'agreement', '--coders', 'anna,boris', '--dimension', 'forms');
    expect(table).toMatch(/^ {2}forms\.protest +2 +3 +5 +80\.0% +0\.545 +0\.571 .*✗ <0\.667$/m);
    expect(table).toMatch(/^ {2}forms\.petitions +2 +2 +5 +100\.0% +1\.000 +1\.000 *$/m);
    expect(table).toMatch(/anna vs boris · 42 segments · 5 segments seen by both/);
    const csv = qcode(anna, 'agreement', '--coders', 'anna,boris', '--code', 'forms.petitions', '--csv');
    expect(csv).toBe([
      'level,id,dimension,coded_anna,coded_boris,units,decisions,agreement,kappa,alpha,alpha_low,alpha_high,alpha_units,mean_alpha,nominal_alpha,nominal_low,nominal_high,nominal_units,flag,codes',
      'code,forms.petitions,forms,2,2,5,5,1,1,1,,,5,,,,,,ok,',
      'dimension,forms,forms,,,,5,1,1,1,,,5,1,,,,,ok,1',
      'overall,all,,,,,5,1,1,1,,,5,1,,,,,ok,1',
      '',
    ].join('\n'));
  });

  it('stops on a codebook difference, naming it, and exits 1', () => {
    const [anna, boris] = copies('a', 'b') as [string, string];
    const yaml = join(boris, 'codebook.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('label: Protest, demonstration, picket', 'label: Protest or picket'));
    qcode(boris, 'codebook', 'apply');
    const result = runQcode(['--project', anna, 'merge', boris]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/~ code forms\.protest \(label\)/);
    expect(result.stderr).toMatch(/Error: the other project's codebook differs from this one \(1 difference\); nothing was merged/);
  });
});

describe('merge killed midway', () => {
  it('leaves the target exactly as it was, and a later merge succeeds', async () => {
    const [anna, vera] = copies('study-anna', 'study-vera') as [string, string];
    tagFrom(anna, ANNA);
    // vera brings every kind of row a merge writes: a coder, a document with segments, codings, seen marks,
    // a memo, events and a case.
    const sources = tempDir('qcode-sources-');
    copyFileSync(join(FIXTURES, 'interviews', 'r03-warsaw-ru.txt'), join(sources, 'r03-warsaw-ru.txt'));
    qcode(vera, 'import', join(sources, 'r03-warsaw-ru.txt'));
    tagFrom(vera, [...ANNA.map((line) => line.replace(/,anna$/, ',vera')), 'r03-warsaw-ru,2,forms.media,vera']);
    qcode(vera, 'memo', 'add', '--segment', 'r03-warsaw-ru:2', '--coder', 'vera', 'о газете, не о протесте');
    qcode(vera, 'cases', 'set', 'R03', 'host_country=PL');
    const before = projectContent(anna);

    const { child, exited } = await spawnUntilPaused(['--project', anna, 'merge', vera], {
      env: { QCODE_TEST_PAUSE_MERGE_MS: '60000' },
      marker: 'paused inside the transaction',
    });
    child.kill('SIGKILL');
    expect((await exited).signal).toBe('SIGKILL');

    expect(query(anna, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(projectContent(anna)).toEqual(before);
    const merged = JSON.parse(qcode(anna, 'merge', vera, '--json')) as { added: Record<string, number> };
    expect(merged.added).toMatchObject({ coders: 1, cases: 1, documents: 1, codings: 7, memos: 1 });
  });
});

describe('merge: renames, undo history, event targets, damaged copies', () => {
  /** A project with anna's codings, and a copy of it (the other coder's laptop). */
  function sharedCopies(): [string, string] {
    const [here] = copies('study-here') as [string];
    tagFrom(here, ANNA);
    const there = join(tempDir('qcode-copy-'), 'study-there');
    cpSync(here, there, { recursive: true });
    return [here, there];
  }

  it('refuses (exit 2) to pour a coder over there into a coder of this project, unless --into-existing-coder', () => {
    const [here, there] = sharedCopies();
    qcode(here, 'tag', `${R01}:1`, 'forms.media', '--coder', 'boris');
    const before = projectContent(here);
    const refused = runQcode(['--project', here, 'merge', there, '--rename-coder', 'anna=boris']);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe('Error: --rename-coder anna=boris: "boris" is already a coder of this project; "anna"\'s work from the other project would become "boris"\'s, for good — Choose a new name (e.g. --rename-coder anna=anna-2), or add --into-existing-coder if they are the same person');
    expect(projectContent(here)).toEqual(before);
    expect(runQcode(['--project', here, 'merge', there, '--rename-coder', 'anna=boris', '--into-existing-coder']).code).toBe(0);
    expect(query(here, "SELECT count(*) AS n FROM codings k JOIN coders r ON r.id = k.coder_id WHERE r.name = 'boris'")).toEqual([{ n: 1 + ANNA.length }]);
  });

  it("keeps an undo made in the other copy as history: this project's batch stays undoable and is not shown as undone", () => {
    const [here, there] = sharedCopies();
    qcode(there, 'undo', '--coder', 'anna');
    const merged = JSON.parse(qcode(here, 'merge', there, '--json')) as { added: Record<string, number> };
    expect(merged.added).toMatchObject({ codings: 0, events: 1 });
    const log = JSON.parse(qcode(here, 'log', '--coder', 'anna', '--json')) as Array<{ action: string; undone_by: number | null; via: string | null }>;
    expect(log.map((entry) => [entry.action, entry.undone_by])).toEqual([['merged.undo', null], ...ANNA.map(() => ['tag', null])]);
    expect(log[0]!.via).toBe('tag --from codings.csv');
    expect(qcode(here, 'log', '--coder', 'anna', '--limit', '1')).toMatch(/ anna +merged\.undo +tag --from/);
    // Merging again, or merging back into the copy that made the undo, adds no event.
    expect((JSON.parse(qcode(here, 'merge', there, '--json')) as { added: Record<string, number> }).added.events).toBe(0);
    const back = JSON.parse(qcode(there, 'merge', here, '--json')) as { added: Record<string, number> };
    expect(back.added.events).toBe(1); // this project's 'merge' event
    expect(query(there, "SELECT action FROM events WHERE action LIKE '%undo'")).toEqual([{ action: 'undo' }]);
    expect(qcode(here, 'undo', '--coder', 'anna')).toMatch(/^Undid tag --from/);
    expect(query(here, "SELECT count(*) AS n FROM codings k JOIN coders r ON r.id = k.coder_id WHERE r.name = 'anna'")).toEqual([{ n: 0 }]);
  });

  it("rewrites merged events' slugs, segment ids and memo ids to this project's rows", () => {
    const here = newProject();
    const there = newProject();
    const sources = tempDir('qcode-sources-');
    mkdirSync(join(sources, 'here'));
    mkdirSync(join(sources, 'there'));
    writeFileSync(join(sources, 'here', 'dupe.txt'), 'first line here\nsecond line here\nthird line here\n');
    writeFileSync(join(sources, 'there', 'dupe.txt'), 'другой текст\nвторая строка\nтретья строка\n');
    qcode(here, 'import', join(sources, 'here', 'dupe.txt'));
    qcode(there, 'import', join(sources, 'there', 'dupe.txt'));
    qcode(here, 'memo', 'add', '--document', 'dupe', 'a memo of this project');
    qcode(there, 'tag', 'dupe:2', 'forms.protest', '--coder', 'boris');
    qcode(there, 'memo', 'add', '--segment', 'dupe:2', '--coder', 'boris', 'ирония?');

    qcode(here, 'merge', there);
    const segment = query<{ id: number }>(here, "SELECT s.id FROM segments s JOIN documents d ON d.id = s.document_id WHERE d.slug = 'dupe-2' AND s.ordinal = 2")[0]!.id;
    const memo = query<{ id: number }>(here, "SELECT id FROM memos WHERE text = 'ирония?'")[0]!.id;
    expect(segment).not.toBe(query<{ id: number }>(there, "SELECT id FROM segments WHERE ordinal = 2")[0]!.id);
    expect(memo).toBe(2);
    const log = JSON.parse(qcode(here, 'log', '--coder', 'boris', '--json')) as Array<{ action: string; target: string; payload: Record<string, unknown> }>;
    expect(log.map((entry) => [entry.action, entry.target])).toEqual([['memo.add', `memo ${memo}`], ['tag', 'dupe-2:2']]);
    expect(log[0]!.payload).toMatchObject({ memo, target_kind: 'segment', target_id: String(segment) });
    expect(log[1]!.payload).toMatchObject({ segment, slug: 'dupe-2', ordinal: 2, code: 'forms.protest' });
    expect(qcode(here, 'log', '--coder', 'boris')).toMatch(/ boris +tag +dupe-2:2 +forms\.protest/);
    expect((JSON.parse(qcode(here, 'merge', there, '--json')) as { added: Record<string, number> }).added.events).toBe(0);
  });

  it.each([
    ['when it is opened', (pages: number) => [1, pages]],
    ['midway through the merge', (pages: number) => [Math.floor(pages / 2), Math.floor(pages * 0.9)]],
  ])('names a damaged other project in one line, exits 1 and changes nothing here (damage found %s)', (_when, damaged) => {
    const [here, there] = sharedCopies();
    query(there, 'PRAGMA wal_checkpoint(TRUNCATE)');
    const file = join(there, 'qcode.db');
    const bytes = readFileSync(file);
    const pageSize = bytes.readUInt16BE(16);
    const [from, to] = damaged(bytes.length / pageSize) as [number, number];
    bytes.fill(0xff, from * pageSize, to * pageSize);
    writeFileSync(file, bytes);
    const before = projectContent(here);
    const result = runQcode(['--project', here, 'merge', there]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^Error: the other project ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is damaged: .+; nothing was merged — Ask for a fresh copy of it \\(or its backup\\) and merge that\\n$`));
    expect(result.stderr).not.toMatch(/bug in qcode/);
    expect(projectContent(here)).toEqual(before);
  });

  it('keeps the backup of an earlier --codebook-from other merge, and says where the new one is', () => {
    const [here, there] = sharedCopies();
    const yaml = join(there, 'codebook.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('label: Protest, demonstration, picket', 'label: Protest or picket'));
    qcode(there, 'codebook', 'apply');
    mkdirSync(join(here, 'codebook.yaml.before-merge'));
    const output = qcode(here, 'merge', there, '--codebook-from', 'other');
    expect(output).toMatch(/codebook: 1 difference, the other project's codebook was applied \(codebook\.yaml replaced; the old one is codebook\.yaml\.before-merge-2\)/);
    expect(readFileSync(join(here, 'codebook.yaml'), 'utf8')).toBe(readFileSync(yaml, 'utf8'));
    expect(qcode(here, 'codebook', 'apply')).not.toMatch(/Protest, demonstration/);
  });
});
