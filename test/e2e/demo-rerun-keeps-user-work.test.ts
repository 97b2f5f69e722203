import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQcode, tempDir } from '../helpers.js';

// The README sends users into the demo folder to try commands (export all --out exports, retrieve … > file):
// running `qcode demo` there again must rebuild only a demo nobody has touched.
describe('qcode demo on a folder holding an earlier demo', () => {
  it('rebuilds an untouched demo, even after read-only commands in it', () => {
    const parent = tempDir();
    expect(runQcode(['demo', 'd', '--json'], { cwd: parent }).code).toBe(0);
    const dir = join(parent, 'd');
    for (const args of [['docs', 'list'], ['codebook', 'show'], ['cooccur', '--hypothesis', 'H2', '--measure', 'count'], ['search', 'пикет*']]) {
      expect(runQcode(args, { cwd: dir }).code).toBe(0);
    }
    const again = runQcode(['demo', 'd', '--json'], { cwd: parent });
    expect(again.stderr).toBe('');
    expect(JSON.parse(again.stdout)).toMatchObject({ rebuilt: true, documents: 48 });
    // And again: the rebuilt demo is recognised as untouched too.
    expect(runQcode(['demo', 'd', '--json'], { cwd: parent }).code).toBe(0);
  });

  it('refuses, naming what is in the way, when the user worked in it, and deletes nothing', () => {
    const parent = tempDir();
    expect(runQcode(['demo', 'dd', '--json'], { cwd: parent }).code).toBe(0);
    const dir = join(parent, 'dd');
    writeFileSync(join(parent, 'real.txt'), 'Interviewer: q\n\nRespondent: REAL\n');
    expect(runQcode(['import', '../real.txt'], { cwd: dir }).code).toBe(0);
    expect(runQcode(['export', 'all', '--out', 'exports'], { cwd: dir }).code).toBe(0);
    writeFileSync(join(dir, 'my-notes.md'), 'notes\n');
    expect(runQcode(['memo', 'add', 'memo', '--coder', 'me'], { cwd: dir }).code).toBe(0);

    const refused = runQcode(['demo', 'dd'], { cwd: parent });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    const line = refused.stderr.trim();
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toMatch(/dd holds work that is not the demo's \(exports\/, my-notes\.md, 1 document, 1 memo\b.*\): nothing was replaced/);
    expect(line).toMatch(/another folder/);

    expect(readFileSync(join(dir, 'my-notes.md'), 'utf8')).toBe('notes\n');
    expect(existsSync(join(dir, 'exports'))).toBe(true);
    const docs = JSON.parse(runQcode(['docs', 'list', '--json'], { cwd: dir }).stdout) as Array<{ slug: string }>;
    expect(docs.map((doc) => doc.slug)).toContain('real');
    const memos = runQcode(['memo', 'list'], { cwd: dir });
    expect(memos.stdout).toContain('memo');
  });

  it('refuses when only the store changed, or only codebook.yaml was edited', () => {
    const parent = tempDir();
    expect(runQcode(['demo', 'a', '--json'], { cwd: parent }).code).toBe(0);
    expect(runQcode(['memo', 'add', 'a thought', '--coder', 'me'], { cwd: join(parent, 'a') }).code).toBe(0);
    const storeChanged = runQcode(['demo', 'a'], { cwd: parent });
    expect(storeChanged.code).toBe(1);
    expect(storeChanged.stderr).toMatch(/holds work that is not the demo's \(1 memo, 1 coder\)/);

    expect(runQcode(['demo', 'b', '--json'], { cwd: parent }).code).toBe(0);
    const codebook = join(parent, 'b', 'codebook.yaml');
    writeFileSync(codebook, `${readFileSync(codebook, 'utf8')}# my note on the codes\n`);
    const edited = runQcode(['demo', 'b'], { cwd: parent });
    expect(edited.code).toBe(1);
    expect(edited.stderr).toMatch(/holds work that is not the demo's \(edits to codebook\.yaml\)/);
    expect(readFileSync(codebook, 'utf8')).toContain('# my note on the codes');
  });
});
