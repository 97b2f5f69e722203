// docs remove / cases remove, review fixes on the command line: removing again what was removed is a
// no-op with a note (and finishes an erasure a reader stopped), cases set / cases import do not bring a
// removed case back unless --readmit, removing a participant's only document says what stays of the case,
// the question before a removal says what stopping means, and a survey re-import counts what it added.
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newProject, qcodeOk as ok, runQcode, tempDir } from '../helpers.js';
import { Terminal } from '../pty-helpers.js';
import { query } from '../seed.js';

function qcode(dir: string, args: string[], env: Record<string, string> = {}) {
  return runQcode(['--project', dir, ...args], { env });
}

function project(): { dir: string; files: string } {
  const dir = newProject();
  const files = tempDir('qcode-remove-files-');
  writeFileSync(join(files, 'r07.txt'), 'Интервьюер: Расскажите о семье.\nРеспондент: Брат служил в прокуратуре.\n');
  writeFileSync(join(files, 'r01.txt'), 'Интервьюер: Что вы делали?\nРеспондент: Мы пикетировали посольство.\n');
  ok(dir, 'import', join(files, 'r07.txt'), '--case', 'R07');
  ok(dir, 'import', join(files, 'r01.txt'), '--case', 'R01');
  ok(dir, 'cases', 'set', 'R07', 'host_country=ES');
  return { dir, files };
}

describe('removing again what was removed', () => {
  it('says when it was removed and that there is nothing to do (exit 0), and prints no empty report', () => {
    const { dir } = project();
    ok(dir, 'cases', 'remove', 'R07', '--yes');
    for (const [args, name] of [[['cases', 'remove', 'R07'], 'R07'], [['docs', 'remove', 'r07'], 'r07']] as const) {
      const result = qcode(dir, [...args, '--yes']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(new RegExp(`^${args[0] === 'cases' ? 'case ' : ''}${name} was removed on \\d{4}-\\d{2}-\\d{2} \\(withdrawal of consent\\); nothing to do\\n$`));
      expect(result.stdout).toBe('');
    }
  });

  it('finishes an erasure that a reader stopped, and says so', () => {
    const { dir } = project();
    const reader = new Database(join(dir, 'qcode.db'), { readonly: true });
    let first;
    try {
      reader.prepare('BEGIN').run();
      reader.prepare('SELECT count(*) FROM segments').get();
      first = qcode(dir, ['docs', 'remove', 'r07', '--yes'], { QCODE_TEST_ERASE_WAIT_MS: '0' });
    } finally {
      reader.close();
    }
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('the erasure is NOT complete');
    const again = qcode(dir, ['docs', 'remove', 'r07', '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^Finished erasing the text removed on \d{4}-\d{2}-\d{2}: qcode\.db and qcode\.db-wal no longer hold it\.\n$/);
  });
});

describe('a removed case and cases set / cases import', () => {
  it('refuses to bring the case back, and takes it back with --readmit', () => {
    const { dir, files } = project();
    ok(dir, 'cases', 'remove', 'R07', '--yes');
    const set = qcode(dir, ['cases', 'set', 'R07', 'city=Madrid']);
    expect(set.code).toBe(1);
    expect(set.stderr).toMatch(/^Error: case R07 was removed on \d{4}-\d{2}-\d{2} \(withdrawal of consent\); nothing was set — If the participant has agreed again, take it back with: qcode cases set R07 city=Madrid --readmit\n$/);
    const csv = join(files, 'cases.csv');
    writeFileSync(csv, 'case,city\nR01,Vilnius\nR07,Madrid\n');
    const imported = qcode(dir, ['cases', 'import', csv]);
    expect(imported.code).toBe(1);
    expect(imported.stderr).toContain('case R07 was removed on');
    expect(query(dir, "SELECT * FROM cases WHERE id = 'R07'")).toHaveLength(0);
    expect(query(dir, "SELECT * FROM case_values WHERE case_id = 'R01'")).toHaveLength(0);

    ok(dir, 'cases', 'import', csv, '--readmit');
    expect(query(dir, "SELECT * FROM cases WHERE id = 'R07'")).toHaveLength(1);
    expect(query(dir, 'SELECT * FROM removed_cases')).toHaveLength(0);
  });

  it('refuses a new text for the removed case (import --case), and takes it with --readmit', () => {
    const { dir, files } = project();
    ok(dir, 'cases', 'remove', 'R07', '--yes');
    const later = join(files, 'r07-followup.txt');
    writeFileSync(later, 'Интервьюер: Что изменилось?\nРеспондент: Мы переехали в Валенсию.\n');
    const refused = qcode(dir, ['import', later, '--case', 'R07']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/r07-followup\.txt: not imported: it is of case R07, removed on \d{4}-\d{2}-\d{2} \(withdrawal of consent\) — If the participant has agreed again, import it with --readmit/);
    expect(query(dir, "SELECT * FROM cases WHERE id = 'R07'")).toHaveLength(0);
    expect(query(dir, "SELECT * FROM documents WHERE slug = 'r07-followup'")).toHaveLength(0);

    ok(dir, 'import', later, '--case', 'R07', '--readmit');
    expect(query(dir, "SELECT case_id FROM documents WHERE slug = 'r07-followup'")).toEqual([{ case_id: 'R07' }]);
    expect(query(dir, 'SELECT * FROM removed_cases')).toHaveLength(0);
  });
});

describe("docs remove of a participant's only document", () => {
  it('notes that the case keeps its values and memos, with the command that removes it', () => {
    const { dir } = project();
    const result = qcode(dir, ['docs', 'remove', 'r07', '--yes']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('Note: case R07 keeps its 1 attribute value and 0 memos (no document of it is left): to remove the participant entirely, run: qcode cases remove R07');
  });
});

describe('the question before a removal', () => {
  it('asks again on an empty answer and says nothing was removed on Ctrl-C', async () => {
    const { dir } = project();
    const terminal = new Terminal(['--project', dir, 'docs', 'remove', 'r07']);
    await terminal.waitUntil(() => terminal.output.includes('Type yes to remove'), 'the question');
    terminal.type('\r');
    await terminal.waitUntil(() => terminal.output.includes('press Ctrl-C to stop'), 'the empty-answer message');
    terminal.type('\u0003');
    const { exitCode } = await terminal.exited;
    expect(exitCode).toBe(1);
    expect(terminal.output).toContain('Type yes to go ahead, or press Ctrl-C to stop (nothing is removed until then)');
    expect(terminal.output).toContain('stopped: nothing was removed');
    expect(query(dir, 'SELECT slug FROM documents ORDER BY slug')).toEqual([{ slug: 'r01' }, { slug: 'r07' }]);
  });
});

describe('a survey re-import that takes one respondent back', () => {
  it('counts the respondent it added, not the whole file', () => {
    const { dir, files } = project();
    const csv = join(files, 'survey.csv');
    writeFileSync(csv, 'respondent_id,q1\nS1,Первый ответ\nS2,Второй ответ\nS3,Третий ответ\n');
    const survey = ['import', csv, '--kind', 'survey', '--id-column', 'respondent_id', '--text-columns', 'q1'];
    ok(dir, ...survey);
    ok(dir, 'cases', 'remove', 'S2', '--yes');
    const back = ok(dir, ...survey, '--readmit');
    expect(back).toContain('Imported 1 file — 1 document, 1 segment');
  });
});
