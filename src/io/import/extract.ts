import { UserError } from '../../core/errors.js';
import { detectEncoding, ENCODING_LABELS, firstInvalidUtf8, isValidUtf8, type Encoding, type EncodingOption } from '../../core/encoding.js';
import type { TextUnit } from '../../core/segment.js';
import { decodeBytes } from './decode.js';
import type { SourceFormat } from './paths.js';

// One entry point per file: bytes in, text (or pre-cut units) out. Heavy parsers load only when a
// file of their format comes along.

export type Extracted =
  | { kind: 'text'; text: string; title: string | null; encoding: Encoding | null; warnings: string[] }
  | { kind: 'units'; units: TextUnit[]; title: string | null; encoding: Encoding | null; warnings: string[] };

export interface ExtractOptions {
  encoding: EncodingOption;
  speakers?: ReadonlyMap<string, string> | undefined;
}

/** Reads one document file of the given format (survey CSVs have their own path). */
export async function extractDocument(bytes: Uint8Array, file: string, format: Exclude<SourceFormat, 'csv'>, options: ExtractOptions): Promise<Extracted> {
  switch (format) {
    case 'txt': {
      const { text, encoding } = await decodeBytes(bytes, file, options.encoding);
      return { kind: 'text', text, title: null, encoding, warnings: [] };
    }
    case 'md': {
      const { text, encoding } = await decodeBytes(bytes, file, options.encoding);
      const { markdownToText } = await import('./markdown.js');
      const reduced = await markdownToText(text);
      return { kind: 'text', text: reduced.text, title: reduced.title, encoding, warnings: reduced.warnings };
    }
    case 'docx': {
      const { docxToText } = await import('./docx.js');
      const reduced = await docxToText(bytes, file);
      return { kind: 'text', text: reduced.text, title: reduced.title, encoding: null, warnings: reduced.warnings };
    }
    case 'vtt':
    case 'srt': {
      const { text, encoding } = await decodeBytes(bytes, file, options.encoding);
      const { parseVtt, parseSrt, cueUnits } = await import('./subtitles.js');
      const warnings: string[] = [];
      const cues = format === 'vtt' ? parseVtt(text, file) : parseSrt(text, file, warnings);
      return { kind: 'units', units: cueUnits(cues, options.speakers), title: null, encoding, warnings };
    }
    case 'telegram': {
      const { text, encoding } = await decodeBytes(bytes, file, options.encoding);
      const { parseTelegramExport } = await import('./telegram.js');
      const chat = parseTelegramExport(text, file, options.speakers);
      return { kind: 'units', units: chat.units, title: chat.title, encoding, warnings: chat.warnings };
    }
    case 'html': {
      const { declaredCharset, htmlToText } = await import('./html.js');
      if (options.encoding === 'auto') refuseBrokenDeclaredUtf8(bytes, file, declaredCharset);
      const { text, encoding } = await decodeBytes(bytes, file, htmlEncoding(bytes, file, options.encoding, declaredCharset));
      const reduced = htmlToText(text);
      return { kind: 'text', text: reduced.text, title: reduced.title, encoding, warnings: [] };
    }
  }
}

/**
 * A page that declares UTF-8 in a <meta> tag but holds bytes that are not UTF-8 is refused, like a
 * file declared UTF-8 by --encoding or a byte-order mark: guessing against a declaration risks mojibake.
 */
function refuseBrokenDeclaredUtf8(bytes: Uint8Array, file: string, declaredCharset: (head: string) => string | undefined): void {
  const declared = declaredCharset(Buffer.from(bytes.subarray(0, 4096)).toString('latin1'));
  if (declared !== 'utf-8' && declared !== 'utf8') return;
  const invalid = firstInvalidUtf8(bytes, bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0);
  if (invalid === undefined) return;
  throw new UserError(`${file}:${invalid.line}:${invalid.col}: byte 0x${invalid.byte.toString(16).toUpperCase().padStart(2, '0')} is not valid UTF-8, although the page declares charset utf-8`, {
    hint: 'Repair that spot, or pass --encoding cp1251 (or koi8r) if the page is really in another encoding',
  });
}

/**
 * A page that is not UTF-8 and declares windows-1251 or KOI8-R in a <meta> tag is read as declared,
 * unless its letters clearly read as Russian in the other code page: a page saved in another code page
 * than its template declares is common, and reading it as declared would store mojibake.
 */
function htmlEncoding(bytes: Uint8Array, file: string, requested: EncodingOption, declaredCharset: (head: string) => string | undefined): EncodingOption {
  if (requested !== 'auto') return requested;
  const declared = declaredCharset(Buffer.from(bytes.subarray(0, 4096)).toString('latin1'));
  if (declared === undefined || isValidUtf8(bytes)) return requested;
  const page = declared === 'windows-1251' || declared === 'cp1251' ? 'cp1251' : declared === 'koi8-r' ? 'koi8r' : undefined;
  if (page === undefined) return requested;
  const detected = detectEncoding(bytes, 'auto');
  if (detected.ok && detected.how === 'letter-statistics' && detected.encoding !== page) {
    const likely = detected.encoding;
    throw new UserError(`${file}: the page declares charset ${declared}, but its text reads as ${ENCODING_LABELS[likely]}, not ${ENCODING_LABELS[page]} (read as declared, its letters would be garbled)`, {
      hint: `Pass --encoding ${likely} to read it as ${ENCODING_LABELS[likely]} (or --encoding ${page} to read it as declared); check the result with --dry-run --verbose`,
    });
  }
  return page;
}
