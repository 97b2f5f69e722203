// The qcode benchmark: npm run bench [-- --size s|m|l|xl] [--runs N] [--out FILE.json] [--keep]
//
// Builds a deterministic synthetic corpus in a temporary folder, runs the built binary on it as a
// user would (a separate process per command), measures floors for the same work in the same run,
// and writes a table to the terminal and every figure to a JSON file. A command that qcode does not
// have (yet) is reported as "not available"; a command that fails is reported as failed. Neither
// stops the run. See docs/performance.md.

import { spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkCooccur, checkStats, type Check } from './cross-check.js';
import { HYPOTHESES } from './codebook.js';
import { CODE_COUNT, CODERS, DEFAULT_SEED, RETRIEVE_CODE, SIZES, tagCsv, writeCodingsCsv, writeCorpus, type Corpus, type Size } from './corpus.js';
import { detectRssSource, median, runOrder, Runner, RSS_SOURCE_TEXT, type Sample } from './measure.js';
import {
  describeMachine, growthAgainst, renderTable, type FigureResult, type FloorResult, type Results, type Unit,
} from './report.js';
import { checkpoint, importDirect, loadCodingsDirect, markAllSeen, readPlacements, sqliteVersion, storeCounts } from './setup-store.js';
import { evaluate, TARGETS, type FigureId } from './targets.js';
import { SEARCH_COMMON, SEARCH_PREFIX, SEARCH_RARE } from './vocabulary.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'qcode.js');
const FLOOR_IMPORT = join(ROOT, 'dist', 'bench', 'floor-import.js');
const FLOOR_SQL = join(ROOT, 'dist', 'bench', 'floor-sql.js');
const SEARCH_LIMIT = 20;
/** A run that takes longer than this is killed and reported as failed, so the benchmark always ends. */
const RUN_TIMEOUT_MS = 60 * 60 * 1000;

type Command = 'version' | 'import' | 'stats' | 'cooccur' | 'agreement' | 'search' | 'retrieve' | 'export all' | 'tag --from';

/** One program for sampleInterleaved; `before` gives extra arguments for a run (e.g. a fresh output folder). */
interface Program {
  name: string;
  file: string;
  args: readonly string[];
  cwd: string;
  before?: ((run: number) => string[] | void) | undefined;
}

interface Measured {
  samples: Sample[];
  outputPath: string;
}

interface Options {
  size: Size;
  runs: number;
  out: string;
  keep: boolean;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      size: { type: 'string', default: 'm' },
      runs: { type: 'string', default: '5' },
      out: { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write('usage: npm run bench [-- --size s|m|l|xl] [--runs N] [--out FILE.json] [--keep]\n');
    process.exit(0);
  }
  const size = values.size as string;
  if (!(size in SIZES)) throw new Error(`--size must be one of ${Object.keys(SIZES).join(', ')} (got ${size})`);
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer (got ${values.runs})`);
  return { size: size as Size, runs, out: resolve(values.out ?? join('.bench', `results-${size}.json`)), keep: values.keep as boolean };
}

const started = Date.now();
function log(message: string): void {
  process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${message}\n`);
}

class Bench {
  readonly runner: Runner;
  readonly env: NodeJS.ProcessEnv;
  readonly results: Results;
  private outputCounter = 0;
  commands = new Set<Command>();

  constructor(
    readonly options: Options,
    readonly work: string,
  ) {
    this.runner = new Runner(detectRssSource(), work);
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
    // The developer's own project and coder must not leak into the measured runs.
    delete env.QCODE_PROJECT;
    delete env.QCODE_CODER;
    this.env = env;
    this.results = {
      schema: 1,
      size: options.size,
      startedAt: new Date(started).toISOString(),
      durationSeconds: 0,
      runs: { fast: options.runs, slow: slowRuns(options) },
      machine: describeMachine(ROOT, sqliteVersion(), RSS_SOURCE_TEXT[this.runner.rssSource]),
      corpus: {},
      setup: { notes: [], steps: {} },
      figures: {},
      floors: {},
      growth: [],
    };
  }

