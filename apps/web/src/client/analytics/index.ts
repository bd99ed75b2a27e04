import { cookieString, deviceClass, opaqueId, parseUtm, readCookie, uuidV4, type Utm } from './context';
import { EventQueue, retryDelayMs, type QueuedEvent } from './queue';

/**
 * The storefront's clickstream tracker. Pages call `track(type, props)`; events are batched and
 * sent to `/collect` with `fetch(…, { keepalive: true })`, and with `navigator.sendBeacon` when
 * the page is hidden or unloaded. First-party cookies only: `tl_vid` (anonymous visitor, 1 year)
 * and `tl_sid` (session, 30 minutes of inactivity). No third party ever sees the events.
 *
 * @example
 * import { track } from '../analytics';
 * track('product_view', { productId: String(product.id) });
 */
export type EventType = 'page_view' | 'product_view' | 'search' | 'add_to_cart' | 'checkout_started' | 'sign_up' | 'login';

export interface EventProps {
  productId?: string;
  query?: string;
  valueCents?: number;
  currency?: string;
}

const ENDPOINT = '/collect';
const VISITOR_COOKIE = 'tl_vid';
const SESSION_COOKIE = 'tl_sid';
const SESSION_SECONDS = 30 * 60;
const VISITOR_SECONDS = 365 * 24 * 3600;
const FLUSH_DELAY_MS = 2000;
const STORAGE_KEY = 'tl_events_pending';
const UTM_KEY = 'tl_utm';

const queue = new EventQueue();
let timer: ReturnType<typeof setTimeout> | undefined;
let attempt = 0;
let isSending = false;
let isStarted = false;

function fill(bytes: Uint8Array): Uint8Array {
  return crypto.getRandomValues(bytes);
}

function isSecure(): boolean {
  return location.protocol === 'https:';
}

/** The visitor id, created on first use; kept for a year. */
function visitorId(): string {
  let id = readCookie(document.cookie, VISITOR_COOKIE);
  if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) id = opaqueId(fill);
  document.cookie = cookieString(VISITOR_COOKIE, id, VISITOR_SECONDS, isSecure());
  return id;
}

/** The session id; a new one after 30 minutes without events. Every event extends it. */
function sessionId(): string {
  let id = readCookie(document.cookie, SESSION_COOKIE);
  if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
    id = opaqueId(fill);
    sessionStorage.removeItem(UTM_KEY);
  }
  document.cookie = cookieString(SESSION_COOKIE, id, SESSION_SECONDS, isSecure());
  return id;
}

/** UTM parameters of the landing page, kept for the rest of the session. */
function sessionUtm(): Utm | undefined {
  const fresh = parseUtm(location.search);
  if (fresh) {
    sessionStorage.setItem(UTM_KEY, JSON.stringify(fresh));
    return fresh;
  }
  try {
    const saved: unknown = JSON.parse(sessionStorage.getItem(UTM_KEY) ?? 'null');
    return typeof saved === 'object' && saved !== null ? (saved as Utm) : undefined; // written by this module above
  } catch {
    return undefined;
  }
}

function persist(): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(queue));
  } catch {
    // storage full or disabled: events still go out from memory
  }
}

function schedule(delayMs: number): void {
  if (timer !== undefined) return;
  timer = setTimeout(() => {
    timer = undefined;
    void flush();
  }, delayMs);
}

async function flush(): Promise<void> {
  if (isSending || queue.size === 0) return;
  isSending = true;
  const batch = queue.take();
  try {
    const response = await fetch(ENDPOINT, { method: 'POST', keepalive: true, credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events: batch }) });
    if (response.status === 202 || (response.status >= 400 && response.status < 500 && response.status !== 429 && response.status !== 408)) {
      // 202: durable. Other 4xx: the batch itself is at fault (size); retrying cannot help.
      attempt = 0;
    } else {
      throw Object.assign(new Error(`collect answered ${response.status}`), { retryAfter: Number(response.headers.get('retry-after')) });
    }
  } catch (error) {
    queue.putBack(batch);
    attempt += 1;
    const retryAfter = typeof error === 'object' && error !== null && 'retryAfter' in error && typeof error.retryAfter === 'number' ? error.retryAfter : undefined;
    isSending = false;
    persist();
    schedule(retryDelayMs(attempt, retryAfter));
    return;
  }
  isSending = false;
  persist();
  if (queue.size > 0) schedule(0);
}

/** Hands everything left to the browser when the page goes away: sendBeacon survives unload. */
function flushOnExit(): void {
  if (queue.size === 0) return;
  const events = queue.drain();
  for (let i = 0; i < events.length; i += queue.batchSize) {
    const body = JSON.stringify({ events: events.slice(i, i + queue.batchSize) });
    // text/plain keeps the beacon a "simple" request; /collect parses it as JSON
    const isQueued = navigator.sendBeacon?.(ENDPOINT, new Blob([body], { type: 'text/plain;charset=UTF-8' })) ?? false;
    if (!isQueued) void fetch(ENDPOINT, { method: 'POST', keepalive: true, headers: { 'content-type': 'application/json' }, body }).catch(() => undefined);
  }
  persist();
}

function start(): void {
  if (isStarted || typeof window === 'undefined') return;
  isStarted = true;
  try {
    queue.restore(JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]'));
  } catch {
    // nothing saved
  }
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') flushOnExit();
  });
  window.addEventListener('pagehide', flushOnExit);
  if (queue.size > 0) schedule(FLUSH_DELAY_MS);
}

/** Records one event; sent within about two seconds, or when the page is hidden. */
export function track(type: EventType, props: EventProps = {}): void {
  if (typeof window === 'undefined') return;
  start();
  const event: QueuedEvent = {
    id: typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : uuidV4(fill),
    type,
    ts: new Date().toISOString(),
    visitorId: visitorId(),
    sessionId: sessionId(),
    path: location.pathname,
    device: deviceClass(navigator.userAgent, Math.min(screen.width, screen.height), navigator.maxTouchPoints > 0),
    language: navigator.language,
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  };
  if (type === 'page_view' && document.referrer && !document.referrer.startsWith(location.origin)) event.referrer = document.referrer;
  const utm = sessionUtm();
  if (utm) event.utm = utm;
  const cleanProps = Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined && v !== ''));
  if (Object.keys(cleanProps).length > 0) event.props = cleanProps;
  queue.push(event);
  persist();
  if (queue.size >= queue.batchSize) void flush();
  else schedule(FLUSH_DELAY_MS);
}

/** `track('page_view')` — call on every route change. */
export function trackPageView(): void {
  track('page_view');
}
