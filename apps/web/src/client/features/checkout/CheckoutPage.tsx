import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';

import { useSession } from '../../app/session';
import { track } from '../../analytics';
import { api, ApiError } from '../../lib/api';
import { formatCents } from '../../lib/money';
import type { Order } from '../../lib/types';
import { useCart } from '../cart/cart-api';
import { formatCardNumber, validateCard, type CardErrors } from './card';
import { newIdempotencyKey, paymentMessage, payOrder, placeOrder } from './checkout-api';

export default function CheckoutPage() {
  const { user, refreshCart } = useSession();
  const { data: cart, isLoading } = useCart();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const pendingOrderId = params.get('order');
  const [number, setNumber] = useState('');
  const [expiry, setExpiry] = useState('');
  const [cvc, setCvc] = useState('');
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<CardErrors>({});
  const [failure, setFailure] = useState<string | undefined>();
  const [isPaying, setIsPaying] = useState(false);
  // one order per checkout visit: a retry after a declined card pays the same order
  const [order, setOrder] = useState<Order | undefined>();
  const orderKey = useRef(newIdempotencyKey());
  const failureRef = useRef<HTMLParagraphElement>(null);

  // `?order=<id>`: pay an order placed earlier whose payment failed
  useEffect(() => {
    if (!pendingOrderId || !user) return;
    api<Order>(`/api/orders/${encodeURIComponent(pendingOrderId)}`)
      .then((found) => {
        if (found.status === 'pending') setOrder(found);
        else void navigate(`/orders/${found.id}`, { replace: true });
      })
      .catch(() => setFailure('That order could not be found.'));
  }, [pendingOrderId, user, navigate]);
  useEffect(() => {
    if (cart && cart.items.length > 0) track('checkout_started', { valueCents: cart.total, currency: 'USD' });
  }, [cart]);
  useEffect(() => {
    if (failure) failureRef.current?.focus();
  }, [failure]);
  useEffect(() => {
    if (user?.name) setName((current) => current || user.name);
  }, [user]);

  if (user === null) return <Navigate to="/login?next=/checkout" replace />;
  if (isLoading || user === undefined || (pendingOrderId && !order && !failure)) return <div className="page"><h1>Checkout</h1><p className="muted">Loading…</p></div>;
  const items = order?.items
    ? order.items.map((item) => ({ key: item.id, name: item.productName, colour: item.colour, size: item.size, quantity: item.quantity, amount: item.lineTotal ?? item.unitPrice * item.quantity }))
    : (cart?.items ?? []).map((item) => ({ key: item.variantId, name: item.name, colour: item.colour, size: item.size, quantity: item.quantity, amount: item.lineTotal }));
  if (items.length === 0 && !order) {
    return (
      <div className="page empty-state">
        <h1>Checkout</h1>
        <p>Your cart is empty.</p>
        <Link to="/" className="button">Continue shopping</Link>
      </div>
    );
  }
  const subtotal = order?.subtotal ?? cart?.subtotal ?? 0;
  const shipping = order?.shipping ?? cart?.shipping ?? 0;
  const total = order?.total ?? cart?.total ?? subtotal + shipping;

  async function pay(event: FormEvent) {
    event.preventDefault();
    const checked = validateCard(number, expiry, cvc);
    setErrors(checked.errors);
    if (!checked.card) return;
    setIsPaying(true);
    setFailure(undefined);
    try {
      const placed = order ?? (await placeOrder(orderKey.current));
      if (!order) {
        setOrder(placed);
        void refreshCart(); // the order took the cart's items
      }
      await payOrder(placed.id, checked.card, newIdempotencyKey());
      // order_paid is recorded by the API when the payment succeeds, never by the browser
      await refreshCart();
      void navigate(`/orders/${placed.id}?placed=1`);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'VALIDATION_FAILED' && error.field && /number|card/.test(error.field)) setErrors({ number: error.message });
      setFailure(paymentMessage(error));
    } finally {
      setIsPaying(false);
    }
  }

  return (
    <div className="page checkout">
      <h1>{pendingOrderId && order ? `Pay for order #${order.id}` : 'Checkout'}</h1>
      <div className="checkout__grid">
        <form className="card checkout__form" onSubmit={pay} noValidate aria-describedby="test-cards">
          <h2>Payment</h2>
          {failure && (
            <p className="alert alert--error" role="alert" tabIndex={-1} ref={failureRef} data-testid="payment-error">
              <strong>Payment failed.</strong> {failure}
            </p>
          )}
          <div className="field">
            <label htmlFor="card-name">Name on card</label>
            <input id="card-name" autoComplete="cc-name" value={name} onChange={(e) => setName(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="card-number">Card number</label>
            <input
              id="card-number"
              inputMode="numeric"
              autoComplete="cc-number"
              placeholder="1234 1234 1234 1234"
              value={number}
              onChange={(e) => setNumber(formatCardNumber(e.target.value))}
              aria-invalid={errors.number ? true : undefined}
              aria-describedby={errors.number ? 'card-number-error' : undefined}
            />
            {errors.number && <p id="card-number-error" className="field-error">{errors.number}</p>}
          </div>
          <div className="field-row">
            <div className="field">
              <label htmlFor="card-expiry">Expiry (MM/YY)</label>
              <input id="card-expiry" inputMode="numeric" autoComplete="cc-exp" placeholder="MM/YY" value={expiry} onChange={(e) => setExpiry(e.target.value)} aria-invalid={errors.expiry ? true : undefined} aria-describedby={errors.expiry ? 'card-expiry-error' : undefined} />
              {errors.expiry && <p id="card-expiry-error" className="field-error">{errors.expiry}</p>}
            </div>
            <div className="field">
              <label htmlFor="card-cvc">Security code</label>
              <input id="card-cvc" inputMode="numeric" autoComplete="cc-csc" placeholder="CVC" maxLength={4} value={cvc} onChange={(e) => setCvc(e.target.value)} aria-invalid={errors.cvc ? true : undefined} aria-describedby={errors.cvc ? 'card-cvc-error' : undefined} />
              {errors.cvc && <p id="card-cvc-error" className="field-error">{errors.cvc}</p>}
            </div>
          </div>
          <button type="submit" className="button button--large button--block" disabled={isPaying}>
            {isPaying ? 'Processing payment…' : `Pay ${formatCents(total)}`}
          </button>
          <p id="test-cards" className="muted small test-cards">
            Test shop: pay with <code>4242 4242 4242 4242</code> (succeeds) or <code>4000 0000 0000 0002</code> (declined), any future expiry and any CVC.
          </p>
        </form>

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
            <div><dt>Shipping</dt><dd>{shipping === 0 ? 'Free' : formatCents(shipping)}</dd></div>
            <div className="summary__total"><dt>Total</dt><dd>{formatCents(total)}</dd></div>
          </dl>
          <p className="muted small">Signed in as {user.email}</p>
        </aside>
      </div>
    </div>
  );
}
