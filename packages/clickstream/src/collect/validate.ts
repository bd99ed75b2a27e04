import { DEVICE_CLASSES, EVENT_TYPES, jsonString, storedEventOfLine, type DeviceClass, type EventType, type StoredEvent } from './event.js';
import { ipPrefix, pseudonymise, scrubPersonalData } from './privacy.js';
import { regionOfTimeZone, type Region } from './region.js';
import { deviceFromUserAgent, isBotUserAgent } from './user-agent.js';

/**
 * Validation of one wire event against the clickstream schema. The schema is closed: unknown
 * fields are rejected (a typo in a tracker would otherwise silently lose data). Each failure names
 * the field, so the dead-letter file tells the tracker's author exactly what to fix.
 *
 * Wire shape (JSON):
 * ```
 * { id: UUID, type: EventType, ts: ISO-8601 string | epoch ms, visitorId, sessionId,
 *   userId? (ignored: the user comes from the session), path?, referrer?, utm?: { source?, medium?, campaign?, term?, content? },
 *   device?, language?, timeZone?, props?: { productId?, query?, valueCents?, currency? },
 *   http?: { tier, method, route, status, durationMs, bytes } }   // access_log only
 * ```
 */

export interface ValidationLimits {
  /** Events older than this (vs. arrival) are rejected. Default 7 days. */
  maxAgeMs: number;
  /** Events further in the future than this are rejected (clock skew). Default 10 minutes. */
  maxFutureMs: number;
}

export const DEFAULT_LIMITS: ValidationLimits = { maxAgeMs: 7 * 24 * 3600_000, maxFutureMs: 10 * 60_000 };

/** What the collector knows about the request that carried the event. */
export interface RequestFacts {
  receivedAt: number;
  userAgent: string | undefined;
  ip: string | undefined;
  pseudonymKey: string;
  /**
   * The signed-in user of the carrying request, from the server-side session: the only source of
   * `user_pseudonym` (a `userId` on the wire is ignored — anyone could claim any customer).
   */
  sessionUserId?: string | undefined;
  /**
   * The events were made by a Threadline tier itself (its access log, `order_paid` from the
   * payment), not sent by a browser: only then are server-only event types accepted.
   */
  isFromTier?: boolean | undefined;
}

/** Event types only the tiers record: a browser claiming one is refused (forged sales, forged traffic). */
const SERVER_ONLY_TYPES: ReadonlySet<EventType> = new Set<EventType>(['order_paid', 'access_log']);

export type ValidationResult = { ok: true; event: StoredEvent } | { ok: false; reason: string; id?: string };

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const OPAQUE_ID = /^[A-Za-z0-9_-]{8,64}$/;
const LANGUAGE = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,3}$/;
const CURRENCY = /^[A-Z]{3}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})$/;
const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const TOP_FIELDS = new Set(['id', 'type', 'ts', 'visitorId', 'sessionId', 'userId', 'path', 'referrer', 'utm', 'device', 'language', 'timeZone', 'props', 'http']);
const UTM_FIELDS = ['source', 'medium', 'campaign', 'term', 'content'] as const;
const UTM_FIELD_SET: ReadonlySet<string> = new Set(UTM_FIELDS);
const UTM_COLUMNS = UTM_FIELDS.map((field) => `utm_${field}`);
const UTM_LABELS = UTM_FIELDS.map((field) => `utm.${field}`);
const PROP_FIELDS = new Set(['productId', 'query', 'valueCents', 'currency']);
const HTTP_FIELDS = new Set(['tier', 'method', 'route', 'status', 'durationMs', 'bytes']);

