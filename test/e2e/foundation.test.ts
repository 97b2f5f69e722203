import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codebookJsonSchema } from '../../src/core/codebook-schema.js';
import { BIN, CODEBOOKS, FIXTURES, newProject, runQcode, tempDir } from '../helpers.js';

const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** What a codebook command could change in the store: codes, dimensions, attributes, hypotheses and snapshots. */
function storeState(dir: string): string {
  const db = new Database(join(dir, 'qcode.db'), { readonly: true });
  try {
    return JSON.stringify(['codes', 'dimensions', 'attributes', 'hypotheses', 'codebook_versions', 'codings'].map((table) => db.prepare(`SELECT * FROM ${table} ORDER BY 1`).all()));
  } finally {
    db.close();
  }
}

/** Root ignores permissions: as root, a command runs as "nobody" on a project that nobody owns. */
const asRoot = process.getuid?.() === 0;
function runLocked(dir: string, args: string[]): { code: number; stdout: string; stderr: string } {
  if (!asRoot) return runQcode(args, { cwd: dir });
  chmodSync(dirname(dir), 0o755);
  for (const name of readdirSync(dir)) chownSync(join(dir, name), 65534, 65534);
  chownSync(dir, 65534, 65534);
  return runAs(65534, ['--project', dir, ...args]);
}

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
    expect(result.stderr).toMatch(/bad\.yaml:2:13: dimensions: a codebook needs at least one dimension/);
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

  it('refuses an empty qcode.db instead of quietly making it a store without a codebook', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'qcode.db'), '');
    expectOneLineError(runQcode(['codebook', 'show'], { cwd: dir }), /qcode\.db is empty \(0 bytes\), not a qcode store/);
    expect(statSync(join(dir, 'qcode.db')).size).toBe(0);
  });

  it('refuses a project folder without write permission with one line, the store untouched', () => {
    const dir = newProject();
    const before = storeState(dir);
    const hash = sha(join(dir, 'qcode.db'));
    chmodSync(dir, 0o555);
    try {
      expectOneLineError(runLocked(dir, ['codebook', 'apply']), /study is read-only for you \(its folder is not writable for you\): this command writes to it; nothing was changed/);
      expectOneLineError(runLocked(dir, ['import', join(FIXTURES, 'interviews', 'r02-riga-en.txt')]), /study is read-only for you \(its folder is not writable for you\): this command writes to it; nothing was changed/);
    } finally {
      chmodSync(dir, 0o755);
    }
    expect(sha(join(dir, 'qcode.db'))).toBe(hash);
    expect(storeState(dir)).toBe(before);
  });

  it('reads a qcode.db the user cannot write, and refuses a write to it with one line', () => {
    const dir = newProject();
    chmodSync(join(dir, 'qcode.db'), 0o400);
    expect(runLocked(dir, ['codebook', 'show']).code).toBe(0);
    expectOneLineError(runLocked(dir, ['codebook', 'apply']), /read-only for you \(qcode\.db is not writable for you\)/);
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
    expect(result.stderr).toContain(`${file}:3:5: dimensions.0: missing key "label"`);
    expect(result.stderr).toContain(`${file}:7:14: duplicate code id "forms.a" (also defined at 6:14)`);
  });

  it('reports every kind of problem in one run, in file order, even when the shape is wrong as well', () => {
    const file = join(tempDir(), 'cb.yaml');
    writeFileSync(file, [
      'codebook: t',
      'attributes:',
      '  year: {type: integer}',
      'dimensions:',
      '  - id: effect',
      '    label: Effect',
      '    exclusive: true',
      '    codes:',
      '      - id: mobilising',
      '        label: Mobilising',
      '        codes: [{id: strongly, label: Strongly}]',
      '  - id: forms',
      '    lable: Forms',
      '    codes:',
      '      - {id: protest, label: Protest}',
      '      - {id: protest, label: Picket}',
      '      - {id: media}',
      'hypotheses:',
      '  H1: {title: T, rows: [efect, "attribute:year"], columns: [forms]}',
      '',
    ].join('\n'));
    const result = runQcode(['codebook', 'check', file]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      `${file}:3:16: attributes.year.type: "integer" is not one of category, number, date, text`,
      `${file}:11:16: code "effect.mobilising" has child codes, but dimension "effect" is exclusive (one code per unit): flatten the children or make the dimension non-exclusive`,
      `${file}:12:5: dimensions.1: missing key "label"`,
      `${file}:13:5: unknown key "lable" (did you mean "label"?)`,
      `${file}:16:14: duplicate code id "forms.protest" (also defined at 15:14): give one of them another id`,
      `${file}:17:9: dimensions.1.codes.2: missing key "label"`,
      `${file}:19:25: hypothesis H1 rows: unknown dimension "efect" (did you mean "effect"?)`,
      `Error: ${file}: 7 problems in the codebook — Fix them and run: qcode codebook check ${file}`,
    ]);
  });

  it('says so when a file is not a qcode codebook at all (another tool\'s list of codes)', () => {
    const file = join(tempDir(), 'codes.yaml');
    writeFileSync(file, '- contexto_laboral\n- negocios\n');
    const result = runQcode(['codebook', 'check', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}:1:1: a codebook is a mapping (codebook:, languages:, attributes:, dimensions:, hypotheses:), but this file is a list: is it a qcode codebook?`);
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

  it('renames a parent code with was: and its children follow, codings and all', () => {
    const dir = newProject('example');
    seedCoding(dir, 'motives.social.friendship');
    const yaml = readFileSync(join(dir, 'codebook.yaml'), 'utf8');
    const renamed = yaml.replace(/\n      - id: social\n/, '\n      - id: sociability\n        was: motives.social\n');
    expect(renamed).not.toBe(yaml);
    writeFileSync(join(dir, 'codebook.yaml'), renamed);
    const dry = runQcode(['codebook', 'apply', '--dry-run'], { cwd: dir });
    expect(dry.stdout).toContain('> code motives.social.friendship renamed to motives.sociability.friendship (keeps 1 coding)');
    const result = runQcode(['codebook', 'apply'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const db = new Database(join(dir, 'qcode.db'), { readonly: true });
    expect(db.prepare('SELECT code_id FROM codings').all()).toEqual([{ code_id: 'motives.sociability.friendship' }]);
    expect(db.prepare("SELECT id, parent_id, status FROM codes WHERE id LIKE 'motives.soci%' ORDER BY id").all()).toEqual([
      { id: 'motives.sociability', parent_id: null, status: 'active' },
      { id: 'motives.sociability.friendship', parent_id: 'motives.sociability', status: 'active' },
      { id: 'motives.sociability.neighbours', parent_id: 'motives.sociability', status: 'active' },
    ]);
    db.close();
  });

  it('applying the codebook already in use writes nothing, not even another snapshot', () => {
    const dir = newProject();
    const before = storeState(dir);
    const result = runQcode(['codebook', 'apply'], { cwd: dir });
    expect(result).toMatchObject({ code: 0, stderr: '', stdout: 'codebook.yaml is the codebook the project already uses: nothing to apply.\n' });
    expect(storeState(dir)).toBe(before);
  });

  it('shows hypothesis and attribute changes in the plan, and notes when FILE is not the project\'s codebook.yaml', () => {
    const dir = newProject();
    const other = join(tempDir(), 'other.yaml');
    writeFileSync(other, readFileSync(join(dir, 'codebook.yaml'), 'utf8')
      .replace('title: Host-country characteristics shape strategies', 'title: Host countries shape strategies')
      .replace('values: [LT, LV, PL, DE, UK, FI, ES]', 'values: [LT, LV, PL, DE, UK, FI, ES, FR]'));
    expect(runQcode(['codebook', 'diff', other], { cwd: dir }).stdout).toBe('  ~ attribute host_country (values)\n  ~ hypothesis H2 (title)\n');
    const applied = runQcode(['codebook', 'apply', other], { cwd: dir });
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('~ hypothesis H2 (title)');
    expect(applied.stderr).toBe(`Note: the project's codebook.yaml is not ${other}: copy it over (cp ${other} codebook.yaml), or the next plain qcode codebook apply goes back to codebook.yaml\n`);
    const db = new Database(join(dir, 'qcode.db'), { readonly: true });
    expect(db.prepare("SELECT title FROM hypotheses WHERE id = 'H2'").get()).toEqual({ title: 'Host countries shape strategies' });
    db.close();
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

describe('a bad codebook leaves the store untouched', () => {
  const tenThousand = `codebook: big\ndimensions:\n  - id: d\n    label: D\n    codes:\n${Array.from({ length: 10_000 }, (_, i) => `      - {id: c${i}, label: C${i}}`).join('\n')}\n`;
  it.each([
    ['a missing file', null, [/^Error: .*cb\.yaml: no such file$/]],
    ['an empty file', '', [/^Error: .*cb\.yaml: the codebook is empty$/]],
    ['a binary file', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]), [/^Error: .*cb\.yaml: this is a binary file, not a codebook \(NUL byte at offset 4\)$/]],
    ['a file that is not UTF-8', Buffer.from('codebook: t\n# \xcf\xf0\xee\xf2\xe5\xf1\xf2\n', 'latin1'), [/^Error: .*cb\.yaml:2:3: the codebook is not valid UTF-8 — Save it as UTF-8/]],
    ['a YAML syntax error', 'codebook: t\ndimensions: [\n', [/cb\.yaml:3:1: YAML: /, /^Error: .*cb\.yaml: 1 problem in the codebook — Fix it and run: qcode codebook check/]],
    ['a duplicate key', 'codebook: t\ncodebook: u\ndimensions:\n  - {id: d, label: D, codes: [{id: a, label: A}]}\n', [/cb\.yaml:2:1: duplicate key "codebook" \(first at 1:1\): a key may appear only once in a mapping$/, /^Error: .*1 problem in the codebook/]],
    ['10,000 codes', tenThousand, [/cb\.yaml:3:3: the codebook has 10000 codes; qcode accepts at most 2000/, /^Error: .*1 problem in the codebook/]],
  ])('%s: the problem on a line of its own, exit 1', (_name, content, expected) => {
    const dir = newProject();
    const file = join(tempDir(), 'cb.yaml');
    if (content !== null) writeFileSync(file, content);
    const before = storeState(dir);
    const result = runQcode(['codebook', 'apply', file], { cwd: dir });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(expected.length);
    expected.forEach((pattern, index) => expect(lines[index]).toMatch(pattern));
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(storeState(dir)).toBe(before);
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
