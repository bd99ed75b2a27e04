/**
 * The shop's e-mails: each template is a pure function from facts to subject, text and HTML.
 * Every value put into HTML is escaped; links are absolute (built from the shop's public URL).
 */

export interface RenderedMail {
  template: 'order_confirmation' | 'order_shipped' | 'password_reset' | 'account_claim';
  subject: string;
  text: string;
  html: string;
}

export interface MailOrderLine {
  productName: string;
  colour: string;
  size: string;
  quantity: number;
  lineTotalCents: number;
}

export interface MailOrder {
  id: number;
  currency: string;
  items: readonly MailOrderLine[];
  subtotalCents: number;
  shippingCents: number;
  taxCents: number;
  taxLines: readonly { label: string; amountCents: number }[];
  totalCents: number;
  shippingMethod: string | null;
  shipTo: { name: string | null; line1: string | null; line2: string | null; city: string | null; region: string | null; postalCode: string | null; country: string | null } | null;
}

const SHOP_NAME = 'Threadline';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char);
}

/** One formatter per currency: building an Intl.NumberFormat costs far more than formatting with it, and every paid order's mail formats each line. */
const moneyFormats = new Map<string, Intl.NumberFormat>();

function money(cents: number, currency: string): string {
  let format = moneyFormats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    moneyFormats.set(currency, format);
  }
  return format.format(cents / 100);
}

function addressLines(shipTo: MailOrder['shipTo']): string[] {
  if (!shipTo) return [];
  const cityLine = [shipTo.city, [shipTo.region, shipTo.postalCode].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  return [shipTo.name, shipTo.line1, shipTo.line2, cityLine, shipTo.country].filter((line): line is string => typeof line === 'string' && line !== '');
}

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="margin:0;padding:24px;background:#f6f4f0;font-family:Helvetica,Arial,sans-serif;color:#1f1f1f">
<div style="max-width:560px;margin:0 auto;background:#fff;padding:24px;border-radius:8px">
<p style="font-size:20px;font-weight:bold;margin:0 0 16px">${SHOP_NAME}</p>
${body}
<p style="color:#666;font-size:12px;margin-top:32px">You received this e-mail because of an order or account at the ${SHOP_NAME} shop.</p>
</div></body></html>`;
}

function button(url: string, label: string): string {
  return `<p><a href="${escapeHtml(url)}" style="display:inline-block;background:#1f1f1f;color:#fff;padding:12px 20px;border-radius:6px;text-decoration:none">${escapeHtml(label)}</a></p>`;
}

function orderTable(order: MailOrder): { text: string; html: string } {
  const rows = order.items.map((item) => ({ label: `${item.quantity} × ${item.productName} (${item.colour}, ${item.size})`, amount: money(item.lineTotalCents, order.currency) }));
  const totals = [
    { label: 'Subtotal', amount: money(order.subtotalCents, order.currency) },
    { label: `Shipping${order.shippingMethod ? ` (${order.shippingMethod})` : ''}`, amount: order.shippingCents === 0 ? 'Free' : money(order.shippingCents, order.currency) },
    ...order.taxLines.map((line) => ({ label: line.label, amount: money(line.amountCents, order.currency) })),
    { label: 'Total', amount: money(order.totalCents, order.currency) },
  ];
  const text = [...rows, ...totals].map((row) => `${row.label}: ${row.amount}`).join('\n');
  const cell = 'padding:4px 0;border-bottom:1px solid #eee';
  const html = `<table style="width:100%;border-collapse:collapse">${[...rows, ...totals]
    .map((row, index) => `<tr><td style="${cell}${index >= rows.length ? ';color:#555' : ''}">${escapeHtml(row.label)}</td><td style="${cell};text-align:right">${escapeHtml(row.amount)}</td></tr>`)
    .join('')}</table>`;
  return { text, html };
}

/** Sent when an order is paid. */
export function renderOrderConfirmation(input: { order: MailOrder; name: string | null; orderUrl: string }): RenderedMail {
  const { order } = input;
  const table = orderTable(order);
  const address = addressLines(order.shipTo);
  const greeting = input.name ? `Hi ${input.name},` : 'Hello,';
  return {
    template: 'order_confirmation',
    subject: `Your ${SHOP_NAME} order #${order.id} is confirmed`,
    text: [
      greeting,
      '',
      `Thank you for your order. We have received your payment for order #${order.id}.`,
      '',
      table.text,
      '',
      ...(address.length > 0 ? ['Shipping to:', ...address, ''] : []),
      `See your order: ${input.orderUrl}`,
    ].join('\n'),
    html: layout(
      `Order #${order.id} confirmed`,
      `<p>${escapeHtml(greeting)}</p><p>Thank you for your order. We have received your payment for order <strong>#${order.id}</strong>.</p>
${table.html}
${address.length > 0 ? `<p><strong>Shipping to</strong><br>${address.map(escapeHtml).join('<br>')}</p>` : ''}
${button(input.orderUrl, 'View your order')}`,
    ),
  };
}