  outputPath(name: string): string {
    mkdirSync(join(this.work, 'out'), { recursive: true });
    return join(this.work, 'out', `${String(this.outputCounter++).padStart(3, '0')}-${name}.txt`);
  }

  /**
   * Runs programs in turn, `runs` times each (after one uncounted warm-up round when runs > 1), in the
   * order A B, then B A, and so on. A figure and its floor then meet the same moments of a noisy
   * machine: measured as two series one after the other, the retrieval floor alone ranged 273–432 ms
   * between runs of the benchmark, and the ratio with it. A program whose run fails is not run again.
   * A null (a command qcode lacks, a floor the machine cannot run) is skipped and answered with null.
   */
  async sampleInterleaved(programs: ReadonlyArray<Program | null>, runs: number, warmUp = true): Promise<Array<Measured | null>> {
    const measured = programs.map((program) => (program === null ? null : { samples: [] as Sample[], outputPath: '', failed: false }));
    const present = programs.flatMap((program, index) => (program === null ? [] : [index]));
    const total = runs + (warmUp && runs > 1 ? 1 : 0);
    for (let run = 0; run < total; run++) {
      for (const index of runOrder(present.length, run).map((position) => present[position] as number)) {
        const program = programs[index] as Program;
        const result = measured[index] as Measured & { failed: boolean };
        if (result.failed) continue;
        const extra = program.before?.(run) ?? [];
        result.outputPath = this.outputPath(program.name);
        const sample = await this.runner.run(program.file, [...program.args, ...extra], { cwd: program.cwd, env: this.env, stdoutPath: result.outputPath, timeoutMs: RUN_TIMEOUT_MS });
        if (sample.exitCode !== 0) {
          result.samples = [sample];
          result.failed = true;
        } else if (run >= total - runs) {
          result.samples.push(sample);
        }
      }
    }
    return measured.map((result) => (result === null ? null : { samples: result.samples, outputPath: result.outputPath }));
  }

  qcode(args: string[], cwd: string): { code: number; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, [BIN, ...args], { cwd, env: this.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
  }

  /** Which of the measured commands this build of qcode has, from its help. */
  detectCommands(): void {
    const help = this.qcode(['--help'], this.work).stdout;
    const names = new Set<string>();
    let inCommands = false;
    for (const line of help.split('\n')) {
      if (/^Commands:/.test(line)) inCommands = true;
      else if (inCommands && /^\S/.test(line)) inCommands = false;
      else if (inCommands) {
        const match = /^ {2}([a-z][\w-]*)/.exec(line);
        if (match) names.add(match[1] as string);
      }
    }
    this.commands.add('version');
    for (const name of ['import', 'stats', 'cooccur', 'agreement', 'search', 'retrieve'] as const) if (names.has(name)) this.commands.add(name);
    if (names.has('export')) this.commands.add('export all');
    if (names.has('tag') && this.qcode(['tag', '--help'], this.work).stdout.includes('--from')) this.commands.add('tag --from');
  }

  figure(id: FigureId, label: string, command: string, unit: Unit, needs: Command): FigureResult {
    const figure: FigureResult = {
      id, label, command, status: 'unavailable', unit, value: null, samples: [], runs: 0, peakRssMb: null, outputBytes: null,
      floor: null, ratio: null, target: TARGETS[id]?.text ?? null, ok: null, check: null, notes: [],
    };
    if (!this.commands.has(needs)) figure.reason = `qcode ${needs} is not available in this build`;
    this.results.figures[id] = figure;
    return figure;
  }

  floor(id: string, label: string, command: string, unit: Unit = 's'): FloorResult {
    const floor: FloorResult = { id, label, command, status: 'unavailable', unit, value: null, samples: [], peakRssMb: null };
    this.results.floors[id] = floor;
    return floor;
  }

  /** Marks a figure failed when its measurement broke down before it could record a run. */
  fail(id: FigureId, message: string): void {
    const figure = this.results.figures[id];
    if (figure && figure.status !== 'unavailable') {
      figure.status = 'failed';
      figure.reason = message;
      figure.ok = null;
    }
  }

  /** Fills a figure or floor from its samples; a failed run marks it failed with the program's message. */
  record(target: FigureResult | FloorResult, measured: Measured, valueOf: (sample: Sample) => number = (sample) => sample.seconds): void {
    const failed = measured.samples.find((sample) => sample.exitCode !== 0);
    if (failed) {
      target.status = 'failed';
      target.reason = `exit ${failed.exitCode}: ${firstLines(failed.stderr)}`;
      return;
    }
    target.status = 'ok';
    delete target.reason;
    target.samples = measured.samples.map(valueOf);
    target.value = median(target.samples);
    const rss = measured.samples.map((sample) => sample.peakRssMb).filter((value): value is number => value !== null);
    target.peakRssMb = rss.length > 0 ? Math.max(...rss) : null;
    if ('runs' in target) {
      target.runs = measured.samples.length;
      target.outputBytes = existsSync(measured.outputPath) ? statSync(measured.outputPath).size : null;
    }
  }

  /** Links a figure to its floor and computes the ratio and the verdict. */
  conclude(figure: FigureResult, floor: FloorResult | null, sizeSPeakMb: number | null = null): void {
    figure.floor = floor;
    figure.ratio = figure.status === 'ok' && floor?.status === 'ok' && floor.value !== null && floor.value > 0 && figure.value !== null ? figure.value / floor.value : null;
    const verdict = evaluate(TARGETS[figure.id], figure, sizeSPeakMb);
    figure.ok = figure.status === 'ok' ? verdict.ok : null;
    if (figure.status === 'ok') figure.notes.push(...verdict.notes);
  }

  async guarded(label: string, step: () => Promise<void>, onError: (message: string) => void): Promise<void> {
    try {
      await step();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`${label}: ${message}`);
      onError(message);
    }
  }
}

