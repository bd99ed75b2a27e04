import type { OrderStatus } from '../../lib/types';
import { STATUS_LABELS } from './orders-api';

export function StatusBadge({ status }: { status: OrderStatus }) {
  return <span className={`status status--${status}`}>{STATUS_LABELS[status] ?? status}</span>;
}
