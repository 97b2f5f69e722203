import { UserError } from '../../core/errors.js';

// ---------------------------------------------------------------- writing

export type AttributeValue = string | number | boolean | null | undefined;
/** Attributes in the order they are written (the order Project.xsd declares them), so output is stable. */
export type Attributes = ReadonlyArray<readonly [string, AttributeValue]>;

// XML 1.0 can hold tab, LF, CR and everything from U+0020 except surrogates and U+FFFE/U+FFFF.
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The first character XML 1.0 cannot hold (`U+FFFF`) and where it is, or null when there is none. */
export function nonXmlCharacter(value: string): { code: string; index: number } | null {
  const match = NOT_XML_CHAR.exec(value);
  if (match === null) return null;
  return { code: `U+${(match[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`, index: match.index };
}

function assertXmlChars(value: string): void {
  const match = NOT_XML_CHAR.exec(value);
  if (match === null) return;
  const code = (match[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0');
  const before = value.slice(Math.max(0, match.index - 30), match.index).replace(/\s+/g, ' ');
  throw new UserError(`cannot export the text "…${before}": it contains U+${code}, a character XML cannot hold`, {
    hint: 'Remove the character (a memo, label or name holds it) and export again',
  });
}

export function escapeText(value: string): string {
  assertXmlChars(value);
  return value.replace(/[&<>\r]/g, (char) => (char === '&' ? '&amp;' : char === '<' ? '&lt;' : char === '>' ? '&gt;' : '&#13;'));
}

/** Attribute values keep tabs and line ends as character references; a parser would turn literal ones into spaces. */
export function escapeAttribute(value: string): string {
  assertXmlChars(value);
  return value.replace(/[&<>"\t\n\r]/g, (char) => ATTRIBUTE_ESCAPES[char] as string);
}

const ATTRIBUTE_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };

/** Builds an indented XML document line by line; elements must be closed in order. */
export class XmlWriter {
  private readonly lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  private readonly open: string[] = [];

  private indent(): string {
    return '  '.repeat(this.open.length);
  }

  private static attributes(attributes: Attributes): string {
    let result = '';
    for (const [name, value] of attributes) {
      if (value === null || value === undefined) continue;
      result += ` ${name}="${escapeAttribute(String(value))}"`;
    }
    return result;
  }

  start(name: string, attributes: Attributes = []): this {
    this.lines.push(`${this.indent()}<${name}${XmlWriter.attributes(attributes)}>`);
    this.open.push(name);
    return this;
  }

  end(name: string): this {
    const top = this.open.pop();
    if (top !== name) throw new Error(`XmlWriter: closing ${name} but ${top ?? 'nothing'} is open`);
    this.lines.push(`${this.indent()}</${name}>`);
    return this;
  }

  empty(name: string, attributes: Attributes = []): this {
    this.lines.push(`${this.indent()}<${name}${XmlWriter.attributes(attributes)}/>`);
    return this;
  }

  /** An element holding text only; the text is written exactly, line ends included. */
  text(name: string, text: string, attributes: Attributes = []): this {
    this.lines.push(`${this.indent()}<${name}${XmlWriter.attributes(attributes)}>${escapeText(text)}</${name}>`);
    return this;
  }

  toString(): string {
    if (this.open.length > 0) throw new Error(`XmlWriter: ${this.open.join(' > ')} left open`);
    return `${this.lines.join('\n')}\n`;
  }
}

// ---------------------------------------------------------------- reading

/**
 * The text of an XML file as its bytes say: a UTF-16 byte-order mark, else the encoding its declaration
 * names (windows-1251, ISO-8859-1…), else UTF-8. The standard wants UTF-8 (§5.1), so anything else is
 * read with a warning rather than refused: an XML parser would read it too.
 */
export function decodeXml(bytes: Uint8Array, file: string): { text: string; warning: string | null } {
  // Without a byte-order mark, UTF-16 shows in its first two bytes: `<` next to a zero byte (XML 1.0, appendix F).
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0x3c && bytes[1] === 0x00) ? 'utf-16le'
    : (bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0x00 && bytes[1] === 0x3c) ? 'utf-16be' : null;
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
  const declared = /^(?:\uFEFF|\u00EF\u00BB\u00BF)?<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1]?.toLowerCase() ?? null;
  const encoding = utf16 ?? (declared === null || declared === 'utf-8' || declared === 'utf8' ? 'utf-8' : declared);
  let lenient: InstanceType<typeof TextDecoder>;
  try {
    lenient = new TextDecoder(encoding);
  } catch {
    throw new UserError(`${file}: the XML declares encoding "${declared}", which qcode does not know`, { hint: 'Save the file as UTF-8, as the standard requires' });
  }
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    // Where: the first character the lenient decoder had to replace.
    const replaced = lenient.decode(bytes);
    const at = lineColumn(replaced, Math.max(0, replaced.indexOf('\uFFFD')));
    throw new UserError(`${file}:${at}: not valid ${encoding === 'utf-8' ? 'UTF-8' : encoding.toUpperCase()}; the standard requires UTF-8 (§5.1)`, {
      hint: 'Export the file again from its tool, or save it as UTF-8',
    });
  }
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const warning = encoding === 'utf-8' ? null : `${file} is encoded as ${encoding.toUpperCase()}, not UTF-8 as the standard requires; read it as such`;
  return { text, warning };
}

