import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync, accessSync, constants } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError, usageError } from '../core/errors.js';
import { shellQuote } from '../core/shell.js';
import { createDatabase, damagedStoreError, DEFAULT_BUSY_TIMEOUT_MS, openDatabase, readOnlyProjectError, readOnlyReason, whyNotWritable, type Db } from '../store/db.js';
import { unfinishedErasure } from '../store/removal.js';
import { CODEBOOK_READ_LIMIT, fileError, readUtf8File } from '../io/text-file.js';

export const DB_FILE = 'qcode.db';
export const CODEBOOK_FILE = 'codebook.yaml';
export const SCHEMA_FILE = 'codebook.schema.json';

/** Where qcode's own files (bundled codebooks, fixtures) live, next to dist/. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUNDLED_CODEBOOKS = join(PACKAGE_ROOT, 'codebooks');
export const DEFAULT_CODEBOOK = 'political-remittances';

export interface Project {
  dir: string;
  dbPath: string;
  codebookPath: string;
  db: Db;
  /** Found in a parent of the current folder, not named (--project, QCODE_PROJECT) nor the current folder. */
  foundAbove: boolean;
  /** Why this user may not write the store, when it was opened for reading only (see openProject); a write then fails. */
  readOnly?: string | undefined;
}

export interface ProjectOptions {
  /** --project DIR */
  project?: string | undefined;
  cwd?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  readonly?: boolean | undefined;
  /** Told about a store others can reach (see storeWarning), and about an unfinished erasure; the CLI prints it. */
  onWarning?: ((line: string) => void) | undefined;
  /** How long to wait for another qcode's write (busy_timeout); default DEFAULT_BUSY_TIMEOUT_MS. */
  busyTimeoutMs?: number | undefined;
  /** The command finishes an unfinished erasure itself (docs|cases remove): no warning about it. */
  finishesErasure?: boolean | undefined;
  /** The command always writes: a store this user may only read is refused here, before anything else is done. */
  writes?: boolean | undefined;
}

/**
 * Finds the project as git finds a repository: --project, else QCODE_PROJECT, else the nearest ancestor
 * holding qcode.db. --project may also name the qcode.db file itself (as merge accepts).
 */
export function findProjectDir(options: ProjectOptions): string {
  return locateProject(options).dir;
}

function locateProject(options: ProjectOptions): { dir: string; foundAbove: boolean } {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  if (options.project === '') throw emptyProjectOption();
  const explicit = options.project ?? (env.QCODE_PROJECT ? env.QCODE_PROJECT : undefined);
  if (explicit !== undefined) {
    const given = resolve(cwd, explicit);
    const named = options.project === undefined ? ', which QCODE_PROJECT names' : '';
    if (isFile(given)) {
      if (basename(given) === DB_FILE) return { dir: checkedProjectDir(dirname(given)), foundAbove: false };
      throw new UserError(`${given} is a file, not a project folder${named}`, { hint: `Name the folder that holds ${DB_FILE}` });
    }
    if (!existsSync(join(given, DB_FILE))) {
      throw new UserError(`no qcode project in ${given}${named} (no ${DB_FILE})`, { hint: `Create one with: qcode init ${shellQuote(explicit)}` });
    }
    return { dir: checkedProjectDir(given), foundAbove: false };
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, DB_FILE))) {
      const foundAbove = dir !== resolve(cwd);
      if (foundAbove) assertOwnStore(join(dir, DB_FILE));
      return { dir: checkedProjectDir(dir), foundAbove };
    }
    if (dirname(dir) === dir) break;
  }
  throw new UserError(`not inside a qcode project (no ${DB_FILE} here or in any parent folder)`, {
    hint: 'Create one with: qcode init DIR, or name one with --project DIR',
  });
}

/**
 * The folder `qcode init [DIR]` makes the project in: DIR, else --project, else the current folder.
 * QCODE_PROJECT is not followed: it is often left set in a shell for other work, and init would then
 * create a store of participants' words in a folder this command never named. When it names another
 * folder than the current one, init refuses and asks for the folder instead of guessing.
 */
