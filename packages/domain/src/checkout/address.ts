/**
 * Ship-to addresses as the shop accepts them. US states and Canadian provinces are kept as their
 * ISO 3166-2 subdivision code without the country prefix ("CA", "ON") so that tax rates, the
 * seller's packing list and the lake's "where customers live" cut all read the same value.
 */

export interface AddressInput {
  recipientName: string;
  line1: string;
  line2?: string | null | undefined;
  city: string;
  region?: string | null | undefined;
  postalCode?: string | null | undefined;
  country: string;
  phone?: string | null | undefined;
}

export interface Address {
  recipientName: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string | null;
  country: string;
  phone: string | null;
}

export type AddressCheck = { ok: true; address: Address } | { ok: false; field: keyof AddressInput; reason: string };

export const US_STATES: Readonly<Record<string, string>> = {
  AL: 'Alabama', AK: 'Alaska', AZ: 'Arizona', AR: 'Arkansas', CA: 'California', CO: 'Colorado', CT: 'Connecticut',
  DE: 'Delaware', DC: 'District of Columbia', FL: 'Florida', GA: 'Georgia', HI: 'Hawaii', ID: 'Idaho', IL: 'Illinois',
  IN: 'Indiana', IA: 'Iowa', KS: 'Kansas', KY: 'Kentucky', LA: 'Louisiana', ME: 'Maine', MD: 'Maryland',
  MA: 'Massachusetts', MI: 'Michigan', MN: 'Minnesota', MS: 'Mississippi', MO: 'Missouri', MT: 'Montana',
  NE: 'Nebraska', NV: 'Nevada', NH: 'New Hampshire', NJ: 'New Jersey', NM: 'New Mexico', NY: 'New York',
  NC: 'North Carolina', ND: 'North Dakota', OH: 'Ohio', OK: 'Oklahoma', OR: 'Oregon', PA: 'Pennsylvania',
  PR: 'Puerto Rico', RI: 'Rhode Island', SC: 'South Carolina', SD: 'South Dakota', TN: 'Tennessee', TX: 'Texas',
  UT: 'Utah', VT: 'Vermont', VA: 'Virginia', WA: 'Washington', WV: 'West Virginia', WI: 'Wisconsin', WY: 'Wyoming',
};

export const CA_PROVINCES: Readonly<Record<string, string>> = {
  AB: 'Alberta', BC: 'British Columbia', MB: 'Manitoba', NB: 'New Brunswick', NL: 'Newfoundland and Labrador',
  NS: 'Nova Scotia', NT: 'Northwest Territories', NU: 'Nunavut', ON: 'Ontario', PE: 'Prince Edward Island',
  QC: 'Quebec', SK: 'Saskatchewan', YT: 'Yukon',
};

/** Countries the shop ships to, by name (North America first, then the Americas and Europe). */
export const SHIPPING_COUNTRIES: Readonly<Record<string, string>> = {
  US: 'United States', CA: 'Canada', MX: 'Mexico',
  AR: 'Argentina', BR: 'Brazil', CL: 'Chile', CO: 'Colombia', PE: 'Peru',
  AT: 'Austria', BE: 'Belgium', BG: 'Bulgaria', HR: 'Croatia', CY: 'Cyprus', CZ: 'Czechia', DK: 'Denmark',
  EE: 'Estonia', FI: 'Finland', FR: 'France', DE: 'Germany', GR: 'Greece', HU: 'Hungary', IE: 'Ireland',
  IT: 'Italy', LV: 'Latvia', LT: 'Lithuania', LU: 'Luxembourg', MT: 'Malta', NL: 'Netherlands', NO: 'Norway',
  PL: 'Poland', PT: 'Portugal', RO: 'Romania', SK: 'Slovakia', SI: 'Slovenia', ES: 'Spain', SE: 'Sweden',
  CH: 'Switzerland', GB: 'United Kingdom',
};

/** The subdivisions a shopper must choose from, for countries where tax depends on them. */
export function subdivisionsOf(country: string): Readonly<Record<string, string>> | undefined {
  if (country === 'US') return US_STATES;
  if (country === 'CA') return CA_PROVINCES;
  return undefined;
}

