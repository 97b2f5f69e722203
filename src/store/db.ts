import type BetterSqlite3 from 'better-sqlite3';
import { accessSync, closeSync, constants, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname } from 'node:path';
import { UserError } from '../core/errors.js';
import { shellQuote } from '../core/shell.js';
import { migrateFrom, SCHEMA_VERSION } from './migrations.js';

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
 * Why this user cannot write the store, or undefined. A store that is written needs the file and its
 * folder writable: SQLite keeps its journal (qcode.db-wal, qcode.db-shm) next to the file. Checked up
 * front so the user reads why, not "attempt to write a readonly database" halfway through a command.
 */
function writeProblem(path: string): { reason: string; error: UserError } | undefined {
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
    return {
      reason: fileProblem === 'permission denied' ? 'qcode.db is not writable for you' : `qcode.db ${fileProblem}`,
      error: new UserError(`${path}: ${fileProblem}: qcode needs to read and write the project's store`, {
        hint: 'Ask for write access (chmod u+rw qcode.db), or copy the project to a folder of your own',
      }),
    };
  }
  const dirProblem = problem(dir, constants.W_OK | constants.X_OK);
  if (dirProblem !== undefined) {
    return {
      reason: dirProblem === 'permission denied' ? 'its folder is not writable for you' : `its folder ${dirProblem}`,
      error: new UserError(`${dir}: ${dirProblem}: qcode writes its journal (qcode.db-wal, qcode.db-shm) next to qcode.db in the project folder`, {
        hint: 'Ask for write access to the folder (chmod u+w), or copy the project to a folder of your own',
      }),
    };
  }
  return undefined;
}

/**
 * The project store in use, to name it where SQLite's error names no file (a full disk, a damaged or busy
 * store), and, when this user may not write it, why. Not set by plain read-only opens (merge's copy of the
 * other project): an error of this project's store must never name that copy.
 */
let storeInUse: { path: string; readOnly: string | undefined } | undefined;

export function lastOpenedStore(): string | undefined {
  return storeInUse?.path;
}

/** Why this user may not write the store ("its folder is not writable for you"), or undefined. */
export function whyNotWritable(path: string): string | undefined {
  return writeProblem(path)?.reason;
}

const readOnlyReasons = new WeakMap<Db, string>();

/** Why this user may not write a store that openDatabase opened for reading for that reason (readIfNotWritable), or undefined. */
export function readOnlyReason(db: Db): string | undefined {
  return readOnlyReasons.get(db);
}

/** How long a command waits for another qcode's write before it gives up (SQLITE_BUSY); see openProject's callers. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export interface OpenOptions {
  readonly?: boolean;
  /**
   * A store this user may not write is opened for reading instead of refused: an archived or group-shared
   * project can still be analysed. The first write then fails with SQLITE_READONLY (see readOnlyStoreError).
   */
  readIfNotWritable?: boolean;
  /** busy_timeout: how long to wait for another qcode's write to finish. */
  busyTimeoutMs?: number;
}

/**
 * Opens a project store: WAL for concurrent readers, foreign keys on, a busy timeout so two qcode
 * processes wait for each other instead of failing, and the schema migrated to this version.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  assertSqliteFile(path);
  const readonly = options.readonly ?? false;
  const busyMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (!readonly) {
    const problem = writeProblem(path);
    if (problem !== undefined) {
      if (!options.readIfNotWritable) throw problem.error;
      const db = openForReading(path, problem.reason, busyMs);
      storeInUse = { path, readOnly: problem.reason };
      readOnlyReasons.set(db, problem.reason);
      return db;
    }
  }
  let db: Db;
  try {
    db = new Database(path, { fileMustExist: true, readonly });
  } catch (error) {
    throw damagedStoreError(error, path) ?? new UserError(`cannot open ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    configure(db, path, readonly, busyMs);
    migrate(db, path, readonly);
  } catch (error) {
    db.close();
    throw error;
  }
  if (!readonly) storeInUse = { path, readOnly: undefined };
  return db;
}

/** Beyond this a store is not read into memory (openForReading): Node reads no larger file at once (2 GiB), and memory is the user's. */
const SNAPSHOT_LIMIT = 1024 ** 3;

