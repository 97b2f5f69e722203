// codebook apply with several old codes in one was: (a merge), memos on renamed codes, and the
// one-dimension pass marks that go with a deleted dimension.
import { describe, expect, it } from 'vitest';
import { editCodebook, newProject, runQcode } from '../helpers.js';
import { openStore, query } from '../seed.js';

/** One document of two segments and coder anna; returns the segment ids and anna's id. */
function seedSegments(dir: string): { segments: [number, number]; anna: number } {
  const db = openStore(dir);
  try {
    const doc = db.prepare("INSERT INTO documents (slug, kind, format, sha256, text, imported_at) VALUES ('d1', 'interview', 'txt', 'x', 'Пикет.\nВыставка.', '2026-01-01')").run();
    const segment = db.prepare('INSERT INTO segments (document_id, ordinal, start, "end", text) VALUES (?, ?, ?, ?, ?)');
    const first = Number(segment.run(doc.lastInsertRowid, 1, 0, 6, 'Пикет.').lastInsertRowid);
    const second = Number(segment.run(doc.lastInsertRowid, 2, 7, 16, 'Выставка.').lastInsertRowid);
    const anna = Number(db.prepare("INSERT INTO coders (name) VALUES ('anna')").run().lastInsertRowid);
    return { segments: [first, second], anna };
  } finally {
    db.close();
  }
}

function code(dir: string, segmentId: number, coderId: number, codeId: string, span: [number, number] | null = null): void {
  const db = openStore(dir);
  try {
    db.prepare('INSERT INTO codings (segment_id, code_id, coder_id, start, "end", created_at) VALUES (?, ?, ?, ?, ?, \'2026-01-01\')')
      .run(segmentId, codeId, coderId, span?.[0] ?? null, span?.[1] ?? null);
  } finally {
    db.close();
  }
}

describe('codebook apply: several old codes in one was:', () => {
  it('merges them all into the new code, keeps a coding they share once, and moves their memos', () => {
    const dir = newProject();
    const { segments: [first, second], anna } = seedSegments(dir);
    code(dir, first, anna, 'forms.protest');
    code(dir, first, anna, 'forms.art'); // the same segment, coder and span: kept once
    code(dir, first, anna, 'forms.art', [0, 3]); // another span: kept
    code(dir, second, anna, 'forms.art');
    expect(runQcode(['memo', 'add', '--code', 'forms.art', 'art memo'], { cwd: dir }).code).toBe(0);
    editCodebook(dir, (yaml) => yaml
      .replace('\n      - id: protest\n', '\n      - id: protest_art\n        was: [forms.protest, forms.art]\n')
      .replace(/\n {6}- id: art\n[\s\S]*?(?=\n {6}- id: )/, ''));
    expect(runQcode(['codebook', 'check', 'codebook.yaml'], { cwd: dir }).code).toBe(0);

    const dry = runQcode(['codebook', 'apply', '--dry-run'], { cwd: dir });
    expect(dry.stdout).toContain('  > code forms.protest renamed to forms.protest_art (keeps 1 coding)\n');
    expect(dry.stdout).toContain('  > code forms.art merged into forms.protest_art (3 codings follow; 1 already there on the same segment, coder and span is kept once)\n');
    expect(dry.stdout).not.toContain('forms.art retired');

    const applied = runQcode(['codebook', 'apply'], { cwd: dir });
    expect(applied).toMatchObject({ code: 0, stderr: '' });
    expect(query(dir, 'SELECT segment_id, code_id, start, "end" FROM codings ORDER BY segment_id, start')).toEqual([
      { segment_id: first, code_id: 'forms.protest_art', start: null, end: null },
      { segment_id: first, code_id: 'forms.protest_art', start: 0, end: 3 },
      { segment_id: second, code_id: 'forms.protest_art', start: null, end: null },
    ]);
    expect(query(dir, "SELECT id FROM codes WHERE id IN ('forms.protest', 'forms.art')")).toEqual([]);
    expect(query(dir, 'SELECT target_kind, target_id FROM memos')).toEqual([{ target_kind: 'code', target_id: 'forms.protest_art' }]);
    // The same YAML again has nothing left to do.
    expect(runQcode(['codebook', 'apply'], { cwd: dir }).stdout).toBe('codebook.yaml is the codebook the project already uses: nothing to apply.\n');
  });
});

describe('codebook apply: memos on a renamed code', () => {
  it('follow the rename', () => {
    const dir = newProject();
    expect(runQcode(['memo', 'add', '--code', 'forms.protest', 'x'], { cwd: dir }).code).toBe(0);
    editCodebook(dir, (yaml) => yaml.replace('\n      - id: protest\n', '\n      - id: street_protest\n        was: forms.protest\n'));
    expect(runQcode(['codebook', 'apply'], { cwd: dir }).code).toBe(0);
    const listed = runQcode(['memo', 'list', '--code', 'forms.street_protest', '--json'], { cwd: dir });
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject([{ target_kind: 'code', target: 'forms.street_protest', text: 'x' }]);
  });
});

describe('codebook apply: a dimension that leaves the codebook', () => {
  it('says, before anything is applied, how many one-dimension pass marks go with it', () => {
    const dir = newProject('example');
    const { segments: [first, second], anna } = seedSegments(dir);
    const db = openStore(dir);
    const mark = db.prepare("INSERT INTO seen_dimensions (segment_id, coder_id, dimension_id, at) VALUES (?, ?, 'activities', '2026-01-01')");
    mark.run(first, anna);
    mark.run(second, anna);
    db.close();
    editCodebook(dir, (yaml) => yaml
      .replace('\n  - id: activities\n', '\n  - id: practices\n')
      .replace(/\n {6}- id: (planting|events|negotiation)\n/g, '\n      - id: $1\n        was: activities.$1\n')
      .replace('columns: [motives, activities]', 'columns: [motives, practices]'));

    const dry = runQcode(['codebook', 'apply', '--dry-run'], { cwd: dir });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('  - dimension activities (drops 2 one-dimension pass marks)\n');
    expect(dry.stderr).toBe('Warning: dimension activities is no longer in the codebook: its 2 one-dimension pass marks (segments coders went through with qcode code --dimension activities) are dropped\n');
    expect(query(dir, 'SELECT count(*) AS n FROM seen_dimensions')).toEqual([{ n: 2 }]);
    expect(runQcode(['codebook', 'diff', 'codebook.yaml'], { cwd: dir }).stderr).toContain('Warning: dimension activities is no longer in the codebook: its 2 one-dimension pass marks');
  });
});
