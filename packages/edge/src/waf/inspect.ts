import type { WafSettings } from '../config.js';
import { normalise, type UrlDecoding } from './normalise.js';
import { PROTOCOL_RULE_IDS, WAF_RULES, type ValueLocation, type WafCategory, type WafRule } from './rules.js';

/**
 * A rule exclusion as CRS writes them (`ctl:ruleRemoveTargetByTag`): matches of the given rule
 * categories in one body field are ignored. Which requests an exclusion applies to (route, method,
 * role) is decided by the caller; this only narrows what is scored.
 */
export interface BodyFieldExclusion {
  /** Stable id, logged with the decision when the exclusion dropped a match. */
  id: string;
  /** JSON path of the body field, as in match fields (`sql`, `filter.text`). */
  field: string;
  categories: readonly WafCategory[];
}

/** What the WAF looks at; built from a Fastify request, a raw Node request or a corpus line. */
export interface InspectableRequest {
  method: string;
  /** Path and query string as sent (still percent-encoded). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, a raw form/text body, or undefined when the body is not (yet) read. */
  body?: unknown;
}

export interface WafMatch {
  ruleId: string;
  category: WafCategory | 'protocol';
  severity: number;
  location: ValueLocation | 'request';
  /** Parameter, header or JSON path the match was in (logged, never sent to the client). */
  field: string;
  /** Set when an exclusion dropped this match from the score (logged, not counted). */
  excludedBy?: string;
}

/**
 * What to inspect: `head` (protocol limits, path, query, headers, cookies — before the body is
 * read), `body` (the parsed body only), or `all`.
 */
export type InspectPart = 'head' | 'body' | 'all';

/** The decision on one request; `status`/`code` are what a blocked client is told. */
export interface WafDecision {
  action: 'allow' | 'block';
  /** Highest anomaly score of any single value. */
  score: number;
  matches: WafMatch[];
  status: number;
  code: 'WAF_BLOCKED' | 'METHOD_NOT_ALLOWED' | 'UNSUPPORTED_MEDIA_TYPE' | 'PAYLOAD_TOO_LARGE' | 'VALIDATION_FAILED' | null;
  message: string | null;
}

