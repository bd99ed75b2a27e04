/**
 * A signed-in shop customer over real HTTP: keeps the session cookie and CSRF token the API hands
 * out, as a browser would. Used by the checkout benchmark.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';

/**
 * Kept-alive connections shared by every shopper. node:http costs the load generator, which
 * shares the host's cores with the shop, about half the CPU per request that fetch does (1.9 vs 4.0
 * CPU ms per paid order, 3 requests each, measured on a busy host).
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

/** One HTTP/1.1 request on a kept-alive connection: status, Set-Cookie lines and the body as text. */
function send(url: string, options: { method: string; headers: Record<string, string>; payload: string | undefined }): Promise<{ status: number; setCookie: string[]; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: options.method, headers: options.headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, setCookie: response.headers['set-cookie'] ?? [], text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(options.payload);
  });
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
