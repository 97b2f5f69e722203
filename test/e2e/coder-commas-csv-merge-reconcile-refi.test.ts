import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { mergeProject } from '../../src/app/merge.js';
import { ReconcileSession } from '../../src/app/reconcile.js';
import { importRefiProject } from '../../src/app/refi.js';
import { UserError } from '../../src/core/errors.js';
import { agreementProject, range, recordWork } from '../agreement-seed.js';
import { runQcode, tempDir } from '../helpers.js';
import { openStore, query, seedInterviews, withProject } from '../seed.js';

// --coders A,B splits on commas, so a coder named "p,q" could never be chosen there: no way of making a
// coder refuses such a name for a new one (tag --from's coder column, merge --rename-coder, reconcile --as),
// a coder already stored under one stays usable, and REFI-QDA user names come in with the comma replaced.

function qcode(dir: string, ...args: string[]) {
  return runQcode(['--project', dir, ...args]);
}

function coders(dir: string): string[] {
  return query<{ name: string }>(dir, 'SELECT name FROM coders ORDER BY name').map((row) => row.name);
}

function addCoder(dir: string, name: string): void {
  const db = openStore(dir);
  try {
    db.prepare('INSERT INTO coders (name) VALUES (?)').run(name);
  } finally {
    db.close();
  }
}

const R01 = 'r01-vilnius-ru';

describe('tag --from: the coder column', () => {
  function csv(rows: string[]): string {
    const file = join(tempDir(), 'codings.csv');
    writeFileSync(file, ['document,segment,code,coder', ...rows].join('\n') + '\n');
    return file;
  }

  it('refuses a new coder whose name has a comma as a problem at its line and column, writing nothing', () => {
    const dir = seedInterviews();
    const file = csv([`${R01},1,forms.art,anna`, `${R01},2,forms.art,"Smith, Anna"`]);
    const result = qcode(dir, 'tag', '--from', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}:3:4: coder name "Smith, Anna" contains a comma, which --coders A,B would read as two coders: use a name without a comma, e.g. "Smith-Anna"`);
    expect(coders(dir)).toEqual([]);
    expect(query(dir, 'SELECT count(*) AS n FROM codings')).toEqual([{ n: 0 }]);
  });

  it('accepts a coder of that name already in the store (from an older version)', () => {
    const dir = seedInterviews();
    addCoder(dir, 'Smith, Anna');
    const result = qcode(dir, 'tag', '--from', csv([`${R01},2,forms.art,"Smith, Anna"`]));
    expect(result.code, result.stderr).toBe(0);
    expect(query(dir, 'SELECT r.name FROM codings k JOIN coders r ON r.id = k.coder_id')).toEqual([{ name: 'Smith, Anna' }]);
  });
});

describe('merge and coder names with a comma', () => {
  function copies(): { here: string; there: string } {
    const here = seedInterviews();
    const there = join(tempDir(), 'there');
    cpSync(here, there, { recursive: true });
    expect(qcode(there, 'tag', `${R01}:2`, 'forms.art', '--coder', 'anna').code).toBe(0);
    return { here, there };
  }

  it('refuses --rename-coder FROM=TO when TO is a new name with a comma (exit 2), merging nothing', () => {
    const { here, there } = copies();
    // The command line splits --rename-coder's value on commas ("anna=anna" and "laptop": a usage error too);
    // the check itself is merge's, whoever calls it.
    expect(qcode(here, 'merge', there, '--rename-coder', 'anna=anna,laptop').code).toBe(2);
    withProject(here, (p) => {
      let error: unknown;
      try {
        mergeProject(p, { other: there, renameCoders: new Map([['anna', 'anna,laptop']]) });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).exitCode).toBe(2);
      expect((error as UserError).message).toBe('--rename-coder anna=anna,laptop: coder name "anna,laptop" contains a comma, which --coders A,B would read as two coders');
    });
    expect(coders(here)).toEqual([]);
    expect(query(here, 'SELECT count(*) AS n FROM codings')).toEqual([{ n: 0 }]);
  });

  it('brings in a coder of the other project whose name has a comma as it is: it exists there, its work stays whole', () => {
    const { here, there } = copies();
    addCoder(there, 'Smith, Anna');
    expect(qcode(there, 'tag', `${R01}:3`, 'forms.art', '--coder', 'Smith, Anna').code).toBe(0);
    const result = qcode(here, 'merge', there);
    expect(result.code, result.stderr).toBe(0);
    expect(coders(here)).toEqual(['Smith, Anna', 'anna']);
  });

  it('renames such a coder with --rename-coder: a comma splits pairs only before another OLD=NEW', () => {
    const { here, there } = copies();
    addCoder(there, 'Smith, Anna');
    expect(qcode(there, 'tag', `${R01}:3`, 'forms.art', '--coder', 'Smith, Anna').code).toBe(0);
    const result = qcode(here, 'merge', there, '--rename-coder', 'Smith, Anna=smith-anna,anna=anna-2');
    expect(result.code, result.stderr).toBe(0);
    expect(coders(here)).toEqual(['anna-2', 'smith-anna']);
  });
});

describe('reconcile --as', () => {
  function project(): string {
    const dir = agreementProject({ talk: 3 });
    recordWork(dir, [
      { coder: 'anna', document: 'talk', seen: range(1, 3), codes: { 1: ['topics.protest'], 2: ['topics.protest'] } },
      { coder: 'boris', document: 'talk', seen: range(1, 3), codes: { 1: ['topics.protest'] } },
    ]);
    return dir;
  }

  it('refuses a new consensus coder whose name has a comma (exit 2), writing nothing', () => {
    const dir = project();
    withProject(dir, (p) => {
      let error: unknown;
      try {
        ReconcileSession.open(p, { coders: ['anna', 'boris'], as: 'anna,boris' });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).exitCode).toBe(2);
      expect((error as UserError).message).toBe('--as: coder name "anna,boris" contains a comma, which --coders A,B would read as two coders');
    });
    expect(coders(dir)).toEqual(['anna', 'boris']);
  });

  it('accepts one already in the store', () => {
    const dir = project();
    addCoder(dir, 'anna,boris');
    withProject(dir, (p) => {
      expect(ReconcileSession.open(p, { coders: ['anna', 'boris'], as: 'anna,boris' }).agreedCopied).toBe(2);
    });
  });
});

describe('refi import: user names', () => {
  it('replaces a comma in a user\'s name, so that the coder can be chosen with --coders', async () => {
    const users = [['11111111-0000-4000-8000-000000000001', 'Smith, Anna'], ['11111111-0000-4000-8000-000000000002', 'Petrov ,Boris,']];
    const qde = `<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="r"><Users>${users.map(([guid, name]) => `<User guid="${guid}" name="${name}"/>`).join('')}</Users>
<CodeBook><Codes><Code guid="11111111-0000-4000-8000-000000000003" name="Pro" isCodable="true"/></Codes></CodeBook>
<Sources><TextSource guid="11111111-0000-4000-8000-000000000005" name="doc.txt" plainTextPath="internal://11111111-0000-4000-8000-000000000006.txt"/></Sources></Project>`;
    const out = tempDir('qcode-refi-commas-');
    const file = join(out, 'in.qdpx');
    const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
    writeFileSync(file, zipSync({ 'project.qde': encode(qde), 'sources/11111111-0000-4000-8000-000000000006.txt': encode('Hello world.\n') }));
    await importRefiProject({ file, dir: join(out, 'copy'), now: '2030-01-01T00:00:00.000Z' });
    expect(coders(join(out, 'copy'))).toEqual(['Petrov Boris', 'Smith Anna']);
  });
});
