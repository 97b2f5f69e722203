import { describe, expect, it } from 'vitest';
import { escapeControls } from '../../src/cli/errors.js';

describe('escapeControls', () => {
  it('shows C0, DEL and C1 controls escaped, and leaves other text as it is', () => {
    expect(escapeControls('a\nb\r\nc\td')).toBe('a\\nb\\r\\nc\\td');
    expect(escapeControls('\u0000\u001b[31m\u007f\u0085\u009f')).toBe('\\u{0}\\u{1b}[31m\\u{7f}\\u{85}\\u{9f}');
    expect(escapeControls('Привет — «ё» \u00a0 "x" \\n')).toBe('Привет — «ё» \u00a0 "x" \\n');
  });
});
