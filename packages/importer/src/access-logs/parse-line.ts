/**
 * Parsers for old web server logs: Apache/nginx Common and Combined Log Format, and nginx JSON
 * logs. Pure functions: a line in, a request or a reason out.
 */

/** One request as the old web server logged it. */
export interface AccessLogRequest {
  /** Client address as logged (IPv4 or IPv6); never stored whole. */
  ip: string;
  /** Request time in UTC, epoch milliseconds, with the line's own UTC offset applied. */
  time: number;
  method: string;
  /** Path without the query string. */
  path: string;
  query: string;
  status: number;
  bytes: number | null;
  referrer: string | null;
  userAgent: string | null;
  durationMs: number | null;
  /** the line's own UTC offset in minutes (-300 for "-0500"); null when the line has none */
  offsetMinutes: number | null;
}

/**
 * `isTruncated`: the line was cut inside its trailing fields (referrer, user agent); time, request
 * and status were intact, so it is kept and counted as a warning.
 */
export type ParseResult = { ok: true; request: AccessLogRequest; isTruncated?: boolean } | { ok: false; reason: string };

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

/** `10/Oct/2000:13:55:36 -0700` → epoch ms (UTC), honouring the offset. */
export function parseClfTime(text: string): number | undefined {
  return parseClfTimeAndOffset(text)?.time;
}

// consecutive lines of a log share their second: the last time text parsed is kept
let lastTimeText = '';
let lastTime: { time: number; offsetMinutes: number } | undefined;

/** `10/Oct/2000:13:55:36 -0700` → epoch ms (UTC) and the line's offset in minutes. */
export function parseClfTimeAndOffset(text: string): { time: number; offsetMinutes: number } | undefined {
  if (text === lastTimeText) return lastTime;
  const time = text.length === CLF_TIME_LENGTH ? clfTimeInHourAt(text, 0) : Number.NaN;
  // lastHour is the hour clfTimeInHourAt read the time from when it gave one
  const parsed = Number.isNaN(time) ? parseClfTimeText(text) : { time, offsetMinutes: (lastHour as { offsetMinutes: number }).offsetMinutes };
  lastTimeText = text;
  lastTime = parsed;
  return parsed;
}

/** `dd/Mon/yyyy:HH:MM:SS ±hhmm` */
const CLF_TIME_LENGTH = 26;

// consecutive lines of a log share their hour: "10/Oct/2000:13:" with its offset is parsed once;
// the hour's text is kept as its head (up to the minutes) and tail (the offset), compared in place
let lastHourHead = '';
let lastHourTail = '';
let lastHour: { time: number; offsetMinutes: number } | undefined;

function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - 48;
  const units = text.charCodeAt(at + 1) - 48;
  return tens >= 0 && tens <= 9 && units >= 0 && units <= 9 ? tens * 10 + units : -1;
}

/**
 * The usual time text (`dd/Mon/yyyy:HH:MM:SS ±hhmm`) at `from` in `text`, from its hour, parsed
 * once per hour and offset, plus minutes and seconds: epoch ms, its offset left in `lastHour`.
 * Nothing is sliced or allocated for a line of the hour before. NaN sends the text to the full
 * pattern, which also gives the same answer (the parse-line tests compare both over every
 * minute and second).
 */
function clfTimeInHourAt(text: string, from: number): number {
  if (text.charCodeAt(from + 17) !== 58 || text.charCodeAt(from + 20) !== 32) return Number.NaN;
  const minute = twoDigits(text, from + 15);
  const second = twoDigits(text, from + 18);
  // a leap second (:60) goes to the pattern, which also refuses one that rolls into the next day
  if (minute < 0 || minute > 59 || second < 0 || second > 59) return Number.NaN;
  if (lastHour === undefined || !text.startsWith(lastHourHead, from) || !text.startsWith(lastHourTail, from + 20)) {
    lastHourHead = text.slice(from, from + 15);
    lastHourTail = text.slice(from + 20, from + CLF_TIME_LENGTH);
    lastHour = parseClfTimeText(`${lastHourHead}00:00${lastHourTail}`);
    if (lastHour === undefined) return Number.NaN;
  }
  return lastHour.time + minute * 60_000 + second * 1000;
}

