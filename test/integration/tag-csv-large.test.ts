import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQcode, tempDir } from '../helpers.js';
import { query, seedProject, type SeedDocument } from '../seed.js';

// 100,000 rows through the real binary: the whole file is validated, then written in one transaction.
// The time is printed for the record, never asserted (timings vary by machine).
describe('tag --from with 100,000 rows', () => {
  it('writes every row as one batch', () => {
    const documents: SeedDocument[] = Array.from({ length: 10 }, (_, d) => ({
      slug: `doc-${String(d).padStart(2, '0')}`,
      segments: Array.from({ length: 150 }, (_, s) => ({ speaker: s % 2 === 0 ? 'I' : 'R', text: `Segment ${s + 1} of document ${d}: words about protest and emigration.` })),
    }));
    const dir = seedProject(documents);
    const codes = query<{ id: string }>(dir, `SELECT c.id FROM codes c JOIN dimensions d ON d.id = c.dimension_id WHERE d.exclusive = 0 ORDER BY c.ord LIMIT 35`).map((row) => row.id);
    const lines = ['document,segment,code,coder'];
    outer: for (const coder of ['anna', 'boris']) {
      for (const document of documents) {
        for (let ordinal = 1; ordinal <= 150; ordinal++) {
          for (const code of codes) {
            lines.push(`${document.slug},${ordinal},${code},${coder}`);
            if (lines.length > 100_000) break outer;
          }
        }
      }
    }
    const file = join(tempDir(), 'codings.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);

    // How fast is the benchmark's question (npm run bench), not this test's.
    const result = runQcode(['--project', dir, 'tag', '--from', file]);
    expect(result.stderr).toContain('Undo with');
    expect(result.stdout).toContain('100,000 rows added 100,000 codings (anna, boris)');
    expect(query(dir, 'SELECT count(*) AS n FROM codings')).toEqual([{ n: 100_000 }]);
    expect(query(dir, "SELECT count(DISTINCT batch) AS n FROM events WHERE action = 'tag'")).toEqual([{ n: 1 }]);

    // The batch carries two coders' rows: undo without --coder (as the hint says) takes back the whole file.
    const undo = runQcode(['--project', dir, 'undo']);
    expect(undo.stdout).toContain('Undid tag --from codings.csv: 100,000 codings added on 1,500 segments [anna, boris].');
    expect(query(dir, 'SELECT count(*) AS n FROM codings')).toEqual([{ n: 0 }]);
    expect(query(dir, 'SELECT count(*) AS n FROM seen')).toEqual([{ n: 0 }]);
    const again = runQcode(['--project', dir, 'undo']);
    expect(again.stdout).toBe('Nothing to undo.\n');
  });

  it('refuses a file over 64 MB before reading it, says how to split it, and writes nothing', () => {
    const dir = seedProject([{ slug: 'doc-a', segments: [{ speaker: 'R', text: 'A segment.' }] }]);
    const file = join(tempDir(), 'huge.csv');
    writeFileSync(file, 'document,segment,code,coder\n');
    // Sparse: 65 MB on paper, no disk used; qcode must stop at the size, not read it.
    truncateSync(file, 65 * 1024 * 1024);
    const result = runQcode(['--project', dir, 'tag', '--from', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}: CSV file is 65 MB; the limit is 64 MB`);
    expect(result.stderr).toContain('Split it into files under the limit');
    expect(result.stderr).not.toContain('    at ');
    expect(query(dir, 'SELECT count(*) AS n FROM codings')).toEqual([{ n: 0 }]);
    expect(query(dir, 'SELECT count(*) AS n FROM events')).toEqual([{ n: 0 }]);
  });
});
