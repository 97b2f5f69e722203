import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';

// The benchmark is not a test: nothing here asserts a timing. This checks that it runs to the end at
// size s and that its JSON holds every figure and floor, each measured (and positive) or marked as not
// available because its command has not landed yet.

const FIGURES = [
  'version', 'import_seconds', 'import_mb_per_s', 'import_docs_per_s', 'import_peak_rss', 'stats', 'cooccur', 'retrieve',
  'agreement', 'search_common', 'search_rare', 'search_prefix', 'export_all', 'tag_from',
];
const FLOORS = [
  'node_start', 'import_insert', 'sql_stats', 'sql_cooccur', 'sql_retrieve', 'sql_search_common', 'sql_search_rare', 'sql_search_prefix',
  'sqlite3_dump',
];

interface Measured {
  status: string;
  reason?: string;
  value: number | null;
  samples: number[];
}

it('runs at size s and reports every figure and floor', { timeout: 120_000 }, () => {
  const out = join(tempDir('qcode-bench-smoke-'), 'results-s.json');
  const run = spawnSync(process.execPath, [join(ROOT, 'dist', 'bench', 'run.js'), '--size', 's', '--runs', '1', '--out', out], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', LANG: 'C.UTF-8', TMPDIR: process.env.TMPDIR ?? '/tmp' },
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(run.status, run.stderr).toBe(0);
  expect(run.stdout).toMatch(/^figure\s+value\s+floor\s+ratio\s+target/m);

  const results = JSON.parse(readFileSync(out, 'utf8')) as {
    size: string;
    error?: string;
    machine: Record<string, unknown>;
    corpus: Record<string, number>;
    figures: Record<string, Measured & { runs: number; check: { agrees: boolean | null; detail: string } | null }>;
    floors: Record<string, Measured>;
  };
  expect(results.error).toBeUndefined();
  expect(results.size).toBe('s');
  for (const key of ['cpu', 'cores', 'totalMemoryMb', 'node', 'sqlite', 'rssSource']) expect(results.machine[key], key).toBeTruthy();
  expect(results.corpus.documents).toBe(10);
  expect(results.corpus.segments).toBeGreaterThan(1000);
  expect(results.corpus.codings).toBeGreaterThan(5000);

  expect(Object.keys(results.figures).sort()).toEqual([...FIGURES].sort());
  for (const id of FIGURES) {
    const figure = results.figures[id] as Measured & { runs: number };
    if (figure.status === 'unavailable') {
      expect(figure.value, id).toBeNull();
      expect(figure.reason, id).toMatch(/not available|could not be measured/);
    } else {
      expect(figure.status, `${id}: ${figure.reason ?? ''}`).toBe('ok');
      expect(figure.value, id).toBeGreaterThan(0);
      expect(figure.samples.length, id).toBe(1);
    }
  }
  // The figures that need nothing beyond init and codebook are always measured.
  expect(results.figures.version?.status).toBe('ok');
  // Where qcode's JSON can be compared with the hand-written SQL's answer, the two agree.
  for (const id of ['stats', 'cooccur']) {
    const figure = results.figures[id];
    if (figure?.status === 'ok') expect(figure.check?.agrees, `${id}: ${figure.check?.detail ?? ''}`).not.toBe(false);
  }

  for (const id of FLOORS) {
    const floor = results.floors[id] as Measured;
    expect(floor, id).toBeDefined();
    if (id === 'sqlite3_dump' && floor.status === 'unavailable') {
      expect(floor.reason).toMatch(/sqlite3/);
      continue;
    }
    expect(floor.status, `${id}: ${floor.reason ?? ''}`).toBe('ok');
    expect(floor.value, id).toBeGreaterThan(0);
  }
});
