import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { UserError } from '../../core/errors.js';
import { groupDigits } from '../../core/text.js';

// A .qdpx is a ZIP from another machine, so it is read defensively: the central directory is checked
// (names, links, encryption, methods, declared sizes) before a single byte is inflated, only the entries
// qcode needs are ever inflated, and inflating stops as soon as an entry produces more than it declared.
// Nothing is ever extracted to disk. The archive is read by offset, so a project that carries gigabytes
// of audio or video costs only the bytes of its texts.

export interface ZipLimits {
  /** Any one entry, as declared; the standard's own limit for an internal file is 2^31 − 1 bytes (§8.5). */
  maxEntryBytes: number;
  /** Sum of the declared sizes of the entries qcode reads (the project XML, texts and notes). */
  maxReadBytes: number;
  maxEntries: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntryBytes: 2 ** 31 - 1,
  // Below the longest string V8 holds (2^29 − 24 UTF-16 units): what is read becomes strings.
  maxReadBytes: 500 * 1024 * 1024,
  maxEntries: 100_000,
};

/** Random access to an archive's bytes: in memory, or an open file. */
export interface ZipSource {
  size: number;
  read(offset: number, length: number): Uint8Array;
}

export type ZipInput = Uint8Array | ZipSource;

function asSource(input: ZipInput): ZipSource {
  if (!(input instanceof Uint8Array)) return input;
  return { size: input.length, read: (offset, length) => input.subarray(offset, Math.min(input.length, offset + length)) };
}

/** An archive on disk, read by offset; close() it when done. */
export function openZipFile(path: string): ZipSource & { close(): void } {
  const fd = openSync(path, 'r');
  const size = fstatSync(fd).size;
  return {
    size,
    read(offset, length) {
      const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
      let done = 0;
      while (done < buffer.length) {
        const got = readSync(fd, buffer, done, buffer.length - done, offset + done);
        if (got === 0) break;
        done += got;
      }
      return buffer.subarray(0, done);
    },
    close: () => closeSync(fd),
  };
}

export interface ZipEntry {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
  isDirectory: boolean;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
/** A central directory larger than this is not a project export (100,000 entries with long names fit). */
const MAX_DIRECTORY_BYTES = 64 * 1024 * 1024;

/** A size for messages: exact bytes below 1 MB, else MB with one decimal, plus exact bytes near a limit. */
export function sizeText(bytes: number): string {
  if (bytes < 1048576) return `${bytes} bytes`;
  const megabytes = `${(bytes / 1048576).toFixed(1)} MB`;
  return bytes >= 1024 * 1048576 ? `${megabytes} (${groupDigits(bytes)} bytes)` : megabytes;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Why an entry name could write outside the folder it is extracted to, or null when it is safe. */
export function unsafeEntryName(name: string): string | null {
  if (name.includes('\u0000')) return 'holds a NUL character';
  const slashed = name.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed)) return 'is an absolute path';
  if (slashed.split('/').some((part) => part === '..')) return 'climbs out of the archive with ..';
  return null;
}

