import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runQcode, tempDir } from '../helpers.js';
import { openStore, query, seedProject } from '../seed.js';

function qcode(dir: string, args: string[], env: Record<string, string> = {}) {
  return runQcode(['--project', dir, ...args], { env });
}

const small = () => seedProject([{
  slug: 'mixed',
  segments: [
    { speaker: 'I', text: 'Вы ходили на митинги?' },
    { speaker: 'R', text: 'Да, на митинг у посольства.' },
    { speaker: 'R', text: 'We wrote an open letter.' },
  ],
}]);

function coders(dir: string): string[] {
  return query<{ name: string }>(dir, 'SELECT name FROM coders ORDER BY name').map((row) => row.name);
}

describe('memo targets: --on-project, not the global --project', () => {
  it('adds and lists memos on the project with --on-project, leaving --project to name the folder', () => {
    const dir = small();
    expect(qcode(dir, ['memo', 'add', '--segment', 'mixed:2', 'On a segment']).code).toBe(0);
    const added = qcode(dir, ['memo', 'add', '--on-project', 'Project-wide note']);
    expect(added.stderr).toBe('');
    expect(added.stdout).toBe('Added memo 2 on the project.\n');
    // Before the fix, `memo list --project` was the global option missing its folder (exit 2).
    const listed = qcode(dir, ['memo', 'list', '--on-project', '--json']);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as Array<{ id: number }>).map((memo) => memo.id)).toEqual([2]);
    // With no target, the list is every memo.
    expect((JSON.parse(qcode(dir, ['memo', 'list', '--json']).stdout) as Array<{ id: number }>).map((memo) => memo.id)).toEqual([1, 2]);
    const both = qcode(dir, ['memo', 'add', '--on-project', '--code', 'forms.protest', 'x']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--code and --on-project were given');
  });

  it('says in memo list --help that no target lists every memo', () => {
    const help = runQcode(['memo', 'list', '--help']).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('--on-project list only the memos on the project itself (with no target: every memo)');
    // Only the global --project DIR, which names the folder, is left.
    expect(help.split('Global Options:')[0]).not.toMatch(/--project\b/);
  });

  it('does not mistake --project DIR after memo add for a target', () => {
    const dir = small();
    const elsewhere = tempDir();
    const result = runQcode(['memo', 'add', '--project', dir, '--on-project', 'note'], { cwd: elsewhere });
    expect(result.stdout).toBe('Added memo 1 on the project.\n');
    expect(query(dir, 'SELECT target_kind FROM memos')).toEqual([{ target_kind: 'project' }]);
  });
});

interface AutocodeJson {
  query: string;
  code: string;
  coder: string;
  dry_run: boolean;
  added: number;
  already_there: number;
  batch: string | null;
  hits: Array<{ segment: string; speaker: string | null; already: boolean; added: boolean; context: string }>;
}

describe('autocode --json and --csv: one shape for a dry run and a real run', () => {
  it('prints the same object for both, each hit saying whether it was (or would be) added', () => {
    const dir = small();
    expect(qcode(dir, ['tag', 'mixed:1', 'forms.protest', '--coder', 'auto']).code).toBe(0);
    const args = ['autocode', '--query', 'митинг*', '--code', 'forms.protest', '--json'];
    const dry = JSON.parse(qcode(dir, [...args, '--dry-run']).stdout) as AutocodeJson;
    const real = JSON.parse(qcode(dir, args).stdout) as AutocodeJson;
    const hits = [
      { segment: 'mixed:1', speaker: 'I', already: true, added: false, context: 'Вы ходили на митинги?' },
      { segment: 'mixed:2', speaker: 'R', already: false, added: true, context: 'Да, на митинг у посольства.' },
    ];
    expect(dry).toEqual({ query: 'митинг*', code: 'forms.protest', coder: 'auto', dry_run: true, added: 1, already_there: 1, batch: null, hits });
    expect(real).toEqual({ ...dry, dry_run: false, batch: expect.any(String) as string });
    expect(Object.keys(real)).toEqual(Object.keys(dry));
  });

  it('prints one CSV row per hit, with an added column, in both modes', () => {
    const dir = small();
    expect(qcode(dir, ['tag', 'mixed:1', 'forms.protest', '--coder', 'auto']).code).toBe(0);
    const expected = 'segment,speaker,already,added,context\nmixed:1,I,true,false,Вы ходили на митинги?\nmixed:2,R,false,true,"Да, на митинг у посольства."\n';
    const dry = qcode(dir, ['autocode', '--query', 'митинг*', '--code', 'forms.protest', '--csv', '--dry-run']);
    expect(dry.stdout).toBe(expected);
    const real = qcode(dir, ['autocode', '--query', 'митинг*', '--code', 'forms.protest', '--csv']);
    expect(real.code).toBe(0);
    expect(real.stdout).toBe(expected);
    expect(query(dir, "SELECT count(*) AS n FROM codings")).toEqual([{ n: 2 }]);
  });
});

