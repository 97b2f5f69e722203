// What a script writer meets: numbers out of range refused as usage errors (never "a bug"), --json
// shapes that agree between commands, --project honoured or refused by the commands that create a
// folder, warnings on stderr, and help and doc examples that find something on the demo project.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject, editCodebook, FIXTURES, newProject, qcodeOk, ROOT, runQcode, tempDir, type RunResult } from '../helpers.js';

/** Exit 2 and one line on stderr, matching `pattern`. */
function expectUsageError(result: RunResult, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toContain('this is a bug');
}

/** The `$ qcode …` example lines of a command's --help, without the leading `$ qcode `. */
function helpExamples(...command: string[]): string[] {
  const help = runQcode([...command, '--help']);
  expect(help.code).toBe(0);
  return [...help.stdout.matchAll(/^ {2}\$ qcode (.*)$/gm)].map((match) => (match[1] as string).trim());
}

/** A shell-like split of an example line: words, and '…' or "…" quoted words. */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2] ?? (match[3] as string));
}

let scratch: string;
let demo: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'qcode-script-writer-'));
  demo = join(scratch, 'demo');
  expect(runQcode(['demo', demo, '--json']).code).toBe(0);
}, 120_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('numeric options', () => {
  it('refuses numbers beyond a safe integer and forms other than plain digits with exit 2, one line', () => {
    for (const value of ['99999999999999999999', '9007199254740992', '0x10', '1e3', ' 5', '0', '-3']) {
      expectUsageError(runQcode(['--project', demo, 'search', 'embassy', '--limit', value]), new RegExp(`^Error: --limit takes a whole number from 1 to 9007199254740991, not "${value}"`));
      expectUsageError(runQcode(['--project', demo, 'log', '--limit', value]), /^Error: --limit takes a whole number from 1 to 9007199254740991/);
    }
    expectUsageError(runQcode(['--project', demo, 'memo', 'show', '99999999999999999999']), /^Error: a memo id is a whole number from 1 to 9007199254740991/);
    expectUsageError(runQcode(['--project', demo, 'tag', 'r01-vilnius-ru:2', 'forms.art', '--coder', 'zed', '--start', '1', '--end', '99999999999999999999']), /^Error: --end takes a whole number from 0 to/);
    // The largest number taken is taken.
    expect(runQcode(['--project', demo, 'search', 'embassy', '--limit', '9007199254740991', '--json']).code).toBe(0);
    expect(runQcode(['--project', demo, 'log', '--limit', '9007199254740991', '--json']).code).toBe(0);
  });
});

