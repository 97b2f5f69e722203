import { UserError } from '../../core/errors.js';
import { binarySignature, detectEncoding, ENCODING_LABELS, looksBinary, type Encoding, type EncodingOption } from '../../core/encoding.js';

export interface DecodedText {
  /** The decoded text, byte-order mark removed, not yet normalised. */
  text: string;
  encoding: Encoding;
}

const encodingHint = (flag: string): string => `Pass ${flag} utf8|utf16|cp1251|koi8r (check the result with --dry-run and qcode docs show), or save the file as UTF-8`;

/**
 * Turns a file's bytes into text in the encoding detectEncoding chooses (or --encoding names), or
 * refuses with a message naming the file, the candidates and the flag. Never returns mojibake knowingly.
 */
export async function decodeBytes(bytes: Uint8Array, file: string, requested: EncodingOption, flag = '--encoding'): Promise<DecodedText> {
  const utf8 = fastUtf8(bytes, requested);
  if (utf8 !== undefined) return { text: utf8, encoding: 'utf8' };
  const decision = detectEncoding(bytes, requested);
  if (!decision.ok) {
    switch (decision.problem) {
      case 'binary':
        throw new UserError(`${file}: not a text file (${decision.detail})`, {
          hint: 'qcode imports .txt, .md, .docx, .vtt, .srt, .html and survey .csv files',
        });
      case 'invalid-utf8': {
        const why = decision.declared === 'bom' ? ', although it starts with a UTF-8 byte-order mark'
          : decision.declared === 'requested' ? ` (${flag} utf8)`
          : ': the rest of the file is UTF-8, so it is damaged or mixes encodings';
        throw new UserError(`${file}:${decision.line}:${decision.col}: byte 0x${decision.byte.toString(16).toUpperCase().padStart(2, '0')} is not valid UTF-8${why}`, {
          hint: `Repair that spot in an editor, or pass ${flag} if the file is in another encoding`,
        });
      }
      case 'invalid-utf16':
        throw new UserError(`${file}: not valid UTF-16: ${decision.detail}`, { hint: encodingHint(flag) });
      case 'unsure': {
        const candidates = decision.candidates.map((encoding) => ENCODING_LABELS[encoding]);
        const guesses = await chardetGuesses(bytes);
        const named = candidates.length > 0 ? `; it could be ${candidates.join(' or ')}` : '';
        const others = guesses.length > 0 ? ` (chardet guesses ${guesses.join(', ')})` : '';
        throw new UserError(`${file}: cannot tell the encoding: ${decision.detail}${named}${others}`, { hint: encodingHint(flag) });
      }
    }
  }
  const body = decision.bomLength > 0 ? bytes.subarray(decision.bomLength) : bytes;
  const text = await decodeAs(body, decision.encoding);
  if (looksBinary(text)) {
    throw new UserError(`${file}: not a text file (mostly control characters when read as ${ENCODING_LABELS[decision.encoding]})`, {
      hint: 'qcode imports .txt, .md, .docx, .vtt, .srt, .html and survey .csv files',
    });
  }
  return { text: text.startsWith('\uFEFF') ? text.slice(1) : text, encoding: decision.encoding };
}

/**
 * Most files are plain UTF-8: decoding them once, natively, is the whole of detectEncoding's answer
 * (no mark other than UTF-8's, no NUL, no binary signature, valid UTF-8), so the check and the
 * decoding are one step. Anything else takes the full path.
 */
function fastUtf8(bytes: Uint8Array, requested: EncodingOption): string | undefined {
  if (requested !== 'auto' && requested !== 'utf8') return undefined;
  if (bytes.indexOf(0) !== -1 || (binarySignature(bytes) !== undefined && requested === 'auto')) return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
  if (looksBinary(text)) return undefined;
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

async function decodeAs(bytes: Uint8Array, encoding: Encoding): Promise<string> {
  switch (encoding) {
    case 'utf8':
      return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    case 'utf16le':
      return new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true }).decode(bytes);
    case 'utf16be':
      return new TextDecoder('utf-16be', { fatal: true, ignoreBOM: true }).decode(bytes);
    case 'cp1251':
    case 'koi8r': {
      const iconv = (await import('iconv-lite')).default;
      return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), ENCODING_LABELS[encoding]);
    }
  }
}

/** chardet's top guesses, for naming candidates when qcode itself cannot decide. */
async function chardetGuesses(bytes: Uint8Array): Promise<string[]> {
  const chardet = (await import('chardet')).default;
  return chardet
    .analyse(bytes.subarray(0, 65536))
    .filter((match) => match.confidence >= 10)
    .slice(0, 3)
    .map((match) => match.name);
}
