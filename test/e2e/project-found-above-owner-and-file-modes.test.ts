import Database from 'better-sqlite3';
import { chmodSync, chownSync, cpSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newProject, runQcode, tempDir } from '../helpers.js';

const documents = (dbPath: string): number => {
  const db = new Database(dbPath, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM documents').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('a store found by walking up', () => {
  // Only root can give a file away (chown), so only root can plant another user's store here.
  it.skipIf(process.getuid?.() !== 0)('is refused when another user owns it; named with --project it is used, with a warning', () => {
    const shared = join(tempDir(), 'shared');
    mkdirSync(shared, { mode: 0o1777 });
    chmodSync(shared, 0o1777);
    cpSync(join(newProject(), 'qcode.db'), join(shared, 'qcode.db'));
    chownSync(join(shared, 'qcode.db'), 65534, 65534);
    chmodSync(join(shared, 'qcode.db'), 0o666);
    const work = join(shared, 'work');
    mkdirSync(work);
    writeFileSync(join(work, 's.txt'), 'Interviewer: q\n\nRespondent: SECRET\n');

    const refused = runQcode(['import', 's.txt'], { cwd: work });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    const line = refused.stderr.trim();
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toContain(`${join(shared, 'qcode.db')}, found in a parent folder, belongs to`);
    expect(line).toContain('uid 65534');
    expect(line).toContain(`--project ${shared}`);
    expect(documents(join(shared, 'qcode.db'))).toBe(0);

    const named = runQcode(['import', 's.txt', '--project', '..'], { cwd: work });
    expect(named.code).toBe(0);
    expect(named.stderr).toMatch(/^Warning: .*qcode\.db is owned by .*uid 65534.* and can be read and written by other users \(mode 0666\)/);
    expect(documents(join(shared, 'qcode.db'))).toBe(1);
  });

  it('is named in the import summary', () => {
    const project = newProject();
    const sub = join(project, 'transcripts');
    mkdirSync(sub);
    writeFileSync(join(sub, 'r1.txt'), 'Interviewer: q\n\nRespondent: a\n');
    const found = runQcode(['import', 'r1.txt'], { cwd: sub });
    expect(found.code).toBe(0);
    expect(found.stdout.trim()).toBe(`Imported 1 file — 1 document, 2 segments, 0.0 MB. Project: ${project} (found in a parent folder).`);
    writeFileSync(join(project, 'r2.txt'), 'Interviewer: q\n\nRespondent: b\n');
    expect(runQcode(['import', 'r2.txt'], { cwd: project }).stdout).not.toContain('Project:');
  });
});

describe('file modes of what holds participants\' words', () => {
  it('warns (once, on stderr) about a store others can read or write, and not about a 0600 one', () => {
    const project = newProject();
    const db = join(project, 'qcode.db');
    expect(statSync(db).mode & 0o777).toBe(0o600);
    expect(runQcode(['docs', 'list'], { cwd: project }).stderr).toBe('');
    chmodSync(db, 0o644);
    const readable = runQcode(['docs', 'list'], { cwd: project });
    expect(readable.code).toBe(0);
    expect(readable.stderr.trim()).toBe(`Warning: ${db} can be read by other users (mode 0644); it holds participants' words: chmod 600 ${db} unless the project is shared on purpose`);
    chmodSync(db, 0o660);
    expect(runQcode(['docs', 'list'], { cwd: project }).stderr).toMatch(/can be written by other users \(mode 0660\)/);
    chmodSync(db, 0o640);
    expect(runQcode(['docs', 'list'], { cwd: project }).stderr).toBe('');
  });

  it('creates codebook.yaml 0600 (its examples quote participants), in init and in the demo', () => {
    const project = newProject();
    expect(statSync(join(project, 'codebook.yaml')).mode & 0o777).toBe(0o600);
    const parent = tempDir();
    expect(runQcode(['demo', 'd', '--json'], { cwd: parent }).code).toBe(0);
    expect(statSync(join(parent, 'd', 'codebook.yaml')).mode & 0o777).toBe(0o600);
  });
});
