import { UserError } from '../../core/errors.js';
import type { TextUnit } from '../../core/segment.js';

// A Telegram Desktop chat export ("Export chat history", format JSON: result.json) of a channel, a group
// or a personal chat: emigrant communities post and argue there, and researchers export it this way.
// Every message with text is one unit (one segment), its author the speaker; a poll is its question and
// answers. Service messages (joins, pins) are not text. A message that carries only a photo, a sticker
// or a file has nothing to code; they are counted in a warning so that nobody believes the document
// holds every post. User ids, phone numbers and reactions are never read: only what was written, and by
// whom. Names go through --speakers, the chat's name (a person's, in a personal chat) included.

export interface TelegramChat {
  title: string | null;
  units: TextUnit[];
  warnings: string[];
}

interface Message {
  type?: unknown;
  from?: unknown;
  author?: unknown;
  forwarded_from?: unknown;
  text?: unknown;
  poll?: unknown;
}

/** The units of a Telegram chat export; `file` names the file in errors. */
export function parseTelegramExport(json: string, file: string, speakers?: ReadonlyMap<string, string>): TelegramChat {
  const root = parseJson(json, file);
  if (typeof root !== 'object' || root === null || Array.isArray(root)) throw notAnExport(file);
  const chat = root as Record<string, unknown>;
  if (!Array.isArray(chat.messages)) {
    if (typeof chat.chats === 'object' && chat.chats !== null) {
      throw new UserError(`${file}: this is a whole Telegram account export (it holds every chat of the account), not the export of one chat`, {
        hint: 'Export the one channel or group you study: in Telegram Desktop open it, ⋮ → Export chat history, format JSON',
      });
    }
    throw notAnExport(file);
  }
  const names = new Names(speakers);
  const chatName = nonEmpty(chat.name);
  const channel = typeof chat.type === 'string' && chat.type.includes('channel');
  const units: TextUnit[] = [];
  let withoutText = 0;
  for (const [index, value] of (chat.messages as unknown[]).entries()) {
    if (typeof value !== 'object' || value === null) throw new UserError(`${file}: message ${index + 1} of "messages" is not an object`, { hint: 'Export the chat again from Telegram Desktop (format JSON)' });
    const message = value as Message;
    if (message.type !== 'message') continue;
    const text = [flattenText(message.text, file, index), pollText(message.poll)].filter((part) => part.trim() !== '').join('\n').trim();
    if (text === '') {
      withoutText++;
      continue;
    }
    units.push({ speaker: author(message, channel ? chatName : null, names), text });
  }
  const title = chatName === null ? null : names.map(chatName);
  const warnings = [
    ...(withoutText === 0 ? [] : [`${withoutText} message${withoutText === 1 ? '' : 's'} without text (a photo, sticker, voice message, file, contact or location alone) left out`]),
    ...names.warnings(),
  ];
  return { title, units, warnings };
}

/** Authors' names through --speakers, keeping count of what matched, so that a name left unmapped is said. */
class Names {
  private readonly used = new Set<string>();
  private readonly unmapped = new Set<string>();
  constructor(private readonly speakers: ReadonlyMap<string, string> | undefined) {}

  map(raw: string): string {
    // As the stored text will be: NFC, one space; a lookup on the raw name would miss "Anna  K." or a decomposed ё.
    const name = raw.normalize('NFC').replace(/\s+/g, ' ').trim();
    if (this.speakers === undefined) return name;
    const lower = name.toLowerCase();
    const key = [...this.speakers.keys()].find((candidate) => candidate === name) ?? [...this.speakers.keys()].find((candidate) => candidate.toLowerCase() === lower);
    if (key === undefined) {
      this.unmapped.add(name);
      return name;
    }
    this.used.add(key);
    return this.speakers.get(key) as string;
  }

  warnings(): string[] {
    if (this.speakers === undefined) return [];
    const unused = [...this.speakers.keys()].filter((key) => !this.used.has(key));
    return [
      ...(this.unmapped.size === 0 ? [] : [`${this.unmapped.size} name${this.unmapped.size === 1 ? '' : 's'} not in --speakers stored as written: ${[...this.unmapped].join(', ')}`]),
      ...(unused.length === 0 ? [] : [`--speakers: no author or chat named ${unused.map((key) => `"${key}"`).join(', ')}`]),
    ];
  }
}

// Telegram Desktop writes control characters other than \n, \r and \t as \xNN, which JSON lacks: read
// them as \u00NN (normalising the text later removes and counts them), or such a chat could never be read.
const HEX_ESCAPE = /(?<!\\)((?:\\\\)*)\\x([0-9a-fA-F]{2})/g;

function parseJson(raw: string, file: string): unknown {
  const json = (raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw).replace(HEX_ESCAPE, '$1\\u00$2');
  try {
    return JSON.parse(json);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const first = /\S/.exec(json);
    if (first === null || (first[0] !== '{' && first[0] !== '[')) {
      throw new UserError(`${file}: not JSON (it does not start with { )`, { hint: 'qcode reads a .json file (or --format telegram) as a Telegram chat export: in Telegram Desktop, ⋮ → Export chat history, format JSON' });
    }
    const position = /position (\d+)/.exec(message);
    const where = position === null ? '' : `:${lineCol(json, Number(position[1]))}`;
    throw new UserError(`${file}${where}: not valid JSON (${message.replace(/ in JSON at position \d+.*$/s, '')})`, {
      hint: 'The file may be cut short: export the chat again from Telegram Desktop (format JSON)',
    });
  }
}

function lineCol(text: string, offset: number): string {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return `${line}:${offset - start + 1}`;
}

function notAnExport(file: string): UserError {
  return new UserError(`${file}: not a Telegram chat export (no "messages" list); qcode reads a .json file only as one`, {
    hint: 'In Telegram Desktop open the channel or group, ⋮ → Export chat history, format JSON, and import its result.json',
  });
}

/** Telegram writes formatted text as a list of plain strings and {type, text} pieces (bold, links, mentions). */
function flattenText(text: unknown, file: string, index: number): string {
  if (text === undefined || text === null) return '';
  if (typeof text === 'string') return text;
  if (!Array.isArray(text)) throw new UserError(`${file}: message ${index + 1} has a "text" that is neither a string nor a list`, { hint: 'Export the chat again from Telegram Desktop (format JSON)' });
  return text.map((piece) => (typeof piece === 'string' ? piece : typeof piece === 'object' && piece !== null && typeof (piece as { text?: unknown }).text === 'string' ? (piece as { text: string }).text : '')).join('');
}

// A channel's post names the channel as "from", and its signer as "author" when signed. A member's
// message with "from": null is a deleted account's: no speaker, never the group's name.
function author(message: Message, channelName: string | null, names: Names): string | null {
  const name = nonEmpty(message.author) ?? nonEmpty(message.from) ?? channelName;
  if (name === null) return null;
  const speaker = names.map(name);
  const forwarded = nonEmpty(message.forwarded_from);
  return forwarded === null ? speaker : `${speaker} (forwarded from ${names.map(forwarded)})`;
}

/** A poll is what its members wrote too: the question, then each answer on a line of its own. */
function pollText(poll: unknown): string {
  if (typeof poll !== 'object' || poll === null) return '';
  const { question, answers } = poll as { question?: unknown; answers?: unknown };
  const lines = [nonEmpty(question) ?? '', ...(Array.isArray(answers) ? answers.map((answer) => nonEmpty((answer as { text?: unknown } | null)?.text)).filter((text): text is string => text !== null).map((text) => `— ${text}`) : [])];
  return lines.filter((line) => line !== '').join('\n');
}

function nonEmpty(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}
