// How a --coders value (stats, agreement, disagreements, reconcile) reads as coder names. Names are split at
// commas, but an older qcode stored names holding one ("Smith, Anna"): such a name is given in double
// quotes, or unquoted when only one reading of the value names stored coders.
import { usageError } from './errors.js';

/** A coder name as --coders takes it: in double quotes when it holds a comma or a quote. */
export function quoteCoderName(name: string): string {
  return /[,"]/.test(name) ? `"${name.replaceAll('"', '""')}"` : name;
}

/** Unquoted runs with more pieces than this are split at every comma: their readings grow as 2^pieces. */
const MAX_JOINED_PIECES = 12;

/** The names in one --coders value; `isCoder` tells a stored coder's name. */
export function coderNamesOf(value: string, isCoder: (name: string) => boolean): string[] {
  const names: string[] = [];
  let run: string[] = [];
  const endRun = (): void => {
    names.push(...readingOf(value, run, isCoder));
    run = [];
  };
  let at = 0;
  while (at <= value.length) {
    const rest = value.slice(at);
    const quoted = /^\s*"((?:[^"]|"")*)"\s*(?:,|$)/.exec(rest);
    if (quoted !== null) {
      endRun();
      names.push(quoted[1]!.replaceAll('""', '"').trim());
      at += quoted[0].length;
      if (at === value.length) break;
      continue;
    }
    const comma = value.indexOf(',', at);
    const piece = value.slice(at, comma === -1 ? undefined : comma);
    // An empty piece ("a,,b", a trailing comma) always separates: no stored name begins or ends with a comma.
    if (piece.trim() === '') endRun();
    else run.push(piece);
    if (comma === -1) break;
    at = comma + 1;
  }
  endRun();
  return names.filter((name) => name !== '');
}

/**
 * How a run of comma-separated pieces reads as names: split at every comma, unless joining some pieces back
 * (with their commas) is the only way to read the whole run as stored coders' names. Several such ways are
 * refused: which coders were meant cannot be told.
 */
function readingOf(value: string, pieces: readonly string[], isCoder: (name: string) => boolean): string[] {
  const split = pieces.map((piece) => piece.trim());
  if (pieces.length < 2 || pieces.length > MAX_JOINED_PIECES) return split;
  const readings: string[][] = [];
  const walk = (from: number, names: string[]): void => {
    if (readings.length > 1) return;
    if (from === pieces.length) {
      readings.push(names);
      return;
    }
    for (let to = from + 1; to <= pieces.length; to++) {
      const name = pieces.slice(from, to).join(',').trim();
      if (isCoder(name)) walk(to, [...names, name]);
    }
  };
  walk(0, []);
  if (readings.length === 1) return readings[0]!;
  if (readings.length === 0) return split;
  const alternatives = readings.map((names) => names.map(quoteCoderName).join(' and ')).join(', or ');
  throw usageError(`--coders ${value}: "${pieces.join(',').trim()}" could name ${alternatives}`,
    'Put a name that holds a comma in double quotes (--coders \'"Smith, Anna",boris\'), or give each coder a --coders of its own');
}

