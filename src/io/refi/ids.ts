// Turning names from other tools into qcode ids. Cyrillic is transliterated with the ASCII table of
// GOST 7.79-2000 system B (ISO 9 without diacritics), minus its apostrophes and backticks, which ids
// cannot hold: Протест → protest, Щедрость → shhedrost, Хартия → xartiya. docs/refi-qda.md lists the table.

const CYRILLIC: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'yo', ж: 'zh', з: 'z', и: 'i', й: 'j', к: 'k', л: 'l',
  м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'x', ц: 'cz', ч: 'ch', ш: 'sh',
  щ: 'shh', ъ: '', ы: 'y', ь: '', э: 'e', ю: 'yu', я: 'ya',
  // Ukrainian and Belarusian letters, which appear in émigré material too.
  і: 'i', ї: 'yi', є: 'ye', ґ: 'g', ў: 'u',
};

/** Latin letters that NFKD does not reduce to ASCII. */
const LATIN_EXTRA: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ł: 'l', þ: 'th', ı: 'i' };

/** Lower-case ASCII transliteration: Cyrillic by the table above, Latin diacritics dropped, anything else removed. */
export function transliterate(name: string): string {
  let result = '';
  for (const char of name.toLowerCase()) {
    const mapped = CYRILLIC[char] ?? LATIN_EXTRA[char];
    if (mapped !== undefined) {
      result += mapped;
      continue;
    }
    result += char.normalize('NFKD').replace(/[^\x20-\x7e]/g, (rest) => (/\s/.test(rest) ? ' ' : ''));
  }
  return result;
}

const MAX_ID_LENGTH = 40;

/**
 * An id for a code, dimension or attribute: lower-case ASCII letters, digits and _, starting with a
 * letter (`fallback` when the name holds no letter or digit at all, `prefix_` before a leading digit).
 */
export function idFromName(name: string, fallback: string, separator: '_' | '-' = '_'): string {
  const words = transliterate(name).split(/[^a-z0-9]+/).filter(Boolean);
  let id = '';
  for (const word of words) {
    const next = id === '' ? word : `${id}${separator}${word}`;
    if (next.length > MAX_ID_LENGTH && id !== '') break;
    id = next.slice(0, MAX_ID_LENGTH);
  }
  if (id === '') return fallback;
  return /^[0-9]/.test(id) && separator === '_' ? `${fallback}_${id}` : id;
}

/** `base`, or `base_2`, `base_3`… : the first that is not taken yet; the result is added to `taken`. */
export function uniqueId(base: string, taken: Set<string>, separator: '_' | '-' = '_'): string {
  let candidate = base;
  for (let n = 2; taken.has(candidate); n++) candidate = `${base}${separator}${n}`;
  taken.add(candidate);
  return candidate;
}
