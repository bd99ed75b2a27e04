import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

import { AUDIT_ACTIONS, findPaymentByProviderRef, forgetWebhookEvent, getOrder, recordWebhookEvent } from '@threadline/db';
import { confirmPaymentFromWebhook, isOrderError, transitionOrder } from '@threadline/orders';

import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { auditRequest } from '../audit/audit.js';
import { AppError } from '../errors.js';
import { errors } from '../http/common.schemas.js';
import { orderDepsFor, paymentProviderFor } from './provider-registry.js';
import { SIGNATURE_HEADER, verifyWebhookSignature } from './webhook-signature.js';

export const WebhookEvent = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 200 }),
  type: Type.Union([Type.Literal('payment.succeeded'), Type.Literal('payment.refunded')]),
  data: Type.Object({
    orderId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    amountCents: Type.Integer({ minimum: 0, maximum: 100_000_000 }),
    providerRef: Type.Optional(Type.String({ maxLength: 200 })),
  }),
});

/**
 * `POST /api/payments/webhook`: provider → shop notifications. No CSRF (the caller is a server),
 * instead an HMAC over the raw body with a timestamp; each event id is processed once.
 */
export async function webhookRoutes(app: ApiApp, context: ApiContext): Promise<void> {
  const { pool } = context;
  const provider = paymentProviderFor(context);
  const deps = orderDepsFor(context);

  // the signature covers the exact bytes sent, so this scope keeps the raw body as a string
  await app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      '/api/payments/webhook',
      {
        config: { csrf: false },
        schema: {
          tags: ['payments'],
          summary: `Payment provider webhook (HMAC-SHA256 in the ${SIGNATURE_HEADER} header: t=<unix s>,v1=<hex of "t.body">)`,
          body: Type.String({ maxLength: 64 * 1024 }),
          response: { 200: Type.Object({ received: Type.Boolean(), duplicate: Type.Boolean() }), ...errors(400, 401, 404) },
        },
      },
      async (request) => {
        const raw = request.body;
        const header = request.headers[SIGNATURE_HEADER];
        const check = verifyWebhookSignature(context.secrets.paymentWebhookSecret, raw, typeof header === 'string' ? header : undefined, Math.floor(Date.now() / 1000));
        if (!check.ok) throw new AppError('WEBHOOK_SIGNATURE_INVALID', check.reason, SIGNATURE_HEADER);
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw);
        } catch {
          throw new AppError('INVALID_JSON', 'request body is not valid JSON');
        }
        if (!Value.Check(WebhookEvent, parsed)) {
          const first = Value.Errors(WebhookEvent, parsed).First();
          const field = first?.path.replace(/^\//, '').replace(/\//g, '.') || undefined;
          throw new AppError('VALIDATION_FAILED', `${field ?? 'event'} ${first?.message ?? 'is invalid'}`, field);
        }
        const event = parsed;
        const isNew = await recordWebhookEvent(pool, { provider: provider.name, eventId: event.id, type: event.type, payload: event });
        if (!isNew) return { received: true, duplicate: true };
        try {
          if (event.type === 'payment.succeeded') {
            const outcome = await confirmPaymentFromWebhook(deps, event.data.orderId, event.data.amountCents);
            const paid = outcome === 'paid' ? await getOrder(pool, event.data.orderId) : null;
            if (paid) await context.serverEvents?.orderPaid(request, { id: paid.id, userId: paid.userId, totalCents: paid.totalCents, currency: paid.currency });
          } else {
            const payment = event.data.providerRef ? await findPaymentByProviderRef(pool, provider.name, event.data.providerRef) : null;
            if (payment && payment.orderId !== event.data.orderId) throw new AppError('VALIDATION_FAILED', 'providerRef belongs to another order', 'data.providerRef');
            const refunded = await transitionOrder(deps, event.data.orderId, 'refunded', { kind: 'payment', userId: null }, 'payment webhook').catch((error: unknown) => {
              // a refund of an order already refunded or cancelled is a no-op, not an error for the provider
              if (isOrderError(error, 'INVALID_STATE_TRANSITION')) return null;
              throw error;
            });
            if (refunded) {
              await auditRequest(pool, request, {
                action: AUDIT_ACTIONS.ORDER_REFUNDED,
                actorId: null,
                actorType: 'system',
                target: `order:${event.data.orderId}`,
                details: { source: 'payment webhook', provider: provider.name, eventId: event.id },
              });
            }
          }
        } catch (error) {
          await forgetWebhookEvent(pool, provider.name, event.id);
          throw error;
        }
        return { received: true, duplicate: false };
      },
    );
  });
}
