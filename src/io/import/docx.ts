import { UserError } from '../../core/errors.js';
import { htmlToText } from './html.js';

// Word documents through mammoth (its HTML, reduced by htmlToText): paragraphs and headings become
// paragraphs, table rows become tab-separated paragraphs, lists become one paragraph per item,
// text boxes are kept. Footnotes and endnotes are kept at the end as "[1] …" paragraphs (they are
// the author's words); comments, headers and footers are left out (they are annotations and page
// furniture, not the interview), and so are equations and hidden text; the report counts the
// comments, equations and paragraphs with hidden text left out. Tracked changes are read as accepted.
// Simple fields keep their result; line, page and column breaks become line feeds.

export interface DocxText {
  title: string | null;
  text: string;
  warnings: string[];
}

/** Checks that the bytes are a complete zip holding a Word document, with a clear line if not. */
async function checkPackage(bytes: Uint8Array, file: string): Promise<string[]> {
  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 0x03 || bytes[2] === 0x05) && (bytes[3] === 0x04 || bytes[3] === 0x06);
  if (!isZip) {
    const hint = bytes[0] === 0xd0 && bytes[1] === 0xcf ? 'This is an old .doc file: open it in Word or LibreOffice and save it as .docx' : 'Save it from Word or LibreOffice as .docx, or import the text as .txt';
    throw new UserError(`${file}: not a .docx file (a .docx is a zip archive; this file is not one)`, { hint });
  }
  const { unzipSync } = await import('fflate');
  const names: string[] = [];
  try {
    unzipSync(bytes, {
      filter: (entry) => {
        names.push(entry.name);
        return false;
      },
    });
  } catch (error) {
    throw new UserError(`${file}: the .docx is damaged or truncated (${(error as Error).message})`, {
      hint: 'Copy the file again from its source, or open it in Word and save it anew',
    });
  }
  if (!names.includes('word/document.xml')) {
    const kind = names.some((name) => name.startsWith('xl/')) ? 'an Excel workbook'
      : names.some((name) => name.startsWith('ppt/')) ? 'a PowerPoint file'
      : names.includes('content.xml') ? 'an OpenDocument file'
      : 'a zip archive';
    throw new UserError(`${file}: not a Word document: it is ${kind} renamed .docx (no word/document.xml inside)`, {
      hint: 'Import the documents themselves, or save this file as .docx or .txt',
    });
  }
  return names;
}

/**
 * What the text leaves out that a reader of the .docx would see: comments and equations (mammoth
 * reads neither), counted so that the import report can say so instead of dropping them silently.
 */
function leftOut(parts: Readonly<Record<string, string>>): string[] {
  const count = (name: string, pattern: RegExp): number => {
    const part = parts[name];
    return part === undefined ? 0 : (part.match(pattern) ?? []).length;
  };
  const comments = count('word/comments.xml', /<w:comment\b/g);
  // A display equation (m:oMathPara) holds one m:oMath; count each equation once.
  const equations = count('word/document.xml', /<m:oMath\b/g);
  return [
    comments > 0 ? `${comments} comment${comments === 1 ? '' : 's'} left out` : null,
    equations > 0 ? `${equations} equation${equations === 1 ? '' : 's'} left out` : null,
  ].filter((note): note is string => note !== null);
}

// ---------------------------------------------------------------- what mammoth misreads
//
// mammoth imports hidden text (w:vanish: often a real name the transcriber hid, so a privacy leak),
// drops w:fldSimple with its result, glues words around w:cr and page or column breaks, and does not
// look inside DrawingML text boxes that have no VML fallback. The parts it reads text from are
// rewritten before it sees them: one streaming pass (htmlparser2 in XML mode) that copies every tag
// as written except the ones it changes, fast enough for a document of many megabytes.