export function initTarget(options: { dir?: string | undefined; project?: string | undefined; cwd?: string | undefined; env?: NodeJS.ProcessEnv | undefined }): string {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  if (options.project === '') throw emptyProjectOption();
  if (options.dir === '') throw usageError('init needs a folder, not an empty name', 'Name one: qcode init DIR (qcode init . for this folder)');
  if (options.dir !== undefined && options.project !== undefined && resolve(cwd, options.dir) !== resolve(cwd, options.project)) {
    throw usageError(`init was given two folders: ${options.dir} and --project ${options.project}`, 'Give one of them');
  }
  const target = options.dir ?? options.project;
  if (target !== undefined) return target;
  const fromEnv = env.QCODE_PROJECT;
  if (fromEnv && resolve(cwd, fromEnv) !== resolve(cwd)) {
    throw usageError(`QCODE_PROJECT names ${fromEnv}, not this folder, and init was given no folder`, `Name it: qcode init . for this folder, or qcode init ${shellQuote(fromEnv)}`);
  }
  return '.';
}

function emptyProjectOption(): UserError {
  return usageError('--project needs a folder', 'Name the project folder (--project DIR), or leave --project out to use the folder you are in');
}

function isFile(path: string): boolean {
  try {
    return !statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A qcode.db that is not a file would otherwise fail later with a raw EISDIR. */
function checkedProjectDir(dir: string): string {
  const dbPath = join(dir, DB_FILE);
  if (statSync(dbPath).isDirectory()) throw notADatabase(dbPath);
  return dir;
}

function notADatabase(dbPath: string): UserError {
  return new UserError(`${dbPath} is a folder, not a qcode store`, { hint: `Move it away: a project's ${DB_FILE} is the file qcode init makes` });
}

/**
 * As git's safe.directory: a store found by walking up must be the user's own. Anyone can leave a
 * qcode.db in a shared parent folder (/tmp, a group share), and every import below it would write
 * participants' words into a file its owner reads. Named with --project, it is used (with a warning).
 */
function assertOwnStore(dbPath: string): void {
  const uid = process.getuid?.();
  if (uid === undefined) return;
  let owner: number;
  try {
    owner = statSync(dbPath).uid;
  } catch {
    return;
  }
  if (owner === uid) return;
  throw new UserError(`${dbPath}, found in a parent folder, belongs to ${userName(owner)}, not you: qcode does not use another user's store unless it is named`, {
    hint: `If it is really your project, name it: --project ${shellQuote(dirname(dbPath))}`,
  });
}

/** "nobody (uid 65534)", or "uid 65534" where the name cannot be read. */
function userName(uid: number): string {
  try {
    const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((entry) => entry.split(':')[2] === String(uid));
    const name = line?.split(':')[0];
    if (name) return `${name} (uid ${uid})`;
  } catch {
    // No passwd file (containers, other systems): the number says enough.
  }
  return `uid ${uid}`;
}

/**
 * Why a store is within others' reach, or undefined: another owner, or a mode that lets other users
 * read it or lets the group or other users write it. Not an error: a team may share a group folder on
 * purpose (group-readable is not warned about), but participants' words should not be there unknowingly.
 */
export function storeWarning(dbPath: string): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(dbPath);
  } catch {
    return undefined;
  }
  const mode = Number(stat.mode) & 0o777;
  const reasons: string[] = [];
  if (Number(stat.uid) !== uid) reasons.push(`is owned by ${userName(Number(stat.uid))}`);
  const who = [(mode & 0o004) !== 0 ? 'read' : null, (mode & 0o022) !== 0 ? 'written' : null].filter(Boolean);
  if (who.length > 0) reasons.push(`can be ${who.join(' and ')} by other users (mode ${mode.toString(8).padStart(4, '0')})`);
  if (reasons.length === 0) return undefined;
  const fix = Number(stat.uid) === uid ? `chmod 600 ${shellQuote(dbPath)} unless the project is shared on purpose` : 'work on a copy of your own unless the project is shared on purpose';
  return `${dbPath} ${reasons.join(' and ')}; it holds participants' words: ${fix}`;
}

