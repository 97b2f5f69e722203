import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qcodeOk, runQcode } from '../helpers.js';

// Scripts read one naming convention everywhere: the keys of every --json output are snake_case, as the
// CSV headers, the codebook YAML and the exports are. Only keys that are data (an event's stored payload,
// labels by language, value labels by value) may be anything.
const DATA_KEYED = new Set(['payload', 'labels', 'value_labels']);

function camelKeys(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => camelKeys(item, `${path}[${index}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => [
    ...(/[a-z0-9][A-Z]/.test(key) ? [`${path}.${key}`] : []),
    ...(DATA_KEYED.has(key) ? [] : camelKeys(inner, `${path}.${key}`)),
  ]);
}

describe('--json key names', () => {
  let demo: string;
  let scratch: string;
  let colleague: string;
  // One demo for every command: helpers' tempDir folders go after each test.
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'qcode-json-keys-'));
    demo = join(scratch, 'demo');
    expect(runQcode(['demo', demo]).code).toBe(0);
    // An undo, so that the log holds a reverted event, and a merge copy to report on.
    qcodeOk(demo, 'tag', 'r01-vilnius-ru:3', 'forms.art', '--coder', 'anna');
    qcodeOk(demo, 'undo', '--coder', 'anna');
    mkdirSync(join(scratch, 'in'));
    writeFileSync(join(scratch, 'in', 'codings.csv'), 'document,segment,code,coder\nr01-vilnius-ru,4,forms.art,zed\n');
    colleague = join(scratch, 'colleague');
    cpSync(demo, colleague, { recursive: true });
    qcodeOk(colleague, 'tag', 'r01-vilnius-ru:5', 'forms.art', '--coder', 'olga');
  }, 120_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const commands: string[][] = [
    ['stats', '--json'],
    ['stats', '--by', 'attribute:host_country', '--json'],
    ['cooccur', '--hypothesis', 'all', '--json'],
    ['retrieve', '--code', 'forms.protest', '--json'],
    ['search', 'protest', '--json'],
    ['log', '--json'],
    ['docs', 'list', '--json'],
    ['docs', 'show', 'r01-vilnius-ru', '--json'],
    ['cases', 'list', '--json'],
    ['codebook', 'show', '--json'],
    ['agreement', '--coders', 'anna,mikhail', '--json'],
    ['disagreements', '--coders', 'anna,mikhail', '--json'],
    ['autocode', '--query', 'protest', '--code', 'forms.protest', '--coder', 'zed', '--dry-run', '--json'],
    ['tag', '--from', 'CODINGS', '--dry-run', '--json'],
    ['undo', '--coder', 'mikhail', '--json'],
    ['merge', 'COLLEAGUE', '--dry-run', '--json'],
  ];

  it.each(commands.map((command) => [command.slice(0, 2).join(' '), command] as const))('%s prints snake_case keys', (_name, command) => {
    const args = command.map((arg) => (arg === 'CODINGS' ? join(scratch, 'in', 'codings.csv') : arg === 'COLLEAGUE' ? colleague : arg));
    const result = runQcode(['--project', demo, ...args]);
    expect(result.stderr.includes('this is a bug')).toBe(false);
    expect(result.code, result.stderr).toBe(0);
    const parsed: unknown = JSON.parse(result.stdout);
    expect(camelKeys(parsed)).toEqual([]);
  });

  it('keeps value labels keyed by the values as written, names the times t_start and t_end, and a document\'s case `case`', () => {
    const codebook = JSON.parse(qcodeOk(demo, 'codebook', 'show', '--json')) as { attributes: Array<{ name: string; value_labels: Record<string, string> }> };
    expect(Object.keys(codebook.attributes.find((attribute) => attribute.name === 'host_country')?.value_labels ?? {})).toContain('LT');
    const passages = JSON.parse(qcodeOk(demo, 'retrieve', '--code', 'forms.protest', '--json')) as Array<Record<string, unknown>>;
    expect(passages[0]).toHaveProperty('t_start');
    expect(passages[0]).toHaveProperty('t_end');
    const shown = JSON.parse(qcodeOk(demo, 'docs', 'show', 'r01-vilnius-ru', '--json')) as { document: Record<string, unknown> };
    expect(shown.document.case).toBe('R01');
    expect(shown.document).not.toHaveProperty('case_id');
    const log = parseCsvHeader(qcodeOk(demo, 'log', '--csv'));
    expect(log).toContain('undone_by');
  });
});

function parseCsvHeader(csv: string): string[] {
  return (csv.split('\n')[0] ?? '').split(',');
}
