import { usageError } from './errors.js';

// Deciding how the bytes of a file become text, without any I/O: byte-order marks, strict UTF-8,
// UTF-16 without a mark, and Windows-1251 against KOI8-R by how Russian the letters look.
// A wrong guess stores mojibake that nobody notices until the analysis, so every rule here
// prefers refusing (and naming the --encoding flag) to guessing.

/** The encodings qcode reads. */
export type Encoding = 'utf8' | 'utf16le' | 'utf16be' | 'cp1251' | 'koi8r';

/** What --encoding accepts: `utf16` lets the byte-order mark (or the byte pattern) choose LE or BE. */
export type EncodingOption = 'auto' | 'utf16' | Encoding;

export const ENCODING_OPTIONS: readonly EncodingOption[] = ['auto', 'utf8', 'utf16', 'utf16le', 'utf16be', 'cp1251', 'koi8r'];

/** The name iconv-lite, TextDecoder and editors use for each encoding. */
export const ENCODING_LABELS: Record<Encoding, string> = {
  utf8: 'UTF-8',
  utf16le: 'UTF-16LE',
  utf16be: 'UTF-16BE',
  cp1251: 'windows-1251',
  koi8r: 'KOI8-R',
};

const ALIASES: Record<string, EncodingOption> = {
  auto: 'auto',
  utf8: 'utf8', 'utf-8': 'utf8', 'utf8bom': 'utf8', 'utf-8-sig': 'utf8',
  utf16: 'utf16', 'utf-16': 'utf16',
  utf16le: 'utf16le', 'utf-16le': 'utf16le',
  utf16be: 'utf16be', 'utf-16be': 'utf16be',
  cp1251: 'cp1251', 'windows-1251': 'cp1251', win1251: 'cp1251', 'win-1251': 'cp1251',
  koi8r: 'koi8r', 'koi8-r': 'koi8r', koi8: 'koi8r',
};

/** Parses an --encoding value (common spellings such as windows-1251 or utf-8 are accepted). */
export function parseEncodingOption(value: string): EncodingOption {
  const option = ALIASES[value.trim().toLowerCase()];
  if (option === undefined) {
    throw usageError(`unknown encoding "${value}"`, `Use one of: ${ENCODING_OPTIONS.join(', ')}`);
  }
  return option;
}

export type EncodingDecision =
  | { ok: true; encoding: Encoding; bomLength: number; how: 'bom' | 'requested' | 'valid-utf8' | 'byte-pattern' | 'letter-statistics' }
  | { ok: false; problem: 'binary'; detail: string }
  | { ok: false; problem: 'invalid-utf8'; line: number; col: number; byte: number; declared: 'bom' | 'requested' | 'mostly-utf8' }
  | { ok: false; problem: 'invalid-utf16'; detail: string }
  | { ok: false; problem: 'unsure'; candidates: Encoding[]; detail: string };

const SIGNATURES: ReadonlyArray<[string, readonly number[]]> = [
  ['a PDF document', [0x25, 0x50, 0x44, 0x46]],
  ['a zip archive (or .docx/.xlsx/.odt saved under another name)', [0x50, 0x4b, 0x03, 0x04]],
  ['an old Word/Excel document (.doc/.xls); save it as .docx or .txt', [0xd0, 0xcf, 0x11, 0xe0]],
  ['a PNG image', [0x89, 0x50, 0x4e, 0x47]],
  ['a JPEG image', [0xff, 0xd8, 0xff]],
  ['a GIF image', [0x47, 0x49, 0x46, 0x38]],
  ['a gzip archive', [0x1f, 0x8b]],
  ['an RTF document; save it as .docx or .txt', [0x7b, 0x5c, 0x72, 0x74, 0x66]],
  ['a SQLite database', [0x53, 0x51, 0x4c, 0x69, 0x74, 0x65, 0x20, 0x66]],
  ['UTF-32 text, which qcode does not read; save it as UTF-8', [0xff, 0xfe, 0x00, 0x00]],
  ['UTF-32 text, which qcode does not read; save it as UTF-8', [0x00, 0x00, 0xfe, 0xff]],
];

/** What a file that is not text is, judged by its first bytes (undefined when no signature matches). */
export function binarySignature(bytes: Uint8Array): string | undefined {
  for (const [name, signature] of SIGNATURES) {
    if (signature.every((byte, index) => bytes[index] === byte)) return name;
  }
  return undefined;
}