/** The known IANA zones, each with its region: one lookup checks the zone and finds the region. */
const TIME_ZONE_REGIONS: ReadonlyMap<string, Region> = new Map([...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC'].map((zone) => [zone, regionOfTimeZone(zone)]));
const EVENT_TYPE_SET: ReadonlySet<string> = new Set(EVENT_TYPES);
const DEVICE_SET: ReadonlySet<string> = new Set(DEVICE_CLASSES);

class Reject extends Error {}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(obj: Record<string, unknown>, field: string, label: string, max: number): string | null {
  const value = obj[field];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw new Reject(`${label}: expected a string`);
  if (value.length > max) throw new Reject(`${label}: longer than ${max} characters`);
  // control characters break CSV exports and log viewers downstream
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new Reject(`${label}: contains control characters`);
  return value;
}

function checkFields(obj: Record<string, unknown>, allowed: ReadonlySet<string>, label: string): void {
  // for…in over a parsed object's own keys (it has no prototype keys): no array of keys per object
  for (const key in obj) {
    if (!allowed.has(key)) throw new Reject(`${label}${key}: unknown field`);
  }
}

function parseTime(value: unknown): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || !Number.isInteger(value)) throw new Reject('ts: expected epoch milliseconds (integer) or an ISO-8601 time');
    return value;
  }
  if (typeof value === 'string' && ISO_TIME.test(value)) {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return ms;
  }
  throw new Reject('ts: expected an ISO-8601 time with zone (e.g. 2026-03-08T07:30:00Z) or epoch milliseconds');
}

