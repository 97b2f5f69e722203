import { stringify } from 'yaml';

// The benchmark's codebook: 60 codes in 7 dimensions (one exclusive), three case attributes and four
// hypotheses whose rows include a dimension, an exclusive dimension and attribute:host_country, so
// that every kind of co-occurrence table is measured.

export const HOST_COUNTRIES = ['DE', 'LT', 'LV', 'PL', 'UK', 'FI', 'ES'] as const;
/** Shares of the participants per host country (Germany and the Baltics host most). */
export const HOST_COUNTRY_WEIGHTS = [30, 18, 14, 14, 10, 8, 6];
export const GENDERS = ['female', 'male', 'other', 'undisclosed'] as const;
export const GENDER_WEIGHTS = [48, 46, 2, 4];

export interface BenchDimension {
  id: string;
  label: string;
  ru: string;
  exclusive: boolean;
  codes: Array<[id: string, label: string, ru: string]>;
}

export const DIMENSIONS: BenchDimension[] = [
  {
    id: 'migration_effect', label: 'Effect of migration on activism', ru: 'Влияние эмиграции на активизм', exclusive: true,
    codes: [
      ['mobilising', 'Mobilising', 'Мобилизующее'],
      ['inhibiting', 'Inhibiting', 'Сдерживающее'],
      ['transforming', 'Transforming', 'Меняющее формы'],
    ],
  },
  {
    id: 'forms', label: 'Forms of participation', ru: 'Формы участия', exclusive: false,
    codes: [
      ['protest', 'Protest, demonstration, picket', 'Протест, митинг, пикет'],
      ['petitions', 'Petitions and open letters', 'Петиции и открытые письма'],
      ['ngo_work', 'Association and NGO work', 'Работа в НКО'],
      ['volunteering', 'Volunteering', 'Волонтёрство'],
      ['online', 'Online activism', 'Онлайн-активизм'],
      ['media', 'Independent media work', 'Работа в независимых СМИ'],
      ['art', 'Art and performance', 'Искусство и перформанс'],
      ['elections', 'Election-related action', 'Действия на выборах'],
      ['advocacy', 'Advocacy and lobbying', 'Адвокация и лоббирование'],
      ['fundraising', 'Fundraising', 'Сбор средств'],
      ['education', 'Education and lectures', 'Просвещение и лекции'],
      ['legal_aid', 'Legal aid', 'Юридическая помощь'],
    ],
  },
  {
    id: 'strategies', label: 'Strategies', ru: 'Стратегии', exclusive: false,
    codes: [
      ['confrontation', 'Open confrontation with the regime', 'Открытая конфронтация'],
      ['cooperation_host', 'Cooperation with host institutions', 'Сотрудничество с институтами страны'],
      ['coalition', 'Coalitions with other diasporas', 'Коалиции с другими диаспорами'],
      ['diaspora_building', 'Building the diaspora', 'Строительство диаспоры'],
      ['anonymity', 'Anonymity and caution', 'Анонимность и осторожность'],
      ['professionalisation', 'Professionalisation', 'Профессионализация'],
      ['self_censorship', 'Self-censorship', 'Самоцензура'],
      ['exit', 'Withdrawal from activism', 'Уход из активизма'],
    ],
  },
  {
    id: 'policy_areas', label: 'Policy areas', ru: 'Сферы политики', exclusive: false,
    codes: [
      ['war', 'War against Ukraine', 'Война против Украины'],
      ['political_prisoners', 'Political prisoners', 'Политзаключённые'],
      ['human_rights', 'Human rights', 'Права человека'],
      ['sanctions', 'Sanctions', 'Санкции'],
      ['visas', 'Visas and residence', 'Визы и ВНЖ'],
      ['lgbt', 'LGBT rights', 'Права ЛГБТ'],
      ['environment', 'Environment', 'Экология'],
      ['corruption', 'Corruption', 'Коррупция'],
      ['media_freedom', 'Media freedom', 'Свобода СМИ'],
      ['refugees', 'Refugees', 'Беженцы'],
      ['elections_ru', 'Elections in Russia', 'Выборы в России'],
      ['memory', 'Historical memory', 'Историческая память'],
    ],
  },
  {
    id: 'audiences', label: 'Audiences', ru: 'Аудитории', exclusive: false,
    codes: [
      ['host_public', 'Host-country public', 'Общество страны пребывания'],
      ['host_officials', 'Host-country officials', 'Чиновники страны пребывания'],
      ['russians_inside', 'Russians in Russia', 'Россияне в России'],
      ['diaspora', 'The diaspora', 'Диаспора'],
      ['international', 'International organisations', 'Международные организации'],
      ['media_outlets', 'Media outlets', 'СМИ'],
      ['ngos', 'NGOs', 'НКО'],
      ['family', 'Family and friends', 'Семья и друзья'],
    ],
  },
  {
    id: 'networks', label: 'Social networks', ru: 'Социальные сети', exclusive: false,
    codes: [
      ['value_based', 'Value-based networks', 'Ценностные сети'],
      ['professional', 'Professional networks', 'Профессиональные сети'],
      ['kin', 'Kin', 'Родственные связи'],
      ['ethnic', 'Ethnic and language ties', 'Этнические и языковые связи'],
      ['online_groups', 'Online groups', 'Онлайн-группы'],
      ['former_colleagues', 'Former colleagues', 'Бывшие коллеги'],
      ['local_friends', 'Local friends', 'Местные друзья'],
      ['religious', 'Religious communities', 'Религиозные общины'],
    ],
  },
  {
    id: 'transfers', label: 'Political remittances', ru: 'Политические трансферы', exclusive: false,
    codes: [
      ['norms_to_russia', 'Democratic norms sent to Russia', 'Демократические нормы в Россию'],
      ['info_to_russia', 'Information sent to Russia', 'Информация в Россию'],
      ['money_to_russia', 'Money for causes in Russia', 'Деньги на дела в России'],
      ['host_debate', 'Shaping the host debate on Russia', 'Влияние на дебаты о России'],
      ['expertise_host', 'Expertise for host institutions', 'Экспертиза для институтов'],
      ['sanctions_lobby', 'Lobbying on sanctions', 'Лоббирование санкций'],
      ['reverse_frames', 'Reverse transfer of frames', 'Обратный перенос рамок'],
      ['cultural', 'Cultural transfer', 'Культурный трансфер'],
      ['no_transfer', 'No transfer', 'Нет трансфера'],
    ],
  },
];

