/**
 * The canonical survey record (analysis 5.2) and the tolerant mapping from what staff actually
 * type in spreadsheet headers and answers — English or Korean, any case, with or without spaces
 * and punctuation — to canonical values.
 */

export const SURVEY_FIELDS = ['response_date', 'age_band', 'gender', 'region', 'channel', 'free_text'] as const;
export type SurveyField = (typeof SURVEY_FIELDS)[number];
/** Without these a row says nothing about offline advertising. */
export const REQUIRED_FIELDS: readonly SurveyField[] = ['response_date', 'channel'];

export const CHANNELS = [
  'tv',
  'radio',
  'newspaper_magazine',
  'outdoor_billboard',
  'transit',
  'flyer',
  'event',
  'word_of_mouth',
  'online_ad',
  'social_media',
  'search',
  'other',
] as const;
export type Channel = (typeof CHANNELS)[number];

export const AGE_BANDS = ['18-24', '25-34', '35-44', '45-54', '55-64', '65+'] as const;
export const GENDERS = ['female', 'male', 'non_binary', 'undisclosed'] as const;
export const REGIONS = ['north_america', 'south_america', 'europe', 'asia_pacific', 'other'] as const;

/** Lower case, NFKC (full-width → ASCII), no spaces, punctuation or symbols. */
export function normaliseLabel(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '');
}

const HEADER_SYNONYMS: Record<SurveyField, string[]> = {
  response_date: ['response date', 'date', 'survey date', 'submitted', 'submitted at', 'timestamp', 'answered on', 'responded', '응답일', '응답 일자', '응답일시', '날짜', '일자', '작성일', '설문일'],
  age_band: ['age', 'age band', 'age group', 'age range', 'your age', '연령', '연령대', '나이'],
  gender: ['gender', 'sex', '성별'],
  region: ['region', 'location', 'country', 'country/region', 'where do you live', 'area', '지역', '거주지', '거주 지역', '국가'],
  channel: [
    'how did you hear about us',
    'how did you find us',
    'how did you hear about the shop',
    'heard about us',
    'channel',
    'source',
    'referral source',
    'ad channel',
    'media',
    '유입 경로',
    '유입경로',
    '경로',
    '알게 된 경로',
    '어떻게 알게 되셨나요',
    '인지 경로',
    '광고 매체',
    '매체',
  ],
  free_text: ['comments', 'comment', 'feedback', 'free text', 'other comments', 'notes', 'remarks', 'anything else', '의견', '기타 의견', '자유 의견', '코멘트', '메모', '하고 싶은 말'],
};

const CHANNEL_SYNONYMS: Record<Channel, string[]> = {
  tv: ['tv', 'television', 'tv ad', 'tv commercial', 'tv/cable', '티비', 'tv광고', '텔레비전', '방송'],
  radio: ['radio', 'radio ad', 'podcast', '라디오'],
  newspaper_magazine: ['newspaper', 'magazine', 'print', 'newspaper/magazine', 'press', '신문', '잡지', '신문/잡지', '인쇄 광고'],
  outdoor_billboard: ['outdoor', 'billboard', 'poster', 'outdoor/billboard', 'signage', '옥외', '옥외광고', '빌보드', '광고판', '전광판', '포스터'],
  transit: ['transit', 'subway', 'metro', 'bus', 'train', 'transit ad', 'bus stop', '대중교통', '지하철', '버스', '택시'],
  flyer: ['flyer', 'flier', 'leaflet', 'brochure', 'pamphlet', '전단', '전단지', '리플렛', '팜플렛'],
  event: ['event', 'pop-up', 'popup', 'pop up store', 'fair', 'trade show', 'market', '이벤트', '행사', '팝업', '팝업스토어', '박람회'],
  word_of_mouth: ['word of mouth', 'friend', 'friends', 'family', 'referral', 'recommendation', 'a friend told me', '지인', '친구', '입소문', '추천', '가족', '지인 추천'],
  online_ad: ['online ad', 'online ads', 'banner', 'display ad', 'web ad', 'internet ad', '온라인 광고', '배너', '인터넷 광고', '웹 광고'],
  social_media: ['social media', 'social', 'sns', 'instagram', 'facebook', 'tiktok', 'youtube', 'twitter', 'pinterest', '소셜 미디어', '소셜미디어', '인스타그램', '인스타', '유튜브', '페이스북', '틱톡'],
  search: ['search', 'search engine', 'google', 'bing', 'naver', 'web search', '검색', '검색엔진', '구글', '네이버', '포털 검색'],
  other: ['other', 'others', 'etc', 'misc', '기타', '그 외'],
};

function buildIndex<K extends string>(synonyms: Record<K, string[]>): Array<[string, K]> {
  const entries: Array<[string, K]> = [];
  // Object.entries loses the key type; the keys are exactly K
  for (const [key, words] of Object.entries(synonyms) as Array<[K, string[]]>) {
    entries.push([normaliseLabel(key), key]);
    for (const word of words) entries.push([normaliseLabel(word), key]);
  }
  // longest first, so "online ad" wins over "ad" and "word of mouth" over "mouth"
  return entries.sort((a, b) => b[0].length - a[0].length);
}

