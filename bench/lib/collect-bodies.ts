/**
 * Request bodies for the `/collect` load generator, cheap to make so that the load generator
 * (which shares the machine's cores with the API it measures) spends its CPU sending, not
 * building JSON: a few batch templates are written once, and each request copies one and writes
 * a fresh counter into the last 12 hex digits of every event id. Every body is the same bytes as
 * a batch built from scratch would be, with ids never sent before (no event is a duplicate).
 */

export interface CollectBodiesOptions {
  /** Events per batch. */
  batch: number;
  /** Distinct templates to rotate through (visitors, sessions, paths and products vary across them). */
  templates?: number;
  /** Event time base, epoch ms (default: now); events are 0-49 s older than it. */
  now?: number;
}

const ID_PREFIX = 'b3ac0000-0000-4000-8000-';
const ID_DIGITS = 12;
const ID_PLACEHOLDER = '0'.repeat(ID_DIGITS);
const HEX = Buffer.from('0123456789abcdef', 'latin1');

interface Template {
  bytes: Buffer;
  /** Byte offset of each event's 12 counter digits. */
  idOffsets: number[];
}

function buildTemplate(batch: number, seed: number, now: number): Template {
  const events: string[] = [];
  for (let i = 0; i < batch; i += 1) {
    const n = seed * batch + i;
    events.push(
      `{"id":"${ID_PREFIX}${ID_PLACEHOLDER}","type":"${i % 3 === 0 ? 'product_view' : 'page_view'}","ts":${now - (i % 50) * 1000},"visitorId":"visitor_${n % 5000}","sessionId":"session_${n % 20000}","path":"/products/${n % 500}","referrer":"https://www.google.com/","utm":{"source":"newsletter","medium":"email","campaign":"spring"},"device":"mobile","language":"en-US","timeZone":"America/New_York","props":{"productId":"${n % 500}"}}`,
    );
  }
  const text = `{"events":[${events.join(',')}]}`;
  const bytes = Buffer.from(text, 'latin1');
  const idOffsets: number[] = [];
  const marker = `"id":"${ID_PREFIX}`;
  for (let at = text.indexOf(marker); at !== -1; at = text.indexOf(marker, at + 1)) idOffsets.push(at + marker.length);
  if (idOffsets.length !== batch) throw new Error(`collect bodies: found ${idOffsets.length} id slots in a ${batch}-event template`);
  return { bytes, idOffsets };
}

/**
 * Makes `/collect` batches: `next()` returns a new body each call, every event id unique.
 *
 * @example
 * const bodies = collectBodies({ batch: 100 });
 * await fetch(url, { method: 'POST', body: bodies.next() });
 */
export function collectBodies(options: CollectBodiesOptions): { next(): Buffer } {
  const now = options.now ?? Date.now();
  const templates = Array.from({ length: options.templates ?? 64 }, (_, seed) => buildTemplate(options.batch, seed, now));
  let counter = 0;
  let turn = 0;
  return {
    next(): Buffer {
      const template = templates[turn % templates.length];
      turn += 1;
      if (!template) throw new Error('collect bodies: no template');
      const body = Buffer.allocUnsafe(template.bytes.length);
      template.bytes.copy(body);
      for (const offset of template.idOffsets) {
        counter += 1;
        // the counter in 12 lower-case hex digits, written from the last digit backwards
        let value = counter;
        for (let digit = ID_DIGITS - 1; digit >= 0; digit -= 1) {
          body[offset + digit] = HEX[value % 16] ?? 0x30;
          value = Math.floor(value / 16);
        }
      }
      return body;
    },
  };
}