export const ALLOWED_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Body types the shop accepts: JSON (API), forms and multipart (uploads), text/plain (the
 * browser's sendBeacon for /collect), and browser violation reports.
 */
export const ALLOWED_CONTENT_TYPES: ReadonlySet<string> = new Set([
  'application/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain',
  'application/csp-report',
  'application/reports+json',
  // /collect takes event batches as NDJSON too
  'application/x-ndjson',
  'application/ndjson',
]);

/** Request headers whose values are inspected (others are protocol headers the server parses). */
const INSPECTED_HEADERS = ['user-agent', 'referer', 'origin', 'x-forwarded-for', 'x-forwarded-host', 'x-real-ip', 'x-original-url', 'x-rewrite-url'];

/** Body fields never inspected: passwords are hashed, never rendered or used in SQL, and may hold anything. */
const SKIPPED_FIELD = /password|passphrase|secret$/i;

const MAX_VALUES = 2_000;
/** A path segment with nothing but letters, digits, '-', '_' and '.': a slug, id or file name. */
const PLAIN_SEGMENT = /^[\w.-]+$/;
const MAX_DEPTH = 32;

interface Value {
  location: ValueLocation;
  field: string;
  text: string;
  decoding: UrlDecoding;
}

function headerText(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : value;
}

function contentLength(headers: InspectableRequest['headers']): number {
  const raw = headerText(headers['content-length']);
  const length = raw === undefined ? 0 : Number(raw);
  return Number.isFinite(length) ? length : 0;
}

function mediaType(headers: InspectableRequest['headers']): string | undefined {
  const raw = headerText(headers['content-type']);
  if (raw === undefined || raw.trim() === '') return undefined;
  return raw.split(';')[0]?.trim().toLowerCase();
}

function collectBody(body: unknown, path: string, depth: number, out: Value[], pollution: string[]): void {
  if (out.length >= MAX_VALUES || depth > MAX_DEPTH) return;
  // raw bodies a route parses itself (/collect's event batches, uploads): its own schema checks them
  if (body instanceof Uint8Array) return;
  if (typeof body === 'string') {
    // CRS decodes every argument (t:urlDecodeUni): a value that a later layer decodes must not hide
    out.push({ location: 'body', field: path || 'body', text: body, decoding: 'percent' });
    return;
  }
  if (Array.isArray(body)) {
    body.forEach((item, index) => collectBody(item, `${path}[${index}]`, depth + 1, out, pollution));
    return;
  }
  if (body !== null && typeof body === 'object') {
    for (const [key, item] of Object.entries(body)) {
      const field = path ? `${path}.${key}` : key;
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') pollution.push(field);
      if (SKIPPED_FIELD.test(key)) continue;
      out.push({ location: 'body', field: `${field}(key)`, text: key, decoding: 'none' });
      collectBody(item, field, depth + 1, out, pollution);
    }
  }
}

/** A request head's values scored as they are read (see scoreHead): what one of them matched is appended here. */
interface HeadScore {
  rules: readonly WafRule[];
  isCached: boolean;
  matches: WafMatch[];
  score: number;
}

/** How a head value's field is named in a match: built only for a value that matched a rule. */
type HeadField = 'path' | 'segment' | 'query-name' | 'query-value' | 'header' | 'cookie';

function headFieldName(kind: HeadField, key: string): string {
  switch (kind) {
    case 'path':
      return 'path';
    case 'segment':
      return `path[${key}]`;
    case 'query-name':
      return `query.${key}(name)`;
    case 'query-value':
      return `query.${key}`;
    case 'header':
      return `header.${key}`;
    case 'cookie':
      return `cookie.${key.trim()}`;
  }
}

/** Matches one head value against the rules; keeps the highest single-value score and the matches. */
function scoreHeadValue(head: HeadScore, text: string, location: ValueLocation, decoding: UrlDecoding, kind: HeadField, key: string): void {
  if (text.length === 0) return;
  const matched = matchText(text, location, decoding, head.rules, head.isCached ? verdictCache(location, decoding) : undefined);
  if (matched.length > 0) head.score = Math.max(head.score, scoreMatched(matched, location, headFieldName(kind, key), undefined, head.matches));
}

/**
 * Scores the head's values — the path, each path segment that is not a plain slug or id, query
 * names and values, the inspected headers, cookie values — in that order, as each is read: no value
 * object and no field name per value (nearly all match nothing; a match names its field as before).
 */
function scoreHead(request: InspectableRequest, head: HeadScore): void {
  const queryAt = request.url.indexOf('?');
  const path = queryAt === -1 ? request.url : request.url.slice(0, queryAt);
  scoreHeadValue(head, path, 'path', 'percent', 'path', '');
  // each segment on its own as well: an injected value starts at its segment, not at "/api/…",
  // and grammar-based checks read a value from its start (plain slugs and ids are skipped)
  const segments = path.split('/');
  for (let index = 0; index < segments.length; index += 1) {
    const segment = segments[index] ?? '';
    if (segment !== '' && !PLAIN_SEGMENT.test(segment)) scoreHeadValue(head, segment, 'path', 'percent', 'segment', String(index));
  }
  if (queryAt !== -1) {
    const query = request.url.slice(queryAt + 1);
    for (const pair of query.split('&')) {
      if (pair === '') continue;
      const equals = pair.indexOf('=');
      const name = equals === -1 ? pair : pair.slice(0, equals);
      const value = equals === -1 ? '' : pair.slice(equals + 1);
      scoreHeadValue(head, name, 'query', 'query', 'query-name', name);
      scoreHeadValue(head, value, 'query', 'query', 'query-value', name);
    }
  }
  for (const name of INSPECTED_HEADERS) {
    const text = headerText(request.headers[name]);
    if (text === undefined) continue;
    scoreHeadValue(head, text, name === 'user-agent' ? 'user-agent' : 'header', name === 'referer' ? 'query' : 'none', 'header', name);
  }
  const cookie = headerText(request.headers.cookie);
  if (cookie) {
    for (const part of cookie.split(';')) {
      const equals = part.indexOf('=');
      if (equals === -1) continue;
      scoreHeadValue(head, part.slice(equals + 1), 'cookie', 'percent', 'cookie', part.slice(0, equals));
    }
  }
}

function collectBodyValues(request: InspectableRequest, values: Value[], pollution: string[]): void {
  if (request.body !== undefined) {
    const type = mediaType(request.headers);
    if (typeof request.body === 'string' && type === 'application/x-www-form-urlencoded') {
      for (const [name, value] of new URLSearchParams(request.body)) {
        if (name === '__proto__' || name === 'constructor' || name.includes('[__proto__]')) pollution.push(name);
        if (SKIPPED_FIELD.test(name)) continue;
        values.push({ location: 'body', field: name, text: value, decoding: 'percent' });
      }
    } else {
      collectBody(request.body, '', 0, values, pollution);
    }
  }
}

function ruleApplies(rule: WafRule, location: ValueLocation): boolean {
  return rule.locations === undefined || rule.locations.includes(location);
}

function protocolBlock(
  ruleId: string,
  status: number,
  code: NonNullable<WafDecision['code']>,
  message: string,
  field: string,
): WafDecision {
  return {
    action: 'block',
    score: 0,
    matches: [{ ruleId, category: 'protocol', severity: 0, location: 'request', field }],
    status,
    code,
    message,
  };
}

function checkProtocol(request: InspectableRequest, settings: WafSettings): WafDecision | null {
  const method = request.method.toUpperCase();
  if (!ALLOWED_METHODS.has(method)) {
    return protocolBlock(PROTOCOL_RULE_IDS.METHOD, 405, 'METHOD_NOT_ALLOWED', `method ${method} is not allowed`, 'method');
  }
  if (request.url.length > settings.maxUrlLength) {
    return protocolBlock(PROTOCOL_RULE_IDS.URL_LENGTH, 414, 'VALIDATION_FAILED', `url is longer than ${settings.maxUrlLength} characters`, 'url');
  }
  const names = Object.keys(request.headers);
  if (names.length > settings.maxHeaderCount) {
    return protocolBlock(PROTOCOL_RULE_IDS.HEADER_COUNT, 431, 'VALIDATION_FAILED', `more than ${settings.maxHeaderCount} headers`, 'headers');
  }
  for (const name of names) {
    const text = headerText(request.headers[name]);
    if (text !== undefined && text.length > settings.maxHeaderBytes) {
      return protocolBlock(PROTOCOL_RULE_IDS.HEADER_SIZE, 431, 'VALIDATION_FAILED', `header ${name} is longer than ${settings.maxHeaderBytes} bytes`, `header.${name}`);
    }
  }
  const length = contentLength(request.headers);
  if (length > settings.maxBodyBytes) {
    return protocolBlock(PROTOCOL_RULE_IDS.BODY_SIZE, 413, 'PAYLOAD_TOO_LARGE', `request body is larger than ${settings.maxBodyBytes} bytes`, 'body');
  }
  const type = mediaType(request.headers);
  const hasBody = length > 0 || headerText(request.headers['transfer-encoding']) !== undefined;
  if (hasBody && (type === undefined || !ALLOWED_CONTENT_TYPES.has(type))) {
    return protocolBlock(
      PROTOCOL_RULE_IDS.CONTENT_TYPE,
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `content type ${type ?? '(none)'} is not accepted; use application/json`,
      'content-type',
    );
  }
  return null;
}

/**
 * Verdicts for short values seen recently. Most of a request is repeated across requests (user
 * agent, referer, cookies, common searches), and a value's verdict depends only on the value, its
 * location and its decoding, so repeats skip normalising and the rules. One map per location and
 * decoding, keyed by the text itself (no key string is built per lookup). Bounded: each map is
 * cleared when full.
 */
const VALUE_CACHES = new Map<ValueLocation, Map<UrlDecoding, Map<string, readonly WafRule[]>>>();
const VALUE_CACHE_MAX = 10_000;
const CACHEABLE_LENGTH = 512;

function verdictCache(location: ValueLocation, decoding: UrlDecoding): Map<string, readonly WafRule[]> {
  let byDecoding = VALUE_CACHES.get(location);
  if (!byDecoding) {
    byDecoding = new Map();
    VALUE_CACHES.set(location, byDecoding);
  }
  let cache = byDecoding.get(decoding);
  if (!cache) {
    cache = new Map();
    byDecoding.set(decoding, cache);
  }
  return cache;
}

/** The cache of the values `/collect` hands over (body, percent-decoded), found once. */
const BODY_CACHE = verdictCache('body', 'percent');

function matchValue(value: Value, rules: readonly WafRule[], isCached: boolean): readonly WafRule[] {
  return matchText(value.text, value.location, value.decoding, rules, isCached ? verdictCache(value.location, value.decoding) : undefined);
}

function matchText(
  text: string,
  location: ValueLocation,
  decoding: UrlDecoding,
  rules: readonly WafRule[],
  cache: Map<string, readonly WafRule[]> | undefined,
): readonly WafRule[] {
  const isCacheable = cache !== undefined && text.length <= CACHEABLE_LENGTH;
  if (isCacheable) {
    const known = cache.get(text);
    if (known) return known;
  }
  const normalised = normalise(text, { urlDecode: decoding });
  const matched = rules.filter(
    (rule) =>
      ruleApplies(rule, location) && (rule.on === 'text' ? rule.pattern.test(normalised.text) : normalised.forms.some((form) => rule.pattern.test(form))),
  );
  if (isCacheable) {
    if (cache.size >= VALUE_CACHE_MAX) cache.clear();
    cache.set(text, matched);
  }
  return matched;
}


/**
 * Inspects one request: protocol limits first (method, sizes, content type), then every value
 * (path, query names and values, selected headers, cookies, JSON/form body) against WAF_RULES.
 * Pure: the caller decides what to do with the decision (block, or only log in detect mode).
 *
 * @example
 * const decision = inspectRequest({ method: 'GET', url: "/search?q=O'Neill%20jacket", headers: {} }, settings);
 * decision.action; // 'allow'
 */
export function inspectRequest(
  request: InspectableRequest,
  settings: WafSettings,
  options: { part?: InspectPart; rules?: readonly WafRule[]; isCached?: boolean; exclusions?: readonly BodyFieldExclusion[] } = {},
): WafDecision {
  const part = options.part ?? 'all';
  const rules = options.rules ?? WAF_RULES;
  if (part !== 'body') {
    const protocol = checkProtocol(request, settings);
    if (protocol) return protocol;
  }
  const pollution: string[] = [];
  // the body's values are read first: a pollution match is listed before every value's
  const bodyValues: Value[] = [];
  if (part !== 'head') collectBodyValues(request, bodyValues, pollution);
  const matches: WafMatch[] = pollution.map((field) => ({
    ruleId: PROTOCOL_RULE_IDS.PROTOTYPE_POLLUTION,
    category: 'pollution',
    severity: settings.blockScore,
    location: 'body',
    field,
  }));
  const isCached = options.isCached !== false && rules === WAF_RULES;
  const head: HeadScore = { rules, isCached, matches, score: 0 };
  if (part !== 'body') scoreHead(request, head);
  const bodyScore = bodyValues.length > 0 ? scoreValues(bodyValues, rules, isCached, options.exclusions, matches) : 0;
  const score = Math.max(pollution.length > 0 ? settings.blockScore : 0, head.score, bodyScore);
  return verdict(score, matches, settings);
}

/** Matches each value against the rules; appends the matches; returns the highest single-value score. */
function scoreValues(
  values: readonly Value[],
  rules: readonly WafRule[],
  isCached: boolean,
  exclusions: readonly BodyFieldExclusion[] | undefined,
  matches: WafMatch[],
): number {
  let score = 0;
  for (const value of values) {
    if (value.text.length === 0) continue;
    const matched = matchValue(value, rules, isCached);
    if (matched.length > 0) score = Math.max(score, scoreMatched(matched, value.location, value.field, exclusions, matches));
  }
  return score;
}

/** Appends the matches of one value (minus excluded ones); returns the value's score. */
function scoreMatched(
  matched: readonly WafRule[],
  location: ValueLocation,
  field: string,
  exclusions: readonly BodyFieldExclusion[] | undefined,
  matches: WafMatch[],
): number {
  let valueScore = 0;
  for (const rule of matched) {
    const exclusion = location === 'body' ? exclusions?.find((item) => item.field === field && item.categories.includes(rule.category)) : undefined;
    if (exclusion) {
      matches.push({ ruleId: rule.id, category: rule.category, severity: rule.severity, location, field, excludedBy: exclusion.id });
      continue;
    }
    valueScore += rule.severity;
    matches.push({ ruleId: rule.id, category: rule.category, severity: rule.severity, location, field });
  }
  return valueScore;
}

/** A text field of a body the route parsed itself, by its JSON path (`events[3].props.query`). */
export interface BodyField {
  field: string;
  text: string;
}

/**
 * Text fields of a body a route parsed itself, as plain strings plus a way to name each one: the
 * name (a JSON path such as `events[3].props.query`) is built only for a value that matched a
 * rule, since nearly all values match nothing.
 */
export interface BodyTexts {
  texts: readonly string[];
  /** JSON path of `texts[index]`; asked only for matching values. */
  fieldOf: (index: number) => string;
}

/**
 * Inspects chosen text fields of a body that a route parses itself (the WAF skips raw bodies):
 * `/collect` hands over the free-text fields of its events, the ones its closed schema does not
 * pin to a strict alphabet, so attacks in event fields are blocked as in any JSON body, while ids,
 * enums and times are left to the schema. Values are percent-decoded like other body values;
 * repeats hit the shared verdict cache. Every field is inspected (the route's body size limit
 * bounds how many there are).
 *
 * @example
 * inspectBodyFields([{ field: 'events[0].props.query', text: "' OR 1=1 --" }], settings).action; // 'block'
 */
export function inspectBodyFields(fields: readonly BodyField[], settings: WafSettings): WafDecision {
  return inspectBodyTexts({ texts: fields.map((item) => item.text), fieldOf: (index) => fields[index]?.field ?? 'body' }, settings);
}

/**
 * `inspectBodyFields` for fields given as `BodyTexts`: the same rules, cache and decision, with
 * no field name built unless its value matched.
 *
 * @example
 * inspectBodyTexts({ texts: ['/p', "' OR 1=1 --"], fieldOf: (i) => `events[${i}].path` }, settings).matches[0]?.field; // 'events[1].path'
 */
export function inspectBodyTexts(body: BodyTexts, settings: WafSettings): WafDecision {
  const matches: WafMatch[] = [];
  let score = 0;
  const { texts } = body;
  for (let index = 0; index < texts.length; index += 1) {
    const text = texts[index];
    if (text === undefined || text.length === 0) continue;
    const matched = matchText(text, 'body', 'percent', WAF_RULES, BODY_CACHE);
    if (matched.length > 0) score = Math.max(score, scoreMatched(matched, 'body', body.fieldOf(index), undefined, matches));
  }
  return verdict(score, matches, settings);
}

function verdict(score: number, matches: WafMatch[], settings: WafSettings): WafDecision {
  if (score >= settings.blockScore) {
    return { action: 'block', score, matches, status: 403, code: 'WAF_BLOCKED', message: 'request blocked by the web application firewall' };
  }
  // a literal, not a spread of a shared template: this runs for every request and body
  return { action: 'allow', score, matches, status: 200, code: null, message: null };
}
