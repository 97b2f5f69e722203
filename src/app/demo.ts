import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../core/errors.js';
import { openDatabase } from '../store/db.js';
import { getMeta, setMeta } from '../store/common.js';
import { closeProject, DB_FILE, initProject, openProject, PACKAGE_ROOT, type Project } from './project.js';

export const DEMO_DIR = 'qcode-demo';
const FIXTURES = join(PACKAGE_ROOT, 'fixtures');
const DEMO_MARK = 'demo';

export interface DemoOptions {
  dir?: string | undefined;
  cwd?: string | undefined;
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
 * end, so a failure leaves nothing half-built; an earlier demo in DIR is replaced, anything else refused.
 */
export async function buildDemo(options: DemoOptions = {}): Promise<DemoReport> {
  const cwd = options.cwd ?? process.cwd();
  const dir = resolve(cwd, options.dir ?? DEMO_DIR);
  const rebuilt = existsSync(dir) && assertReplaceableDemo(dir);
  const staging = join(dirname(dir), `.${basename(dir)}.building-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  const step = options.onStep ?? (() => undefined);
  try {
    step('creating the project with the political-remittances codebook');
    await initProject({ dir: staging, codebook: 'political-remittances' });
    const project = openProject({ project: staging });
    let report: Omit<DemoReport, 'dir' | 'rebuilt'>;
    try {
      report = await fillDemo(project, step);
    } finally {
      closeProject(project);
    }
    if (rebuilt) rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    return { dir, rebuilt, ...report };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
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
  const count = (sql: string): number => (project.db.prepare(sql).get() as { n: number }).n;
  return {
    documents: count('SELECT count(*) AS n FROM documents'),
    segments: count('SELECT count(*) AS n FROM segments'),
    codings: count('SELECT count(*) AS n FROM codings'),
    coders: tagged.coders,
  };
}

/** True when DIR holds an earlier demo (which may be replaced); refuses any other non-empty folder. */
function assertReplaceableDemo(dir: string): boolean {
  const entries = readdirSync(dir);
  if (entries.length === 0) return false;
  if (entries.includes(DB_FILE)) {
    const db = openDatabase(join(dir, DB_FILE));
    try {
      if (getMeta(db, DEMO_MARK) === '1') return true;
    } finally {
      db.close();
    }
  }
  throw new UserError(`${dir} exists and is not a qcode demo project`, { hint: 'Name another folder: qcode demo DIR' });
}
