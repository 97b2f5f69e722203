// codebook apply that makes a dimension exclusive while coders already gave several of its codes to one
// segment: the plan warns with exact counts, and the apply still goes through, keeping the codings.
import { describe, expect, it } from 'vitest';
import { editCodebook, newProject, runQcode } from '../helpers.js';
import { openStore, query } from '../seed.js';

/**
 * Three segments, coders anna and boris. Conflicts in forms: anna on s1; boris on s1 and s3. Not conflicts:
 * anna's two spans of one code on s2, boris's forms code plus a code of another dimension on s2.
 */
function seed(dir: string): void {
  const db = openStore(dir);
  try {
    const doc = db.prepare("INSERT INTO documents (slug, kind, format, sha256, text, imported_at) VALUES ('d1', 'interview', 'txt', 'x', 'One. Two. Six.', '2026-01-01')").run();
    const segment = db.prepare('INSERT INTO segments (document_id, ordinal, start, "end", text) VALUES (?, ?, ?, ?, ?)');
    const [s1, s2, s3] = [[0, 4, 'One.'], [5, 9, 'Two.'], [10, 14, 'Six.']].map(([start, end, text], i) =>
      Number(segment.run(doc.lastInsertRowid, i + 1, start, end, text).lastInsertRowid));
    const coder = db.prepare('INSERT INTO coders (name) VALUES (?)');
    const anna = Number(coder.run('anna').lastInsertRowid);
    const boris = Number(coder.run('boris').lastInsertRowid);
    const strategy = db.prepare("SELECT id FROM codes WHERE dimension_id = 'strategies' ORDER BY ord LIMIT 1").pluck().get() as string;
    const coding = db.prepare('INSERT INTO codings (segment_id, code_id, coder_id, start, "end", created_at) VALUES (?, ?, ?, ?, ?, \'2026-01-01\')');
    const rows: Array<[number | undefined, string, number, number | null, number | null]> = [
      [s1, 'forms.protest', anna, null, null], [s1, 'forms.petitions', anna, null, null],
      [s2, 'forms.protest', anna, null, null], [s2, 'forms.protest', anna, 0, 2],
      [s1, 'forms.protest', boris, null, null], [s1, 'forms.ngo_work', boris, null, null],
      [s2, 'forms.protest', boris, null, null], [s2, strategy, boris, null, null],
      [s3, 'forms.petitions', boris, null, null], [s3, 'forms.ngo_work', boris, null, null],
    ];
    for (const row of rows) coding.run(...row);
  } finally {
    db.close();
  }
}

const makeFormsExclusive = (yaml: string): string => yaml.replace(/(\n {2}- id: forms\n[\s\S]*?exclusive: )false/, '$1true');

describe('codebook apply: a dimension made exclusive over existing multi-code segments', () => {
  it('warns once for the dimension with the exact counts per coder, and applies anyway', () => {
    const dir = newProject();
    seed(dir);
    editCodebook(dir, makeFormsExclusive);
    const warning = 'dimension forms becomes one-code-per-segment, but 2 segments already carry two or more of its codes from one coder (boris: 2, anna: 1)';

    const diff = runQcode(['codebook', 'diff', 'codebook.yaml'], { cwd: dir });
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('  ~ dimension forms (exclusive)\n');
    expect(diff.stderr.split('\n').filter((line) => line.includes('one-code-per-segment'))).toHaveLength(1);
    expect(diff.stderr).toContain(`Warning: ${warning}`);

    const dry = runQcode(['codebook', 'apply', '--dry-run'], { cwd: dir });
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain(`Warning: ${warning}`);
    expect(query(dir, "SELECT exclusive FROM dimensions WHERE id = 'forms'")).toEqual([{ exclusive: 0 }]);

    const json = JSON.parse(runQcode(['codebook', 'apply', '--dry-run', '--json'], { cwd: dir }).stdout) as { warnings: string[] };
    expect(json.warnings.filter((line) => line.startsWith(warning))).toHaveLength(1);

    const applied = runQcode(['codebook', 'apply'], { cwd: dir });
    expect(applied.code).toBe(0);
    expect(applied.stderr).toContain(`Warning: ${warning}`);
    expect(query(dir, "SELECT exclusive FROM dimensions WHERE id = 'forms'")).toEqual([{ exclusive: 1 }]);
    expect(query(dir, 'SELECT count(*) AS n FROM codings')).toEqual([{ n: 10 }]);

    // Already exclusive: the next apply has nothing to say about it.
    editCodebook(dir, (yaml) => `${yaml}\n`);
    const again = runQcode(['codebook', 'apply', '--dry-run'], { cwd: dir });
    expect(again.stderr).not.toContain('one-code-per-segment');
  });

  it('counts the codes as the same apply leaves them: two codes merged into one are no conflict', () => {
    const dir = newProject();
    seed(dir);
    // protest and petitions become one code; only boris's ngo_work beside them still conflicts (s1, s3).
    editCodebook(dir, (yaml) => makeFormsExclusive(yaml)
      .replace('\n      - id: protest\n', '\n      - id: protest\n        was: forms.petitions\n')
      .replace(/\n {6}- id: petitions\n[\s\S]*?(?=\n {6}- id: )/, ''));
    const dry = runQcode(['codebook', 'apply', '--dry-run'], { cwd: dir });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('  > code forms.petitions merged into forms.protest');
    expect(dry.stderr).toContain('dimension forms becomes one-code-per-segment, but 2 segments already carry two or more of its codes from one coder (boris: 2):');
  });

  it('says nothing when no segment breaks the rule', () => {
    const dir = newProject();
    editCodebook(dir, makeFormsExclusive);
    const dry = runQcode(['codebook', 'apply', '--dry-run'], { cwd: dir });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('  ~ dimension forms (exclusive)\n');
    expect(`${dry.stdout}${dry.stderr}`).not.toContain('one-code-per-segment');
  });
});
