import { readFileSync, statSync } from 'node:fs';
import { detectEncoding, ENCODING_LABELS, isUtf16, looksBinary } from '../core/encoding.js';
import { UserError } from '../core/errors.js';

/**
 * How a codebook file is read, wherever it comes from (init, codebook check/apply/diff). The bundled
 * political-remittances codebook is 62 KB for about 70 codes with definitions in two languages; 2,000 codes
 * (the most the validator accepts) written alike would stay under 2 MB. A file over 5 MB was generated or
 * pasted by mistake, and the YAML parser would spend many seconds and much memory on it before the validator could say so.
 */
export const CODEBOOK_READ_LIMIT = {
  maxBytes: 5 * 1024 * 1024,
  tooLarge: 'A codebook holds definitions, not data: shorten the long definitions or examples, or split the codebook',
} as const;

/**
 * Reads a UTF-8 text file that qcode itself must understand (codebooks, CSV batches), refusing anything
 * else clearly. `tooLarge` tells the user what to do with a file over the limit.
 */
export function readUtf8File(path: string, what: string, options: { maxBytes?: number; tooLarge?: string } = {}): string {
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  let size: number;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) throw new UserError(`${path}: not a regular file (${what} expected)`);
    size = stats.size;
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw fileError(path, error);
  }
  if (size > maxBytes) {
    // One decimal below 10 MB, so that 5.2 MB is not reported as "5 MB; the limit is 5 MB".
    const mb = (size / 1048576).toFixed(size < 10 * 1048576 ? 1 : 0);
    throw new UserError(`${path}: ${what} is ${mb} MB; the limit is ${maxBytes / 1048576} MB`, options.tooLarge === undefined ? {} : { hint: options.tooLarge });
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw fileError(path, error);
  }
  if (bytes.length === 0) throw new UserError(`${path}: the ${what} is empty`);
  // Notepad's "Unicode" and Excel's "Unicode Text" are UTF-16: name it rather than call the file binary.
  if (isUtf16(bytes)) throw new UserError(`${path}: the ${what} is UTF-16; save it as UTF-8 (in Notepad: Save as → Encoding: UTF-8)`);
  const nul = bytes.indexOf(0);
  if (nul !== -1) throw new UserError(`${path}: this is a binary file, not a ${what} (NUL byte at offset ${nul})`);
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return text.startsWith('\uFEFF') ? text.slice(1) : text;
  } catch {
    const { line, col } = firstInvalidUtf8(bytes);
    throw new UserError(`${path}:${line}:${col}: the ${what} is not valid UTF-8`, {
      hint: 'Save it as UTF-8 (in most editors: Save As… → Encoding: UTF-8).',
    });
  }
}

/**
 * Text piped in (stdin for `-`), decoded by the rule import applies to a file with --encoding auto:
 * a byte-order mark, else strict UTF-8, else UTF-16 by its byte pattern, else windows-1251 or KOI8-R
 * when the letters clearly read as Russian. Anything less certain is refused rather than stored as
 * U+FFFD: there is no --encoding flag here, so the hint is to convert before piping.
 */
export async function decodePipedText(bytes: Uint8Array, source: string): Promise<string> {
  const convert = (from: string): string => `Convert it to UTF-8 before piping it in, e.g. iconv -f ${from} -t utf-8 note.txt`;
  const decision = detectEncoding(bytes);
  if (!decision.ok) {
    switch (decision.problem) {
      case 'binary':
        throw new UserError(`${source}: not text (${decision.detail})`, { hint: 'Pipe a plain-text file, e.g. < note.txt' });
      case 'invalid-utf8': {
        const why = decision.declared === 'bom' ? ', although it starts with a UTF-8 byte-order mark' : ': the rest is UTF-8, so it is damaged or mixes encodings';
        throw new UserError(`${source}:${decision.line}:${decision.col}: byte 0x${decision.byte.toString(16).toUpperCase().padStart(2, '0')} is not valid UTF-8${why}`, {
          hint: 'Repair that spot in an editor and pipe the file again',
        });
      }
      case 'invalid-utf16':
        throw new UserError(`${source}: not valid UTF-16: ${decision.detail}`, { hint: convert('utf-16') });
      case 'unsure': {
        const candidates = decision.candidates.map((encoding) => ENCODING_LABELS[encoding]);
        const named = candidates.length > 0 ? `; it could be ${candidates.join(' or ')}` : '';
        throw new UserError(`${source}: cannot tell the encoding: ${decision.detail}${named}`, { hint: convert(candidates[0] ?? 'windows-1251') });
      }
    }
  }
  const body = bytes.subarray(decision.bomLength);
  let text: string;
  if (decision.encoding === 'cp1251' || decision.encoding === 'koi8r') {
    const iconv = (await import('iconv-lite')).default;
    text = iconv.decode(Buffer.from(body.buffer, body.byteOffset, body.byteLength), ENCODING_LABELS[decision.encoding]);
  } else {
    text = new TextDecoder(ENCODING_LABELS[decision.encoding], { fatal: true, ignoreBOM: true }).decode(body);
  }
  if (looksBinary(text)) throw new UserError(`${source}: not text (mostly control characters when read as ${ENCODING_LABELS[decision.encoding]})`, { hint: 'Pipe a plain-text file, e.g. < note.txt' });
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

export function fileError(path: string, error: unknown): UserError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT' ? 'no such file'
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'EISDIR' ? 'is a folder'
    : (error as Error).message;
  return new UserError(`${path}: ${reason}`, { cause: error });
}

/** Line and column (1-based, in characters) of the first byte that breaks UTF-8. */
function firstInvalidUtf8(bytes: Buffer): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  let i = 0;
  while (i < bytes.length) {
    const byte = bytes[i] as number;
    const length = byte < 0x80 ? 1 : byte >= 0xc2 && byte < 0xe0 ? 2 : byte >= 0xe0 && byte < 0xf0 ? 3 : byte >= 0xf0 && byte < 0xf5 ? 4 : 0;
    let valid = length > 0 && i + length <= bytes.length;
    for (let k = 1; valid && k < length; k++) valid = ((bytes[i + k] as number) & 0xc0) === 0x80;
    if (!valid) {
      const col = new TextDecoder().decode(bytes.subarray(lineStart, i)).length + 1;
      return { line, col };
    }
    if (byte === 0x0a) {
      line++;
      lineStart = i + 1;
    }
    i += length;
  }
  return { line, col: 1 };
}
