// docs remove / cases remove, review fixes: an erasure a reader blocks is reported as not complete and
// finished by running the removal again; every earlier version of a removed document stays out; a merge
// from the copy that removed does not claim the removal here but says how to do it; undo does not reach
// past a removal unasked; copies of the store are found by their header, whatever their name.
import Database from 'better-sqlite3';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyProject, newProject, qcodeOk as ok, runQcode, tempDir } from '../helpers.js';
import { query } from '../seed.js';

const REMOVED_PHRASE = 'Мой брат служил в зеленоградской прокуратуре до весны';
const LATER_PHRASE = 'и потом переехал в Лавапьесе';
const KEPT_PHRASE = 'пикетировали посольство каждую субботу';

function qcode(dir: string, args: string[], env: Record<string, string> = {}) {
  return runQcode(['--project', dir, ...args], { env });
}

function project(): { dir: string; files: string } {
  const dir = newProject();
  const files = tempDir('qcode-remove-files-');
  writeFileSync(join(files, 'r07.txt'), `Интервьюер: Расскажите о семье.\nРеспондент: ${REMOVED_PHRASE}, а потом уволился.\nИнтервьюер: А потом?\n`);
  // The second version changes a turn nobody coded, so that import --replace keeps the codings.
  writeFileSync(join(files, 'r07v2.txt'), `Интервьюер: Расскажите о семье.\nРеспондент: ${REMOVED_PHRASE}, а потом уволился.\nИнтервьюер: А потом, ${LATER_PHRASE}?\n`);
  writeFileSync(join(files, 'r01.txt'), `Интервьюер: Что вы делали?\nРеспондент: Мы ${KEPT_PHRASE} в Вильнюсе.\n`);
  ok(dir, 'import', join(files, 'r07.txt'), '--case', 'R07');
  ok(dir, 'import', join(files, 'r01.txt'), '--case', 'R01');
  ok(dir, 'cases', 'set', 'R07', 'host_country=ES');
  return { dir, files };
}

/** Whether qcode.db or qcode.db-wal holds the phrase's bytes. */
function inStore(dir: string, phrase: string): boolean {
  const wal = join(dir, 'qcode.db-wal');
  const bytes = Buffer.concat([readFileSync(join(dir, 'qcode.db')), existsSync(wal) ? readFileSync(wal) : Buffer.alloc(0)]);
  return bytes.includes(Buffer.from(phrase, 'utf8'));
}

function slugs(dir: string): string[] {
  return (JSON.parse(ok(dir, 'docs', 'list', '--json')) as Array<{ slug: string }>).map((row) => row.slug);
}

describe('an erasure that another reader blocks', () => {
  it('says the erasure is NOT complete (exit 1), names the reader, and running the removal again finishes it', () => {
    const { dir } = project();
    // A reader that began before the removal (sqlite3, a database browser) keeps the checkpoint from copying past its snapshot.
    const reader = new Database(join(dir, 'qcode.db'), { readonly: true });
    let result;
    try {
      reader.prepare('BEGIN').run();
      reader.prepare('SELECT count(*) FROM segments').get();
      result = qcode(dir, ['docs', 'remove', 'r07', '--yes'], { QCODE_TEST_ERASE_WAIT_MS: '0' });
    } finally {
      reader.close();
    }
    expect(result.code).toBe(1);
    const error = result.stderr.split('\n').filter((line) => line.startsWith('Error:'));
    expect(error).toHaveLength(1);
    expect(error[0]).toContain('r07 was removed (withdrawal of consent; the tombstones are kept), but the erasure is NOT complete');
    expect(error[0]).toMatch(/still hold the removed text — Close .* then finish the erasure with: qcode docs remove r07/);
    // The removal itself stands: it was committed.
    expect(slugs(dir)).toEqual(['r01']);
    expect(query<{ value: string }>(dir, "SELECT value FROM meta WHERE key = 'erasure.pending'")).toHaveLength(1);

    const again = qcode(dir, ['docs', 'remove', 'r07', '--yes', '--json']);
    expect(again.code, again.stderr).toBe(0);
    const report = JSON.parse(again.stdout) as { erasure_finished: string | null; already_removed: Array<{ name: string }> };
    expect(report.erasure_finished).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(report.already_removed.map((entry) => entry.name)).toEqual(['r07']);
    expect(inStore(dir, REMOVED_PHRASE)).toBe(false);
    expect(query(dir, "SELECT value FROM meta WHERE key = 'erasure.pending'")).toHaveLength(0);
  });
});

