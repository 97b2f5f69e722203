// Offsets in qcode count Unicode code points, as REFI-QDA and SQLite's substr() do, not the UTF-16
// units JavaScript strings are indexed by. These helpers are the only place the two meet.

/** Number of code points in a string. */
export function codePointLength(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/**
 * Maps code-point offsets to UTF-16 indices for one text. Built once per document so that slicing
 * many segments costs O(1) each; texts without astral characters need no table at all.
 */
export class CodePointIndex {
  readonly length: number;
  private readonly utf16At: Uint32Array | null;

  constructor(private readonly text: string) {
    const length = codePointLength(text);
    this.length = length;
    if (length === text.length) {
      this.utf16At = null;
      return;
    }
    const table = new Uint32Array(length + 1);
    let cp = 0;
    for (let i = 0; i < text.length; i++) {
      table[cp++] = i;
      const unit = text.charCodeAt(i);
      if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
        const next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) i++;
      }
    }
    table[length] = text.length;
    this.utf16At = table;
  }

  /** UTF-16 index of a code-point offset (0 ≤ offset ≤ length). */
  toUtf16(offset: number): number {
    if (offset < 0 || offset > this.length) throw new RangeError(`offset ${offset} outside 0..${this.length}`);
    return this.utf16At === null ? offset : (this.utf16At[offset] as number);
  }

  /** Code-point offset of a UTF-16 index that lies on a code-point boundary. */
  toCodePoint(utf16Index: number): number {
    if (this.utf16At === null) return utf16Index;
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.utf16At[mid] as number) < utf16Index) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The text between two code-point offsets, [start, end). */
  slice(start: number, end: number): string {
    return this.text.slice(this.toUtf16(start), this.toUtf16(end));
  }
}

/** slice(text, start, end) by code points, [start, end). */
export function sliceCodePoints(text: string, start: number, end: number): string {
  return new CodePointIndex(text).slice(start, end);
}

// C0/C1 control characters other than tab and line feed; line ends and breaks are handled first.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

// Invisible characters that split a word for the full-text index and for search though a reader sees
// one word: soft hyphen (Word's optional hyphen, HTML &shy;), zero-width space, word joiner and a
// byte-order mark inside the text. Zero-width (non-)joiners stay: they shape emoji and scripts.
const INVISIBLE_IN_WORDS = /[\u00AD\u200B\u2060\uFEFF]/g;

/**
 * The one form in which qcode stores text: NFC, LF line ends, no control characters except tab and
 * newline, no byte-order mark, no invisible characters inside words (soft hyphens, zero-width
 * spaces). Returns how many control characters were removed so importers can say so.
 * Characters that end a line in other conventions (CR, vertical tab, form feed, NEL, U+2028) become a
 * line feed and U+2029 a blank line, so that removing them never glues two words together.
 */
export function normalizeText(raw: string): { text: string; removedControls: number } {
  let text = raw.replace(INVISIBLE_IN_WORDS, '');
  text = text.replace(/\r\n?|[\u000B\u000C\u0085\u2028]/g, '\n').replace(/\u2029/g, '\n\n');
  let removedControls = 0;
  text = text.replace(CONTROL_CHARACTERS, () => {
    removedControls++;
    return '';
  });
  return { text: text.normalize('NFC'), removedControls };
}

/**
 * Russian writers use ё and е interchangeably (ещё / еще), so the full-text index and every query see
 * ё as е. The replacement keeps every offset: both are single UTF-16 units.
 */
export function foldYo(text: string): string {
  return /[ёЁ]/.test(text) ? text.replace(/ё/g, 'е').replace(/Ё/g, 'Е') : text;
}

/**
 * Puts the ё back into a snippet that the full-text index cut from the folded text. The snippet holds
 * `marks` around matches and may start or end with an ellipsis; what remains is a slice of the folded
 * original, found and copied back character by character. A snippet that cannot be placed is returned as it is.
 */
export function unfoldSnippet(snippet: string, original: string, marks: readonly string[], ellipsis = '…'): string {
  if (!/[ёЁ]/.test(original)) return snippet;
  const folded = foldYo(original);
  const plain = [...marks].reduce((text, mark) => text.split(mark).join(''), snippet);
  let lead = 0;
  let core = plain;
  if (core.startsWith(ellipsis) && !folded.includes(core)) {
    core = core.slice(ellipsis.length);
    lead = ellipsis.length;
  }
  if (core.endsWith(ellipsis) && !folded.includes(core)) core = core.slice(0, -ellipsis.length);
  const at = folded.indexOf(core);
  if (at < 0) return snippet;
  let result = '';
  let k = 0;
  for (let i = 0; i < snippet.length; i++) {
    const unit = snippet[i] as string;
    if (marks.includes(unit)) {
      result += unit;
      continue;
    }
    result += k >= lead && k < lead + core.length ? original[at + k - lead] : unit;
    k++;
  }
  return result;
}

/**
 * A whole number with thousands separated by commas, as toLocaleString('en-US') writes it, without waking
 * ICU's locale data: that first call costs 20–30 ms, a tenth of a short command.
 */
export function groupDigits(n: number): string {
  return Number.isInteger(n) ? String(n).replace(/\B(?=(\d{3})+$)/g, ',') : n.toLocaleString('en-US');
}
