import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeStaleScratch, scratchPrefix } from '../../src/io/scratch.js';
import { tempDir } from '../helpers.js';

// A scratch entry is removed only when its name says which process made it and that process is gone:
// everything else in the folder, the user's files above all, stays.
describe('removeStaleScratch', () => {
  it("removes the entries of processes that are gone, and nothing else", () => {
    const dir = tempDir();
    const prefix = '.out.qcode-export-';
    const gone = `${prefix}999999999-a1b2c3`;
    const kept = [`${prefix}${process.pid}-mine`, `${prefix}1-init`, `${prefix}abc-notapid`, `${prefix}123`, 'out', '.out.qcode-exports-999999999-x', 'notes.txt'];
    mkdirSync(join(dir, gone));
    writeFileSync(join(dir, gone, 'segments.csv'), 'words of a participant');
    for (const name of kept) writeFileSync(join(dir, name), '');

    expect(removeStaleScratch(dir, prefix)).toEqual([join(dir, gone)]);
    expect(existsSync(join(dir, gone))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual([...kept].sort());
  });

  it('names this process and answers an empty list for a folder that does not exist', () => {
    expect(scratchPrefix('qcode-memo-')).toBe(`qcode-memo-${process.pid}-`);
    expect(removeStaleScratch(join(tempDir(), 'missing'), 'qcode-memo-')).toEqual([]);
  });
});