describe('removing a document that was replaced', () => {
  it('tombstones every version: merge leaves out an earlier version over there, import refuses it', () => {
    const { dir, files } = project();
    ok(dir, 'tag', 'r07:2', 'forms.media', '--coder', 'anna');
    ok(dir, 'memo', 'add', '--segment', 'r07:2', 'помнит фамилию следователя', '--coder', 'anna');
    const older = copyProject(dir, 'older');
    ok(dir, 'import', join(files, 'r07v2.txt'), '--slug', 'r07', '--replace');
    ok(dir, 'docs', 'remove', 'r07', '--yes');

    const merged = ok(dir, 'merge', older);
    expect(merged).toContain('left out, removed here (withdrawal of consent): r07');
    expect(slugs(dir)).toEqual(['r01']);
    expect(inStore(dir, REMOVED_PHRASE)).toBe(false);

    const again = qcode(dir, ['import', join(files, 'r07.txt'), '--slug', 'r07']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('not imported: its text is that of "r07" of case R07');
    // --readmit takes the participant back: every version's tombstone of that removal goes.
    ok(dir, 'import', join(files, 'r07.txt'), '--slug', 'r07', '--readmit');
    expect(query(dir, 'SELECT * FROM removed_documents')).toHaveLength(0);
  });
});

describe('merging from the copy where a removal was made', () => {
  it('does not claim the removal here: warns with the command, logs it as merged.remove', () => {
    const { dir } = project();
    const older = copyProject(dir, 'older');
    ok(dir, 'cases', 'remove', 'R07', '--yes');

    const text = ok(older, 'merge', dir);
    expect(text).toMatch(/the other copy removed case R07, r07 on \d{4}-\d{2}-\d{2} \(withdrawal of consent\); this copy still holds them — remove them here too with: qcode cases remove R07/);
    expect(slugs(older)).toEqual(['r01', 'r07']);
    const log = JSON.parse(ok(older, 'log', '--json')) as Array<{ action: string; target: string }>;
    expect(log.map((entry) => entry.action)).not.toContain('remove');
    expect(log.find((entry) => entry.action === 'merged.remove')?.target).toBe('case R07, r07');

    const dry = JSON.parse(ok(copyProject(dir, 'older2'), 'merge', dir, '--dry-run', '--json')) as Record<string, unknown>;
    expect(dry.removed_there).toEqual([]);

    ok(older, 'cases', 'remove', 'R07', '--yes');
    expect(slugs(older)).toEqual(['r01']);
  });
});

describe('undo after a removal', () => {
  it('does not revert older work unasked, says the removal cannot be undone, and goes past it with --past-removal', () => {
    const { dir } = project();
    ok(dir, 'tag', 'r01:2', 'forms.protest', '--coder', 'anna');
    ok(dir, 'cases', 'remove', 'R07', '--yes');
    const undo = qcode(dir, ['undo']);
    expect(undo.code).toBe(1);
    expect(undo.stderr).toMatch(/^Error: the removal of case R07, r07 \([^)]*\) cannot be undone, and the project's last action before it \(tag r01:2: \+forms\.protest, [^)]*\) was not undone either — .*--readmit.*qcode undo --past-removal\n$/);
    expect(query(dir, 'SELECT * FROM codings')).toHaveLength(1);
    const past = qcode(dir, ['undo', '--coder', 'anna', '--past-removal']);
    expect(past.code, past.stderr).toBe(0);
    expect(past.stdout).toContain('r01:2: +forms.protest');
    expect(query(dir, 'SELECT * FROM codings')).toHaveLength(0);
  });
});

describe('removing again what was removed', () => {
  it('is a no-op with exit 0 for a document and for a case, and names the earlier removal', () => {
    const { dir } = project();
    ok(dir, 'cases', 'remove', 'R07', '--yes');
    for (const args of [['cases', 'remove', 'R07'], ['docs', 'remove', 'r07']]) {
      const result = qcode(dir, [...args, '--yes', '--json']);
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout) as { already_removed: Array<{ name: string; removed_at: string }>; totals: { documents: number } };
      expect(report.already_removed).toEqual([{ name: args[0] === 'cases' ? 'case R07' : 'r07', removed_at: expect.stringMatching(/^\d{4}-/) }]);
      expect(report.totals.documents).toBe(0);
    }
    const unknown = qcode(dir, ['cases', 'remove', 'R7', '--yes']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no case "R7"');
  });
});

describe('copies of the store next to it', () => {
  it('are found by their SQLite header whatever their name; other files are not named', () => {
    const { dir } = project();
    writeFileSync(join(dir, 'copy.db'), readFileSync(join(dir, 'qcode.db')));
    writeFileSync(join(dir, 'notes.txt'), 'not a store');
    const result = qcode(dir, ['docs', 'remove', 'r07', '--yes', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { backups: string[] }).backups).toEqual(['copy.db']);
  });
});
