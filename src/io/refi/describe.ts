// What qcode puts into REFI-QDA Description elements. Other tools show a Description as free text, so
// the readable part comes first; what only qcode needs to get its own data back (ids, other-language
// labels, the exclusive flag, attribute types) follows on one last line, `[qcode] {json}`.
// docs/refi-qda.md documents the layout.

export const META_MARK = '[qcode] ';

export type Meta = Record<string, unknown>;

/** Readable text, then the meta line (when there is meta). Empty text and no meta give null. */
export function describe(text: string | null, meta: Meta | null): string | null {
  const metaLine = meta === null ? null : `${META_MARK}${JSON.stringify(meta)}`;
  if (text === null || text === '') return metaLine;
  return metaLine === null ? text : `${text}\n\n${metaLine}`;
}

export interface Described {
  text: string;
  meta: Meta | null;
}

/** Splits a Description into its readable text and qcode's meta line (null if absent or unreadable). */
export function readDescription(description: string | null | undefined): Described {
  if (description === null || description === undefined) return { text: '', meta: null };
  const lineAt = description.lastIndexOf(`\n${META_MARK}`);
  const at = lineAt !== -1 ? lineAt : description.startsWith(META_MARK) ? 0 : -1;
  if (at === -1) return { text: description, meta: null };
  const jsonStart = lineAt !== -1 ? at + 1 + META_MARK.length : META_MARK.length;
  try {
    const meta = JSON.parse(description.slice(jsonStart).trim()) as unknown;
    if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) return { text: description, meta: null };
    return { text: description.slice(0, at).replace(/\n+$/, ''), meta: meta as Meta };
  } catch {
    return { text: description, meta: null };
  }
}

export interface CodeNotes {
  definition: string | null;
  include: string | null;
  exclude: string | null;
  examples: string[];
}

const INCLUDE = 'Include: ';
const EXCLUDE = 'Exclude: ';
const EXAMPLES = 'Examples:';

/**
 * A code's definition, include, exclude and examples as one readable text:
 *
 *   Definition text.
 *
 *   Include: when to apply it.
 *
 *   Exclude: when not to.
 *
 *   Examples:
 *   - first example
 *   - second example (a line break inside one is followed by two spaces)
 */
export function renderCodeNotes(notes: CodeNotes): string {
  const blocks: string[] = [];
  if (notes.definition !== null && notes.definition !== '') blocks.push(notes.definition);
  if (notes.include !== null && notes.include !== '') blocks.push(INCLUDE + notes.include);
  if (notes.exclude !== null && notes.exclude !== '') blocks.push(EXCLUDE + notes.exclude);
  if (notes.examples.length > 0) blocks.push([EXAMPLES, ...notes.examples.map((example) => `- ${example.replace(/\n/g, '\n  ')}`)].join('\n'));
  return blocks.join('\n\n');
}

/** The inverse of renderCodeNotes; a Description from another tool becomes the definition. */
export function parseCodeNotes(text: string): CodeNotes {
  const notes: CodeNotes = { definition: null, include: null, exclude: null, examples: [] };
  for (const block of text.split(/\n\n(?=Include: |Exclude: |Examples:\n)/)) {
    if (block.startsWith(INCLUDE) && notes.include === null) notes.include = block.slice(INCLUDE.length);
    else if (block.startsWith(EXCLUDE) && notes.exclude === null) notes.exclude = block.slice(EXCLUDE.length);
    else if (block.startsWith(`${EXAMPLES}\n`) && notes.examples.length === 0) notes.examples = parseExamples(block.slice(EXAMPLES.length + 1));
    else notes.definition = notes.definition === null ? block : `${notes.definition}\n\n${block}`;
  }
  if (notes.definition === '') notes.definition = null;
  return notes;
}

function parseExamples(list: string): string[] {
  const examples: string[] = [];
  for (const line of list.split('\n')) {
    if (line.startsWith('- ')) examples.push(line.slice(2));
    else if (examples.length > 0) examples[examples.length - 1] += `\n${line.startsWith('  ') ? line.slice(2) : line}`;
    else examples.push(line);
  }
  return examples;
}

function sameNotes(a: CodeNotes, b: CodeNotes): boolean {
  return a.definition === b.definition && a.include === b.include && a.exclude === b.exclude
    && a.examples.length === b.examples.length && a.examples.every((example, index) => example === b.examples[index]);
}

/**
 * The readable notes, plus the fields themselves in the meta when the readable form would not read
 * back exactly (a definition with a paragraph starting "Include: ", an example starting "- "…).
 */
export function codeNotesWithFallback(notes: CodeNotes): { text: string; metaNotes: CodeNotes | null } {
  const normalized: CodeNotes = {
    definition: notes.definition === '' ? null : notes.definition,
    include: notes.include === '' ? null : notes.include,
    exclude: notes.exclude === '' ? null : notes.exclude,
    examples: notes.examples,
  };
  const text = renderCodeNotes(normalized);
  return { text, metaNotes: sameNotes(parseCodeNotes(text), normalized) ? null : normalized };
}
