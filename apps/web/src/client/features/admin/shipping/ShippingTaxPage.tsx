import { useState, type FormEvent } from 'react';

import { api, describeError } from '../../../lib/api';
import { formatCents } from '../../../lib/money';
import { useApi } from '../../../lib/use-api';
import '../outbox/outbox.css';

interface ShippingRate {
  id: number;
  code: string;
  name: string;
  country: string | null;
  price: number;
  freeOver: number | null;
  minDays: number;
  maxDays: number;
  isActive: boolean;
}

interface TaxRate {
  id: number;
  country: string;
  region: string | null;
  label: string;
  rate: number;
  appliesToShipping: boolean;
}

/** "12.50" → 1250; empty → null. */
function toCents(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  if (!/^\d+(\.\d{1,2})?$/.test(trimmed)) throw new Error(`"${text}" is not an amount like 6.95`);
  const [whole = '0', fraction = ''] = trimmed.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

function centsText(cents: number | null): string {
  return cents === null ? '' : (cents / 100).toFixed(2);
}

function RateRow({ rate, onSaved }: { rate: ShippingRate; onSaved: () => void }) {
  const [price, setPrice] = useState(centsText(rate.price));
  const [freeOver, setFreeOver] = useState(centsText(rate.freeOver));
  const [isActive, setIsActive] = useState(rate.isActive);
  const [error, setError] = useState<string | undefined>();
  const [isSaved, setIsSaved] = useState(false);

  async function save() {
    setError(undefined);
    setIsSaved(false);
    try {
      const priceCents = toCents(price);
      if (priceCents === null) throw new Error('Enter a price (0 for free).');
      const { id, ...fields } = rate;
      await api(`/api/admin/shipping-rates/${id}`, { method: 'PUT', body: { ...fields, price: priceCents, freeOver: toCents(freeOver), isActive } });
      setIsSaved(true);
      onSaved();
    } catch (caught) {
      setError(describeError(caught));
    }
  }

  const label = `${rate.name} (${rate.country ?? 'other countries'})`;
  return (
    <tr>
      <td>{rate.country ?? <span className="muted">Every other country</span>}</td>
      <td>{rate.name}<br /><span className="muted small">{rate.minDays}–{rate.maxDays} days · {rate.code}</span></td>
      <td><input aria-label={`Price of ${label}, in dollars`} inputMode="decimal" value={price} onChange={(e) => setPrice(e.target.value)} /></td>
      <td><input aria-label={`Free from, in dollars, for ${label} (empty: never free)`} inputMode="decimal" value={freeOver} placeholder="never" onChange={(e) => setFreeOver(e.target.value)} /></td>
      <td><input type="checkbox" aria-label={`${label} offered`} checked={isActive} onChange={(e) => setIsActive(e.target.checked)} /></td>
      <td>
        <button type="button" className="button button--small" onClick={() => void save()}>Save</button>
        {isSaved && <span className="muted small" role="status"> Saved</span>}
        {error && <p className="field-error" role="alert">{error}</p>}
      </td>
    </tr>
  );
}

function TaxForm({ onSaved }: { onSaved: () => void }) {
  const [country, setCountry] = useState('');
  const [region, setRegion] = useState('');
  const [label, setLabel] = useState('');
  const [rate, setRate] = useState('');
  const [appliesToShipping, setAppliesToShipping] = useState(true);
  const [error, setError] = useState<string | undefined>();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    try {
      await api('/api/admin/tax-rates', {
        method: 'PUT',
        body: { country: country.trim().toUpperCase(), region: region.trim() || null, label: label.trim(), rate: Number(rate), appliesToShipping },
      });
      setCountry('');
      setRegion('');
      setLabel('');
      setRate('');
      onSaved();
    } catch (caught) {
      setError(describeError(caught));
    }
  }

  return (
    <form className="card" onSubmit={(e) => void submit(e)} noValidate>
      <h3>Set a tax rate</h3>
      <p className="muted small">Adds the rate of a country (region empty) or of a US state / Canadian province, or replaces the one there is.</p>
      {error && <p className="alert alert--error" role="alert">{error}</p>}
      <div className="field-row">
        <div className="field"><label htmlFor="tax-country">Country (ISO code)</label><input id="tax-country" value={country} maxLength={2} onChange={(e) => setCountry(e.target.value)} /></div>
        <div className="field"><label htmlFor="tax-region">State / province code</label><input id="tax-region" value={region} onChange={(e) => setRegion(e.target.value)} /></div>
      </div>
      <div className="field-row">
        <div className="field"><label htmlFor="tax-label">Label on the receipt</label><input id="tax-label" value={label} onChange={(e) => setLabel(e.target.value)} /></div>
        <div className="field"><label htmlFor="tax-rate">Rate (%)</label><input id="tax-rate" inputMode="decimal" value={rate} onChange={(e) => setRate(e.target.value)} /></div>
      </div>
      <label className="checkbox"><input type="checkbox" checked={appliesToShipping} onChange={(e) => setAppliesToShipping(e.target.checked)} /> Shipping is taxed too</label>
      <button type="submit" className="button">Save rate</button>
    </form>
  );
}

