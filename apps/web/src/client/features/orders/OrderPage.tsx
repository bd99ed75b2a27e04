import { Link, Navigate, useParams, useSearchParams } from 'react-router';

import { useSession } from '../../app/session';
import { ApiError, describeError } from '../../lib/api';
import { formatCents } from '../../lib/money';
import type { Order } from '../../lib/types';
import { useApi } from '../../lib/use-api';
import { formatOrderDate } from './orders-api';
import { StatusBadge } from './StatusBadge';

/** One order; right after payment (`?placed=1`) it doubles as the confirmation page. */
export default function OrderPage() {
  const { id = '' } = useParams();
  const [params] = useSearchParams();
  const { user } = useSession();
  const { data: order, error, isLoading } = useApi<Order>(user ? `/api/orders/${encodeURIComponent(id)}` : null);
  if (user === null) return <Navigate to={`/login?next=/orders/${id}`} replace />;
  if (isLoading || user === undefined) return <div className="page narrow"><p className="muted">Loading…</p></div>;
  if (!order) {
    const isMissing = error instanceof ApiError && (error.status === 404 || error.status === 400);
    return (
      <div className="page narrow empty-state">
        <h1>{isMissing ? 'Order not found' : 'Could not load this order'}</h1>
        {!isMissing && <p>{describeError(error)}</p>}
        <Link to="/orders" className="button">All orders</Link>
      </div>
    );
  }
  const isJustPlaced = params.get('placed') === '1' && order.status === 'paid';
  return (
    <div className="page narrow">
      {isJustPlaced ? (
        <div className="confirmation" role="status">
          <span className="confirmation__icon" aria-hidden="true">✓</span>
          <div>
            <h1>Thank you — your order is confirmed</h1>
            <p>We have received your payment for order #{order.id}. You will find it any time under <Link to="/orders">My orders</Link>.</p>
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
          <div className="summary__total"><dt>Total</dt><dd data-testid="order-total">{formatCents(order.total)}</dd></div>
        </dl>
        {order.status === 'pending' && <p className="alert alert--error">This order is not paid yet. <Link to={`/checkout?order=${order.id}`}>Pay for this order</Link>.</p>}
      </section>
      <p><Link to="/orders">← All orders</Link> · <Link to="/">Continue shopping</Link></p>
    </div>
  );
}
