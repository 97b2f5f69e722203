import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { copyProject, editCodebook, qcodeOk, runQcode, spawnUntilPaused, tempDir } from '../helpers.js';
import { query, seedInterviews } from '../seed.js';

// Merge through the binary: a code renamed with was: in one copy, a damaged copy, undo of a tag both copies
// share, the hint and --quiet of the conflict list, leftovers of a killed merge, and an other project that
// must stay exactly as it was (not even qcode.db-wal / -shm created there).

const R01 = 'r01-vilnius-ru';

/** The codings of a code per coder, "ordinal code coder". */
function codings(dir: string, codes: string[]): string[] {
  return query<{ item: string }>(dir, `
    SELECT s.ordinal || ' ' || k.code_id || ' ' || r.name AS item FROM codings k JOIN segments s ON s.id = k.segment_id
    JOIN coders r ON r.id = k.coder_id WHERE k.code_id IN (SELECT value FROM json_each(?)) ORDER BY s.document_id, s.ordinal, k.code_id, r.name`, JSON.stringify(codes))
    .map((row) => row.item);
}

/** A base with anna's forms.art on three segments, and a copy of it that renamed forms.art to forms.culture. */
function renamedCopies(): { base: string; renamed: string } {
  const base = seedInterviews();
  for (const ordinal of [2, 3, 4]) qcodeOk(base, 'tag', `${R01}:${ordinal}`, 'forms.art', '--coder', 'anna');
  const renamed = copyProject(base, 'renamed');
  editCodebook(renamed, (yaml) => yaml.replace('      - id: art\n', '      - id: culture\n        was: forms.art\n'));
  qcodeOk(renamed, 'codebook', 'apply');
  return { base, renamed };
}

describe('merge --codebook-from this: a code renamed with was: in either copy', () => {
  it('brings the other copy\'s codings of a code it renamed in under this codebook\'s id, kept once, and says so', () => {
    const { base, renamed } = renamedCopies();
    qcodeOk(renamed, 'tag', `${R01}:5`, 'forms.culture', '--coder', 'anna');
    qcodeOk(renamed, 'memo', 'add', '--code', 'forms.culture', '--coder', 'anna', 'art or culture?');
    const here = copyProject(base, 'here');
    const output = qcodeOk(here, 'merge', renamed, '--codebook-from', 'this');
    expect(output).toContain('  = code forms.culture over there is forms.art here (renamed with was:): 4 codings come in as forms.art; 3 already here on the same segment, coder and span are kept once\n');
    expect(output).not.toMatch(/coded differently|added as retired/);
    expect(codings(here, ['forms.art', 'forms.culture'])).toEqual(['2 forms.art anna', '3 forms.art anna', '4 forms.art anna', '5 forms.art anna']);
    expect(query(here, "SELECT id FROM codes WHERE id = 'forms.culture'")).toEqual([]);
    expect(query(here, "SELECT target_id FROM memos WHERE target_kind = 'code'")).toEqual([{ target_id: 'forms.art' }]);
    // The merged tag event names the code by this project's id, so undo and the log find it.
    expect(query(here, "SELECT json_extract(payload, '$.code') AS code FROM events WHERE action = 'tag' AND batch IS NULL")).toEqual([{ code: 'forms.art' }]);
    expect(JSON.parse(qcodeOk(here, 'merge', renamed, '--codebook-from', 'this', '--json')).added).toMatchObject({ codings: 0, memos: 0, events: 0, retired_codes: [] });
  });

  it('maps the other way too: this project renamed the code, the other copy still has the old id', () => {
    const { base, renamed } = renamedCopies();
    const there = copyProject(base, 'there');
    qcodeOk(there, 'tag', `${R01}:6`, 'forms.art', '--coder', 'boris');
    const report = JSON.parse(qcodeOk(renamed, 'merge', there, '--codebook-from', 'this', '--json')) as { added: { codings: number; retired_codes: string[] }; coder_conflicts: unknown[]; code_renames: unknown[] };
    expect(report.added).toMatchObject({ codings: 1, retired_codes: [] });
    expect(report.coder_conflicts).toEqual([]);
    expect(report.code_renames).toEqual([{ other: 'forms.art', here: 'forms.culture', codings: 4, duplicates: 3 }]);
    expect(codings(renamed, ['forms.art', 'forms.culture'])).toEqual(['2 forms.culture anna', '3 forms.culture anna', '4 forms.culture anna', '6 forms.culture boris']);
    expect(query(renamed, "SELECT id FROM codes WHERE id = 'forms.art'")).toEqual([]);
  });
});