/** Reads and checks the central directory; throws a UserError naming the first problem. */
export function readZipDirectory(input: ZipInput, file: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): ZipEntry[] {
  const source = asSource(input);
  const notZip = (): UserError => {
    // A ZIP starts with a local header and ends with its directory: with the start but not the end, the copy broke off.
    const head = source.read(0, 4);
    if (head.length === 4 && view(head).getUint32(0, true) === LOCAL_SIGNATURE) {
      return new UserError(`${file}: a truncated or damaged ZIP archive (it starts as one, but its end, the list of entries, is missing)`, {
        hint: 'Copy or download the file again, or export the project again from its tool',
      });
    }
    return new UserError(`${file}: not a ZIP archive (a .qdpx is a ZIP file)`, { hint: 'Export the project again from its tool as REFI-QDA project (.qdpx)' });
  };
  if (source.size < 22) throw notZip();
  const tailStart = Math.max(0, source.size - 22 - 65535);
  const tail = source.read(tailStart, source.size - tailStart);
  const tailView = view(tail);
  let eocdInTail = -1;
  for (let at = tail.length - 22; at >= 0; at--) {
    if (tailView.getUint32(at, true) === EOCD_SIGNATURE) {
      eocdInTail = at;
      break;
    }
  }
  if (eocdInTail === -1) throw notZip();
  const eocd = tailStart + eocdInTail;
  const disk = tailView.getUint16(eocdInTail + 4, true);
  const count = tailView.getUint16(eocdInTail + 10, true);
  const directorySize = tailView.getUint32(eocdInTail + 12, true);
  const directoryOffset = tailView.getUint32(eocdInTail + 16, true);
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    throw new UserError(`${file}: a ZIP64 archive (over 4 GB or 65,535 entries), larger than qcode imports`, {
      hint: 'Export the project again without its audio and video, or with them as external files',
    });
  }
  if (disk !== 0) throw new UserError(`${file}: a multi-part ZIP archive; join the parts into one file first`);
  if (count > limits.maxEntries) throw new UserError(`${file}: ${count} entries in the archive; qcode accepts at most ${limits.maxEntries}`);
  if (directoryOffset + directorySize > eocd || directorySize > MAX_DIRECTORY_BYTES) throw new UserError(`${file}: corrupt ZIP (the central directory lies outside the file)`);

  const directory = source.read(directoryOffset, directorySize);
  const directoryView = view(directory);
  const entries: ZipEntry[] = [];
  const seen = new Set<string>();
  let at = 0;
  for (let index = 0; index < count; index++) {
    if (at + 46 > directory.length || directoryView.getUint32(at, true) !== CENTRAL_SIGNATURE) throw new UserError(`${file}: corrupt ZIP (bad central directory entry ${index + 1})`);
    const flags = directoryView.getUint16(at + 8, true);
    const method = directoryView.getUint16(at + 10, true);
    const crc32 = directoryView.getUint32(at + 16, true);
    const compressedSize = directoryView.getUint32(at + 20, true);
    const size = directoryView.getUint32(at + 24, true);
    const nameLength = directoryView.getUint16(at + 28, true);
    const extraLength = directoryView.getUint16(at + 30, true);
    const commentLength = directoryView.getUint16(at + 32, true);
    const externalAttributes = directoryView.getUint32(at + 38, true);
    const localHeaderOffset = directoryView.getUint32(at + 42, true);
    const nameBytes = directory.subarray(at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (at > directory.length) throw new UserError(`${file}: corrupt ZIP (central directory entry ${index + 1} runs past its end)`);

    let name: string;
    try {
      name = new TextDecoder('utf-8', { fatal: (flags & 0x800) !== 0 }).decode(nameBytes);
    } catch {
      throw new UserError(`${file}: entry ${index + 1} has a name that is not valid UTF-8`);
    }
    const unsafe = unsafeEntryName(name);
    if (unsafe !== null) throw new UserError(`${file}: unsafe entry "${name}": its name ${unsafe}; refusing the archive`);
    // Unix-made archives keep the file mode in the high 16 bits (DOS-made ones leave them 0); a link
    // or device entry could point anywhere once extracted.
    const mode = (externalAttributes >>> 16) & S_IFMT;
    if (mode !== 0 && mode !== S_IFREG && mode !== S_IFDIR) {
      throw new UserError(`${file}: unsafe entry "${name}": it is a ${mode === S_IFLNK ? 'symbolic link' : 'special file'}, not a regular file; refusing the archive`);
    }
    if ((flags & 0x1) !== 0) throw new UserError(`${file}: entry "${name}" is encrypted; export the project again without a password`);
    if (method !== 0 && method !== 8) throw new UserError(`${file}: entry "${name}" uses ZIP compression method ${method}; only stored and deflate are supported`);
    // As readQdpx looks entries up: `sources\x.txt` from a Windows writer is `sources/x.txt`.
    const key = name.replace(/\\/g, '/').toLowerCase();
    if (seen.has(key)) throw new UserError(`${file}: the archive holds "${name}" twice; refusing an ambiguous archive`);
    seen.add(key);
    if (size > limits.maxEntryBytes) {
      throw new UserError(`${file}: entry "${name}" declares ${sizeText(size)} uncompressed, more than the ${sizeText(limits.maxEntryBytes)} the standard allows for one file (a zip bomb or a corrupt archive); refusing it`);
    }
    if (method === 0 && size !== compressedSize) throw new UserError(`${file}: corrupt ZIP (stored entry "${name}" has two different sizes)`);
    entries.push({ name, method, crc32, compressedSize, size, localHeaderOffset, isDirectory: name.endsWith('/') });
  }
  return entries;
}

