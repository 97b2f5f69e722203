import { describe, expect, it } from 'vitest';
import { diskFullError } from '../../src/cli/errors.js';

const fsError = (code: string, message: string, path?: string): Error => Object.assign(new Error(message), { code, path });

describe('diskFullError', () => {
  it('turns ENOSPC and EDQUOT from the file system into a user error naming the file', () => {
    expect(diskFullError(fsError('ENOSPC', "ENOSPC: no space left on device, write", '/x/exports/codings.csv'))?.message)
      .toBe('the disk is full (/x/exports/codings.csv): no space left on device, write');
    expect(diskFullError(fsError('EDQUOT', 'EDQUOT: disk quota exceeded, write', '/x/a.csv'))?.message).toBe('the disk is full (/x/a.csv): disk quota exceeded, write');
    expect(diskFullError(fsError('SQLITE_FULL', 'database or disk is full'), '/p/qcode.db')?.message).toBe('the disk is full (/p/qcode.db): database or disk is full');
  });

  it('leaves other errors alone', () => {
    expect(diskFullError(fsError('EACCES', 'EACCES: permission denied'))).toBeUndefined();
    expect(diskFullError(new Error('boom'))).toBeUndefined();
    expect(diskFullError(undefined)).toBeUndefined();
  });
});
