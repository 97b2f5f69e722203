import { existsSync, lstatSync, readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, extname, isAbsolute, join, relative, resolve } from 'node:path';

// From what the user typed (files, folders, globs) to the list of files to import, without opening
// any of them: a FIFO would block the import forever and a device never ends.

export type SourceFormat = 'txt' | 'md' | 'docx' | 'vtt' | 'srt' | 'html' | 'telegram' | 'csv';

const FORMAT_BY_EXTENSION: Record<string, SourceFormat> = {
  '.txt': 'txt', '.text': 'txt',
  '.md': 'md', '.markdown': 'md',
  '.docx': 'docx',
  '.vtt': 'vtt',
  '.srt': 'srt',
  '.html': 'html', '.htm': 'html', '.xhtml': 'html',
  '.json': 'telegram',
  '.csv': 'csv', '.tsv': 'csv',
};

export function formatOfPath(path: string): SourceFormat | undefined {
  return FORMAT_BY_EXTENSION[extname(path).toLowerCase()];
}

export interface SourceFile {
  path: string;
  /** The path as the user sees it: relative to the working folder when inside it. */
  display: string;
  size: number;
}

export interface PathProblem {
  display: string;
  message: string;
}

export interface Expansion {
  files: SourceFile[];
  /** Named paths that cannot be imported (missing, a device, a folder that cannot be read). */
  failures: PathProblem[];
  /** Files inside folders or globs that were passed over, with the reason. */
  skipped: PathProblem[];
}

export interface ExpandOptions {
  cwd: string;
  /** Takes any extension as this format (--format). */
  format?: SourceFormat | undefined;
  /** Whether .csv files are wanted (a survey import); in folders they are skipped otherwise. */
  csv: boolean;
  /** Files never to import (the manifest itself). */
  exclude: ReadonlySet<string>;
}

