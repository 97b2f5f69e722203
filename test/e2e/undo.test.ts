import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CodingSession } from '../../src/app/coding.js';
import { closeProject, openProject, type Project } from '../../src/app/project.js';
import { runQcode, tempDir } from '../helpers.js';
import { query, seedInterviews } from '../seed.js';

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
    expect(csv.split('\n')[0]).toBe('id,at,coder,action,target,code,via,undoneBy');
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
    const events = JSON.parse(qcode(dir, ['log', '--json']).stdout) as Array<{ id: number; action: string; coder: string; code: string | null; undoneBy: number | null }>;
    const undos = events.filter((event) => event.action === 'undo').map((event) => event.id).sort((a, b) => a - b);
    expect(events.filter((event) => event.action !== 'undo').map((event) => [event.action, event.coder, event.code, event.undoneBy])).toEqual([
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
