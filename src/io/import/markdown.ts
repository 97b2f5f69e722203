import type { Token, Tokens } from 'marked';
import { htmlToText } from './html.js';

// Markdown reduced to its text with marked's lexer (no HTML rendering): headings, paragraphs and list
// items keep their words, emphasis and link syntax go, list items become lines, table rows become
// tab-separated lines, code keeps its text. Blocks are separated by blank lines. Front matter is not
// text, and `<name>`-style placeholders that are no HTML element stay as written.

/** The elements of HTML, current and obsolete (browsers still render both). */
const HTML_ELEMENTS = new Set([
  'a', 'abbr', 'address', 'area', 'article', 'aside', 'audio', 'b', 'base', 'bdi', 'bdo', 'blockquote', 'body', 'br',
  'button', 'canvas', 'caption', 'cite', 'code', 'col', 'colgroup', 'data', 'datalist', 'dd', 'del', 'details', 'dfn',
  'dialog', 'div', 'dl', 'dt', 'em', 'embed', 'fieldset', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3',
  'h4', 'h5', 'h6', 'head', 'header', 'hgroup', 'hr', 'html', 'i', 'iframe', 'img', 'input', 'ins', 'kbd', 'label',
  'legend', 'li', 'link', 'main', 'map', 'mark', 'math', 'menu', 'meta', 'meter', 'nav', 'noscript', 'object', 'ol',
  'optgroup', 'option', 'output', 'p', 'param', 'picture', 'pre', 'progress', 'q', 'rp', 'rt', 'ruby', 's', 'samp',
  'script', 'search', 'section', 'select', 'slot', 'small', 'source', 'span', 'strong', 'style', 'sub', 'summary',
  'sup', 'svg', 'table', 'tbody', 'td', 'template', 'textarea', 'tfoot', 'th', 'thead', 'time', 'title', 'tr',
  'track', 'u', 'ul', 'var', 'video', 'wbr',
  'acronym', 'applet', 'basefont', 'bgsound', 'big', 'blink', 'center', 'dir', 'font', 'frame', 'frameset', 'image',
  'isindex', 'keygen', 'listing', 'marquee', 'menuitem', 'multicol', 'nextid', 'nobr', 'noembed', 'noframes',
  'plaintext', 'rb', 'rtc', 'spacer', 'strike', 'tt', 'xmp',
]);

/** Elements that are void or whose end tag may be left out: written alone, they are still HTML. */
const UNCLOSED_ELEMENTS = new Set([
  'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr',
  'basefont', 'bgsound', 'frame', 'image', 'isindex', 'keygen', 'nextid', 'spacer',
  'html', 'head', 'body', 'p', 'li', 'dt', 'dd', 'tr', 'td', 'th', 'thead', 'tbody', 'tfoot', 'caption', 'colgroup',
  'option', 'optgroup', 'rb', 'rp', 'rt', 'rtc',
]);

const TAG = /<\/?[a-z][a-z0-9-]*(?:\s[^<>]*)?\/?>/gi;
const TAG_NAME = /^<\/?([a-z][a-z0-9-]*)/i;
const BARE_OPENING_TAG = /^<([a-z][a-z0-9-]*)>/i;

function namesHtmlElement(tag: string): boolean {
  const name = TAG_NAME.exec(tag)?.[1];
  return name === undefined || HTML_ELEMENTS.has(name.toLowerCase());
}

/**
 * CommonMark takes any `<word>` for raw HTML, so a transcript's anonymisation placeholders (`<name>`,
 * `<city>`, `<NGO-1>`) would vanish with the markup. A tag that names no HTML element is text, kept as
 * written, as the .vtt and .srt readers keep it; so is a bare `<address>`, `<time>` or `<title>` that
 * the document never closes although HTML requires it. Returns the test for the start of a token.
 */
function placeholderTest(source: string): (raw: string) => boolean {
  const closed = new Set([...source.matchAll(/<\/([a-z][a-z0-9-]*)\s*>/gi)].map((match) => (match[1] as string).toLowerCase()));
  return (raw) => {
    if (!namesHtmlElement(raw)) return true;
    const bare = BARE_OPENING_TAG.exec(raw)?.[1]?.toLowerCase();
    return bare !== undefined && !UNCLOSED_ELEMENTS.has(bare) && !closed.has(bare);
  };
}

/** The text of raw HTML in Markdown; tags inside it that name no HTML element stay as written. */
function rawHtmlText(html: string): string {
  const literal = html.replace(TAG, (tag) => (namesHtmlElement(tag) ? tag : tag.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')));
  return htmlToText(literal).text;
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', laquo: '«', raquo: '»',
  mdash: '—', ndash: '–', hellip: '…', copy: '©', shy: '\u00ad',
};

/** Markdown keeps entities literally; a reader of the rendered file sees the characters. */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
  });
}