describe('merge: a damaged other project', () => {
  it('names it for any SQLite error reading it (a dropped table), exits 1 and changes nothing here', () => {
    const here = seedInterviews();
    const there = copyProject(here, 'there');
    const db = new Database(join(there, 'qcode.db'));
    db.exec('DROP TABLE memos');
    db.close();
    const before = query(here, 'SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM codings) AS codings');
    const result = runQcode(['--project', here, 'merge', there]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`Error: the other project ${join(there, 'qcode.db')} is damaged: no such table: memos; nothing was merged — Ask for a fresh copy of it (or its backup) and merge that\n`);
    expect(query(here, 'SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM codings) AS codings')).toEqual(before);
  });
});

describe('undo --past-merge of a tag the merged copy shares', () => {
  it('keeps the coding the merged copy still holds and takes back only what it took back; merging again adds nothing', () => {
    const base = seedInterviews();
    const here = copyProject(base, 'here');
    qcodeOk(here, 'tag', `${R01}:12`, 'forms.art', 'forms.media', '--coder', 'anna');
    const there = copyProject(here, 'there');
    qcodeOk(there, 'untag', `${R01}:12`, 'forms.media', '--coder', 'anna');
    qcodeOk(there, 'tag', `${R01}:13`, 'forms.art', '--coder', 'boris');
    qcodeOk(here, 'merge', there);

    const refused = runQcode(['--project', here, 'undo', '--coder', 'anna']);
    expect(refused.code).toBe(1);
    const undo = JSON.parse(qcodeOk(here, 'undo', '--coder', 'anna', '--past-merge', '--json')) as { counts: Record<string, number> };
    expect(undo.counts).toMatchObject({ kept_by_merge: 1, codings_removed: 1 });
    expect(codings(here, ['forms.art', 'forms.media'])).toEqual(['12 forms.art anna', '13 forms.art boris']);
    expect(JSON.parse(qcodeOk(here, 'merge', there, '--json')).added).toMatchObject({ codings: 0, events: 0 });
  });
});

/** A copy whose coder anna coded twelve segments of r01 differently from this project, and whose codebook differs. */
function conflictingCopies(): { here: string; there: string } {
  const here = seedInterviews();
  const there = copyProject(here, 'there');
  const file = join(tempDir(), 'anna.csv');
  writeFileSync(file, ['document,segment,code,coder', ...Array.from({ length: 12 }, (_, i) => `${R01},${i + 1},forms.media,anna`)].join('\n') + '\n');
  qcodeOk(there, 'tag', '--from', file);
  qcodeOk(there, 'tag', `${R01}:20`, 'forms.art', '--coder', 'boris');
  editCodebook(there, (yaml) => yaml.replace('label: Art and cultural action', 'label: Art'));
  qcodeOk(there, 'codebook', 'apply');
  qcodeOk(here, 'tag', `${R01}:1`, 'forms.protest', '--coder', 'anna');
  for (let ordinal = 2; ordinal <= 12; ordinal++) qcodeOk(here, 'tag', `${R01}:${ordinal}`, 'forms.art', '--coder', 'anna');
  return { here, there };
}

describe('merge: the list of conflicts', () => {
  it('"all of them" repeats the options in effect, shell-quoted, and that command runs', () => {
    const { here, there } = conflictingCopies();
    const output = qcodeOk(here, 'merge', there, '--codebook-from', 'this', '--rename-coder', 'boris=boris laptop', '--dry-run');
    const command = `qcode --project ${here} merge ${join(there, 'qcode.db')} --dry-run --json --codebook-from this --rename-coder 'boris=boris laptop'`;
    expect(output).toContain(`      … (all of them: ${command})\n`);
    // The hint's command, as a shell would split it.
    const listed = JSON.parse(qcodeOk(here, 'merge', join(there, 'qcode.db'), '--dry-run', '--json', '--codebook-from', 'this', '--rename-coder', 'boris=boris laptop')) as { coder_conflicts: unknown[] };
    expect(listed.coder_conflicts).toHaveLength(12);
  });

  it('--quiet prints the conflict line without a list under it, saying where the list is', () => {
    const { here, there } = conflictingCopies();
    const result = runQcode(['--project', here, '--quiet', 'merge', there, '--codebook-from', 'this']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[lines.length - 1]).toBe(`  ! 12 segments coded differently by the same coder in the two copies; both sets of codes kept (the list: qcode --project ${here} merge ${join(there, 'qcode.db')} --dry-run --json --codebook-from this)`);
    expect(result.stdout).not.toMatch(/^ +r01-vilnius-ru:\d|To keep such versions apart|kept:$/m);
  });
});

