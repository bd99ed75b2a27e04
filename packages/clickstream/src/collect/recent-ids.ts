/** 32-bit words per remembered id: a UUID's 128 bits. */
const WORDS = 4;

/**
 * Writes the 128 bits of a UUID (`8-4-4-4-12` hex digits, either case) into `into[offset … offset+3]`,
 * most significant word first. Returns false (writing nothing useful) if `id` is not so shaped.
 *
 * @example
 * const words = new Uint32Array(4);
 * uuidWords('0190a4b2-7c1d-7e4f-8a2b-3c4d5e6f7a8b', words, 0); // true; words[0] === 0x0190a4b2
 */
export function uuidWords(id: string, into: Uint32Array, offset: number): boolean {
  if (id.length !== 36) return false;
  let word = 0;
  let digits = 0;
  let out = offset;
  for (let i = 0; i < 36; i += 1) {
    const code = id.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (code !== 45) return false; // '-'
      continue;
    }
    let nibble: number;
    if (code >= 48 && code <= 57) nibble = code - 48;
    else if (code >= 97 && code <= 102) nibble = code - 87;
    else if (code >= 65 && code <= 70) nibble = code - 55;
    else return false;
    word = (word << 4) | nibble;
    digits += 1;
    if (digits === 8) {
      into[out] = word >>> 0;
      out += 1;
      word = 0;
      digits = 0;
    }
  }
  return true;
}

/** Mixes a UUID's four words into a 32-bit table position (ids made of counters spread out too). */
function hashWords(words: Uint32Array, offset: number): number {
  let h = Math.imul((words[offset] ?? 0) ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15) ^ (words[offset + 1] ?? 0), 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 13) ^ (words[offset + 2] ?? 0), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 16) ^ (words[offset + 3] ?? 0), 0xc2b2ae35);
  return (h ^ (h >>> 15)) >>> 0;
}

/**
 * One generation: an open-addressing table (linear probing) of 128-bit keys in one typed array.
 * An all-zero slot is empty; no UUID is all zeros (validation requires a version digit 1-8).
 * Holds at most half as many keys as it has slots, so probes stay short.
 */
class IdTable {
  readonly slots: Uint32Array;
  private readonly mask: number;
  size = 0;

  constructor(slotCount: number) {
    this.slots = new Uint32Array(slotCount * WORDS);
    this.mask = slotCount - 1;
  }

  /** Slot index of the key, or of the empty slot where it would go. */
  private find(words: Uint32Array, offset: number): number {
    const slots = this.slots;
    const w0 = words[offset] ?? 0;
    const w1 = words[offset + 1] ?? 0;
    const w2 = words[offset + 2] ?? 0;
    const w3 = words[offset + 3] ?? 0;
    let slot = hashWords(words, offset) & this.mask;
    for (;;) {
      const at = slot * WORDS;
      const s0 = slots[at] ?? 0;
      const s1 = slots[at + 1] ?? 0;
      const s2 = slots[at + 2] ?? 0;
      const s3 = slots[at + 3] ?? 0;
      if ((s0 === w0 && s1 === w1 && s2 === w2 && s3 === w3) || (s0 === 0 && s1 === 0 && s2 === 0 && s3 === 0)) return slot;
      slot = (slot + 1) & this.mask;
    }
  }

  has(words: Uint32Array, offset: number): boolean {
    const at = this.find(words, offset) * WORDS;
    return this.slots[at] !== 0 || this.slots[at + 1] !== 0 || this.slots[at + 2] !== 0 || this.slots[at + 3] !== 0;
  }

  /** Adds the key; false if it was there already. */
  add(words: Uint32Array, offset: number): boolean {
    const at = this.find(words, offset) * WORDS;
    const slots = this.slots;
    if (slots[at] !== 0 || slots[at + 1] !== 0 || slots[at + 2] !== 0 || slots[at + 3] !== 0) return false;
    slots[at] = words[offset] ?? 0;
    slots[at + 1] = words[offset + 1] ?? 0;
    slots[at + 2] = words[offset + 2] ?? 0;
    slots[at + 3] = words[offset + 3] ?? 0;
    this.size += 1;
    return true;
  }

  clear(): void {
    this.slots.fill(0);
    this.size = 0;
  }
}

/**
 * Remembers recently accepted event ids so a beacon retried by the browser is acknowledged
 * without being spooled twice. Event ids are UUIDs (validation checks them), kept as their exact
 * 128 bits — no false positives, unlike a table of hashes — in two fixed generations of
 * open-addressing tables: no string or object per id is retained, so the garbage collector has
 * nothing to trace or move (a `Set` of 500,000 id strings was traced and promoted on every
 * collection). Memory is fixed: about 2 × 2 × `capacity` × 16 bytes (16 MiB at the default);
 * ids older than two generations are still deduplicated at delivery, against the lake partition.
 *
 * @example
 * const recent = new RecentIds();
 * recent.add('0190a4b2-7c1d-7e4f-8a2b-3c4d5e6f7a8b');
 * recent.has('0190A4B2-7C1D-7E4F-8A2B-3C4D5E6F7A8B'); // true (case does not matter)
 */
export class RecentIds {
  private current: IdTable;
  private previous: IdTable;
  private readonly capacity: number;
  private readonly scratch = new Uint32Array(WORDS);

  constructor(capacity = 250_000) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`RecentIds capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    let slotCount = 2;
    while (slotCount < capacity * 2) slotCount *= 2;
    this.current = new IdTable(slotCount);
    this.previous = new IdTable(slotCount);
  }

  /** Whether the UUID `id` was added within the last two generations (false for a non-UUID). */
  has(id: string): boolean {
    return uuidWords(id, this.scratch, 0) && this.hasWords(this.scratch, 0);
  }

  /** Remembers the UUID `id`; a non-UUID is refused with a TypeError (validation lets none through). */
  add(id: string): void {
    if (!uuidWords(id, this.scratch, 0)) throw new TypeError('RecentIds: event ids are UUIDs');
    this.addWords(this.scratch, 0);
  }

  /** `has` for an id already turned into words by `uuidWords` (at `offset`). */
  hasWords(words: Uint32Array, offset: number): boolean {
    return this.current.has(words, offset) || this.previous.has(words, offset);
  }

  /** `add` for an id already turned into words by `uuidWords` (at `offset`). */
  addWords(words: Uint32Array, offset: number): void {
    // an id of the full current generation is added again to the next one: harmless, one probe saved
    if (this.current.size >= this.capacity) {
      const emptied = this.previous;
      emptied.clear();
      this.previous = this.current;
      this.current = emptied;
    }
    this.current.add(words, offset);
  }
}
