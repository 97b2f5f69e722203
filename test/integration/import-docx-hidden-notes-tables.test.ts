import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { search } from '../../src/app/analysis.js';
import { importPaths } from '../../src/app/import.js';
import { tempDir } from '../helpers.js';
import { newStudy } from '../seed.js';

// A .docx through the whole import: what is stored and searchable is what a reader of the document sees.

const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

function writeDocx(dir: string, name: string, body: string, footnotes?: string): string {
  const path = join(dir, name);
  writeFileSync(path, zipSync({
    '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'),
    '_rels/.rels': strToU8(`<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="word/document.xml"/></Relationships>`),
    'word/_rels/document.xml.rels': strToU8(`<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${footnotes === undefined ? '' : `<Relationship Id="rIdF" Type="${REL}/footnotes" Target="footnotes.xml"/>`}</Relationships>`),
    'word/document.xml': strToU8(`<?xml version="1.0"?><w:document ${W}><w:body>${body}</w:body></w:document>`),
    ...(footnotes === undefined ? {} : { 'word/footnotes.xml': strToU8(`<?xml version="1.0"?><w:footnotes ${W}>${footnotes}</w:footnotes>`) }),
  }));
  return path;
}

const p = (...runs: string[]): string => `<w:p>${runs.join('')}</w:p>`;
const r = (text: string, properties = ''): string => `<w:r><w:rPr>${properties}</w:rPr><w:t xml:space="preserve">${text}</w:t></w:r>`;

describe('importing a .docx', () => {
  it('leaves hidden text out of the stored text and the search index, and says so', async () => {
    const project = await newStudy();
    const dir = tempDir('qcode-docx-');
    const file = writeDocx(dir, 'hidden.docx', p(r('Интервьюер: Как вас зовут?')) + p(r('Респондент: Меня зовут '), r('Иван Петров ', '<w:vanish/>'), r('[имя скрыто].')));
    const report = await importPaths(project, [file], { cwd: dir });
    expect(report.files[0]?.warnings).toEqual(['docx: hidden text left out in 1 paragraph']);
    const stored = project.db.prepare('SELECT text FROM documents').pluck().get() as string;
    expect(stored).toBe('Интервьюер: Как вас зовут?\n\nРеспондент: Меня зовут [имя скрыто].');
    expect(search(project, { query: 'Петров' }).total).toBe(0);
  });

  it('makes footnotes speaker-less segments, finds words split by soft hyphens, and reads a speaker | text table', async () => {
    const project = await newStudy();
    const dir = tempDir('qcode-docx-');
    const notes = writeDocx(dir, 'notes.docx',
      p(r('Интервьюер: Где вы живёте?')) + p(r('Респондент: Это информа'), '<w:r><w:softHyphen/></w:r>', r('ция: в городе'), '<w:r><w:footnoteReference w:id="1"/></w:r>', r('.')) + p(r('Интервьюер: Спасибо.')),
      `<w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r>${r(' Прим. транскрибера: Тбилиси.')}</w:p></w:footnote>`);
    const cell = (text: string): string => `<w:tc>${p(r(text))}</w:tc>`;
    const table = writeDocx(dir, 'table.docx', `<w:tbl><w:tr>${cell('И')}${cell('Когда вы уехали?')}</w:tr><w:tr>${cell('Р')}${cell('В марте.')}</w:tr></w:tbl>`);
    await importPaths(project, [notes], { cwd: dir });
    await importPaths(project, [table], { cwd: dir, segment: 'turns', speakers: 'И=Interviewer,Р=Respondent' });
    const segments = project.db.prepare('SELECT d.slug, s.speaker, s.text FROM segments s JOIN documents d ON d.id = s.document_id ORDER BY d.id, s.ordinal').all();
    expect(segments).toEqual([
      { slug: 'notes', speaker: 'Интервьюер', text: 'Где вы живёте?' },
      { slug: 'notes', speaker: 'Респондент', text: 'Это информация: в городе[1].' },
      { slug: 'notes', speaker: 'Интервьюер', text: 'Спасибо.' },
      { slug: 'notes', speaker: null, text: '[1] Прим. транскрибера: Тбилиси.' },
      { slug: 'table', speaker: 'Interviewer', text: 'Когда вы уехали?' },
      { slug: 'table', speaker: 'Respondent', text: 'В марте.' },
    ]);
    expect(search(project, { query: 'информация' }).total).toBe(1);
  });
});