function slowRuns(options: Options): number {
  return Math.min(options.runs, options.size === 'xl' ? 1 : 3);
}

function firstLines(text: string): string {
  return text.trim().split('\n').slice(0, 3).join(' | ').slice(0, 400) || '(no message)';
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('qcode is not built: run npm run build first');
  const work = mkdtempSync(join(tmpdir(), `qcode-bench-${options.size}-`));
  const bench = new Bench(options, work);
  const { results } = bench;
  log(`size ${options.size} (${SIZES[options.size]} transcripts), ${options.runs} runs per fast figure, work folder ${work}`);
  try {
    await measureAll(bench);
  } catch (error) {
    results.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
    log(`the benchmark stopped early: ${results.error}`);
  } finally {
    results.durationSeconds = (Date.now() - started) / 1000;
    results.growth = growthAgainst(results, dirname(options.out), SIZES);
    mkdirSync(dirname(options.out), { recursive: true });
    writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`\nqcode benchmark · corpus ${options.size} · ${results.machine.cpu} × ${results.machine.cores} · Node ${results.machine.node} · SQLite ${results.machine.sqlite}\n\n`);
    process.stdout.write(`${renderTable(results)}\n\nResults: ${options.out}\n`);
    if (options.keep) process.stdout.write(`Work folder kept: ${work}\n`);
    else rmSync(work, { recursive: true, force: true });
  }
  return results.error === undefined ? 0 : 1;
}

