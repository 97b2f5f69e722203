import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, freemem, totalmem, platform, release, availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Check } from './cross-check.js';
import { GROWTH_TARGET, type FigureId } from './targets.js';

// The benchmark's results: their JSON shape, the machine they were measured on, the terminal table,
// and the growth of each figure across the corpus sizes measured so far.

export type Status = 'ok' | 'unavailable' | 'failed';
export type Unit = 's' | 'MB/s' | 'docs/s' | 'MB';

export interface FloorResult {
  id: string;
  label: string;
  command: string;
  status: Status;
  reason?: string;
  unit: Unit;
  /** Median of the samples (for the import floor: the insert time measured inside the floor script). */
  value: number | null;
  samples: number[];
  peakRssMb: number | null;
}

export interface FigureResult {
  id: FigureId;
  label: string;
  command: string;
  status: Status;
  reason?: string;
  unit: Unit;
  value: number | null;
  samples: number[];
  runs: number;
  peakRssMb: number | null;
  /** Bytes the command wrote to standard output in its last run (a sanity check that it did the work). */
  outputBytes: number | null;
  floor: FloorResult | null;
  ratio: number | null;
  target: string | null;
  ok: boolean | null;
  /** qcode's answer compared with the floor's, where both print comparable JSON. */
  check: Check | null;
  notes: string[];
}

export interface Machine {
  cpu: string;
  cores: number;
  availableParallelism: number;
  totalMemoryMb: number;
  freeMemoryMb: number;
  platform: string;
  node: string;
  sqlite: string;
  sqlite3Cli: string | null;
  qcodeVersion: string;
  qcodeCommit: string | null;
  qcodeDirty: boolean | null;
  rssSource: string;
}

export interface Results {
  schema: 1;
  size: string;
  startedAt: string;
  durationSeconds: number;
  runs: { fast: number; slow: number };
  machine: Machine;
  corpus: Record<string, number | string | boolean>;
  setup: { notes: string[]; steps: Record<string, number | string> };
  figures: Partial<Record<FigureId, FigureResult>>;
  floors: Record<string, FloorResult>;
  growth: GrowthRow[];
  error?: string;
}

export function describeMachine(root: string, sqlite: string, rssSource: string): Machine {
  const git = (...args: string[]): string | null => {
    const result = spawnSync('git', ['-C', root, ...args], { encoding: 'utf8' });
    return result.status === 0 ? result.stdout.trim() : null;
  };
  const commit = git('rev-parse', 'HEAD');
  const dirty = commit === null ? null : (git('status', '--porcelain') ?? '') !== '';
  const cli = spawnSync('sqlite3', ['--version'], { encoding: 'utf8' });
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    availableParallelism: availableParallelism(),
    totalMemoryMb: Math.round(totalmem() / 1048576),
    freeMemoryMb: Math.round(freemem() / 1048576),
    platform: `${platform()} ${release()}`,
    node: process.version,
    sqlite,
    sqlite3Cli: cli.status === 0 ? cli.stdout.trim().split(' ')[0] ?? null : null,
    qcodeVersion: pkg.version,
    qcodeCommit: commit,
    qcodeDirty: dirty,
    rssSource,
  };
}

export function formatValue(value: number | null, unit: Unit): string {
  if (value === null || !Number.isFinite(value)) return '–';
  if (unit === 's') return value < 1 ? `${(value * 1000).toFixed(value < 0.1 ? 1 : 0)} ms` : `${value.toFixed(2)} s`;
  if (unit === 'MB') return `${value.toFixed(0)} MB`;
  if (unit === 'MB/s') return `${value.toFixed(1)} MB/s`;
  return `${value.toFixed(0)} docs/s`;
}

/** The terminal table: figure, value, floor, ratio, target, ok?. */
export function renderTable(results: Results): string {
  const header = ['figure', 'value', 'floor', 'ratio', `target (corpus l)`, 'ok?'];
  const rows = Object.values(results.figures).map((figure) => {
    const value = figure.status === 'ok' ? formatValue(figure.value, figure.unit) : figure.status === 'unavailable' ? 'not available' : 'FAILED';
    const floor = figure.floor === null ? '' : figure.floor.status === 'ok' ? formatValue(figure.floor.value, figure.floor.unit) : figure.floor.status === 'unavailable' ? 'n/a' : 'FAILED';
    const ratio = figure.ratio === null ? '' : `${figure.ratio.toFixed(2)}×`;
    const ok = figure.ok === null ? '' : figure.ok ? 'yes' : 'NO';
    return [figure.label, value, floor, ratio, figure.target ?? '', ok];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]): string => cells.map((cell, column) => (column === 0 || column === 4 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ').trimEnd();
  const out = [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)];
  const problems = Object.values(results.figures).filter((figure) => figure.status === 'failed' || figure.notes.length > 0);
  for (const figure of problems) {
    if (figure.reason) out.push(`  ${figure.label}: ${figure.reason}`);
    for (const note of figure.notes) out.push(`  ${figure.label}: ${note}`);
  }
  if (results.growth.length > 0) {
    out.push('', `Growth with the corpus (${GROWTH_TARGET.text}):`);
    for (const row of results.growth) {
      out.push(`  ${row.label.padEnd(widths[0] ?? 0)}  ${row.from}→${row.to}: ×${row.valueRatio.toFixed(2)} for ×${row.workRatio} documents, slope ${row.slope.toFixed(2)} ${row.ok ? 'ok' : 'NO'}`);
    }
  }
  return out.join('\n');
}

export interface GrowthRow {
  figure: FigureId;
  label: string;
  from: string;
  to: string;
  workRatio: number;
  valueRatio: number;
  slope: number;
  ok: boolean;
}

/** Time figures of this run against the smallest other size whose results sit next to this one's. */
export function growthAgainst(results: Results, outputDir: string, sizes: Readonly<Record<string, number>>): GrowthRow[] {
  const here = sizes[results.size];
  if (here === undefined) return [];
  const others = Object.entries(sizes)
    .filter(([size, documents]) => size !== results.size && documents < here)
    .map(([size]) => join(outputDir, `results-${size}.json`))
    .filter((path) => existsSync(path));
  const smallestPath = others[0];
  if (smallestPath === undefined) return [];
  let smaller: Results;
  try {
    smaller = JSON.parse(readFileSync(smallestPath, 'utf8')) as Results;
  } catch {
    return [];
  }
  const workRatio = here / (sizes[smaller.size] ?? here);
  const rows: GrowthRow[] = [];
  for (const figure of Object.values(results.figures)) {
    const before = smaller.figures[figure.id];
    if (figure.unit !== 's' && figure.unit !== 'MB') continue;
    if (figure.value === null || before?.value === undefined || before.value === null || before.value <= 0) continue;
    const valueRatio = figure.value / before.value;
    const slope = Math.log(valueRatio) / Math.log(workRatio);
    rows.push({ figure: figure.id, label: figure.label, from: smaller.size, to: results.size, workRatio, valueRatio, slope, ok: slope <= GROWTH_TARGET.maxSlope });
  }
  return rows;
}