describe('--json shapes', () => {
  it('undo with nothing left prints the shape of an undo, with undone false and zero counts', () => {
    const dir = copyProject(demo, 'undo');
    qcodeOk(dir, 'tag', 'r01-vilnius-ru:3', 'forms.art', '--coder', 'zed');
    const undone = JSON.parse(qcodeOk(dir, 'undo', '--coder', 'zed', '--json')) as Record<string, unknown>;
    expect(undone).toMatchObject({ undone: true, coders: ['zed'], counts: { codings_removed: 1 } });
    const nothing = JSON.parse(qcodeOk(dir, 'undo', '--coder', 'zed', '--json')) as Record<string, unknown>;
    expect(Object.keys(nothing)).toEqual(Object.keys(undone));
    expect(nothing).toEqual({
      undone: false, batch: null, via: null, coders: [], kept: [], description: null,
      counts: Object.fromEntries(Object.keys(undone.counts as object).map((key) => [key, 0])),
      past_merges: [], merge_note: null,
    });
  });

  it('memo add and memo edit --json give the fields of memo list --json', () => {
    const dir = copyProject(demo, 'memos');
    const added = JSON.parse(qcodeOk(dir, 'memo', 'add', '--segment', 'r01-vilnius-ru:2', 'Compare with R03', '--coder', 'anna', '--json')) as Record<string, unknown>;
    const [listed] = JSON.parse(qcodeOk(dir, 'memo', 'list', '--json')) as Array<Record<string, unknown>>;
    expect(added).toEqual(listed);
    expect(added).toMatchObject({ target_kind: 'segment', target: 'r01-vilnius-ru:2', coder: 'anna', text: 'Compare with R03' });
    const edited = JSON.parse(qcodeOk(dir, 'memo', 'edit', String(added.id), 'Compare with R11', '--json')) as Record<string, unknown>;
    const [relisted] = JSON.parse(qcodeOk(dir, 'memo', 'list', '--json')) as Array<Record<string, unknown>>;
    expect(edited).toEqual({ ...relisted, changed: true });
    expect(JSON.parse(qcodeOk(dir, 'memo', 'edit', String(added.id), 'Compare with R11', '--json'))).toMatchObject({ text: 'Compare with R11', changed: false });
  });

  it('cases set --json names the case `case`, as cases list --json does', () => {
    const dir = copyProject(demo, 'cases');
    const set = JSON.parse(qcodeOk(dir, 'cases', 'set', 'R07', 'city=Sevilla', '--json')) as Record<string, unknown>;
    expect(set).toMatchObject({ case: 'R07', created: false });
    expect(set).not.toHaveProperty('case_id');
    const listed = JSON.parse(qcodeOk(dir, 'cases', 'list', '--json')) as Array<Record<string, unknown>>;
    expect(listed.find((row) => row.case === 'R07')).toMatchObject({ city: 'Sevilla' });
  });

  it('docs show --json names the encoding as import --json does', () => {
    const dir = newProject();
    for (const file of ['r07-madrid-ru.txt', 'r01-vilnius-ru.txt']) {
      const imported = JSON.parse(qcodeOk(dir, 'import', join(FIXTURES, 'interviews', file), '--json')) as { files: Array<{ slug: string; encoding: string }> };
      const [{ slug, encoding }] = imported.files as [{ slug: string; encoding: string }];
      expect(['KOI8-R', 'UTF-8']).toContain(encoding);
      const shown = JSON.parse(qcodeOk(dir, 'docs', 'show', slug, '--json')) as { document: { encoding: string } };
      expect(shown.document.encoding).toBe(encoding);
    }
  });
});

describe('refi import and demo with the global --project', () => {
  it('refuses refi import X.qdc --json without --to, which would print the codebook nowhere', () => {
    const out = tempDir();
    qcodeOk(demo, 'refi', 'export', '--qdc', join(out, 'cb.qdc'));
    expectUsageError(runQcode(['refi', 'import', 'cb.qdc', '--json'], { cwd: out }), /^Error: --json needs --to FILE for a \.qdc/);
    const written = runQcode(['refi', 'import', 'cb.qdc', '--to', 'codebook.yaml', '--json'], { cwd: out });
    expect(written.code, written.stderr).toBe(0);
    expect(JSON.parse(written.stdout)).toMatchObject({ written: join(out, 'codebook.yaml') });
  });

  it('demo builds in --project, and refuses a DIR that is another folder, as init does', () => {
    const parent = tempDir();
    expectUsageError(runQcode(['--project', 'p', 'demo', 'q', '--json'], { cwd: parent }), /^Error: demo was given two folders: q and --project p — Give one of them/);
    expect(existsSync(join(parent, 'q')) || existsSync(join(parent, 'p')) || existsSync(join(parent, 'qcode-demo'))).toBe(false);
    const built = runQcode(['--project', 'p', 'demo', '--json'], { cwd: parent });
    expect(built.code, built.stderr).toBe(0);
    expect(JSON.parse(built.stdout)).toMatchObject({ dir: join(parent, 'p') });
    expect(existsSync(join(parent, 'qcode-demo'))).toBe(false);
    expect(runQcode(['--project', 'p', 'demo', './p', '--json'], { cwd: parent }).code).toBe(0);
  });

  it('refi import builds a .qdpx in --project, refuses two folders, and refuses --project for a .qdc', () => {
    const out = tempDir();
    qcodeOk(demo, 'refi', 'export', '--qdpx', join(out, 'study.qdpx'), '--qdc', join(out, 'cb.qdc'));
    expectUsageError(runQcode(['--project', 'p', 'refi', 'import', 'study.qdpx', 'q'], { cwd: out }), /^Error: refi import was given two folders: q and --project p/);
    expectUsageError(runQcode(['--project', 'p', 'refi', 'import', 'cb.qdc', '--to', 'cb.yaml'], { cwd: out }), /^Error: a \.qdc becomes a codebook file, not a project: leave out --project/);
    expect(existsSync(join(out, 'cb.yaml'))).toBe(false);
    const imported = runQcode(['--project', 'p', 'refi', 'import', 'study.qdpx', '--json'], { cwd: out });
    expect(imported.code, imported.stderr).toBe(0);
    expect(existsSync(join(out, 'p', 'qcode.db'))).toBe(true);
    expect(existsSync(join(out, 'study'))).toBe(false);
  });
});

