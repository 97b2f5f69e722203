import { describe, expect, it } from 'vitest';
import { parseCsvTable } from '../../src/io/import/csv.js';
import { htmlToText } from '../../src/io/import/html.js';
import { markdownToText } from '../../src/io/import/markdown.js';
import { cueUnits, parseSrt, parseVtt } from '../../src/io/import/subtitles.js';

describe('HTML: the readable text of a page', () => {
  const page = `<!doctype html><html><head><title> Письма без границ — о нас </title><style>p{color:red}</style>
    <script>var leak = "script text";</script></head>
    <body>
      <header><a href="/">Home</a> <a href="/about">About</a></header>
      <nav><ul><li>Menu item</li></ul></nav>
      <div role="navigation">Breadcrumbs</div>
      <main>
        <article><header><h1>О нас</h1></header>
        <p>Мы  работаем
           с 2022&nbsp;года &amp; помогаем.<br>Вторая строка.</p>
        <p hidden>Hidden paragraph</p>
        <table><tr><th>Год</th><th>Событие</th></tr><tr><td><p>2022</p></td><td>Основание</td></tr></table>
        <pre>code  keeps
  its spaces</pre>
        <svg><title>icon title</title></svg>
        <form><label>Email</label><input></form>
        <aside>Related posts</aside>
        <noscript>Enable JS</noscript></article>
      </main>
      <footer>© 2024</footer>
    </body></html>`;

  it('keeps the title and the blocks (an article\'s own header too), drops scripts, styles and navigation chrome', () => {
    const { title, text } = htmlToText(page);
    expect(title).toBe('Письма без границ — о нас');
    expect(text).toBe('О нас\n\nМы работаем с 2022\u00a0года & помогаем.\nВторая строка.\n\nГод\tСобытие\n\n2022\tОснование\n\ncode  keeps\n  its spaces');
    for (const chrome of ['script text', 'color:red', 'Home', 'Menu item', 'Breadcrumbs', 'Hidden', 'icon title', 'Email', 'Related', 'Enable JS', '© 2024']) {
      expect(text).not.toContain(chrome);
    }
  });

  it('drops chrome that templates mark only by class or id, and keeps look-alike names in the text', () => {
    const html = `<body><div class="wrapper"><div id="sidebar"><p>Archive</p></div><ul class="menu"><li>Home</li></ul>
      <div class="post-header"><h1>Our year</h1></div><p class="menu-of-the-day">Soup and bread.</p>
      <div class="share buttons">Share on X</div><div class="cookie-banner">We use cookies</div><p>We met 40 times.</p></div></body>`;
    expect(htmlToText(html).text).toBe('Our year\n\nSoup and bread.\n\nWe met 40 times.');
  });

  it('turns mammoth footnotes into "[1] …" paragraphs without back-links', () => {
    const html = '<p>Ouch<sup><a href="#footnote-1" id="footnote-ref-1">[1]</a></sup>.</p><ol><li id="footnote-1"><p> A note. <a href="#footnote-ref-1">↑</a></p></li></ol>';
    expect(htmlToText(html, { notes: true }).text).toBe('Ouch[1].\n\n[1] A note.');
  });
});

describe('Markdown: reduced to its text', () => {
  it('keeps headings and words, drops the syntax, lists become lines', async () => {
    const source = '# Интервью R09\n\nИнтервьюер: *Почему* **Польша**? См. [сайт](http://x) &amp; `код`\nОльга Д.: Так.\n\n- пункт *один*\n- пункт два\n  - вложенный\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n---\n\n> цитата\n';
    const { title, text } = await markdownToText(source);
    expect(title).toBe('Интервью R09');
    expect(text).toBe('Интервью R09\n\nИнтервьюер: Почему Польша? См. сайт & код\nОльга Д.: Так.\n\nпункт один\nпункт два\nвложенный\n\na\tb\n\n1\t2\n\nцитата');
  });
});

