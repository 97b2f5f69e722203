import { displayWidth } from '../width.js';

const segmenter = new Intl.Segmenter();

/** The characters (graphemes) of a text, each with its width. */
function characters(text: string): Array<{ text: string; width: number }> {
  return [...segmenter.segment(text)].map(({ segment }) => ({ text: segment, width: displayWidth(segment) }));
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
      const size = displayWidth(word);
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
      used = displayWidth(line);
    }
    lines.push(line);
  }
  return lines;
}
