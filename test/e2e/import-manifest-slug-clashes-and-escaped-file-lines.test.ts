// A manifest's slugs are checked with the rest of the manifest, before anything is imported; a clash
// with an earlier import says which manifest cell to change. The per-file ✗ and ! lines show control
// characters of file names and messages escaped, keeping only the breaks before a CSV's problem lines.
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, newProject, runQcode, tempDir } from '../helpers.js';

const INTERVIEWS = ['r01-vilnius-ru.txt', 'r02-riga-en.txt', 'r03-warsaw-ru.txt'];

/** A folder with three fixture interviews and a manifest over them. */
function batch(manifest: string): { dir: string; manifest: string } {
  const dir = tempDir();
  for (const name of INTERVIEWS) copyFileSync(join(FIXTURES, 'interviews', name), join(dir, name));
  const path = join(dir, 'man.csv');
  writeFileSync(path, manifest);
  return { dir, manifest: path };
}

function slugs(project: string): string[] {
  return (JSON.parse(runQcode(['docs', 'list', '--json'], { cwd: project }).stdout) as Array<{ slug: string }>).map((doc) => doc.slug);
}

describe('import --manifest: slugs', () => {
  it('refuses a slug given twice, naming row and column, and imports nothing', () => {
    const project = newProject();
    const { manifest } = batch('file,case,slug\nr01-vilnius-ru.txt,R01,a\nr02-riga-en.txt,R02,b\nr03-warsaw-ru.txt,R03,a\n');
    const result = runQcode(['import', '--manifest', manifest], { cwd: project });
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe(`${manifest}:4:3: row 4, column slug: "a" is given already in row 2`);
    expect(result.stderr).toContain('1 problem; nothing was imported');
    expect(slugs(project)).toEqual([]);
  });

  it('refuses a slug that another row\'s file gets from its name, and imports nothing', () => {
    const project = newProject();
    const { manifest } = batch('file,case,slug\nr01-vilnius-ru.txt,R01,r02-riga-en\nr02-riga-en.txt,R02,\n');
    const result = runQcode(['import', '--manifest', manifest], { cwd: project });
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe(`${manifest}:2:3: row 2, column slug: "r02-riga-en" is also the name of row 3's r02-riga-en.txt, which has no slug`);
    expect(slugs(project)).toEqual([]);
  });

  it('says to choose another slug in the manifest row (not --slug) when the name is taken by an earlier import', () => {
    const project = newProject();
    const first = batch('file,case,slug\nr01-vilnius-ru.txt,R01,a\n');
    expect(runQcode(['import', '--manifest', first.manifest], { cwd: project }).code).toBe(0);
    const second = batch('file,case,slug\nr02-riga-en.txt,R02,a\n');
    const result = runQcode(['import', '--manifest', second.manifest], { cwd: project });
    expect(result.code).toBe(1);
    const line = result.stderr.split('\n')[0] ?? '';
    expect(line).toContain(`✗ ${join(second.dir, 'r02-riga-en.txt')}: "a" (${second.manifest} row 2, column slug) is already imported (`);
    expect(line).toMatch(/ — Choose another slug there, or pass --replace if it is the same document \(codings on unchanged segments are kept\)$/);
    expect(line).not.toContain('--slug');
  });

  it('reports a missing file under its own path in --json, with the manifest row in the message', () => {
    const project = newProject();
    const { dir, manifest } = batch('file,case\nr01-vilnius-ru.txt,R01\nr99.txt,R99\n');
    const result = runQcode(['import', '--manifest', manifest, '--json'], { cwd: project });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { files: Array<{ file: string; status: string; message: string | null }> };
    expect(report.files.map((file) => file.file)).toEqual([join(dir, 'r99.txt'), join(dir, 'r01-vilnius-ru.txt')]);
    expect(report.files[0]).toMatchObject({ status: 'failed', message: `${manifest} row 3: r99.txt: no such file or folder` });
  });
});

describe('import: control characters in the per-file lines', () => {
  it('shows a line feed or escape in a file name escaped, on the file\'s one line', () => {
    const project = newProject();
    const dir = tempDir();
    writeFileSync(join(dir, 'a\nb.txt'), '');
    writeFileSync(join(dir, 'x\u001b[31my.txt'), 'I: hello\u0007 there\n');
    const result = runQcode(['import', dir], { cwd: project });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toContain(`✗ ${join(dir, 'a\\nb.txt')}: the file is empty`);
    expect(lines.filter((line) => line.startsWith('! imported'))).toEqual([expect.stringContaining(`${join(dir, 'x\\u{1b}[31my.txt')} → x-31my (`)]);
    expect(result.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
  });

  it('keeps each problem of a survey on a line of its own, with line breaks inside them escaped', () => {
    const project = newProject();
    const dir = tempDir();
    const file = join(dir, 's\nv.csv');
    writeFileSync(file, 'id,q1,host_country\nS1,hello there,XX\nS2,hi,"Y\nZ"\n');
    const result = runQcode(['import', file, '--kind', 'survey', '--id-column', 'id', '--text-columns', 'q1', '--attribute-columns', 'host_country'], { cwd: project });
    expect(result.code).toBe(1);
    const shown = join(dir, 's\\nv.csv');
    expect(result.stderr.split('\n').slice(0, 3)).toEqual([
      expect.stringMatching(new RegExp(`^✗ ${shown.replace(/[\\.]/g, '\\$&')}: 2 problems; nothing was imported — `)),
      expect.stringMatching(/^ {2}.*s\\nv\.csv:2:3: row 2, column host_country: "XX" is not a value of host_country/),
      expect.stringMatching(/^ {2}.*s\\nv\.csv:3:3: row 3, column host_country: "Y\\nZ" is not a value of host_country/),
    ]);
  });
});