/** The reference reader of a time text, by pattern (`parseClfTimeAndOffset` is the cached one). */
export function parseClfTimeText(text: string): { time: number; offsetMinutes: number } | undefined {
  const match = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [, day, monthName, year, hour, minute, second, sign, offsetHours, offsetMinutes] = match;
  const month = MONTHS[monthName ?? ''];
  if (month === undefined) return undefined;
  const local = Date.UTC(Number(year), month, Number(day), Number(hour), Number(minute), Number(second));
  const probe = new Date(local);
  if (probe.getUTCDate() !== Number(day) || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 60) return undefined;
  const offset = (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000 * (sign === '-' ? -1 : 1);
  if (Math.abs(offset) > 14 * 3_600_000) return undefined;
  return { time: local - offset, offsetMinutes: offset / 60_000 };
}

const ISO_OFFSET = /([zZ]|([+-])(\d{2}):?(\d{2}))$/;

/** The UTC offset an ISO 8601 time ends with, in minutes (Z → 0). */
function isoOffsetMinutes(text: string): number | null {
  const match = ISO_OFFSET.exec(text);
  if (!match) return null;
  if (!match[2]) return 0;
  return (Number(match[3]) * 60 + Number(match[4])) * (match[2] === '-' ? -1 : 1);
}

// Apache escapes a quote inside a field as \" ; nginx as \x22. Both stay inside the quoted field.
const QUOTED = '"((?:[^"\\\\]|\\\\.)*)"';
const CLF = new RegExp(`^(\\S+) (\\S+) (\\S+) \\[([^\\]]+)\\] ${QUOTED} (\\d{3}) (\\d+|-)(?: ${QUOTED} ${QUOTED})?(?: (\\d+(?:\\.\\d+)?))?\\s*$`);
const REQUEST = /^([A-Z]{3,10}) (\S+)(?: HTTP\/\d(?:\.\d)?)?$/;
// the intact head of a line whose trailing fields were cut (log rotation mid-write, length limits)
const CLF_HEAD = new RegExp(`^(\\S+) (\\S+) (\\S+) \\[([^\\]]+)\\] ${QUOTED} (\\d{3}) (\\d+|-)(?: (.*))?$`);
const LEADING_QUOTED = new RegExp(`^${QUOTED}(?: |$)`);

/** Trailing fields of a cut line: a complete referrer if there is one, and what is left of the rest. */
function readCutTrail(rest: string): { referrer: string | undefined; userAgent: string | undefined } {
  const referrer = LEADING_QUOTED.exec(rest);
  if (!referrer) return { referrer: undefined, userAgent: undefined };
  const after = rest.slice(referrer[0].length);
  // the user agent lost its closing quote: keep what was logged, it still tells browsers from bots
  const userAgent = after.startsWith('"') ? after.slice(1) : undefined;
  return { referrer: referrer[1], userAgent: userAgent === '' ? undefined : userAgent };
}

function unescape(text: string): string {
  return text.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))).replace(/\\(.)/g, '$1');
}