function inline(tokens: readonly Token[] | undefined, fallback: string): string {
  if (tokens === undefined) return decodeEntities(fallback);
  return tokens.map((token) => inlineToken(token)).join('');
}

function inlineToken(token: Token): string {
  switch (token.type) {
    case 'text':
      return 'tokens' in token && token.tokens ? inline(token.tokens, token.text) : decodeEntities(token.text);
    case 'escape':
    case 'codespan':
      return (token as Tokens.Codespan).text;
    case 'br':
      return '\n';
    case 'image':
      return (token as Tokens.Image).text;
    case 'html':
      return rawHtmlText((token as Tokens.HTML).text);
    case 'strong':
    case 'em':
    case 'del':
    case 'link':
      return inline((token as Tokens.Strong).tokens, (token as Tokens.Strong).text);
    default:
      return 'text' in token && typeof token.text === 'string' ? token.text : '';
  }
}

function blocks(tokens: readonly Token[]): string[] {
  const result: string[] = [];
  for (const token of tokens) {
    switch (token.type) {
      case 'heading':
      case 'paragraph':
        result.push(inline((token as Tokens.Paragraph).tokens, (token as Tokens.Paragraph).text));
        break;
      case 'text':
        result.push(inlineToken(token));
        break;
      case 'code':
        result.push((token as Tokens.Code).text);
        break;
      case 'blockquote':
        result.push(...blocks((token as Tokens.Blockquote).tokens));
        break;
      case 'list':
        result.push(listLines(token as Tokens.List).join('\n'));
        break;
      case 'table': {
        const table = token as Tokens.Table;
        const row = (cells: Tokens.TableCell[]): string => cells.map((cell) => inline(cell.tokens, cell.text).trim()).join('\t');
        result.push(row(table.header), ...table.rows.map(row));
        break;
      }
      case 'html':
        result.push(rawHtmlText((token as Tokens.HTML).text));
        break;
      default:
        // space, hr, def: no words.
        break;
    }
  }
  return result.filter((block) => block.trim() !== '');
}

function listLines(list: Tokens.List): string[] {
  return list.items.flatMap((item) => blocks(item.tokens).flatMap((block) => block.split('\n')));
}

/**
 * YAML (`---`) or TOML (`+++`) front matter at the top of the file, as site generators and note apps
 * write it, is metadata (a title, tags, at times the respondent's real name), not the interview; marked
 * does not know it and reads it as a rule and a heading. Its number of lines, or 0 when there is none.
 * As in Pandoc, an opening fence followed by a blank line is a thematic break; YAML's lines must be
 * keys, list items, comments or indented, so that a transcript between two rules is not taken for it.
 */
function frontMatterLines(lines: readonly string[]): number {
  const fence = lines[0]?.trimEnd();
  if ((fence !== '---' && fence !== '+++') || (lines[1] ?? '').trim() === '') return 0;
  for (let index = 1; index < lines.length; index++) {
    const line = (lines[index] as string).trimEnd();
    if (line === fence || (fence === '---' && line === '...')) return index + 1;
    if (fence === '---' && line !== '' && !/^(\s|#|-(\s|$)|[^\s:][^:]*:(\s|$)|["'][^"']*["']\s*:(\s|$))/.test(line)) return 0;
  }
  return 0;
}

/** The text of a Markdown document and its first heading (as the title); front matter is left out, and said so. */
export async function markdownToText(source: string): Promise<{ title: string | null; text: string; warnings: string[] }> {
  const { Lexer, Tokenizer } = await import('marked');
  const lines = source.split('\n');
  const cut = frontMatterLines(lines);
  const body = cut === 0 ? source : lines.slice(cut).join('\n');
  const isPlaceholder = placeholderTest(body);
  class PlaceholderTokenizer extends Tokenizer {
    // Undefined lets the lexer read the tag as text (inline) or the lines as a paragraph (a block).
    override html(src: string): Tokens.HTML | undefined {
      const token = super.html(src);
      return token !== undefined && isPlaceholder(token.raw) ? undefined : token;
    }
    override tag(src: string): Tokens.Tag | undefined {
      const token = super.tag(src);
      return token !== undefined && isPlaceholder(token.raw) ? undefined : token;
    }
  }
  const tokens = new Lexer({ gfm: true, tokenizer: new PlaceholderTokenizer() }).lex(body);
  const heading = tokens.find((token): token is Tokens.Heading => token.type === 'heading');
  return {
    title: heading === undefined ? null : inline(heading.tokens, heading.text).trim(),
    text: blocks(tokens).join('\n\n'),
    warnings: cut === 0 ? [] : [`front matter left out (lines 1–${cut})`],
  };
}
