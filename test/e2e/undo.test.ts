import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CodingSession } from '../../src/app/coding.js';
import { closeProject, openProject, type Project } from '../../src/app/project.js';
import { newProject, runQcode, tempDir } from '../helpers.js';
import { openStore, query, seedInterviews } from '../seed.js';

function qcode(dir: string, args: string[], env: Record<string, string> = {}) {
  return runQcode(['--project', dir, ...args], { env });
}

function codings(dir: string): string[] {
  return query<{ item: string }>(dir, `
    SELECT s.ordinal || ' ' || k.code_id || ' ' || r.name AS item FROM codings k JOIN segments s ON s.id = k.segment_id
    JOIN coders r ON r.id = k.coder_id ORDER BY s.document_id, s.ordinal, k.code_id, r.name`).map((row) => row.item);
}

const opened: Project[] = [];
afterEach(() => {
  for (const project of opened.splice(0)) closeProject(project);
});

describe('qcode log', () => {
  it('shows who did what, newest first, filtered by coder, date and count', () => {
    const dir = seedInterviews();
    qcode(dir, ['tag', 'r01-vilnius-ru:2', 'forms.protest', '--coder', 'anna']);
    qcode(dir, ['tag', 'r01-vilnius-ru:3', 'forms.media', '--coder', 'boris']);
    qcode(dir, ['untag', 'r01-vilnius-ru:2', 'forms.protest', '--coder', 'anna']);

    const all = JSON.parse(qcode(dir, ['log', '--json']).stdout) as Array<Record<string, unknown>>;
    expect(all.map((entry) => [entry.action, entry.coder, entry.target, entry.code, entry.via])).toEqual([
      ['untag', 'anna', 'r01-vilnius-ru:2', 'forms.protest', 'untag'],
      ['tag', 'boris', 'r01-vilnius-ru:3', 'forms.media', 'tag'],
      ['tag', 'anna', 'r01-vilnius-ru:2', 'forms.protest', 'tag'],
    ]);
    const anna = JSON.parse(qcode(dir, ['log', '--coder', 'anna', '--limit', '1', '--json']).stdout) as Array<{ action: string }>;
    expect(anna.map((entry) => entry.action)).toEqual(['untag']);
    expect(JSON.parse(qcode(dir, ['log', '--since', '2999-01-01', '--json']).stdout)).toEqual([]);
    expect(JSON.parse(qcode(dir, ['log', '--since', '2000-01-01', '--json']).stdout)).toHaveLength(3);
    const table = qcode(dir, ['log', '--coder', 'boris']).stdout;
    expect(table.split('\n')[0]).toMatch(/^id\s+at\s+coder\s+action\s+target\s+code\s+via\s+undone$/);
    expect(table).toContain('forms.media');
    const csv = qcode(dir, ['log', '--csv', '--limit', '1']).stdout;
    expect(csv.split('\n')[0]).toBe('id,at,coder,action,target,code,via,undone_by');
    expect(qcode(dir, ['log', '--since', 'last tuesday']).code).toBe(2);
  });
});