async function measureAll(bench: Bench): Promise<void> {
  const { results, options, work } = bench;
  const runs = options.runs;
  const slow = slowRuns(options);

  log('writing the corpus');
  const corpus = writeCorpus(join(work, 'corpus'), SIZES[options.size], DEFAULT_SEED);
  results.corpus = {
    seed: corpus.seed,
    documents: corpus.documents.length,
    turns: corpus.turns,
    bytes: corpus.bytes,
    megabytes: corpus.bytes / 1048576,
    cp1251Files: corpus.documents.filter((document) => document.encoding === 'cp1251').length,
    russianDocuments: corpus.documents.filter((document) => document.language === 'ru').length,
    codes: CODE_COUNT,
    hypotheses: Object.keys(HYPOTHESES).length,
    searchCommon: SEARCH_COMMON,
    searchRare: SEARCH_RARE,
    searchPrefix: SEARCH_PREFIX,
    retrieveCode: RETRIEVE_CODE,
  };
  bench.detectCommands();
  log(`commands available: ${[...bench.commands].join(', ') || 'none of the measured ones'}`);

  // Start-up: qcode --version against bare node.
  const nodeStart = bench.floor('node_start', 'bare node start-up', 'node -e 0');
  const version = bench.figure('version', 'qcode --version', 'node bin/qcode.js --version', 's', 'version');
  const [nodeRuns, versionRuns] = await bench.sampleInterleaved([
    { name: 'node-e-0', file: process.execPath, args: ['-e', '0'], cwd: work },
    { name: 'version', file: process.execPath, args: [BIN, '--version'], cwd: work },
  ], runs);
  if (nodeRuns) bench.record(nodeStart, nodeRuns);
  if (versionRuns) bench.record(version, versionRuns);
  bench.conclude(version, nodeStart);

  const project = await measureImport(bench, corpus, slow);
  const dbPath = join(project, 'qcode.db');

  await bench.guarded('loading the codings', () => loadCodings(bench, corpus, project, dbPath), (message) => {
    results.setup.notes.push(`loading the codings failed: ${message}`);
  });
  checkpoint(dbPath);
  const counts = storeCounts(dbPath);
  Object.assign(results.corpus, { storedDocuments: counts.documents, segments: counts.segments, codings: counts.codings, coders: counts.coders, seen: counts.seen });
  log(`store: ${counts.documents} documents, ${counts.segments} segments, ${counts.codings} codings, ${counts.seen} seen`);

  type FloorSpec = { id: string; label: string; args: string[]; check?: (qcodeOutput: string, floorOutput: string) => Check };
  const fast = async (id: FigureId, label: string, command: Command, args: string[], floorSpec: FloorSpec | null): Promise<void> => {
    const figure = bench.figure(id, label, `qcode ${args.join(' ')}`, 's', command);
    const floor = floorSpec === null ? null : bench.floor(floorSpec.id, floorSpec.label, `node dist/bench/floor-sql.js qcode.db ${floorSpec.args.join(' ')}`);
    const available = bench.commands.has(command);
    if (available) log(`measuring ${label}`);
    await bench.guarded(label, async () => {
      const [qcodeRuns, floorRuns] = await bench.sampleInterleaved([
        available ? { name: id, file: process.execPath, args: [BIN, ...args], cwd: project } : null,
        floorSpec === null ? null : { name: floorSpec.id, file: process.execPath, args: [FLOOR_SQL, dbPath, ...floorSpec.args], cwd: project },
      ], runs);
      if (qcodeRuns) bench.record(figure, qcodeRuns);
      if (floor !== null && floorRuns) bench.record(floor, floorRuns);
      if (floorSpec?.check && qcodeRuns && floorRuns && figure.status === 'ok' && floor?.status === 'ok') {
        figure.check = floorSpec.check(qcodeRuns.outputPath, floorRuns.outputPath);
      }
    }, (message) => {
      if (available) {
        figure.status = 'failed';
        figure.reason = message;
      }
    });
    bench.conclude(figure, floor);
    if (figure.check?.agrees === false) {
      // A fast wrong answer is no result: the figure fails whatever its time.
      figure.ok = false;
      figure.notes.push(figure.check.detail);
    }
  };

  await fast('stats', 'qcode stats --json', 'stats', ['stats', '--json'], { id: 'sql_stats', label: 'hand SQL: segments per code, counted from the codings', args: ['stats'], check: checkStats });
  await fast('cooccur', 'cooccur --hypothesis all', 'cooccur', ['cooccur', '--hypothesis', 'all', '--json'], { id: 'sql_cooccur', label: 'hand SQL: all hypothesis tables', args: ['cooccur'], check: checkCooccur });
  await fast('retrieve', `retrieve --code ${RETRIEVE_CODE}`, 'retrieve', ['retrieve', '--code', RETRIEVE_CODE], { id: 'sql_retrieve', label: 'hand SQL: passages of one code', args: ['retrieve', RETRIEVE_CODE] });
  await fast('agreement', `agreement --coders ${CODERS[0]},${CODERS[1]}`, 'agreement', ['agreement', '--coders', `${CODERS[0]},${CODERS[1]}`], null);
  for (const [id, word, kind] of [['search_common', SEARCH_COMMON, 'common word'], ['search_rare', SEARCH_RARE, 'rare word'], ['search_prefix', SEARCH_PREFIX, 'prefix']] as const) {
    await fast(id, `search, ${kind} (${word})`, 'search', ['search', word, '--limit', String(SEARCH_LIMIT)], { id: `sql_${id}`, label: `hand SQL: FTS5 ${kind}`, args: ['search', word, String(SEARCH_LIMIT)] });
  }
  await bench.guarded('export all', () => measureExport(bench, project, dbPath, slow), (message) => bench.fail('export_all', message));
  await bench.guarded('tag --from', () => measureTag(bench, corpus, project, slow), (message) => bench.fail('tag_from', message));
}