describe('merge killed with --codebook-from other', () => {
  it('leaves files that the next merge removes; a backup stays', async () => {
    const { base, renamed } = renamedCopies();
    const here = copyProject(base, 'here');
    writeFileSync(join(here, 'codebook.yaml.before-merge'), 'an earlier backup\n');
    const { child, exited } = await spawnUntilPaused(['--project', here, 'merge', renamed, '--codebook-from', 'other'], {
      env: { QCODE_TEST_PAUSE_MERGE_MS: '60000' },
      marker: 'paused inside the transaction',
    });
    child.kill('SIGKILL');
    await exited;
    const pid = child.pid!;
    // The merge's watcher may already have removed them; put back what a machine that went down would leave, so
    // that the next merge has to clear a dead process's files itself.
    mkdirSync(join(here, `.qcode-merge-${pid}`), { recursive: true });
    writeFileSync(join(here, `.qcode-merge-${pid}`, 'qcode.db'), 'a copy of the other store');
    writeFileSync(join(here, `codebook.yaml.merge-${pid}`), 'the codebook that was to come in');

    qcodeOk(here, 'merge', renamed, '--codebook-from', 'other');
    expect(readdirSync(here).filter((name) => name.includes('merge'))).toEqual(['codebook.yaml.before-merge', 'codebook.yaml.before-merge-2']);
    expect(readFileSync(join(here, 'codebook.yaml.before-merge'), 'utf8')).toBe('an earlier backup\n');
  });
});

describe('merge only reads the other project', () => {
  /** A copy whose qcode.db-wal holds a committed coding that is not in qcode.db yet (as a killed qcode leaves it). */
  function copyWithWal(base: string, withShm: boolean): string {
    const live = copyProject(base, 'live');
    const db = new Database(join(live, 'qcode.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.prepare(`INSERT INTO codings (segment_id, code_id, coder_id, start, "end", created_at)
      SELECT s.id, 'forms.protest', (SELECT id FROM coders WHERE name = 'anna'), NULL, NULL, '2026-01-01T00:00:00.000Z'
      FROM segments s JOIN documents d ON d.id = s.document_id WHERE d.slug = ? AND s.ordinal = 7`).run(R01);
    const there = join(tempDir('qcode-merge-wal-'), 'there');
    cpSync(live, there, { recursive: true, filter: (source) => withShm || !source.endsWith('-shm') });
    db.close();
    expect(existsSync(join(there, 'qcode.db-wal'))).toBe(true);
    return there;
  }

  it.each([
    ['without a -wal file', 'none'],
    ['with a -wal file holding committed work, and its -shm', 'wal+shm'],
    ['with a -wal file holding committed work, without its -shm', 'wal'],
  ])('creates no file in its folder and sees all its work (%s)', (_name, state) => {
    const base = seedInterviews();
    qcodeOk(base, 'tag', `${R01}:2`, 'forms.art', '--coder', 'anna');
    const there = state === 'none' ? copyProject(base, 'there') : copyWithWal(base, state === 'wal+shm');
    const here = copyProject(base, 'here');
    const files = readdirSync(there).sort();
    const bytes = files.map((name) => readFileSync(join(there, name)).length);
    const report = JSON.parse(qcodeOk(here, 'merge', there, '--json')) as { added: { codings: number } };
    expect(report.added.codings).toBe(state === 'none' ? 0 : 1);
    expect(readdirSync(there).sort()).toEqual(files);
    expect(files.map((name) => readFileSync(join(there, name)).length)).toEqual(bytes);
    expect(readdirSync(here).filter((name) => name.startsWith('.qcode-merge'))).toEqual([]);
  });
});
