import type { Token, Tokens } from 'marked';
import { htmlToText } from './html.js';

// Markdown reduced to its text with marked's lexer (no HTML rendering): headings, paragraphs and list
// items keep their words, emphasis and link syntax go, list items become lines, table rows become
// tab-separated lines, code keeps its text. Blocks are separated by blank lines.

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
      return htmlToText((token as Tokens.HTML).text).text;
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
        result.push(htmlToText((token as Tokens.HTML).text).text);
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

/** The text of a Markdown document and its first heading (as the title). */
export async function markdownToText(source: string): Promise<{ title: string | null; text: string }> {
  const { Lexer } = await import('marked');
  const tokens = new Lexer({ gfm: true }).lex(source);
  const heading = tokens.find((token): token is Tokens.Heading => token.type === 'heading');
  return { title: heading === undefined ? null : inline(heading.tokens, heading.text).trim(), text: blocks(tokens).join('\n\n') };
}
