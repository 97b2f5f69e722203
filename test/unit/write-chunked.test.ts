import { describe, expect, it } from 'vitest';
import { writeChunked } from '../../src/cli/output.js';

// retrieve prints tens of thousands of passages through writeChunked: every byte must come out once, in
// order, whatever the mix of scripts and sizes, and in writes of about a megabyte.

function written(pieces: string[]): { text: string; writes: number[] } {
  const chunks: Buffer[] = [];
  writeChunked(pieces, (chunk) => chunks.push(Buffer.isBuffer(chunk) ? Buffer.from(chunk) : Buffer.from(chunk, 'utf8')));
  return { text: Buffer.concat(chunks).toString('utf8'), writes: chunks.map((chunk) => chunk.length) };
}

describe('writeChunked', () => {
  it('writes nothing for no pieces', () => {
    expect(written([]).writes).toEqual([]);
  });

  it('keeps Cyrillic, Latin and emoji intact across chunk boundaries', () => {
    const pieces = Array.from({ length: 40_000 }, (_, i) => `R${i} · Мы вышли на пикет 😀 at the embassy\n`);
    const { text, writes } = written(pieces);
    expect(text).toBe(pieces.join(''));
    expect(writes.length).toBeGreaterThan(1);
    for (const size of writes) expect(size).toBeLessThanOrEqual(1 << 20);
  });

  it('writes a piece larger than a chunk on its own, between the pieces around it', () => {
    const huge = 'Ж'.repeat(600_000);
    const { text, writes } = written(['before ', huge, ' after']);
    expect(text).toBe(`before ${huge} after`);
    expect(writes).toEqual([7, Buffer.byteLength(huge), 6]);
  });
});
