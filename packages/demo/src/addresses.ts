import { SUBDIVISION_ADDRESSES, STREETS } from './addresses-data.js';
import { COUNTRIES } from './people-data.js';
import type { DemoUser } from './customers.js';
import type { Random } from './random.js';

/** A demo customer's address: in their address book (default) and on their orders' parcels. */
export interface DemoAddress {
  id: number;
  userId: number;
  recipientName: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string;
  postalCode: string;
  country: string;
}

/**
 * One address per customer, where the customer lives (their country and state/province), drawn
 * from its own random stream so the rest of the demo data stays as it was.
 */
export function generateAddresses(random: Random, customers: readonly DemoUser[], idBase: number): Map<number, DemoAddress> {
  const addresses = new Map<number, DemoAddress>();
  let id = idBase;
  for (const customer of customers) {
    if (customer.role !== 'customer' || !customer.country || !customer.stateProvince) continue;
    const place = SUBDIVISION_ADDRESSES[customer.stateProvince];
    const language = COUNTRIES.find((country) => country.code === customer.country)?.names ?? 'en';
    const streets = STREETS[language] ?? STREETS.en;
    if (!place || !streets) continue;
    const city = random.pick(place.cities);
    const number = random.int(1, 2400);
    const street = random.pick(streets.names);
    id += 1;
    addresses.set(customer.id, {
      id,
      userId: customer.id,
      recipientName: customer.name,
      line1: streets.isNumberFirst ? `${number} ${street}` : `${street} ${number}`,
      line2: random.chance(0.22) ? (language === 'en' ? `Apt ${random.int(1, 40)}${random.pick(['A', 'B', 'C', ''])}` : `${random.int(1, 6)}º`) : null,
      city: city.city,
      region: place.region,
      postalCode: city.postal,
      country: customer.country,
    });
  }
  return addresses;
}
