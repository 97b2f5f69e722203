import type BetterSqlite3 from 'better-sqlite3';
import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { UserError } from '../core/errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';

// Required, not imported: a CommonJS module imported from ESM starts Node's export lexer (see cli/commander.ts).
const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;

export type Db = BetterSqlite3.Database;

const SQLITE_HEADER = 'SQLite format 3\u0000';

/**
 * Fails unless the file starts with SQLite's magic header, so a stray file is never "migrated". An
 * empty file is refused too: SQLite would quietly make it a new, empty store without a codebook.
 */
function assertSqliteFile(path: string): void {
  const header = Buffer.alloc(16);
  let size: number;
  try {
    size = statSync(path).size;
    if (size > 0) {
      const fd = openSync(path, 'r');
      try {
        readSync(fd, header, 0, 16, 0);
      } finally {
        closeSync(fd);
      }
    }
  } catch (error) {
    throw accessError(path, error);
  }
  if (size === 0) {
    throw new UserError(`${path} is empty (0 bytes), not a qcode store`, {
      hint: 'Restore it from a backup, or remove it and create the project anew with: qcode init DIR',
    });
  }
  if (header.toString('latin1') !== SQLITE_HEADER) {
    throw new UserError(`${path} is not a qcode store (not a SQLite file)`, {
      hint: 'Restore it from a backup, or create a new project with: qcode init DIR',
    });
  }
}

function accessError(path: string, error: unknown): UserError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') {
    return new UserError(`${path}: permission denied`, { hint: 'Ask for read and write access to the project (chmod u+rw qcode.db)', cause: error });
  }
  return new UserError(`cannot open ${path}: ${(error as Error).message}`, { cause: error });
}

/**
 * A store that is written needs the file and its folder writable: SQLite keeps its journal
 * (qcode.db-wal, qcode.db-shm) next to the file. Checked up front so the user reads why, not
 * "attempt to write a readonly database" halfway through a command.
 */
function assertWritable(path: string): void {
  const dir = dirname(path);
  const problem = (target: string, mode: number): string | undefined => {
    try {
      accessSync(target, mode);
      return undefined;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === 'EROFS' ? 'is on a read-only file system' : 'permission denied';
    }
  };
  const fileProblem = problem(path, constants.R_OK | constants.W_OK);
  if (fileProblem !== undefined) {
    throw new UserError(`${path}: ${fileProblem}: qcode needs to read and write the project's store`, {
      hint: 'Ask for write access (chmod u+rw qcode.db), or copy the project to a folder of your own',
    });
  }
  const dirProblem = problem(dir, constants.W_OK | constants.X_OK);
  if (dirProblem !== undefined) {
    throw new UserError(`${dir}: ${dirProblem}: qcode writes its journal (qcode.db-wal, qcode.db-shm) next to qcode.db in the project folder`, {
      hint: 'Ask for write access to the folder (chmod u+w), or copy the project to a folder of your own',
    });
  }
}

/** The store last opened for writing, to name it when the disk fills (SQLite's error names no file). */
let storeInUse: string | undefined;

export function lastOpenedStore(): string | undefined {
  return storeInUse;
}

export interface OpenOptions {
  readonly?: boolean;
}

/**
 * Opens a project store: WAL for concurrent readers, foreign keys on, a busy timeout so two qcode
 * processes wait for each other instead of failing, and the schema migrated to this version.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  assertSqliteFile(path);
  if (!options.readonly) assertWritable(path);
  let db: Db;
  try {
    db = new Database(path, { fileMustExist: true, readonly: options.readonly ?? false });
  } catch (error) {
    throw new UserError(`cannot open ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    configure(db, options.readonly ?? false);
    migrate(db, path, options.readonly ?? false);
  } catch (error) {
    db.close();
    throw error;
  }
  if (!options.readonly) storeInUse = path;
  return db;
}

/** Creates a new, empty store with the current schema. */
export function createDatabase(path: string): Db {
  const db = new Database(path);
  configure(db, false);
  migrate(db, path, false);
  storeInUse = path;
  return db;
}

function configure(db: Db, readonly: boolean): void {
  try {
    db.pragma('busy_timeout = 5000');
    if (!readonly) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    db.pragma('cache_size = -65536');
    db.pragma('temp_store = MEMORY');
    // Tests only: a store that fills after this many more pages, as a full disk would (SQLITE_FULL).
    const spare = process.env.QCODE_TEST_SPARE_PAGES;
    if (!readonly && spare !== undefined && /^\d+$/.test(spare)) {
      const pages = db.pragma('page_count', { simple: true }) as number;
      db.pragma(`max_page_count = ${pages + Number(spare)}`);
    }
  } catch (error) {
    throw new UserError(`cannot use the store: ${(error as Error).message}`, { cause: error });
  }
}

function migrate(db: Db, path: string, readonly: boolean): void {
  let current: number;
  try {
    current = db.pragma('user_version', { simple: true }) as number;
  } catch (error) {
    throw new UserError(`${path} is not a qcode store: ${(error as Error).message}`, { cause: error });
  }
  if (current > SCHEMA_VERSION) {
    throw new UserError(
      `${path} was written by a newer qcode (schema ${current}; this qcode knows up to ${SCHEMA_VERSION})`,
      { hint: 'Upgrade qcode (npm install -g qcode@latest) to open this project.' },
    );
  }
  if (current === SCHEMA_VERSION) return;
  if (readonly) throw new UserError(`${path} needs a schema upgrade; run any qcode command that writes, e.g. qcode codebook apply`);
  if (current === 0 && hasTables(db)) {
    throw new UserError(`${path} is a SQLite file but not a qcode store`, { hint: 'Create a project with: qcode init DIR' });
  }
  const upgrade = db.transaction(() => {
    for (let version = current; version < SCHEMA_VERSION; version++) {
      db.exec(MIGRATIONS[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    }
  });
  upgrade.immediate();
}

function hasTables(db: Db): boolean {
  const row = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
  return row.n > 0;
}
