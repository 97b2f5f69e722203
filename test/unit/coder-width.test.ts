import chalk from 'chalk';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { wrapPlain } from '../../src/cli/coder/width.js';
import { displayWidth as columns } from '../../src/cli/width.js';

describe('measuring text for the coder screen', () => {
  it.each([
    ['plain ASCII', 'forms.protest  Protest, demonstration', 37],
    ['Cyrillic with ё and «»', 'Ещё «митинг» — пикет…', 21],
    ['the screen\'s own marks', '› [ ] ( ) (•) ─── ▏ ↑↓ ← → · −', 30],
    ['CJK, two columns each', '中文字', 6],
    ['an emoji', 'ok 🙂', 5],
    ['a flag and a family (one grapheme each)', '🇱🇹👨‍👩‍👧', 4],
    ['combining marks take no column', 'e\u0301e\u0301', 2],
    ['©, which string-width counts as an emoji', '©', 2],
  ])('%s', (_title, text, width) => {
    expect(columns(text)).toBe(width);
    expect(columns(text)).toBe(stringWidth(text));
  });

  it('ignores colours', () => {
    chalk.level = 1;
    expect(columns(chalk.bold.green('Протест'))).toBe(7);
  });
});

describe('wrapping a segment', () => {
  const sample = 'Респондент: Я делала уличные акции 🙂 и 中文字 перформансы в Нижнем Новгороде, в основном на темы экологии. '.repeat(5);

  it.each([10, 17, 40, 80])('keeps every line within %i columns and every character in order', (width) => {
    const lines = wrapPlain(sample, width);
    for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(width);
    expect(lines.join('').replaceAll(' ', '')).toBe(sample.replaceAll(' ', ''));
    if (width >= 17) expect(lines.join(' ')).toBe(sample.trim());
  });

  it('breaks a word longer than a line, between characters, never inside a wide one', () => {
    expect(wrapPlain('ab Supercalifragilistic', 8)).toEqual(['ab', 'Supercal', 'ifragili', 'stic']);
    expect(wrapPlain('中文字中文字', 5)).toEqual(['中文', '字中', '文字']);
  });

  it('keeps paragraphs apart, empty ones included', () => {
    expect(wrapPlain('one two\n\nthree', 20)).toEqual(['one two', '', 'three']);
  });
});
