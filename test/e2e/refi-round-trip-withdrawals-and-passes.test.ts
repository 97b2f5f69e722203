// A .qdpx round trip keeps what decides two things beyond the coded data: who withdrew consent (so that a
// project rebuilt from the file refuses the participant as the original does), and the one-dimension pass
// marks agreement counts (so that agreement gives the same numbers).
import Database from 'better-sqlite3';
import { unzipSync, zipSync } from 'fflate';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyProject, newProject, qcodeOk, runQcode, tempDir } from '../helpers.js';
import { queryReadOnly, seedProject } from '../refi-helpers.js';

const REMOVED_PHRASE = 'Мой брат служил в прокуратуре до весны';

/** Two interviews imported into a new project, an older copy of it, then R07 and its interview removed. */
function withdrawn(): { dir: string; older: string; files: string } {
  const dir = newProject();
  const files = tempDir('qcode-refi-withdrawn-files-');
  writeFileSync(join(files, 'r07.txt'), `Интервьюер: Расскажите о семье.\nРеспондент: ${REMOVED_PHRASE}.\n`);
  writeFileSync(join(files, 'r01.txt'), 'Интервьюер: Что вы делали?\nРеспондент: Мы пикетировали посольство.\n');
  qcodeOk(dir, 'import', join(files, 'r07.txt'), '--case', 'R07');
  qcodeOk(dir, 'import', join(files, 'r01.txt'), '--case', 'R01');
  qcodeOk(dir, 'cases', 'set', 'R07', 'host_country=ES');
  qcodeOk(dir, 'tag', 'r07:2', 'forms.protest', '--coder', 'anna');
  const older = copyProject(dir, 'older');
  qcodeOk(dir, 'docs', 'remove', 'r07', '--yes');
  qcodeOk(dir, 'cases', 'remove', 'R07', '--yes');
  return { dir, older, files };
}

function roundTrip(dir: string): { rebuilt: string; qdpx: string; stdout: string } {
  const out = tempDir('qcode-refi-rebuilt-');
  const qdpx = join(out, 'study.qdpx');
  qcodeOk(dir, 'refi', 'export', '--qdpx', qdpx);
  const imported = runQcode(['refi', 'import', qdpx, 'rebuilt'], { cwd: out });
  expect(imported.code, imported.stderr).toBe(0);
  return { rebuilt: join(out, 'rebuilt'), qdpx, stdout: imported.stdout };
}

/** The counts of `refi import --json` of that file into another new folder. */
function importCounts(qdpx: string): Record<string, number> {
  const imported = runQcode(['refi', 'import', qdpx, 'again', '--json'], { cwd: tempDir('qcode-refi-again-') });
  expect(imported.code, imported.stderr).toBe(0);
  return (JSON.parse(imported.stdout) as { counts: Record<string, number> }).counts;
}

const tombstones = (dir: string): unknown => ({
  documents: queryReadOnly(dir, 'SELECT sha256, slug, case_id, removed_at FROM removed_documents ORDER BY slug, sha256'),
  cases: queryReadOnly(dir, 'SELECT id, removed_at FROM removed_cases ORDER BY id'),
});

const slugs = (dir: string): string[] => queryReadOnly<{ slug: string }>(dir, 'SELECT slug FROM documents ORDER BY slug').map((row) => row.slug);
const caseIds = (dir: string): string[] => queryReadOnly<{ id: string }>(dir, 'SELECT id FROM cases ORDER BY id').map((row) => row.id);

describe('refi round trip of a withdrawal of consent', () => {
  it('carries the tombstones, not the text: the rebuilt project refuses the participant as the original does', () => {
    const { dir, files } = withdrawn();
    const { rebuilt, qdpx, stdout } = roundTrip(dir);
    expect(tombstones(rebuilt)).toEqual(tombstones(dir));
    expect((tombstones(rebuilt) as { documents: unknown[] }).documents).toHaveLength(1);
    // The import says what it brought in, so that nobody is surprised when the participant is refused.
    expect(stdout).toContain('Withdrawals of consent carried over: 1 removed document, 1 removed case;');
    expect(importCounts(qdpx)).toMatchObject({ documents: 1, cases: 1, removed_documents: 1, removed_cases: 1 });

    const archive = unzipSync(readFileSync(qdpx));
    const everything = Object.values(archive).map((bytes) => Buffer.from(bytes).toString('utf8')).join('\n');
    expect(everything).not.toContain(REMOVED_PHRASE);

    for (const project of [dir, rebuilt]) {
      const again = runQcode(['--project', project, 'import', join(files, 'r07.txt')]);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/r07\.txt: not imported: its text is that of "r07" of case R07, removed on \d{4}-\d{2}-\d{2} \(withdrawal of consent\)/);
      const value = runQcode(['--project', project, 'cases', 'set', 'R07', 'city=Madrid']);
      expect(value.code).toBe(1);
      expect(value.stderr).toMatch(/^Error: case R07 was removed on \d{4}-\d{2}-\d{2} \(withdrawal of consent\)/);
    }
  });

  it('counts a case that the file lists twice as one withdrawal', () => {
    const { dir } = withdrawn();
    const { qdpx } = roundTrip(dir);
    const archive = unzipSync(readFileSync(qdpx));
    const project = Buffer.from(archive['project.qde'] as Uint8Array).toString('utf8');
    const listed = /(\{&quot;id&quot;:&quot;R07&quot;,&quot;removed_at&quot;:&quot;[^&]+&quot;\})/;
    expect(project).toMatch(listed);
    archive['project.qde'] = Buffer.from(project.replace(listed, '$1,$1'));
    const twice = join(tempDir('qcode-refi-twice-'), 'twice.qdpx');
    writeFileSync(twice, zipSync(archive));
    expect(importCounts(twice)).toMatchObject({ removed_documents: 1, removed_cases: 1 });
  });

  it('a merge of an older copy into the rebuilt project leaves the removed document and case out', () => {
    const { dir, older } = withdrawn();
    const { rebuilt } = roundTrip(dir);
    qcodeOk(rebuilt, 'merge', older);
    expect(slugs(rebuilt)).toEqual(['r01']);
    expect(caseIds(rebuilt)).toEqual(['R01']);
  });

  it('a file without tombstones imports as before', () => {
    const dir = newProject();
    const { rebuilt, qdpx, stdout } = roundTrip(dir);
    expect(tombstones(rebuilt)).toEqual({ documents: [], cases: [] });
    expect(stdout).toMatch(/^Created project /);
    expect(stdout).not.toContain('Withdrawals of consent');
    expect(importCounts(qdpx)).toMatchObject({ removed_documents: 0, removed_cases: 0 });
  });
});

