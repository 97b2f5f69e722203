import { UserError } from '../../core/errors.js';
import { htmlToText } from './html.js';

// Word documents through mammoth (its HTML, reduced by htmlToText): paragraphs and headings become
// paragraphs, table rows become tab-separated paragraphs, lists become one paragraph per item,
// text boxes are kept. Footnotes and endnotes are kept at the end as "[1] …" paragraphs (they are
// the author's words); comments, headers and footers are left out (they are annotations and page
// furniture, not the interview), and so are equations; the report counts the comments and equations
// left out. Tracked changes are read as accepted.

export interface DocxText {
  title: string | null;
  text: string;
  warnings: string[];
}

/** Checks that the bytes are a complete zip holding a Word document, with a clear line if not. */
async function checkPackage(bytes: Uint8Array, file: string): Promise<string[]> {
  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 0x03 || bytes[2] === 0x05) && (bytes[3] === 0x04 || bytes[3] === 0x06);
  if (!isZip) {
    const hint = bytes[0] === 0xd0 && bytes[1] === 0xcf ? 'This is an old .doc file: open it in Word or LibreOffice and save it as .docx' : 'Save it from Word or LibreOffice as .docx, or import the text as .txt';
    throw new UserError(`${file}: not a .docx file (a .docx is a zip archive; this file is not one)`, { hint });
  }
  const { unzipSync } = await import('fflate');
  const names: string[] = [];
  try {
    unzipSync(bytes, {
      filter: (entry) => {
        names.push(entry.name);
        return false;
      },
    });
  } catch (error) {
    throw new UserError(`${file}: the .docx is damaged or truncated (${(error as Error).message})`, {
      hint: 'Copy the file again from its source, or open it in Word and save it anew',
    });
  }
  if (!names.includes('word/document.xml')) {
    const kind = names.some((name) => name.startsWith('xl/')) ? 'an Excel workbook'
      : names.some((name) => name.startsWith('ppt/')) ? 'a PowerPoint file'
      : names.includes('content.xml') ? 'an OpenDocument file'
      : 'a zip archive';
    throw new UserError(`${file}: not a Word document: it is ${kind} renamed .docx (no word/document.xml inside)`, {
      hint: 'Import the documents themselves, or save this file as .docx or .txt',
    });
  }
  return names;
}

/**
 * What the text leaves out that a reader of the .docx would see: comments and equations (mammoth
 * reads neither), counted so that the import report can say so instead of dropping them silently.
 */
async function leftOut(bytes: Uint8Array, names: readonly string[]): Promise<string[]> {
  const wanted = new Set(['word/document.xml', 'word/comments.xml'].filter((name) => names.includes(name)));
  const { strFromU8, unzipSync } = await import('fflate');
  const parts = unzipSync(bytes, { filter: (entry) => wanted.has(entry.name) });
  const count = (name: string, pattern: RegExp): number => {
    const part = parts[name];
    return part === undefined ? 0 : (strFromU8(part).match(pattern) ?? []).length;
  };
  const comments = count('word/comments.xml', /<w:comment\b/g);
  // A display equation (m:oMathPara) holds one m:oMath; count each equation once.
  const equations = count('word/document.xml', /<m:oMath\b/g);
  return [
    comments > 0 ? `${comments} comment${comments === 1 ? '' : 's'} left out` : null,
    equations > 0 ? `${equations} equation${equations === 1 ? '' : 's'} left out` : null,
  ].filter((note): note is string => note !== null);
}

/** The text of a .docx (see the rules at the top of this file). */
export async function docxToText(bytes: Uint8Array, file: string): Promise<DocxText> {
  const names = await checkPackage(bytes, file);
  const mammoth = (await import('mammoth')).default;
  let result: { value: string; messages: Array<{ type: string; message: string }> };
  try {
    result = await mammoth.convertToHtml(
      { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
      { externalFileAccess: false, ignoreEmptyParagraphs: true },
    );
  } catch (error) {
    throw new UserError(`${file}: cannot read the .docx: ${(error as Error).message.split('\n')[0]}`, {
      hint: 'Open it in Word or LibreOffice and save it anew as .docx',
    });
  }
  const { text } = htmlToText(result.value, { notes: true });
  const warnings = result.messages.filter((message) => message.type === 'error').map((message) => message.message.split('\n')[0] ?? '');
  return { title: null, text, warnings: [...await leftOut(bytes, names), ...warnings] };
}
