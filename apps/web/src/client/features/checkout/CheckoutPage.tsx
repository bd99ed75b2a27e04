import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';

import { checkAddress } from '@threadline/domain';

import { useSession } from '../../app/session';
import { track } from '../../analytics';
import { describeError } from '../../lib/api';
import { formatCents } from '../../lib/money';
import type { AddressInput, CheckoutQuote, Order, SavedAddress } from '../../lib/types';
import { useCart } from '../cart/cart-api';
import { AddressFields, addressLines, EMPTY_ADDRESS } from './AddressFields';
import { CardForm } from './CardForm';
import { fetchOrder, listAddresses, newIdempotencyKey, placeOrder, quoteCheckout, recallGuestToken, rememberGuestToken } from './checkout-api';
import './checkout.css';

type Step = 'address' | 'shipping' | 'review';
type AddressErrors = Partial<Record<keyof AddressInput, string>>;

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function deliveryDays(option: { minDays: number; maxDays: number }): string {
  return option.minDays === option.maxDays ? `${option.minDays} business days` : `${option.minDays}–${option.maxDays} business days`;
}

function toInput(saved: SavedAddress): AddressInput {
  return { recipientName: saved.recipientName, line1: saved.line1, line2: saved.line2 ?? '', city: saved.city, region: saved.region ?? '', postalCode: saved.postalCode ?? '', country: saved.country, phone: saved.phone ?? '' };
}

/**
 * Checkout in three steps — address (and e-mail for guests), shipping method, review and pay.
 * The order is placed when the shopper pays; a declined card keeps the order and the cart, and the
 * next attempt pays the same order. `?order=<id>` pays an order placed earlier.
 */
