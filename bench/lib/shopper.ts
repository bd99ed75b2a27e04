/**
 * A signed-in shop customer over real HTTP: keeps the session cookie and CSRF token the API hands
 * out, as a browser would. Used by the checkout benchmark.
 */
import { randomUUID } from 'node:crypto';

import { Pool } from 'undici';

/**
 * Kept-alive connections per origin, shared by every shopper. The load generator shares the
 * host's cores with the shop, so its CPU per request counts against the figure: an undici pool
 * costs about half of what node:http with a keep-alive agent does (≈ 37 vs 86 µs of client CPU
 * per small JSON POST, measured on the busy 2-core host), which cost half of what fetch does.
 */
const pools = new Map<string, Pool>();

function poolFor(origin: string): Pool {
  let pool = pools.get(origin);
  if (!pool) {
    pool = new Pool(origin, { connections: 256, pipelining: 1 });
    pools.set(origin, pool);
  }
  return pool;
}

/** Closes the shoppers' connections (end of a benchmark). */
export async function closeShopperConnections(): Promise<void> {
  const open = [...pools.values()];
  pools.clear();
  await Promise.all(open.map((pool) => pool.close()));
}

/** One HTTP/1.1 request on a kept-alive connection: status, Set-Cookie lines and the body as text. */
async function send(url: string, options: { method: 'GET' | 'POST'; headers: Record<string, string>; payload: string | undefined }): Promise<{ status: number; setCookie: string[]; text: string }> {
  const target = new URL(url);
  const response = await poolFor(target.origin).request({
    path: `${target.pathname}${target.search}`,
    method: options.method,
    headers: options.headers,
    body: options.payload,
  });
  const cookies = response.headers['set-cookie'];
  const setCookie = cookies === undefined ? [] : Array.isArray(cookies) ? cookies : [cookies];
  return { status: response.statusCode, setCookie, text: await response.body.text() };
}

/** Where bench shoppers ship to: a US address with standard shipping, as most of the shop's orders. */
const CHECKOUT_BODY = {
  address: { recipientName: 'Bench Shopper', line1: '1 Main Street', city: 'Austin', region: 'TX', postalCode: '73301', country: 'US' },
  shippingMethod: 'standard',
};

export interface ShopResponse {
  status: number;
  body: unknown;
}

export class Shopper {
  private cookie = '';
  private csrf = '';

  constructor(
    private readonly baseUrl: string,
    readonly email: string,
  ) {}

  async request(method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ShopResponse> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const response = await send(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(method === 'POST' && this.csrf ? { 'x-csrf-token': this.csrf } : {}),
        ...headers,
      },
      payload,
    });
    for (const line of response.setCookie) {
      const pair = line.split(';', 1)[0];
      if (pair?.startsWith('tl_session=')) this.cookie = pair;
    }
    let parsed: unknown = response.text;
    try {
      parsed = response.text ? JSON.parse(response.text) : null;
    } catch {
      // not JSON: keep the text for the error message
    }
    return { status: response.status, body: parsed };
  }

  /** Gets a session and CSRF token, then signs in (the session id rotates at sign-in). */
  async signIn(password: string): Promise<void> {
    await this.refreshCsrf();
    const login = await this.request('POST', '/api/auth/login', { email: this.email, password });
    if (login.status !== 200) throw new Error(`login of ${this.email} failed: ${login.status} ${JSON.stringify(login.body)}`);
    await this.refreshCsrf();
  }

  /** Creates this shopper's account (signed in afterwards, as the sign-up route does). */
  async signUp(name: string, password: string): Promise<void> {
    await this.refreshCsrf();
    const signup = await this.request('POST', '/api/auth/signup', { email: this.email, password, name });
    if (signup.status !== 201) throw new Error(`sign-up of ${this.email} failed: ${signup.status} ${JSON.stringify(signup.body)}`);
    await this.refreshCsrf();
  }

  private async refreshCsrf(): Promise<void> {
    const csrf = await this.request('GET', '/api/auth/csrf');
    const token = typeof csrf.body === 'object' && csrf.body !== null && 'token' in csrf.body ? csrf.body.token : undefined;
    if (typeof token !== 'string') throw new Error(`no CSRF token: ${csrf.status} ${JSON.stringify(csrf.body)}`);
    this.csrf = token;
  }

  /**
   * Cart → order → payment with the succeeding test card. Returns 'paid', or the error code of
   * the step that failed (e.g. OUT_OF_STOCK).
   */
  async checkout(variantId: number): Promise<{ outcome: string; cartMs: number; orderMs: number; payMs: number }> {
    const cartStarted = performance.now();
    const cart = await this.request('POST', '/api/cart/items', { variantId, quantity: 1 });
    const cartMs = performance.now() - cartStarted;
    if (cart.status >= 300) return { outcome: errorCode(cart), cartMs, orderMs: 0, payMs: 0 };
    const orderStarted = performance.now();
    const order = await this.request('POST', '/api/orders', CHECKOUT_BODY, { 'idempotency-key': randomUUID() });
    const orderMs = performance.now() - orderStarted;
    const id = typeof order.body === 'object' && order.body !== null && 'id' in order.body ? order.body.id : undefined;
    if (order.status !== 201 || typeof id !== 'number') return { outcome: errorCode(order), cartMs, orderMs, payMs: 0 };
    const payStarted = performance.now();
    const pay = await this.request(
      'POST',
      `/api/orders/${id}/pay`,
      { card: { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' } },
      { 'idempotency-key': randomUUID() },
    );
    const payMs = performance.now() - payStarted;
    return { outcome: pay.status === 200 ? 'paid' : errorCode(pay), cartMs, orderMs, payMs };
  }
}

function errorCode(response: ShopResponse): string {
  const body = response.body;
  if (typeof body === 'object' && body !== null && 'error' in body) {
    const error = body.error;
    if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  }
  return `HTTP_${response.status}`;
}