/** An element by its local name (namespace prefixes dropped), with its attributes, child elements and text. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Character data directly inside the element (entities decoded, CDATA as is). */
  text: string;
  /** Where the element's start tag begins in the source (UTF-16 index), when the parser recorded it. */
  offset?: number;
}

export interface ParsedXml {
  root: XmlElement;
  /** The namespace URI of the root element, if declared. */
  namespace: string | null;
  /** Where an element starts, as "line:column", for errors that point into the file. */
  locate: Locate;
}

export type Locate = (element: XmlElement) => string | null;

function lineColumn(source: string, index: number): string {
  const before = source.slice(0, index);
  const line = before.split('\n').length;
  return `${line}:${index - before.lastIndexOf('\n')}`;
}

/**
 * Refuses a DOCTYPE or entity declaration before any parser sees it: internal entities can expand
 * a few bytes into gigabytes and external ones read other files. No QDA tool writes either.
 */
export function refuseDoctype(source: string, file: string): void {
  const match = /<!(DOCTYPE|ENTITY)/i.exec(source);
  if (match !== null) {
    throw new UserError(`${file}:${lineColumn(source, match.index)}: the XML has a ${match[1]?.toUpperCase()} declaration; qcode refuses DOCTYPEs and entities (they can expand or read other files)`, {
      hint: 'REFI-QDA files never need one: remove it, or export the file again from its tool',
    });
  }
}

// Lone surrogates are left out: the text came through a fatal decoder (decodeXml), which lets none through,
// and looking for them would make this scan of a whole project file several times slower.
const RAW_NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

const NOT_XML_HINT = 'The file is damaged, or its tool wrote a character XML cannot hold (a control character, say): remove it, or export the file again';

function codePointName(code: number): string {
  return code > 0x10ffff ? 'a number beyond Unicode' : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** XML 1.0's Char (§2.2): tab, LF, CR and everything from U+0020 except surrogates and U+FFFE/U+FFFF. */
function isXmlCodePoint(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

/**
 * Refuses a character XML 1.0 does not allow, raw here or as a character reference in decodeEntities: such
 * a file is not well-formed, and what it would bring in (terminal escapes, a bell in a name or memo) would
 * be printed as is and could never be exported again.
 */
function refuseRawNonXmlCharacter(source: string, file: string): void {
  const raw = RAW_NOT_XML_CHAR.exec(source);
  if (raw === null) return;
  throw new UserError(`${file}:${lineColumn(source, raw.index)}: not well-formed XML: the character ${codePointName(raw[0].codePointAt(0) as number)} is not allowed in XML 1.0`, { hint: NOT_XML_HINT });
}

const PREDEFINED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

interface ReadContext {
  source: string;
  file: string;
  meta: symbol;
}

/** The text with its references decoded; a reference to a character XML does not allow is refused, at its place after `from`. */
function decodeEntities(text: string, context: ReadContext, from: number): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#X[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);/g, (whole, body: string) => {
    if (!body.startsWith('#')) return PREDEFINED_ENTITIES[body] ?? whole;
    const code = body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
    if (isXmlCodePoint(code)) return String.fromCodePoint(code);
    const at = lineColumn(context.source, Math.max(from, context.source.indexOf(whole, from)));
    throw new UserError(`${context.file}:${at}: not well-formed XML: ${whole} stands for ${codePointName(code)}, which XML 1.0 does not allow`, { hint: NOT_XML_HINT });
  });
}

type FxpNode = Record<string | symbol, unknown>;

function toElement(name: string, node: FxpNode, context: ReadContext): XmlElement {
  const offset = (node[context.meta] as { startIndex?: number } | undefined)?.startIndex;
  const from = offset ?? 0;
  const rawAttributes = (node[':@'] ?? {}) as Record<string, string>;
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(rawAttributes)) attributes[key] = decodeEntities(String(value), context, from);
  const element: XmlElement = { name, attributes, children: [], text: '' };
  if (offset !== undefined) element.offset = offset;
  for (const child of (node[name] ?? []) as FxpNode[]) {
    if ('#text' in child) element.text += decodeEntities(String(child['#text']), context, from);
    else if ('#cdata' in child) {
      for (const part of child['#cdata'] as FxpNode[]) element.text += String(part['#text'] ?? '');
    } else {
      const childName = Object.keys(child).find((key) => key !== ':@');
      if (childName !== undefined) element.children.push(toElement(childName, child, context));
    }
  }
  return element;
}

