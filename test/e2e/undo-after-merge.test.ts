import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQcode, tempDir } from '../helpers.js';
import { query, seedInterviews } from '../seed.js';

// Undo of an action made before a merge: codings are a union, so the merged copy's identical coding was
// skipped as a duplicate, and a copy that shares a batch brings no trace of it into the log.

function qcode(dir: string, ...args: string[]) {
  return runQcode(['--project', dir, ...args]);
}

function ok(dir: string, ...args: string[]): string {
  const result = qcode(dir, ...args);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

function codings(dir: string): string[] {
  return query<{ item: string }>(dir, `
    SELECT s.ordinal || ' ' || k.code_id || ' ' || r.name AS item FROM codings k JOIN segments s ON s.id = k.segment_id
    JOIN coders r ON r.id = k.coder_id ORDER BY s.document_id, s.ordinal, k.code_id, r.name`).map((row) => row.item);
}

function counts(dir: string): unknown[] {
  return query(dir, 'SELECT (SELECT count(*) FROM codings) AS codings, (SELECT count(*) FROM seen) AS seen, (SELECT count(*) FROM events) AS events');
}

/** Two copies of one project (this one and the other coder's), the base's work already in both. */
function copies(base: string): [string, string] {
  const root = tempDir('qcode-undo-merge-');
  const here = join(root, 'here');
  const there = join(root, 'there');
  cpSync(base, here, { recursive: true });
  cpSync(base, there, { recursive: true });
  return [here, there];
}

const AT = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d';

describe('qcode undo of an action made before a merge', () => {
  it('keeps a coding the merged copy also made, and says which merge brought it', () => {
    const [here, there] = copies(seedInterviews());
    ok(there, 'tag', 'r01-vilnius-ru:2', 'forms.protest', '--coder', 'anna');
    ok(here, 'tag', 'r01-vilnius-ru:2', 'forms.protest', '--coder', 'anna');
    ok(here, 'merge', there);

    const undo = ok(here, 'undo', '--coder', 'anna');
    expect(undo).toMatch(new RegExp(`^Undid tag r01-vilnius-ru:2: \\+forms\\.protest \\[anna\\]; kept 1 coding: the merge of ${join(there, 'qcode.db')} on ${AT} also brought it\\.\\n$`));
    expect(codings(here)).toEqual(['2 forms.protest anna']);
    expect(query(here, 'SELECT count(*) AS n FROM seen')).toEqual([{ n: 1 }]);
    expect(ok(here, 'undo', '--coder', 'anna')).toBe('Nothing to undo for anna.\n');
  });

  it('refuses, naming the merge, when the batch made more than the merge accounts for; --past-merge reverts the rest', () => {
    const [here, there] = copies(seedInterviews());
    ok(there, 'tag', 'r01-vilnius-ru:2', 'forms.protest', '--coder', 'anna');
    // forms.media comes first, so its tag is the one that marked the segment seen.
    ok(here, 'tag', 'r01-vilnius-ru:2', 'forms.media', 'forms.protest', '--coder', 'anna');
    ok(here, 'merge', there);
    const before = counts(here);

    const refused = qcode(here, 'undo', '--coder', 'anna');
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(new RegExp(`^Error: anna's last action \\(tag r01-vilnius-ru:2: \\+forms\\.media \\+forms\\.protest, ${AT}\\) comes before the merge of ${join(there, 'qcode.db')} on ${AT}, which may have brought the same work; nothing was undone — .*qcode undo --coder anna --past-merge\\n$`));
    expect(counts(here)).toEqual(before);

    const undo = ok(here, 'undo', '--coder', 'anna', '--past-merge');
    expect(undo).toMatch(new RegExp(`^Undid tag r01-vilnius-ru:2: \\+forms\\.media \\+forms\\.protest \\[anna\\]; past the merge of ${join(there, 'qcode.db')} on ${AT}; kept 1 coding: the merge of .* also brought it\\.\\n$`));
    expect(codings(here)).toEqual(['2 forms.protest anna']);
    // The kept coding's segment stays seen by anna.
    expect(query(here, 'SELECT count(*) AS n FROM seen')).toEqual([{ n: 1 }]);
  });

  it('does not count a coding the merged copy tagged and then untagged', () => {
    const [here, there] = copies(seedInterviews());
    ok(there, 'tag', 'r01-vilnius-ru:2', 'forms.protest', '--coder', 'anna');
    ok(there, 'untag', 'r01-vilnius-ru:2', 'forms.protest', '--coder', 'anna');
    ok(here, 'tag', 'r01-vilnius-ru:2', 'forms.protest', '--coder', 'anna');
    ok(here, 'merge', there);

    expect(qcode(here, 'undo', '--coder', 'anna').code).toBe(1);
    expect(ok(here, 'undo', '--coder', 'anna', '--past-merge')).toMatch(/^Undid tag r01-vilnius-ru:2: \+forms\.protest \[anna\]; past the merge of .*\.\n$/);
    expect(codings(here)).toEqual([]);
  });

  it('keeps the codings of a batch both copies share when undo runs right after the merge', () => {
    const base = seedInterviews();
    const file = join(tempDir(), 'pilot.csv');
    writeFileSync(file, 'document,segment,code,coder\nr01-vilnius-ru,2,forms.protest,anna\nr01-vilnius-ru,3,forms.media,boris\nr02-riga-en,4,forms.art,anna\n');
    ok(base, 'tag', '--from', file);
    const [here, there] = copies(base);
    ok(there, 'tag', 'r01-vilnius-ru:5', 'forms.petitions', '--coder', 'boris');
    ok(here, 'merge', there);

    // The other copy holds the batch as shared history it left alone: removing the codings here would only be
    // undone by the next merge, so the undo keeps them and says so.
    const undo = ok(here, 'undo');
    expect(undo).toMatch(new RegExp(`^Undid tag --from pilot\\.csv: 3 codings added on 3 segments \\[anna, boris\\]; kept 3 codings: the merge of ${join(there, 'qcode.db')} on ${AT} also brought them\\.\\n$`));
    expect(codings(here)).toHaveLength(4);
    expect(JSON.parse(ok(here, 'merge', there, '--json')).added).toMatchObject({ codings: 0 });
  });
});
