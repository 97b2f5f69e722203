import { describe, expect, it } from 'vitest';
import { palette } from '../../src/cli/render/style.js';

// Piped output skips loading chalk and gets a stand-in: it must style nothing, chain like chalk, and be
// safe to return from an async function.
describe('palette', () => {
  it('is plain for piped output: every style, chained or not, returns its text', async () => {
    const color = palette({}, false);
    expect(color.level).toBe(0);
    expect(color.bold('a')).toBe('a');
    expect(color.cyan.bold.underline('b')).toBe('b');
    expect(color.dim('x', 2)).toBe('x 2');
    expect(color.yellow()).toBe('');
    expect(await (async () => palette({}, false))()).toBe(color);
  });

  it('leaves a terminal, or forced colour, to chalk, and never colours with NO_COLOR', () => {
    const plain = palette({}, false);
    // chalk then detects the level itself (from the real process, not a terminal under the test runner).
    expect(palette({}, true)).not.toBe(plain);
    expect(palette({ FORCE_COLOR: '1' }, false)).not.toBe(plain);
    expect(palette({ NO_COLOR: '1' }, true)).toBe(plain);
  });
});
