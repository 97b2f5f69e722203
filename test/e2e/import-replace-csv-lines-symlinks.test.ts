import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { newProject, runQcode, tempDir } from '../helpers.js';

// Review findings on qcode import: what --replace keeps and why it refuses, CSV line numbers with CRLF
// inside quoted cells, survey respondents left behind, symbolic links, and the `!` marker.

function qcode(project: string, args: string[], cwd?: string): ReturnType<typeof runQcode> {
  return runQcode(['--project', project, ...args], { cwd });
}

function rows(project: string, sql: string): unknown[] {
  const db = new Database(join(project, 'qcode.db'), { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

describe('import --replace keeps what an earlier import was told', () => {
  it('keeps kind and language (and the case) when this run does not give them, and applies and reports them when it does', () => {
    const project = newProject();
    const file = join(tempDir(), 'c.txt');
    writeFileSync(file, 'Hello there, this is a chat log.\n\nSecond paragraph here.\n');
    expect(qcode(project, ['import', file, '--case', 'R1', '--kind', 'chat', '--language', 'de', '--slug', 'chat1']).code).toBe(0);
    writeFileSync(file, 'Hello there, this is a chat log.\n\nSecond paragraph here, edited.\n');
    const replaced = qcode(project, ['import', file, '--replace', '--slug', 'chat1', '--verbose']);
    expect(replaced.code).toBe(0);
    expect(rows(project, 'SELECT slug, case_id, kind, language FROM documents')).toEqual([{ slug: 'chat1', case_id: 'R1', kind: 'chat', language: 'de' }]);
    expect(replaced.stderr).not.toContain('→ web');

    writeFileSync(file, 'Hello there, this is a chat log.\n\nSecond paragraph here, edited twice.\n');
    const changed = qcode(project, ['import', file, '--replace', '--slug', 'chat1', '--kind', 'web', '--verbose']);
    expect(changed.code).toBe(0);
    expect(changed.stderr).toContain('kind chat → web');
    expect(rows(project, 'SELECT kind, language FROM documents')).toEqual([{ kind: 'web', language: 'de' }]);
  });

  it('keeps a manifest\'s kind and title when the file is replaced on its own', () => {
    const project = newProject();
    const dir = tempDir();
    writeFileSync(join(dir, 'two.txt'), 'Hello there, this is a chat log.\n\nSecond paragraph here.\n');
    writeFileSync(join(dir, 'manifest.csv'), 'file,case,kind,title\ntwo.txt,R2,chat,Второе\n');
    expect(qcode(project, ['import', '--manifest', join(dir, 'manifest.csv')]).code).toBe(0);
    writeFileSync(join(dir, 'two.txt'), 'Hello there, this is a chat log.\n\nSecond paragraph, edited.\n');
    expect(qcode(project, ['import', join(dir, 'two.txt'), '--replace']).code).toBe(0);
    expect(rows(project, 'SELECT slug, case_id, kind, title FROM documents')).toEqual([{ slug: 'two', case_id: 'R2', kind: 'chat', title: 'Второе' }]);
  });
});

describe('import --replace refused', () => {
  const TEXT = 'И: Первый вопрос. Второе предложение вопроса.\nР: Ответ первый. Ответ второй.\nИ: Ещё вопрос?\nР: Ещё ответ.\n';
  const FIRST = ['--segment', 'sentences', '--speakers', 'И=Interviewer,Р=Respondent'];

  it('says when this run\'s segmentation options, not the text, are why coded segments find no match', () => {
    const project = newProject();
    const file = join(tempDir(), 's.txt');
    writeFileSync(file, TEXT);
    expect(qcode(project, ['import', file, ...FIRST]).code).toBe(0);
    expect(qcode(project, ['tag', 's:3', 'audiences.media', '--coder', 'anna']).code).toBe(0);
    writeFileSync(file, TEXT.replace('Ещё ответ.', 'Ещё ответ, изменённый.'));

    const other = qcode(project, ['import', file, '--replace']);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('this run\'s segmentation options cut the stored document differently from the import that made it, so 1 coding on 1 segment (#3) would be lost');
    expect(other.stderr).toContain('Repeat the first import\'s --segment and --speakers options');
    expect(other.stderr).not.toContain('whose text or speaker changed');

    const same = qcode(project, ['import', file, '--replace', ...FIRST]);
    expect(same.code).toBe(0);
    expect(rows(project, "SELECT count(*) AS n FROM codings")).toEqual([{ n: 1 }]);
  });

  it('still blames the text when the options are the same and the coded words changed', () => {
    const project = newProject();
    const file = join(tempDir(), 's.txt');
    writeFileSync(file, TEXT);
    expect(qcode(project, ['import', file, ...FIRST]).code).toBe(0);
    expect(qcode(project, ['tag', 's:3', 'audiences.media', '--coder', 'anna']).code).toBe(0);
    writeFileSync(file, TEXT.replace('Ответ первый.', 'Ответ самый первый.'));
    const result = qcode(project, ['import', file, '--replace', ...FIRST]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('1 coding on 1 segment (#3) whose text or speaker changed would be lost');
    expect(result.stderr).toContain('remove their codings first');
  });

  it('gives a hint that fits memos when a memo is in the way', () => {
    const project = newProject();
    const file = join(tempDir(), 'm.txt');
    writeFileSync(file, 'I: How did it start?\nR: With a protest.\n');
    expect(qcode(project, ['import', file]).code).toBe(0);
    expect(qcode(project, ['memo', 'add', '--segment', 'm:2', 'Compare with R07', '--coder', 'anna']).code).toBe(0);
    writeFileSync(file, 'I: How did it start?\nR: With a small protest.\n');
    const result = qcode(project, ['import', file, '--replace']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('1 memo on 1 segment (#2) whose text or speaker changed would be lost');
    expect(result.stderr).toContain('--slug NAME');
    expect(result.stderr).not.toContain('remove their codings first');
  });
});

describe('CSV line numbers', () => {
  const FLAGS = ['--kind', 'survey', '--id-column', 'respondent_id', '--text-columns', 'q1', '--attribute-columns', 'host_country'];

  it('count a CRLF inside a quoted cell as one line, as an LF is', () => {
    const project = newProject();
    const dir = tempDir();
    writeFileSync(join(dir, 'crlf.csv'), 'respondent_id,host_country,q1\r\nB1,LT,"a\r\nb"\r\nB2,XX,ans\r\n');
    writeFileSync(join(dir, 'lf.csv'), 'respondent_id,host_country,q1\nB1,LT,"a\nb"\nB2,XX,ans\n');
    expect(qcode(project, ['import', join(dir, 'crlf.csv'), ...FLAGS]).stderr).toMatch(/crlf\.csv:4:2: row 3, column host_country: "XX"/);
    expect(qcode(project, ['import', join(dir, 'lf.csv'), ...FLAGS]).stderr).toMatch(/lf\.csv:4:2: row 3, column host_country: "XX"/);
  });

  it('name the line a row starts on after empty lines, and in parse errors', () => {
    const project = newProject();
    const dir = tempDir();
    writeFileSync(join(dir, 'gaps.csv'), 'respondent_id,host_country,q1\n\nB1,LT,"a\nb"\n\nB2,XX,ans\n');
    expect(qcode(project, ['import', join(dir, 'gaps.csv'), ...FLAGS]).stderr).toMatch(/gaps\.csv:6:2: row 3, column host_country/);
    writeFileSync(join(dir, 'fields.csv'), 'a,b\r\n"x\r\ny",1\r\n1,2,3\r\nq,r\r\n');
    expect(qcode(project, ['import', join(dir, 'fields.csv'), '--kind', 'survey', '--id-column', 'a', '--text-columns', 'b']).stderr).toContain('fields.csv:4: row 3: has 3 fields');
    writeFileSync(join(dir, 'quote.csv'), 'a,b\r\n"x\r\ny",1\r\n1,ab"c\r\nq,r\r\n');
    expect(qcode(project, ['import', join(dir, 'quote.csv'), '--kind', 'survey', '--id-column', 'a', '--text-columns', 'b']).stderr).toContain('quote.csv:4: row 3: a quote in the middle of a field');
  });

  it('are right in a manifest with CRLF line ends too', () => {
    const project = newProject();
    const dir = tempDir();
    writeFileSync(join(dir, 'a.txt'), 'I: Hello?\nR: Hi.\n');
    writeFileSync(join(dir, 'manifest.csv'), 'file,case,title\r\na.txt,R1,"two\r\nlines"\r\nb.txt,R 2,x\r\n');
    expect(qcode(project, ['import', '--manifest', join(dir, 'manifest.csv')]).stderr).toMatch(/manifest\.csv:4:2: row 3, column case/);
  });
});

describe('survey re-import with a respondent removed from the file', () => {
  it('keeps their document and says so, in text and in --json', () => {
    const project = newProject();
    const file = join(tempDir(), 's.csv');
    const flags = ['--kind', 'survey', '--id-column', 'id', '--text-columns', 'q1,q2'];
    writeFileSync(file, 'id,q1,q2\nA1,answer one,second one\nA2,answer two,\nA3,answer three,x\n');
    expect(qcode(project, ['import', file, ...flags]).code).toBe(0);
    writeFileSync(file, 'id,q1,q2\nA1,answer one,second one changed\nA2,answer two changed,\n');

    const result = qcode(project, ['import', file, ...flags, '--replace']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^! replaced .*1 respondent of the earlier import of \S*s\.csv is not in the file \(A3\): their document was kept/m);
    expect(rows(project, 'SELECT slug FROM documents ORDER BY slug')).toEqual([{ slug: 's-a1' }, { slug: 's-a2' }, { slug: 's-a3' }]);

    const json = JSON.parse(qcode(project, ['import', file, ...flags, '--replace', '--json']).stdout) as { files: Array<{ warnings: string[] }> };
    expect(json.files[0]?.warnings).toEqual([expect.stringMatching(/^1 respondent of the earlier import of \S*s\.csv is not in the file \(A3\)/)]);
  });
});

describe('a symbolic link beside the file it points to', () => {
  it('imports the file under its own path and skips the link with a note', () => {
    const project = newProject();
    const dir = tempDir();
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    writeFileSync(join(dir, 'a', 'r1.txt'), 'Интервьюер: Привет, как дела у вас?\nРеспондент: Всё хорошо, спасибо большое.\n');
    symlinkSync('../r1.txt', join(dir, 'a', 'b', 'alias.txt'));
    const report = JSON.parse(qcode(project, ['import', 'a', '--json'], dir).stdout) as { files: Array<{ file: string; slug: string }>; skipped: Array<{ display: string; message: string }> };
    expect(report.files.map((file) => [file.file, file.slug])).toEqual([['a/r1.txt', 'r1']]);
    expect(report.skipped).toEqual([{ display: 'a/b/alias.txt', message: 'same file as a/r1.txt' }]);
    // The printed note names the path passed over too, not only its reason.
    expect(qcode(project, ['import', 'a', '--verbose'], dir).stderr).toContain('Skipped 1 file: a/b/alias.txt: same file as a/r1.txt');
  });
});

describe('the ! marker', () => {
  it('marks a file imported with warnings with --verbose too', () => {
    const project = newProject();
    const dir = tempDir();
    writeFileSync(join(dir, 'bell.txt'), 'Interviewer: Hello?\n\nRespondent: A bell\u0007 rang.\n');
    writeFileSync(join(dir, 'plain.txt'), 'Interviewer: Hello?\n\nRespondent: Nothing odd.\n');
    const lines = qcode(project, ['import', join(dir, 'bell.txt'), join(dir, 'plain.txt'), '--verbose']).stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^! imported\s+\S*bell\.txt → bell \(.*1 control character removed\)$/);
    expect(lines[1]).toMatch(/^✓ imported\s+\S*plain\.txt → plain /);
  });
});

describe('the note on files a folder import passes over', () => {
  it('counts a reason met twice as a multiplier and gives a single one as it is', () => {
    const project = newProject();
    const dir = tempDir();
    mkdirSync(join(dir, 'batch'));
    writeFileSync(join(dir, 'batch', 'r1.txt'), 'Интервьюер: Привет, как дела у вас?\nРеспондент: Всё хорошо, спасибо большое.\n');
    writeFileSync(join(dir, 'batch', 'settings.json'), '{}');
    writeFileSync(join(dir, 'batch', 'index.json'), '{}');
    writeFileSync(join(dir, 'batch', 'scan.pdf'), '%PDF-1.4');
    const { stderr } = qcode(project, ['import', 'batch'], dir);
    expect(stderr).toContain('Skipped 3 files: 2 × a .json file (a Telegram chat export is imported when named: qcode import FILE.json); unsupported file type .pdf');
  });
});
