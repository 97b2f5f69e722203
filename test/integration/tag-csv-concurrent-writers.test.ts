import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tagSegment } from '../../src/app/coding.js';
import { tagFromCsv } from '../../src/app/tag-csv.js';
import type { Project } from '../../src/app/project.js';
import { ProblemsError } from '../../src/core/errors.js';
import { tempDir } from '../helpers.js';
import { openForTest, openStore, query, seedInterviews } from '../seed.js';

// tag --from checks its file against the store before it takes the write lock. These tests let another
// qcode (a second connection) commit in that gap, at the moment tag --from asks for its transaction, and
// check that the file is then judged by the store as it is under the lock.

/** Runs `meanwhile` (another qcode's commit) when the project first asks for a transaction. */
function beforeFirstTransaction(project: Project, meanwhile: () => void): void {
  const db = project.db as unknown as { transaction: (fn: (...args: unknown[]) => unknown) => unknown };
  const transaction = db.transaction.bind(project.db);
  let done = false;
  db.transaction = (fn) => {
    if (!done) {
      done = true;
      meanwhile();
    }
    return transaction(fn);
  };
}

function csv(text: string): string {
  const file = join(tempDir(), 'codings.csv');
  writeFileSync(file, text);
  return file;
}

describe('tag --from with another qcode writing between its checks and its write', () => {
  it('refuses a second code of an exclusive dimension given meanwhile, and writes nothing', async () => {
    const dir = seedInterviews();
    const project = openForTest(dir);
    const other = openForTest(dir);
    const file = csv('document,segment,code,coder\nr01-vilnius-ru,1,migration_effect.mobilising,zed\nr01-vilnius-ru,2,forms.art,zed\n');
    beforeFirstTransaction(project, () => {
      tagSegment(other, { segment: 'r01-vilnius-ru:1', codes: ['migration_effect.inhibiting'], coder: 'zed' });
    });

    const error = await tagFromCsv(project, { file }).then(() => undefined, (thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ProblemsError);
    expect((error as ProblemsError).problems.map((problem) => `${problem.line}:${problem.col}: ${problem.message}`)).toEqual([
      '2:3: r01-vilnius-ru:1 already has migration_effect.inhibiting from zed; dimension "migration_effect" allows one code per segment',
    ]);
    expect(query(dir, `SELECT k.code_id FROM codings k JOIN segments s ON s.id = k.segment_id JOIN documents d ON d.id = s.document_id
      WHERE d.slug = 'r01-vilnius-ru' ORDER BY s.ordinal, k.code_id`)).toEqual([{ code_id: 'migration_effect.inhibiting' }]);
  });

  it('codes the segments a document has once it was replaced meanwhile', async () => {
    const dir = seedInterviews();
    const project = openForTest(dir);
    const file = csv('document,segment,code,coder\nr01-vilnius-ru,1,forms.art,zed\nr01-vilnius-ru,2,forms.art,zed\n');
    beforeFirstTransaction(project, () => {
      // As import --replace does: the document's segments go, and new ones (new ids) take their places.
      const store = openStore(dir);
      try {
        store.transaction(() => {
          const document = store.prepare("SELECT id FROM documents WHERE slug = 'r01-vilnius-ru'").get() as { id: number };
          const segments = store.prepare('SELECT ordinal, speaker, start, "end", text FROM segments WHERE document_id = ? ORDER BY ordinal').all(document.id) as Array<Record<string, unknown>>;
          store.prepare('DELETE FROM segments WHERE document_id = ?').run(document.id);
          const insert = store.prepare('INSERT INTO segments (document_id, ordinal, speaker, start, "end", text) VALUES (@document, @ordinal, @speaker, @start, @end, @text)');
          for (const segment of segments) insert.run({ ...segment, document: document.id });
        }).immediate();
      } finally {
        store.close();
      }
    });

    const report = await tagFromCsv(project, { file });
    expect(report.added).toBe(2);
    expect(query(dir, `SELECT s.ordinal, k.code_id FROM codings k JOIN segments s ON s.id = k.segment_id ORDER BY s.ordinal`)).toEqual([
      { ordinal: 1, code_id: 'forms.art' },
      { ordinal: 2, code_id: 'forms.art' },
    ]);
  });
});
