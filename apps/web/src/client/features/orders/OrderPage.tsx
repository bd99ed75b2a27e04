import { Link, Navigate, useParams, useSearchParams } from 'react-router';

import { useSession } from '../../app/session';
import { describeError } from '../../lib/api';
import { formatCents } from '../../lib/money';
import { formatOrderDate, useMyOrders } from './orders-api';
import { StatusBadge } from './StatusBadge';

/** One order; right after payment (`?placed=1`) it doubles as the confirmation page. */
export default function OrderPage() {
  const { id } = useParams();
  const [params] = useSearchParams();
  const { user } = useSession();
  const { data, error, isLoading } = useMyOrders();
  if (user === null) return <Navigate to={`/login?next=/orders/${id ?? ''}`} replace />;
  if (isLoading && !data) return <div className="page narrow"><p className="muted">Loading…</p></div>;
  const order = data?.items.find((o) => String(o.id) === id);
  if (!order) {
    return (
      <div className="page narrow empty-state">
        <h1>Order not found</h1>
        {error !== undefined && <p>{describeError(error)}</p>}
        <Link to="/orders" className="button">All orders</Link>
      </div>
    );
  }
  const isJustPlaced = params.get('placed') === '1';
  return (
    <div className="page narrow">
      {isJustPlaced && (
        <div className="confirmation" role="status">
          <span className="confirmation__icon" aria-hidden="true">✓</span>
          <div>
            <h1>Thank you — your order is confirmed</h1>
            <p>We have received your payment for order #{order.id}. You will find it any time under My orders.</p>
          </div>
        </div>
      )}
      <section className="card order-detail" aria-labelledby="order-heading">
        <div className="order-detail__head">
          <h2 id="order-heading">{isJustPlaced ? 'Order details' : `Order #${order.id}`}</h2>
          <StatusBadge status={order.status} />
        </div>
        <p className="muted">Placed {formatOrderDate(order)}</p>
        {order.items && (
          <table className="table">
            <thead><tr><th scope="col">Item</th><th scope="col">Qty</th><th scope="col" className="num">Price</th></tr></thead>
            <tbody>
              {order.items.map((item) => (
                <tr key={item.id}>
                  <td><Link to={`/products/${item.productId}`}>{item.productName}</Link><br /><span className="muted">{item.colour} · Size {item.size}</span></td>
                  <td>{item.quantity}</td>
                  <td className="num">{formatCents(item.unitPrice * item.quantity)}</td>
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
      </section>
      <p><Link to="/orders">← All orders</Link> · <Link to="/">Continue shopping</Link></p>
    </div>
  );
}
