import { describe, expect, it } from 'vitest';
import { runQcode, tempDir } from '../helpers.js';

// Number() read 0x10, 1e3 and " 5" as numbers, and a bootstrap of 10^11 samples ran without end; a seed
// without a bootstrap was taken and silently did nothing.

describe('agreement --bootstrap and --seed', () => {
  it('refuse what is not a plain whole number in range, and a seed without a bootstrap, as usage errors', () => {
    const cwd = tempDir();
    const cases: Array<[string[], string]> = [
      [['--bootstrap', '0x10'], 'Error: --bootstrap takes a whole number from 1 to 100,000, got "0x10"'],
      [['--bootstrap', '1e3'], 'Error: --bootstrap takes a whole number from 1 to 100,000, got "1e3"'],
      [['--bootstrap', ' 5'], 'Error: --bootstrap takes a whole number from 1 to 100,000, got " 5"'],
      [['--bootstrap', '100000000000'], 'Error: --bootstrap takes a whole number from 1 to 100,000, got "100000000000"'],
      [['--bootstrap', '200', '--seed', '99999999999999999999999'], 'Error: --seed takes a whole number from 1 to 4,294,967,295, got "99999999999999999999999"'],
      [['--seed', '5'], 'Error: --seed seeds the bootstrap: give --bootstrap N with it'],
    ];
    for (const [options, line] of cases) {
      const result = runQcode(['agreement', '--coders', 'anna,boris', ...options], { cwd });
      expect(result.code, options.join(' ')).toBe(2);
      expect(result.stderr.trim()).toBe(line);
    }
  });
});