function displayOf(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/** Why a path that is not a regular file or folder cannot be imported. */
export function specialFileReason(stats: Stats): string | undefined {
  if (stats.isFIFO()) return 'is a named pipe (FIFO), not a file';
  if (stats.isSocket()) return 'is a socket, not a file';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'is a device, not a file';
  if (!stats.isFile() && !stats.isDirectory()) return 'is not a regular file';
  return undefined;
}

const GLOB_CHARACTERS = /[*?[\]{}]/;

/** Expands files, folders (recursively, in natural name order) and globs into files to import. */
export async function expandPaths(inputs: readonly string[], options: ExpandOptions): Promise<Expansion> {
  const expansion: Expansion = { files: [], failures: [], skipped: [] };
  /** Files taken so far by their real path, with whether the path taken is a link the walk found. */
  const seen = new Map<string, { file: SourceFile; foundLink: boolean }>();
  const visitedDirs = new Set<string>();
  const collator = new Intl.Collator('en', { numeric: true });

  const addFile = (path: string, stats: Stats, named: boolean): void => {
    const display = displayOf(path, options.cwd);
    const real = realPath(path);
    if (options.exclude.has(real) || options.exclude.has(path)) return;
    const earlier = seen.get(real);
    if (earlier !== undefined) {
      // One file reached twice (a symbolic link beside its target) is imported once, under the file's
      // own path rather than a link's, and the report names the path passed over.
      const passOver = (skipped: string, taken: string): void => {
        const message = `same file as ${taken}`;
        if (!expansion.skipped.some((item) => item.display === skipped && item.message === message)) expansion.skipped.push({ display: skipped, message });
      };
      if (earlier.file.path === path) return;
      const sameFormat = (options.format ?? formatOfPath(path)) === (options.format ?? formatOfPath(earlier.file.path));
      if (earlier.foundLink && sameFormat && !isLink(path)) {
        expansion.files.splice(expansion.files.indexOf(earlier.file), 1);
        passOver(earlier.file.display, display);
        const file = { path, display, size: stats.size };
        seen.set(real, { file, foundLink: false });
        expansion.files.push(file);
      } else {
        passOver(display, earlier.file.display);
      }
      return;
    }
    const format = options.format ?? formatOfPath(path);
    if (format === undefined) {
      const extension = extname(path) || '(no extension)';
      const spreadsheet = /^\.(xlsx|xlsm|xls|ods|numbers)$/i.test(extension);
      if (named && spreadsheet) expansion.failures.push({ display, message: 'a spreadsheet: save it as CSV (UTF-8) and import that with --kind survey, or use it with qcode cases import / --manifest once saved as CSV' });
      else if (named) expansion.failures.push({ display, message: `unsupported file type ${extension}; qcode imports .txt, .md, .docx, .vtt, .srt, .html/.htm, a Telegram chat export .json and survey .csv (or pass --format)` });
      else expansion.skipped.push({ display, message: `unsupported file type ${extension}` });
      return;
    }
    if (format === 'csv' && !options.csv) {
      if (named) expansion.failures.push({ display, message: 'a .csv is imported as a survey: add --kind survey --id-column C --text-columns A,B (case attributes: qcode cases import; a batch with cases: --manifest)' });
      else expansion.skipped.push({ display, message: 'a .csv file (surveys need --kind survey)' });
      return;
    }
    // A folder holds all sorts of .json (settings, indexes); only one named is taken for a chat export.
    if (format === 'telegram' && !named && options.format === undefined) {
      expansion.skipped.push({ display, message: 'a .json file (a Telegram chat export is imported when named: qcode import FILE.json)' });
      return;
    }
    const file = { path, display, size: stats.size };
    seen.set(real, { file, foundLink: !named && isLink(path) });
    expansion.files.push(file);
  };

  /** `root`: the real path of the folder the user named, and how they named it. */
  const walk = (dir: string, root: { real: string; display: string }): void => {
    const real = realPath(dir);
    if (visitedDirs.has(real)) return;
    visitedDirs.add(real);
    let entries: string[];
    try {
      entries = readdirSync(dir).sort(collator.compare);
    } catch (error) {
      expansion.failures.push({ display: displayOf(dir, options.cwd), message: `cannot read the folder: ${reasonOf(error)}` });
      return;
    }
    for (const name of entries) {
      const path = join(dir, name);
      if (name.startsWith('.')) {
        expansion.skipped.push({ display: displayOf(path, options.cwd), message: 'hidden (a dotfile)' });
        continue;
      }
      let stats: Stats;
      try {
        stats = statSync(path);
      } catch (error) {
        expansion.failures.push({ display: displayOf(path, options.cwd), message: reasonOf(error) });
        continue;
      }
      if (stats.isDirectory()) {
        // A link in the folder to a folder elsewhere (/etc, a home folder) would import files the user never
        // named, which may hold other people's data; one to a folder inside it is walked (once).
        if (isLink(path) && !within(realPath(path), root.real)) expansion.skipped.push({ display: displayOf(path, options.cwd), message: `a link to a folder outside ${root.display} (not followed)` });
        else walk(path, root);
      } else if (stats.isFile()) addFile(path, stats, false);
      else expansion.skipped.push({ display: displayOf(path, options.cwd), message: specialFileReason(stats) ?? 'not a regular file' });
    }
  };

  for (const input of inputs) {
    const path = resolve(options.cwd, input);
    if (!existsSync(path) && GLOB_CHARACTERS.test(input)) {
      const { glob } = await import('tinyglobby');
      const matches = (await glob(input, { cwd: options.cwd, absolute: true, onlyFiles: true, dot: false })).sort(collator.compare);
      if (matches.length === 0) expansion.failures.push({ display: input, message: 'no files match this pattern' });
      for (const match of matches) {
        try {
          addFile(match, statSync(match), false);
        } catch (error) {
          expansion.failures.push({ display: displayOf(match, options.cwd), message: reasonOf(error) });
        }
      }
      continue;
    }
    let stats: Stats;
    try {
      stats = statSync(path);
    } catch (error) {
      expansion.failures.push({ display: input, message: reasonOf(error) });
      continue;
    }
    const special = specialFileReason(stats);
    if (special !== undefined) expansion.failures.push({ display: input, message: special });
    else if (stats.isDirectory()) walk(path, { real: realPath(path), display: input });
    else addFile(path, stats, true);
  }
  return expansion;
}

/** The path with every link resolved, or the path as given when that fails. */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Whether `path` is `folder` or lies inside it (both real paths). */
function within(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** A one-line reason for a file-system error. */
export function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied (check the file\'s permissions)';
  if (code === 'EISDIR') return 'is a folder';
  if (code === 'ELOOP') return 'a symbolic link that points to itself';
  return (error as Error).message;
}

/** File name without its extension. */
export function stem(path: string): string {
  const name = basename(path);
  const extension = extname(name);
  return extension === '' ? name : name.slice(0, -extension.length);
}