/** Back office → Shipping & tax: shipping rates by country and the tax rate table. */
export default function ShippingTaxPage() {
  const shipping = useApi<{ items: ShippingRate[] }>('/api/admin/shipping-rates');
  const tax = useApi<{ items: TaxRate[] }>('/api/admin/tax-rates');
  const [filter, setFilter] = useState('');
  const taxes = (tax.data?.items ?? []).filter((item) => !filter || item.country === filter.toUpperCase());

  return (
    <section className="account-page" aria-labelledby="shipping-heading">
      <div>
        <h1 id="shipping-heading">Shipping &amp; tax</h1>
        <p className="muted">What checkout charges. A country with rates of its own uses only those; every other country uses the rates marked “Every other country”.</p>
      </div>
      {shipping.error !== undefined && <p className="alert alert--error" role="alert">{describeError(shipping.error)}</p>}
      <div className="table-wrap">
        <table className="table rates-table">
          <thead><tr><th scope="col">Country</th><th scope="col">Method</th><th scope="col">Price ($)</th><th scope="col">Free from ($)</th><th scope="col">Offered</th><th scope="col"><span className="visually-hidden">Save</span></th></tr></thead>
          <tbody>{(shipping.data?.items ?? []).map((rate) => <RateRow key={rate.id} rate={rate} onSaved={shipping.reload} />)}</tbody>
        </table>
      </div>

      <div>
        <h2>Tax rates</h2>
        <p className="alert alert--info">This table is a model the shop configures — US state sales tax and EU VAT as a line added to the order — not tax advice. Which rates apply, and whether local taxes or tax-inclusive prices are needed, is for your accountant.</p>
        <label className="field field--inline"><span>Country</span><input value={filter} maxLength={2} placeholder="all" onChange={(e) => setFilter(e.target.value)} /></label>
      </div>
      {tax.error !== undefined && <p className="alert alert--error" role="alert">{describeError(tax.error)}</p>}
      <div className="table-wrap">
        <table className="table">
          <thead><tr><th scope="col">Country</th><th scope="col">Region</th><th scope="col">Label</th><th scope="col" className="num">Rate</th><th scope="col">Shipping taxed</th><th scope="col"><span className="visually-hidden">Remove</span></th></tr></thead>
          <tbody>
            {taxes.map((item) => (
              <tr key={item.id}>
                <td>{item.country}</td>
                <td>{item.region ?? <span className="muted">whole country</span>}</td>
                <td>{item.label}</td>
                <td className="num">{item.rate} %</td>
                <td>{item.appliesToShipping ? 'Yes' : 'No'}</td>
                <td><button type="button" className="link-button" onClick={() => void api(`/api/admin/tax-rates/${item.id}`, { method: 'DELETE' }).then(tax.reload)} aria-label={`Remove ${item.label} ${item.country} ${item.region ?? ''}`}>Remove</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <TaxForm onSaved={tax.reload} />
      <p className="muted small">Example: free standard shipping in the US from {formatCents(7500)} is the “Free from” of the US Standard rate.</p>
    </section>
  );
}
