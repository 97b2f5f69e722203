// Damage the check before a removal did not see, met by the compaction after the commit: the removal
// stands, and the line says the store is damaged and that the removal must be made again once a backup
// (which still holds the removed text) is restored, not "Fix that".
import { describe, expect, it, vi } from 'vitest';
import { carryOutRemoval, planDocumentRemoval } from '../../src/app/removal.js';
import { DamagedStoreError } from '../../src/store/db.js';
import { openForTest, seedInterviews } from '../seed.js';

vi.mock('../../src/store/removal.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/store/removal.js')>();
  return {
    ...original,
    compactStore: () => {
      throw Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' });
    },
  };
});

describe('a removal whose compaction meets a damaged store', () => {
  it('says the store is damaged and that the removal must be made again after restoring a backup', () => {
    const project = openForTest(seedInterviews());
    const plan = planDocumentRemoval(project, ['r01-vilnius-ru']);
    let error: unknown;
    try {
      carryOutRemoval(project, plan);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DamagedStoreError);
    const { message, hint } = error as DamagedStoreError;
    expect(message).toMatch(/qcode\.db is damaged: database disk image is malformed — r01-vilnius-ru was removed .*the erasure is NOT complete/);
    expect(hint).toMatch(/^Restore it from a backup .*the backup still holds the removed text, so once it is restored run the removal again: qcode docs remove r01-vilnius-ru/);
    expect(hint).not.toContain('Fix that');
  });
});