/**
 * A store this user may read but not write. SQLite reads a WAL store in place only through its -wal and
 * -shm files, and would create them (owned by this user, so that the owner's next write could fail) or,
 * in a folder it may not write, refuse. So:
 * - with qcode.db-wal and qcode.db-shm there (a qcode is writing, or was stopped), SQLite reads it in
 *   place, read-only, coordinating with the writer through them: what it reads is a committed state;
 * - with no qcode.db-wal, qcode.db alone holds every commit: it is read into memory and opened there, and
 *   used only if the file did not change and no -wal appeared meanwhile (a writer that started during
 *   the read), else read again;
 * - qcode.db-wal without qcode.db-shm (a writer's crash, then the -shm deleted): qcode.db alone may be
 *   half-checkpointed and SQLite would have to create the -shm, so it is not read.
 */
function openForReading(path: string, reason: string, busyMs: number): Db {
  for (let attempt = 0; attempt < 5; attempt++) {
    const inPlace = existsSync(`${path}-wal`);
    const db = inPlace ? openInPlace(path, reason) : readIntoMemory(path, reason);
    if (db === undefined) continue;
    try {
      configure(db, path, true, busyMs);
      if (inPlace) migrate(db, path, true, reason);
      else migrateCopy(db, path);
    } catch (error) {
      db.close();
      throw error;
    }
    return db;
  }
  throw new UserError(`${path} is read-only for you (${reason}), and another qcode kept writing it while qcode read it`, {
    hint: 'Run the command again once that qcode has finished',
  });
}

function openInPlace(path: string, reason: string): Db {
  const unreadable = (why: string, cause?: unknown): UserError => new UserError(`${path} is read-only for you (${reason}), and cannot be read safely now: ${why}`, {
    hint: `Ask for write access to the project folder, or have its owner run any qcode command there (which tidies the journal), then try again`,
    cause,
  });
  if (!existsSync(`${path}-shm`)) throw unreadable(`its journal ${basename(path)}-wal is there without ${basename(path)}-shm, which SQLite would have to create`);
  let db: Db;
  try {
    db = new Database(path, { fileMustExist: true, readonly: true });
  } catch (error) {
    throw damagedStoreError(error, path) ?? unreadable((error as Error).message, error);
  }
  try {
    // The first read maps the journal: where that fails (the -shm not readable by this user), say so here.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (error) {
    db.close();
    throw damagedStoreError(error, path) ?? unreadable((error as Error).message, error);
  }
  return db;
}