export const HYPOTHESES: Record<string, { title: string; rows: string[]; columns: string[] }> = {
  H1: { title: 'Migration context mobilises or inhibits', rows: ['migration_effect'], columns: ['forms', 'strategies'] },
  H2: { title: 'Host-country characteristics shape strategies', rows: ['attribute:host_country'], columns: ['strategies', 'forms', 'policy_areas'] },
  H3: { title: 'Value-based social networks encourage mobilisation', rows: ['networks'], columns: ['forms', 'migration_effect'] },
  H4: { title: 'Transfers diffuse democracy directly and in reverse', rows: ['transfers'], columns: ['audiences', 'policy_areas'] },
};

export interface BenchCode {
  id: string;
  dimension: string;
  exclusive: boolean;
}

/** Every code with its full id, in codebook order. */
export function benchCodes(): BenchCode[] {
  return DIMENSIONS.flatMap((dimension) =>
    dimension.codes.map(([id]) => ({ id: `${dimension.id}.${id}`, dimension: dimension.id, exclusive: dimension.exclusive })),
  );
}

export function codebookYaml(): string {
  const document = {
    codebook: 'bench',
    version: 1,
    title: 'qcode benchmark codebook (synthetic)',
    languages: ['en', 'ru'],
    attributes: {
      host_country: { type: 'category', label: 'Host country', labels: { ru: 'Страна пребывания' }, values: [...HOST_COUNTRIES] },
      emigration_year: { type: 'number', label: 'Year of emigration', labels: { ru: 'Год эмиграции' }, min: 1990, max: 2030 },
      gender: { type: 'category', label: 'Gender', labels: { ru: 'Гендер' }, values: [...GENDERS] },
    },
    dimensions: DIMENSIONS.map((dimension) => ({
      id: dimension.id,
      label: dimension.label,
      labels: { ru: dimension.ru },
      exclusive: dimension.exclusive,
      codes: dimension.codes.map(([id, label, ru]) => ({
        id,
        label,
        labels: { ru },
        definition: `${label}: as described by the participant.`,
      })),
    })),
    hypotheses: HYPOTHESES,
  };
  return `# Synthetic codebook written by the qcode benchmark (src/bench/codebook.ts).\n${stringify(document, { lineWidth: 0 })}`;
}