const HEADER_INDEX = buildIndex(HEADER_SYNONYMS);
const CHANNEL_INDEX = buildIndex(CHANNEL_SYNONYMS);

function lookup<K extends string>(index: Array<[string, K]>, text: string, allowContains: boolean): K | null {
  const label = normaliseLabel(text);
  if (label === '') return null;
  const exact = index.find(([word]) => word === label);
  if (exact) return exact[1];
  if (!allowContains) return null;
  // "Instagram ad", "Saw it on a bus" — a known word inside a longer answer (min 3 chars to avoid noise)
  const partial = index.find(([word]) => word.length >= 3 && label.includes(word));
  return partial ? partial[1] : null;
}

/**
 * Remembers the answers of a pure mapping: a survey repeats the same few labels ("Instagram",
 * "25-34", "Female") on every row, and normalising each one again (NFKC, a Unicode-class regex,
 * a scan of the synonym list) was most of the validation time of a large import. Bounded: once
 * it holds `size` answers it starts again, so free-typed labels cannot grow it without limit.
 */
function memoised<T>(map: (text: string) => T, size = 10_000): (text: string) => T {
  const known = new Map<string, T>();
  return (text) => {
    const hit = known.get(text);
    if (hit !== undefined || known.has(text)) return hit as T; // has() ruled out a missing entry
    const value = map(text);
    if (known.size >= size) known.clear();
    known.set(text, value);
    return value;
  };
}

/** Canonical field of a header cell, or null for a column the survey does not use. */
export function mapHeader(text: string): SurveyField | null {
  return lookup(HEADER_INDEX, text, true);
}

/** Canonical channel of an answer, or null when it matches nothing. */
export const mapChannel: (text: string) => Channel | null = memoised((text) => lookup(CHANNEL_INDEX, text, true));

const GENDER_WORDS: Record<(typeof GENDERS)[number], string[]> = {
  female: ['female', 'f', 'woman', 'women', 'w', '여', '여성', '여자'],
  male: ['male', 'm', 'man', 'men', '남', '남성', '남자'],
  non_binary: ['non-binary', 'nonbinary', 'non binary', 'nb', 'enby', '논바이너리', '기타 성별'],
  undisclosed: ['undisclosed', 'prefer not to say', 'rather not say', 'n/a', 'none', '무응답', '응답 안 함', '선택 안 함', '밝히지 않음'],
};
const GENDER_INDEX = buildIndex(GENDER_WORDS);

export const mapGender: (text: string) => (typeof GENDERS)[number] | null = memoised((text) => lookup(GENDER_INDEX, text, false));

const REGION_WORDS: Record<(typeof REGIONS)[number], string[]> = {
  north_america: ['north america', 'na', 'usa', 'us', 'u.s.', 'united states', 'america', 'canada', 'mexico', '북미', '미국', '캐나다', '멕시코'],
  south_america: ['south america', 'latin america', 'latam', 'brazil', 'argentina', 'chile', 'colombia', 'peru', '남미', '브라질', '아르헨티나', '칠레'],
  europe: ['europe', 'eu', 'uk', 'united kingdom', 'germany', 'france', 'spain', 'italy', 'netherlands', '유럽', '영국', '독일', '프랑스', '스페인'],
  asia_pacific: ['asia pacific', 'asia', 'apac', 'korea', 'south korea', 'japan', 'china', 'australia', '아시아', '한국', '대한민국', '일본', '중국', '호주'],
  other: ['other', 'elsewhere', '기타'],
};
const REGION_INDEX = buildIndex(REGION_WORDS);

export const mapRegion: (text: string) => (typeof REGIONS)[number] | null = memoised((text) => lookup(REGION_INDEX, text, false));

/** An age band from a band label ("25-34", "25~34", "25 to 34", "65+", "65세 이상") or an age ("29", "29세"). */
export const mapAgeBand: (text: string) => (typeof AGE_BANDS)[number] | null = memoised(ageBandOf);

function ageBandOf(text: string): (typeof AGE_BANDS)[number] | null {
  const value = text.normalize('NFKC').trim().toLowerCase();
  const band = /^(\d{2})\s*(?:-|–|~|to|〜)\s*(\d{2})\s*(?:세)?$/.exec(value);
  if (band) {
    const label = `${band[1]}-${band[2]}`;
    return AGE_BANDS.find((item) => item === label) ?? null;
  }
  if (/^65\s*(?:\+|세\s*이상|and over|or older|이상)$/.test(value)) return '65+';
  const age = /^(\d{1,3})\s*(?:세|살|years?)?$/.exec(value);
  if (age) {
    const years = Number(age[1]);
    if (years < 18 || years > 120) return null;
    if (years >= 65) return '65+';
    const bounds: Array<[number, (typeof AGE_BANDS)[number]]> = [[24, '18-24'], [34, '25-34'], [44, '35-44'], [54, '45-54'], [64, '55-64']];
    return bounds.find(([upper]) => years <= upper)?.[1] ?? null;
  }
  return null;
}
