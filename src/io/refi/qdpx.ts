import { UserError } from '../../core/errors.js';
import { readProject, type RefiProject } from './read.js';
import { decodeXml, parseXml } from './xml.js';
import { DEFAULT_ZIP_LIMITS, readZipDirectory, readZipEntry, sizeText, type ZipEntry, type ZipInput, type ZipLimits } from './zip.js';

export interface QdpxContents {
  project: RefiProject;
  namespace: string | null;
  /** Source GUID → its text as stored (UTF-8 decoded, a leading BOM removed). */
  sourceTexts: Map<string, string>;
  /** Note GUID → text, for notes kept in files. */
  noteTexts: Map<string, string>;
  warnings: string[];
}

function decodeUtf8(bytes: Uint8Array, file: string, name: string, warnings: string[] | null): string {
  let text: string;
  try {
    // ignoreBOM keeps a BOM in the text, so that it is seen (and reported) rather than silently dropped.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new UserError(`${file}: ${name} is not valid UTF-8, which the standard requires (§9)`, { hint: 'Export the project again from its tool' });
  }
  if (text.startsWith('\uFEFF')) {
    // A BOM is fine in XML; in a source, QualCoder writes one but counts positions without it.
    warnings?.push(`${name} starts with a byte-order mark; removed (positions count from the first character after it)`);
    return text.slice(1);
  }
  return text;
}

/** `internal://NAME` → NAME; other schemes (relative://, absolute://) point outside the archive. */
function internalName(path: string, file: string, what: string): string {
  const match = /^internal:\/\/(.+)$/i.exec(path.trim());
  if (match === null) {
    throw new UserError(`${file}: ${what} is stored outside the archive (${path}); qcode imports only sources inside the .qdpx`, {
      hint: 'Export the project again with its sources embedded',
    });
  }
  const name = match[1] as string;
  if (name.includes('/') || name.includes('\\') || name === '..' || name === '.') {
    throw new UserError(`${file}: ${what} names an unsafe path (${path}); the sources folder is flat`);
  }
  return name;
}

/**
 * The project XML: project.qde at the root; else the only *.qde at the root (ATLAS.ti 26 names it after
 * the project); else the same one folder down, when everything sits in one folder (a .qdpx unzipped and
 * zipped again with its folder, as macOS's Compress does). `folder` is the prefix its sources/ is under.
 */
function findProjectXml(byName: Map<string, ZipEntry>, file: string, warnings: string[]): { qde: ZipEntry; folder: string } {
  const root = byName.get('project.qde');
  if (root !== undefined) return { qde: root, folder: '' };
  const qdes = [...byName.keys()].filter((name) => name.endsWith('.qde'));
  const atRoot = qdes.filter((name) => !name.includes('/'));
  const oneDown = qdes.filter((name) => name.split('/').length === 2);
  const folders = new Set([...byName.keys()].map((name) => (name.includes('/') ? name.slice(0, name.indexOf('/') + 1) : '')));
  const inOneFolder = folders.size === 1 && !folders.has('') ? (oneDown.find((name) => name.endsWith('/project.qde')) ?? (oneDown.length === 1 ? oneDown[0] : undefined)) : undefined;
  const chosen = atRoot.length === 1 ? atRoot[0] : inOneFolder;
  if (chosen === undefined) {
    const others = atRoot.length + oneDown.length;
    throw new UserError(`${file}: no project.qde in the archive${others > 1 ? ` (and ${others} other .qde files)` : ''}; is this a REFI-QDA project?`);
  }
  const qde = byName.get(chosen) as ZipEntry;
  const folder = chosen.includes('/') ? chosen.slice(0, chosen.lastIndexOf('/') + 1) : '';
  if (qde.name.replace(/\\/g, '/').toLowerCase() !== `${folder}project.qde`) warnings.push(`${file}: the project is in ${qde.name}, not project.qde; read it anyway`);
  else warnings.push(`${file}: the project is in the folder ${qde.name.slice(0, folder.length)} of the archive, not at its root; read it anyway`);
  return { qde, folder };
}

