import { describe, expect, it } from 'vitest';
import { segmentText } from '../../src/core/segment.js';
import { sliceCodePoints } from '../../src/core/text.js';
import { extractDocument } from '../../src/io/import/extract.js';
import { markdownToText } from '../../src/io/import/markdown.js';

const YAML = '---\ntitle: Интервью R40\nrespondent: Иван Петров (настоящее имя)\n---\n\n# Интервью с R40\n\nИнтервьюер: Когда вы уехали?\n\nРеспондент: В марте.\n';

describe('Markdown front matter is metadata, not transcript text', () => {
  it('YAML front matter is left out whole and said so; the first heading is the title; segments slice the text', async () => {
    const { title, text, warnings } = await markdownToText(YAML);
    expect(title).toBe('Интервью с R40');
    expect(text).toBe('Интервью с R40\n\nИнтервьюер: Когда вы уехали?\n\nРеспондент: В марте.');
    expect(warnings).toEqual(['front matter left out (lines 1–4)']);
    const { segments } = segmentText(text, {});
    expect(segments.map((segment) => [segment.speaker, segment.text])).toEqual([
      [null, 'Интервью с R40'], ['Интервьюер', 'Когда вы уехали?'], ['Респондент', 'В марте.'],
    ]);
    for (const segment of segments) expect(sliceCodePoints(text, segment.start, segment.end)).toBe(segment.text);
  });

  it('TOML (+++) and CRLF YAML closed by "..." are front matter too; the import reports it as an md warning', async () => {
    const toml = await markdownToText('+++\r\ntitle = "TOML R41"\r\nsecret = "ТОМЛСЕКРЕТ"\r\n+++\r\n\r\nИнтервьюер: Вопрос?\r\n\r\nРеспондент: Ответ.\r\n');
    expect(toml.text).not.toMatch(/TOML|ТОМЛСЕКРЕТ|\+\+\+/);
    expect(toml.title).toBeNull();
    expect((await markdownToText('---\r\nname: X\r\n...\r\nA: b\r\n')).text).toBe('A: b');
    const extracted = await extractDocument(Buffer.from(YAML), 'front.md', 'md', { encoding: 'auto' });
    expect(extracted).toMatchObject({ kind: 'text', title: 'Интервью с R40', warnings: ['front matter left out (lines 1–4)'] });
  });

  it('a rule that opens the file is not front matter when a blank line or prose follows it', async () => {
    expect(await markdownToText('---\n\nA: hi\n\n---\n\nB: yo\n')).toEqual({ title: null, text: 'A: hi\n\nB: yo', warnings: [] });
    const prose = await markdownToText('---\nИнтервью с R40, Рига\n---\nB: yo\n');
    expect(prose.text).toContain('Интервью с R40, Рига');
    expect(prose.warnings).toEqual([]);
  });
});

describe('Markdown keeps anonymisation placeholders that look like HTML tags', () => {
  it('inline placeholders stay as written; real inline HTML still goes', async () => {
    const { text } = await markdownToText('Respondent: My name is <name> and I live in <city>, working for <NGO-1>. I was <b>really</b> scared.\n');
    expect(text).toBe('Respondent: My name is <name> and I live in <city>, working for <NGO-1>. I was really scared.');
  });

  it('a placeholder that starts a block (CommonMark: an HTML block) stays on a line of its own; the label after it is still a turn', async () => {
    const { text } = await markdownToText('Interviewer: Where?\n\n<city>\nRespondent: There.\n');
    expect(text).toBe('Interviewer: Where?\n\n<city>\nRespondent: There.');
    expect(segmentText(text, {}).segments.map((segment) => [segment.speaker, segment.text])).toEqual([['Interviewer', 'Where?\n\n<city>'], ['Respondent', 'There.']]);
  });

  it('a bare element name never closed (<address>, <time>) is a placeholder; a closed one and void ones are HTML', async () => {
    expect((await markdownToText('R: I live at <address> since <time>.\n')).text).toBe('R: I live at <address> since <time>.');
    expect((await markdownToText('R: <time>10:00</time> and a<br>break\n')).text).toBe('R: 10:00 and abreak');
    expect((await markdownToText('<div>My name is <name></div>\n')).text).toBe('My name is <name>');
  });
});