describe('WebVTT and SubRip', () => {
  const vtt = 'WEBVTT\nKind: captions\nLanguage: en\n\nNOTE\nA note, not text.\n\nSTYLE\n::cue { color: red }\n\n1\n00:00:01.000 --> 00:00:06.500 align:start\n<v Interviewer>How did you <i>end up</i> here &amp; why?\n\n00:07.000 --> 00:19.800\n<v.loud Sasha>I was a climate activist.\nTwo lines.\n';

  it('reads cues with voice tags, times and tag-free text; header and NOTE/STYLE blocks are not text', () => {
    const cues = parseVtt(vtt, 'a.vtt');
    expect(cueUnits(cues)).toEqual([
      { speaker: 'Interviewer', text: 'How did you end up here & why?', tStart: 1000, tEnd: 6500 },
      { speaker: 'Sasha', text: 'I was a climate activist.\nTwo lines.', tStart: 7000, tEnd: 19800 },
    ]);
  });

  it('refuses a file without the WEBVTT header and a cue with a broken timing, with the line', () => {
    expect(() => parseVtt('1\n00:00:01.000 --> 00:00:02.000\nHi\n', 'b.vtt')).toThrow(/b\.vtt:1: not a WebVTT file/);
    expect(() => parseVtt('WEBVTT\n\n1\n00:00:01 --> 00:00:02.000\nHi\n', 'c.vtt')).toThrow(/c\.vtt:4: cannot read the cue timing/);
  });

  it('keeps text after a blank line inside a SubRip cue as part of that cue, and says so', () => {
    const warnings: string[] = [];
    const srt = '1\n00:00:01,000 --> 00:00:04,000\nМы вышли на пикет.\n\nПотом нас задержали.\n\n2\n00:00:05,000 --> 00:00:06,000\nИ уехали.\n';
    expect(parseSrt(srt, 'g.srt', warnings).map((cue) => [cue.text, cue.tStart, cue.tEnd])).toEqual([
      ['Мы вышли на пикет.\nПотом нас задержали.', 1000, 4000],
      ['И уехали.', 5000, 6000],
    ]);
    expect(warnings).toEqual(['line 5: text after a blank line inside subtitle 1 was kept as part of it']);
  });

  it('reads SubRip cues and takes "NAME:" prefixes as speakers when they recur', () => {
    const srt = '1\r\n00:00:00,500 --> 00:00:05,000\r\nИНТЕРВЬЮЕР: Как вы оказались здесь?\r\n\r\n2\r\n00:00:05,400 --> 00:00:17,900\r\nАЛИСА: Я поступила <i>сюда</i>.\r\n\r\n3\r\n00:00:18,300 --> 00:00:29,600\r\nАЛИСА: Потом осталась.\r\n\r\n4\r\n00:00:30,000 --> 00:00:31,000\r\nNote: без метки.\r\n';
    expect(cueUnits(parseSrt(srt, 'a.srt'))).toEqual([
      { speaker: 'ИНТЕРВЬЮЕР', text: 'Как вы оказались здесь?', tStart: 500, tEnd: 5000 },
      { speaker: 'АЛИСА', text: 'Я поступила сюда.', tStart: 5400, tEnd: 17900 },
      { speaker: 'АЛИСА', text: 'Потом осталась.', tStart: 18300, tEnd: 29600 },
      { speaker: null, text: 'Note: без метки.', tStart: 30000, tEnd: 31000 },
    ]);
    expect(() => parseSrt('1\nno timing here\ntext\n', 'd.srt')).toThrow(/d\.srt:1: a subtitle without a timing line/);
    expect(() => parseSrt('1\n00:00:01,000 --> 00:00:02,000\nHi\n\n2\ntext\n00:00:03,000 --> 00:00:04,000\n', 'f.srt')).toThrow(/f\.srt:5: a subtitle without a timing line/);
    expect(() => parseSrt('1\n00:00:05,000 --> 00:00:01,000\ntext\n', 'e.srt')).toThrow(/e\.srt:2: the cue ends before it starts/);
  });
});

describe('CSV tables', () => {
  it('numbers rows as a spreadsheet does and finds where multi-line records start', async () => {
    const table = await parseCsvTable('id,answer\nS01,"two\nlines"\nS02,one\n', 'x.csv');
    expect(table.columns).toEqual(['id', 'answer']);
    expect(table.rows.map((row) => [row.row, row.line, row.values.id])).toEqual([[2, 2, 'S01'], [3, 4, 'S02']]);
  });

  it('reads semicolon-separated files (European spreadsheets)', async () => {
    expect((await parseCsvTable('file;case\na.txt;R01\n', 'x.csv')).rows[0]?.values).toEqual({ file: 'a.txt', case: 'R01' });
  });

  it.each([
    ['id,answer\nS01,fine\nS02,"never closed\nS03,x\n', /^x\.csv:3: row 3: a quoted field is never closed \(unbalanced quotes; the row starts on line 3/],
    ['id,answer\nS01,"two\nlines"\n\nS02,"never closed\nS03,x\n', /^x\.csv:5: row 3: a quoted field is never closed/],
    ['id,answer\nS01,fine\nS02,a "quote" inside\n', /x\.csv:3: row 3: a quote in the middle of a field/],
    ['id,answer\nS01,fine,extra\n', /x\.csv:2: row 2: has 3 fields/],
    ['id,id\n1,2\n', /row 1: the column "id" appears twice/],
    ['id,\n1,2\n', /row 1, column 2: the header has an empty column name/],
    ['  \n', /the CSV file is empty/],
  ])('refuses %j with the row', async (text, message) => {
    await expect(parseCsvTable(text, 'x.csv')).rejects.toThrow(message);
  });
});
