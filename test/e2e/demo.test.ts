import Database from 'better-sqlite3';
import { mkdirSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQcode, tempDir } from '../helpers.js';

describe('qcode demo', () => {
  it('builds the demo project from the fixtures and prints the four hypothesis tables', () => {
    const parent = tempDir();
    const result = runQcode(['demo', 'demo'], { cwd: parent, env: { COLUMNS: '200' } });
    expect(result.code).toBe(0);
    for (const id of ['H1', 'H2', 'H3', 'H4']) expect(result.stdout).toMatch(new RegExp(`^${id}  `, 'm'));
    expect(result.stdout).toContain('Try next');

    const db = new Database(join(parent, 'demo', 'qcode.db'), { readonly: true });
    const count = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
    // 16 interviews, 2 web pages, 30 survey respondents; every demo coding row stored.
    expect(count("SELECT count(*) AS n FROM documents WHERE kind = 'interview'")).toBe(16);
    expect(count("SELECT count(*) AS n FROM documents WHERE kind = 'web'")).toBe(2);
    expect(count("SELECT count(*) AS n FROM documents WHERE kind = 'survey'")).toBe(30);
    expect(count('SELECT count(*) AS n FROM codings')).toBe(1071);
    expect(count('SELECT count(DISTINCT case_id) AS n FROM documents WHERE case_id IS NOT NULL')).toBe(46);
    expect(count("SELECT count(DISTINCT value) AS n FROM case_values WHERE attribute = 'host_country'")).toBe(7);
    // The tables are non-trivial: every hypothesis row dimension co-occurs with its columns somewhere.
    const pairs = count(`
      SELECT count(DISTINCT a.code_id || b.code_id) AS n FROM codings a JOIN codings b ON a.segment_id = b.segment_id
      WHERE a.code_id LIKE 'migration_effect.%' AND b.code_id LIKE 'strategies.%'`);
    expect(pairs).toBeGreaterThan(10);
    db.close();
  });

  it('replaces an earlier demo and refuses a folder that is not one', () => {
    const parent = tempDir();
    expect(runQcode(['demo', 'd', '--json'], { cwd: parent }).code).toBe(0);
    const again = runQcode(['demo', 'd', '--json'], { cwd: parent });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ rebuilt: true, documents: 48, codings: 1071 });

    const other = join(parent, 'thesis');
    mkdirSync(other);
    writeFileSync(join(other, 'chapter1.md'), '# mine\n');
    const refused = runQcode(['demo', 'thesis'], { cwd: parent });
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toMatch(/thesis exists and is not a qcode demo project/);
    expect(readdirSync(other)).toEqual(['chapter1.md']);
    expect(readdirSync(parent).filter((name) => name.includes('building'))).toEqual([]);
  });
});
