import { useState } from 'react';
import { Link } from 'react-router';

import { FREE_SHIPPING_FROM_CENTS } from '@threadline/domain';

import { useSession } from '../../app/session';
import { describeError } from '../../lib/api';
import { formatCents, formatCentsShort } from '../../lib/money';
import type { CartItem } from '../../lib/types';
import { ProductImage } from '../catalog/ProductImage';
import { removeItem, setQuantity, useCart } from './cart-api';

function CartLine({ item, onChanged, onError }: { item: CartItem; onChanged: () => void; onError: (error: unknown) => void }) {
  const [isBusy, setIsBusy] = useState(false);
  const max = Math.max(item.quantity, Math.min(10, item.stock));

  async function run(action: () => Promise<unknown>) {
    setIsBusy(true);
    try {
      await action();
      onChanged();
    } catch (error) {
      onError(error);
    } finally {
      setIsBusy(false);
    }
  }

  return (
    <li className={`cart-line ${isBusy ? 'is-busy' : ''}`}>
      <Link to={`/products/${item.productId}`} className="cart-line__image" tabIndex={-1} aria-hidden="true">
        <ProductImage image={item.image ?? undefined} alt="" sizes="96px" />
      </Link>
      <div className="cart-line__info">
        <Link to={`/products/${item.productId}`} className="cart-line__name">{item.name}</Link>
        <p className="muted">{item.colour} · Size {item.size}</p>
        <p className="muted">{formatCents(item.price)} each</p>
        {!item.isAvailable && <p className="field-error">{item.stock > 0 ? `Only ${item.stock} left` : 'No longer available'}</p>}
      </div>
      <label className="quantity quantity--compact">
        <span className="visually-hidden">Quantity of {item.name}</span>
        <select value={item.quantity} disabled={isBusy} onChange={(e) => void run(() => setQuantity(item.variantId, Number(e.target.value)))}>
          {Array.from({ length: max }, (_, i) => i + 1).map((n) => <option key={n} value={n}>{n}</option>)}
        </select>
      </label>
      <p className="cart-line__total">{formatCents(item.lineTotal)}</p>
      <button type="button" className="link-button" disabled={isBusy} onClick={() => void run(() => removeItem(item.variantId))} aria-label={`Remove ${item.name} from cart`}>
        Remove
      </button>
    </li>
  );
}

export default function CartPage() {
  const { data: cart, error, isLoading, reload } = useCart();
  const { refreshCart } = useSession();
  const [actionError, setActionError] = useState<unknown>(undefined);

  const changed = () => {
    setActionError(undefined);
    reload();
    void refreshCart();
  };

  if (isLoading && !cart) return <div className="page"><h1>Your cart</h1><p className="muted">Loading…</p></div>;
  const items = cart?.items ?? [];
  const subtotal = cart?.subtotal ?? 0;
  const shipping = cart?.shipping ?? 0;
  const hasUnavailable = items.some((item) => !item.isAvailable);

  return (
    <div className="page cart-page">
      <h1>Your cart</h1>
      {error !== undefined && <p className="alert alert--error" role="alert">{describeError(error)}</p>}
      {actionError !== undefined && <p className="alert alert--error" role="alert">{describeError(actionError)}</p>}
      {items.length === 0 ? (
        <div className="empty-state">
          <h2>Your cart is empty</h2>
          <p>Find something you love — new styles arrive every week.</p>
          <Link to="/" className="button">Start shopping</Link>
        </div>
      ) : (
        <div className="cart-page__grid">
          <ul className="cart-lines" aria-label="Items in your cart">
            {items.map((item) => <CartLine key={item.variantId} item={item} onChanged={changed} onError={setActionError} />)}
          </ul>
          <aside className="card summary" aria-label="Order summary">
            <h2>Summary</h2>
            <dl>
              <div><dt>Subtotal</dt><dd>{formatCents(subtotal)}</dd></div>
              <div><dt>Shipping (US standard)</dt><dd>{shipping === 0 ? 'Free' : formatCents(shipping)}</dd></div>
              <div><dt>Tax</dt><dd>At checkout</dd></div>
              <div className="summary__total"><dt>Estimated total</dt><dd>{formatCents(cart?.total ?? subtotal + shipping)}</dd></div>
            </dl>
            {hasUnavailable ? (
              <p className="alert alert--error" role="alert">Some items are no longer available in that quantity. Change or remove them to check out.</p>
            ) : (
              <Link to="/checkout" className="button button--large button--block">Checkout</Link>
            )}
            <p className="muted small">
              {shipping > 0
                ? `Add ${formatCents(FREE_SHIPPING_FROM_CENTS - subtotal)} more for free shipping.`
                : `Standard US shipping is free on orders over ${formatCentsShort(FREE_SHIPPING_FROM_CENTS)}.`}{' '}
              Shipping to your address, its method and tax are worked out at checkout, where you review everything before paying.
            </p>
          </aside>
        </div>
      )}
    </div>
  );
}