/** Sent when a seller marks the order shipped. */
export function renderOrderShipped(input: { order: MailOrder; name: string | null; orderUrl: string }): RenderedMail {
  const { order } = input;
  const address = addressLines(order.shipTo);
  const greeting = input.name ? `Hi ${input.name},` : 'Hello,';
  return {
    template: 'order_shipped',
    subject: `Your ${SHOP_NAME} order #${order.id} is on its way`,
    text: [
      greeting,
      '',
      `Good news: order #${order.id} has shipped${order.shippingMethod ? ` by ${order.shippingMethod}` : ''}.`,
      ...(address.length > 0 ? ['', 'Shipping to:', ...address] : []),
      '',
      `Track it in your order: ${input.orderUrl}`,
    ].join('\n'),
    html: layout(
      `Order #${order.id} shipped`,
      `<p>${escapeHtml(greeting)}</p><p>Good news: order <strong>#${order.id}</strong> has shipped${order.shippingMethod ? ` by ${escapeHtml(order.shippingMethod)}` : ''}.</p>
${address.length > 0 ? `<p><strong>Shipping to</strong><br>${address.map(escapeHtml).join('<br>')}</p>` : ''}
${button(input.orderUrl, 'View your order')}`,
    ),
  };
}

/** Sent on a password reset request for a known account. */
export function renderPasswordReset(input: { name: string; resetUrl: string; validMinutes: number }): RenderedMail {
  return {
    template: 'password_reset',
    subject: `Reset your ${SHOP_NAME} password`,
    text: [
      `Hi ${input.name},`,
      '',
      'Someone (hopefully you) asked to reset the password of your account. Choose a new password here:',
      input.resetUrl,
      '',
      `The link works once and expires in ${input.validMinutes} minutes. Setting a new password signs you out everywhere else.`,
      'If you did not ask for this, ignore this e-mail: your password stays as it is.',
    ].join('\n'),
    html: layout(
      'Reset your password',
      `<p>Hi ${escapeHtml(input.name)},</p><p>Someone (hopefully you) asked to reset the password of your account.</p>
${button(input.resetUrl, 'Choose a new password')}
<p style="color:#555">The link works once and expires in ${input.validMinutes} minutes. Setting a new password signs you out everywhere else. If you did not ask for this, ignore this e-mail: your password stays as it is.</p>`,
    ),
  };
}

/** Sent when the shop invites an imported customer to claim their account. */
export function renderAccountClaim(input: { name: string; claimUrl: string; expiresAt: Date }): RenderedMail {
  const until = input.expiresAt.toISOString().slice(0, 10);
  return {
    template: 'account_claim',
    subject: `Your ${SHOP_NAME} account is ready`,
    text: [
      `Hi ${input.name},`,
      '',
      `Your account has moved to our new shop. Set a password to sign in and see your order history:`,
      input.claimUrl,
      '',
      `The link works once, until ${until}.`,
    ].join('\n'),
    html: layout(
      'Your account is ready',
      `<p>Hi ${escapeHtml(input.name)},</p><p>Your account has moved to our new shop. Set a password to sign in and see your order history.</p>
${button(input.claimUrl, 'Set your password')}
<p style="color:#555">The link works once, until ${until}.</p>`,
    ),
  };
}
