/** A word as a POSIX shell reads it back: as it is when plain, else in single quotes. For hints that print a command. */
export function shellQuote(word: string): string {
  return /^[\p{L}\p{N}_@%+=:,./-]+$/u.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