/**
 * Chooses the encoding of a file's bytes. `requested` is the --encoding flag; `auto` looks at the
 * byte-order mark, then strict UTF-8, then the byte pattern of UTF-16, then Cyrillic letter statistics.
 */
export function detectEncoding(bytes: Uint8Array, requested: EncodingOption = 'auto'): EncodingDecision {
  const bom = byteOrderMark(bytes);
  if (requested === 'auto' || requested === 'utf16') {
    const signature = binarySignature(bytes);
    if (signature !== undefined && signature.startsWith('UTF-32')) return { ok: false, problem: 'binary', detail: signature };
    if (bom !== undefined) {
      if (requested === 'utf16' && bom.encoding === 'utf8') return { ok: false, problem: 'unsure', candidates: ['utf8'], detail: 'the file starts with a UTF-8 byte-order mark, not a UTF-16 one' };
      return checked(bytes, bom.encoding, bom.length, 'bom');
    }
    if (signature !== undefined) return { ok: false, problem: 'binary', detail: signature };
  }
  if (requested === 'utf16') return utf16WithoutMark(bytes, true);
  if (requested !== 'auto') {
    const skip = bom !== undefined && bom.encoding === requested ? bom.length : 0;
    return checked(bytes, requested, skip, 'requested');
  }
  if (bytes.includes(0)) return utf16WithoutMark(bytes, false);
  if (isValidUtf8(bytes, 0)) return { ok: true, encoding: 'utf8', bomLength: 0, how: 'valid-utf8' };
  const invalid = firstInvalidUtf8(bytes, 0) as { line: number; col: number; byte: number };
  if (mostlyUtf8(bytes)) return { ok: false, problem: 'invalid-utf8', ...invalid, declared: 'mostly-utf8' };
  return singleByteCyrillic(bytes);
}

/**
 * True when the bytes are UTF-16 text (what Windows Notepad saves as "Unicode"): a UTF-16 byte-order
 * mark, or NUL bytes in the pattern UTF-16 without a mark has. For files that must be UTF-8, to say
 * what they are instead of calling them binary.
 */
export function isUtf16(bytes: Uint8Array): boolean {
  const bom = byteOrderMark(bytes);
  if (bom !== undefined) return bom.encoding !== 'utf8';
  if (!bytes.includes(0) || binarySignature(bytes) !== undefined) return false;
  return utf16WithoutMark(bytes, false).ok;
}

function checked(bytes: Uint8Array, encoding: Encoding, skip: number, how: 'bom' | 'requested'): EncodingDecision {
  if (encoding === 'utf8') {
    const invalid = isValidUtf8(bytes, skip) ? undefined : firstInvalidUtf8(bytes, skip);
    if (invalid !== undefined) return { ok: false, problem: 'invalid-utf8', ...invalid, declared: how };
    if (indexOfNul(bytes, skip) !== -1) return { ok: false, problem: 'binary', detail: 'it contains NUL bytes' };
  } else if (encoding === 'utf16le' || encoding === 'utf16be') {
    const problem = utf16Problem(bytes, skip, encoding);
    if (problem !== undefined) return { ok: false, problem: 'invalid-utf16', detail: problem };
  } else if (indexOfNul(bytes, skip) !== -1) {
    return { ok: false, problem: 'binary', detail: 'it contains NUL bytes' };
  }
  return { ok: true, encoding, bomLength: skip, how };
}

function byteOrderMark(bytes: Uint8Array): { encoding: Encoding; length: number } | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf8', length: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe && !(bytes[2] === 0 && bytes[3] === 0)) return { encoding: 'utf16le', length: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf16be', length: 2 };
  return undefined;
}

