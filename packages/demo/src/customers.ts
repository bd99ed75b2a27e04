import { AGE_BANDS, type AgeBand, type Gender, type Region } from './catalogue-data.js';
import { COUNTRIES, EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES, REGION_WEIGHTS, type CountrySpec } from './people-data.js';
import type { Random } from './random.js';

const DAY_MS = 86_400_000;

export type UserRole = 'customer' | 'seller' | 'admin';

export interface DemoUser {
  id: number;
  email: string;
  name: string;
  role: UserRole;
  ageBand: AgeBand | null;
  gender: Gender | null;
  country: string | null;
  region: Region | null;
  stateProvince: string | null;
  /** IANA zone of the customer's state/province (order times follow local hours) */
  timeZone: string;
  /** filled after the orders: 'vip' | 'regular' | 'one_time' | 'prospect' */
  customerSegment: string | null;
  marketingConsent: boolean;
  createdAt: Date;
  /** how often this customer buys; log-normal, some never buy */
  activity: number;
}

export const DEMO_EMAILS = {
  admin: 'admin@demo.threadline.dev',
  seller: 'seller@demo.threadline.dev',
  customer: 'customer@demo.threadline.dev',
} as const;

function asciiLocal(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]+/g, '');
}

function pickCountry(random: Random): CountrySpec {
  const region = random.weighted(REGION_WEIGHTS);
  const options = COUNTRIES.filter((country) => country.region === region).map((country) => [country, country.weight] as const);
  return random.weighted(options);
}

/**
 * Customers with segment attributes: age band, gender, country, region and state/province,
 * sign-up dates over the past two years (more of them recently, as the shop grows) and marketing
 * consent. Some attributes are missing, as they are optional at sign-up.
 */
export function generateCustomers(random: Random, options: { count: number; now: Date; idBase: number }): DemoUser[] {
  const now = options.now.getTime();
  const customers: DemoUser[] = [];
  for (let i = 0; i < options.count; i += 1) {
    const country = pickCountry(random);
    const [stateProvince, , timeZone] = random.weighted(country.subdivisions.map((sub) => [sub, sub[1]] as const));
    const gender = random.weighted<Gender>([['female', 56], ['male', 39], ['non_binary', 2], ['undisclosed', 3]]);
    const nameGender = gender === 'female' || gender === 'male' ? gender : random.chance(0.5) ? 'female' : 'male';
    const first = random.pick(FIRST_NAMES[country.names][nameGender]);
    const last = random.pick(LAST_NAMES[country.names]);
    const ageBand = random.chance(0.04) ? null : random.weighted<AgeBand>(AGE_BANDS.map((band, index) => [band, [17, 31, 22, 15, 10, 5][index] ?? 1] as const));
    // growth: sign-ups accelerate towards today (density rises with u^0.7)
    const ageDays = 730 * (1 - random.next() ** 0.7);
    const createdAt = new Date(now - ageDays * DAY_MS - random.int(0, 3_600_000));
    const isDormant = random.chance(0.28);
    customers.push({
      id: options.idBase + i + 1,
      email: `${asciiLocal(first)}.${asciiLocal(last)}${i + 1}@${random.pick(EMAIL_DOMAINS)}`,
      name: `${first} ${last}`,
      role: 'customer',
      ageBand,
      gender: random.chance(0.03) ? null : gender,
      country: country.code,
      region: country.region,
      stateProvince,
      timeZone,
      customerSegment: null,
      marketingConsent: random.chance(0.62),
      createdAt,
      activity: isDormant ? 0.04 : random.logNormal(0, 0.9),
    });
  }
  return customers;
}

/** The demo admin and sellers: accounts without segment attributes that never buy. */
export function staffUser(id: number, email: string, name: string, role: UserRole, createdAt: Date): DemoUser {
  return {
    id,
    email,
    name,
    role,
    ageBand: null,
    gender: null,
    country: 'US',
    region: 'north_america',
    stateProvince: 'US-NY',
    timeZone: 'America/New_York',
    customerSegment: null,
    marketingConsent: false,
    createdAt,
    activity: 0,
  };
}

/** Turns the first generated customer into the documented demo customer, with fixed attributes. */
export function makeDemoCustomer(customer: DemoUser, now: Date): void {
  customer.email = DEMO_EMAILS.customer;
  customer.name = 'Dana Demo';
  customer.ageBand = '25-34';
  customer.gender = 'female';
  customer.country = 'US';
  customer.region = 'north_america';
  customer.stateProvince = 'US-NY';
  customer.timeZone = 'America/New_York';
  customer.marketingConsent = true;
  customer.createdAt = new Date(now.getTime() - 400 * DAY_MS);
  // the demo customer gets hand-placed orders instead of random ones
  customer.activity = 0;
}
