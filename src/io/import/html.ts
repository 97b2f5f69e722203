import { Parser } from 'htmlparser2';

// Web pages and the HTML that mammoth makes of a .docx, reduced to the readable text: one paragraph
// per block element, separated by blank lines; table rows one per paragraph with cells separated by
// a tab; scripts, styles and navigation chrome dropped.

/** Elements whose content is never the page's text. */
const SKIPPED = new Set([
  'script', 'style', 'nav', 'header', 'footer', 'aside', 'form', 'noscript', 'template', 'svg', 'math',
  'iframe', 'object', 'embed', 'canvas', 'select', 'button', 'head',
]);
const SECTIONING = new Set(['article', 'section', 'main']);
/** ARIA landmarks that are chrome, whatever element carries them. */
const SKIPPED_ROLES = new Set(['navigation', 'banner', 'contentinfo', 'search']);
/**
 * Class or id names that page templates give their chrome when they use plain <div>s: matched as whole
 * names, so that "post-header" or "menu-of-the-day" in an article stay.
 */
const CHROME_NAMES = new Set([
  'nav', 'navbar', 'navigation', 'site-nav', 'menu', 'main-menu', 'breadcrumb', 'breadcrumbs', 'sidebar', 'site-header', 'site-footer',
  'cookie', 'cookies', 'cookie-banner', 'cookie-notice', 'cookie-consent', 'share', 'sharing', 'share-buttons', 'social-share', 'skip-link',
]);

function isChromeByName(attributes: Record<string, string>): boolean {
  const names = `${attributes.class ?? ''} ${attributes.id ?? ''}`.toLowerCase().split(/\s+/);
  return names.some((name) => CHROME_NAMES.has(name));
}

const BLOCKS = new Set([
  'address', 'article', 'blockquote', 'body', 'caption', 'center', 'dd', 'details', 'dialog', 'div', 'dl', 'dt',
  'fieldset', 'figcaption', 'figure', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hgroup', 'hr', 'html', 'li', 'main',
  'ol', 'p', 'pre', 'section', 'summary', 'table', 'tbody', 'tfoot', 'thead', 'tr', 'ul',
]);

export interface HtmlText {
  title: string | null;
  text: string;
}

export interface HtmlOptions {
  /**
   * mammoth's footnotes and endnotes: drop the "↑" back-links and start each note with its marker,
   * "[1] …", so the note can be matched with the "[1]" left in the text.
   */
  notes?: boolean;
}

/** The readable text of an HTML document (see the rules at the top of this file). */
export function htmlToText(html: string, options: HtmlOptions = {}): HtmlText {
  const blocks: string[] = [];
  let line = '';
  let lines: string[] = [];
  let skipDepth = 0;
  let preDepth = 0;
  let cellDepth = 0;
  let cellsInRow = 0;
  let inTitle = false;
  let title = '';
  let skipAnchor = 0;
  const tagStack: string[] = [];
  const skipStack: boolean[] = [];
  const noteMarkers = new Map<string, string>();
  let pendingNoteId: string | null = null;
  // A note's marker waits for the note's first words, which mammoth puts in a <p> inside the <li>.
  let pendingPrefix = '';

  const flushLine = (): void => {
    const trimmed = preDepth > 0 ? line.replace(/\s+$/, '') : line.replace(/[ ]+/g, ' ').trim();
    lines.push(trimmed);
    line = '';
  };
  const flushBlock = (): void => {
    flushLine();
    const block = lines.join('\n').replace(/^\n+|\n+$/g, '');
    if (block.trim() !== '') blocks.push(block);
    lines = [];
  };
  const append = (text: string): void => {
    if (pendingPrefix !== '' && text.trim() !== '') {
      line += pendingPrefix;
      pendingPrefix = '';
      text = text.replace(/^\s+/, '');
    }
    if (preDepth > 0) {
      const parts = text.split('\n');
      parts.forEach((part, index) => {
        if (index > 0) flushLine();
        line += part;
      });
    } else {
      line += text.replace(/[ \t\n\r\f]+/g, ' ');
    }
  };

  const parser = new Parser(
    {
      onopentag(name, attributes) {
        // A <header> or <footer> inside an article or section is that article's own (its title, its
        // byline), not the page's banner or footer, as HTML defines them.
        const pageChrome = (name !== 'header' && name !== 'footer') || !tagStack.some((tag) => SECTIONING.has(tag));
        const skip = (SKIPPED.has(name) && pageChrome) || (attributes.role !== undefined && SKIPPED_ROLES.has(attributes.role.toLowerCase())) || 'hidden' in attributes || attributes['aria-hidden'] === 'true' || isChromeByName(attributes);
        tagStack.push(name);
        skipStack.push(skip);
        // The page's <title>, not an SVG icon's; the first one wins.
        if (name === 'title' && title === '' && !tagStack.includes('svg') && !tagStack.includes('body')) inTitle = true;
        if (skip) skipDepth++;
        if (skipDepth > 0) return;
        if (options.notes && name === 'a') {
          const href = attributes.href ?? '';
          if (/^#(footnote|endnote)-ref-/.test(href)) skipAnchor++;
          else if (/^#(footnote|endnote)-/.test(href)) pendingNoteId = href.slice(1);
        }
        if (name === 'br') {
          if (cellDepth > 0) line += ' ';
          else flushLine();
        } else if (name === 'td' || name === 'th') {
          if (cellsInRow > 0) line += '\t';
          cellsInRow++;
          cellDepth++;
        } else if (BLOCKS.has(name)) {
          if (cellDepth > 0) line += ' ';
          else flushBlock();
          if (name === 'tr') cellsInRow = 0;
          if (name === 'pre') preDepth++;
          if (options.notes && name === 'li' && attributes.id !== undefined) {
            const marker = noteMarkers.get(attributes.id);
            if (marker !== undefined) pendingPrefix = `${marker} `;
          }
        } else if (name === 'img' && attributes.alt) {
          append(` ${attributes.alt} `);
        }
      },
      ontext(text) {
        if (inTitle) {
          title += text;
          return;
        }
        if (skipDepth > 0 || skipAnchor > 0) return;
        if (pendingNoteId !== null) {
          noteMarkers.set(pendingNoteId, text.trim());
          pendingNoteId = null;
        }
        append(text);
      },
      onclosetag(name) {
        const skip = skipStack.pop() ?? false;
        tagStack.pop();
        if (name === 'title') inTitle = false;
        if (skip) {
          skipDepth--;
          return;
        }
        if (skipDepth > 0) return;
        if (name === 'a' && skipAnchor > 0) skipAnchor--;
        if (name === 'td' || name === 'th') {
          cellDepth = Math.max(0, cellDepth - 1);
        } else if (BLOCKS.has(name)) {
          if (cellDepth > 0) line += ' ';
          else flushBlock();
          if (name === 'pre') preDepth = Math.max(0, preDepth - 1);
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, recognizeSelfClosing: true },
  );
  parser.write(html);
  parser.end();
  flushBlock();
  const cleanTitle = title.replace(/\s+/g, ' ').trim();
  // Cells are joined by tabs; spaces around a tab are layout, not text.
  const text = blocks.map((block) => block.replace(/ *\t */g, '\t')).join('\n\n');
  return { title: cleanTitle === '' ? null : cleanTitle, text };
}

/** The charset a page declares in <meta charset> or <meta http-equiv>, lower-cased, if any. */
export function declaredCharset(head: string): string | undefined {
  const match = /<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)/i.exec(head);
  return match?.[1]?.toLowerCase();
}
