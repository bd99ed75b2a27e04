/**
 * Writes the WAF corpora: corpus/{train,test}/{attacks,legit}.jsonl.
 *
 * - Attacks: every payload of the public collections in corpus/sources/ (see SOURCES.md), placed
 *   where this shop takes input (query, path segment, JSON at depth, form field, cookie, headers).
 *   Each payload lands in two places, both in the same split.
 * - Legitimate traffic: generated shop requests (legit-traffic.ts).
 * - The project's own hand-written corpus (payloads.ts) goes to the training set only.
 *
 * The split is fixed: a request belongs to the test set when the SHA-256 of its payload (attacks:
 * class + payload; legitimate: method + url + body) read as a 32-bit number is odd — about half.
 * Rules are written against the training set only; the test set is for measuring.
 *
 * Run `npx tsx packages/edge/src/corpus/build-corpus.ts` after changing a source; the output is
 * committed so every layer (in-process WAF, nginx + ModSecurity) replays the same requests.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { CORPUS_DIR, type CorpusKind, type CorpusRequest, type CorpusSplit } from './corpus.js';
import { generateLegitTraffic } from './legit-traffic.js';
import { CMDI_PAYLOADS, SCANNER_PATHS, SCANNER_USER_AGENTS, SPECIAL_PAYLOADS, SQLI_PAYLOADS, TRAVERSAL_PAYLOADS, XSS_PAYLOADS } from './payloads.js';
import { readSourcePayloads, stableHash, type SourcePayload } from './sources.js';

type Draft = Omit<CorpusRequest, 'id' | 'kind'>;

const BROWSER = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

function baseHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'user-agent': BROWSER,
    accept: 'application/json, text/html;q=0.9, */*;q=0.8',
    'accept-language': 'en-GB,en;q=0.9',
    referer: 'https://shop.example.com/products',
    cookie: 'tl_session=Q2xhc3NpYyBjcmV3LW5lY2sgdGVlIGluIDEwMCUgb3JnYW5p',
    ...extra,
  };
}

/** Percent-encodes what a request line cannot carry, keeping existing %XX sequences as they are. */
function targetSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/%?]/g, (char) => encodeURIComponent(char));
}

/** A query value as a browser form would send it; payloads already %-encoded go as they are. */
function queryValue(text: string): string {
  return /%[0-9a-f]{2}/i.test(text) ? targetSafe(text).replaceAll('&', '%26').replaceAll('#', '%23') : encodeURIComponent(text);
}

/** A payload written percent-encoded in its list is decoded once before it goes into JSON or a form. */
function plain(text: string): string {
  try {
    return /%[0-9a-f]{2}/i.test(text) ? decodeURIComponent(text) : text;
  } catch {
    return text;
  }
}

const get = (url: string, extra?: Record<string, string>): Omit<Draft, 'category'> => ({ method: 'GET', url, headers: baseHeaders(extra) });
const json = (method: string, url: string, body: unknown): Omit<Draft, 'category'> => ({ method, url, headers: baseHeaders({ 'content-type': 'application/json' }), body: JSON.stringify(body) });
const form = (url: string, body: Record<string, string>): Omit<Draft, 'category'> => ({
  method: 'POST',
  url,
  headers: baseHeaders({ 'content-type': 'application/x-www-form-urlencoded' }),
  body: new URLSearchParams(body).toString(),
});

type Placement = (payload: string) => Omit<Draft, 'category'>;

