import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { BIN, FIXTURES, newProject, runQcode, tempDir } from '../helpers.js';

// The built binary importing the fixtures as a user would: exit codes, the lines on stderr, the
// summary on stdout, and what the store holds afterwards.

function fixtures(): string {
  const dir = join(tempDir('qcode-e2e-fixtures-'), 'fixtures');
  cpSync(FIXTURES, dir, { recursive: true });
  return dir;
}

function qcode(project: string, ...args: string[]): ReturnType<typeof runQcode> {
  return runQcode(['--project', project, ...args]);
}

const SURVEY_FLAGS = ['--kind', 'survey', '--id-column', 'respondent_id', '--text-columns', 'q1_activities,q2_networks,q3_remittances', '--attribute-columns', 'host_country,emigration_year,activism_in_russia,gender,age_band'];

describe('qcode import (the built binary)', () => {
  it('imports the fixtures folder with its manifest, then says the same import is a no-op', () => {
    const project = newProject();
    const dir = fixtures();
    const first = qcode(project, 'import', join(dir, 'interviews'), '--manifest', join(dir, 'interviews', 'manifest.csv'));
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(/^Imported 16 files — 16 documents, 316 segments, 0\.1 MB\.\n$/);
    expect(first.code).toBe(0);

    const again = qcode(project, 'import', join(dir, 'interviews'), '--manifest', join(dir, 'interviews', 'manifest.csv'));
    expect(again.stdout).toBe('Nothing imported: 16 unchanged (already imported).\n');
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);

    const list = qcode(project, 'docs', 'list', '--csv');
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).toBe('slug,case,kind,language,segments,words,coded_pct');
    expect(lines).toHaveLength(17);
    expect(lines).toContain(lines.find((line) => line.startsWith('r06-helsinki-ru,R06,interview,ru,20,')));
    const cases = JSON.parse(qcode(project, 'cases', 'list', '--json').stdout) as Array<Record<string, unknown>>;
    expect(cases).toHaveLength(16);
    expect(cases[8]).toMatchObject({ case: 'R09', host_country: 'PL', city: 'Kraków', emigration_year: 2022 });
  });

  it('imports web pages and the survey, and prints a JSON report with --json', () => {
    const project = newProject();
    const dir = fixtures();
    const web = qcode(project, 'import', join(dir, 'web'), '--json');
    expect(web.code).toBe(0);
    const report = JSON.parse(web.stdout) as { totals: Record<string, number>; files: Array<{ slug: string; status: string; format: string }> };
    expect(report.totals).toMatchObject({ files: 2, imported: 2, failed: 0 });
    expect(report.files.map((file) => [file.slug, file.status, file.format])).toEqual([
      ['blog-reverse-remittances-en', 'imported', 'html'], ['ngo-vilnius-about-ru', 'imported', 'html'],
    ]);
    const survey = qcode(project, 'import', join(dir, 'survey', 'survey.csv'), ...SURVEY_FLAGS);
    expect(survey.stdout).toMatch(/^Imported 1 file — 30 documents, \d+ segments/);
    expect(survey.code).toBe(0);
    const show = qcode(project, 'docs', 'show', 'survey-s02', '--segments', '--csv');
    expect(show.stdout.split('\n')[0]).toBe('id,ordinal,speaker,start,end,t_start,t_end,codings,text');
    expect(show.stdout).toContain(',q2_networks,');
  });

  it('prints one line per file with --verbose and shows a document with its speakers', () => {
    const project = newProject();
    const dir = fixtures();
    const result = qcode(project, 'import', join(dir, 'interviews', 'r06-helsinki-ru.txt'), join(dir, 'interviews', 'r07-madrid-ru.txt'), '--case', 'R06', '--verbose');
    expect(result.stderr).toMatch(/✓ imported {2}.*r06-helsinki-ru\.txt → r06-helsinki-ru \(20 segments, windows-1251, ru, case R06\)/);
    expect(result.stderr).toMatch(/✓ imported {2}.*r07-madrid-ru\.txt → r07-madrid-ru \(22 segments, KOI8-R, ru, case R06\)/);
    const show = qcode(project, 'docs', 'show', 'r06-helsinki-ru');
    expect(show.stdout.split('\n')[0]).toBe('r06-helsinki-ru · case R06 · interview · ru · txt (windows-1251) · 20 segments · 530 words');
    expect(show.stdout).toContain('\n#1 Интервьюер: Расскажите, как вы оказались в Финляндии.\n');
    expect(show.stdout).toContain('\n#2 ВС: Я инженер-проектировщик');
  });

  it('keeps text after a blank line inside a SubRip cue with that cue, and says so with --verbose', () => {
    const project = newProject();
    const file = join(tempDir(), 'talk.srt');
    writeFileSync(file, '1\n00:00:01,000 --> 00:00:04,000\nИнтервьюер: Вы выходили на пикеты?\n\n2\n00:00:05,000 --> 00:00:09,000\nРеспондент: Да, в Вильнюсе.\n\nПотом перестали.\n\n3\n00:00:10,000 --> 00:00:12,000\nИнтервьюер: Почему?\n');
    const result = qcode(project, 'import', file, '--verbose');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('talk.srt → talk (3 segments, UTF-8, ru, srt: line 9: text after a blank line inside subtitle 2 was kept as part of it)');
    const segments = qcode(project, 'docs', 'show', 'talk', '--csv').stdout;
    expect(segments).toContain('"Да, в Вильнюсе.\nПотом перестали."');
  });

  it('reports each bad file on its own line, imports the rest, and exits 1', () => {
    const project = newProject();
    const dir = tempDir('qcode-bad-');
    writeFileSync(join(dir, 'a-good.txt'), 'I: How?\nR: Like this.\n');
    writeFileSync(join(dir, 'b-empty.txt'), '');
    const docx = readFileSync(join(FIXTURES, 'interviews', 'r10-vilnius-en.docx'));
    writeFileSync(join(dir, 'c-truncated.docx'), docx.subarray(0, 1000));
    writeFileSync(join(dir, 'd-zip.docx'), zipSync({ 'a.txt': new TextEncoder().encode('x') }));
    writeFileSync(join(dir, 'e-good.md'), '# Notes\n\nSome text.');
    const result = qcode(project, 'import', dir);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^✗ b-empty\.txt: the file is empty$|^✗ .*b-empty\.txt: the file is empty$/),
      expect.stringMatching(/c-truncated\.docx: the \.docx is damaged or truncated/),
      expect.stringMatching(/d-zip\.docx: not a Word document: it is a zip archive renamed \.docx/),
      'Error: 3 of 5 files failed (listed above); the other files were imported',
    ]);
    expect(result.stdout).toMatch(/^Imported 2 files · 3 failed — 2 documents, /);
    expect(qcode(project, 'docs', 'list', '--csv').stdout.trim().split('\n').slice(1).map((line) => line.split(',')[0])).toEqual(['a-good', 'e-good']);
  });

  it('refuses a second file of the batch that gives the same name, with or without --replace and --dry-run, and exits 1', () => {
    const project = newProject();
    const dir = tempDir('qcode-twins-');
    writeFileSync(join(dir, 'a.txt'), 'one\n');
    writeFileSync(join(dir, 'A.txt'), 'two\n');
    writeFileSync(join(dir, 'b.txt'), 'three\n');
    for (const flags of [['--replace', '--dry-run'], ['--dry-run'], ['--replace']]) {
      const result = qcode(project, 'import', dir, ...flags);
      expect(result.code).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines[0]).toBe(`✗ ${join(dir, 'A.txt')}: the document name "a" is already taken in this batch by ${join(dir, 'a.txt')} — Rename one of the two files, or give this one another name in a manifest's slug column (or import it on its own with --slug NAME)`);
      expect(lines).toHaveLength(2);
      expect(result.stdout).toMatch(/^(Dry run, nothing written: would import|Imported) 2 files · 1 failed — 2 documents, /);
    }
    expect(qcode(project, 'docs', 'show', 'a').stdout).toMatch(/#1 one/);
  });

  it('refuses invalid UTF-8 declared with --encoding utf8, with line and column', () => {
    const project = newProject();
    const file = join(tempDir(), 'broken.txt');
    writeFileSync(file, Buffer.concat([Buffer.from('I: Hi.\nR: Hello '), Buffer.from([0xff]), Buffer.from(' there.')]));
    const result = qcode(project, 'import', file, '--encoding', 'utf8');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/✗ .*broken\.txt:2:10: byte 0xFF is not valid UTF-8 \(--encoding utf8\)/);
  });

  it('refuses a device and a FIFO without hanging', () => {
    const project = newProject();
    const fifo = join(tempDir(), 'pipe.txt');
    execFileSync('mkfifo', [fifo]);
    const result = qcode(project, 'import', '/dev/null', fifo);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('✗ /dev/null: is a device, not a file');
    expect(result.stderr).toMatch(/✗ .*pipe\.txt: is a named pipe \(FIFO\), not a file/);
  });

  it('refuses an unreadable file and an unreadable folder, one line each, and imports the rest', () => {
    const project = newProject();
    const dir = tempDir('qcode-perm-');
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'a-good.txt'), 'I: How?\nR: Like this.\n');
    writeFileSync(join(dir, 'b-secret.txt'), 'I: Hi.\nR: Secret.\n');
    mkdirSync(join(dir, 'c-locked'));
    writeFileSync(join(dir, 'c-locked', 'inside.txt'), 'I: Hi.\nR: Hidden.\n');
    chmodSync(join(dir, 'b-secret.txt'), 0o000);
    chmodSync(join(dir, 'c-locked'), 0o000);
    // Root reads any file: as root, qcode runs as "nobody", who owns the project but not the locked files.
    const asRoot = process.getuid?.() === 0;
    let result: ReturnType<typeof runQcode>;
    if (asRoot) {
      chmodSync(dirname(project), 0o755);
      for (const name of readdirSync(project)) chownSync(join(project, name), 65534, 65534);
      chownSync(project, 65534, 65534);
      const run = spawnSync(process.execPath, [BIN, '--project', project, 'import', dir], { encoding: 'utf8', uid: 65534, gid: 65534, cwd: dir, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } });
      result = { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
    } else {
      result = runQcode(['--project', project, 'import', dir], { cwd: dir });
    }
    chmodSync(join(dir, 'c-locked'), 0o755);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      "✗ c-locked: cannot read the folder: permission denied (check the file's permissions)",
      "✗ b-secret.txt: permission denied (check the file's permissions)",
      'Error: 2 of 3 files failed (listed above); the other files were imported',
    ]);
    expect(result.stdout).toBe('Imported 1 file · 2 failed — 1 document, 2 segments, 0.0 MB.\n');
    expect(qcode(project, 'docs', 'list', '--csv').stdout.trim().split('\n').slice(1).map((line) => line.split(',')[0])).toEqual(['a-good']);
  });

  it('names the manifest row of a missing file', () => {
    const project = newProject();
    const dir = fixtures();
    const manifest = join(dir, 'interviews', 'manifest.csv');
    writeFileSync(manifest, `${readFileSync(manifest, 'utf8')}r99-nowhere.txt,R99,DE,2022,none,emigrant,male,30-39,Bonn,2024-01-01\n`);
    const result = qcode(project, 'import', '--manifest', manifest);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/✗ .*manifest\.csv row 18: r99-nowhere\.txt: no such file or folder/);
    expect(result.stdout).toMatch(/^Imported 16 files · 1 failed/);
  });

  it('lists every manifest problem as FILE:LINE:COL and imports nothing', () => {
    const project = newProject();
    const dir = fixtures();
    const manifest = join(dir, 'interviews', 'manifest.csv');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('r02-riga-en.txt,R02,LV', 'r02-riga-en.txt,R02,Latvia'));
    const result = qcode(project, 'import', '--manifest', manifest);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/manifest\.csv:3:3: row 3, column host_country: "Latvia" is not a value of host_country/);
    expect(result.stderr).toMatch(/Error: .*manifest\.csv: 1 problem; nothing was imported/);
    expect(qcode(project, 'docs', 'list', '--json').stdout.trim()).toBe('[]');
  });

  it('refuses a manifest and a cases CSV with unbalanced quotes, naming line and row, and writes nothing', () => {
    const project = newProject();
    const dir = fixtures();
    const manifest = join(dir, 'interviews', 'manifest.csv');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('r03-warsaw-ru.txt,R03,PL,2022,participant,emigrant,female,18-29,Warsaw', 'r03-warsaw-ru.txt,R03,PL,2022,participant,emigrant,female,18-29,"Warsaw'));
    const imported = qcode(project, 'import', '--manifest', manifest);
    expect(imported.code).toBe(1);
    expect(imported.stderr).toMatch(/^Error: .*manifest\.csv:4: row 4: a quoted field is never closed \(unbalanced quotes; the row starts on line 4 and runs to the end of the file\) — /);
    expect(imported.stderr.trim().split('\n')).toHaveLength(1);
    const cases = join(tempDir(), 'cases.csv');
    writeFileSync(cases, 'case,host_country,city\nR01,LT,Vilnius\nR02,LV,"Riga\nR03,PL,Warsaw\n');
    const set = qcode(project, 'cases', 'import', cases);
    expect(set.code).toBe(1);
    expect(set.stderr).toMatch(/^Error: .*cases\.csv:3: row 3: a quoted field is never closed/);
    expect(qcode(project, 'docs', 'list', '--json').stdout.trim()).toBe('[]');
    expect(qcode(project, 'cases', 'list', '--json').stdout.trim()).toBe('[]');
  });

  it('exits 2 on usage errors', () => {
    const project = newProject();
    expect(qcode(project, 'import', 'x.txt', '--segment', 'words').code).toBe(2);
    const encoding = qcode(project, 'import', 'x.txt', '--encoding', 'latin1');
    expect(encoding.code).toBe(2);
    expect(encoding.stderr).toContain('unknown encoding "latin1"');
    expect(qcode(project, 'import').code).toBe(2);
  });

  it('sets and lists case attributes, refusing bad values with row and column', () => {
    const project = newProject();
    const set = qcode(project, 'cases', 'set', 'R07', 'host_country=ES', 'emigration_year=2022');
    expect(set.stdout).toBe('R07 (new case): host_country=ES, emigration_year=2022\n');
    const bad = qcode(project, 'cases', 'set', 'R07', 'host_country=Spain');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('"Spain" is not a value of host_country');
    const file = join(tempDir(), 'cases.csv');
    writeFileSync(file, 'case,host_country,interview_date\nR08,DE,2024-13-01\n');
    const imported = qcode(project, 'cases', 'import', file);
    expect(imported.code).toBe(1);
    expect(imported.stderr).toMatch(/cases\.csv:2:3: row 2, column interview_date: interview_date must be a date written yyyy-mm-dd/);
    expect(qcode(project, 'cases', 'list', '--csv').stdout).toBe('case,kind,documents,host_country,emigration_year\nR07,participant,0,ES,2022\n');
  });
});

describe('qcode import: content not taken whole', () => {
  it('says so for the file without --verbose, and lists it as warnings in --json', () => {
    const project = newProject();
    const dir = tempDir();
    writeFileSync(join(dir, 'bell.txt'), 'Interviewer: Hello?\n\nRespondent: A bell\u0007 rang.\n');
    writeFileSync(join(dir, 'plain.txt'), 'Interviewer: Hello?\n\nRespondent: Nothing odd.\n');
    const result = qcode(project, 'import', join(dir, 'bell.txt'), join(dir, 'plain.txt'));
    expect(result.code).toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^! imported\s+\S*bell\.txt → bell \(.*1 control character removed\)$/);

    writeFileSync(join(dir, 'bell2.txt'), 'Respondent: Another\u0007 bell.\n');
    const json = JSON.parse(qcode(project, 'import', join(dir, 'bell2.txt'), '--json').stdout) as { files: Array<{ slug: string; warnings: string[] }> };
    expect(json.files.map((file) => [file.slug, file.warnings])).toEqual([['bell2', ['1 control character removed']]]);
  });
});
