import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { plural } from '../core/codebook-plan.js';
import { UserError } from '../core/errors.js';
import { openDatabase, readOnlyProjectError, whyNotWritable, type Db } from '../store/db.js';
import { loadProjectCodebook } from '../store/codebook.js';
import { getMeta, setMeta } from '../store/common.js';
import { closeProject, CODEBOOK_FILE, DB_FILE, initProject, openProject, PACKAGE_ROOT, SCHEMA_FILE, type Project } from './project.js';

export const DEMO_DIR = 'qcode-demo';
const FIXTURES = join(PACKAGE_ROOT, 'fixtures');
const DEMO_MARK = 'demo';
/** meta key: what the demo's store and codebook.yaml were when it was built (see fingerprint). */
const DEMO_FINGERPRINT = 'demo_fingerprint';
/** Everything `qcode demo` writes into its folder: nothing else there is ever removed. */
const DEMO_FILES = [DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`, CODEBOOK_FILE, SCHEMA_FILE];

export interface DemoOptions {
  dir?: string | undefined;
  cwd?: string | undefined;
  /** The label language the tables will be printed in: checked before anything is built. */
  language?: string | undefined;
  /** Told about each step, for progress on the terminal. */
  onStep?: ((step: string) => void) | undefined;
}

export interface DemoReport {
  dir: string;
  documents: number;
  segments: number;
  codings: number;
  coders: string[];
  rebuilt: boolean;
}

/**
 * Builds the demo project from fixtures/: the interviews with their manifest, the web pages, the survey
 * and the two coders' codings. It is built in a temporary folder beside DIR and moved into place at the
 * end, so a failure leaves nothing half-built. An earlier demo in DIR is replaced only while it is as it
 * was built (its store and codebook.yaml unchanged, no other file in the folder): the README sends users
 * into that folder to try commands, and what they made there is theirs.
 */
export async function buildDemo(options: DemoOptions = {}): Promise<DemoReport> {
  const cwd = options.cwd ?? process.cwd();
  const dir = resolve(cwd, options.dir ?? DEMO_DIR);
  // A project this user may only read: said before SQLite refuses to open it for the check below.
  const readOnly = existsSync(join(dir, DB_FILE)) ? whyNotWritable(join(dir, DB_FILE)) : undefined;
  if (readOnly !== undefined) throw readOnlyProjectError(join(dir, DB_FILE), readOnly);
  const rebuilt = existsSync(dir) && assertReplaceableDemo(dir);
  assertCanBuildBeside(dir);
  const staging = join(dirname(dir), `.${basename(dir)}.building-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  const step = options.onStep ?? (() => undefined);
  try {
    step('creating the project with the political-remittances codebook');
    await initProject({ dir: staging, codebook: 'political-remittances' });
    const project = openProject({ project: staging });
    let report: Omit<DemoReport, 'dir' | 'rebuilt'>;
    try {
      // Refused here, as stats refuses it, before the import and before an earlier demo is replaced.
      if (options.language !== undefined) {
        const { checkLanguage } = await import('./analysis.js');
        checkLanguage(loadProjectCodebook(project.db), options.language);
      }
      report = await fillDemo(project, step);
    } finally {
      closeProject(project);
    }
    if (rebuilt) {
      // Checked again: the first check was before the build, and the folder may have changed since.
      assertReplaceableDemo(dir);
      replaceDemoFiles(staging, dir);
    } else renameSync(staging, dir);
    return { dir, rebuilt, ...report };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

/** The demo is built beside DIR: a parent folder this user cannot write or enter is said as such, not as an EACCES on the staging folder. */
function assertCanBuildBeside(dir: string): void {
  let parent = dirname(dir);
  // existsSync is false below a folder one cannot enter, so the walk stops at that folder and names it.
  while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
  try {
    accessSync(parent, constants.W_OK | constants.X_OK);
  } catch {
    throw new UserError(`cannot build the demo in ${dir}: you may not write to ${parent}`, { hint: 'Choose a folder you can write to: qcode demo DIR' });
  }
}

async function fillDemo(project: Project, step: (step: string) => void): Promise<Omit<DemoReport, 'dir' | 'rebuilt'>> {
  const { importPaths } = await import('./import.js');
  const { tagFromCsv } = await import('./tag-csv.js');
  const mustSucceed = (what: string, report: { totals: { failed: number }; files: Array<{ file: string; message: string | null }> }): void => {
    const failed = report.files.find((file) => file.message !== null && report.totals.failed > 0);
    if (report.totals.failed > 0) throw new UserError(`demo: importing ${what} failed: ${failed?.message ?? 'see qcode import'}`);
  };
  step('importing 16 interviews (txt, md, docx, vtt, srt; UTF-8, UTF-16, Windows-1251, KOI8-R) with their manifest');
  const interviews = join(FIXTURES, 'interviews');
  mustSucceed('the interviews', await importPaths(project, [], { manifest: join(interviews, 'manifest.csv'), kind: 'interview' }));
  step('importing two web pages');
  mustSucceed('the web pages', await importPaths(project, [join(FIXTURES, 'web')], { kind: 'web' }));
  step('importing the survey (30 respondents, 3 open questions)');
  mustSucceed('the survey', await importPaths(project, [join(FIXTURES, 'survey', 'survey.csv')], {
    kind: 'survey',
    idColumn: 'respondent_id',
    textColumns: ['q1_activities', 'q2_networks', 'q3_remittances'],
    attributeColumns: ['host_country', 'emigration_year', 'activism_in_russia', 'gender', 'age_band'],
  }));
  step('applying the codings of two coders (anna, mikhail)');
  const tagged = await tagFromCsv(project, { file: join(FIXTURES, 'codings', 'demo-codings.csv') });
  setMeta(project.db, DEMO_MARK, '1');
  setMeta(project.db, DEMO_FINGERPRINT, JSON.stringify(fingerprint(project.db, project.codebookPath)));
  const count = (sql: string): number => (project.db.prepare(sql).get() as { n: number }).n;
  return {
    documents: count('SELECT count(*) AS n FROM documents'),
    segments: count('SELECT count(*) AS n FROM segments'),
    codings: count('SELECT count(*) AS n FROM codings'),
    coders: tagged.coders,
  };
}

interface Fingerprint {
  /** sha256 of every row of every table but meta (and the full-text index, which follows segments). */
  store: string;
  codebook: string;
  /** Rows per table, to say what changed. */
  counts: Record<string, number>;
}

function fingerprint(db: Db, codebookPath: string): Fingerprint {
  const tables = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name").all() as Array<{ name: string; sql: string | null }>;
  const virtual = tables.filter((table) => /^CREATE VIRTUAL/i.test(table.sql ?? '')).map((table) => table.name);
  const hash = createHash('sha256');
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    if (name === 'meta' || virtual.some((table) => name === table || name.startsWith(`${table}_`))) continue;
    const rows = (db.prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"`).raw().all() as unknown[][]).map((row) => JSON.stringify(row)).sort();
    counts[name] = rows.length;
    hash.update(`${name}\n${rows.join('\n')}\n`);
  }
  return { store: hash.digest('hex'), codebook: fileSha(codebookPath), counts };
}

function fileSha(path: string): string {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return '';
  }
}

/** What of a store's rows is new or gone since the demo was built, in words: "1 document, 1 memo". */
function storeChanges(before: Record<string, number>, after: Record<string, number>): string[] {
  const words: Record<string, string> = { documents: 'document', memos: 'memo', codings: 'coding', cases: 'case', codes: 'code', coders: 'coder' };
  const changes: string[] = [];
  for (const [table, word] of Object.entries(words)) {
    const delta = (after[table] ?? 0) - (before[table] ?? 0);
    if (delta > 0) changes.push(plural(delta, word));
    else if (delta < 0) changes.push(`${plural(-delta, word)} removed`);
  }
  return changes.length > 0 ? changes : ['changes to the store'];
}

/**
 * True when DIR holds an earlier demo as it was built (which may be replaced); false for an empty
 * folder; refuses anything else, naming what is in the way.
 */
function assertReplaceableDemo(dir: string): boolean {
  const entries = readdirSync(dir);
  if (entries.length === 0) return false;
  let built: Fingerprint | undefined;
  let now: Fingerprint | undefined;
  if (entries.includes(DB_FILE)) {
    const db = openDatabase(join(dir, DB_FILE), { readonly: true });
    try {
      if (getMeta(db, DEMO_MARK) === '1') {
        const recorded = getMeta(db, DEMO_FINGERPRINT);
        if (recorded === undefined) {
          throw new UserError(`${dir} holds a demo built by an earlier qcode, which cannot tell whether it holds work of yours: nothing was replaced`, {
            hint: `Build the demo in another folder (qcode demo DIR), or remove ${dir} yourself if nothing in it is yours`,
          });
        }
        built = JSON.parse(recorded) as Fingerprint;
        now = fingerprint(db, join(dir, CODEBOOK_FILE));
      }
    } finally {
      db.close();
    }
  }
  if (built === undefined || now === undefined) {
    throw new UserError(`${dir} exists and is not a qcode demo project`, { hint: 'Name another folder: qcode demo DIR' });
  }
  const inTheWay = entries.filter((name) => !DEMO_FILES.includes(name)).sort()
    .map((name) => (isFolder(join(dir, name)) ? `${name}/` : name));
  if (now.codebook !== built.codebook) inTheWay.push(`edits to ${CODEBOOK_FILE}`);
  if (now.store !== built.store) inTheWay.push(...storeChanges(built.counts, now.counts));
  if (inTheWay.length > 0) {
    throw new UserError(`${dir} holds work that is not the demo's (${inTheWay.join(', ')}): nothing was replaced`, {
      hint: 'Build the demo in another folder (qcode demo DIR), or move that work out first',
    });
  }
  return true;
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Moves the new demo's files over the old one's, one by one: the folder itself stays (a shell may be
 * inside it), and the old store's journal goes first so that it is never read against the new store.
 */
function replaceDemoFiles(staging: string, dir: string): void {
  for (const suffix of ['-wal', '-shm']) rmSync(join(dir, DB_FILE + suffix), { force: true });
  const built = readdirSync(staging);
  for (const name of DEMO_FILES) if (!built.includes(name)) rmSync(join(dir, name), { force: true });
  for (const name of built) renameSync(join(staging, name), join(dir, name));
  rmdirSync(staging);
}
