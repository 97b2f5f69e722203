import { createRequire } from 'node:module';
import { stripVTControlCharacters } from 'node:util';

// Tables and the coder's screen measure every cell and line, so measuring must be cheap. string-width
// segments graphemes and runs an emoji regex per character; text made only of characters that are one
// column wide in string-width's own terms (Latin, Cyrillic, Greek, the punctuation, arrows and box
// lines qcode draws) is measured by its length. string-width loads on first use (require of an ES
// module, Node >= 20.19): a command that prints JSON never pays for it.
const NARROW = /^[\u0020-\u007e\u00a0-\u00a8\u00aa-\u00ac\u00af-\u02ff\u0370-\u052f\u2010-\u2029\u202f-\u203b\u203d-\u2048\u204a-\u205e\u2190-\u2193\u2212\u2500-\u259f]*$/;

let stringWidth: ((text: string) => number) | undefined;

/** Terminal columns a text takes (East Asian wide characters two, combining marks none), colours ignored. */
export function displayWidth(text: string): number {
  const plain = text.includes('\u001b') ? stripVTControlCharacters(text) : text;
  if (NARROW.test(plain)) return plain.length;
  stringWidth ??= (createRequire(import.meta.url)('string-width') as typeof import('string-width')).default;
  return stringWidth(plain);
}
