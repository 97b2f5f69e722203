import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codebookJsonSchema } from '../../src/core/codebook-schema.js';
import { BIN, CODEBOOKS, newProject, runQcode, tempDir } from '../helpers.js';

const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** The error output is one line (an optional hint is on the same line). */
function expectOneLineError(result: { code: number; stderr: string }, pattern: RegExp, code = 1): void {
  expect(result.code).toBe(code);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

/** Gives a project one document, one segment and one coding of `code`, written as an importer would. */
function seedCoding(dir: string, code: string): void {
  const db = new Database(join(dir, 'qcode.db'));
  db.pragma('foreign_keys = ON');
  const doc = db.prepare("INSERT INTO documents (slug, kind, format, sha256, text, imported_at) VALUES ('d1', 'interview', 'txt', 'x', 'Мы вышли на пикет.', '2026-01-01')").run();
  const segment = db.prepare("INSERT INTO segments (document_id, ordinal, start, \"end\", text) VALUES (?, 1, 0, 18, 'Мы вышли на пикет.')").run(doc.lastInsertRowid);
  const coder = db.prepare("INSERT INTO coders (name) VALUES ('anna')").run();
  db.prepare("INSERT INTO codings (segment_id, code_id, coder_id, created_at) VALUES (?, ?, ?, '2026-01-01')").run(segment.lastInsertRowid, code, coder.lastInsertRowid);
  db.close();
}

describe('qcode init', () => {
  it('creates qcode.db with mode 0600 and the bundled codebook, applied', () => {
    const dir = newProject();
    expect(statSync(join(dir, 'qcode.db')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'codebook.yaml'), 'utf8')).toBe(readFileSync(join(CODEBOOKS, 'political-remittances.yaml'), 'utf8'));
    const db = new Database(join(dir, 'qcode.db'), { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(1);
    expect((db.prepare('SELECT count(*) AS n FROM codes').get() as { n: number }).n).toBe(62);
    expect((db.prepare('SELECT count(*) AS n FROM codebook_versions').get() as { n: number }).n).toBe(1);
    db.close();
  });

  it('takes another bundled codebook or a file', () => {
    const dir = join(tempDir(), 'p');
    const result = runQcode(['init', dir, '--codebook', 'example', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ codebook: 'example' });
  });

  it('refuses a folder that is already a project', () => {
    const dir = newProject();
    const before = sha(join(dir, 'qcode.db'));
    expectOneLineError(runQcode(['init', dir]), /already a qcode project/);
    expect(sha(join(dir, 'qcode.db'))).toBe(before);
  });

  it('refuses an unknown bundled codebook and leaves nothing behind', () => {
    const dir = join(tempDir(), 'p');
    expectOneLineError(runQcode(['init', dir, '--codebook', 'nope']), /no bundled codebook "nope".*political-remittances/);
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses an invalid codebook file and leaves nothing behind', () => {
    const parent = tempDir();
    writeFileSync(join(parent, 'bad.yaml'), 'codebook: x\ndimensions: []\n');
    const result = runQcode(['init', join(parent, 'p'), '--codebook', join(parent, 'bad.yaml')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/codebook\.yaml:2:13: dimensions: a codebook needs at least one dimension/);
    expect(existsSync(join(parent, 'p'))).toBe(false);
  });

  it('refuses a project folder without write permission', () => {
    const parent = tempDir();
    const locked = join(parent, 'locked');
    mkdirSync(locked);
    chmodSync(parent, 0o755);
    chmodSync(locked, 0o555);
    // Root ignores permissions, so as root the command runs as "nobody", who cannot write there.
    const asNobody = process.getuid?.() === 0;
    if (asNobody) chownSync(locked, 0, 0);
    const result = asNobody
      ? runAs(65534, ['init', locked])
      : runQcode(['init', locked]);
    expectOneLineError(result, /locked: permission denied/);
    expect(existsSync(join(locked, 'qcode.db'))).toBe(false);
  });
});

function runAs(uid: number, args: string[]): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8', uid, gid: uid, cwd: '/', env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

describe('finding the project', () => {
  it('fails outside a project with one line that names qcode init', () => {
    expectOneLineError(runQcode(['codebook', 'show'], { cwd: tempDir() }), /not inside a qcode project.*qcode init/);
  });

  it('finds the project from a subfolder, from --project and from QCODE_PROJECT', () => {
    const dir = newProject();
    mkdirSync(join(dir, 'notes', 'deep'), { recursive: true });
    expect(runQcode(['codebook', 'show'], { cwd: join(dir, 'notes', 'deep') }).stdout).toMatch(/political-remittances v1 · 62 codes/);
    expect(runQcode(['codebook', 'show', '--project', dir], { cwd: tempDir() }).code).toBe(0);
    expect(runQcode(['codebook', 'show'], { cwd: tempDir(), env: { QCODE_PROJECT: dir } }).code).toBe(0);
    expectOneLineError(runQcode(['codebook', 'show', '--project', tempDir()]), /no qcode project in .*qcode init/);
  });

  it('refuses a qcode.db that is not a SQLite file, untouched', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'qcode.db'), 'these are my notes, not a database\n');
    const before = sha(join(dir, 'qcode.db'));
    expectOneLineError(runQcode(['codebook', 'show'], { cwd: dir }), /qcode\.db is not a qcode store \(not a SQLite file\)/);
    expect(sha(join(dir, 'qcode.db'))).toBe(before);
  });

  it('refuses a qcode.db written by a newer qcode, untouched', () => {
    const dir = newProject();
    const db = new Database(join(dir, 'qcode.db'));
    db.pragma('user_version = 999');
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const before = sha(join(dir, 'qcode.db'));
    expectOneLineError(runQcode(['codebook', 'show'], { cwd: dir }), /written by a newer qcode \(schema 999/);
    expect(sha(join(dir, 'qcode.db'))).toBe(before);
  });
});

describe('qcode codebook check', () => {
  it('passes the bundled research codebook', () => {
    const result = runQcode(['codebook', 'check', join(CODEBOOKS, 'political-remittances.yaml')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ok · codebook "political-remittances" v1 · 8 dimensions, 62 codes, \d+ attributes, 4 hypotheses/);
  });

  it('lists every problem as FILE:LINE:COL: message and exits 1', () => {
    const file = join(tempDir(), 'cb.yaml');
    writeFileSync(file, 'codebook: t\ndimensions:\n  - id: forms\n    lable: Forms\n    codes:\n      - {id: a, label: A}\n      - {id: a, label: A2}\n');
    const result = runQcode(['codebook', 'check', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}:4:5: unknown key "lable" (did you mean "label"?)`);
    expect(result.stderr).toContain(`${file}:3:5: dimensions.0.label:`);
  });

  it.each([
    ['missing', null, /cb\.yaml: no such file/],
    ['empty', Buffer.alloc(0), /cb\.yaml: the codebook is empty/],
    ['binary', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]), /cb\.yaml: this is a binary file/],
    ['not UTF-8', Buffer.from('codebook: t\n# \xcf\xf0\xee\xf2\xe5\xf1\xf2\n', 'latin1'), /cb\.yaml:2:3: the codebook is not valid UTF-8/],
  ])('refuses a %s file with one line', (_name, content, pattern) => {
    const file = join(tempDir(), 'cb.yaml');
    if (content !== null) writeFileSync(file, content);
    expectOneLineError(runQcode(['codebook', 'check', file]), pattern);
  });
});

describe('qcode codebook apply', () => {
  it('retires a removed code with codings, keeps the codings and says how many', () => {
    const dir = newProject();
    seedCoding(dir, 'forms.protest');
    const yaml = readFileSync(join(dir, 'codebook.yaml'), 'utf8');
    writeFileSync(join(dir, 'codebook.yaml'), yaml.replace(/\n      - id: protest\n[\s\S]*?(?=\n      - id: petitions)/, ''));
    const dry = runQcode(['codebook', 'apply', '--dry-run'], { cwd: dir });
    expect(dry.stdout).toContain('- code forms.protest retired (keeps 1 coding)');
    const result = runQcode(['codebook', 'apply'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('code forms.protest is no longer in the codebook: retired, keeping its 1 coding');
    const db = new Database(join(dir, 'qcode.db'), { readonly: true });
    expect(db.prepare("SELECT status FROM codes WHERE id = 'forms.protest'").get()).toEqual({ status: 'retired' });
    expect(db.prepare('SELECT count(*) AS n FROM codings').get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT count(*) AS n FROM codebook_versions').get()).toEqual({ n: 2 });
    db.close();
  });

  it('renames a code named by was: and keeps every coding', () => {
    const dir = newProject();
    seedCoding(dir, 'forms.protest');
    const yaml = readFileSync(join(dir, 'codebook.yaml'), 'utf8');
    const renamed = yaml.replace('\n      - id: protest\n', '\n      - id: street_protest\n        was: forms.protest\n');
    expect(renamed).not.toBe(yaml);
    writeFileSync(join(dir, 'codebook.yaml'), renamed);
    expect(runQcode(['codebook', 'diff', 'codebook.yaml'], { cwd: dir }).stdout).toContain('> code forms.protest renamed to forms.street_protest (keeps 1 coding)');
    expect(runQcode(['codebook', 'apply'], { cwd: dir }).code).toBe(0);
    const db = new Database(join(dir, 'qcode.db'), { readonly: true });
    expect(db.prepare('SELECT code_id FROM codings').all()).toEqual([{ code_id: 'forms.street_protest' }]);
    expect(db.prepare("SELECT count(*) AS n FROM codes WHERE id = 'forms.protest'").get()).toEqual({ n: 0 });
    db.close();
    const show = JSON.parse(runQcode(['codebook', 'show', '--json'], { cwd: dir }).stdout) as { codes: Array<{ id: string; codings: number }> };
    expect(show.codes.find((code) => code.id === 'forms.street_protest')?.codings).toBe(1);
  });

  it('--dry-run changes nothing', () => {
    const dir = newProject();
    const yaml = readFileSync(join(dir, 'codebook.yaml'), 'utf8');
    writeFileSync(join(dir, 'codebook.yaml'), yaml.replace('label: Protest, demonstration, picket', 'label: Street protest'));
    const before = runQcode(['codebook', 'show', '--json'], { cwd: dir }).stdout;
    const dry = runQcode(['codebook', 'apply', '--dry-run'], { cwd: dir });
    expect(dry.stdout).toContain('~ code forms.protest (label)');
    expect(runQcode(['codebook', 'show', '--json'], { cwd: dir }).stdout).toBe(before);
  });

  it('leaves the store as it was when the new codebook is invalid', () => {
    const dir = newProject();
    writeFileSync(join(dir, 'codebook.yaml'), 'codebook: t\ndimensions:\n  - id: forms\n    label: Forms\n    codes:\n      - {id: a, label: A}\n      - {id: a, label: A}\n');
    const before = runQcode(['codebook', 'show', '--json'], { cwd: dir }).stdout;
    const result = runQcode(['codebook', 'apply'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('codebook.yaml:7:14: duplicate code id "forms.a"');
    expect(runQcode(['codebook', 'show', '--json'], { cwd: dir }).stdout).toBe(before);
  });
});

describe('qcode codebook show', () => {
  it('prints the tree with Russian labels on request', () => {
    const dir = newProject();
    const result = runQcode(['codebook', 'show', '--lang', 'ru'], { cwd: dir });
    expect(result.stdout).toMatch(/migration_effect\s+.*\(exclusive\)/);
    expect(result.stdout).toMatch(/forms\.protest\s+0\s+\S*[А-Яа-я]/);
    expect(result.stdout).toContain('H2');
  });
});

describe('help and schema', () => {
  it('qcode --help lists the commands with examples', () => {
    const result = runQcode(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['init', 'codebook']) expect(result.stdout).toMatch(new RegExp(`\\n  ${command}\\b`));
    expect(result.stdout).toContain('Examples:');
  });

  it('an unknown command is a usage error (exit 2)', () => {
    const result = runQcode(['codebok']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown command 'codebok'.*\n.*codebook/);
  });

  it('qcode --version prints the package version', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(runQcode(['--version']).stdout).toBe(`${pkg.version}\n`);
  });

  it('the committed JSON Schema is the one the validator generates', () => {
    const committed = JSON.parse(readFileSync(join(CODEBOOKS, 'codebook.schema.json'), 'utf8'));
    expect(committed).toEqual(codebookJsonSchema());
    for (const name of ['political-remittances', 'example']) {
      expect(readFileSync(join(CODEBOOKS, `${name}.yaml`), 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=./codebook.schema.json');
    }
  });
});
