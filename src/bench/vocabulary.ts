import { Prng, WeightedSampler, zipfWeights } from './prng.js';

// The benchmark's words. Real Russian stems take real endings and real English words come first,
// so that letter frequencies look like speech (encoding detection sees what it sees in the field);
// a long tail of syllable-built words gives the full-text index a realistic number of distinct terms.

const RU_FUNCTION = [
  'и', 'в', 'не', 'что', 'на', 'я', 'с', 'мы', 'это', 'как', 'а', 'но', 'по', 'они', 'все', 'так', 'было',
  'уже', 'там', 'для', 'когда', 'очень', 'просто', 'тоже', 'потому', 'если', 'к', 'из', 'у', 'о', 'за',
  'меня', 'нас', 'его', 'её', 'их', 'только', 'ещё', 'вот', 'ну', 'да', 'нет', 'можно', 'нужно',
  'после', 'до', 'через', 'были', 'был', 'была', 'мне', 'нам', 'себя', 'здесь', 'сейчас', 'тогда', 'потом',
  'какие', 'который', 'которые', 'даже', 'много', 'мало', 'совсем', 'скорее', 'конечно', 'наверное',
];

/** Stems with the endings of their declension or conjugation class. */
const RU_LEMMAS: Array<[string, readonly string[]]> = [];
const NOUN_M = ['', 'а', 'у', 'ом', 'е', 'ы', 'ов', 'ам', 'ами', 'ах'];
const NOUN_IYA = ['ия', 'ии', 'ию', 'ией', 'ий', 'иям', 'иями', 'иях'];
const NOUN_A = ['а', 'ы', 'е', 'у', 'ой', 'ам', 'ами', 'ах'];
const NOUN_IE = ['ие', 'ия', 'ию', 'ием', 'ии', 'ий', 'иям'];
const NOUN_SOFT = ['ь', 'и', 'ью', 'ей', 'ям', 'ями'];
const NOUN_O = ['о', 'а', 'у', 'ом', 'е', 'ам', 'ами'];
const ADJ = ['ый', 'ая', 'ое', 'ые', 'ого', 'ой', 'ому', 'ых', 'ым', 'ыми'];
const ADJ_K = ['ий', 'ая', 'ое', 'ие', 'ого', 'ой', 'ом', 'их', 'им', 'ими'];
const VERB_PAST = ['л', 'ла', 'ли', 'ло', 'ть'];
const VERB_PRES = ['ем', 'ете', 'ет', 'ют', 'ю'];
for (const stem of ['протест', 'активист', 'митинг', 'пикет', 'фонд', 'проект', 'волонтёр', 'журналист', 'паспорт', 'консулат',
  'режим', 'опыт', 'контакт', 'чат', 'город', 'текст', 'плакат', 'театр', 'бюджет', 'адвокат', 'штаб', 'кризис', 'вопрос',
  'закон', 'суд', 'приговор', 'донат', 'перевод', 'эмигрант', 'депутат', 'министр', 'ресурс', 'сбор', 'марш']) {
  RU_LEMMAS.push([stem, NOUN_M]);
}
for (const stem of ['эмиграц', 'демократ', 'организац', 'петиц', 'акц', 'дискусс', 'информац', 'коалиц', 'пропаганд', 'цензур',
  'дипломат', 'инициатив', 'оппозиц', 'конференц', 'традиц', 'репресс', 'санкц', 'мобилизац', 'Росс']) {
  RU_LEMMAS.push([stem, NOUN_IYA]);
}
for (const stem of ['стран', 'свобод', 'войн', 'работ', 'групп', 'виз', 'границ', 'поддержк', 'выставк', 'общин', 'школ',
  'встреч', 'политик', 'диаспор', 'Европ']) {
  RU_LEMMAS.push([stem, NOUN_A]);
}
for (const stem of ['власт', 'помощ', 'связ', 'молодёж', 'солидарност', 'безопасност']) {
  RU_LEMMAS.push([stem, NOUN_SOFT]);
}
for (const stem of ['движен', 'решен', 'участ', 'мнен', 'общен', 'заявлен', 'давлен', 'влиян', 'издан', 'выступлен', 'голосован']) {
  RU_LEMMAS.push([stem, NOUN_IE]);
}
for (const stem of ['сообществ', 'посольств', 'государств', 'правительств', 'письм', 'дел', 'мест', 'слов', 'врем']) {
  RU_LEMMAS.push([stem, NOUN_O]);
}
for (const stem of ['нов', 'стар', 'важн', 'открыт', 'политическ', 'активн', 'безопасн', 'общественн', 'независим', 'демократическ',
  'гражданск', 'эмигрантск', 'европейск', 'российск', 'местн', 'публичн']) {
  RU_LEMMAS.push([stem, stem.endsWith('к') ? ADJ_K : ADJ]);
}
for (const stem of ['дела', 'говори', 'уеха', 'участвова', 'помога', 'писа', 'организовыва', 'собира', 'понима', 'реши',
  'выходи', 'переводи', 'публикова', 'поддержива', 'объединя', 'знакоми', 'рассказыва', 'объясня', 'подписыва']) {
  RU_LEMMAS.push([stem, VERB_PAST]);
}
for (const stem of ['дела', 'помога', 'понима', 'собира', 'объясня', 'зна', 'чита', 'слуша']) {
  RU_LEMMAS.push([stem, VERB_PRES]);
}