describe('qcode undo', () => {
  it("reverts the coder's last action, then the one before, and says what it reverted", () => {
    const dir = seedInterviews();
    qcode(dir, ['tag', 'r01-vilnius-ru:2', 'forms.protest', 'forms.media', '--coder', 'anna']);
    qcode(dir, ['tag', 'r01-vilnius-ru:3', 'forms.art', '--coder', 'boris']);
    qcode(dir, ['untag', 'r01-vilnius-ru:2', 'forms.media', '--coder', 'anna']);
    expect(codings(dir)).toEqual(['2 forms.protest anna', '3 forms.art boris']);

    expect(qcode(dir, ['undo', '--coder', 'anna']).stdout).toBe('Undid untag r01-vilnius-ru:2: −forms.media [anna].\n');
    expect(codings(dir)).toEqual(['2 forms.media anna', '2 forms.protest anna', '3 forms.art boris']);
    expect(qcode(dir, ['undo'], { QCODE_CODER: 'anna' }).stdout).toBe('Undid tag r01-vilnius-ru:2: +forms.protest +forms.media [anna].\n');
    expect(codings(dir)).toEqual(['3 forms.art boris']);
    // The first tag also marked the segment seen; undoing it forgets that.
    expect(query(dir, "SELECT count(*) AS n FROM seen v JOIN coders r ON r.id = v.coder_id WHERE r.name = 'anna'")).toEqual([{ n: 0 }]);
    expect(qcode(dir, ['undo', '--coder', 'anna']).stdout).toBe('Nothing to undo for anna.\n');
    expect(codings(dir)).toEqual(['3 forms.art boris']);
    const log = JSON.parse(qcode(dir, ['log', '--coder', 'anna', '--limit', '1', '--json']).stdout) as Array<{ action: string; payload: { batch: string } }>;
    expect(log[0]?.action).toBe('undo');
    // The log keeps every event and says which undo reverted it; boris's tag stands.
    const events = JSON.parse(qcode(dir, ['log', '--json']).stdout) as Array<{ id: number; action: string; coder: string; code: string | null; undone_by: number | null }>;
    const undos = events.filter((event) => event.action === 'undo').map((event) => event.id).sort((a, b) => a - b);
    expect(events.filter((event) => event.action !== 'undo').map((event) => [event.action, event.coder, event.code, event.undone_by])).toEqual([
      ['untag', 'anna', 'forms.media', undos[0]],
      ['tag', 'boris', 'forms.art', null],
      ['tag', 'anna', 'forms.media', undos[1]],
      ['tag', 'anna', 'forms.protest', undos[1]],
    ]);
    expect(qcode(dir, ['log', '--limit', '3']).stdout).toContain(`by #${undos[0]}`);
    expect(qcode(dir, ['undo', '--coder', 'nobody']).stderr).toContain('no coder "nobody"');
  });

  it('reverts a whole tag --from batch as one action', () => {
    const dir = seedInterviews();
    qcode(dir, ['tag', 'r01-vilnius-ru:1', 'forms.art', '--coder', 'anna']);
    const file = join(tempDir(), 'batch.csv');
    writeFileSync(file, 'document,segment,code,coder\nr01-vilnius-ru,2,forms.protest,anna\nr01-vilnius-ru,3,forms.protest,anna\nr02-riga-en,4,forms.media,anna\n');
    expect(qcode(dir, ['tag', '--from', file]).code).toBe(0);
    expect(codings(dir)).toHaveLength(4);
    expect(qcode(dir, ['undo', '--coder', 'anna']).stdout).toBe('Undid tag --from batch.csv: 3 codings added on 3 segments [anna].\n');
    expect(codings(dir)).toEqual(['1 forms.art anna']);
  });

  it('reverts an interactive answer (codes added and removed, seen) and a memo', () => {
    const dir = seedInterviews();
    const project = openProject({ project: dir });
    opened.push(project);
    const session = CodingSession.open(project, { coder: 'anna' });
    session.confirm(['forms.protest', 'forms.media']);
    session.jump(1);
    session.confirm(['forms.media', 'forms.art']);
    session.addMemo('A note');
    closeProject(project);

    expect(qcode(dir, ['undo', '--coder', 'anna']).stdout).toBe('Undid code: added memo 1 [anna].\n');
    expect(query(dir, 'SELECT count(*) AS n FROM memos')).toEqual([{ n: 0 }]);
    expect(qcode(dir, ['undo', '--coder', 'anna']).stdout).toBe('Undid code r01-vilnius-ru:1: +forms.art −forms.protest [anna].\n');
    expect(codings(dir)).toEqual(['1 forms.media anna', '1 forms.protest anna']);
    expect(query(dir, 'SELECT count(*) AS n FROM seen')).toEqual([{ n: 1 }]);
    qcode(dir, ['undo', '--coder', 'anna']);
    expect(codings(dir)).toEqual([]);
    expect(query(dir, 'SELECT count(*) AS n FROM seen')).toEqual([{ n: 0 }]);
  });

  it('restores the previous text of an edited memo', () => {
    const dir = seedInterviews();
    qcode(dir, ['memo', 'add', 'first text', '--coder', 'anna']);
    qcode(dir, ['memo', 'edit', '1', 'second text', '--coder', 'anna']);
    expect(qcode(dir, ['undo', '--coder', 'anna']).stdout).toBe('Undid memo edit: edited memo 1 [anna].\n');
    expect(query(dir, 'SELECT text FROM memos')).toEqual([{ text: 'first text' }]);
  });

  it('says so when there is nothing to undo', () => {
    const dir = seedInterviews();
    const result = qcode(dir, ['undo']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Nothing to undo.\n');
  });
});

describe('qcode undo --coder on a batch several coders share', () => {
  it("reverts only that coder's part; the rest stays, and undo without --coder reverts it later", () => {
    const dir = seedInterviews();
    const file = join(tempDir(), 'two.csv');
    writeFileSync(file, 'document,segment,code,coder\nr01-vilnius-ru,2,forms.protest,anna\nr01-vilnius-ru,3,forms.media,boris\nr01-vilnius-ru,4,forms.art,boris\n');
    expect(qcode(dir, ['tag', '--from', file]).code).toBe(0);

    const anna = qcode(dir, ['undo', '--coder', 'anna']);
    expect(anna.stdout).toBe("Undid tag --from two.csv r01-vilnius-ru:2: +forms.protest, anna's part only (boris's changes stand: qcode undo --coder boris) [anna].\n");
    expect(codings(dir)).toEqual(['3 forms.media boris', '4 forms.art boris']);
    expect(query(dir, "SELECT count(*) AS n FROM seen v JOIN coders r ON r.id = v.coder_id WHERE r.name = 'boris'")).toEqual([{ n: 2 }]);
    expect(qcode(dir, ['undo', '--coder', 'anna']).stdout).toBe('Nothing to undo for anna.\n');

    // The log marks anna's events undone and boris's standing.
    const log = JSON.parse(qcode(dir, ['log', '--json']).stdout) as Array<{ id: number; action: string; coder: string; undone_by: number | null }>;
    const undo = log.find((entry) => entry.action === 'undo')?.id;
    expect(log.filter((entry) => entry.action === 'tag').map((entry) => [entry.coder, entry.undone_by])).toEqual([
      ['boris', null], ['boris', null], ['anna', undo],
    ]);

    expect(qcode(dir, ['undo']).stdout).toBe('Undid tag --from two.csv: 2 codings added on 2 segments [boris].\n');
    expect(codings(dir)).toEqual([]);
    expect(query(dir, 'SELECT count(*) AS n FROM seen')).toEqual([{ n: 0 }]);
    expect(qcode(dir, ['undo']).stdout).toBe('Nothing to undo.\n');
  });
});

const BEFORE = 'Интервьюер: В1?\n\nРеспондент: Ответ про пикеты.\n\nИнтервьюер: В2?\n\nРеспондент: Старый текст.\n';

function importText(dir: string, text: string, replace: boolean): void {
  const file = join(tempDir(), 'b.txt');
  writeFileSync(file, text);
  const result = qcode(dir, ['import', file, '--slug', 'b', ...(replace ? ['--replace'] : [])]);
  expect(result.code, result.stderr).toBe(0);
}

describe('qcode undo after import --replace', () => {
  it('does not restore a coding onto a new segment that took the old one\'s id', () => {
    const dir = newProject();
    const anna = { QCODE_CODER: 'anna' };
    importText(dir, BEFORE, false);
    qcode(dir, ['tag', 'b:4', 'forms.protest'], anna);
    qcode(dir, ['untag', 'b:4', 'forms.protest'], anna);
    const oldId = query<{ id: number }>(dir, 'SELECT id FROM segments WHERE ordinal = 4')[0]?.id;
    importText(dir, BEFORE.replace('Старый текст.', 'Совсем другой ответ, про деньги.'), true);
    // The premise: SQLite gave the deleted segment's id to the new one.
    expect(query(dir, 'SELECT id, text FROM segments WHERE ordinal = 4')).toEqual([{ id: oldId, text: 'Совсем другой ответ, про деньги.' }]);

    expect(qcode(dir, ['undo'], anna).stdout).toBe('Undid untag b:4: −forms.protest [anna] (1 change had already been undone by later work).\n');
    expect(codings(dir)).toEqual([]);
  });

  it('still reverts a tag on a segment the replace kept', () => {
    const dir = newProject();
    const anna = { QCODE_CODER: 'anna' };
    importText(dir, BEFORE, false);
    qcode(dir, ['tag', 'b:2', 'forms.protest'], anna);
    importText(dir, `Интервьюер: В0?\n\n${BEFORE.replace('Старый текст.', 'Новый.')}`, true);
    expect(codings(dir)).toEqual(['3 forms.protest anna']);

    expect(qcode(dir, ['undo'], anna).stdout).toBe('Undid tag b:2: +forms.protest [anna].\n');
    expect(codings(dir)).toEqual([]);
    expect(query(dir, 'SELECT count(*) AS n FROM seen')).toEqual([{ n: 0 }]);
  });
});

describe('qcode undo of a memo whose id a later memo took', () => {
  /** boris's memo 1, edited by anna, then deleted by boris's undo: carol's new memo takes id 1. */
  function reusedMemoId(dir: string): void {
    qcode(dir, ['memo', 'add', 'boris original', '--coder', 'boris']);
    qcode(dir, ['memo', 'edit', '1', 'anna edited', '--coder', 'anna']);
    expect(qcode(dir, ['undo', '--coder', 'boris']).stdout).toBe('Undid memo add: added memo 1 [boris].\n');
    expect(qcode(dir, ['memo', 'add', "carol's field note", '--coder', 'carol']).stdout).toBe('Added memo 1 on the project.\n');
  }

  it("leaves the other coder's memo alone and counts the edit as gone", () => {
    const dir = seedInterviews();
    reusedMemoId(dir);
    const undone = qcode(dir, ['undo', '--coder', 'anna']);
    expect(undone.stdout).toBe('Undid memo edit: edited memo 1 [anna] (1 change had already been undone by later work).\n');
    expect(query(dir, 'SELECT m.id, m.text, r.name AS coder FROM memos m JOIN coders r ON r.id = m.coder_id'))
      .toEqual([{ id: 1, text: "carol's field note", coder: 'carol' }]);
  });

  it('tells the memo apart by its memo.add event for an edit logged before edits recorded the memo', () => {
    const dir = seedInterviews();
    reusedMemoId(dir);
    qcode(dir, ['memo', 'edit', '1', 'carol second', '--coder', 'carol']);
    const db = openStore(dir);
    db.prepare("UPDATE events SET payload = json_remove(payload, '$.created_at', '$.target_kind', '$.target_id') WHERE action = 'memo.edit'").run();
    db.close();
    // carol's own edit: her memo.add is the latest one for id 1 before it.
    expect(qcode(dir, ['undo', '--coder', 'carol']).stdout).toBe('Undid memo edit: edited memo 1 [carol].\n');
    expect(query(dir, 'SELECT text FROM memos')).toEqual([{ text: "carol's field note" }]);
    // anna's edit: the latest memo.add before it is boris's, whose memo is gone.
    expect(qcode(dir, ['undo', '--coder', 'anna']).stdout).toBe('Undid memo edit: edited memo 1 [anna] (1 change had already been undone by later work).\n');
    expect(query(dir, 'SELECT text FROM memos')).toEqual([{ text: "carol's field note" }]);
  });

  it('still reverts the edit and the add of a memo on a code renamed since', () => {
    const dir = seedInterviews();
    qcode(dir, ['memo', 'add', 'about protest', '--code', 'forms.protest', '--coder', 'zoe']);
    qcode(dir, ['memo', 'edit', '1', 'about street protest', '--coder', 'zoe']);
    const path = join(dir, 'codebook.yaml');
    writeFileSync(path, readFileSync(path, 'utf8').replace('      - id: protest\n', '      - id: street_protest\n        was: forms.protest\n'));
    expect(qcode(dir, ['codebook', 'apply']).code).toBe(0);
    expect(query(dir, 'SELECT target_id FROM memos')).toEqual([{ target_id: 'forms.street_protest' }]);

    expect(qcode(dir, ['undo', '--coder', 'zoe']).stdout).toBe('Undid memo edit: edited memo 1 [zoe].\n');
    expect(query(dir, 'SELECT text FROM memos')).toEqual([{ text: 'about protest' }]);
    expect(qcode(dir, ['undo', '--coder', 'zoe']).stdout).toBe('Undid memo add: added memo 1 [zoe].\n');
    expect(query(dir, 'SELECT count(*) AS n FROM memos')).toEqual([{ n: 0 }]);
  });
});

describe('qcode undo after a code rename', () => {
  function renameProtest(dir: string): void {
    const path = join(dir, 'codebook.yaml');
    const yaml = readFileSync(path, 'utf8');
    expect(yaml).toContain('      - id: protest\n');
    writeFileSync(path, yaml.replace('      - id: protest\n', '      - id: street_protest\n        was: forms.protest\n'));
    const applied = qcode(dir, ['codebook', 'apply']);
    expect(applied.code, applied.stderr).toBe(0);
  }

  it('removes the coding a tag made under the old id', () => {
    const dir = seedInterviews();
    qcode(dir, ['tag', 'r01-vilnius-ru:3', 'forms.protest', '--coder', 'zoe']);
    renameProtest(dir);
    expect(codings(dir)).toEqual(['3 forms.street_protest zoe']);

    expect(qcode(dir, ['undo', '--coder', 'zoe']).stdout).toBe('Undid tag r01-vilnius-ru:3: +forms.protest [zoe].\n');
    expect(codings(dir)).toEqual([]);
  });

  it('restores an untagged coding under the new id', () => {
    const dir = seedInterviews();
    qcode(dir, ['tag', 'r01-vilnius-ru:3', 'forms.protest', '--coder', 'zoe']);
    qcode(dir, ['untag', 'r01-vilnius-ru:3', 'forms.protest', '--coder', 'zoe']);
    renameProtest(dir);

    expect(qcode(dir, ['undo', '--coder', 'zoe']).stdout).toBe('Undid untag r01-vilnius-ru:3: −forms.protest [zoe].\n');
    expect(codings(dir)).toEqual(['3 forms.street_protest zoe']);
  });
});

describe('qcode undo after a codebook merge', () => {
  it("takes back only the coding its tag made, not an older one the merge kept in its place", () => {
    const dir = seedInterviews();
    expect(qcode(dir, ['tag', 'r01-vilnius-ru:3', 'forms.protest', '--coder', 'zoe']).code).toBe(0);
    expect(qcode(dir, ['tag', 'r01-vilnius-ru:3', 'forms.art', '--coder', 'zoe']).code).toBe(0);
    const path = join(dir, 'codebook.yaml');
    writeFileSync(path, readFileSync(path, 'utf8')
      .replace('\n      - id: protest\n', '\n      - id: protest\n        was: forms.art\n')
      .replace(/\n {6}- id: art\n[\s\S]*?(?=\n {6}- id: )/, ''));
    const applied = qcode(dir, ['codebook', 'apply']);
    expect(applied.code, applied.stderr).toBe(0);
    // The merge kept one of the two identical codings: the older one, made by the protest tag.
    expect(codings(dir)).toEqual(['3 forms.protest zoe']);

    expect(qcode(dir, ['undo', '--coder', 'zoe']).stdout).toBe('Undid tag r01-vilnius-ru:3: +forms.art [zoe] (1 change had already been undone by later work).\n');
    expect(codings(dir)).toEqual(['3 forms.protest zoe']);
    expect(qcode(dir, ['undo', '--coder', 'zoe']).stdout).toBe('Undid tag r01-vilnius-ru:3: +forms.protest [zoe].\n');
    expect(codings(dir)).toEqual([]);
  });
});

describe('qcode log --since', () => {
  it('refuses a day the month does not have', () => {
    const dir = seedInterviews();
    const result = qcode(dir, ['log', '--since', '2025-02-30']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('2025-02-30');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(qcode(dir, ['log', '--since', '2024-02-29']).code).toBe(0);
    expect(qcode(dir, ['log', '--since', '2025-04-31T10:00Z']).code).toBe(2);
  });
});