function indexOfNul(bytes: Uint8Array, from: number): number {
  return bytes.indexOf(0, from);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Strict UTF-8 validity, by the runtime's native decoder (the byte-by-byte walk below only locates the error). */
export function isValidUtf8(bytes: Uint8Array, from = 0): boolean {
  try {
    strictUtf8.decode(from === 0 ? bytes : bytes.subarray(from));
    return true;
  } catch {
    return false;
  }
}

/** Line, column (1-based, in characters) and value of the first byte that breaks UTF-8, or undefined when all is valid. */
export function firstInvalidUtf8(bytes: Uint8Array, from = 0): { line: number; col: number; byte: number } | undefined {
  let line = 1;
  let col = 1;
  let i = from;
  while (i < bytes.length) {
    const byte = bytes[i] as number;
    const length = utf8SequenceLength(bytes, i);
    if (length === 0) return { line, col, byte };
    if (byte === 0x0a) {
      line++;
      col = 1;
    } else {
      col += length === 4 ? 2 : 1;
    }
    i += length;
  }
  return undefined;
}

/** Length of the valid UTF-8 sequence at i (overlong forms and surrogates rejected), or 0. */
function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i] as number;
  if (b0 < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => {
    const b = bytes[i + k];
    return b !== undefined && b >= lo && b <= hi;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (b0 === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b0 >= 0xe1 && b0 <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b0 === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/** True when most non-ASCII bytes form valid UTF-8: a UTF-8 file with a few broken bytes, not a legacy encoding. */
function mostlyUtf8(bytes: Uint8Array): boolean {
  let validBytes = 0;
  let invalidBytes = 0;
  const limit = Math.min(bytes.length, 1 << 16);
  for (let i = 0; i < limit; ) {
    if ((bytes[i] as number) < 0x80) {
      i++;
      continue;
    }
    const length = utf8SequenceLength(bytes, i);
    if (length === 0) {
      invalidBytes++;
      i++;
    } else {
      validBytes += length;
      i += length;
    }
  }
  return validBytes >= 8 && invalidBytes * 10 <= validBytes;
}

function utf16Problem(bytes: Uint8Array, from: number, encoding: 'utf16le' | 'utf16be'): string | undefined {
  if ((bytes.length - from) % 2 !== 0) return 'it has an odd number of bytes, so it cannot be UTF-16';
  for (let i = from; i + 1 < bytes.length; i += 2) {
    const unit = unitAt(bytes, i, encoding);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = i + 3 < bytes.length ? unitAt(bytes, i + 2, encoding) : -1;
      if (next < 0xdc00 || next > 0xdfff) return `a broken surrogate pair at byte ${i}`;
      i += 2;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      return `a broken surrogate pair at byte ${i}`;
    }
  }
  return undefined;
}

function unitAt(bytes: Uint8Array, i: number, encoding: 'utf16le' | 'utf16be'): number {
  const a = bytes[i] as number;
  const b = bytes[i + 1] as number;
  return encoding === 'utf16le' ? a | (b << 8) : (a << 8) | b;
}

/** Share of 16-bit units that are characters a transcript plausibly holds (Latin, Cyrillic, punctuation). */
function utf16Plausibility(bytes: Uint8Array, encoding: 'utf16le' | 'utf16be'): number {
  let plausible = 0;
  let units = 0;
  const limit = Math.min(bytes.length - 1, 1 << 20);
  for (let i = 0; i < limit; i += 2) {
    const unit = unitAt(bytes, i, encoding);
    units++;
    if (
      unit === 0x09 || unit === 0x0a || unit === 0x0d ||
      (unit >= 0x20 && unit <= 0x7e) || (unit >= 0xa0 && unit <= 0x24f) ||
      (unit >= 0x300 && unit <= 0x36f) || (unit >= 0x400 && unit <= 0x4ff) ||
      (unit >= 0x2000 && unit <= 0x206f) || unit === 0x20ac || unit === 0x2116
    ) plausible++;
  }
  return units === 0 ? 0 : plausible / units;
}

function utf16WithoutMark(bytes: Uint8Array, requested: boolean): EncodingDecision {
  const le = utf16Plausibility(bytes, 'utf16le');
  const be = utf16Plausibility(bytes, 'utf16be');
  const [best, score, other] = le >= be ? (['utf16le', le, be] as const) : (['utf16be', be, le] as const);
  if (bytes.length % 2 === 0 && score >= 0.95 && other <= 0.5) {
    const decision = checked(bytes, best, 0, 'requested');
    return decision.ok ? { ...decision, how: 'byte-pattern' } : decision;
  }
  if (requested) return { ok: false, problem: 'unsure', candidates: ['utf16le', 'utf16be'], detail: 'it has no byte-order mark and its bytes do not look like UTF-16 text' };
  return { ok: false, problem: 'binary', detail: `it contains NUL bytes (the first at byte ${bytes.indexOf(0)})` };
}

// ---------------------------------------------------------------- Windows-1251 against KOI8-R

// The upper halves (0x80–0xFF) of both code pages, as iconv-lite decodes them (a unit test holds them equal).
export const HIGH_HALF: Record<'cp1251' | 'koi8r', string> = {
  cp1251:
    'ЂЃ\u201aѓ\u201e\u2026\u2020\u2021\u20ac\u2030Љ\u2039ЊЌЋЏђ\u2018\u2019\u201c\u201d\u2022\u2013\u2014\ufffd\u2122љ\u203aњќћџ' +
    '\u00a0ЎўЈ\u00a4Ґ\u00a6\u00a7Ё\u00a9Є\u00ab\u00ac\u00ad\u00aeЇ\u00b0\u00b1Ііґ\u00b5\u00b6\u00b7ё\u2116є\u00bbјЅѕї' +
    'АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдежзийклмнопрстуфхцчшщъыьэюя',
  koi8r:
    '\u2500\u2502\u250c\u2510\u2514\u2518\u251c\u2524\u252c\u2534\u253c\u2580\u2584\u2588\u258c\u2590\u2591\u2592\u2593\u2320\u25a0\u2219\u221a\u2248\u2264\u2265\u00a0\u2321\u00b0\u00b2\u00b7\u00f7' +
    '\u2550\u2551\u2552ё\u2553\u2554\u2555\u2556\u2557\u2558\u2559\u255a\u255b\u255c\u255d\u255e\u255f\u2560\u2561Ё\u2562\u2563\u2564\u2565\u2566\u2567\u2568\u2569\u256a\u256b\u256c\u00a9' +
    'юабцдефгхийклмнопярстужвьызшэщчъЮАБЦДЕФГХИЙКЛМНОПЯРСТУЖВЬЫЗШЭЩЧЪ',
};

// Letter frequencies of Russian prose (per cent), the usual corpus figures.
const RUSSIAN_FREQUENCY: Record<string, number> = {
  о: 10.97, е: 8.45, а: 8.01, и: 7.35, н: 6.7, т: 6.26, с: 5.47, р: 4.73, в: 4.54, л: 4.4, к: 3.49,
  м: 3.21, д: 2.98, п: 2.81, у: 2.62, я: 2.01, ы: 1.9, ь: 1.74, г: 1.7, з: 1.65, б: 1.59, ч: 1.44,
  й: 1.21, х: 0.97, ж: 0.94, ш: 0.73, ю: 0.64, ц: 0.48, щ: 0.36, э: 0.32, ф: 0.26, ъ: 0.04, ё: 0.04,
};
const LOG_FREQUENCY = new Map(Object.entries(RUSSIAN_FREQUENCY).map(([letter, percent]) => [letter, Math.log(percent / 100)]));

// Punctuation that Russian text in these code pages really uses; anything else in the upper half
// (box drawing, Serbian or Ukrainian letters in a Russian text) counts against the candidate.
const TYPICAL_PUNCTUATION = new Set('\u2026\u2013\u2014\u00ab\u00bb\u201c\u201d\u201e\u2018\u2019\u201a\u2116\u00a0\u00b0\u2022\u00a7\u00a9\u00b7\u00ad');

export interface CyrillicScore {
  encoding: 'cp1251' | 'koi8r';
  /** Russian letters (А–я, Ёё) among the upper-half bytes. */
  letters: number;
  highBytes: number;
  /** Upper-half bytes that are neither Russian letters nor punctuation Russian text uses. */
  oddBytes: number;
  /** A lower-case letter followed by an upper-case one inside a word: rare in real text, everywhere in mojibake. */
  caseFlips: number;
  /** Russian letters touching a Latin letter: how a Latin-1 text looks when read as Cyrillic. */
  touchingLatin: number;
  /** Mean log-probability of the letters under Russian letter frequencies. */
  meanLogFrequency: number;
  score: number;
}

// Per code page and upper-half byte: 0 odd, 1 punctuation, 2 lower-case letter, 3 upper-case letter,
// with the letter's log frequency; built once so that scoring is a loop over integers.
interface ByteClasses {
  kind: Uint8Array;
  logFrequency: Float64Array;
}

const CLASSES = new Map<'cp1251' | 'koi8r', ByteClasses>();

function byteClasses(encoding: 'cp1251' | 'koi8r'): ByteClasses {
  let classes = CLASSES.get(encoding);
  if (classes === undefined) {
    const kind = new Uint8Array(128);
    const logFrequency = new Float64Array(128);
    for (let index = 0; index < 128; index++) {
      const char = HIGH_HALF[encoding][index] as string;
      const lower = char.toLowerCase();
      const frequency = LOG_FREQUENCY.get(lower);
      if (frequency !== undefined) {
        kind[index] = lower === char ? 2 : 3;
        logFrequency[index] = frequency;
      } else {
        kind[index] = TYPICAL_PUNCTUATION.has(char) ? 1 : 0;
      }
    }
    classes = { kind, logFrequency };
    CLASSES.set(encoding, classes);
  }
  return classes;
}

/** Bytes scored: 64 KB of Russian text holds tens of thousands of letters, far more than the decision needs. */
const SCORED_BYTES = 1 << 16;

/** How Russian the bytes look when read in one code page. */
export function scoreCyrillic(bytes: Uint8Array, encoding: 'cp1251' | 'koi8r'): CyrillicScore {
  const { kind: kinds, logFrequency } = byteClasses(encoding);
  let letters = 0;
  let highBytes = 0;
  let oddBytes = 0;
  let caseFlips = 0;
  let touchingLatin = 0;
  let logSum = 0;
  // 0 = not a letter, 1 = ASCII letter, 2 = Russian lower case, 3 = Russian upper case
  let previous = 0;
  const limit = Math.min(bytes.length, SCORED_BYTES);
  for (let i = 0; i < limit; i++) {
    const byte = bytes[i] as number;
    let kind = 0;
    if (byte < 0x80) {
      kind = (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) ? 1 : 0;
      if (kind === 1 && previous >= 2) touchingLatin++;
    } else {
      highBytes++;
      const byteKind = kinds[byte - 0x80] as number;
      if (byteKind >= 2) {
        letters++;
        logSum += logFrequency[byte - 0x80] as number;
        kind = byteKind;
        if (kind === 3 && previous === 2) caseFlips++;
        if (previous === 1) touchingLatin++;
      } else if (byteKind === 0) {
        oddBytes++;
      }
    }
    previous = kind;
  }
  const meanLogFrequency = letters === 0 ? -Infinity : logSum / letters;
  const perLetter = (count: number): number => (letters === 0 ? 1 : count / letters);
  const score = meanLogFrequency - 4 * perLetter(caseFlips) - 4 * perLetter(touchingLatin) - 4 * (highBytes === 0 ? 0 : oddBytes / highBytes);
  return { encoding, letters, highBytes, oddBytes, caseFlips, touchingLatin, meanLogFrequency, score };
}

/** Fewer Russian letters than this cannot tell the two code pages apart reliably. */
export const MIN_CYRILLIC_LETTERS = 12;
/** How much better (in score units, ≈ nats per letter) the winner must be. */
const MIN_MARGIN = 0.25;
/** Real Russian prose scores about −3.0; a wrong code page about −4 or below. */
const MIN_SCORE = -3.6;

function singleByteCyrillic(bytes: Uint8Array): EncodingDecision {
  const cp1251 = scoreCyrillic(bytes, 'cp1251');
  const koi8r = scoreCyrillic(bytes, 'koi8r');
  const [best, other] = cp1251.score >= koi8r.score ? [cp1251, koi8r] : [koi8r, cp1251];
  if (best.letters > 0 && best.touchingLatin * 2 >= best.letters) {
    return { ok: false, problem: 'unsure', candidates: [], detail: 'its non-ASCII bytes sit inside Latin words, as in a Western European code page (windows-1252, ISO-8859-1), not in Russian text' };
  }
  if (best.letters < MIN_CYRILLIC_LETTERS) {
    return {
      ok: false,
      problem: 'unsure',
      candidates: best.letters > 0 ? ['cp1251', 'koi8r'] : [],
      detail: best.letters > 0 ? `too few Cyrillic letters (${best.letters}) to tell windows-1251 from KOI8-R` : 'its non-ASCII bytes are not Cyrillic letters in windows-1251 or KOI8-R',
    };
  }
  if (best.score < MIN_SCORE) {
    return { ok: false, problem: 'unsure', candidates: [], detail: 'its non-ASCII bytes do not read as Russian in windows-1251 or KOI8-R' };
  }
  if (best.score - other.score < MIN_MARGIN) {
    return { ok: false, problem: 'unsure', candidates: [best.encoding, other.encoding], detail: 'it reads about equally well as windows-1251 and as KOI8-R' };
  }
  return { ok: true, encoding: best.encoding, bomLength: 0, how: 'letter-statistics' };
}

/** True when decoded text is mostly control characters: a binary file that happened to decode. */
export function looksBinary(text: string): boolean {
  let controls = 0;
  const limit = Math.min(text.length, 16384);
  for (let i = 0; i < limit; i++) {
    const unit = text.charCodeAt(i);
    if ((unit < 0x20 && unit !== 0x09 && unit !== 0x0a && unit !== 0x0d && unit !== 0x0c) || unit === 0xfffd) controls++;
  }
  return controls > 3 && controls * 20 > limit;
}
