import { parse } from 'csv-parse/sync';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPortableName, portableStem } from '../../src/core/names.js';
import { spssSyntax } from '../../src/io/export/spss.js';
import type { ExportColumn } from '../../src/io/export/table.js';
import { available } from '../export-clients.js';
import { qcodeOk, runQcode, tempDir } from '../helpers.js';

// PSPP takes the first word of every line of syntax, indented or not, for a possible command: COMM…COMMENT,
// DOC…DOCUMENT and DEFINE always, FILE before LABEL and DO before REPEAT. A column so named that starts a
// line of /VARIABLES= or of a name list ended GET DATA there and lost every later column.

const hasPspp = available('pspp', ['--version'], 'GNU PSPP');
const UTF8 = { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };

function pspp(dir: string, file: string): { status: number | null; output: string } {
  const result = spawnSync('pspp', ['-b', '-o', `${file}.txt`, file], { cwd: dir, encoding: 'utf8', env: UTF8 });
  return { status: result.status, output: readFileSync(join(dir, `${file}.txt`), 'utf8') };
}

/** The columns and rows PSPP saved in a .sav, read back through SAVE TRANSLATE. */
function savedCsv(dir: string, sav: string): Array<Record<string, string>> {
  writeFileSync(join(dir, 'back.sps'), `GET FILE='${sav}'.\nSAVE TRANSLATE /OUTFILE='back.csv' /TYPE=CSV /FIELDNAMES /REPLACE.\n`);
  const { status, output } = pspp(dir, 'back.sps');
  expect(status, output).toBe(0);
  return parse(readFileSync(join(dir, 'back.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
}

const COMMAND_WORDS = ['comm', 'comme', 'commen', 'comment', 'doc', 'document', 'define', 'file', 'do'];

describe('column names PSPP would read as a command', () => {
  it.each(COMMAND_WORDS)('%s gets _v', (raw) => {
    expect(portableStem(raw)).toBe(`${raw}_v`);
    expect(portableStem(raw.toUpperCase())).toBe(`${raw.toUpperCase()}_v`);
    expect(isPortableName(raw)).toBe(false);
  });

  it.each(['com', 'commentary', 'comm_x', 'defin', 'defines', 'files', 'dos', 'title', 'end', 'begin'])('%s stays as it is', (raw) => {
    expect(portableStem(raw)).toBe(raw);
  });
});

describe.skipIf(!hasPspp)('PSPP reads every column whatever the names', () => {
  it('an export with attributes named comment, define, file, do … runs in PSPP with every column', () => {
    const dir = tempDir();
    const project = join(dir, 'p');
    const names = ['comment', 'comm', 'define', 'file', 'lab', 'do', 'rep', 'after'];
    writeFileSync(join(dir, 'cb.yaml'), [
      'codebook: t',
      'attributes:',
      ...names.map((name) => `  ${name}: {type: text, label: ${name} label}`),
      'dimensions:',
      '  - id: dd',
      '    label: D',
      '    codes: [{id: x, label: X}]',
      '',
    ].join('\n'));
    writeFileSync(join(dir, 'a.txt'), 'Interviewer: Q?\nRespondent: A.\n');
    expect(runQcode(['init', project, '--codebook', join(dir, 'cb.yaml'), '--quiet']).code).toBe(0);
    qcodeOk(project, 'import', join(dir, 'a.txt'), '--case', 'K1', '--quiet');
    qcodeOk(project, 'cases', 'set', 'K1', ...names.map((name) => `${name}=${name}-value`), '--quiet');
    qcodeOk(project, 'tag', 'a:2', 'dd.x', '--coder', 'anna', '--quiet');
    const out = join(dir, 'e');
    qcodeOk(project, 'export', 'all', '--out', out, '--quiet');

    const { status, output } = pspp(out, 'qcode.sps');
    expect(status, output).toBe(0);
    expect(output).not.toMatch(/error|warning/i);
    const segment = savedCsv(out, 'segments.sav').find((row) => row.segment === '2');
    expect(segment).toMatchObject({
      comment_v: 'comment-value', comm_v: 'comm-value', define_v: 'define-value', file_v: 'file-value',
      lab: 'lab-value', do_v: 'do-value', rep: 'rep-value', after: 'after-value', dd_x: '1',
    });
    expect(segment!.text).toBe('A.');
  });

  // The export never puts FILE before LABEL or DO before REPEAT at the start of a name list by itself;
  // this writes such lists directly, with the names the allocator gives.
  it.each([['file', 'lab'], ['file', 'label'], ['do', 'rep'], ['comment', 'x'], ['define', 'x']])('a name list starting "%s %s" reads', (first, second) => {
    const dir = tempDir();
    const names = [portableStem(first), second, 'zz'];
    const columns: ExportColumn[] = names.map((name) => ({ name, label: name, type: 'string', bytes: 2 }));
    writeFileSync(join(dir, 't.csv'), `${names.join(',')}\na,b,c\n`);
    writeFileSync(join(dir, 'qcode.sps'), spssSyntax([{ file: 't.csv', name: 't', title: 'T', columns, rows: 1 }], { project: 'p', exportedAt: 'now', unit: 'segment' }));
    const { status, output } = pspp(dir, 'qcode.sps');
    expect(status, output).toBe(0);
    expect(output).not.toMatch(/error|warning/i);
    expect(savedCsv(dir, 't.sav')).toEqual([Object.fromEntries(names.map((name, i) => [name, 'abc'[i]]))]);
  });
});