/** Strips query and fragment: they can carry emails, tokens or search text the lake must not keep. */
function cleanPath(raw: string | null): string | null {
  if (raw === null) return null;
  if (!raw.startsWith('/')) throw new Reject('path: expected a path starting with "/"');
  const cut = raw.search(/[?#]/);
  return cut === -1 ? raw : raw.slice(0, cut);
}

/**
 * Hosts of recently seen referrers: a shop's traffic comes from a few referrers (search engines,
 * its own pages, newsletters), so most events skip the URL parser. Bounded: cleared when full.
 */
const REFERRER_HOSTS = new Map<string, string>();
const REFERRER_HOSTS_MAX = 5_000;

function referrerHost(raw: string | null): string | null {
  if (raw === null) return null;
  const known = REFERRER_HOSTS.get(raw);
  if (known !== undefined) return known;
  let host: string;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Reject('referrer: expected an http(s) URL');
    host = url.hostname.toLowerCase();
  } catch (error) {
    if (error instanceof Reject) throw error;
    throw new Reject('referrer: expected an absolute URL');
  }
  if (raw.length <= 256) {
    if (REFERRER_HOSTS.size >= REFERRER_HOSTS_MAX) REFERRER_HOSTS.clear();
    REFERRER_HOSTS.set(raw, host);
  }
  return host;
}

function optionalInt(obj: Record<string, unknown>, field: string, label: string, min: number, max: number): number | null {
  const value = obj[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new Reject(`${label}: expected an integer ${min}-${max}`);
  }
  return value;
}

/** What is derived from the carrying request, once per request rather than once per event. */
interface DerivedFacts {
  device: DeviceClass;
  /** The line's `user_pseudonym` column, empty without a signed-in session user (never from the event). */
  pseudonymColumn: string;
  /** The line's `is_bot` column, and `ip_prefix` when the request has an address. */
  botAndIpColumns: string;
}
/**
 * The last facts derived, by what they are derived from: a batch's events share their request's
 * facts, and the API's access log hands over each request's own facts object (one event each) for
 * requests that mostly come from the same agent and address one after another. One entry, compared
 * field by field: no key is built and nothing is kept per event (a WeakMap by facts object cost an
 * entry per access-log event and never hit).
 */
let lastDerived: { userAgent: string | undefined; ip: string | undefined; sessionUserId: string | undefined; pseudonymKey: string; derived: DerivedFacts } | undefined;

function derive(facts: RequestFacts): DerivedFacts {
  const last = lastDerived;
  if (last !== undefined && last.userAgent === facts.userAgent && last.ip === facts.ip && last.sessionUserId === facts.sessionUserId && last.pseudonymKey === facts.pseudonymKey) {
    return last.derived;
  }
  const prefix = ipPrefix(facts.ip);
  const derived: DerivedFacts = {
    device: deviceFromUserAgent(facts.userAgent),
    pseudonymColumn: facts.sessionUserId !== undefined ? `,"user_pseudonym":${jsonString(pseudonymise(facts.pseudonymKey, 'user', facts.sessionUserId))}` : '',
    botAndIpColumns: `,"is_bot":${isBotUserAgent(facts.userAgent)}${prefix === null ? '' : `,"ip_prefix":${jsonString(prefix)}`}`,
  };
  lastDerived = { userAgent: facts.userAgent, ip: facts.ip, sessionUserId: facts.sessionUserId, pseudonymKey: facts.pseudonymKey, derived };
  return derived;
}

/** `,"column":"text"` for a text value, nothing for null: a column of the spool line. */
function textColumn(name: string, value: string | null): string {
  return value === null ? '' : `,"${name}":${jsonString(value)}`;
}

/** `,"column":n` for a number, nothing for null. */
function numberColumn(name: string, value: number | null): string {
  return value === null ? '' : `,"${name}":${value}`;
}

/** A valid event: its lower-case id and its spool line. */
interface ValidLine {
  id: string;
  line: string;
}

/**
 * Checks a wire event field by field and writes its spool line on the way (the format of
 * `spoolLine`, columns in `CLICKSTREAM_COLUMNS` order, null columns left out): the checks run in
 * column order, so no intermediate row object is built on the ingest path. Values the schema pins
 * to a strict alphabet (ids, types, devices, languages, zones, regions, currencies, methods) are
 * quoted as they are; free text goes through `jsonString`.
 */
function validateOrThrow(raw: unknown, facts: RequestFacts, limits: ValidationLimits): ValidLine {
  if (!isRecord(raw)) throw new Reject('event: expected a JSON object');
  checkFields(raw, TOP_FIELDS, '');
  const id = raw.id;
  if (typeof id !== 'string' || !UUID_PATTERN.test(id)) throw new Reject('id: expected a UUID');
  const type = raw.type;
  if (typeof type !== 'string' || !EVENT_TYPE_SET.has(type)) throw new Reject(`type: unknown event type (expected one of ${EVENT_TYPES.join(', ')})`);
  // narrowed by the set membership check just above
  const eventType = type as EventType;
  if (SERVER_ONLY_TYPES.has(eventType) && facts.isFromTier !== true) {
    throw new Reject(`type: ${eventType} events are recorded by the shop's servers, never sent by browsers`);
  }
  const ts = parseTime(raw.ts);
  if (ts > facts.receivedAt + limits.maxFutureMs) throw new Reject(`ts: more than ${Math.round(limits.maxFutureMs / 1000)} s in the future`);
  if (ts < facts.receivedAt - limits.maxAgeMs) throw new Reject(`ts: older than ${Math.round(limits.maxAgeMs / 3600_000)} h`);
  const visitorId = raw.visitorId;
  if (typeof visitorId !== 'string' || !OPAQUE_ID.test(visitorId)) throw new Reject('visitorId: expected 8-64 characters of A-Z a-z 0-9 _ -');
  const sessionId = raw.sessionId;
  if (typeof sessionId !== 'string' || !OPAQUE_ID.test(sessionId)) throw new Reject('sessionId: expected 8-64 characters of A-Z a-z 0-9 _ -');
  const userId = raw.userId;
  if (userId !== undefined && userId !== null && (typeof userId !== 'string' || userId.length === 0 || userId.length > 64)) {
    throw new Reject('userId: expected a string of 1-64 characters');
  }
  const eventId = id.toLowerCase();
  const derived = derive(facts);
  let line = `{"event_id":"${eventId}","event_type":"${eventType}","event_time":${ts},"received_at":${facts.receivedAt},"visitor_id":"${visitorId}","session_id":"${sessionId}"${derived.pseudonymColumn}`;
  line += textColumn('path', scrubPersonalData(cleanPath(optionalString(raw, 'path', 'path', 2048))));
  line += textColumn('referrer_host', referrerHost(optionalString(raw, 'referrer', 'referrer', 2048)));

  if (raw.utm !== undefined && raw.utm !== null) {
    if (!isRecord(raw.utm)) throw new Reject('utm: expected an object');
    checkFields(raw.utm, UTM_FIELD_SET, 'utm.');
    for (let i = 0; i < UTM_FIELDS.length; i += 1) {
      const field = UTM_FIELDS[i] ?? 'source';
      line += textColumn(UTM_COLUMNS[i] ?? 'utm_source', scrubPersonalData(optionalString(raw.utm, field, UTM_LABELS[i] ?? 'utm.source', 200)));
    }
  }

  let device: DeviceClass;
  if (raw.device === undefined || raw.device === null) device = derived.device;
  else if (typeof raw.device === 'string' && DEVICE_SET.has(raw.device)) device = raw.device as DeviceClass; // checked by DEVICE_SET
  else throw new Reject(`device: expected one of ${DEVICE_CLASSES.join(', ')}`);
  line += `,"device":"${device}"`;

  const language = optionalString(raw, 'language', 'language', 35);
  if (language !== null && !LANGUAGE.test(language)) throw new Reject('language: expected a BCP 47 tag such as en-US');
  if (language !== null) line += `,"language":"${language}"`;
  const timeZone = optionalString(raw, 'timeZone', 'timeZone', 64) ?? 'UTC';
  const region = TIME_ZONE_REGIONS.get(timeZone);
  if (region === undefined) throw new Reject('timeZone: unknown IANA time zone');
  line += `,"time_zone":"${timeZone}","region":"${region}"${derived.botAndIpColumns}`;

  if (raw.props !== undefined && raw.props !== null) {
    if (!isRecord(raw.props)) throw new Reject('props: expected an object');
    checkFields(raw.props, PROP_FIELDS, 'props.');
    line += textColumn('product_id', scrubPersonalData(optionalString(raw.props, 'productId', 'props.productId', 64)));
    line += textColumn('search_query', scrubPersonalData(optionalString(raw.props, 'query', 'props.query', 200)));
    line += numberColumn('value_cents', optionalInt(raw.props, 'valueCents', 'props.valueCents', 0, 1e12));
    const currency = optionalString(raw.props, 'currency', 'props.currency', 3);
    if (currency !== null && !CURRENCY.test(currency)) throw new Reject('props.currency: expected an ISO 4217 code such as USD');
    if (currency !== null) line += `,"currency":"${currency}"`;
  }

  if (eventType === 'access_log') {
    if (!isRecord(raw.http)) throw new Reject('http: required for access_log events');
    checkFields(raw.http, HTTP_FIELDS, 'http.');
    const tier = optionalString(raw.http, 'tier', 'http.tier', 16);
    if (tier !== 'web' && tier !== 'api') throw new Reject('http.tier: expected web or api');
    const method = optionalString(raw.http, 'method', 'http.method', 10);
    if (method === null || !HTTP_METHODS.has(method)) throw new Reject('http.method: expected an HTTP method');
    const status = optionalInt(raw.http, 'status', 'http.status', 100, 599);
    if (status === null) throw new Reject('http.status: required');
    const d = raw.http.durationMs;
    if (typeof d !== 'number' || !Number.isFinite(d) || d < 0 || d > 3_600_000) throw new Reject('http.durationMs: expected milliseconds 0-3600000');
    const route = scrubPersonalData(optionalString(raw.http, 'route', 'http.route', 256));
    const bytes = optionalInt(raw.http, 'bytes', 'http.bytes', 0, Number.MAX_SAFE_INTEGER);
    line += `,"tier":"${tier}","http_method":"${method}"${textColumn('http_route', route)},"http_status":${status},"duration_ms":${d}${numberColumn('bytes', bytes)}`;
  } else if (raw.http !== undefined) {
    throw new Reject('http: only allowed on access_log events');
  }
  return { id: eventId, line: `${line}}` };
}

export type LineResult = { ok: true; id: string; line: string } | { ok: false; reason: string; id?: string };

/**
 * Validates one wire event straight into its spool line (the ingest path: no row object); on
 * failure returns the reason naming the field at fault, and the event's id if it had one.
 *
 * @example
 * const result = validateToLine(body.events[0], { receivedAt: Date.now(), userAgent, ip, pseudonymKey }, DEFAULT_LIMITS);
 * if (result.ok) payload += `${result.line}\n`;
 */
export function validateToLine(raw: unknown, facts: RequestFacts, limits: ValidationLimits = DEFAULT_LIMITS): LineResult {
  try {
    const valid = validateOrThrow(raw, facts, limits);
    return { ok: true, id: valid.id, line: valid.line };
  } catch (error) {
    if (!(error instanceof Reject)) throw error;
    const id = isRecord(raw) && typeof raw.id === 'string' ? raw.id.slice(0, 64) : undefined;
    return id === undefined ? { ok: false, reason: error.message } : { ok: false, reason: error.message, id };
  }
}

/**
 * Validates one wire event; on success returns the stored (pseudonymised) row — exactly what the
 * lake keeps of it, read back from its spool line — otherwise the reason naming the field at fault.
 *
 * @example
 * const result = validateEvent(body.events[0], { receivedAt: Date.now(), userAgent, ip, pseudonymKey }, DEFAULT_LIMITS);
 * if (!result.ok) rejected.push({ index: 0, reason: result.reason });
 */
export function validateEvent(raw: unknown, facts: RequestFacts, limits: ValidationLimits = DEFAULT_LIMITS): ValidationResult {
  const result = validateToLine(raw, facts, limits);
  if (!result.ok) return result;
  return { ok: true, event: storedEventOfLine(result.line) };
}

/** Free-text wire fields, by code (the low 4 bits of a text's code in `EventTexts`). */
const TEXT_FIELD_NAMES = ['path', 'referrer', 'utm.source', 'utm.medium', 'utm.campaign', 'utm.term', 'utm.content', 'props.productId', 'props.query', 'http.route'] as const;
const UTM_TEXT_CODE = 2;

/**
 * The wire fields stored as free text, i.e. not pinned to a strict alphabet by the schema above
 * (ids, types, times, devices, languages, zones and currencies are): what a web application
 * firewall must see of a batch. Collects the texts of each event in order; a text's JSON path
 * (`events[3].props.query`) is built only when asked, i.e. when the WAF found something in it.
 * Non-string values and unknown fields are skipped, since validation rejects them anyway.
 *
 * @example
 * const texts = new EventTexts();
 * texts.add({ path: '/p', props: { query: 'linen' } }, 0); // texts.texts: ['/p', 'linen']
 * texts.fieldOf(1); // 'events[0].props.query'
 */
export class EventTexts {
  readonly texts: string[] = [];
  /** Per text: event index × 16 + field code. */
  private readonly codes: number[] = [];

  /** Adds the free-text fields of the event at `index` of the batch. */
  add(raw: unknown, index: number): void {
    if (!isRecord(raw)) return;
    const base = index * 16;
    this.push(raw.path, base);
    this.push(raw.referrer, base + 1);
    const utm = raw.utm;
    if (isRecord(utm)) {
      for (let field = 0; field < UTM_FIELDS.length; field += 1) this.push(utm[UTM_FIELDS[field] ?? 'source'], base + UTM_TEXT_CODE + field);
    }
    const props = raw.props;
    if (isRecord(props)) {
      this.push(props.productId, base + 7);
      this.push(props.query, base + 8);
    }
    if (isRecord(raw.http)) this.push(raw.http.route, base + 9);
  }

  /** JSON path of `texts[position]` in the batch, e.g. `events[3].props.query`. */
  readonly fieldOf = (position: number): string => {
    const code = this.codes[position] ?? 0;
    return `events[${Math.floor(code / 16)}].${TEXT_FIELD_NAMES[code % 16] ?? 'path'}`;
  };

  private push(value: unknown, code: number): void {
    if (typeof value !== 'string') return;
    this.texts.push(value);
    this.codes.push(code);
  }
}
