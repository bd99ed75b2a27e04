import { enqueueMail, findOrderRecipient, getOrder, type NewMail, type OrderRecord, type Queryable } from '@threadline/db';
import { renderOrderConfirmation, renderOrderShipped, type MailOrder } from '@threadline/mail';

/** The facts an order e-mail shows, from the order as stored. */
export function toMailOrder(order: OrderRecord): MailOrder {
  return {
    id: order.id,
    currency: order.currency,
    items: order.items.map((item) => ({ productName: item.productName, colour: item.colour, size: item.size, quantity: item.quantity, lineTotalCents: item.unitPriceCents * item.quantity })),
    subtotalCents: order.subtotalCents,
    shippingCents: order.shippingCents,
    taxCents: order.taxCents,
    taxLines: order.taxLines,
    totalCents: order.totalCents,
    shippingMethod: order.shippingMethod,
    shipTo: order.shipTo,
  };
}

/**
 * Queues the order confirmation (on payment) or the shipping notice, inside the transaction that
 * made the change: the mail exists exactly when the fact does. Guests get the link with their
 * order token only in the confirmation they receive at checkout; later mails link the order page.
 */
export async function enqueueOrderMail(
  db: Queryable,
  mail: { orderId: number; kind: 'confirmation' | 'shipped'; publicUrl: string; guestToken?: string | undefined },
): Promise<void> {
  const [order, recipient] = await Promise.all([getOrder(db, mail.orderId), findOrderRecipient(db, mail.orderId)]);
  if (!order || !recipient) return;
  await enqueueMail(db, renderOrderMail({ ...mail, order, recipient }));
}

/** The order mail as the outbox stores it, from an order and its recipient already read. */
export function renderOrderMail(mail: {
  order: OrderRecord;
  recipient: { email: string; name: string | null; userId: number | null };
  kind: 'confirmation' | 'shipped';
  publicUrl: string;
  guestToken?: string | undefined;
}): NewMail {
  const { order, recipient } = mail;
  // a guest opens the order with its token, kept after '#' so it never reaches a server log
  const orderUrl = `${mail.publicUrl}/orders/${order.id}${recipient.userId === null && mail.guestToken ? `#token=${mail.guestToken}` : ''}`;
  const input = { order: toMailOrder(order), name: recipient.name, orderUrl };
  const rendered = mail.kind === 'confirmation' ? renderOrderConfirmation(input) : renderOrderShipped(input);
  return { ...rendered, to: recipient.email, orderId: order.id, userId: recipient.userId };
}
