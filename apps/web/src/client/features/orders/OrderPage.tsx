import { useEffect, useState } from 'react';
import { Link, Navigate, useLocation, useParams, useSearchParams } from 'react-router';

import { useSession } from '../../app/session';
import { ApiError, describeError } from '../../lib/api';
import { formatCents } from '../../lib/money';
import type { Order } from '../../lib/types';
import { addressLines } from '../checkout/AddressFields';
import '../checkout/checkout.css';
import { fetchOrder, recallGuestToken, rememberGuestToken } from '../checkout/checkout-api';
import { formatOrderDate } from './orders-api';
import { StatusBadge } from './StatusBadge';

/** A guest's order token: from the e-mail link (`#token=…`, never sent to a server) or this tab's memory. */
function guestTokenFor(id: string, hash: string): string | undefined {
  const fromLink = /(?:^#|&)token=([A-Za-z0-9_-]{20,200})/.exec(hash)?.[1];
  if (fromLink) {
    rememberGuestToken(Number(id), fromLink);
    return fromLink;
  }
  return recallGuestToken(id);
}

/** One order; right after payment (`?placed=1`) it doubles as the confirmation page. Guests open it with their order token. */
export default function OrderPage() {
  const { id = '' } = useParams();
  const [params] = useSearchParams();
  const location = useLocation();
  const { user } = useSession();
  const [token] = useState(() => guestTokenFor(id, location.hash));
  const [order, setOrder] = useState<Order | undefined>();
  const [error, setError] = useState<unknown>();
  const canLoad = user !== undefined && (user !== null || token !== undefined);

  useEffect(() => {
    if (!canLoad) return;
    let isCurrent = true;
    fetchOrder(id, user ? undefined : token)
      .then((found) => isCurrent && setOrder(found))
      .catch((caught: unknown) => isCurrent && setError(caught));
    return () => {
      isCurrent = false;
    };
  }, [id, user, token, canLoad]);

  if (user === null && token === undefined) return <Navigate to={`/login?next=/orders/${id}`} replace />;
  if (!order && error === undefined) return <div className="page narrow"><p className="muted">Loading…</p></div>;
  if (!order) {
    const isMissing = error instanceof ApiError && (error.status === 404 || error.status === 400);
    return (
      <div className="page narrow empty-state">
        <h1>{isMissing ? 'Order not found' : 'Could not load this order'}</h1>
        {!isMissing && <p>{describeError(error)}</p>}
        {user ? <Link to="/orders" className="button">All orders</Link> : <p>Open the link in your order confirmation e-mail, or <Link to={`/login?next=/orders/${id}`}>sign in</Link>.</p>}
      </div>
    );
  }
  const isJustPlaced = params.get('placed') === '1' && order.status === 'paid';
  const shipTo = order.shipTo ? addressLines(order.shipTo) : [];
  return (
    <div className="page narrow">
      {isJustPlaced ? (
        <div className="confirmation" role="status">
          <span className="confirmation__icon" aria-hidden="true">✓</span>
          <div>
            <h1>Thank you — your order is confirmed</h1>
            <p>
              We have received your payment for order #{order.id} and e-mailed a confirmation.{' '}
              {user ? <>You will find it any time under <Link to="/orders">My orders</Link>.</> : <>The link in that e-mail opens this page again.</>}
            </p>
          </div>
        </div>
      ) : (
        <h1>Order #{order.id}</h1>
      )}
      <section className="card order-detail" aria-labelledby="order-heading">
        <div className="order-detail__head">
          <h2 id="order-heading">{isJustPlaced ? `Order #${order.id}` : 'Details'}</h2>
          <StatusBadge status={order.status} />
        </div>
        <p className="muted">Placed {formatOrderDate(order)}</p>
        {shipTo.length > 0 && (
          <div className="order-detail__ship">
            <h3 className="small-heading">Shipping to</h3>
            <address data-testid="order-ship-to">{shipTo.map((line) => <span key={line}>{line}<br /></span>)}</address>
            {order.shippingMethod && <p className="muted small">{order.shippingMethod}</p>}
          </div>
        )}
        {order.items && order.items.length > 0 && (
          <table className="table">
            <thead><tr><th scope="col">Item</th><th scope="col">Qty</th><th scope="col" className="num">Price</th></tr></thead>
            <tbody>
              {order.items.map((item) => (
                <tr key={item.id}>
                  <td><Link to={`/products/${item.productId}`}>{item.productName}</Link><br /><span className="muted">{item.colour} · Size {item.size}</span></td>
                  <td>{item.quantity}</td>
                  <td className="num">{formatCents(item.lineTotal ?? item.unitPrice * item.quantity)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <dl className="totals">
          {order.subtotal !== undefined && <div><dt>Subtotal</dt><dd>{formatCents(order.subtotal)}</dd></div>}
          {order.shipping !== undefined && <div><dt>Shipping</dt><dd>{order.shipping === 0 ? 'Free' : formatCents(order.shipping)}</dd></div>}
          {(order.taxLines ?? []).map((line) => <div key={line.label}><dt>{line.label} ({line.rate} %)</dt><dd>{formatCents(line.amount)}</dd></div>)}
          <div className="summary__total"><dt>Total</dt><dd data-testid="order-total">{formatCents(order.total)}</dd></div>
        </dl>
        {order.status === 'pending' && <p className="alert alert--error">This order is not paid yet. <Link to={`/checkout?order=${order.id}`}>Pay for this order</Link>.</p>}
      </section>
      <p>{user && <><Link to="/orders">← All orders</Link> · </>}<Link to="/">Continue shopping</Link></p>
    </div>
  );
}