/** Parts whose text is imported; the others (headers, footers, comments) are not read as text. */
const TEXT_PARTS = ['word/document.xml', 'word/footnotes.xml', 'word/endnotes.xml'];
const W_NAMESPACES = new Set(['http://schemas.openxmlformats.org/wordprocessingml/2006/main', 'http://purl.oclc.org/ooxml/wordprocessingml/main']);
const MC_NAMESPACE = 'http://schemas.openxmlformats.org/markup-compatibility/2006';
/** Parts without any of these need no rewriting (unless a style hides text): most documents. */
const NEEDS_REWRITE = /vanish|fldSimple|<(?:[\w.-]+:)?cr\b|type=["'](?:page|column)["']|txbxContent/;
/** What a hidden run keeps: its properties and the field characters that keep complex fields balanced. */
const RUN_STRUCTURE = new Set(['rPr', 'fldChar', 'instrText', 'delInstrText']);

const XML_MODE = { xmlMode: true, decodeEntities: false, recognizeSelfClosing: true } as const;

type Scope = ReadonlyMap<string, string>;

/** Namespace prefixes in scope ('' for the default namespace), with an element's own declarations. */
function declare(scope: Scope, attributes: Record<string, string>): Scope {
  let next: Map<string, string> | undefined;
  for (const [key, uri] of Object.entries(attributes)) {
    if (key !== 'xmlns' && !key.startsWith('xmlns:')) continue;
    next ??= new Map(scope);
    next.set(key === 'xmlns' ? '' : key.slice(6), uri);
  }
  return next ?? scope;
}

/** An element's local name when it is in the namespace, else undefined. */
function localIn(name: string, scope: Scope, namespaces: ReadonlySet<string>): string | undefined {
  const colon = name.indexOf(':');
  return namespaces.has(scope.get(colon === -1 ? '' : name.slice(0, colon)) ?? '') ? name.slice(colon + 1) : undefined;
}

const prefixOf = (name: string): string => name.slice(0, name.indexOf(':') + 1);

/** An attribute by its local name (w:val, val). */
function attribute(attributes: Record<string, string>, local: string): string | undefined {
  for (const [key, value] of Object.entries(attributes)) if (key.slice(key.indexOf(':') + 1) === local) return value;
  return undefined;
}

/** A toggle property such as w:vanish: on unless its w:val says off. */
function toggle(attributes: Record<string, string>): boolean {
  const value = attribute(attributes, 'val');
  return value === undefined || !['0', 'false', 'off'].includes(value.toLowerCase());
}

/**
 * Styles that hide their text (w:vanish in the style's run properties, or inherited through
 * w:basedOn): style id → hidden. Styles that say nothing about it are absent.
 */
function hiddenStyles(xml: string, Parser: typeof import('htmlparser2').Parser): Map<string, boolean> {
  const own = new Map<string, { basedOn?: string; vanish?: boolean }>();
  const path: string[] = [];
  const scopes: Scope[] = [new Map()];
  let current: { basedOn?: string; vanish?: boolean } | undefined;
  const parser = new Parser({
    onopentag(name, attributes) {
      const scope = declare(scopes[scopes.length - 1] as Scope, attributes);
      scopes.push(scope);
      const local = localIn(name, scope, W_NAMESPACES) ?? '';
      path.push(local);
      const parent = path[path.length - 2];
      if (local === 'style') {
        current = {};
        const id = attribute(attributes, 'styleId');
        if (id !== undefined) own.set(id, current);
      } else if (current !== undefined && parent === 'style' && local === 'basedOn') {
        current.basedOn = attribute(attributes, 'val');
      } else if (current !== undefined && parent === 'rPr' && path[path.length - 3] === 'style' && local === 'vanish') {
        current.vanish = toggle(attributes);
      }
    },
    onclosetag() {
      if (path.pop() === 'style') current = undefined;
      scopes.pop();
    },
  }, XML_MODE);
  parser.end(xml);
  const resolved = new Map<string, boolean>();
  for (const id of own.keys()) {
    const seen = new Set<string>();
    for (let at: string | undefined = id; at !== undefined && !seen.has(at); at = own.get(at)?.basedOn) {
      seen.add(at);
      const vanish = own.get(at)?.vanish;
      if (vanish !== undefined) {
        resolved.set(id, vanish);
        break;
      }
    }
  }
  return resolved;
}

/** Where rewritten XML goes: the part, or a branch of mc:AlternateContent until one is chosen. */
interface Sink {
  chunks: string[];
  hiddenParagraphs: number;
}

interface Frame {
  name: string;
  /** Local name in the WordprocessingML namespace, or in the markup-compatibility one prefixed "mc:". */
  local: string;
  scope: Scope;
  /** Written for the end tag: null for the tag as written. */
  close: string | null;
  /** Nothing inside is written (hidden run content). */
  dropped: boolean;
  paragraph?: { style: string | undefined; hidden: boolean };
  run?: { vanish: boolean | undefined; style: string | undefined; hidden: boolean | undefined };
  boxes?: string[];
  box?: { sink: Sink; from: number; boxes: string[] };
  alternate?: { open: string; choice?: { sink: Sink }; fallback?: Sink };
  branch?: Sink;
}

/** Rewrites one text part (see above); returns the XML and how many paragraphs lost hidden text. */
function rewritePart(xml: string, styles: ReadonlyMap<string, boolean>, Parser: typeof import('htmlparser2').Parser): { xml: string; hiddenParagraphs: number } {
  const root: Sink = { chunks: [], hiddenParagraphs: 0 };
  const sinks: Sink[] = [root];
  const stack: Frame[] = [];
  let dropDepth = 0;
  let inCdata = false;
  const sink = (): Sink => sinks[sinks.length - 1] as Sink;
  const write = (text: string): void => {
    if (dropDepth === 0) sink().chunks.push(text);
  };
  const nearest = <K extends keyof Frame>(key: K): Frame | undefined => {
    for (let i = stack.length - 1; i >= 0; i--) if ((stack[i] as Frame)[key] !== undefined) return stack[i];
    return undefined;
  };
  const markHidden = (): void => {
    const paragraph = nearest('paragraph')?.paragraph;
    if (paragraph !== undefined) paragraph.hidden = true;
    else sink().hiddenParagraphs++;
  };
  /** Whether a run is hidden, decided once its properties are read. */
  const runHidden = (frame: Frame): boolean => {
    const run = frame.run as NonNullable<Frame['run']>;
    if (run.hidden === undefined) {
      const paragraphStyle = nearest('paragraph')?.paragraph?.style;
      run.hidden = run.vanish ?? (run.style === undefined ? undefined : styles.get(run.style)) ?? (paragraphStyle === undefined ? false : styles.get(paragraphStyle) ?? false);
    }
    return run.hidden;
  };

  const parser: InstanceType<typeof Parser> = new Parser({
    onopentag(name, attributes) {
      const parent = stack[stack.length - 1];
      if (dropDepth > 0) {
        stack.push({ name, local: '', scope: parent?.scope ?? new Map(), close: '', dropped: true });
        dropDepth++;
        return;
      }
      const raw = xml.slice(parser.startIndex, parser.endIndex + 1);
      const scope = declare(parent?.scope ?? new Map(), attributes);
      const word = localIn(name, scope, W_NAMESPACES);
      const mc = word === undefined ? localIn(name, scope, new Set([MC_NAMESPACE])) : undefined;
      const frame: Frame = { name, local: word ?? (mc === undefined ? '' : `mc:${mc}`), scope, close: null, dropped: false };
      stack.push(frame);
      const local = frame.local;
      if (parent?.run !== undefined && local !== 'rPr' && runHidden(parent) && !RUN_STRUCTURE.has(local)) {
        // Hidden text: what the reader does not see is not imported.
        frame.dropped = true;
        markHidden();
        dropDepth++;
        return;
      }
      const grandparent = stack[stack.length - 3];
      if (local === 'p') frame.paragraph = { style: undefined, hidden: false };
      else if (local === 'r') frame.run = { vanish: undefined, style: undefined, hidden: undefined };
      else if (local === 'pStyle' && parent?.local === 'pPr' && grandparent?.paragraph !== undefined) grandparent.paragraph.style = attribute(attributes, 'val');
      else if (local === 'vanish' && parent?.local === 'rPr' && grandparent?.run !== undefined) grandparent.run.vanish = toggle(attributes);
      else if (local === 'rStyle' && parent?.local === 'rPr' && grandparent?.run !== undefined) grandparent.run.style = attribute(attributes, 'val');
      if (local === 'fldSimple') {
        // The field's result, as last computed, is what the document shows.
        frame.close = '';
        return;
      }
      if (local === 'cr' || (local === 'br' && ['page', 'column'].includes(attribute(attributes, 'type') ?? ''))) {
        // A carriage return or a page or column break ends a line for the reader: no words glued.
        write(`<${prefixOf(name)}br/>`);
        frame.close = '';
        return;
      }
      if (local === 'drawing') frame.boxes = [];
      if (local === 'txbxContent') {
        const drawing = nearest('boxes');
        const outer = nearest('box');
        // A drawing's own text boxes, not those of a drawing inside one of them.
        if (drawing !== undefined && (outer === undefined || stack.indexOf(outer) < stack.indexOf(drawing))) {
          frame.box = { sink: sink(), from: sink().chunks.length, boxes: drawing.boxes as string[] };
        }
      }
      if (local === 'mc:AlternateContent') {
        frame.alternate = { open: raw };
        frame.close = '';
        return;
      }
      if ((local === 'mc:Choice' || local === 'mc:Fallback') && parent?.alternate !== undefined) {
        frame.branch = { chunks: [], hiddenParagraphs: 0 };
        if (local === 'mc:Choice' && parent.alternate.choice === undefined) parent.alternate.choice = { sink: frame.branch };
        if (local === 'mc:Fallback') parent.alternate.fallback = frame.branch;
        sinks.push(frame.branch);
        frame.branch.chunks.push(raw);
        frame.close = raw.endsWith('/>') ? '' : null;
        return;
      }
      write(raw);
      if (raw.endsWith('/>')) frame.close = '';
    },
    onclosetag(_name, implied) {
      const frame = stack.pop() as Frame;
      if (frame.dropped) {
        dropDepth--;
        return;
      }
      const raw = implied ? '' : xml.slice(parser.startIndex, parser.endIndex + 1);
      if (frame.branch !== undefined) {
        if (frame.close === null) frame.branch.chunks.push(raw);
        sinks.pop();
        return;
      }
      if (frame.alternate !== undefined) {
        // mammoth reads only the fallback; without one, the first choice becomes the fallback.
        // Keeping one branch also keeps hidden text in the other from being counted twice.
        const { open, choice, fallback } = frame.alternate;
        write(open);
        if (fallback !== undefined) write(fallback.chunks.join(''));
        else if (choice !== undefined) write(choice.sink.chunks.join('').replace(/^<([\w.-]+:)?Choice\b/, '<$1Fallback').replace(/<\/([\w.-]+:)?Choice>$/, '</$1Fallback>'));
        sink().hiddenParagraphs += (fallback ?? choice?.sink)?.hiddenParagraphs ?? 0;
        if (!implied) write(raw);
        return;
      }
      if (frame.close === null) write(raw);
      else write(frame.close);
      if (frame.paragraph?.hidden) sink().hiddenParagraphs++;
      if (frame.box !== undefined && frame.box.sink === sink()) frame.box.boxes.push(sink().chunks.slice(frame.box.from).join(''));
      // mammoth reads text boxes only in VML (w:pict), and puts their paragraphs after the current one.
      if (frame.boxes !== undefined && frame.boxes.length > 0) write(`<${prefixOf(frame.name)}pict>${frame.boxes.join('')}</${prefixOf(frame.name)}pict>`);
    },
    ontext(text) {
      if (!inCdata) write(text);
    },
    oncdatastart() {
      write(xml.slice(parser.startIndex, parser.endIndex + 1));
      inCdata = true;
    },
    oncdataend() {
      inCdata = false;
    },
    onprocessinginstruction() {
      write(xml.slice(parser.startIndex, parser.endIndex + 1));
    },
  }, XML_MODE);
  parser.end(xml);
  return { xml: root.chunks.join(''), hiddenParagraphs: root.hiddenParagraphs };
}

/**
 * The package as mammoth should read it: the text parts rewritten (see above), and how many
 * paragraphs had hidden text taken out. The original bytes come back when nothing needs rewriting.
 */
async function rewritePackage(bytes: Uint8Array, parts: Readonly<Record<string, string>>): Promise<{ bytes: Uint8Array; hiddenParagraphs: number }> {
  const { Parser } = await import('htmlparser2');
  const stylesXml = parts['word/styles.xml'];
  const styles = stylesXml !== undefined && stylesXml.includes('vanish') ? hiddenStyles(stylesXml, Parser) : new Map<string, boolean>();
  const anyHiddenStyle = [...styles.values()].some(Boolean);
  const rewritten: Record<string, string> = {};
  let hiddenParagraphs = 0;
  for (const name of TEXT_PARTS) {
    const xml = parts[name];
    if (xml === undefined || (!anyHiddenStyle && !NEEDS_REWRITE.test(xml))) continue;
    const part = rewritePart(xml, styles, Parser);
    rewritten[name] = part.xml;
    hiddenParagraphs += part.hiddenParagraphs;
  }
  if (Object.keys(rewritten).length === 0) return { bytes, hiddenParagraphs: 0 };
  const { strToU8, unzipSync, zipSync } = await import('fflate');
  const entries = unzipSync(bytes);
  for (const [name, xml] of Object.entries(rewritten)) entries[name] = strToU8(xml);
  // Stored, not deflated: the zip only carries the parts to mammoth, in memory.
  return { bytes: zipSync(entries, { level: 0 }), hiddenParagraphs };
}

/** The text of a .docx (see the rules at the top of this file). */
export async function docxToText(bytes: Uint8Array, file: string): Promise<DocxText> {
  await checkPackage(bytes, file);
  const wanted = new Set([...TEXT_PARTS, 'word/styles.xml', 'word/comments.xml']);
  const { strFromU8, unzipSync } = await import('fflate');
  const parts = Object.fromEntries(Object.entries(unzipSync(bytes, { filter: (entry) => wanted.has(entry.name) })).map(([name, data]) => [name, strFromU8(data)]));
  const rewritten = await rewritePackage(bytes, parts);
  const mammoth = (await import('mammoth')).default;
  let result: { value: string; messages: Array<{ type: string; message: string }> };
  try {
    result = await mammoth.convertToHtml(
      { buffer: Buffer.from(rewritten.bytes.buffer, rewritten.bytes.byteOffset, rewritten.bytes.byteLength) },
      { externalFileAccess: false, ignoreEmptyParagraphs: true },
    );
  } catch (error) {
    throw new UserError(`${file}: cannot read the .docx: ${(error as Error).message.split('\n')[0]}`, {
      hint: 'Open it in Word or LibreOffice and save it anew as .docx',
    });
  }
  const { text } = htmlToText(result.value, { notes: true });
  const warnings = result.messages.filter((message) => message.type === 'error').map((message) => message.message.split('\n')[0] ?? '');
  const hidden = rewritten.hiddenParagraphs;
  const hiddenNote = hidden > 0 ? [`hidden text left out in ${hidden} paragraph${hidden === 1 ? '' : 's'}`] : [];
  return { title: null, text, warnings: [...hiddenNote, ...leftOut(parts), ...warnings] };
}
