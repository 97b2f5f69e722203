import { UserError } from '../../core/errors.js';
import { speakerName, type TextUnit } from '../../core/segment.js';

// A Telegram Desktop chat export ("Export chat history", format JSON: result.json) of a channel or a
// group: emigrant communities post and argue there, and researchers export it this way. Every message
// with text is one unit (one segment), its author the speaker. Service messages (joins, pins) are not
// text. A message that carries only a photo, a sticker or a file has nothing to code; they are counted
// in a warning so that nobody believes the document holds every post. User ids, phone numbers and
// reactions are never read: only what was written, and by whom.

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
  const title = typeof chat.name === 'string' && chat.name.trim() !== '' ? chat.name.trim() : null;
  const units: TextUnit[] = [];
  let withoutText = 0;
  for (const [index, value] of (chat.messages as unknown[]).entries()) {
    if (typeof value !== 'object' || value === null) throw new UserError(`${file}: message ${index + 1} of "messages" is not an object`, { hint: 'Export the chat again from Telegram Desktop (format JSON)' });
    const message = value as Message;
    if (message.type !== 'message') continue;
    const text = flattenText(message.text, file, index).trim();
    if (text === '') {
      withoutText++;
      continue;
    }
    units.push({ speaker: author(message, title, speakers), text });
  }
  const warnings = withoutText === 0 ? [] : [`${withoutText} message${withoutText === 1 ? '' : 's'} without text (a photo, sticker, voice message or file alone) left out`];
  return { title, units, warnings };
}

function parseJson(json: string, file: string): unknown {
  try {
    return JSON.parse(json.charCodeAt(0) === 0xfeff ? json.slice(1) : json);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
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

// In a channel a post has no "from" but may be signed ("author"); otherwise the channel speaks.
function author(message: Message, title: string | null, speakers: ReadonlyMap<string, string> | undefined): string | null {
  const name = nonEmpty(message.from) ?? nonEmpty(message.author) ?? title;
  if (name === null) return null;
  const speaker = speakerName(name, speakers);
  const forwarded = nonEmpty(message.forwarded_from);
  return forwarded === null ? speaker : `${speaker} (forwarded from ${speakerName(forwarded, speakers)})`;
}

function nonEmpty(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}
