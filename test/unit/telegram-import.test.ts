import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { parseTelegramExport } from '../../src/io/import/telegram.js';

// Synthetic exports in the shape Telegram Desktop writes (Export chat history → JSON).
const group = {
  name: 'Вильнюс: взаимопомощь',
  type: 'private_supergroup',
  id: 1234567890,
  messages: [
    { id: 1, type: 'service', date: '2024-03-01T10:00:00', actor: 'Анна', actor_id: 'user1', action: 'invite_members', text: '' },
    { id: 2, type: 'message', date: '2024-03-01T10:05:00', from: 'Анна', from_id: 'user1', text: 'Завтра пикет у посольства в 12:00.' },
    {
      id: 3, type: 'message', date: '2024-03-01T10:07:00', from: 'Mikhail', from_id: 'user2',
      text: ['Petition here: ', { type: 'link', text: 'https://example.org/petition' }, ' — ', { type: 'bold', text: 'sign it' }],
    },
    { id: 4, type: 'message', date: '2024-03-01T10:09:00', from: 'Анна', from_id: 'user1', photo: 'photos/p.jpg', text: '' },
    { id: 5, type: 'message', date: '2024-03-01T10:10:00', from: 'Mikhail', from_id: 'user2', forwarded_from: 'ОВД-Инфо', text: 'Задержаны 12 человек.\nСписок обновляется.' },
  ],
};

describe('parseTelegramExport', () => {
  it('makes one unit per message with text, its author the speaker', () => {
    const chat = parseTelegramExport(JSON.stringify(group), 'result.json');
    expect(chat.title).toBe('Вильнюс: взаимопомощь');
    expect(chat.units).toEqual([
      { speaker: 'Анна', text: 'Завтра пикет у посольства в 12:00.' },
      { speaker: 'Mikhail', text: 'Petition here: https://example.org/petition — sign it' },
      { speaker: 'Mikhail (forwarded from ОВД-Инфо)', text: 'Задержаны 12 человек.\nСписок обновляется.' },
    ]);
    expect(chat.warnings).toEqual(['1 message without text (a photo, sticker, voice message, file, contact or location alone) left out']);
  });

  it('maps authors through --speakers, so that members can be pseudonymised at import', () => {
    const chat = parseTelegramExport(JSON.stringify(group), 'result.json', new Map([['Анна', 'M1'], ['Mikhail', 'M2']]));
    expect(chat.units.map((unit) => unit.speaker)).toEqual(['M1', 'M2', 'M2 (forwarded from ОВД-Инфо)']);
  });

  it('gives a channel post without "from" to its signature, else to the channel', () => {
    const channel = { name: 'Свободные голоса', type: 'public_channel', messages: [
      { id: 1, type: 'message', text: 'Пост без подписи.' },
      { id: 2, type: 'message', author: 'Редакция', text: 'Подписанный пост.' },
    ] };
    expect(parseTelegramExport(JSON.stringify(channel), 'c.json').units.map((unit) => unit.speaker)).toEqual(['Свободные голоса', 'Редакция']);
  });

  it('refuses JSON that is cut short, at its line and column', () => {
    const text = JSON.stringify(group, null, 1);
    const cut = text.slice(0, text.indexOf('Petition'));
    expect(() => parseTelegramExport(cut, 'result.json')).toThrow(/^result\.json:\d+:\d+: not valid JSON/);
  });

  it('refuses JSON that is not a chat export, and a whole-account export, with the way to export one chat', () => {
    const refusal = (json: string): UserError => {
      try {
        parseTelegramExport(json, 'x.json');
      } catch (error) {
        if (error instanceof UserError) return error;
      }
      throw new Error('not refused');
    };
    expect(refusal('[1, 2]').message).toBe('x.json: not a Telegram chat export (no "messages" list); qcode reads a .json file only as one');
    expect(refusal('{"name": "x"}').hint).toContain('Export chat history');
    expect(refusal('{"personal_information": {}, "chats": {"list": []}}').message).toContain('whole Telegram account export');
    expect(refusal('{"messages": [1]}').message).toBe('x.json: message 1 of "messages" is not an object');
  });
});

describe('parseTelegramExport, as Telegram Desktop really writes', () => {
  it('names a signed channel post by its author, though "from" names the channel', () => {
    const channel = { name: 'Ковчег', type: 'public_channel', messages: [
      { id: 2, type: 'message', from: 'Ковчег', from_id: 'channel1', author: 'Мария П.', text: 'Подписанный пост.' },
      { id: 3, type: 'message', from: 'Ковчег', from_id: 'channel1', text: 'Неподписанный пост.' },
    ] };
    expect(parseTelegramExport(JSON.stringify(channel), 'c.json').units.map((unit) => unit.speaker)).toEqual(['Мария П.', 'Ковчег']);
  });

  it('gives a deleted account\'s message no speaker, never the group\'s name', () => {
    const chat = { name: 'Берлин: помощь', type: 'private_supergroup', messages: [{ id: 1, type: 'message', from: null, from_id: 'user2', text: 'Я удалил аккаунт.' }] };
    expect(parseTelegramExport(JSON.stringify(chat), 'g.json').units).toEqual([{ speaker: null, text: 'Я удалил аккаунт.' }]);
  });

  it('keeps a poll\'s question and answers as the message\'s text', () => {
    const chat = { name: 'G', type: 'private_group', messages: [{ id: 1, type: 'message', from: 'Оля', text: '', poll: { question: 'Идём на акцию?', answers: [{ text: 'Да', voters: 8 }, { text: 'Нет', voters: 4 }] } }] };
    expect(parseTelegramExport(JSON.stringify(chat), 'p.json').units).toEqual([{ speaker: 'Оля', text: 'Идём на акцию?\n— Да\n— Нет' }]);
  });

  it('reads the \\xNN escapes Telegram writes for control characters', () => {
    const json = '{"name": "X", "type": "private_group", "messages": [{"id": 1, "type": "message", "from": "Anna", "text": "one\\x0Btwo \\\\x41"}]}';
    expect(parseTelegramExport(json, 'vt.json').units[0]?.text).toBe('one\u000btwo \\x41');
  });

  it('maps names written another way (decomposed, spaced) and the chat\'s name, and says what --speakers left unmapped', () => {
    const chat = { name: 'Пётр Кузнецов', type: 'personal_chat', messages: [
      { id: 1, type: 'message', from: 'Пётр Кузнецов'.normalize('NFD'), text: 'Первое.' },
      { id: 2, type: 'message', from: 'Anna\u00a0 K.', text: 'Second.' },
      { id: 3, type: 'message', from: 'Igor', text: 'Third.' },
    ] };
    const parsed = parseTelegramExport(JSON.stringify(chat), 'p.json', new Map([['Пётр Кузнецов', 'R07'], ['Anna K.', 'I'], ['Nobody', 'M9']]));
    expect(parsed.title).toBe('R07');
    expect(parsed.units.map((unit) => unit.speaker)).toEqual(['R07', 'I', 'Igor']);
    expect(parsed.warnings).toEqual(['1 name not in --speakers stored as written: Igor', '--speakers: no author or chat named "Nobody"']);
  });

  it('says a file that is not JSON at all is not JSON, rather than cut short', () => {
    expect(() => parseTelegramExport('Интервьюер: Когда?\n', 'r.txt')).toThrow('r.txt: not JSON (it does not start with { )');
  });
});