/** Imports the corpus into fresh projects (`slow` times) and measures the insert floor; returns the project to measure the rest on. */
async function measureImport(bench: Bench, corpus: Corpus, slow: number): Promise<string> {
  const { results, work } = bench;
  const newProject = (name: string): string => {
    const dir = join(work, name);
    const init = bench.qcode(['init', dir, '--codebook', corpus.codebookPath], work);
    if (init.code !== 0) throw new Error(`qcode init failed: ${firstLines(init.stderr)}`);
    return dir;
  };
  const command = 'qcode import transcripts --manifest transcripts/manifest.csv';
  const seconds = bench.figure('import_seconds', 'import, whole corpus', command, 's', 'import');
  const megabytes = bench.figure('import_mb_per_s', 'import throughput (MB/s)', command, 'MB/s', 'import');
  const documents = bench.figure('import_docs_per_s', 'import throughput (documents/s)', command, 'docs/s', 'import');
  const rss = bench.figure('import_peak_rss', 'import peak RSS', command, 'MB', 'import');

  let project: string | null = null;
  if (bench.commands.has('import')) {
    log(`importing ${corpus.documents.length} transcripts (${slow} run${slow > 1 ? 's' : ''})`);
    const samples: Sample[] = [];
    let outputPath = '';
    for (let run = 0; run < slow; run++) {
      if (project !== null) rmSync(project, { recursive: true, force: true });
      project = newProject(`project-${run}`);
      outputPath = bench.outputPath('import');
      const sample = await bench.runner.run(process.execPath, [BIN, 'import', corpus.transcriptsDir, '--manifest', corpus.manifestPath], {
        cwd: project, env: bench.env, stdoutPath: outputPath, timeoutMs: RUN_TIMEOUT_MS,
      });
      samples.push(sample);
      if (sample.exitCode !== 0) break;
    }
    bench.record(seconds, { samples, outputPath });
    if (seconds.status === 'ok' && seconds.value !== null) {
      for (const [figure, valueOf] of [
        [megabytes, (sample: Sample) => corpus.bytes / 1048576 / sample.seconds],
        [documents, (sample: Sample) => corpus.documents.length / sample.seconds],
        [rss, (sample: Sample) => sample.peakRssMb ?? Number.NaN],
      ] as const) {
        bench.record(figure, { samples, outputPath }, valueOf);
      }
      if (rss.value === null || Number.isNaN(rss.value)) {
        rss.status = 'unavailable';
        rss.value = null;
        rss.reason = 'peak RSS could not be measured on this system';
      }
    } else {
      for (const figure of [megabytes, documents, rss]) {
        figure.status = seconds.status;
        if (seconds.reason !== undefined) figure.reason = seconds.reason;
      }
      // A failed import still leaves the other figures worth measuring, on a store filled directly.
      results.setup.notes.push(`qcode import failed (${seconds.reason}); the corpus was put into the store directly so that the other figures could be measured`);
      if (project !== null) rmSync(project, { recursive: true, force: true });
      project = null;
    }
  }
  if (project === null) {
    project = newProject('project-direct');
    if (!bench.commands.has('import')) results.setup.notes.push('qcode import is not available: the corpus was put into the store directly (as the insert floor does) so that the other figures could be measured');
    importDirect(join(project, 'qcode.db'), join(work, 'corpus'));
  }

  log('measuring the insert floor');
  const floor = bench.floor('import_insert', 'insert floor (better-sqlite3, same schema and FTS)', 'node dist/bench/floor-import.js corpus floor.db');
  const floorSamples: Sample[] = [];
  const floorValues: number[] = [];
  for (let run = 0; run < slow; run++) {
    const dbPath = join(work, `floor-${run}.db`);
    const outputPath = bench.outputPath('floor-import');
    const sample = await bench.runner.run(process.execPath, [FLOOR_IMPORT, join(work, 'corpus'), dbPath], { cwd: work, env: bench.env, stdoutPath: outputPath, timeoutMs: RUN_TIMEOUT_MS });
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbPath}${suffix}`, { force: true });
    floorSamples.push(sample);
    if (sample.exitCode !== 0) break;
    floorValues.push((JSON.parse(readFileSync(outputPath, 'utf8')) as { insertSeconds: number }).insertSeconds);
  }
  bench.record(floor, { samples: floorSamples, outputPath: '' });
  if (floor.status === 'ok') {
    floor.samples = floorValues;
    floor.value = median(floorValues);
  }
  const sizeS = sizeSPeakRss(bench.options.out, bench.options.size, rss.value);
  bench.conclude(seconds, floor);
  bench.conclude(megabytes, null);
  bench.conclude(documents, null);
  bench.conclude(rss, null, sizeS);
  return project;
}

/** The import's peak RSS on corpus s: from this run at size s, else from results-s.json beside the output. */
function sizeSPeakRss(out: string, size: Size, current: number | null): number | null {
  if (size === 's') return current;
  const path = join(dirname(out), 'results-s.json');
  if (!existsSync(path)) return null;
  try {
    const previous = JSON.parse(readFileSync(path, 'utf8')) as Results;
    return previous.figures.import_peak_rss?.value ?? null;
  } catch {
    return null;
  }
}

/** Loads the codings of coders A, B and C: through qcode tag --from when it exists, else directly. */
async function loadCodings(bench: Bench, corpus: Corpus, project: string, dbPath: string): Promise<void> {
  const { results } = bench;
  const placement = readPlacements(dbPath, corpus);
  if (placement.warnings.length > 0) {
    results.setup.notes.push(`segmentation differs from the corpus's speaker turns in ${placement.warnings.length} documents, e.g. ${placement.warnings.slice(0, 3).join('; ')}`);
  }
  const { files, rows } = await writeCodingsCsv(corpus.dir, corpus, placement.placements);
  results.setup.steps.codingsCsvRows = rows;
  results.setup.steps.codingsCsvFiles = files.length;
  const tag = tagCsv(corpus, placement.placements);
  writeFileSync(join(corpus.dir, 'tag-100k.csv'), tag.csv);
  results.setup.steps.tagCsvRows = tag.rows;

  let loaded = false;
  if (bench.commands.has('tag --from')) {
    log(`loading ${rows} codings with qcode tag --from (${files.length} file${files.length === 1 ? '' : 's'})`);
    let seconds = 0;
    let peakRssMb: number | null = null;
    loaded = true;
    for (const [index, file] of files.entries()) {
      const sample = await bench.runner.run(process.execPath, [BIN, 'tag', '--from', file], { cwd: project, env: bench.env, stdoutPath: bench.outputPath('tag-all'), timeoutMs: RUN_TIMEOUT_MS });
      if (sample.exitCode !== 0) {
        const message = `qcode tag --from ${basename(file)} failed (exit ${sample.exitCode}: ${firstLines(sample.stderr)})`;
        // The files before it are in the store: inserting every coding directly would collide with them.
        if (index > 0) throw new Error(message);
        results.setup.notes.push(`${message}; the codings were inserted directly`);
        loaded = false;
        break;
      }
      seconds += sample.seconds;
      if (sample.peakRssMb !== null) peakRssMb = Math.max(peakRssMb ?? 0, sample.peakRssMb);
    }
    if (loaded) {
      results.setup.steps.tagFromAllSeconds = seconds;
      if (peakRssMb !== null) results.setup.steps.tagFromAllPeakRssMb = peakRssMb;
    }
  } else {
    results.setup.notes.push('qcode tag --from is not available: the codings were inserted directly');
  }
  if (!loaded) {
    log(`inserting ${rows} codings directly`);
    results.setup.steps.directCodings = loadCodingsDirect(dbPath, corpus, placement.placements);
  }
  results.setup.steps.seenAdded = markAllSeen(dbPath);
}

