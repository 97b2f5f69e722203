// Review fixes of docs remove: a compaction that fails after the commit (disk full) says the removal was
// made and the erasure is not complete, and a later run finishes it; a coding session or memo add on a
// document removed meanwhile is refused, checked under the write lock, and nothing is saved on nothing.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CodingSession, SegmentGoneError } from '../../src/app/coding.js';
import type { Project } from '../../src/app/project.js';
import { carryOutRemoval, planCaseRemoval, planDocumentRemoval } from '../../src/app/removal.js';
import { UserError } from '../../src/core/errors.js';
import { insertMemo } from '../../src/store/memos.js';
import { newProject, runQcode, tempDir } from '../helpers.js';
import { openForTest, query } from '../seed.js';

function project(): string {
  const dir = newProject();
  const files = tempDir('qcode-remove-files-');
  writeFileSync(join(files, 'r07.txt'), 'Интервьюер: Расскажите.\nРеспондент: Брат служил в прокуратуре.\n');
  writeFileSync(join(files, 'r01.txt'), 'Интервьюер: Что вы делали?\nРеспондент: Мы пикетировали посольство.\n');
  for (const [file, id] of [['r07.txt', 'R07'], ['r01.txt', 'R01']] as const) {
    const result = runQcode(['--project', dir, 'import', join(files, file), '--case', id]);
    expect(result.code, result.stderr).toBe(0);
  }
  return dir;
}

/** Makes the next VACUUM on the project's connection fail as a full disk does. */
function diskFullOnVacuum(project: Project): void {
  const db = project.db as unknown as { exec: (sql: string) => unknown };
  const exec = db.exec.bind(project.db);
  db.exec = (sql: string) => {
    if (sql.trim().toUpperCase() === 'VACUUM') {
      db.exec = exec;
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    }
    return exec(sql);
  };
}

function thrown(fn: () => unknown): UserError {
  try {
    fn();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

describe('a removal whose compaction fails after the commit', () => {
  it('says the case was removed and the erasure is not complete, with the command that finishes it', () => {
    const dir = project();
    const project1 = openForTest(dir);
    const plan = planCaseRemoval(project1, ['R07']);
    diskFullOnVacuum(project1);
    const error = thrown(() => carryOutRemoval(project1, plan));
    expect(error.message).toBe('case R07, r07 were removed (withdrawal of consent; the tombstones are kept), but compacting the store failed (the disk is full): the erasure is NOT complete, qcode.db may still hold the removed text');
    expect(error.hint).toBe('Free some space on that disk, then finish the erasure with: qcode cases remove R07');
    // The removal was committed: running it again is not "no case R07" but finishes the erasure.
    expect(query(dir, 'SELECT slug FROM documents')).toEqual([{ slug: 'r01' }]);
    const again = planCaseRemoval(project1, ['R07']);
    expect(again.alreadyRemoved.map((entry) => entry.name)).toEqual(['case R07']);
    const report = carryOutRemoval(project1, again);
    expect(report.erasureFinished).not.toBeNull();
    expect(query(dir, "SELECT * FROM meta WHERE key = 'erasure.pending'")).toHaveLength(0);
  });
});

describe('writes on a document removed while a coding session had it open', () => {
  it('refuses the answer and the memo, saves nothing, and moves the session on', () => {
    const dir = project();
    const coding = openForTest(dir);
    const session = CodingSession.open(coding, { coder: 'anna' });
    session.begin();
    expect(session.currentDocument).toBe('r01');
    session.jump(2);
    // Another qcode removes the document on screen.
    const remover = openForTest(dir);
    carryOutRemoval(remover, planDocumentRemoval(remover, ['r01']));

    const memo = thrown(() => session.addMemo('помнит фамилию следователя'));
    expect(memo).toBeInstanceOf(SegmentGoneError);
    expect(memo.message).toMatch(/^r01 was removed \(withdrawal of consent, \d{4}-\d{2}-\d{2}\) since this session opened; nothing was saved$/);
    expect(query(dir, 'SELECT * FROM memos')).toHaveLength(0);
    expect(query(dir, "SELECT * FROM events WHERE action = 'memo.add'")).toHaveLength(0);
    // The session went on to the next document to code.
    expect(session.currentDocument).toBe('r07');
    session.confirm(['forms.protest']);
    expect(query(dir, 'SELECT count(*) AS n FROM codings')).toEqual([{ n: 1 }]);
  });

  it('refuses a memo on a segment, document or case that is gone, inside the transaction', () => {
    const dir = project();
    const project1 = openForTest(dir);
    const segment = String((query<{ id: number }>(dir, "SELECT s.id FROM segments s JOIN documents d ON d.id = s.document_id WHERE d.slug = 'r07' LIMIT 1"))[0]!.id);
    carryOutRemoval(project1, planCaseRemoval(project1, ['R07']));
    const base = { coderId: null, text: 'слова', batch: 'b', via: 'memo add' };
    expect(insertMemo(project1.db, { ...base, target: { kind: 'segment', id: segment } })).toBeNull();
    expect(insertMemo(project1.db, { ...base, target: { kind: 'document', id: 'r07' } })).toBeNull();
    expect(insertMemo(project1.db, { ...base, target: { kind: 'case', id: 'R07' } })).toBeNull();
    expect(query(dir, 'SELECT * FROM memos')).toHaveLength(0);
  });
});
