import { Link, Navigate } from 'react-router';

import { useSession } from '../../app/session';
import { describeError } from '../../lib/api';
import { formatCents } from '../../lib/money';
import { formatOrderDate, useMyOrders } from './orders-api';
import { StatusBadge } from './StatusBadge';

function itemCount(items: { quantity: number }[]): string {
  const count = items.reduce((sum, item) => sum + item.quantity, 0);
  return `${count} ${count === 1 ? 'item' : 'items'}`;
}

export default function OrderHistoryPage() {
  const { user } = useSession();
  const { items, error, isLoading, nextCursor, isLoadingMore, loadMore } = useMyOrders();
  if (user === null) return <Navigate to="/login?next=/orders" replace />;
  const orders = items ?? [];
  return (
    <div className="page narrow">
      <h1>My orders</h1>
      {error !== undefined && <p className="alert alert--error" role="alert">{describeError(error)}</p>}
      {isLoading && !items ? <p className="muted">Loading…</p> : orders.length === 0 ? (
        <div className="empty-state">
          <h2>No orders yet</h2>
          <Link to="/" className="button">Start shopping</Link>
        </div>
      ) : (
        <ul className="order-list">
          {orders.map((order) => (
            <li key={order.id} className="card order-row">
              <div>
                <Link to={`/orders/${order.id}`} className="order-row__id">Order #{order.id}</Link>
                <p className="muted">{formatOrderDate(order)}{order.items ? ` · ${itemCount(order.items)}` : ''}</p>
              </div>
              <StatusBadge status={order.status} />
              <strong>{formatCents(order.total)}</strong>
            </li>
          ))}
        </ul>
      )}
      {nextCursor && (
        <div className="load-more">
          <button type="button" className="button button--secondary" onClick={loadMore} disabled={isLoadingMore}>{isLoadingMore ? 'Loading…' : 'More orders'}</button>
        </div>
      )}
    </div>
  );
}