/** Where each class of attack is sent: the inputs an attacker would aim it at in this shop. */
const PLACEMENTS: Record<Exclude<SourcePayload['category'], 'scanner'>, readonly Placement[]> = {
  sqli: [
    (p) => get(`/api/products?q=${queryValue(p)}&page=1`),
    (p) => get(`/api/products/${targetSafe(p.replaceAll(' ', '%20').replaceAll('#', '%23').replaceAll('?', '%3F'))}`),
    (p) => json('POST', '/api/auth/login', { email: plain(p), password: 'correct horse battery' }),
    (p) => json('POST', '/api/orders', { items: [{ variantId: 3, quantity: 1 }], filter: { status: 'paid', customer: { id: plain(p) } } }),
    (p) => form('/api/contact', { name: 'Sam', email: plain(p), message: 'hello' }),
    (p) => get('/api/cart', { cookie: `tl_session=abc; tl_cart=${queryValue(p)}` }),
  ],
  xss: [
    (p) => get(`/search?q=${queryValue(p)}`),
    (p) => json('POST', '/api/products/12/reviews', { rating: 5, title: 'Great', body: plain(p) }),
    (p) => json('PATCH', '/api/account', { name: plain(p) }),
    (p) => form('/api/contact', { name: 'Sam', message: plain(p) }),
    (p) => get('/products/12', { referer: `https://shop.example.com/?q=${queryValue(p)}` }),
  ],
  traversal: [
    (p) => get(`/media/${targetSafe(p)}`),
    (p) => get(`/api/media?file=${queryValue(p)}`),
    (p) => json('PUT', '/api/seller/products/7', { image: plain(p) }),
  ],
  rce: [
    (p) => get(`/api/stores?near=${queryValue(`London${p}`)}`),
    (p) => json('POST', '/api/newsletter', { email: `a@example.com${plain(p)}` }),
    (p) => form('/api/contact', { name: 'Sam', message: `hello${plain(p)}` }),
  ],
  ssti: [(p) => json('POST', '/api/products/12/reviews', { rating: 4, title: plain(p), body: 'ok' }), (p) => get(`/api/products?q=${queryValue(p)}`), (p) => json('PATCH', '/api/account', { name: plain(p) })],
  ssrf: [(p) => json('PUT', '/api/seller/products/7', { imageUrl: p }), (p) => get(`/api/products/12/share?url=${queryValue(p)}`), (p) => json('POST', '/api/account/webhooks', { url: p, events: ['order_paid'] })],
  nosql: [(p) => get(`/api/products?q=${queryValue(p)}`), (p) => json('POST', '/api/auth/login', { email: plain(p), password: 'x' }), (p) => form('/api/contact', { name: plain(p), message: 'hi' })],
  log4shell: [(p) => get('/', { 'user-agent': p }), (p) => get(`/api/products?q=${queryValue(p)}`), (p) => json('POST', '/api/auth/login', { email: p, password: 'x' }), (p) => get('/', { 'x-forwarded-for': p })],
  xxe: [(p) => json('PUT', '/api/seller/products/7', { description: p }), (p) => get(`/api/products?q=${queryValue(p)}`), (p) => form('/api/contact', { name: 'Sam', message: p })],
  crlf: [(p) => get(`/api/auth/logout?next=${targetSafe(p)}`), (p) => get(`/account/${targetSafe(p)}`), (p) => get(`/search?q=${targetSafe(p)}`)],
};

function placeSource(item: SourcePayload): Draft[] {
  if (item.shape === 'user-agent') return [{ category: item.category, ...get('/', { 'user-agent': item.payload }) }, { category: item.category, ...get('/api/products?page=1', { 'user-agent': item.payload }) }];
  if (item.shape === 'path') return [{ category: item.category, ...get(`/${targetSafe(item.payload)}`) }];
  if (item.category === 'scanner') return [];
  const placements = PLACEMENTS[item.category];
  const first = stableHash(`${item.category}\u0000${item.payload}`) % placements.length;
  const second = (first + 1 + (stableHash(item.payload) % (placements.length - 1))) % placements.length;
  return [...new Set([first, second])].map((index) => ({ category: item.category, ...(placements[index] as Placement)(item.payload) })); // index < length
}