export default function CheckoutPage() {
  const { user, refreshCart } = useSession();
  const { data: cart, isLoading } = useCart();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const pendingOrderId = params.get('order');

  const [step, setStep] = useState<Step>('address');
  const [email, setEmail] = useState('');
  const [emailError, setEmailError] = useState<string | undefined>();
  const [saved, setSaved] = useState<SavedAddress[]>([]);
  const [chosenId, setChosenId] = useState<number | 'new'>('new');
  const [address, setAddress] = useState<AddressInput>(EMPTY_ADDRESS);
  const [saveAddress, setSaveAddress] = useState(true);
  const [addressErrors, setAddressErrors] = useState<AddressErrors>({});
  const [quote, setQuote] = useState<CheckoutQuote | undefined>();
  const [method, setMethod] = useState<string | undefined>();
  const [stepError, setStepError] = useState<string | undefined>();
  const [isBusy, setIsBusy] = useState(false);
  // one order per checkout visit: a retry after a declined card pays the same order
  const [order, setOrder] = useState<Order | undefined>();
  const [guestToken, setGuestToken] = useState<string | undefined>();
  const orderKey = useRef(newIdempotencyKey());
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (!user) return;
    listAddresses()
      .then(({ items }) => {
        setSaved(items);
        const preferred = items.find((item) => item.isDefault) ?? items[0];
        if (preferred) setChosenId(preferred.id);
      })
      .catch(() => setSaved([]));
  }, [user]);
  useEffect(() => {
    if (user?.name) setAddress((current) => (current.recipientName ? current : { ...current, recipientName: user.name }));
  }, [user]);
  // `?order=<id>`: pay an order placed earlier whose payment failed
  useEffect(() => {
    if (!pendingOrderId || user === undefined) return;
    const token = recallGuestToken(pendingOrderId);
    fetchOrder(pendingOrderId, token)
      .then((found) => {
        if (found.status !== 'pending') return void navigate(`/orders/${found.id}`, { replace: true });
        setOrder(found);
        setGuestToken(token);
        setStep('review');
      })
      .catch(() => setStepError('That order could not be found.'));
  }, [pendingOrderId, user, navigate]);
  useEffect(() => {
    if (cart && cart.items.length > 0) track('checkout_started', { valueCents: cart.total, currency: 'USD' });
  }, [cart]);
  useEffect(() => {
    headingRef.current?.focus();
  }, [step]);

  if (isLoading || user === undefined || (pendingOrderId && !order && !stepError)) return <div className="page"><h1>Checkout</h1><p className="muted">Loading…</p></div>;
  const items = order?.items
    ? order.items.map((item) => ({ key: item.id, name: item.productName, colour: item.colour, size: item.size, quantity: item.quantity, amount: item.lineTotal ?? item.unitPrice * item.quantity }))
    : (cart?.items ?? []).map((item) => ({ key: item.variantId, name: item.name, colour: item.colour, size: item.size, quantity: item.quantity, amount: item.lineTotal }));
  if (items.length === 0 && !order) {
    return (
      <div className="page empty-state">
        <h1>Checkout</h1>
        {stepError ? <p className="alert alert--error" role="alert">{stepError}</p> : <p>Your cart is empty.</p>}
        <Link to="/" className="button">Continue shopping</Link>
      </div>
    );
  }

  const usesSaved = user && chosenId !== 'new';
  const shipAddress: AddressInput = usesSaved ? toInput(saved.find((item) => item.id === chosenId) ?? saved[0] ?? (EMPTY_ADDRESS as SavedAddress)) : address;

  async function continueToShipping(event: FormEvent) {
    event.preventDefault();
    setStepError(undefined);
    if (!user && !EMAIL_PATTERN.test(email.trim())) {
      setEmailError('Enter your e-mail address: the order confirmation goes there.');
      return;
    }
    setEmailError(undefined);
    const checked = checkAddress(shipAddress);
    if (!checked.ok) {
      setAddressErrors({ [checked.field]: `${checked.reason[0]?.toUpperCase()}${checked.reason.slice(1)}.` });
      return;
    }
    setAddressErrors({});
    // show (and send) the address as the shop stores it: codes upper-cased, postal codes spaced
    if (!usesSaved) {
      const normal = checked.address;
      setAddress({ ...normal, line2: normal.line2 ?? '', region: normal.region ?? '', postalCode: normal.postalCode ?? '', phone: normal.phone ?? '' });
    }
    setIsBusy(true);
    try {
      const priced = await quoteCheckout({ country: checked.address.country, region: checked.address.region ?? '' }, method);
      setQuote(priced);
      setMethod(priced.shippingMethod ?? undefined);
      setOrder(undefined); // a changed address is a new order (the server replaces the unpaid one)
      setStep('shipping');
    } catch (error) {
      // a method that does not ship to the new country: price again with the cheapest
      try {
        const priced = await quoteCheckout({ country: checked.address.country, region: checked.address.region ?? '' });
        setQuote(priced);
        setMethod(priced.shippingMethod ?? undefined);
        setOrder(undefined);
        setStep('shipping');
      } catch {
        setStepError(describeError(error));
      }
    } finally {
      setIsBusy(false);
    }
  }

  async function chooseMethod(code: string) {
    setMethod(code);
    setOrder(undefined);
    try {
      setQuote(await quoteCheckout({ country: shipAddress.country, region: shipAddress.region }, code));
    } catch (error) {
      setStepError(describeError(error));
    }
  }

  /** Places the order on the first payment attempt; later attempts pay the same order. */
  async function ensureOrder(): Promise<{ order: Order; token: string | undefined }> {
    if (order) return { order, token: guestToken };
    if (!method) throw new Error('Choose a shipping method.');
    const placed = await placeOrder(
      {
        ...(user ? {} : { email: email.trim() }),
        ...(usesSaved ? { addressId: Number(chosenId) } : { address: shipAddress, ...(user ? { saveAddress } : {}) }),
        shippingMethod: method,
      },
      orderKey.current,
    );
    setOrder(placed);
    if (placed.guestToken) {
      rememberGuestToken(placed.id, placed.guestToken);
      setGuestToken(placed.guestToken);
    }
    return { order: placed, token: placed.guestToken ?? guestToken };
  }

  async function paid(placed: Order) {
    // order_paid is recorded by the API when the payment succeeds, never by the browser
    await refreshCart();
    void navigate(`/orders/${placed.id}?placed=1`);
  }

  const subtotal = order?.subtotal ?? quote?.subtotal ?? cart?.subtotal ?? 0;
  const shipping = order?.shipping ?? quote?.shipping;
  const taxLines = order?.taxLines ?? quote?.taxLines;
  const total = order?.total ?? quote?.total ?? subtotal;
  const chosenOption = quote?.options.find((option) => option.code === method);
  const stepNumber = { address: 1, shipping: 2, review: 3 }[step];

  return (
    <div className="page checkout">
      <h1 ref={headingRef} tabIndex={-1}>{pendingOrderId && order ? `Pay for order #${order.id}` : 'Checkout'}</h1>
      {!pendingOrderId && (
        <ol className="checkout-steps" aria-label="Checkout steps">
          {(['Address', 'Shipping', 'Review & pay'] as const).map((label, index) => (
            <li key={label} className={index + 1 === stepNumber ? 'is-current' : index + 1 < stepNumber ? 'is-done' : ''} aria-current={index + 1 === stepNumber ? 'step' : undefined}>
              <span className="checkout-steps__n" aria-hidden="true">{index + 1}</span> {label}
            </li>
          ))}
        </ol>
      )}
      <div className="checkout__grid">
        <div className="checkout__main">
          {stepError && <p className="alert alert--error" role="alert">{stepError}</p>}

          {step === 'address' && (
            <form className="card checkout__form" onSubmit={continueToShipping} noValidate>
              <h2>{user ? 'Shipping address' : 'Contact and shipping address'}</h2>
              {!user && (
                <>
                  <p className="muted small">Checking out as a guest. <Link to="/login?next=/checkout">Sign in</Link> to use your address book and see the order under My orders.</p>
                  <div className="field">
                    <label htmlFor="checkout-email">Email</label>
                    <input id="checkout-email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} aria-invalid={emailError ? true : undefined} aria-describedby={emailError ? 'checkout-email-error' : 'checkout-email-hint'} />
                    {emailError ? <p id="checkout-email-error" className="field-error">{emailError}</p> : <p id="checkout-email-hint" className="muted small">For the order confirmation and shipping updates.</p>}
                  </div>
                </>
              )}
              {user && saved.length > 0 && (
                <fieldset className="choice-list">
                  <legend>Ship to</legend>
                  {saved.map((item) => (
                    <label key={item.id} className="choice">
                      <input type="radio" name="ship-to" checked={chosenId === item.id} onChange={() => setChosenId(item.id)} />
                      <span>{addressLines(item).join(', ')}{item.isDefault && <span className="badge">Default</span>}</span>
                    </label>
                  ))}
                  <label className="choice">
                    <input type="radio" name="ship-to" checked={chosenId === 'new'} onChange={() => setChosenId('new')} />
                    <span>A new address</span>
                  </label>
                </fieldset>
              )}
              {(!user || chosenId === 'new' || saved.length === 0) && (
                <>
                  <AddressFields idPrefix="ship" value={address} onChange={setAddress} errors={addressErrors} />
                  {user && (
                    <label className="checkbox">
                      <input type="checkbox" checked={saveAddress} onChange={(e) => setSaveAddress(e.target.checked)} /> Save this address to my address book
                    </label>
                  )}
                </>
              )}
              {usesSaved && Object.keys(addressErrors).length > 0 && <p className="field-error">This saved address is incomplete: {Object.values(addressErrors).join(' ')} Choose a new address instead.</p>}
              <button type="submit" className="button button--large button--block" disabled={isBusy}>{isBusy ? 'Working out shipping…' : 'Continue to shipping'}</button>
            </form>
          )}

          {step !== 'address' && !pendingOrderId && (
            <section className="card checkout__recap" aria-label="Shipping address">
              <div>
                <h2 className="small-heading">Ship to</h2>
                <p>{addressLines(shipAddress).join(', ')}</p>
                {!user && <p className="muted small">Confirmation to {email}</p>}
              </div>
              <button type="button" className="link-button" onClick={() => setStep('address')}>Change</button>
            </section>
          )}

          {step === 'shipping' && quote && (
            <form className="card checkout__form" onSubmit={(e) => { e.preventDefault(); setStep('review'); }}>
              <h2>Shipping method</h2>
              <fieldset className="choice-list">
                <legend className="visually-hidden">Shipping method</legend>
                {quote.options.map((option) => (
                  <label key={option.code} className="choice choice--method">
                    <input type="radio" name="method" value={option.code} checked={method === option.code} onChange={() => void chooseMethod(option.code)} />
                    <span className="choice__body">
                      <strong>{option.name}</strong>
                      <span className="muted small">{deliveryDays(option)}{option.freeOver !== null && option.price > 0 ? ` · free over ${formatCents(option.freeOver)}` : ''}</span>
                    </span>
                    <span className="choice__price">{option.price === 0 ? <>Free{option.basePrice > 0 && <s className="muted"> {formatCents(option.basePrice)}</s>}</> : formatCents(option.price)}</span>
                  </label>
                ))}
              </fieldset>
              <button type="submit" className="button button--large button--block">Review order</button>
            </form>
          )}

          {step === 'review' && (
            <>
              {!pendingOrderId && chosenOption && (
                <section className="card checkout__recap" aria-label="Shipping method">
                  <div>
                    <h2 className="small-heading">Shipping</h2>
                    <p>{chosenOption.name} · {deliveryDays(chosenOption)} · {chosenOption.price === 0 ? 'Free' : formatCents(chosenOption.price)}</p>
                  </div>
                  <button type="button" className="link-button" onClick={() => setStep('shipping')}>Change</button>
                </section>
              )}
              {pendingOrderId && order?.shipTo && (
                <section className="card checkout__recap" aria-label="Shipping address">
                  <div>
                    <h2 className="small-heading">Ship to</h2>
                    <p>{addressLines(order.shipTo).join(', ')}</p>
                    {order.shippingMethod && <p className="muted small">{order.shippingMethod}</p>}
                  </div>
                </section>
              )}
              <CardForm
                total={total}
                defaultName={user?.name ?? shipAddress.recipientName}
                ensureOrder={ensureOrder}
                onPaid={(placed) => void paid(placed)}
              />
            </>
          )}
        </div>

        <aside className="card summary" aria-label="Order summary">
          <h2>Your order</h2>
          <ul className="summary__items">
            {items.map((item) => (
              <li key={item.key}>
                <span>{item.quantity} × {item.name} <span className="muted">({item.colour}, {item.size})</span></span>
                <span>{formatCents(item.amount)}</span>
              </li>
            ))}
          </ul>
          <dl>
            <div><dt>Subtotal</dt><dd>{formatCents(subtotal)}</dd></div>
            <div><dt>Shipping</dt><dd data-testid="summary-shipping">{shipping === undefined ? 'Next step' : shipping === 0 ? 'Free' : formatCents(shipping)}</dd></div>
            {taxLines === undefined ? (
              <div><dt>Tax</dt><dd>Next step</dd></div>
            ) : taxLines.length === 0 ? (
              <div><dt>Tax</dt><dd>{formatCents(0)}</dd></div>
            ) : (
              taxLines.map((line) => <div key={line.label}><dt>{line.label} ({line.rate} %)</dt><dd data-testid="summary-tax">{formatCents(line.amount)}</dd></div>)
            )}
            <div className="summary__total"><dt>{shipping === undefined ? 'Total so far' : 'Total'}</dt><dd data-testid="summary-total">{formatCents(total)}</dd></div>
          </dl>
          {user ? <p className="muted small">Signed in as {user.email}</p> : <p className="muted small">Guest checkout</p>}
        </aside>
      </div>
    </div>
  );
}