/**
 * anna went through everything in full passes; boris went through document one in a full pass and both
 * documents in a pass of `forms` alone, coding one segment of document two there.
 */
async function withPasses(): Promise<string> {
  const dir = await seedProject({
    coders: ['anna', 'boris'],
    documents: [
      { slug: 'one', lines: ['We stood outside the embassy.', 'We collected money for refugees.', 'We wrote to prisoners.'] },
      { slug: 'two', lines: ['We ran a channel.', 'We founded a society.', 'We voted abroad.'] },
    ],
    codings: [
      { document: 'one', segment: 1, code: 'forms.protest', coder: 'anna' },
      { document: 'one', segment: 1, code: 'forms.protest', coder: 'boris' },
      { document: 'one', segment: 2, code: 'forms.fundraising', coder: 'anna' },
      { document: 'one', segment: 2, code: 'strategies.coalition', coder: 'boris' },
      { document: 'two', segment: 1, code: 'forms.media', coder: 'anna' },
      { document: 'two', segment: 1, code: 'forms.media', coder: 'boris' },
      { document: 'two', segment: 2, code: 'strategies.institutionalising', coder: 'anna' },
    ],
    seen: [
      ...['one:1', 'one:2', 'one:3', 'two:1', 'two:2', 'two:3'].map((segment) => ({ segment, coder: 'anna' })),
      ...['one:1', 'one:2', 'one:3'].map((segment) => ({ segment, coder: 'boris' })),
    ],
  });
  const db = new Database(join(dir, 'qcode.db'));
  try {
    db.prepare(`INSERT INTO seen_dimensions (segment_id, coder_id, dimension_id, at)
      SELECT s.id, (SELECT id FROM coders WHERE name = 'boris'), 'forms', '2025-03-04T10:00:00.000Z' FROM segments s`).run();
  } finally {
    db.close();
  }
  return dir;
}

describe('refi round trip of one-dimension passes', () => {
  it('gives the same agreement before and after, and the same pass marks', async () => {
    const dir = await withPasses();
    const { rebuilt } = roundTrip(dir);
    const agreement = (project: string): unknown => JSON.parse(qcodeOk(project, 'agreement', '--coders', 'anna,boris', '--json'));
    expect(agreement(rebuilt)).toEqual(agreement(dir));
    const passes = (project: string): unknown => queryReadOnly(project, `
      SELECT d.slug, s.ordinal, c.name AS coder, v.dimension_id FROM seen_dimensions v
      JOIN segments s ON s.id = v.segment_id JOIN documents d ON d.id = s.document_id JOIN coders c ON c.id = v.coder_id
      ORDER BY 1, 2, 3, 4`);
    expect(passes(rebuilt)).toEqual(passes(dir));
    const seen = (project: string): unknown => queryReadOnly(project, `
      SELECT d.slug, s.ordinal, c.name AS coder FROM seen v
      JOIN segments s ON s.id = v.segment_id JOIN documents d ON d.id = s.document_id JOIN coders c ON c.id = v.coder_id
      ORDER BY 1, 2, 3`);
    // Coded in the forms pass only, two:1 is not seen by boris in a full pass, there or here.
    expect(seen(rebuilt)).toEqual(seen(dir));
  });

  it('keeps the marks of a coder whose name the import had to change (a comma)', async () => {
    const dir = await seedProject({
      coders: ['Smith, Anna'],
      documents: [{ slug: 'one', lines: ['We stood outside the embassy.', 'We wrote to prisoners.'] }],
      codings: [{ document: 'one', segment: 1, code: 'forms.protest', coder: 'Smith, Anna' }],
      seen: [{ segment: 'one:2', coder: 'Smith, Anna' }],
    });
    const db = new Database(join(dir, 'qcode.db'));
    try {
      db.prepare("INSERT INTO seen_dimensions (segment_id, coder_id, dimension_id, at) SELECT id, 1, 'forms', '2025-03-04T10:00:00.000Z' FROM segments").run();
    } finally {
      db.close();
    }
    const { rebuilt } = roundTrip(dir);
    const marks = (project: string): unknown => ({
      seen: queryReadOnly(project, 'SELECT s.ordinal FROM seen v JOIN segments s ON s.id = v.segment_id ORDER BY 1'),
      passes: queryReadOnly(project, 'SELECT s.ordinal, v.dimension_id FROM seen_dimensions v JOIN segments s ON s.id = v.segment_id ORDER BY 1'),
    });
    expect(queryReadOnly(rebuilt, 'SELECT name FROM coders')).toEqual([{ name: 'Smith Anna' }]);
    expect(marks(rebuilt)).toEqual(marks(dir));
  });
});
