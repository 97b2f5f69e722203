import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { newProject, runQcode, tempDir } from '../helpers.js';

// Review findings on survey and CSV imports: two surveys with the same respondent ids, the separator
// guessed from commas inside a header cell, Windows-1251 cases files and manifests, columns whose
// names hold commas, a column named twice, --slug with a survey, --kind/--language on an unchanged
// text, and the path of a file reached twice.

function qcode(project: string, args: string[]): ReturnType<typeof runQcode> {
  return runQcode(['--project', project, ...args]);
}

function rows(project: string, sql: string): unknown[] {
  const db = new Database(join(project, 'qcode.db'), { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

const survey = (file: string, ...more: string[]): string[] => ['import', file, '--kind', 'survey', '--id-column', 'id', '--text-columns', 'q1', '--attribute-columns', 'gender', ...more];

describe('two surveys whose respondent ids are the same', () => {
  function waves(): { project: string; wave1: string; wave2: string } {
    const project = newProject();
    const dir = tempDir();
    const wave1 = join(dir, 'wave1.csv');
    const wave2 = join(dir, 'wave2.csv');
    writeFileSync(wave1, 'id;gender;q1\n1;female;Пишу письма политзаключённым.\n2;male;Хожу на пикеты.\n');
    writeFileSync(wave2, 'id;gender;q1\n1;male;I volunteer at a shelter.\n');
    expect(qcode(project, survey(wave1)).code).toBe(0);
    return { project, wave1, wave2 };
  }

  it('refuses the second file whole, naming the case and both ways out, and writes nothing (dry run alike)', () => {
    const { project, wave2 } = waves();
    const before = rows(project, 'SELECT c.id, v.attribute, v.value FROM cases c LEFT JOIN case_values v ON v.case_id = c.id ORDER BY c.id');
    for (const extra of [[], ['--dry-run'], ['--replace']]) {
      const result = qcode(project, survey(wave2, ...extra));
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('wave2.csv: 1 respondent id is already a case holding another survey\'s answers or other values (case 1: answers in wave1-1, gender female → male); nothing was imported');
      expect(result.stderr).toContain('--id-prefix W2- makes respondent 1 the case W2-1');
      expect(result.stderr).toContain('--same-respondents');
    }
    expect(rows(project, 'SELECT slug, case_id FROM documents ORDER BY slug')).toEqual([{ slug: 'wave1-1', case_id: '1' }, { slug: 'wave1-2', case_id: '2' }]);
    expect(rows(project, 'SELECT c.id, v.attribute, v.value FROM cases c LEFT JOIN case_values v ON v.case_id = c.id ORDER BY c.id')).toEqual(before);
  });

  it('a dry run of both waves in one batch refuses the second as the real run does, and passes them with --same-respondents', () => {
    const project = newProject();
    const dir = tempDir();
    writeFileSync(join(dir, 'wave1.csv'), 'id;gender;q1\n1;female;Пишу письма политзаключённым.\n2;male;Хожу на пикеты.\n');
    writeFileSync(join(dir, 'wave2.csv'), 'id;gender;q1\n1;male;I volunteer at a shelter.\n');
    const batch = ['import', join(dir, 'wave1.csv'), join(dir, 'wave2.csv'), '--kind', 'survey', '--id-column', 'id', '--text-columns', 'q1', '--attribute-columns', 'gender'];
    const dry = qcode(project, [...batch, '--dry-run']);
    expect(dry.code).toBe(1);
    expect(dry.stderr).toContain('wave2.csv: 1 respondent id is already a case holding another survey\'s answers or other values (case 1: answers in wave1-1, gender female → male); nothing was imported');
    expect(rows(project, 'SELECT count(*) AS n FROM cases')).toEqual([{ n: 0 }]);
    const panel = qcode(project, [...batch, '--dry-run', '--same-respondents']);
    expect(panel.code, panel.stderr).toBe(0);
    expect(panel.stdout + panel.stderr).toContain('values changed on 1 existing case (--same-respondents): case 1: gender female → male');
    expect(qcode(project, batch).stderr).toContain('wave2.csv: 1 respondent id is already a case');
  });

  it('--id-prefix makes them other cases, and removing one leaves the other\'s answers', () => {
    const { project, wave2 } = waves();
    const result = qcode(project, survey(wave2, '--id-prefix', 'W2-', '--json'));
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { files: Array<{ message: string; warnings: string[] }> };
    expect(report.files[0]?.message).toBe('1 respondent');
    expect(report.files[0]?.warnings).toEqual([]);
    expect(rows(project, "SELECT slug, case_id FROM documents WHERE slug LIKE 'wave2-%'")).toEqual([{ slug: 'wave2-w2-1', case_id: 'W2-1' }]);
    expect(rows(project, "SELECT case_id, value FROM case_values WHERE attribute = 'gender' AND case_id IN ('1', 'W2-1') ORDER BY case_id")).toEqual([
      { case_id: '1', value: 'female' }, { case_id: 'W2-1', value: 'male' },
    ]);
    expect(qcode(project, ['cases', 'remove', 'W2-1', '--yes']).code).toBe(0);
    expect(rows(project, "SELECT slug FROM documents WHERE case_id = '1'")).toEqual([{ slug: 'wave1-1' }]);
  });

  it('--same-respondents imports a panel wave and reports the values that changed; the same file again is unchanged', () => {
    const { project, wave1, wave2 } = waves();
    const result = qcode(project, survey(wave2, '--same-respondents'));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('values changed on 1 existing case (--same-respondents): case 1: gender female → male');
    expect(rows(project, "SELECT slug FROM documents WHERE case_id = '1' ORDER BY slug")).toEqual([{ slug: 'wave1-1' }, { slug: 'wave2-1' }]);
    expect(rows(project, "SELECT value FROM case_values WHERE case_id = '1' AND attribute = 'gender'")).toEqual([{ value: 'male' }]);
    // Importing wave 1 again would set the value the later wave changed back: that too needs saying.
    expect(qcode(project, survey(wave1)).stderr).toContain('case 1: answers in wave2-1, gender male → female');
    const again = qcode(project, survey(wave2));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Nothing imported: 1 unchanged');
  });

  it('--id-prefix and --same-respondents are usage errors together or without a survey', () => {
    const { project, wave2 } = waves();
    expect(qcode(project, survey(wave2, '--id-prefix', 'W2-', '--same-respondents')).code).toBe(2);
    expect(qcode(project, survey(wave2, '--id-prefix', '-x')).code).toBe(2);
    expect(qcode(project, ['import', wave2, '--same-respondents']).code).toBe(2);
  });
});

describe('the separator of a CSV', () => {
  it('is not taken from commas inside a header cell, quoted or not; a .tsv is tab-separated', () => {
    const project = newProject();
    const dir = tempDir();
    writeFileSync(join(dir, 'quoted.csv'), 'id;host_country;"Чем вы занимаетесь, и почему, и как?"\r\n1;LT;Пишу письма\r\n');
    writeFileSync(join(dir, 'plain.csv'), 'id;Чем вы занимаетесь, и почему, и как?\r\n2;Хожу, смотрю\r\n');
    writeFileSync(join(dir, 'tabs.tsv'), 'id\tq1\n3\tone, two; three\n');
    for (const file of ['quoted.csv', 'plain.csv', 'tabs.tsv']) {
      const column = file === 'tabs.tsv' ? '#2' : file === 'quoted.csv' ? '#3' : '#2';
      const result = qcode(project, ['import', join(dir, file), '--kind', 'survey', '--id-column', 'id', '--text-columns', column]);
      expect(result.code, result.stderr).toBe(0);
    }
    expect(rows(project, 'SELECT speaker, text FROM segments ORDER BY id')).toEqual([
      { speaker: 'Чем вы занимаетесь, и почему, и как?', text: 'Пишу письма' },
      { speaker: 'Чем вы занимаетесь, и почему, и как?', text: 'Хожу, смотрю' },
      { speaker: 'q1', text: 'one, two; three' },
    ]);
  });

  it('--delimiter overrides the guess, and an error says which separator was guessed', () => {
    const project = newProject();
    const file = join(tempDir(), 'semi.csv');
    // Every row has as many commas as the header: the guess is the comma, and a wrong one.
    writeFileSync(file, 'id;q1,q2\n1;a,b\n2;c,"d"e\n');
    const guessed = qcode(project, ['import', file, '--kind', 'survey', '--id-column', 'id', '--text-columns', 'q1,q2']);
    expect(guessed.code).toBe(1);
    expect(guessed.stderr).toContain('qcode took the separator to be a comma (guessed from the first rows): if it is another, pass --delimiter , or ; or tab');
    writeFileSync(file, 'id;q\n1;a,b\n2;c,d\n');
    const given = qcode(project, ['import', file, '--kind', 'survey', '--id-column', 'id', '--text-columns', 'q', '--delimiter', ';']);
    expect(given.code, given.stderr).toBe(0);
    expect(rows(project, 'SELECT text FROM segments ORDER BY id')).toEqual([{ text: 'a,b' }, { text: 'c,d' }]);
    expect(qcode(project, ['import', file, '--kind', 'survey', '--id-column', 'id', '--text-columns', 'q', '--delimiter', 'x']).code).toBe(2);
  });

  it('cases import and a manifest take --delimiter too', () => {
    const project = newProject();
    const dir = tempDir();
    writeFileSync(join(dir, 'cases.txt'), 'case\tcity\nR2\tVilnius, LT\n');
    const comma = qcode(project, ['cases', 'import', join(dir, 'cases.txt'), '--delimiter', ',']);
    expect(comma.stderr).toContain('row 2: has 2 fields, but the header has a different number');
    expect(comma.stderr).not.toContain('guessed');
    expect(qcode(project, ['cases', 'import', join(dir, 'cases.txt'), '--delimiter', 'tab']).code).toBe(0);
    writeFileSync(join(dir, 'r.txt'), 'I: hi\nR: yo\n');
    writeFileSync(join(dir, 'man.csv'), 'file;case\nr.txt;R3\n');
    expect(qcode(project, ['import', '--manifest', join(dir, 'man.csv'), '--delimiter', ',']).stderr).toContain('no "file" column');
    expect(qcode(project, ['import', '--manifest', join(dir, 'man.csv'), '--delimiter', ';']).code).toBe(0);
    expect(rows(project, "SELECT case_id, value FROM case_values WHERE attribute = 'city'")).toEqual([{ case_id: 'R2', value: 'Vilnius, LT' }]);
    expect(rows(project, 'SELECT case_id FROM documents')).toEqual([{ case_id: 'R3' }]);
    expect(qcode(project, ['import', join(dir, 'r.txt'), '--delimiter', ';']).code).toBe(2);
  });
});

describe('Windows-1251 cases files and manifests', () => {
  const cp1251 = (text: string): Buffer => execFileSync('iconv', ['-f', 'utf-8', '-t', 'cp1251'], { input: text });

  it('cases import takes --encoding; a manifest takes --manifest-encoding, which its error names', () => {
    const project = newProject();
    const dir = tempDir();
    writeFileSync(join(dir, 'c.csv'), cp1251('case;city\r\nR20;Рига\r\n'));
    const unsure = qcode(project, ['cases', 'import', join(dir, 'c.csv')]);
    expect(unsure.stderr).toContain('Pass --encoding');
    expect(qcode(project, ['cases', 'import', join(dir, 'c.csv'), '--encoding', 'cp1251']).code).toBe(0);
    writeFileSync(join(dir, 'r.txt'), 'hello\n');
    writeFileSync(join(dir, 'man.csv'), cp1251('file;case;city\nr.txt;R30;Рига\n'));
    const manifest = qcode(project, ['import', '--manifest', join(dir, 'man.csv'), '--encoding', 'cp1251']);
    expect(manifest.code).toBe(1);
    expect(manifest.stderr).toContain('man.csv: cannot tell the encoding');
    expect(manifest.stderr).toContain('Pass --manifest-encoding');
    expect(qcode(project, ['import', '--manifest', join(dir, 'man.csv'), '--manifest-encoding', 'cp1251']).code).toBe(0);
    expect(rows(project, "SELECT case_id, value FROM case_values WHERE attribute = 'city' ORDER BY case_id")).toEqual([{ case_id: 'R20', value: 'Рига' }, { case_id: 'R30', value: 'Рига' }]);
  });
});

describe('naming survey columns', () => {
  function setup(): { project: string; file: string } {
    const project = newProject();
    const file = join(tempDir(), 's.csv');
    writeFileSync(file, 'id,"Чем вы занимаетесь, и почему?",q1,gender\n1,Пишу письма,Да,female\n');
    return { project, file };
  }

  it('a name with a comma: the suggestion is its number, which works, and so do double quotes', () => {
    const { project, file } = setup();
    const split = qcode(project, ['import', file, '--kind', 'survey', '--id-column', 'id', '--text-columns', 'Чем вы занимаетесь, и почему?']);
    expect(split.code).toBe(1);
    expect(split.stderr).toContain('(did you mean #2 ("Чем вы занимаетесь, и почему?")?)');
    expect(split.stderr).toContain('The columns are: id, #2 ("Чем вы занимаетесь, и почему?"), q1, gender');
    expect(qcode(project, ['import', file, '--kind', 'survey', '--id-column', '#1', '--text-columns', '#2,q1', '--dry-run']).code).toBe(0);
    const quoted = qcode(project, ['import', file, '--kind', 'survey', '--id-column', 'id', '--text-columns', '"Чем вы занимаетесь, и почему?",q1']);
    expect(quoted.code, quoted.stderr).toBe(0);
    expect(rows(project, 'SELECT speaker FROM segments ORDER BY id')).toEqual([{ speaker: 'Чем вы занимаетесь, и почему?' }, { speaker: 'q1' }]);
    expect(qcode(project, ['import', file, '--kind', 'survey', '--id-column', 'id', '--text-columns', '#9']).stderr).toContain('no column #9 (the header has 4 columns)');
  });

  it('a column named twice is a usage error naming it, and nothing is written', () => {
    const { project, file } = setup();
    for (const [option, value] of [['--text-columns', 'q1,q1,Q1'], ['--text-columns', 'q1,Q1'], ['--text-columns', 'q1,#3']] as const) {
      const result = qcode(project, ['import', file, '--kind', 'survey', '--id-column', 'id', option, value]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--text-columns names the column "q1" twice');
    }
    const attributes = qcode(project, ['import', file, '--kind', 'survey', '--id-column', 'id', '--text-columns', 'q1', '--attribute-columns', 'gender,gender']);
    expect(attributes.code).toBe(2);
    expect(attributes.stderr).toContain('--attribute-columns names the column "gender" twice');
    expect(rows(project, 'SELECT count(*) AS n FROM documents')).toEqual([{ n: 0 }]);
  });
});

describe('--slug with a survey', () => {
  it('names its documents SLUG-ID', () => {
    const project = newProject();
    const file = join(tempDir(), 'wave1.csv');
    writeFileSync(file, 'id,gender,q1\n1,female,Да\n2,male,Нет\n');
    expect(qcode(project, survey(file, '--slug', 'w1')).code).toBe(0);
    expect(rows(project, 'SELECT slug, case_id FROM documents ORDER BY slug')).toEqual([{ slug: 'w1-1', case_id: '1' }, { slug: 'w1-2', case_id: '2' }]);
    expect(qcode(project, survey(file, '--slug', 'w1')).stdout).toContain('Nothing imported: 1 unchanged');
  });
});

describe('--kind and --language on a text imported before', () => {
  it('are applied and reported when the text is unchanged, with or without --replace; the segments stay', () => {
    const project = newProject();
    const file = join(tempDir(), 'vk-post.txt');
    writeFileSync(file, 'Пост ВКонтакте\n\nСегодня мы собрали 40 подписей.\n');
    expect(qcode(project, ['import', file]).code).toBe(0);
    const segments = rows(project, 'SELECT id, ordinal, start, "end", text FROM segments ORDER BY id');
    const kind = qcode(project, ['import', file, '--kind', 'web', '--replace', '--verbose']);
    expect(kind.code).toBe(0);
    expect(kind.stderr).toContain('kind interview → web');
    const language = qcode(project, ['import', file, '--language', 'uk', '--verbose']);
    expect(language.stderr).toContain('language ru → uk');
    expect(rows(project, 'SELECT kind, language FROM documents')).toEqual([{ kind: 'web', language: 'uk' }]);
    expect(rows(project, 'SELECT id, ordinal, start, "end", text FROM segments ORDER BY id')).toEqual(segments);
    // Nothing given that differs: nothing said.
    expect(qcode(project, ['import', file, '--verbose']).stderr).not.toMatch(/(kind|language) \S+ → /);
  });

  it('say a moved case as old → new, and the closing line counts the relabelled document', () => {
    const project = newProject();
    const file = join(tempDir(), 'r.txt');
    writeFileSync(file, 'Интервьюер: Когда?\nРеспондент: В марте.\n');
    expect(qcode(project, ['import', file, '--case', 'R07']).code).toBe(0);
    const moved = qcode(project, ['import', file, '--case', 'R08', '--kind', 'web', '--verbose']);
    expect(moved.stderr).toContain('case R07 → R08');
    expect(moved.stdout).toContain('Nothing imported: 1 unchanged (already imported; 1 relabelled: case, kind, language or title, see --verbose).');
    const again = qcode(project, ['import', file, '--case', 'R08', '--kind', 'web', '--json']);
    expect((JSON.parse(again.stdout) as { files: Array<{ updated: boolean }> }).files[0]?.updated).toBe(false);
  });
});

