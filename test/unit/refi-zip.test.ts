import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_ZIP_LIMITS, openZipFile, readZipDirectory, readZipEntry, unsafeEntryName, writeZip } from '../../src/io/refi/zip.js';
import { tempDir } from '../helpers.js';

const text = (value: string): Uint8Array => new TextEncoder().encode(value);

/** Overwrites the declared uncompressed size of every entry (central directory and local headers). */
function lieAboutSizes(zip: Uint8Array, size: number): Uint8Array {
  const copy = zip.slice();
  const view = new DataView(copy.buffer);
  for (let at = 0; at + 4 <= copy.length; at++) {
    const signature = view.getUint32(at, true);
    if (signature === 0x02014b50) view.setUint32(at + 24, size, true);
    if (signature === 0x04034b50) view.setUint32(at + 22, size, true);
  }
  return copy;
}

describe('reading a .qdpx archive defensively', () => {
  it('reads entries written by writeZip, byte for byte', async () => {
    const zip = await writeZip([{ name: 'project.qde', data: text('<Project/>') }, { name: 'sources/A.txt', data: text('Привет 😀') }]);
    const entries = readZipDirectory(zip, 'p.qdpx');
    expect(entries.map((entry) => entry.name)).toEqual(['project.qde', 'sources/A.txt']);
    expect(new TextDecoder().decode(await readZipEntry(zip, entries[1]!, 'p.qdpx'))).toBe('Привет 😀');
  });

  it('writes identical bytes for identical input, whatever the time zone', async () => {
    const files = [{ name: 'project.qde', data: text('<Project/>') }];
    const first = await writeZip(files);
    const zone = process.env.TZ;
    process.env.TZ = 'Pacific/Kiritimati';
    try {
      expect(Buffer.from(await writeZip(files)).equals(Buffer.from(first))).toBe(true);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it.each([
    ['../evil.txt', /unsafe entry "\.\.\/evil\.txt": its name climbs out of the archive/],
    ['sources/../../evil.txt', /climbs out of the archive/],
    ['/etc/cron.d/evil', /unsafe entry "\/etc\/cron\.d\/evil": its name is an absolute path/],
    ['C:/Windows/evil.txt', /is an absolute path/],
    ['..\\evil.txt', /climbs out of the archive/],
  ])('refuses the entry name %s', (name, message) => {
    const zip = zipSync({ [name]: text('x') });
    expect(() => readZipDirectory(zip, 'p.qdpx')).toThrow(message);
  });

  it('accepts ordinary names', () => {
    expect(unsafeEntryName('sources/1DDD235C-9E58-4451-8C49-17013D5C3655.txt')).toBeNull();
    expect(unsafeEntryName('Sources/a..b.TXT')).toBeNull();
  });

  it('refuses a symbolic link entry', () => {
    const zip = zipSync({ 'sources/link.txt': [text('/etc/passwd'), { os: 3, attrs: ((0o120777 << 16) >>> 0) }] });
    expect(() => readZipDirectory(zip, 'p.qdpx')).toThrow(/unsafe entry "sources\/link\.txt": it is a symbolic link/);
  });

  it('refuses an entry declaring more than the standard allows for one file, before inflating anything', () => {
    const zip = zipSync({ 'sources/big.txt': text('small') });
    expect(readZipDirectory(lieAboutSizes(zip, 2 ** 31 - 1), 'p.qdpx').map((entry) => entry.size)).toEqual([2 ** 31 - 1]);
    expect(() => readZipDirectory(lieAboutSizes(zip, 2 ** 31), 'p.qdpx')).toThrow(
      'p.qdpx: entry "sources/big.txt" declares 2048.0 MB (2,147,483,648 bytes) uncompressed, more than the 2048.0 MB (2,147,483,647 bytes) the standard allows for one file',
    );
    expect(() => readZipDirectory(zip, 'p.qdpx', { ...DEFAULT_ZIP_LIMITS, maxEntryBytes: 4 })).toThrow(/declares 5 bytes uncompressed, more than the 4 bytes/);
  });

  it('reads an archive on disk by offset exactly as one in memory', async () => {
    const zip = await writeZip([{ name: 'project.qde', data: text('<Project/>') }, { name: 'sources/B.txt', data: text('Ёлки 😀\n'.repeat(5000)) }]);
    const path = join(tempDir(), 'p.qdpx');
    writeFileSync(path, zip);
    const archive = openZipFile(path);
    try {
      expect(archive.size).toBe(zip.length);
      const entries = readZipDirectory(archive, 'p.qdpx');
      expect(entries).toEqual(readZipDirectory(zip, 'p.qdpx'));
      expect(Buffer.from(await readZipEntry(archive, entries[1]!, 'p.qdpx')).equals(Buffer.from(text('Ёлки 😀\n'.repeat(5000))))).toBe(true);
    } finally {
      archive.close();
    }
  });

  it('stops inflating an entry that produces more than it declares (a zip bomb with lying sizes)', async () => {
    const bomb = lieAboutSizes(zipSync({ 'sources/bomb.txt': new Uint8Array(32 * 1024 * 1024) }, { level: 9 }), 1000);
    expect(bomb.length).toBeLessThan(100 * 1024);
    const [entry] = readZipDirectory(bomb, 'p.qdpx');
    await expect(readZipEntry(bomb, entry!, 'p.qdpx')).rejects.toThrow(/"sources\/bomb\.txt" inflates to more than the 1000 bytes it declares/);
  });

  it('refuses a corrupt entry by its CRC', async () => {
    const zip = zipSync({ 'a.txt': [text('hello world'), { level: 0 }] });
    const corrupt = zip.slice();
    const at = Buffer.from(corrupt).indexOf('hello world');
    corrupt[at] = 'j'.charCodeAt(0);
    const [entry] = readZipDirectory(corrupt, 'p.qdpx');
    await expect(readZipEntry(corrupt, entry!, 'p.qdpx')).rejects.toThrow(/fails its CRC check/);
  });

  it('refuses what is not a ZIP, an encrypted entry and duplicate names', () => {
    expect(() => readZipDirectory(text('<Project/>'), 'p.qdpx')).toThrow(/p\.qdpx: not a ZIP archive/);
    const zip = zipSync({ 'a.txt': text('x') });
    const encrypted = zip.slice();
    const view = new DataView(encrypted.buffer);
    for (let at = 0; at + 4 <= encrypted.length; at++) if (view.getUint32(at, true) === 0x02014b50) view.setUint16(at + 8, 1, true);
    expect(() => readZipDirectory(encrypted, 'p.qdpx')).toThrow(/"a\.txt" is encrypted/);
    const twice = zipSync({ 'sources/A.txt': text('1'), 'sources/a.TXT': text('2') });
    expect(() => readZipDirectory(twice, 'p.qdpx')).toThrow(/holds "sources\/a\.TXT" twice/);
  });
});