/**
 * Opens the project's store. A store this user may not write (an archived project, a colleague's shared
 * read-only) is opened for reading: reading commands work, and a command's first write fails with a line
 * that says the project is read-only for this user (store/db.ts readOnlyStoreError).
 */
export function openProject(options: ProjectOptions): Project {
  const { dir, foundAbove } = locateProject(options);
  const dbPath = join(dir, DB_FILE);
  if (options.writes && !options.readonly) {
    const why = whyNotWritable(dbPath);
    if (why !== undefined) throw readOnlyProjectError(dbPath, why);
  }
  const db = openDatabase(dbPath, {
    readonly: options.readonly ?? false,
    readIfNotWritable: true,
    busyTimeoutMs: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
  });
  const project: Project = { dir, dbPath, codebookPath: join(dir, CODEBOOK_FILE), db, foundAbove, readOnly: readOnlyReason(db) };
  try {
    // After the open: a store that cannot be opened gets its one error line, not a warning first.
    const warning = storeWarning(dbPath);
    if (warning !== undefined) options.onWarning?.(warning);
    if (!options.finishesErasure) {
      const erasure = erasureWarning(db);
      if (erasure !== undefined) options.onWarning?.(erasure);
    }
  } catch (error) {
    db.close();
    throw damagedStoreError(error, dbPath) ?? error;
  }
  return project;
}

/**
 * A removal or an import --replace whose erasure of the bytes did not finish (the command was stopped, a
 * reader or a full disk kept it from compacting the store) leaves the old text in qcode.db and qcode.db-wal:
 * every command says so until that command is run again, which finishes it (docs/import.md).
 */
function erasureWarning(db: Db): string | undefined {
  const pending = unfinishedErasure(db);
  if (pending === undefined) return undefined;
  // Pointing at a removal here would have the user remove a participant to finish erasing a replaced text.
  if (pending.byImport) return `the erasure of the text an import --replace replaced on ${pending.at.slice(0, 10)} is NOT complete: ${DB_FILE} and ${DB_FILE}-wal may still hold it; finish it by running that import again`;
  const again = pending.caseIds.length > 0
    ? `qcode cases remove ${pending.caseIds.map(shellQuote).join(' ')}`
    : pending.slugs.length > 0 ? `qcode docs remove ${pending.slugs.map(shellQuote).join(' ')}` : 'the next qcode docs remove or qcode cases remove';
  return `the erasure of the text removed on ${pending.at.slice(0, 10)} is NOT complete: ${DB_FILE} and ${DB_FILE}-wal may still hold it; finish it with: ${again}`;
}

export function closeProject(project: Project): void {
  if (project.db.open) project.db.close();
}

/** A bundled codebook by name, or a file path. */
export function resolveCodebookSource(nameOrFile: string, cwd: string): string {
  const bundled = join(BUNDLED_CODEBOOKS, `${nameOrFile}.yaml`);
  if (!nameOrFile.includes('/') && !nameOrFile.endsWith('.yaml') && !nameOrFile.endsWith('.yml')) {
    if (existsSync(bundled)) return bundled;
    throw new UserError(`no bundled codebook "${nameOrFile}"`, {
      hint: `Bundled: ${bundledCodebookNames().join(', ')}; or pass a file: --codebook ./my-codebook.yaml`,
    });
  }
  return resolve(cwd, nameOrFile);
}

export function bundledCodebookNames(): string[] {
  return ['political-remittances', 'example'].filter((name) => existsSync(join(BUNDLED_CODEBOOKS, `${name}.yaml`)));
}

export interface InitOptions {
  dir?: string | undefined;
  codebook?: string | undefined;
  cwd?: string | undefined;
}

export interface InitReport {
  dir: string;
  dbPath: string;
  codebookPath: string;
  codebook: string;
  codes: number;
}