const EN_FUNCTION = [
  'the', 'and', 'to', 'of', 'we', 'in', 'it', 'that', 'was', 'a', 'I', 'for', 'is', 'with', 'they', 'on', 'but', 'were', 'not',
  'our', 'this', 'there', 'so', 'at', 'from', 'people', 'because', 'when', 'about', 'what', 'some', 'very', 'had', 'here', 'also',
  'after', 'before', 'would', 'could', 'more', 'then', 'all', 'just', 'really', 'them', 'you', 'do', 'did',
];
const EN_CONTENT = [
  'protest', 'embassy', 'community', 'volunteers', 'petition', 'letter', 'visa', 'border', 'refugees', 'sanctions', 'war', 'prisoners',
  'rights', 'media', 'journalists', 'channel', 'Telegram', 'newsletter', 'funding', 'grant', 'donations', 'lawyers', 'court', 'parliament',
  'ministry', 'officials', 'mayor', 'council', 'municipality', 'diaspora', 'network', 'friends', 'colleagues', 'activists', 'activism',
  'organisation', 'association', 'campaign', 'rally', 'picket', 'vigil', 'march', 'poster', 'exhibition', 'theatre', 'concert', 'lecture',
  'school', 'language', 'integration', 'residence', 'permit', 'asylum', 'passport', 'consulate', 'relatives', 'parents', 'family',
  'democracy', 'freedom', 'election', 'voting', 'observers', 'opposition', 'regime', 'propaganda', 'censorship', 'security', 'fear',
  'risk', 'trust', 'solidarity', 'identity', 'debate', 'public', 'government', 'policy', 'lobbying', 'advocacy', 'report', 'research',
  'translation', 'website', 'podcast', 'video', 'streams', 'chat', 'meeting', 'conference', 'workshop', 'training', 'support', 'help',
  'money', 'work', 'job', 'housing', 'city', 'country', 'Russia', 'Europe', 'Germany', 'Lithuania', 'Latvia', 'Poland', 'Finland',
  'Spain', 'Britain', 'Ukraine', 'Kremlin', 'mobilisation', 'emigration', 'emigrants', 'emigrated', 'moved', 'left', 'arrived',
  'organised', 'joined', 'started', 'stopped', 'helped', 'wrote', 'signed', 'translated', 'collected', 'explained', 'talked', 'met',
  'important', 'difficult', 'dangerous', 'open', 'local', 'political', 'civic', 'independent', 'new', 'old', 'small', 'large', 'first',
];
const LATIN_IN_RU = ['Vilnius', 'Riga', 'Warsaw', 'Berlin', 'London', 'Helsinki', 'Madrid', 'Telegram', 'YouTube', 'Zoom', 'Instagram',
  'NGO', 'EU', 'Schengen', 'Facebook', 'online', 'crowdfunding', 'fundraising', 'Amnesty', 'Bundestag', 'Seimas', 'Saeima', 'Sejm'];