function splitTarget(target: string): { path: string; query: string } | undefined {
  // origin-form targets ("/p/1?x=2") are split by hand: URL parsing costs more than the rest of the line
  if (target.startsWith('/')) {
    const hash = target.indexOf('#');
    const bare = hash === -1 ? target : target.slice(0, hash);
    const question = bare.indexOf('?');
    return question === -1 ? { path: bare, query: '' } : { path: bare.slice(0, question), query: bare.slice(question + 1) };
  }
  // absolute-form (proxies log "GET http://host/path"); anything else is not a page request
  if (!/^https?:\/\//i.test(target)) return undefined;
  try {
    const url = new URL(target);
    return { path: url.pathname, query: url.search.replace(/^\?/, '') };
  } catch {
    return undefined;
  }
}

function dashToNull(value: string | undefined): string | null {
  if (value === undefined) return null;
  const text = unescape(value);
  return text === '-' || text === '' ? null : text;
}

/**
 * Parses one Common or Combined Log Format line (an optional trailing request time in seconds,
 * as many nginx configs append, is read too).
 *
 * @example
 * parseClfLine('203.0.113.9 - - [10/Oct/2023:13:55:36 -0700] "GET /products?page=2 HTTP/1.1" 200 2326 "-" "Mozilla/5.0"')
 */
export function parseClfLine(line: string): ParseResult {
  return scanClfLine(line) ?? parseClfLineByPattern(line);
}

const enum Char {
  Space = 32,
  Quote = 34,
  Dash = 45,
  Dot = 46,
  Zero = 48,
  Nine = 57,
  OpenBracket = 91,
}

/** end of a run of digits starting at `from` (`from` itself when there is none) */
function digitsEnd(line: string, from: number): number {
  let at = from;
  for (let code = line.charCodeAt(at); code >= Char.Zero && code <= Char.Nine; code = line.charCodeAt(at)) at += 1;
  return at;
}

/** The number written in the digits from `from` up to `to` (as `Number` of their text). */
function digitsValue(line: string, from: number, to: number): number {
  // beyond 15 digits a double is no longer exact digit by digit: Number rounds as it should
  if (to - from > 15) return Number(line.slice(from, to));
  let value = 0;
  for (let at = from; at < to; at += 1) value = value * 10 + (line.charCodeAt(at) - Char.Zero);
  return value;
}

/** request line → method and target; request lines repeat (same pages), so results are kept */
const requests = new Map<string, { method: string; path: string; query: string } | null>();

function readRequest(text: string): { method: string; path: string; query: string } | null {
  let known = requests.get(text);
  if (known !== undefined) return known;
  const request = REQUEST.exec(text);
  const target = request ? splitTarget(request[2] ?? '/') : undefined;
  known = request && target ? { method: request[1] ?? 'GET', ...target } : null;
  if (requests.size >= 100_000) requests.clear();
  requests.set(text, known);
  return known;
}

/**
 * The fast path for the usual line: fields found with indexOf, no regular expression over the
 * whole line. Returns undefined for anything unusual (escaped quotes, tabs, cut or garbage lines),
 * which `parseClfLineByPattern` then reads (or rejects with a reason) exactly as before.
 */
export function scanClfLine(line: string): ParseResult | undefined {
  if (line.indexOf('\t') !== -1 || line.indexOf('\\') !== -1) return undefined;
  const ipEnd = line.indexOf(' ');
  if (ipEnd <= 0) return undefined;
  const identEnd = line.indexOf(' ', ipEnd + 1);
  if (identEnd <= ipEnd + 1) return undefined;
  const userEnd = line.indexOf(' ', identEnd + 1);
  if (userEnd <= identEnd + 1 || line.charCodeAt(userEnd + 1) !== Char.OpenBracket) return undefined;
  const timeEnd = line.indexOf(']', userEnd + 2);
  if (timeEnd <= userEnd + 2 || line.charCodeAt(timeEnd + 1) !== Char.Space || line.charCodeAt(timeEnd + 2) !== Char.Quote) return undefined;
  const requestEnd = line.indexOf('"', timeEnd + 3);
  if (requestEnd === -1 || line.charCodeAt(requestEnd + 1) !== Char.Space) return undefined;
  const statusEnd = digitsEnd(line, requestEnd + 2);
  if (statusEnd !== requestEnd + 5 || line.charCodeAt(statusEnd) !== Char.Space) return undefined;
  const bytesStart = statusEnd + 1;
  let bytesEnd = digitsEnd(line, bytesStart);
  if (bytesEnd === bytesStart) {
    if (line.charCodeAt(bytesStart) !== Char.Dash) return undefined;
    bytesEnd = bytesStart + 1;
  }
  let referrer: string | null = null;
  let userAgent: string | null = null;
  let durationMs: number | null = null;
  let at = bytesEnd;
  if (line.charCodeAt(at) === Char.Space && line.charCodeAt(at + 1) === Char.Quote) {
    const referrerEnd = line.indexOf('"', at + 2);
    if (referrerEnd === -1 || line.charCodeAt(referrerEnd + 1) !== Char.Space || line.charCodeAt(referrerEnd + 2) !== Char.Quote) return undefined;
    const agentEnd = line.indexOf('"', referrerEnd + 3);
    if (agentEnd === -1) return undefined;
    referrer = line.slice(at + 2, referrerEnd);
    userAgent = line.slice(referrerEnd + 3, agentEnd);
    if (referrer === '-' || referrer === '') referrer = null;
    if (userAgent === '-' || userAgent === '') userAgent = null;
    at = agentEnd + 1;
  }
  if (at < line.length && line.charCodeAt(at) === Char.Space && line.charCodeAt(at + 1) !== Char.Space) {
    const secondsEnd = digitsEnd(line, at + 1);
    let end = secondsEnd;
    if (line.charCodeAt(end) === Char.Dot) end = digitsEnd(line, end + 1);
    if (secondsEnd > at + 1 && end !== secondsEnd + 1) {
      durationMs = Math.round(Number(line.slice(at + 1, end)) * 1000);
      at = end;
    }
  }
  // only trailing spaces may follow
  for (; at < line.length; at += 1) if (line.charCodeAt(at) !== Char.Space) return undefined;
  // the time read in place (no slice, no object per line) when it is the usual text
  const timeStart = userEnd + 2;
  let time = timeEnd - timeStart === CLF_TIME_LENGTH ? clfTimeInHourAt(line, timeStart) : Number.NaN;
  let offsetMinutes: number;
  if (Number.isNaN(time)) {
    const when = parseClfTimeAndOffset(line.slice(timeStart, timeEnd));
    if (when === undefined) return undefined;
    time = when.time;
    offsetMinutes = when.offsetMinutes;
  } else {
    offsetMinutes = (lastHour as { offsetMinutes: number }).offsetMinutes; // the hour clfTimeInHourAt read the time from
  }
  const request = readRequest(line.slice(timeEnd + 3, requestEnd));
  if (request === null) return undefined;
  return {
    ok: true,
    request: {
      ip: line.slice(0, ipEnd),
      time,
      offsetMinutes,
      method: request.method,
      path: request.path,
      query: request.query,
      // three digits, checked above
      status: (line.charCodeAt(requestEnd + 2) - Char.Zero) * 100 + (line.charCodeAt(requestEnd + 3) - Char.Zero) * 10 + (line.charCodeAt(requestEnd + 4) - Char.Zero),
      bytes: line.charCodeAt(bytesStart) === Char.Dash ? null : digitsValue(line, bytesStart, bytesEnd),
      referrer,
      userAgent,
      durationMs,
    },
  };
}

/** The reference reader of one line, by pattern: unusual lines (escapes, cuts, garbage) go here. */
export function parseClfLineByPattern(line: string): ParseResult {
  const match = CLF.exec(line);
  let isTruncated = false;
  let fields: { ip: string; timeText: string; requestText: string; statusText: string; bytesText: string; referrer: string | undefined; userAgent: string | undefined; durationText: string | undefined };
  if (match) {
    const [, ip = '', , , timeText = '', requestText = '', statusText = '', bytesText = '', referrer, userAgent, durationText] = match;
    fields = { ip, timeText, requestText, statusText, bytesText, referrer, userAgent, durationText };
  } else {
    const head = CLF_HEAD.exec(line);
    // only the trailing, optional fields may be cut: a line without time, request and status is garbage
    if (!head || head[8] === undefined || !head[8].startsWith('"')) return { ok: false, reason: 'not a Common/Combined Log Format line' };
    const [, ip = '', , , timeText = '', requestText = '', statusText = '', bytesText = '', rest = ''] = head;
    fields = { ip, timeText, requestText, statusText, bytesText, ...readCutTrail(rest), durationText: undefined };
    isTruncated = true;
  }
  const when = parseClfTimeAndOffset(fields.timeText);
  if (when === undefined) return { ok: false, reason: `bad time "${fields.timeText}"` };
  const request = REQUEST.exec(unescape(fields.requestText));
  if (!request) return { ok: false, reason: `bad request line "${fields.requestText.slice(0, 60)}"` };
  const target = splitTarget(request[2] ?? '/');
  if (!target) return { ok: false, reason: 'bad request target' };
  return {
    ok: true,
    ...(isTruncated ? { isTruncated } : {}),
    request: {
      ip: fields.ip,
      time: when.time,
      offsetMinutes: when.offsetMinutes,
      method: request[1] ?? 'GET',
      ...target,
      status: Number(fields.statusText),
      bytes: fields.bytesText === '-' ? null : Number(fields.bytesText),
      referrer: dashToNull(fields.referrer),
      userAgent: dashToNull(fields.userAgent),
      durationMs: fields.durationText === undefined ? null : Math.round(Number(fields.durationText) * 1000),
    },
  };
}

/** Which JSON keys hold which fields in an nginx `log_format … escape=json` line. */
export interface JsonFieldMap {
  time: string;
  ip: string;
  request?: string;
  method?: string;
  uri?: string;
  status: string;
  bytes?: string;
  referrer?: string;
  userAgent?: string;
  /** seconds, as nginx's $request_time */
  duration?: string;
}

export const DEFAULT_JSON_FIELDS: JsonFieldMap = {
  time: 'time_iso8601',
  ip: 'remote_addr',
  request: 'request',
  method: 'request_method',
  uri: 'request_uri',
  status: 'status',
  bytes: 'body_bytes_sent',
  referrer: 'http_referer',
  userAgent: 'http_user_agent',
  duration: 'request_time',
};

function field(record: Record<string, unknown>, key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** Parses one nginx JSON log line with a field mapping. */
export function parseJsonLine(line: string, fields: JsonFieldMap = DEFAULT_JSON_FIELDS): ParseResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, reason: 'not a JSON object' };
  const record = parsed as Record<string, unknown>; // checked to be a plain object just above
  const timeText = field(record, fields.time);
  if (!timeText) return { ok: false, reason: `no "${fields.time}" field` };
  const time = /^\d{2}\/[A-Z][a-z]{2}\//.test(timeText) ? parseClfTime(timeText) : Date.parse(timeText);
  if (time === undefined || Number.isNaN(time) || !/([zZ]|[+-]\d{2}:?\d{2})$/.test(timeText)) {
    return { ok: false, reason: `time "${timeText}" has no UTC offset or is not a date` };
  }
  const ip = field(record, fields.ip);
  if (!ip) return { ok: false, reason: `no "${fields.ip}" field` };
  let method = field(record, fields.method);
  let uri = field(record, fields.uri);
  const requestText = field(record, fields.request);
  if ((!method || !uri) && requestText) {
    const request = REQUEST.exec(requestText);
    if (!request) return { ok: false, reason: `bad request line "${requestText.slice(0, 60)}"` };
    method = request[1];
    uri = request[2];
  }
  if (!method || !uri) return { ok: false, reason: 'no request method/URI' };
  const target = splitTarget(uri);
  if (!target) return { ok: false, reason: 'bad request target' };
  const status = Number(field(record, fields.status));
  if (!Number.isInteger(status) || status < 100 || status > 599) return { ok: false, reason: 'bad status' };
  const bytes = field(record, fields.bytes);
  const duration = field(record, fields.duration);
  return {
    ok: true,
    request: {
      ip,
      time,
      offsetMinutes: isoOffsetMinutes(timeText),
      method,
      ...target,
      status,
      bytes: bytes === undefined || Number.isNaN(Number(bytes)) ? null : Number(bytes),
      referrer: dashToNull(field(record, fields.referrer)),
      userAgent: dashToNull(field(record, fields.userAgent)),
      durationMs: duration === undefined || Number.isNaN(Number(duration)) ? null : Math.round(Number(duration) * 1000),
    },
  };
}

const STATIC_ASSET = /\.(?:css|js|mjs|map|png|jpe?g|gif|svg|ico|webp|avif|woff2?|ttf|otf|eot|mp4|webm|txt|xml)$/i;
const HEALTH_CHECK = /^\/(?:healthz?|readyz|livez|ping|status|server-status|nginx_status)\/?$/i;

export type RequestKind = 'page' | 'static' | 'health';

/** Page requests count in analyses by default; assets and health checks are kept but marked. */
export function classifyRequest(path: string): RequestKind {
  if (HEALTH_CHECK.test(path)) return 'health';
  if (STATIC_ASSET.test(path) || /^\/(?:static|assets|media|images|css|js)\//i.test(path)) return 'static';
  return 'page';
}