function readIntoMemory(path: string, reason: string): Db | undefined {
  let image: Buffer;
  try {
    const before = statSync(path, { bigint: true });
    if (before.size > BigInt(SNAPSHOT_LIMIT)) {
      throw new UserError(`${path} is read-only for you (${reason}), and at ${(Number(before.size) / 1024 ** 3).toFixed(1)} GB too large to read without the journal files SQLite would have to create next to it`, {
        hint: 'Ask for write access to the project folder, or copy the project to a folder of your own (cp -r) and use the copy',
      });
    }
    image = readFileSync(path);
    const after = statSync(path, { bigint: true });
    const unchanged = after.size === before.size && after.mtimeNs === before.mtimeNs && after.ctimeNs === before.ctimeNs && after.ino === before.ino;
    if (!unchanged || existsSync(`${path}-wal`)) return undefined;
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw accessError(path, error);
  }
  // Bytes 18 and 19 say "WAL": SQLite would look for the -wal and -shm of a file in memory and fail.
  // As a rollback-journal image it reads the same pages, which are every commit (there is no -wal).
  image[18] = 1;
  image[19] = 1;
  try {
    // Writable so that a store of an older qcode can be migrated: the copy is this process's alone
    // (migrateCopy then makes it read-only).
    return new Database(image);
  } catch (error) {
    throw damagedStoreError(error, path) ?? new UserError(`cannot open ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** Creates a new, empty store with the current schema. */
export function createDatabase(path: string): Db {
  const db = new Database(path);
  configure(db, path, false, DEFAULT_BUSY_TIMEOUT_MS);
  migrate(db, path, false);
  storeInUse = { path, readOnly: undefined };
  return db;
}

function configure(db: Db, path: string, readonly: boolean, busyMs: number): void {
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyMs))}`);
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
    throw damagedStoreError(error, path) ?? new UserError(`cannot use the store ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The in-memory copy of a store this user may only read (readIntoMemory): migrated like any store, since
 * no one else sees it, then made read-only (query_only), so that a command's write fails with
 * SQLITE_READONLY as it would in the file (readOnlyStoreError) instead of vanishing with the copy.
 */
function migrateCopy(db: Db, path: string): void {
  migrate(db, path, false);
  db.pragma('query_only = ON');
}

function migrate(db: Db, path: string, readonly: boolean, readOnlyReason?: string): void {
  let current: number;
  try {
    current = db.pragma('user_version', { simple: true }) as number;
  } catch (error) {
    throw damagedStoreError(error, path) ?? new UserError(`${path} is not a qcode store: ${(error as Error).message}`, { cause: error });
  }
  if (current > SCHEMA_VERSION) {
    throw new UserError(
      `${path} was written by a newer qcode (schema ${current}; this qcode knows up to ${SCHEMA_VERSION})`,
      { hint: 'Upgrade qcode (npm install -g qcode@latest) to open this project.' },
    );
  }
  if (current === SCHEMA_VERSION) return;
  if (readOnlyReason !== undefined) {
    throw new UserError(`${path} is read-only for you (${readOnlyReason}) and was written by an older qcode, so this qcode cannot read it as it is`, {
      hint: 'Ask its owner to run any qcode command that writes there (e.g. qcode codebook apply), or copy the project to a folder of your own (cp -r) and use the copy',
    });
  }
  if (readonly) throw new UserError(`${path} needs a schema upgrade; run any qcode command that writes, e.g. qcode codebook apply`);
  if (current === 0 && hasTables(db)) {
    throw new UserError(`${path} is a SQLite file but not a qcode store`, { hint: 'Create a project with: qcode init DIR' });
  }
  migrateFrom(db, current);
}

function hasTables(db: Db): boolean {
  const row = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
  return row.n > 0;
}

/**
 * A store SQLite finds damaged (a truncated file, a page overwritten: SQLITE_CORRUPT*, SQLITE_NOTADB),
 * at the open or halfway through a command. Its own class, so that a layer that wraps other errors
 * (an export's "cannot write") can pass it on untouched.
 */
export class DamagedStoreError extends UserError {
  /** `then`: what to do once it is restored ("the removal must be done again: …"), said in the hint. */
  constructor(path: string | undefined, cause: unknown, then?: string) {
    const where = path ?? 'the project store';
    super(`${where} is damaged: ${(cause as Error).message}`, {
      hint: `Restore it from a backup (qcode does not repair a store)${then === undefined ? '' : `; ${then}`}; to see what is damaged: sqlite3 ${path === undefined ? 'qcode.db' : shellQuote(path)} 'PRAGMA integrity_check'`,
      cause,
    });
    this.name = 'DamagedStoreError';
  }
}

/** The DamagedStoreError for an error of SQLite's that says the store is damaged, or undefined; `path` defaults to the store in use. */
export function damagedStoreError(error: unknown, path: string | undefined = storeInUse?.path): DamagedStoreError | undefined {
  if (error instanceof DamagedStoreError) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string' || !(code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')) return undefined;
  return new DamagedStoreError(path, error);
}

/**
 * A write refused by SQLite (SQLITE_READONLY): in a store opened for reading because this user may not
 * write it (openDatabase's readIfNotWritable), the command needed to write; SQLite changed nothing.
 */
export function readOnlyStoreError(error: unknown): UserError | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_READONLY') || storeInUse === undefined) return undefined;
  if (storeInUse.readOnly !== undefined && code !== 'SQLITE_READONLY') {
    // SQLITE_READONLY_RECOVERY, _CANTINIT…: a read through a journal this user may not write, not a write.
    return new UserError(`${storeInUse.path} is read-only for you (${storeInUse.readOnly}), and cannot be read safely now: ${(error as Error).message}`, {
      hint: 'Try again once the qcode writing it has finished, or ask for write access to the project folder',
      cause: error,
    });
  }
  if (storeInUse.readOnly !== undefined) return readOnlyProjectError(storeInUse.path, storeInUse.readOnly, error);
  return new UserError(`${storeInUse.path} could not be written: ${(error as Error).message}`, {
    hint: 'Check that you (still) may write the project folder and qcode.db, and that its disk is not mounted read-only',
    cause: error,
  });
}

/** A command that writes, in a project this user may only read: it stops before it changes anything. */
export function readOnlyProjectError(path: string, reason: string, cause?: unknown): UserError {
  return new UserError(`the project ${dirname(path)} is read-only for you (${reason}): this command writes to it; nothing was changed`, {
    hint: 'Ask its owner for write access to the folder and qcode.db, or copy the project to a folder of your own (cp -r) and work on the copy',
    cause,
  });
}

/** The line for SQLITE_BUSY: after the busy timeout, another qcode still holds the store. */
export function busyStoreError(error: unknown): UserError | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY')) return undefined;
  const project = storeInUse === undefined ? 'the project' : `the project ${dirname(storeInUse.path)}`;
  return new UserError(`${project} is busy (another qcode is writing it)`, { hint: 'Try again once it has finished', cause: error });
}