const CYRILLIC_IN_EN = ['митинг', 'эмиграция', 'свобода', 'родина', 'уехавшие', 'релоканты', 'иноагент', 'донаты', 'акция'];

const RU_SYLLABLES = ['ка', 'ро', 'ни', 'пра', 'во', 'ли', 'ма', 'те', 'до', 'ре', 'на', 'ко', 'за', 'по', 'ва', 'ми', 'ла',
  'ве', 'ры', 'ше', 'лю', 'бо', 'зе', 'ти', 'ду', 'го', 'да', 'че', 'мо', 'бе', 'ну', 'сто', 'про', 'ле', 'то', 'се', 'ра'];
const RU_SUFFIXES = ['н', 'ние', 'сть', 'ва', 'ный', 'ная', 'ть', 'ли', 'ка', 'ров', 'ем', 'ет'];
const EN_SYLLABLES = ['ar', 'en', 'or', 'in', 'ter', 'con', 'al', 'ic', 'ion', 'ver', 'pro', 're', 'man', 'sta', 'tel', 'dis', 'ment', 'ous'];

/** The words found by the benchmark's three searches. */
export const SEARCH_COMMON = 'что';
export const SEARCH_PREFIX = 'эмигра*';
/** Kept out of the vocabulary and planted in about one turn in 1,500, so that it is rare at every size. */
export const SEARCH_RARE = 'шпицберген';
export const RARE_WORD_AS_WRITTEN = 'Шпицберген';

export interface Vocabulary {
  ru: { words: string[]; sampler: WeightedSampler };
  en: { words: string[]; sampler: WeightedSampler };
  latinInRu: readonly string[];
  cyrillicInEn: readonly string[];
}

function pseudoWords(rng: Prng, syllables: readonly string[], suffixes: readonly string[], count: number, taken: Set<string>): string[] {
  const words: string[] = [];
  while (words.length < count) {
    let word = '';
    const parts = rng.between(2, 4);
    for (let i = 0; i < parts; i++) word += rng.pick(syllables);
    word += rng.pick(suffixes);
    if (word.length < 4 || taken.has(word) || word.includes(SEARCH_RARE)) continue;
    taken.add(word);
    words.push(word);
  }
  return words;
}

/** Builds the vocabulary for a seed: the same seed always gives the same words in the same frequency order. */
export function buildVocabulary(seed: number): Vocabulary {
  const rng = new Prng(seed, 0x70cab);
  const taken = new Set<string>();
  const ruContent: string[] = [];
  for (const [stem, endings] of RU_LEMMAS) {
    for (const ending of endings) {
      const word = stem + ending;
      if (!taken.has(word)) {
        taken.add(word);
        ruContent.push(word);
      }
    }
  }
  shuffle(rng, ruContent);
  for (const word of RU_FUNCTION) taken.add(word);
  const ruWords = [...new Set(RU_FUNCTION), ...ruContent, ...pseudoWords(rng, RU_SYLLABLES, RU_SUFFIXES, 15_000, taken)];
  const enContent = [...EN_CONTENT];
  shuffle(rng, enContent);
  const enWords = [...EN_FUNCTION, ...enContent, ...pseudoWords(rng, EN_SYLLABLES, ['', 's', 'ed', 'ing', 'al'], 5_000, taken)];
  return {
    ru: { words: ruWords, sampler: new WeightedSampler(zipfWeights(ruWords.length)) },
    en: { words: enWords, sampler: new WeightedSampler(zipfWeights(enWords.length)) },
    latinInRu: LATIN_IN_RU,
    cyrillicInEn: CYRILLIC_IN_EN,
  };
}

function shuffle<T>(rng: Prng, items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
}
