import { PassThrough } from 'node:stream';

import ExcelJS from 'exceljs';

import type { Channel } from './survey-fields.js';

export interface SurveyGeneratorOptions {
  rows: number;
  seed?: number;
  language?: 'en' | 'ko';
  format?: 'xlsx' | 'csv';
  /** How many rows to make invalid on purpose (spread through the file, each with a known reason). */
  badRows?: number;
  /** Responses fall between these dates (inclusive). */
  from?: string;
  to?: string;
}

/** A generated file with the answers an import must produce. */
export interface GeneratedSurvey {
  fileName: string;
  bytes: Buffer;
  expected: {
    rowsTotal: number;
    rowsAccepted: number;
    rowsRejected: number;
    /** Spreadsheet row numbers of the invalid rows. */
    rejectedRows: number[];
    channelCounts: Partial<Record<Channel, number>>;
  };
}

/** Share of respondents per channel, roughly what a fashion e-shop with some offline marketing sees. */
const CHANNEL_WEIGHTS: Array<[Channel, number]> = [
  ['social_media', 22], ['search', 15], ['word_of_mouth', 14], ['online_ad', 10], ['tv', 8], ['outdoor_billboard', 7],
  ['transit', 6], ['flyer', 5], ['event', 5], ['newspaper_magazine', 4], ['radio', 2], ['other', 2],
];

const LABELS: Record<'en' | 'ko', Record<Channel, string[]>> = {
  en: {
    tv: ['TV', 'Television ad', 'TV commercial'],
    radio: ['Radio', 'Radio ad'],
    newspaper_magazine: ['Magazine', 'Newspaper', 'Newspaper/Magazine'],
    outdoor_billboard: ['Billboard', 'Outdoor poster', 'Outdoor/Billboard'],
    transit: ['Subway ad', 'Bus', 'Transit'],
    flyer: ['Flyer', 'Leaflet'],
    event: ['Pop-up store', 'Event'],
    word_of_mouth: ['A friend told me', 'Word of mouth', 'Family'],
    online_ad: ['Online ad', 'Banner'],
    social_media: ['Instagram', 'TikTok', 'Social media', 'YouTube'],
    search: ['Google', 'Search', 'Search engine'],
    other: ['Other'],
  },
  ko: {
    tv: ['TV 광고', '텔레비전'],
    radio: ['라디오'],
    newspaper_magazine: ['잡지', '신문', '신문/잡지'],
    outdoor_billboard: ['옥외광고', '전광판', '빌보드'],
    transit: ['지하철', '버스', '대중교통'],
    flyer: ['전단지', '리플렛'],
    event: ['팝업스토어', '행사'],
    word_of_mouth: ['지인 추천', '친구', '입소문'],
    online_ad: ['온라인 광고', '배너'],
    social_media: ['인스타그램', '유튜브', '틱톡', 'SNS'],
    search: ['네이버', '구글', '검색'],
    other: ['기타'],
  },
};

const HEADERS = {
  en: ['Response date', 'Age', 'Gender', 'Region', 'How did you hear about us?', 'Comments'],
  ko: ['응답일', '연령대', '성별', '지역', '유입 경로', '기타 의견'],
};
const AGES = ['18-24', '25-34', '35-44', '45-54', '55-64', '65+'];
const GENDERS = { en: ['Female', 'Male', 'Non-binary', 'Prefer not to say'], ko: ['여성', '남성', '논바이너리', '무응답'] };
const REGIONS = { en: ['USA', 'Canada', 'Brazil', 'Mexico', 'UK', 'Germany', 'France', 'Argentina'], ko: ['미국', '캐나다', '브라질', '멕시코', '영국', '독일', '프랑스', '아르헨티나'] };
const COMMENTS = {
  en: ['Love the linen shirts', 'Delivery was quick', '', '', 'Sizes run small', 'Great fabric, will buy again', ''],
  ko: ['배송이 빨라요', '', '사이즈가 조금 작아요', '원단이 좋아요', '', '재구매 의사 있어요'],
};
const BAD_KINDS = ['empty date', 'unknown channel', 'bad age', 'future date'] as const;

