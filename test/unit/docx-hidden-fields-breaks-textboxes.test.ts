import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { docxToText } from '../../src/io/import/docx.js';

// Word documents built from XML strings, for what mammoth alone misreads: hidden text (a privacy
// leak when it hides a real name), simple fields, carriage returns and page or column breaks, and
// DrawingML text boxes without a VML fallback.

const NS = [
  'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"',
  'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"',
  'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"',
  'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"',
  'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"',
  'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"',
  'xmlns:v="urn:schemas-microsoft-com:vml"',
].join(' ');
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

function docx(body: string, parts: Record<string, { type: string; xml: string }> = {}): Uint8Array {
  const rels = Object.entries(parts).map(([name, part], i) => `<Relationship Id="rIdX${i}" Type="${REL}/${part.type}" Target="${name}"/>`).join('');
  return zipSync({
    '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'),
    '_rels/.rels': strToU8(`<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="word/document.xml"/></Relationships>`),
    'word/_rels/document.xml.rels': strToU8(`<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels}</Relationships>`),
    'word/document.xml': strToU8(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document ${NS}><w:body>${body}</w:body></w:document>`),
    ...Object.fromEntries(Object.entries(parts).map(([name, part]) => [`word/${name}`, strToU8(part.xml)])),
  });
}

const p = (...runs: string[]): string => `<w:p>${runs.join('')}</w:p>`;
const r = (text: string, properties = ''): string => `<w:r>${properties === '' ? '' : `<w:rPr>${properties}</w:rPr>`}<w:t xml:space="preserve">${text}</w:t></w:r>`;

describe('hidden Word text (w:vanish)', () => {
  it('is left out, runs and whole paragraphs, and counted per paragraph', async () => {
    const body = p(r('Интервьюер: Как вас зовут?'))
      + p(r('Респондент: Меня зовут '), r('Иван Петров ', '<w:vanish/>'), r('[имя скрыто].'))
      + `<w:p><w:pPr><w:rPr><w:vanish/></w:rPr></w:pPr>${r('Иван живёт на улице Ленина', '<w:b/><w:vanish/>')}</w:p>`
      + p(r('Интервьюер: Спасибо.'));
    const result = await docxToText(docx(body), 'hidden.docx');
    expect(result.text).toBe('Интервьюер: Как вас зовут?\n\nРеспондент: Меня зовут [имя скрыто].\n\nИнтервьюер: Спасибо.');
    expect(result.warnings).toEqual(['hidden text left out in 2 paragraphs']);
  });

  it('w:vanish switched off stays; hiding through a character or paragraph style (and basedOn) is left out', async () => {
    const styles = `<?xml version="1.0"?><w:styles ${NS}>`
      + '<w:style w:type="character" w:styleId="Secret"><w:rPr><w:vanish/></w:rPr></w:style>'
      + '<w:style w:type="character" w:styleId="MoreSecret"><w:basedOn w:val="Secret"/></w:style>'
      + '<w:style w:type="character" w:styleId="Shown"><w:basedOn w:val="Secret"/><w:rPr><w:vanish w:val="0"/></w:rPr></w:style>'
      + '<w:style w:type="paragraph" w:styleId="HiddenPara"><w:rPr><w:vanish/></w:rPr></w:style></w:styles>';
    const body = p(r('Р: один '), r('ВИДНО ', '<w:vanish w:val="false"/>'), r('СКРЫТО1 ', '<w:rStyle w:val="Secret"/>'), r('СКРЫТО2 ', '<w:rStyle w:val="MoreSecret"/>'), r('ТОЖЕВИДНО', '<w:rStyle w:val="Shown"/>'))
      + `<w:p><w:pPr><w:pStyle w:val="HiddenPara"/></w:pPr>${r('СКРЫТО3')}</w:p>`
      + p(r('Р: два'));
    const result = await docxToText(docx(body, { 'styles.xml': { type: 'styles', xml: styles } }), 'styled.docx');
    expect(result.text).toBe('Р: один ВИДНО ТОЖЕВИДНО\n\nР: два');
    expect(result.warnings).toEqual(['hidden text left out in 2 paragraphs']);
  });

  it('is left out of footnotes too, and a hidden field result leaves the field balanced', async () => {
    const footnotes = `<?xml version="1.0"?><w:footnotes ${NS}><w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r>${r(' Прим.: ')}${r('настоящее имя Иван', '<w:vanish/>')}</w:p></w:footnote></w:footnotes>`;
    const body = p(r('Р: В городе'), '<w:r><w:footnoteReference w:id="1"/></w:r>', r('.'))
      + p(r('И: Дата '), '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> DATE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>', r('01.03.2024', '<w:vanish/>'), '<w:r><w:rPr><w:vanish/></w:rPr><w:fldChar w:fldCharType="end"/></w:r>', r(' после.'));
    const result = await docxToText(docx(body, { 'footnotes.xml': { type: 'footnotes', xml: footnotes } }), 'notes.docx');
    expect(result.text).toBe('Р: В городе[1].\n\nИ: Дата после.\n\n[1] Прим.:');
    expect(result.text).not.toMatch(/Иван|2024/);
    expect(result.warnings).toEqual(['hidden text left out in 2 paragraphs']);
  });
});

describe('breaks, fields and text boxes', () => {
  it('a carriage return, a page break and a column break end a line instead of gluing two words', async () => {
    const body = p(r('Р: конца'), '<w:r><w:br w:type="page"/></w:r>', r('страницы, потом'), '<w:r><w:cr/></w:r>', r('перевод, колонка'), '<w:r><w:br w:type="column"/></w:r>', r('вторая'));
    expect((await docxToText(docx(body), 'breaks.docx')).text).toBe('Р: конца\nстраницы, потом\nперевод, колонка\nвторая');
  });

  it('a page break in a paragraph of its own adds no text', async () => {
    const body = p(r('И: Вопрос?')) + p('<w:r><w:br w:type="page"/></w:r>') + p(r('Р: Ответ.'));
    expect((await docxToText(docx(body), 'page.docx')).text).toBe('И: Вопрос?\n\nР: Ответ.');
  });

  it('a simple field keeps its result', async () => {
    const body = p(r('Р: Я живу в городе '), '<w:fldSimple w:instr=" MERGEFIELD city "><w:r><w:t>Берлин</w:t></w:r></w:fldSimple>', r(' уже год.'));
    expect((await docxToText(docx(body), 'field.docx')).text).toBe('Р: Я живу в городе Берлин уже год.');
  });

  const box = (text: string): string => `<w:drawing><wp:anchor><a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp><wps:txbx><w:txbxContent>${p(r(text))}</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>`;

  it('a DrawingML text box without a VML fallback is kept, after its paragraph', async () => {
    const body = p(r('Р: До.'), `<w:r>${box('ЦИТАТА в рамке')}</w:r>`, r(' После.'));
    expect((await docxToText(docx(body), 'textbox.docx')).text).toBe('Р: До. После.\n\nЦИТАТА в рамке');
  });

  it('a text box in mc:AlternateContent is read once: from the fallback, or from the choice when there is none', async () => {
    const vml = (text: string): string => `<w:pict><v:shape><v:textbox><w:txbxContent>${p(r(text))}</w:txbxContent></v:textbox></v:shape></w:pict>`;
    const both = p(r('Р: А.'), `<w:r><mc:AlternateContent><mc:Choice Requires="wps">${box('РАМКА')}</mc:Choice><mc:Fallback>${vml('РАМКА')}</mc:Fallback></mc:AlternateContent></w:r>`);
    expect((await docxToText(docx(both), 'both.docx')).text).toBe('Р: А.\n\nРАМКА');
    const choiceOnly = p(r('Р: Б.'), `<w:r><mc:AlternateContent><mc:Choice Requires="wps">${box('ТОЛЬКО ВЫБОР')}</mc:Choice></mc:AlternateContent></w:r>`);
    expect((await docxToText(docx(choiceOnly), 'choice.docx')).text).toBe('Р: Б.\n\nТОЛЬКО ВЫБОР');
  });

  it('hidden text in a text box with both branches is counted once', async () => {
    const hiddenBox = (): string => `<w:txbxContent>${p(r('видно '), r('скрыто', '<w:vanish/>'))}</w:txbxContent>`;
    const body = p(r('Р: А.'), `<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData><wps:wsp><wps:txbx>${hiddenBox()}</wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>${hiddenBox()}</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>`);
    const result = await docxToText(docx(body), 'box.docx');
    expect(result.text).toBe('Р: А.\n\nвидно');
    expect(result.warnings).toEqual(['hidden text left out in 1 paragraph']);
  });

  it('a document with nothing to rewrite reads as before, entities and all', async () => {
    const body = p(r('И: Tom &amp; Jerry &lt;3')) + `<w:tbl><w:tr><w:tc>${p(r('a'))}</w:tc><w:tc>${p(r('b'))}</w:tc></w:tr></w:tbl>`;
    const result = await docxToText(docx(body), 'plain.docx');
    expect(result).toEqual({ title: null, text: 'И: Tom & Jerry <3\n\na\tb', warnings: [] });
  });
});
