/**
 * Visitors of IPv4 addresses found by number: address (32 bits) and user-agent number in typed
 * arrays with open addressing, instead of a map per agent keyed by the address text. A busy log
 * holds hundreds of thousands of visitors; string-keyed maps of them were the parse stage's
 * largest lookups and much of its garbage-collection work.
 */

/**
 * The number of a dotted-quad IPv4 address in its one canonical spelling (decimal octets 0–255,
 * no leading zeros), or -1 for every other text (IPv6, `01.2.3.4`, a host name), which is no number here,
 * so one number always stands for exactly one address text.
 */
export function ipv4Number(text: string): number {
  const length = text.length;
  if (length < 7 || length > 15) return -1;
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let at = 0; at < length; at += 1) {
    const code = text.charCodeAt(at);
    if (code === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots += 1;
    } else if (code >= 48 && code <= 57) {
      // a leading zero makes a second spelling of the same octet ("01")
      if (digits === 1 && octet === 0) return -1;
      octet = octet * 10 + (code - 48);
      digits += 1;
      if (octet > 255) return -1;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

const EMPTY = -1;

/** (IPv4 number, agent number) → visitor number; open addressing, linear probing. */
export class Ipv4VisitorIndex {
  private addresses: Uint32Array;
  private agents: Int32Array;
  private visitors: Int32Array;
  private mask: number;
  private count = 0;

  constructor(capacity = 1 << 16) {
    this.addresses = new Uint32Array(capacity);
    this.agents = new Int32Array(capacity);
    this.visitors = new Int32Array(capacity).fill(EMPTY);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  private slot(address: number, agent: number): number {
    let hash = Math.imul(address ^ Math.imul(agent + 1, 0x9e3779b1), 0x85ebca6b);
    hash ^= hash >>> 15;
    let slot = hash & this.mask;
    while (this.visitors[slot] !== EMPTY && (this.addresses[slot] !== address || this.agents[slot] !== agent)) slot = (slot + 1) & this.mask;
    return slot;
  }

  /** The visitor of an address (from `ipv4Number`) and agent, or -1. */
  get(address: number, agent: number): number {
    return this.visitors[this.slot(address, agent)] as number; // slot() is always within the arrays
  }

  set(address: number, agent: number, visitor: number): void {
    const slot = this.slot(address, agent);
    if (this.visitors[slot] === EMPTY) this.count += 1;
    this.addresses[slot] = address;
    this.agents[slot] = agent;
    this.visitors[slot] = visitor;
    // at most half full: probes stay short
    if (this.count * 2 > this.visitors.length) this.grow();
  }

  private grow(): void {
    const { addresses, agents, visitors } = this;
    const capacity = visitors.length * 2;
    this.addresses = new Uint32Array(capacity);
    this.agents = new Int32Array(capacity);
    this.visitors = new Int32Array(capacity).fill(EMPTY);
    this.mask = capacity - 1;
    for (let slot = 0; slot < visitors.length; slot += 1) {
      const visitor = visitors[slot] as number; // slot < length
      if (visitor === EMPTY) continue;
      const target = this.slot(addresses[slot] as number, agents[slot] as number);
      this.addresses[target] = addresses[slot] as number;
      this.agents[target] = agents[slot] as number;
      this.visitors[target] = visitor;
    }
  }
}
