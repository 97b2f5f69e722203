import { zipSync } from 'fflate';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runQcode, tempDir } from '../helpers.js';
import { expectSchemaValid } from '../refi-helpers.js';

// .qdpx files from elsewhere that used to be read as they were and left a project that printed terminal
// escapes or could not be exported again.

const encode = (value: string): Uint8Array => new TextEncoder().encode(value);
const USER = '11111111-1111-4111-8111-111111111111';
const CODE = '22222222-2222-4222-8222-222222222222';
const SOURCE = '33333333-3333-4333-8333-333333333333';
const NOTE = '44444444-4444-4444-8444-444444444444';
const VARIABLE = '55555555-5555-4555-8555-555555555555';
const CASE = '66666666-6666-4666-8666-666666666666';

function qdpx(dir: string, file: string, parts: { userName?: string; sourceName?: string; note?: string; date?: string }): void {
  const qde = `<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="hostile" origin="elsewhere">
  <Users><User guid="${USER}" name="${parts.userName ?? 'Anna'}"/></Users>
  <CodeBook><Codes><Code guid="${CODE}" name="Protest" isCodable="true"/></Codes></CodeBook>
  <Variables><Variable guid="${VARIABLE}" name="Interview date" typeOfVariable="Date"/></Variables>
  <Cases><Case guid="${CASE}" name="R01"><VariableValue><VariableRef targetGUID="${VARIABLE}"/><DateValue>${parts.date ?? '2024-02-29'}</DateValue></VariableValue><SourceRef targetGUID="${SOURCE}"/></Case></Cases>
  <Sources><TextSource guid="${SOURCE}" name="${parts.sourceName ?? 'r01.txt'}" plainTextPath="internal://${SOURCE}.txt" creatingUser="${USER}"/></Sources>
  <Notes><Note guid="${NOTE}" name="memo" creatingUser="${USER}"><PlainTextContent>${parts.note ?? 'A note.'}</PlainTextContent></Note></Notes>
</Project>
`;
  writeFileSync(join(dir, file), zipSync({ 'project.qde': encode(qde), [`sources/${SOURCE}.txt`]: encode('I: Hello.\n\nR: We stood there.\n') }));
}

describe('qcode refi import of hostile and impossible content (the built binary)', () => {
  it('refuses characters XML 1.0 does not allow, raw or as references, in one line that says where, and creates nothing', () => {
    const out = tempDir('qcode-refi-hostile-');
    qdpx(out, 'good.qdpx', {});
    expect(runQcode(['refi', 'import', 'good.qdpx', 'good'], { cwd: out }).code).toBe(0);

    const cases: Array<[string, Parameters<typeof qdpx>[2], string]> = [
      ['name.qdpx', { sourceName: 'Evil&#27;[2J&#27;]0;pwned&#7;.txt' }, 'name.qdpx:project.qde:7:78: not well-formed XML: &#27; stands for U+001B, which XML 1.0 does not allow'],
      ['user.qdpx', { userName: 'An&#7;na' }, 'user.qdpx:project.qde:3:68: not well-formed XML: &#7; stands for U+0007, which XML 1.0 does not allow'],
      ['note.qdpx', { note: 'Read \u001b]0;pwned\u0007 this' }, 'note.qdpx:project.qde:8:147: not well-formed XML: the character U+001B is not allowed in XML 1.0'],
    ];
    for (const [file, parts, message] of cases) {
      qdpx(out, file, parts);
      const result = runQcode(['refi', 'import', file, 'copy'], { cwd: out });
      expect(result.code, file).toBe(1);
      expect(result.stderr.trim().split('\n'), file).toEqual([`Error: ${message} — The file is damaged, or its tool wrote a character XML cannot hold (a control character, say): remove it, or export the file again`]);
      expect(result.stderr).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
      expect(existsSync(join(out, 'copy')), file).toBe(false);
    }
  });

  it('imports a date the calendar lacks as text, with a warning, so that the project exports again', () => {
    const out = tempDir('qcode-refi-hostile-');
    qdpx(out, 'date.qdpx', { date: '2024-02-30' });
    const imported = runQcode(['refi', 'import', 'date.qdpx', 'copy'], { cwd: out });
    expect(imported.code).toBe(0);
    expect(imported.stderr).toContain('Warning: variable "Interview date" holds values that are not of type date; imported as a text attribute');
    const exported = runQcode(['refi', 'export', '--qdpx', join(out, 'again.qdpx')], { cwd: join(out, 'copy') });
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expectSchemaValid({ qdpx: join(out, 'again.qdpx') });
  });
});