let crcTable: Uint32Array | undefined;

function crc32Of(data: Uint8Array): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = (crcTable[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Bytes fed to the inflater at a time: deflate expands at most ~1032:1, so one step overshoots a limit by ≤ 16 MB. */
const INFLATE_STEP = 16 * 1024;

class TooLarge extends Error {}

/** The entry's bytes, inflated with a hard stop at its declared size, and checked against its CRC. */
export async function readZipEntry(input: ZipInput, entry: ZipEntry, file: string): Promise<Uint8Array> {
  const source = asSource(input);
  const at = entry.localHeaderOffset;
  const header = source.read(at, 30);
  if (header.length < 30 || view(header).getUint32(0, true) !== LOCAL_SIGNATURE) throw new UserError(`${file}: corrupt ZIP (no local header for "${entry.name}")`);
  const start = at + 30 + view(header).getUint16(26, true) + view(header).getUint16(28, true);
  const end = start + entry.compressedSize;
  if (end > source.size) throw new UserError(`${file}: corrupt ZIP ("${entry.name}" runs past the end of the file)`);
  const compressed = source.read(start, entry.compressedSize);

  let data: Uint8Array;
  if (entry.method === 0) {
    data = compressed;
  } else {
    const { Inflate } = await import('fflate');
    const chunks: Uint8Array[] = [];
    let produced = 0;
    const inflater = new Inflate((chunk) => {
      produced += chunk.length;
      if (produced > entry.size) throw new TooLarge();
      chunks.push(chunk);
    });
    try {
      if (compressed.length === 0) inflater.push(new Uint8Array(0), true);
      for (let offset = 0; offset < compressed.length; offset += INFLATE_STEP) {
        inflater.push(compressed.subarray(offset, offset + INFLATE_STEP), offset + INFLATE_STEP >= compressed.length);
      }
    } catch (error) {
      if (error instanceof TooLarge) {
        throw new UserError(`${file}: "${entry.name}" inflates to more than the ${sizeText(entry.size)} it declares; refusing the archive (a zip bomb or a corrupt file)`);
      }
      throw new UserError(`${file}: "${entry.name}" cannot be decompressed (${(error as Error).message}); the archive is corrupt`);
    }
    data = new Uint8Array(produced);
    let offset = 0;
    for (const chunk of chunks) {
      data.set(chunk, offset);
      offset += chunk.length;
    }
  }
  if (data.length !== entry.size) throw new UserError(`${file}: "${entry.name}" holds ${data.length} bytes but declares ${entry.size}; the archive is corrupt`);
  if (crc32Of(data) !== entry.crc32) throw new UserError(`${file}: "${entry.name}" fails its CRC check; the archive is corrupt`);
  return data;
}

// Unix regular file, mode 0600: an unzip on a shared machine keeps participants' words private.
const PRIVATE_FILE_ATTRIBUTES = ((S_IFREG | 0o600) << 16) >>> 0;

/** A ZIP of the given files in the given order, with fixed times and modes, so equal input gives equal bytes. */
export async function writeZip(files: ReadonlyArray<{ name: string; data: Uint8Array }>): Promise<Uint8Array> {
  const { zipSync } = await import('fflate');
  // fflate writes DOS times from the local-time fields of a Date, so the Date is made from local
  // fields when writing: 2000-01-01 12:00 in the file on every machine, in every time zone.
  const mtime = new Date(2000, 0, 1, 12, 0, 0);
  const input: Record<string, [Uint8Array, { mtime: Date; os: number; attrs: number; level: 6 }]> = {};
  for (const file of files) input[file.name] = [file.data, { mtime, os: 3, attrs: PRIVATE_FILE_ATTRIBUTES, level: 6 }];
  return zipSync(input);
}