/**
 * The subdivision code of a US state or Canadian province given as a code ("ca", "US-CA") or a
 * name ("California"); undefined when it is neither. Other countries have no list: undefined.
 *
 * @example
 * subdivisionCode('US', 'New York') // 'NY'
 */
export function subdivisionCode(country: string, value: string): string | undefined {
  const subdivisions = subdivisionsOf(country);
  if (!subdivisions) return undefined;
  const text = value.trim();
  const code = text.toUpperCase().replace(/^(US|CA)-/, '');
  if (subdivisions[code]) return code;
  const lower = text.toLowerCase();
  return Object.entries(subdivisions).find(([, name]) => name.toLowerCase() === lower)?.[0];
}

const POSTAL_RULES: Record<string, { pattern: RegExp; example: string }> = {
  US: { pattern: /^\d{5}(-\d{4})?$/, example: '94103 or 94103-1234' },
  CA: { pattern: /^[A-Z]\d[A-Z] \d[A-Z]\d$/, example: 'M5V 2T6' },
};

function clean(value: string | null | undefined): string | null {
  const trimmed = (value ?? '').replace(/\s+/g, ' ').trim();
  return trimmed === '' ? null : trimmed;
}

function normalisePostal(country: string, value: string | null): string | null {
  if (value === null) return null;
  const upper = value.toUpperCase();
  // Canadian codes are written "A1A 1A1"; shoppers type them with or without the space
  if (country === 'CA' && /^[A-Z]\d[A-Z]\s?\d[A-Z]\d$/.test(upper)) return `${upper.slice(0, 3)} ${upper.slice(-3)}`;
  return upper;
}

const LIMITS: [keyof AddressInput, number][] = [['recipientName', 100], ['line1', 200], ['line2', 200], ['city', 100], ['region', 100], ['postalCode', 20], ['phone', 40]];

/**
 * Trims and checks an address; names the field at fault.
 *
 * @example
 * checkAddress({ recipientName: 'Ada', line1: '1 Main St', city: 'Austin', region: 'tx', postalCode: '73301', country: 'us' })
 * // { ok: true, address: { …, region: 'TX', country: 'US' } }
 */
export function checkAddress(input: AddressInput): AddressCheck {
  const country = (clean(input.country) ?? '').toUpperCase();
  if (!SHIPPING_COUNTRIES[country]) return { ok: false, field: 'country', reason: 'choose a country the shop ships to' };
  const recipientName = clean(input.recipientName);
  if (!recipientName) return { ok: false, field: 'recipientName', reason: 'enter the name of the person receiving the parcel' };
  const line1 = clean(input.line1);
  if (!line1) return { ok: false, field: 'line1', reason: 'enter the street address' };
  const city = clean(input.city);
  if (!city) return { ok: false, field: 'city', reason: 'enter the city' };
  for (const [field, max] of LIMITS) {
    const value = clean(input[field]);
    if (value !== null && value.length > max) return { ok: false, field, reason: `at most ${max} characters` };
  }
  let region = clean(input.region);
  const subdivisions = subdivisionsOf(country);
  if (subdivisions) {
    const code = subdivisionCode(country, region ?? '');
    if (code === undefined) return { ok: false, field: 'region', reason: country === 'US' ? 'choose a state' : 'choose a province or territory' };
    region = code;
  }
  const postalCode = normalisePostal(country, clean(input.postalCode));
  const rule = POSTAL_RULES[country];
  if (rule && (postalCode === null || !rule.pattern.test(postalCode))) {
    return { ok: false, field: 'postalCode', reason: `enter a postal code such as ${rule.example}` };
  }
  const phone = clean(input.phone);
  if (phone !== null && !/^\+?[0-9 ().-]{5,40}$/.test(phone)) return { ok: false, field: 'phone', reason: 'enter a phone number (digits, spaces, + ( ) - .)' };
  return { ok: true, address: { recipientName, line1, line2: clean(input.line2), city, region, postalCode, country, phone } };
}