describe('codebook diff', () => {
  it('prints the plan warnings on stderr, as codebook apply does, also when the plan has no steps', () => {
    const dir = copyProject(demo, 'diff');
    editCodebook(dir, (yaml) => yaml.replace('    min: 1990\n', '    min: 2023\n'));
    const warning = 'Warning: attribute emigration_year: 27 cases hold values that are below the minimum 2023';
    const withSteps = runQcode(['--project', dir, 'codebook', 'diff', join(dir, 'codebook.yaml')]);
    expect(withSteps.code, withSteps.stderr).toBe(0);
    expect(withSteps.stderr).toContain(warning);
    expect(withSteps.stdout).not.toContain('emigration_year: 27');
    qcodeOk(dir, 'codebook', 'apply');
    const noSteps = runQcode(['--project', dir, 'codebook', 'diff', join(dir, 'codebook.yaml')]);
    expect(noSteps.code, noSteps.stderr).toBe(0);
    expect(noSteps.stdout).toBe('No differences.\n');
    expect(noSteps.stderr).toContain(warning);
  });
});

describe('examples run on the demo project and find something', () => {
  it('retrieve --where and search NEAR, in the help and in docs/analysis.md', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'analysis.md'), 'utf8').split('\n').filter((line) => line.startsWith('qcode ')).map((line) => line.slice('qcode '.length));
    const retrieves = [...helpExamples('retrieve'), ...doc].filter((line) => line.startsWith('retrieve') && line.includes('--where'));
    const nears = [...helpExamples('search'), ...doc].filter((line) => line.startsWith('search') && line.includes('NEAR('));
    expect(retrieves).toHaveLength(2);
    expect(nears).toHaveLength(2);
    for (const line of retrieves) {
      const passages = JSON.parse(qcodeOk(demo, ...words(line), '--json')) as unknown[];
      expect(passages.length, line).toBeGreaterThan(0);
    }
    for (const line of nears) {
      const report = JSON.parse(qcodeOk(demo, ...words(line).filter((word) => word !== '--json'), '--json')) as { total: number };
      expect(report.total, line).toBeGreaterThan(0);
    }
  });

  it('the autocode examples match segments', () => {
    const examples = helpExamples('autocode');
    expect(examples).toHaveLength(3);
    for (const line of examples) {
      const report = JSON.parse(qcodeOk(demo, ...words(line).filter((word) => word !== '--dry-run'), '--dry-run', '--json')) as { hits: unknown[] };
      expect(report.hits.length, line).toBeGreaterThan(0);
    }
  });

  it('the docs remove examples name documents of the demo', () => {
    const dir = copyProject(demo, 'remove');
    const removals = helpExamples('docs', 'remove').filter((line) => line.includes('--yes'));
    expect(removals).toHaveLength(1);
    qcodeOk(dir, ...words(removals[0] as string));
  });

  it('undo --coder auto is shown as what follows an autocode run', () => {
    const line = helpExamples('undo').find((example) => example.startsWith('undo --coder auto'));
    expect(line).toMatch(/after a qcode autocode/);
  });
});