/**
 * Creates a project folder with qcode.db (mode 0600: it holds participants' words) and codebook.yaml.
 * On any failure nothing that init created is left behind.
 */
export async function initProject(options: InitOptions): Promise<InitReport> {
  const cwd = options.cwd ?? process.cwd();
  const dir = resolve(cwd, options.dir ?? '.');
  const dbPath = join(dir, DB_FILE);
  const codebookPath = join(dir, CODEBOOK_FILE);
  const schemaPath = join(dir, SCHEMA_FILE);
  if (existsSync(dbPath)) throw statSync(dbPath).isDirectory() ? notADatabase(dbPath) : new UserError(`${dir} is already a qcode project (${DB_FILE} exists)`);
  if (existsSync(codebookPath)) {
    throw new UserError(`${codebookPath} already exists`, { hint: 'Move it away, or init another folder' });
  }
  const given = options.codebook ?? DEFAULT_CODEBOOK;
  const source = resolveCodebookSource(given, cwd);
  // Problems are reported in the file as the user named it: the copy in the project is rolled back
  // on failure, so pointing at it would name a file that no longer exists.
  const displayPath = source === resolve(cwd, given) ? given : source;
  const yamlText = readUtf8File(source, 'codebook', CODEBOOK_READ_LIMIT);

  const createdDirs: string[] = [];
  const created: string[] = [];
  try {
    if (!existsSync(dir)) createdDirs.push(...makeFolders(dir));
    else if (!statSync(dir).isDirectory()) throw new UserError(`${dir} is not a folder`);
    accessSync(dir, constants.W_OK);
    closeSync(openSync(dbPath, 'wx', 0o600));
    created.push(dbPath);
    chmodSync(dbPath, 0o600);
    // 0600 as the store: its examples: quote participants.
    writeFileSync(codebookPath, yamlText, { flag: 'wx', mode: 0o600 });
    created.push(codebookPath);
    chmodSync(codebookPath, 0o600);
    if (!existsSync(schemaPath)) {
      writeFileSync(schemaPath, readUtf8File(join(BUNDLED_CODEBOOKS, SCHEMA_FILE), 'JSON schema'), { flag: 'wx' });
      created.push(schemaPath);
    }
    // Loaded here, not at the top: every command opens a project, only init parses a codebook.
    const { applyCodebookFile } = await import('./codebook.js');
    const db = createDatabase(dbPath);
    try {
      const report = applyCodebookFile(db, codebookPath, { dryRun: false, displayPath });
      return { dir, dbPath, codebookPath, codebook: report.codebook.name, codes: report.codebook.codes.length };
    } finally {
      db.close();
    }
  } catch (error) {
    for (const path of [...created].reverse()) {
      for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
    }
    for (const folder of [...createdDirs].reverse()) rmSync(folder, { recursive: true, force: true });
    if (error instanceof UserError) throw error;
    throw fileError(dir, error);
  }
}

/**
 * mkdir -p one level at a time, returning the folders it made (outermost first): Node 20's recursive
 * mkdirSync spins forever on a parent that exists but refuses new entries with ENOENT (/proc, some FUSE
 * mounts), instead of throwing.
 */
function makeFolders(dir: string): string[] {
  const missing: string[] = [];
  for (let path = resolve(dir); !existsSync(path); path = dirname(path)) {
    missing.push(path);
    if (dirname(path) === path) break;
  }
  const made: string[] = [];
  for (const path of missing.reverse()) {
    try {
      mkdirSync(path);
    } catch (error) {
      for (const folder of made.reverse()) rmSync(folder, { recursive: true, force: true });
      const reason = (error as NodeJS.ErrnoException).code === 'ENOTDIR' ? `${dirname(path)} is a file, not a folder` : (error as Error).message;
      throw new UserError(`cannot create the project folder ${dir}: ${reason}`, { hint: 'Choose a folder you can write to' });
    }
    made.push(path);
  }
  return made;
}
