import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync, writeSync, type Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { parseCodebook, type Codebook } from '../core/codebook.js';
import { UserError, usageError } from '../core/errors.js';
import type { ExportMemo, ExportProject, MemoTarget } from '../io/refi/export-model.js';
import type { ZipLimits } from '../io/refi/zip.js';
import { removeStaleScratch, scratchPrefix } from '../io/scratch.js';
import { fileError } from '../io/text-file.js';
import { loadProjectCodebook } from '../store/codebook.js';
import { openDatabase } from '../store/db.js';
import { insertImportedProject, loadExportRows, type ImportCounts } from '../store/refi.js';
import { startExitWatcher } from './exit-watcher.js';
import { DB_FILE, initProject, PACKAGE_ROOT, type Project } from './project.js';

// REFI-QDA 1.5 interchange (docs/refi-qda.md): the codebook as .qdc, the whole project as .qdpx, and
// both back. XML, ZIP and the mapping live in io/refi; this module reads the store, writes files and
// keeps the rule that a failed command leaves nothing behind.

function qcodeVersion(): string {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function requireExtension(path: string, extension: '.qdc' | '.qdpx', flag: string): void {
  if (extname(path).toLowerCase() !== extension) {
    throw usageError(`${flag} ${path}: the file name must end in ${extension}`, `e.g. ${flag} ${basename(path, extname(path)) || 'study'}${extension}`);
  }
}

/** Writes `data` to its handle; a seam for the tests, which make it fail as a full disk would. */
export type WriteBytes = (fd: number, bytes: Uint8Array) => void;

function writeAllBytes(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

function diskFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/**
 * A complete, synced copy of `data` in a new file beside `path`, mode 0600 (participants' words), for
 * renaming over it. The name is random and the file created exclusively: a file or symlink already there
 * (planted to catch the data, or to have it written over the link's target) is never opened.
 */
function writeTemporaryFile(path: string, data: string | Uint8Array, write: WriteBytes = writeAllBytes): string {
  const folder = dirname(path);
  if (!existsSync(folder)) throw new UserError(`${path}: the folder ${folder} does not exist`);
  const prefix = `.${basename(path)}.qcode-`;
  removeStaleScratch(folder, prefix);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  for (;;) {
    const temporary = join(folder, `${scratchPrefix(prefix)}${randomBytes(6).toString('hex')}.tmp`);
    let fd: number;
    try {
      fd = openSync(temporary, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    try {
      try {
        write(fd, bytes);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
    return temporary;
  }
}

/**
 * Writes every file beside its target first and renames only when all are complete, so a failure (a
 * full disk on the second file) leaves neither a half-written file nor half of a pair behind.
 */
function writeFilesAtomically(files: ReadonlyArray<{ path: string; data: string | Uint8Array }>, write?: WriteBytes): void {
  const temporaries: string[] = [];
  let failed: string | undefined;
  try {
    for (const file of files) {
      failed = file.path;
      temporaries.push(writeTemporaryFile(file.path, file.data, write));
    }
    // Renaming beside the target cannot run out of space; new files are taken back should one fail.
    const renamed: string[] = [];
    try {
      files.forEach((file, i) => {
        failed = file.path;
        const existed = pathExists(file.path);
        renameSync(temporaries[i]!, file.path);
        temporaries[i] = '';
        if (!existed) renamed.push(file.path);
      });
    } catch (error) {
      for (const path of renamed) rmSync(path, { force: true });
      throw error;
    }
  } catch (error) {
    for (const temporary of temporaries) if (temporary !== '') rmSync(temporary, { force: true });
    if (error instanceof UserError) throw error;
    if (diskFull(error)) throw new UserError(`${failed ?? files[0]?.path ?? ''}: the disk is full: nothing was written`, { hint: 'Free some space, or write to another disk', cause: error });
    throw fileError(failed ?? files[0]?.path ?? '', error);
  }
}

function writeFileAtomically(path: string, data: string | Uint8Array): void {
  writeFilesAtomically([{ path, data }]);
}

/** Also true for a dangling symlink, which renaming over would silently replace. */
function pathExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

export interface RefiExportOptions {
  qdc?: string | undefined;
  qdpx?: string | undefined;
  /** Replace an existing output file (the replacement is still atomic). */
  force?: boolean | undefined;
  cwd?: string | undefined;
  /** A seam for the tests: how the files' bytes are written. */
  writeBytes?: WriteBytes | undefined;
}

export interface RefiExportReport {
  files: Array<{ path: string; format: 'qdc' | 'qdpx'; bytes: number }>;
  codes: number;
  documents: number;
  codings: number;
  memos: number;
  warnings: string[];
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group === undefined) groups.set(key(item), [item]);
    else group.push(item);
  }
  return groups;
}

/** The project as the REFI-QDA writers need it: timestamps from the store, never the clock. */
export function gatherExport(project: Project, warnings: string[]): ExportProject {
  const rows = loadExportRows(project.db);
  const codebook = loadProjectCodebook(project.db);
  let title: string | null = null;
  if (rows.latestCodebookYaml !== null) {
    try {
      title = parseCodebook(rows.latestCodebookYaml, 'codebook').title;
    } catch {
      // A snapshot that no longer parses (an older qcode's format) just has no title to export.
    }
  }
  const memos: ExportMemo[] = [];
  let orphans = 0;
  for (const memo of rows.memos) {
    let target: MemoTarget = { kind: 'project' };
    const id = memo.target_id;
    if (memo.target_kind === 'segment') {
      const segment = rows.memoSegments.get(Number(id));
      if (segment === undefined) orphans++;
      else target = { kind: 'segment', document: segment.slug, start: segment.start, end: segment.end };
    } else if (memo.target_kind === 'document' && id !== null) {
      const slug = rows.documents.some((document) => document.slug === id) ? id : rows.slugById.get(Number(id));
      if (slug === undefined) orphans++;
      else target = { kind: 'document', document: slug };
    } else if (memo.target_kind === 'code' && id !== null) target = { kind: 'code', codeId: id };
    else if (memo.target_kind === 'case' && id !== null) target = { kind: 'case', caseId: id };
    memos.push({ id: memo.id, target, coder: memo.coder, text: memo.text, createdAt: memo.created_at, updatedAt: memo.updated_at });
  }
  if (orphans > 0) warnings.push(`${orphans} memo(s) on a segment or document that no longer exists were exported as project notes`);
  const segmentsOf = groupBy(rows.segments, (segment) => segment.slug);
  const seenOf = groupBy(rows.seen, (mark) => mark.slug);
  const passesOf = groupBy(rows.passes, (mark) => mark.slug);
  return {
    name: rows.projectName ?? basename(project.dir),
    createdAt: rows.createdAt,
    origin: `qcode ${qcodeVersion()}`,
    codebook: { ...codebook, title },
    coders: rows.coders,
    cases: rows.cases.map((entry) => ({
      id: entry.id,
      kind: entry.kind,
      values: rows.caseValues.filter((value) => value.case_id === entry.id).map((value) => ({ attribute: value.attribute, value: value.value })),
      documents: rows.documents.filter((document) => document.case_id === entry.id).map((document) => document.slug),
    })),
    documents: rows.documents.map((document) => {
      const segments = segmentsOf.get(document.slug) ?? [];
      const indexOf = new Map(segments.map((segment, index) => [segment.ordinal, index]));
      const seenUncoded: Record<string, number[]> = {};
      for (const mark of seenOf.get(document.slug) ?? []) (seenUncoded[mark.coder] ??= []).push(indexOf.get(mark.ordinal) as number);
      const passes: Record<string, Record<string, number[]>> = {};
      for (const mark of passesOf.get(document.slug) ?? []) ((passes[mark.coder] ??= {})[mark.dimension] ??= []).push(indexOf.get(mark.ordinal) as number);
      return {
      slug: document.slug,
      title: document.title,
      kind: document.kind,
      language: document.language,
      fileName: document.source_path === null ? null : basename(document.source_path.replace(/\\/g, '/')),
      format: document.format,
      encoding: document.encoding,
      text: document.text,
      importedAt: document.imported_at,
      segments: segments.map((segment) => ({ start: segment.start, end: segment.end, speaker: segment.speaker, tStart: segment.t_start, tEnd: segment.t_end })),
      seenUncoded,
      passes,
      };
    }),
    codings: rows.codings.map((coding) => ({
      document: coding.slug,
      start: coding.start ?? coding.segment_start,
      end: coding.end ?? coding.segment_end,
      codeId: coding.code_id,
      coder: coding.coder,
      createdAt: coding.created_at,
    })),
    memos,
    removed: {
      documents: rows.removedDocuments.map((entry) => ({ sha256: entry.sha256, slug: entry.slug, caseId: entry.case_id, removedAt: entry.removed_at })),
      cases: rows.removedCases.map((entry) => ({ id: entry.id, removedAt: entry.removed_at })),
    },
  };
}

/** Writes the codebook as .qdc and/or the whole project as .qdpx. */
export async function exportRefi(project: Project, options: RefiExportOptions): Promise<RefiExportReport> {
  if (options.qdc === undefined && options.qdpx === undefined) throw usageError('say what to export: --qdc FILE and/or --qdpx FILE');
  const cwd = options.cwd ?? process.cwd();
  const qdcPath = options.qdc === undefined ? undefined : resolve(cwd, options.qdc);
  const qdpxPath = options.qdpx === undefined ? undefined : resolve(cwd, options.qdpx);
  if (options.qdc !== undefined) requireExtension(options.qdc, '.qdc', '--qdc');
  if (options.qdpx !== undefined) requireExtension(options.qdpx, '.qdpx', '--qdpx');
  // Checked before anything is built or written, so that a refusal leaves both files as they were.
  if (!options.force) {
    for (const [given, path] of [[options.qdc, qdcPath], [options.qdpx, qdpxPath]] as const) {
      if (given !== undefined && path !== undefined && pathExists(path)) {
        throw new UserError(`${given} already exists`, { hint: 'Choose another file, or pass --force to replace it' });
      }
    }
  }
  const { guids, writeCodebookXml, writeProjectXml } = await import('../io/refi/write.js');
  const warnings: string[] = [];
  const data = gatherExport(project, warnings);
  // The file holds one Coding per GUID: a whole-segment coding and a span over that whole segment (same
  // code and coder) are written once, and counted as written.
  const codings = new Set(data.codings.map((coding) => guids.coding(coding))).size;
  const report: RefiExportReport = {
    files: [], codes: data.codebook.codes.length, documents: data.documents.length, codings, memos: data.memos.length, warnings,
  };
  // Both files are built, then both written, before either is put in place: a failure leaves no half-done pair behind.
  const outputs: Array<{ path: string; format: 'qdc' | 'qdpx'; data: string | Uint8Array }> = [];
  if (qdcPath !== undefined) outputs.push({ path: qdcPath, format: 'qdc', data: writeCodebookXml(data.codebook, data.origin) });
  if (qdpxPath !== undefined) {
    const { writeZip } = await import('../io/refi/zip.js');
    const files = writeProjectXml(data);
    const encoder = new TextEncoder();
    const zip = await writeZip([
      { name: 'project.qde', data: encoder.encode(files.xml) },
      ...files.sources.map((source) => ({ name: source.name, data: encoder.encode(source.text) })),
    ]);
    outputs.push({ path: qdpxPath, format: 'qdpx', data: zip });
  }
  writeFilesAtomically(outputs, options.writeBytes);
  for (const output of outputs) {
    report.files.push({ path: output.path, format: output.format, bytes: typeof output.data === 'string' ? Buffer.byteLength(output.data) : output.data.length });
  }
  return report;
}

export type RefiFormat = 'qdc' | 'qdpx';

/** .qdc or .qdpx, by extension, else by the first bytes (a ZIP or XML). */
export function refiFormatOf(path: string): RefiFormat {
  const extension = extname(path).toLowerCase();
  if (extension === '.qdc') return 'qdc';
  if (extension === '.qdpx') return 'qdpx';
  const head = Buffer.alloc(64);
  try {
    const fd = openSync(path, 'r');
    try {
      readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw fileError(path, error);
  }
  if (head[0] === 0x50 && head[1] === 0x4b) return 'qdpx';
  if (head.toString('utf8').replace(/^\uFEFF/, '').trimStart().startsWith('<')) return 'qdc';
  throw usageError(`${path}: not a REFI-QDA file (expected a .qdc codebook or a .qdpx project)`);
}

function yamlHeader(file: string): string {
  return [
    '# yaml-language-server: $schema=./codebook.schema.json',
    `# Imported from ${basename(file)} by qcode refi import. Ids were made from the code names (docs/refi-qda.md);`,
    '# check them before coding: an id is a stable key.',
    '',
  ].join('\n');
}

export interface CodebookImportOptions {
  file: string;
  /** Write the YAML here; without it the YAML is only returned. */
  to?: string | undefined;
  force?: boolean | undefined;
  cwd?: string | undefined;
}

export interface CodebookImportReport {
  yaml: string;
  codebook: Codebook;
  written: string | null;
  warnings: string[];
}

/** A codebook file's bytes (at most 64 MB: a codebook of thousands of codes is a few hundred KB). */
function readCodebookBytes(path: string, display: string): Uint8Array {
  try {
    const stats = statSync(path);
    if (!stats.isFile()) throw new UserError(`${display}: not a regular file (a REFI-QDA codebook expected)`);
    if (stats.size > 64 * 1048576) throw new UserError(`${display}: ${(stats.size / 1048576).toFixed(0)} MB, too large for a codebook (the limit is 64 MB)`);
    if (stats.size === 0) throw new UserError(`${display}: the file is empty`);
    return readFileSync(path);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw fileError(display, error);
  }
}

/** A .qdc from any tool as a qcode codebook YAML. */
export async function importRefiCodebook(options: CodebookImportOptions): Promise<CodebookImportReport> {
  const cwd = options.cwd ?? process.cwd();
  const path = resolve(cwd, options.file);
  const target = options.to === undefined ? null : resolve(cwd, options.to);
  if (target !== null && existsSync(target) && !options.force) {
    throw new UserError(`${options.to} already exists`, { hint: 'Choose another file, or pass --force to replace it' });
  }
  const { decodeXml, parseXml } = await import('../io/refi/xml.js');
  const decoded = decodeXml(readCodebookBytes(path, options.file), options.file);
  const source = decoded.text;
  const { readCodebook, namespaceWarning, CODEBOOK_NAMESPACE } = await import('../io/refi/read.js');
  const { buildCodebook } = await import('../io/refi/to-codebook.js');
  const { root, namespace, locate } = await parseXml(source, options.file);
  const refi = readCodebook(root, namespace, options.file, locate);
  const warnings: string[] = decoded.warning === null ? [] : [decoded.warning];
  const namespaceProblem = namespaceWarning(namespace, CODEBOOK_NAMESPACE, options.file);
  if (namespaceProblem !== null) warnings.push(namespaceProblem);
  const build = buildCodebook({
    codes: refi.codes,
    sets: refi.sets,
    variables: [],
    values: [],
    codebookOnly: true,
    origin: refi.origin,
    coded: new Set(),
    fallbackName: basename(path, extname(path)),
    displayName: options.to ?? 'codebook.yaml',
    fileName: options.file,
    header: yamlHeader(options.file),
  });
  warnings.push(...build.warnings);
  if (target !== null) writeFileAtomically(target, build.yaml);
  return { yaml: build.yaml, codebook: build.codebook, written: target, warnings };
}

export interface ProjectImportOptions {
  file: string;
  /** The new project's folder (default: the file's name without extension, in cwd). */
  dir?: string | undefined;
  cwd?: string | undefined;
  limits?: ZipLimits | undefined;
  /** Stands in for times the file leaves out. */
  now?: string | undefined;
  /** A seam for the tests: called once the project's folder exists, before its data goes in. */
  pause?: (() => void) | undefined;
}

export interface ProjectImportReport {
  dir: string;
  codebook: string;
  codes: number;
  counts: ImportCounts;
  warnings: string[];
  /** Half-built projects beside the target, left by imports that were killed, removed by this one. */
  removedLeftovers: string[];
}

function isEmptyFolder(dir: string): boolean {
  return readdirSync(dir).length === 0;
}

function noLongerEmpty(dir: string): UserError {
  return new UserError(`${dir} is no longer empty: something was put in it during the import`, { hint: 'Name a new folder: qcode refi import FILE.qdpx NEW_DIR' });
}

/**
 * Puts the finished project in place: a new folder is the staging folder renamed. An existing empty one is
 * kept and filled with the staging folder's entries instead, qcode.db last, so that nothing there looks like
 * a project before it is one: renaming over it would replace the folder, leaving a shell inside it (`qcode
 * refi import FILE.qdpx .`) in a deleted directory.
 */
function moveProjectIntoPlace(staging: string, dir: string): void {
  if (lstatOrNull(dir) === null) {
    try {
      renameSync(staging, dir);
      return;
    } catch (error) {
      // Unless it was made meanwhile, to be filled below as long as it is empty.
      if (lstatOrNull(dir) === null) throw error;
    }
  }
  if (!isEmptyFolder(dir)) throw noLongerEmpty(dir);
  const names = readdirSync(staging).sort((a, b) => Number(a === DB_FILE) - Number(b === DB_FILE));
  const moved: string[] = [];
  try {
    for (const name of names) {
      renameSync(join(staging, name), join(dir, name));
      moved.push(join(dir, name));
    }
  } catch (error) {
    for (const path of moved) rmSync(path, { recursive: true, force: true });
    throw error;
  }
  rmdirSync(staging);
}

/**
 * The staging and scratch folders hold participants' words while the import runs, and its long steps are
 * synchronous (the pause hook, the transaction), so ^C or SIGTERM ends it at once, before any handler of
 * its own could run. The exit watcher removes them then, and the folders the import made to hold them, as
 * long as they are empty. Once the project is in place neither folder exists any more.
 */
function watchForSignals(staging: string, scratch: string, madeFolders: readonly string[]): { stop: () => void } {
  const script = `
    const { rmSync, rmdirSync } = require('node:fs');
    const [staging, scratch, ...made] = process.argv.slice(1);
    process.stdin.on('end', () => {
      for (const path of [staging, scratch]) rmSync(path, { recursive: true, force: true });
      for (const folder of made) {
        try { rmdirSync(folder); } catch { break; }
      }
    });`;
  return startExitWatcher(script, [staging, scratch, ...madeFolders], 'ignore');
}

/** The folders from `innermost` up to `outermost`, which mkdir -p made; none when it made none. */
function foldersMade(innermost: string, outermost: string | undefined): string[] {
  if (outermost === undefined) return [];
  const folders = [innermost];
  for (let folder = innermost; folder !== outermost && dirname(folder) !== folder;) {
    folder = dirname(folder);
    folders.push(folder);
  }
  return folders;
}

/**
 * A .qdpx as a new qcode project. Everything that can refuse the file is checked before anything is
 * written. The project is built in a hidden folder beside the target and moved into place when
 * complete: an import that fails, or is killed, never leaves a project that looks finished but is not.
 */
export async function importRefiProject(options: ProjectImportOptions): Promise<ProjectImportReport> {
  const cwd = options.cwd ?? process.cwd();
  const path = resolve(cwd, options.file);
  const dir = resolve(cwd, options.dir ?? basename(path, extname(path)));
  const found = lstatOrNull(dir);
  if (found?.isSymbolicLink()) {
    throw new UserError(`${dir} is a symlink; refi import creates a new project folder`, { hint: 'Name a new folder: qcode refi import FILE.qdpx NEW_DIR' });
  }
  if (found !== null && !found.isDirectory()) {
    throw new UserError(`${dir} is a file; refi import creates a new project folder`, { hint: 'Name a new folder: qcode refi import FILE.qdpx NEW_DIR' });
  }
  if (found !== null && !isEmptyFolder(dir)) {
    throw new UserError(`${dir} already exists and is not empty; refi import creates a new project`, { hint: 'Name a new folder: qcode refi import FILE.qdpx NEW_DIR' });
  }
  const { DEFAULT_ZIP_LIMITS, openZipFile } = await import('../io/refi/zip.js');
  let archive: ReturnType<typeof openZipFile>;
  try {
    if (!statSync(path).isFile()) throw new UserError(`${options.file}: not a regular file`);
    archive = openZipFile(path);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw fileError(options.file, error);
  }
  const { readQdpx } = await import('../io/refi/qdpx.js');
  const { planProjectImport } = await import('../io/refi/import-plan.js');
  let contents: Awaited<ReturnType<typeof readQdpx>>;
  try {
    contents = await readQdpx(archive, options.file, options.limits ?? DEFAULT_ZIP_LIMITS);
  } finally {
    archive.close();
  }
  const now = options.now ?? new Date().toISOString();
  const plan = planProjectImport({
    project: contents.project,
    sourceTexts: contents.sourceTexts,
    noteTexts: contents.noteTexts,
    file: options.file,
    now,
    codebookHeader: yamlHeader(options.file),
  });

  const parent = dirname(dir);
  const stagingPrefix = `.${basename(dir)}.qcode-refi-`;
  const removedLeftovers = removeStaleScratch(parent, stagingPrefix);
  let createdParent: string | undefined;
  let staging: string;
  try {
    createdParent = mkdirSync(parent, { recursive: true });
    // mkdtemp: mode 0700, a name no one else can have taken.
    staging = mkdtempSync(join(parent, scratchPrefix(stagingPrefix)));
  } catch (error) {
    if (createdParent !== undefined) rmSync(createdParent, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      throw new UserError(`cannot create the project folder ${dir}: a file is in the way of ${parent}`, { hint: 'Choose a folder you can write to' });
    }
    throw fileError(dir, error);
  }
  let scratch: string | undefined;
  let watcher: { stop: () => void } | undefined;
  try {
    removeStaleScratch(tmpdir(), 'qcode-refi-');
    scratch = mkdtempSync(join(tmpdir(), scratchPrefix('qcode-refi-')));
    watcher = watchForSignals(staging, scratch, foldersMade(parent, createdParent));
    const codebookFile = join(scratch, 'codebook.yaml');
    writeFileSync(codebookFile, plan.codebook.yaml, { mode: 0o600 });
    await initProject({ dir: staging, codebook: codebookFile, cwd });
    options.pause?.();
    const db = openDatabase(join(staging, DB_FILE));
    let counts: ImportCounts;
    try {
      counts = insertImportedProject(db, plan, { file: basename(path), at: now });
    } finally {
      db.close();
    }
    moveProjectIntoPlace(staging, dir);
    return {
      dir,
      codebook: plan.codebook.codebook.name,
      codes: plan.codebook.codebook.codes.length,
      counts,
      warnings: [...contents.warnings, ...plan.warnings],
      removedLeftovers,
    };
  } catch (error) {
    rmSync(createdParent ?? staging, { recursive: true, force: true });
    if (error instanceof UserError || !/^E[A-Z]+$/.test((error as NodeJS.ErrnoException).code ?? '')) throw error;
    throw fileError(dir, error);
  } finally {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
    watcher?.stop();
  }
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}