describe('coder names with a comma', () => {
  const refusal = /^Error: (--coder|QCODE_CODER): coder name "p,q" contains a comma, which --coders A,B would read as two coders — .*"p-q"\n$/;

  it.each([
    ['tag --coder', ['tag', 'mixed:2', 'forms.art', '--coder', 'p,q'], {}],
    ['tag with QCODE_CODER', ['tag', 'mixed:2', 'forms.art'], { QCODE_CODER: 'p,q' }],
    ['tag --dry-run', ['tag', 'mixed:2', 'forms.art', '--coder', 'p,q', '--dry-run'], {}],
    ['tag --from with --coder', ['tag', '--from', 'FILE', '--coder', 'p,q'], {}],
    ['autocode', ['autocode', '--query', 'митинг', '--code', 'forms.art', '--coder', 'p,q'], {}],
    ['autocode --dry-run', ['autocode', '--query', 'митинг', '--code', 'forms.art', '--coder', 'p,q', '--dry-run'], {}],
    ['memo add', ['memo', 'add', 'note', '--coder', 'p,q'], {}],
    ['memo add with QCODE_CODER', ['memo', 'add', 'note'], { QCODE_CODER: 'p,q' }],
  ] as const)('refuses a new one in %s with exit 2, writing nothing', (_name, args, env) => {
    const dir = small();
    const file = `${tempDir()}/codings.csv`;
    // The CSV has no coder column: its rows take --coder.
    writeFileSync(file, 'document,segment,code\nmixed,2,forms.art\n');
    const result = qcode(dir, args.map((arg) => (arg === 'FILE' ? file : arg)), env);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(refusal);
    expect(coders(dir)).toEqual([]);
    expect(query(dir, 'SELECT (SELECT count(*) FROM codings) + (SELECT count(*) FROM memos) + (SELECT count(*) FROM events) AS n')).toEqual([{ n: 0 }]);
  });

  it('refuses one in memo edit too', () => {
    const dir = small();
    expect(qcode(dir, ['memo', 'add', 'note']).code).toBe(0);
    const result = qcode(dir, ['memo', 'edit', '1', 'changed', '--coder', 'p,q']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(refusal);
    expect(query(dir, 'SELECT text FROM memos')).toEqual([{ text: 'note' }]);
  });

  it('still accepts a coder with a comma that an older version stored', () => {
    const dir = small();
    const db = openStore(dir);
    db.prepare("INSERT INTO coders (name) VALUES ('p,q')").run();
    db.close();
    const tagged = qcode(dir, ['tag', 'mixed:2', 'forms.art', '--coder', 'p,q']);
    expect(tagged.stderr).toBe('');
    expect(tagged.code).toBe(0);
    expect(qcode(dir, ['autocode', '--query', 'letter', '--code', 'forms.protest', '--coder', 'p,q']).code).toBe(0);
    expect(coders(dir)).toEqual(['p,q']);
    expect(query(dir, 'SELECT count(*) AS n FROM codings')).toEqual([{ n: 2 }]);
  });
});