/**
 * Reads a .qdpx (in memory or on disk): checks the archive, finds the project XML (findProjectXml),
 * parses it, and reads exactly the source and note files it refers to.
 */
export async function readQdpx(bytes: ZipInput, file: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<QdpxContents> {
  const warnings: string[] = [];
  const entries = readZipDirectory(bytes, file, limits);
  // Only what is read counts against the limit: a project may carry gigabytes of media qcode never opens.
  let budget = limits.maxReadBytes;
  const read = async (entry: ZipEntry): Promise<Uint8Array> => {
    if (entry.size > budget) {
      throw new UserError(`${file}: "${entry.name}" declares ${sizeText(entry.size)}, beyond the ${sizeText(limits.maxReadBytes)} of text qcode reads from one project; refusing it (a zip bomb or a project larger than qcode imports)`);
    }
    budget -= entry.size;
    return readZipEntry(bytes, entry, file);
  };
  // Names as keys: lower case (the standard's own example writes Project.qde and Sources/), `/` for the
  // `\` some Windows writers use, and macOS's __MACOSX/ resource forks out of the way.
  const byName = new Map(entries
    .filter((entry) => !entry.isDirectory && !/^__MACOSX\//i.test(entry.name.replace(/\\/g, '/')))
    .map((entry) => [entry.name.replace(/\\/g, '/').toLowerCase(), entry]));
  const { qde, folder } = findProjectXml(byName, file, warnings);
  const qdeName = qde.name;
  const decoded = decodeXml(await read(qde), `${file}:${qdeName}`);
  if (decoded.warning !== null) warnings.push(decoded.warning);
  const source = decoded.text;
  const { root, namespace, locate } = await parseXml(source, `${file}:${qdeName}`);
  const project = readProject(root, namespace, `${file}:${qdeName}`, locate);

  const readInternal = async (path: string, what: string): Promise<string> => {
    const name = internalName(path, file, what);
    const entry = byName.get(`${folder}sources/${name.toLowerCase()}`);
    if (entry === undefined) {
      throw new UserError(`${file}: ${what} refers to sources/${name}, which is missing from the archive`, { hint: 'The export is incomplete: export the project again' });
    }
    return decodeUtf8(await read(entry), file, entry.name, warnings);
  };

  /** Whether a path names a file this archive holds (an internal:// path to an entry that exists). */
  const inArchive = (path: string): boolean => {
    const match = /^internal:\/\/([^/\\]+)$/i.exec(path.trim());
    return match !== null && byName.has(`${folder}sources/${(match[1] as string).toLowerCase()}`);
  };
  const sourceTexts = new Map<string, string>();
  for (const textSource of project.sources) {
    const what = `source "${textSource.name}"`;
    if (textSource.plainTextPath !== null && textSource.plainTextContent !== null) {
      // The schema wants one or the other; some writers (requal's tests) fill both and point the path nowhere.
      if (inArchive(textSource.plainTextPath)) {
        warnings.push(`${what} has both a plain-text file and inline text; the file is used`);
        sourceTexts.set(textSource.guid, await readInternal(textSource.plainTextPath, what));
      } else {
        warnings.push(`${what}: its plainTextPath ${textSource.plainTextPath} is not in the archive; its inline PlainTextContent is used`);
        sourceTexts.set(textSource.guid, textSource.plainTextContent);
      }
    } else if (textSource.plainTextPath !== null) {
      sourceTexts.set(textSource.guid, await readInternal(textSource.plainTextPath, what));
    } else if (textSource.plainTextContent !== null) {
      sourceTexts.set(textSource.guid, textSource.plainTextContent);
    } else {
      throw new UserError(`${file}: ${what} has no plain text (no plainTextPath and no PlainTextContent)`, {
        hint: 'Every text source needs its plain text; export the project again from its tool',
      });
    }
  }
  const noteTexts = new Map<string, string>();
  for (const note of project.notes) {
    if (note.plainTextPath !== null && note.plainTextContent === null) noteTexts.set(note.guid, await readInternal(note.plainTextPath, `note "${note.name ?? note.guid}"`));
  }
  return { project, namespace, sourceTexts, noteTexts, warnings };
}
