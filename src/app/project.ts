import { chmodSync, closeSync, existsSync, mkdirSync, openSync, rmSync, statSync, writeFileSync, accessSync, constants } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../core/errors.js';
import { createDatabase, openDatabase, type Db } from '../store/db.js';
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
}

export interface ProjectOptions {
  /** --project DIR */
  project?: string | undefined;
  cwd?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  readonly?: boolean | undefined;
}

/** Finds the project as git finds a repository: --project, else QCODE_PROJECT, else the nearest ancestor holding qcode.db. */
export function findProjectDir(options: ProjectOptions): string {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const explicit = options.project ?? (env.QCODE_PROJECT ? env.QCODE_PROJECT : undefined);
  if (explicit !== undefined) {
    const dir = resolve(cwd, explicit);
    if (!existsSync(join(dir, DB_FILE))) {
      throw new UserError(`no qcode project in ${dir} (no ${DB_FILE})`, { hint: `Create one with: qcode init ${explicit}` });
    }
    return dir;
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, DB_FILE))) return dir;
    if (dirname(dir) === dir) break;
  }
  throw new UserError(`not inside a qcode project (no ${DB_FILE} here or in any parent folder)`, {
    hint: 'Create one with: qcode init DIR, or name one with --project DIR',
  });
}

export function openProject(options: ProjectOptions): Project {
  const dir = findProjectDir(options);
  const dbPath = join(dir, DB_FILE);
  const db = openDatabase(dbPath, { readonly: options.readonly ?? false });
  return { dir, dbPath, codebookPath: join(dir, CODEBOOK_FILE), db };
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
  if (existsSync(dbPath)) throw new UserError(`${dir} is already a qcode project (${DB_FILE} exists)`);
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
    writeFileSync(codebookPath, yamlText, { flag: 'wx' });
    created.push(codebookPath);
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