async function measureExport(bench: Bench, project: string, dbPath: string, slow: number): Promise<void> {
  const { work } = bench;
  const figure = bench.figure('export_all', 'export all', 'qcode export all --out DIR', 's', 'export all');
  const floor = bench.floor('sqlite3_dump', 'sqlite3 -csv dump of the codings', 'sqlite3 -csv -header qcode.db "SELECT … codings joined as codings.csv"');
  const available = bench.commands.has('export all');
  const dumpAvailable = bench.results.machine.sqlite3Cli !== null;
  if (!dumpAvailable) floor.reason = 'the sqlite3 command-line shell is not installed (apt-get install sqlite3)';
  if (available) log('measuring export all');
  const [exportRuns, dumpRuns] = await bench.sampleInterleaved([
    available ? {
      name: 'export-all', file: process.execPath, args: [BIN, 'export', 'all'], cwd: project,
      before: (run) => {
        const out = join(work, `export-${run}`);
        rmSync(out, { recursive: true, force: true });
        return ['--out', out];
      },
    } : null,
    dumpAvailable ? { name: 'sqlite3-dump', file: 'sqlite3', args: ['-csv', '-header', dbPath, CODINGS_DUMP_SQL], cwd: project } : null,
  ], slow, false);
  if (exportRuns) {
    bench.record(figure, exportRuns);
    for (let run = 0; run < slow; run++) rmSync(join(work, `export-${run}`), { recursive: true, force: true });
  }
  if (dumpRuns) bench.record(floor, dumpRuns);
  bench.conclude(figure, floor);
}

