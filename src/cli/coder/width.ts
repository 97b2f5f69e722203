import { stripVTControlCharacters } from 'node:util';
import stringWidth from 'string-width';

// The coder redraws the whole screen on every key, so measuring text must be cheap. string-width
// segments graphemes and runs an emoji regex per character (about 10 ms to wrap one long answer);
// text made only of characters that are one column wide in string-width's own terms (Latin,
// Cyrillic, Greek, the punctuation, arrows and box lines the screen draws) is measured by its length.
const NARROW = /^[\u0020-\u007e\u00a0-\u00a8\u00aa-\u00ac\u00af-\u02ff\u0370-\u052f\u2010-\u2029\u202f-\u203b\u203d-\u2048\u204a-\u205e\u2190-\u2193\u2212\u2500-\u259f]*$/;

const segmenter = new Intl.Segmenter();

/** Terminal columns a text takes, colours ignored: as string-width counts them, faster for common text. */
export function columns(text: string): number {
  const plain = stripVTControlCharacters(text);
  return NARROW.test(plain) ? plain.length : stringWidth(plain);
}

/** The characters (graphemes) of a text, each with its width. */
function characters(text: string): Array<{ text: string; width: number }> {
  if (NARROW.test(text)) return [...text].map((char) => ({ text: char, width: 1 }));
  return [...segmenter.segment(text)].map(({ segment }) => ({ text: segment, width: stringWidth(segment) }));
}

/** A word too long for a line, cut into pieces that fit. */
function breakWord(word: string, width: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  let used = 0;
  for (const char of characters(word)) {
    if (used + char.width > width && piece !== '') {
      pieces.push(piece);
      piece = '';
      used = 0;
    }
    piece += char.text;
    used += char.width;
  }
  if (piece !== '') pieces.push(piece);
  return pieces;
}

/**
 * Plain text (no colours) wrapped at spaces to a width, paragraph by paragraph; a word longer than a
 * line is broken. Lines carry no leading or trailing spaces.
 */
export function wrapPlain(text: string, width: number): string[] {
  const limit = Math.max(1, width);
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    let used = 0;
    for (const word of paragraph.split(/[ \t]+/).filter((item) => item !== '')) {
      const size = columns(word);
      if (line !== '' && used + 1 + size <= limit) {
        line += ` ${word}`;
        used += 1 + size;
        continue;
      }
      if (line !== '') lines.push(line);
      if (size <= limit) {
        line = word;
        used = size;
        continue;
      }
      const pieces = breakWord(word, limit);
      lines.push(...pieces.slice(0, -1));
      line = pieces.at(-1) ?? '';
      used = columns(line);
    }
    lines.push(line);
  }
  return lines;
}