/** The project's own earlier corpus (issue 9), kept for training only. */
function projectPayloads(): SourcePayload[] {
  const tag = (category: SourcePayload['category'], list: readonly string[], shape: SourcePayload['shape'] = 'value'): SourcePayload[] => list.map((payload) => ({ category, payload, source: 'payloads.ts', shape }));
  return [
    ...tag('sqli', SQLI_PAYLOADS),
    ...tag('xss', XSS_PAYLOADS),
    ...tag('traversal', TRAVERSAL_PAYLOADS),
    ...tag('rce', CMDI_PAYLOADS),
    ...tag('ssti', SPECIAL_PAYLOADS.filter((p) => !p.includes('jndi'))),
    ...tag('log4shell', SPECIAL_PAYLOADS.filter((p) => p.includes('jndi'))),
    ...tag('scanner', SCANNER_USER_AGENTS, 'user-agent'),
    ...tag('scanner', SCANNER_PATHS.map((p) => p.replace(/^\//, '')), 'path'),
  ];
}

/** Odd hash → test set. Fixed: changing it would leak test requests into the rules' history. */
export function splitOf(key: string): CorpusSplit {
  return stableHash(key) % 2 === 1 ? 'test' : 'train';
}

export function buildCorpus(sourcesDir: string = path.join(CORPUS_DIR, 'sources')): Record<CorpusSplit, Record<CorpusKind, CorpusRequest[]>> {
  const out: Record<CorpusSplit, Record<CorpusKind, CorpusRequest[]>> = { train: { attack: [], legit: [] }, test: { attack: [], legit: [] } };
  const add = (split: CorpusSplit, kind: CorpusKind, draft: Draft): void => {
    const list = out[split][kind];
    const number = list.filter((item) => item.category === draft.category).length + 1;
    list.push({ id: `${split}-${kind}-${draft.category}-${String(number).padStart(4, '0')}`, kind, ...draft });
  };
  // variants of one payload (percent-encoded, other case or spacing) fall on the same side
  const splitKey = (item: SourcePayload): string => `${item.category}\u0000${plain(item.payload).toLowerCase().replace(/\s+/g, ' ').trim()}`;
  const requestKey = (draft: Draft): string => `${draft.url}\u0000${draft.body ?? ''}\u0000${draft.headers['user-agent'] ?? ''}`;
  const sources = readSourcePayloads(sourcesDir);
  const placed = sources.map((item) => ({ split: splitOf(splitKey(item)), drafts: placeSource(item) }));
  const testRequests = new Set(placed.filter((item) => item.split === 'test').flatMap((item) => item.drafts.map(requestKey)));
  for (const { split, drafts } of placed) {
    for (const draft of drafts) if (split === 'test' || !testRequests.has(requestKey(draft))) add(split, 'attack', draft);
  }
  // the project's own payloads train only, and never when the same payload is held out
  const heldOut = new Set(sources.map((item) => splitKey(item)).filter((key) => splitOf(key) === 'test'));
  for (const item of projectPayloads()) {
    if (heldOut.has(splitKey(item))) continue;
    for (const draft of placeSource(item)) if (!testRequests.has(requestKey(draft))) add('train', 'attack', draft);
  }
  const seen = new Set<string>();
  for (const draft of generateLegitTraffic({ count: 3000, seed: 20261204 })) {
    const key = `${draft.method} ${draft.url}\u0000${draft.body ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    add(splitOf(key), 'legit', draft);
  }
  return out;
}

function write(split: CorpusSplit, kind: CorpusKind, requests: readonly CorpusRequest[]): void {
  const dir = path.join(CORPUS_DIR, split);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, kind === 'attack' ? 'attacks.jsonl' : 'legit.jsonl');
  writeFileSync(file, `${requests.map((request) => JSON.stringify(request)).join('\n')}\n`);
  console.log(`wrote ${requests.length} requests to ${file}`);
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const corpus = buildCorpus();
  for (const split of ['train', 'test'] as const) for (const kind of ['attack', 'legit'] as const) write(split, kind, corpus[split][kind]);
}