/** Deterministic PRNG (mulberry32): the same seed gives the same file. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * A realistic survey file (title line, header, answers with varied labels in English or Korean)
 * together with the counts an import must report: a fixture with known answers.
 *
 * @example
 * const survey = await generateSurvey({ rows: 500, badRows: 5, language: 'ko' });
 * const report = await importSurvey({ ..., bytes: survey.bytes, fileName: survey.fileName });
 * assert.equal(report.rowsAccepted, survey.expected.rowsAccepted);
 */
export async function generateSurvey(options: SurveyGeneratorOptions): Promise<GeneratedSurvey> {
  const language = options.language ?? 'en';
  const format = options.format ?? 'xlsx';
  const next = random(options.seed ?? 42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] ?? (items[0] as T); // items is never empty
  const from = Date.parse(`${options.from ?? '2026-09-01'}T00:00:00Z`);
  const to = Date.parse(`${options.to ?? '2026-11-20'}T00:00:00Z`);
  const totalWeight = CHANNEL_WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);
  const badEvery = options.badRows && options.badRows > 0 ? Math.max(1, Math.floor(options.rows / options.badRows)) : 0;
  const expected: GeneratedSurvey['expected'] = { rowsTotal: options.rows, rowsAccepted: 0, rowsRejected: 0, rejectedRows: [], channelCounts: {} };
  const titleRow = language === 'ko' ? ['고객 설문조사 — 쇼핑몰을 어떻게 알게 되셨나요?'] : ['Customer survey — how did you find Threadline?'];
  // row 1: title, row 2: header, data from row 3
  const rows: Array<Array<string | Date>> = [];
  let badMade = 0;
  for (let index = 0; index < options.rows; index += 1) {
    const rowNumber = index + 3;
    let roll = next() * totalWeight;
    const channel = CHANNEL_WEIGHTS.find(([, weight]) => (roll -= weight) < 0)?.[0] ?? 'other';
    const date: string | Date = new Date(from + Math.floor(next() * ((to - from) / 86_400_000 + 1)) * 86_400_000);
    const row: Array<string | Date> = [date, pick(AGES), pick(GENDERS[language]), pick(REGIONS[language]), pick(LABELS[language][channel]), pick(COMMENTS[language])];
    const isBad = badEvery > 0 && badMade < (options.badRows ?? 0) && index % badEvery === badEvery - 1;
    if (isBad) {
      const kind = BAD_KINDS[badMade % BAD_KINDS.length];
      if (kind === 'empty date') row[0] = '';
      if (kind === 'unknown channel') row[4] = language === 'ko' ? '텔레파시' : 'Telepathy';
      if (kind === 'bad age') row[1] = language === 'ko' ? '비밀' : 'ancient';
      if (kind === 'future date') row[0] = '2099-01-01';
      badMade += 1;
      expected.rowsRejected += 1;
      expected.rejectedRows.push(rowNumber);
    } else {
      expected.rowsAccepted += 1;
      expected.channelCounts[channel] = (expected.channelCounts[channel] ?? 0) + 1;
    }
    rows.push(row);
  }
  const stamp = options.to ?? '2026-11-20';
  const fileName = `${language === 'ko' ? 'survey-ko' : 'survey'}-${stamp}.${format}`;
  if (format === 'csv') {
    const lines = [titleRow, HEADERS[language], ...rows.map((row) => row.map((cell) => (cell instanceof Date ? cell.toISOString().slice(0, 10) : cell)))];
    return { fileName, bytes: Buffer.from(lines.map((line) => line.map(csvCell).join(',')).join('\r\n'), 'utf8'), expected };
  }
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    sink.on('end', resolve);
    sink.on('error', reject);
  });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: true, useSharedStrings: true });
  // fixed document dates, so the file says when the survey ran, not when it was generated
  workbook.created = new Date(`${stamp}T00:00:00Z`);
  workbook.modified = new Date(`${stamp}T00:00:00Z`);
  const sheet = workbook.addWorksheet(language === 'ko' ? '설문 응답' : 'Responses');
  sheet.getColumn(1).numFmt = 'yyyy-mm-dd';
  sheet.addRow(titleRow).commit();
  sheet.addRow(HEADERS[language]).commit();
  for (const row of rows) sheet.addRow(row).commit();
  sheet.commit();
  await workbook.commit();
  await done;
  return { fileName, bytes: Buffer.concat(chunks), expected };
}
