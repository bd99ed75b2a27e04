import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

/** What drill shoppers send at checkout: a US address and standard shipping (checkout needs both). */
const DRILL_CHECKOUT = {
  address: { recipientName: 'Drill Shopper', line1: '1 Main Street', city: 'Austin', region: 'TX', postalCode: '73301', country: 'US' },
  shippingMethod: 'standard',
};

/** One request the load made: what, when, and how it ended (`status` 0 = no answer at all). */
export interface RequestRecord {
  at: number;
  method: string;
  route: string;
  isIdempotent: boolean;
  status: number;
}

/** A paid order as the shopper saw it: the shop answered 200 to the payment. */
export interface PaidOrder {
  id: number;
  shopper: number;
}

interface Answer {
  status: number;
  body: unknown;
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, name) : undefined;
}

/**
 * A signed-in shopper that buys in a loop through the web tier, as the checkout page does: the
 * order and the payment carry an Idempotency-Key, and a failed step is retried by the shopper
 * with the same key (what a browser's retry does), so a request that fails never buys twice.
 */
export class DrillShopper {
  private cookie = '';
  private csrf = '';
  readonly records: RequestRecord[] = [];
  readonly paid: PaidOrder[] = [];

  constructor(
    private readonly baseUrl: string,
    private readonly index: number,
  ) {}

  private async send(method: 'GET' | 'POST', path: string, options: { body?: unknown; key?: string; route: string }): Promise<Answer> {
    const isIdempotent = method === 'GET' || options.key !== undefined;
    try {
      const response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.cookie ? { cookie: this.cookie } : {}),
          ...(method === 'POST' && this.csrf ? { 'x-csrf-token': this.csrf } : {}),
          ...(options.key ? { 'idempotency-key': options.key } : {}),
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        signal: AbortSignal.timeout(30_000),
      });
      for (const line of response.headers.getSetCookie()) {
        const pair = line.split(';', 1)[0];
        if (pair?.startsWith('tl_session=')) this.cookie = pair;
      }
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        // not JSON
      }
      this.records.push({ at: Date.now(), method, route: options.route, isIdempotent, status: response.status });
      return { status: response.status, body };
    } catch {
      this.records.push({ at: Date.now(), method, route: options.route, isIdempotent, status: 0 });
      return { status: 0, body: null };
    }
  }

  async signIn(email: string, password: string): Promise<void> {
    const csrf = await this.send('GET', '/api/auth/csrf', { route: '/api/auth/csrf' });
    this.csrf = String(field(csrf.body, 'token') ?? '');
    const login = await this.send('POST', '/api/auth/login', { body: { email, password }, route: '/api/auth/login' });
    if (login.status !== 200) throw new Error(`drill shopper could not sign in as ${email}: HTTP ${login.status}`);
    const fresh = await this.send('GET', '/api/auth/csrf', { route: '/api/auth/csrf' });
    this.csrf = String(field(fresh.body, 'token') ?? '');
    this.records.length = 0;
  }

  /** A keyed step, retried with the same key until it gets a definite answer (or `deadline`). */
  private async keyed(path: string, body: unknown, route: string, deadline: number): Promise<Answer> {
    const key = randomUUID();
    for (;;) {
      const answer = await this.send('POST', path, { body, key, route });
      if ((answer.status !== 0 && answer.status < 500) || Date.now() > deadline) return answer;
      await sleep(250);
    }
  }

  /** Buys `variantId` once: cart, order, payment. Returns the paid order id, if any. */
  async buy(variantId: number, deadline: number): Promise<void> {
    await this.send('GET', '/api/products?limit=12', { route: '/api/products' });
    const cart = await this.send('POST', '/api/cart/items', { body: { variantId, quantity: 1 }, route: '/api/cart/items' });
    if (cart.status !== 200 && cart.status !== 201) return;
    const order = await this.keyed('/api/orders', DRILL_CHECKOUT, '/api/orders', deadline);
    const id = field(order.body, 'id');
    if (order.status !== 201 && order.status !== 200) return;
    if (typeof id !== 'number') return;
    const pay = await this.keyed(
      `/api/orders/${id}/pay`,
      { card: { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' } },
      '/api/orders/:id/pay',
      deadline,
    );
    if (pay.status === 200) this.paid.push({ id, shopper: this.index });
  }

  /**
   * The order as the shop has it now (after the drill): its status, or the HTTP answer that said it
   * is not there. A lookup with no definite answer (no answer, 5xx, 429) is asked again until
   * `deadline`, so a slow recovery is not counted as a lost order.
   */
  async orderStatus(id: number, deadline: number): Promise<{ status?: string; httpStatus: number }> {
    for (;;) {
      const answer = await this.send('GET', `/api/orders/${id}`, { route: '/api/orders/:id' });
      const status = field(answer.body, 'status');
      if (answer.status === 200 && typeof status === 'string') return { status, httpStatus: 200 };
      const isDefinite = answer.status !== 0 && answer.status < 500 && answer.status !== 429;
      if (isDefinite || Date.now() > deadline) return { httpStatus: answer.status };
      await sleep(500);
    }
  }
}

/** Product pages read for variants to buy: enough variants to spread the shoppers over. */
const STOCKED_PRODUCTS = 12;

/**
 * Variant ids with stock: the first products of the list that have stock, then their variants
 * from each product page (the list carries a summary per product, not its variants).
 */
export async function stockedVariants(baseUrl: string): Promise<number[]> {
  const response = await fetch(`${baseUrl}/api/products?limit=48`);
  const body: unknown = await response.json();
  const items = field(body, 'items');
  const productIds: number[] = [];
  for (const item of Array.isArray(items) ? items : []) {
    const id = field(item, 'id');
    const stock = field(item, 'stock');
    if (typeof id === 'number' && typeof stock === 'number' && stock > 5 && productIds.length < STOCKED_PRODUCTS) productIds.push(id);
  }
  const ids: number[] = [];
  for (const productId of productIds) {
    const page: unknown = await (await fetch(`${baseUrl}/api/products/${productId}`)).json();
    const variants = field(page, 'variants');
    for (const variant of Array.isArray(variants) ? variants : []) {
      const id = field(variant, 'id');
      const stock = field(variant, 'stock');
      if (typeof id === 'number' && typeof stock === 'number' && stock > 5) ids.push(id);
    }
  }
  if (ids.length === 0) throw new Error('no product with stock to buy: seed the shop first (threadline seed)');
  return ids;
}