/**
 * The rows of codings.csv as qcode export writes them (issue 5), straight from the store, in segment
 * order: reading codings through their (segment, code, coder) index needs no sort.
 */
const CODINGS_DUMP_SQL = `
SELECT d.slug AS document, d.case_id AS "case", s.ordinal AS segment, s.speaker, k.start, k."end",
       k.code_id AS code, c.dimension_id AS dimension, c.label, r.name AS coder, k.created_at, s.text
FROM codings k
JOIN segments s ON s.id = k.segment_id
JOIN documents d ON d.id = s.document_id
JOIN codes c ON c.id = k.code_id
JOIN coders r ON r.id = k.coder_id
ORDER BY k.segment_id, k.code_id, k.coder_id`;

function flushFolder(dir: string): void {
  for (const name of readdirSync(dir)) {
    const fd = openSync(join(dir, name), 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

async function measureTag(bench: Bench, corpus: Corpus, project: string, slow: number): Promise<void> {
  const { work } = bench;
  const figure = bench.figure('tag_from', 'tag --from, 100,000 rows', 'qcode tag --from tag-100k.csv (on a fresh copy of the project)', 's', 'tag --from');
  if (!bench.commands.has('tag --from')) return;
  log('measuring tag --from with 100,000 rows');
  const csv = join(corpus.dir, 'tag-100k.csv');
  const samples: Sample[] = [];
  let outputPath = '';
  for (let run = 0; run < slow; run++) {
    const copy = join(work, `tag-copy-${run}`);
    cpSync(project, copy, { recursive: true });
    // The copy is setup, not the figure: flushed to disk first, or the store's first fsync would pay for it.
    flushFolder(copy);
    outputPath = bench.outputPath('tag-100k');
    const sample = await bench.runner.run(process.execPath, [BIN, 'tag', '--from', csv], { cwd: copy, env: bench.env, stdoutPath: outputPath, timeoutMs: RUN_TIMEOUT_MS });
    rmSync(copy, { recursive: true, force: true });
    samples.push(sample);
    if (sample.exitCode !== 0) break;
  }
  bench.record(figure, { samples, outputPath });
  bench.conclude(figure, null);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
