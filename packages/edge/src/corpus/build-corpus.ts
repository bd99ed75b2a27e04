/**
 * Writes corpus/attacks.jsonl and corpus/legit.jsonl from payloads.ts, placing each payload where
 * this shop takes input (search query, product path, login and review JSON, contact form,
 * headers). Run `npx tsx packages/edge/src/corpus/build-corpus.ts` after changing payloads.ts;
 * the output is committed so every layer (in-process WAF, nginx + ModSecurity) replays the same
 * requests.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { CORPUS_DIR, type CorpusKind, type CorpusRequest } from './corpus.js';
import {
  CMDI_PAYLOADS,
  LEGIT_EMAILS,
  LEGIT_PATHS,
  LEGIT_PRODUCT_TEXTS,
  LEGIT_REVIEWS,
  LEGIT_SEARCHES,
  LEGIT_USER_AGENTS,
  SCANNER_PATHS,
  SCANNER_USER_AGENTS,
  SPECIAL_PAYLOADS,
  SQLI_PAYLOADS,
  TRAVERSAL_PAYLOADS,
  XSS_PAYLOADS,
} from './payloads.js';

const BROWSER = LEGIT_USER_AGENTS[0] ?? 'Mozilla/5.0';

function baseHeaders(userAgent: string = BROWSER): Record<string, string> {
  return {
    'user-agent': userAgent,
    accept: 'application/json, text/html;q=0.9, */*;q=0.8',
    'accept-language': 'en-GB,en;q=0.9',
    referer: 'https://shop.example.com/products',
    cookie: 'tl_session=Q2xhc3NpYyBjcmV3LW5lY2sgdGVlIGluIDEwMCUgb3JnYW5p',
  };
}

/** Percent-encodes what a request line cannot carry, keeping existing %XX sequences as they are. */
function targetSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/%?]/g, (char) => encodeURIComponent(char));
}

/** Query value as a browser form would send it (payloads already %-encoded are sent as they are). */
function queryValue(text: string): string {
  return /%[0-9a-f]{2}/i.test(text) ? targetSafe(text) : encodeURIComponent(text);
}

function json(method: string, url: string, body: Record<string, unknown>, userAgent?: string): Omit<CorpusRequest, 'id' | 'kind' | 'category'> {
  return { method, url, headers: { ...baseHeaders(userAgent), 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function form(url: string, body: Record<string, string>): Omit<CorpusRequest, 'id' | 'kind' | 'category'> {
  return {
    method: 'POST',
    url,
    headers: { ...baseHeaders(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body).toString(),
  };
}

function get(url: string, userAgent?: string): Omit<CorpusRequest, 'id' | 'kind' | 'category'> {
  return { method: 'GET', url, headers: baseHeaders(userAgent) };
}

export function buildCorpus(): Record<CorpusKind, CorpusRequest[]> {
  const attacks: CorpusRequest[] = [];
  const legit: CorpusRequest[] = [];
  const add = (list: CorpusRequest[], kind: CorpusKind, category: string, request: Omit<CorpusRequest, 'id' | 'kind' | 'category'>): void => {
    list.push({ id: `${kind}-${category}-${String(list.filter((item) => item.category === category).length + 1).padStart(3, '0')}`, kind, category, ...request });
  };
  const attack = (category: string, request: Omit<CorpusRequest, 'id' | 'kind' | 'category'>): void => add(attacks, 'attack', category, request);
  const ok = (category: string, request: Omit<CorpusRequest, 'id' | 'kind' | 'category'>): void => add(legit, 'legit', category, request);

  for (const payload of SQLI_PAYLOADS) {
    attack('sqli', get(`/api/products?q=${queryValue(payload)}&page=1`));
    attack('sqli', json('POST', '/api/auth/login', { email: payload, password: 'correct horse battery' }));
    attack('sqli', get(`/api/products/${targetSafe(payload.replaceAll(' ', '%20'))}`));
  }
  for (const payload of XSS_PAYLOADS) {
    attack('xss', get(`/search?q=${queryValue(payload)}`));
    attack('xss', json('POST', '/api/products/12/reviews', { rating: 5, title: 'Great', body: payload }));
    attack('xss', json('PATCH', '/api/account', { name: payload }));
  }
  for (const payload of TRAVERSAL_PAYLOADS) {
    attack('traversal', get(`/media/${targetSafe(payload)}`));
    attack('traversal', get(`/api/media?file=${queryValue(payload)}`));
  }
  for (const payload of CMDI_PAYLOADS) {
    attack('rce', get(`/api/stores?near=${queryValue(`London${payload}`)}`));
    attack('rce', json('POST', '/api/newsletter', { email: `a@example.com${payload}` }));
    attack('rce', form('/api/contact', { name: 'Sam', message: `hello${payload}` }));
  }
  for (const payload of SPECIAL_PAYLOADS) {
    attack('special', get(`/api/products?q=${queryValue(payload)}`));
    attack('special', json('POST', '/api/products/12/reviews', { rating: 4, title: payload, body: 'ok' }));
  }
  for (const userAgent of SCANNER_USER_AGENTS) attack('scanner', get('/', userAgent));
  for (const probe of SCANNER_PATHS) attack('scanner', get(targetSafe(probe)));

  for (const search of LEGIT_SEARCHES) {
    ok('search', get(`/api/products?q=${encodeURIComponent(search)}&page=1`));
    ok('search', get(`/search?q=${encodeURIComponent(search).replaceAll('%20', '+')}`));
  }
  LEGIT_REVIEWS.forEach((review, index) => {
    ok('review', json('POST', `/api/products/${100 + index}/reviews`, { rating: 1 + (index % 5), title: review.slice(0, 40), body: review }));
  });
  LEGIT_PRODUCT_TEXTS.forEach((text, index) => {
    ok('product', json('PUT', `/api/seller/products/${200 + index}`, { name: text.split(/[.;:]/)[0]?.slice(0, 60) ?? 'Tee', description: text }));
  });
  for (const email of LEGIT_EMAILS) {
    ok('login', json('POST', '/api/auth/login', { email, password: "P@ss'w0rd; DROP--<3" }));
  }
  for (const userAgent of LEGIT_USER_AGENTS) ok('browse', get('/', userAgent));
  for (const page of LEGIT_PATHS) ok('browse', get(page));
  return { attack: attacks, legit };
}

function write(kind: CorpusKind, requests: readonly CorpusRequest[]): void {
  const file = path.join(CORPUS_DIR, kind === 'attack' ? 'attacks.jsonl' : 'legit.jsonl');
  writeFileSync(file, `${requests.map((request) => JSON.stringify(request)).join('\n')}\n`);
  console.log(`wrote ${requests.length} requests to ${file}`);
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const corpus = buildCorpus();
  write('attack', corpus.attack);
  write('legit', corpus.legit);
}
