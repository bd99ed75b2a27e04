import { useState } from 'react';

import { describeError } from '../../lib/api';
import { formatCents } from '../../lib/money';
import { addressLines } from '../checkout/AddressFields';
import '../checkout/checkout.css';
import { formatOrderDate } from '../orders/orders-api';
import { StatusBadge } from '../orders/StatusBadge';
import { shipOrder, useSellerOrders } from './seller-api';

export default function SellerOrdersPage() {
  const { data, error, isLoading, reload } = useSellerOrders();
  const [actionError, setActionError] = useState<unknown>(undefined);
  const [busyId, setBusyId] = useState<number | undefined>();
  const orders = data?.items ?? [];

  async function ship(orderId: number) {
    setBusyId(orderId);
    setActionError(undefined);
    try {
      await shipOrder(orderId);
      reload();
    } catch (caught) {
      setActionError(caught);
    } finally {
      setBusyId(undefined);
    }
  }

  return (
    <section aria-labelledby="seller-orders">
      <h1 id="seller-orders">Orders to ship</h1>
      <p className="muted">Each order shows only your items and their subtotal; shipping and tax belong to the whole order.</p>
      {error !== undefined && <p className="alert alert--error" role="alert">{describeError(error)}</p>}
      {actionError !== undefined && <p className="alert alert--error" role="alert">{describeError(actionError)}</p>}
      {isLoading && !data ? <p className="muted">Loading…</p> : orders.length === 0 ? (
        <div className="empty-state"><h2>No orders yet</h2><p>Orders with your products appear here once they are paid.</p></div>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Orders">
          <table className="table">
            <thead><tr><th scope="col">Order</th><th scope="col">Placed</th><th scope="col">Items</th><th scope="col">Ship to</th><th scope="col">Status</th><th scope="col" className="num">Your subtotal</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {orders.map((order) => (
                <tr key={order.id}>
                  <td>#{order.id}{order.buyer && <><br /><span className="muted">{order.buyer.name}</span></>}</td>
                  <td>{formatOrderDate(order)}</td>
                  <td>{(order.items ?? []).map((item) => <div key={item.id}>{item.quantity} × {item.productName} <span className="muted">({item.colour}, {item.size})</span></div>)}</td>
                  <td>{order.shipTo ? <address className="small">{addressLines(order.shipTo).map((line) => <span key={line}>{line}<br /></span>)}{order.shippingMethod && <span className="muted">{order.shippingMethod}</span>}</address> : <span className="muted">—</span>}</td>
                  <td><StatusBadge status={order.status} /></td>
                  <td className="num">{formatCents(order.subtotal ?? order.total)}</td>
                  <td>{order.status === 'paid' && <button type="button" className="button button--small" disabled={busyId === order.id} onClick={() => void ship(order.id)}>Mark shipped</button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