/** line:column of offsets into source, counted as lineColumn counts them; the line starts are found once, on first use. */
function locator(source: string): Locate {
  let lineStarts: number[] | null = null;
  return (element) => {
    if (element.offset === undefined) return null;
    if (lineStarts === null) {
      lineStarts = [0];
      for (let at = source.indexOf('\n'); at !== -1; at = source.indexOf('\n', at + 1)) lineStarts.push(at + 1);
    }
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((lineStarts[middle] as number) <= element.offset) low = middle;
      else high = middle - 1;
    }
    return `${low + 1}:${element.offset - (lineStarts[low] as number) + 1}`;
  };
}

/** The namespace URI declared for the root element (default or by its prefix). */
function rootNamespace(source: string): string | null {
  const start = /<([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)[\s>/]/.exec(source.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, (skip) => ' '.repeat(skip.length)));
  if (start === null) return null;
  const tagEnd = source.indexOf('>', start.index);
  const tag = source.slice(start.index, tagEnd === -1 ? undefined : tagEnd);
  const qualified = start[1] as string;
  const prefix = qualified.includes(':') ? qualified.split(':')[0] : null;
  const pattern = prefix === null ? /\sxmlns\s*=\s*(["'])(.*?)\1/ : new RegExp(`\\sxmlns:${prefix}\\s*=\\s*(["'])(.*?)\\1`);
  return pattern.exec(tag)?.[2] ?? null;
}

/**
 * Elements nested deeper than this are refused: deep enough for any code tree a person builds, and shallow
 * enough for the recursion that turns a code tree into a codebook YAML (it overflows the stack at about 450).
 */
export const MAX_XML_DEPTH = 400;

/** The validator's verdict as a one-line error, where it says where (or what) the problem is. */
function notWellFormed(source: string, file: string, error: { msg: string; line: number; col: number | undefined }): UserError {
  const hint = 'Export the file again from its tool';
  // Several elements left open: the validator names them, outermost first, but not where.
  const open = /^Invalid '(\[.*\])' found\.$/.exec(error.msg);
  if (open !== null) {
    const names = JSON.parse(open[1] as string) as string[];
    const tags = names.map((name) => `<${name}>`);
    const path = tags.length > 4 ? ['…', ...tags.slice(-3)] : tags;
    return new UserError(`${file}:${lineColumn(source, source.length)}: not well-formed XML: the file ends inside ${tags.at(-1)} (in ${path.join(' > ')}), which is never closed; the file is truncated or damaged`, { hint });
  }
  if (error.col === undefined) {
    return new UserError(`${file}: not well-formed XML: the file holds no element; it is empty, truncated or not XML`, { hint });
  }
  return new UserError(`${file}:${error.line}:${error.col}: not well-formed XML: ${error.msg}`, { hint });
}

/** Parses a REFI-QDA XML file into plain elements named by their local names. */
export async function parseXml(source: string, file: string): Promise<ParsedXml> {
  refuseDoctype(source, file);
  refuseRawNonXmlCharacter(source, file);
  const { XMLParser, XMLValidator } = await import('fast-xml-parser');
  const valid = XMLValidator.validate(source);
  if (valid !== true) throw notWellFormed(source, file, valid.err);
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    removeNSPrefix: true,
    trimValues: false,
    parseTagValue: false,
    parseAttributeValue: false,
    processEntities: false,
    cdataPropName: '#cdata',
    ignoreDeclaration: true,
    ignorePiTags: true,
    // Start offsets of elements, so that errors about an element (a duplicate GUID) can say where it is.
    captureMetaData: true,
    // The parser lets one level more through than this says.
    maxNestedTags: MAX_XML_DEPTH - 1,
  });
  let nodes: FxpNode[];
  try {
    nodes = parser.parse(source) as FxpNode[];
  } catch (error) {
    if (!(error instanceof Error) || error.message !== 'Maximum nested tags exceeded') throw error;
    throw new UserError(`${file}: elements nested more than ${MAX_XML_DEPTH} levels deep; qcode reads no deeper (a code tree that deep comes from a damaged or hostile file)`, {
      hint: 'Export the file again from its tool, or flatten its code tree there',
    });
  }
  const rootNode = nodes.find((node) => Object.keys(node).some((key) => key !== ':@' && key !== '#text'));
  if (rootNode === undefined) throw new UserError(`${file}: the XML has no root element`);
  const rootName = Object.keys(rootNode).find((key) => key !== ':@') as string;
  return { root: toElement(rootName, rootNode, { source, file, meta: XMLParser.getMetaDataSymbol() as symbol }), namespace: rootNamespace(source), locate: locator(source) };
}

/** Child elements with a local name. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}

export function childNamed(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((child) => child.name === name);
}
