import { SHIPPING_COUNTRIES, subdivisionsOf } from '@threadline/domain';

import type { AddressInput } from '../../lib/types';

export const EMPTY_ADDRESS: AddressInput = { recipientName: '', line1: '', line2: '', city: '', region: '', postalCode: '', country: 'US', phone: '' };

const COUNTRY_OPTIONS = Object.entries(SHIPPING_COUNTRIES);

/** The labels of the region and postal code fields, as people in each country call them. */
function regionLabel(country: string): string {
  if (country === 'US') return 'State';
  if (country === 'CA') return 'Province or territory';
  return 'State / region (optional)';
}

function postalLabel(country: string): string {
  if (country === 'US') return 'ZIP code';
  if (country === 'CA') return 'Postal code';
  return 'Postal code';
}

/**
 * The fields of a ship-to address, shared by checkout and the address book. `errors` holds a
 * message per field (keys as in AddressInput); ids are prefixed so two forms can share a page.
 */
export function AddressFields(props: { idPrefix: string; value: AddressInput; onChange: (next: AddressInput) => void; errors: Partial<Record<keyof AddressInput, string>> }) {
  const { idPrefix, value, onChange, errors } = props;
  const subdivisions = subdivisionsOf(value.country);
  const set = (field: keyof AddressInput) => (event: { target: { value: string } }) => onChange({ ...value, [field]: event.target.value });
  const field = (name: keyof AddressInput, label: string, input: { autoComplete: string; inputMode?: 'text' | 'tel' | 'numeric'; type?: string }) => {
    const id = `${idPrefix}-${name}`;
    const error = errors[name];
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <input id={id} type={input.type ?? 'text'} inputMode={input.inputMode} autoComplete={input.autoComplete} value={value[name]} onChange={set(name)} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} />
        {error && <p id={`${id}-error`} className="field-error">{error}</p>}
      </div>
    );
  };
  const regionId = `${idPrefix}-region`;
  return (
    <>
      {field('recipientName', 'Full name', { autoComplete: 'shipping name' })}
      <div className="field">
        <label htmlFor={`${idPrefix}-country`}>Country</label>
        <select id={`${idPrefix}-country`} autoComplete="shipping country" value={value.country} onChange={(e) => onChange({ ...value, country: e.target.value, region: '' })} aria-invalid={errors.country ? true : undefined}>
          {COUNTRY_OPTIONS.map(([code, name]) => <option key={code} value={code}>{name}</option>)}
        </select>
        {errors.country && <p className="field-error">{errors.country}</p>}
      </div>
      {field('line1', 'Street address', { autoComplete: 'shipping address-line1' })}
      {field('line2', 'Apartment, suite, etc. (optional)', { autoComplete: 'shipping address-line2' })}
      <div className="field-row">
        {field('city', 'City', { autoComplete: 'shipping address-level2' })}
        <div className="field">
          <label htmlFor={regionId}>{regionLabel(value.country)}</label>
          {subdivisions ? (
            <select id={regionId} autoComplete="shipping address-level1" value={value.region} onChange={set('region')} aria-invalid={errors.region ? true : undefined} aria-describedby={errors.region ? `${regionId}-error` : undefined}>
              <option value="">Choose…</option>
              {Object.entries(subdivisions).map(([code, name]) => <option key={code} value={code}>{name}</option>)}
            </select>
          ) : (
            <input id={regionId} autoComplete="shipping address-level1" value={value.region} onChange={set('region')} />
          )}
          {errors.region && <p id={`${regionId}-error`} className="field-error">{errors.region}</p>}
        </div>
      </div>
      <div className="field-row">
        {field('postalCode', postalLabel(value.country), { autoComplete: 'shipping postal-code' })}
        {field('phone', 'Phone (optional, for the courier)', { autoComplete: 'shipping tel', inputMode: 'tel', type: 'tel' })}
      </div>
    </>
  );
}

/** Checks the address in the browser with the shop's own rules (the API applies the same). */
export { checkAddress } from '@threadline/domain';

/** One line per part of an address, for summaries. */
export function addressLines(address: { recipientName?: string | null; name?: string | null; line1: string | null; line2: string | null; city: string | null; region: string | null; postalCode: string | null; country: string | null }): string[] {
  const name = address.recipientName ?? address.name ?? null;
  const cityLine = [address.city, [address.region, address.postalCode].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  const country = address.country ? (SHIPPING_COUNTRIES[address.country] ?? address.country) : null;
  return [name, address.line1, address.line2, cityLine, country].filter((line): line is string => typeof line === 'string' && line !== '');
}
