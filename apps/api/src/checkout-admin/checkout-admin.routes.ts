import { Type, type Static } from '@sinclair/typebox';

import {
  countOutbox,
  deleteShippingRate,
  deleteTaxRate,
  getOutboxMail,
  hasPgCode,
  insertShippingRate,
  listOutbox,
  listShippingRates,
  listTaxRates,
  PG_ERROR,
  requeueMail,
  updateShippingRate,
  upsertTaxRate,
  type OutboxMail,
  type ShippingRateFields,
} from '@threadline/db';
import { SHIPPING_COUNTRIES, subdivisionsOf } from '@threadline/domain';

import type { ApiApp } from '../api-app.js';
import { auditRequest } from '../audit/audit.js';
import { requireRole } from '../auth/session.js';
import type { ApiContext } from '../context.js';
import { AppError, notFound } from '../errors.js';
import { Cents, errors, IdParams, OkResponse } from '../http/common.schemas.js';

const Country = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' });

const ShippingRateBody = Type.Object(
  {
    code: Type.String({ pattern: '^[a-z0-9_-]{1,40}$' }),
    name: Type.String({ minLength: 1, maxLength: 80 }),
    country: Type.Union([Country, Type.Null()], { description: 'null: every country without rates of its own' }),
    price: Cents,
    freeOver: Type.Union([Cents, Type.Null()]),
    minDays: Type.Integer({ minimum: 0, maximum: 90 }),
    maxDays: Type.Integer({ minimum: 0, maximum: 90 }),
    isActive: Type.Boolean(),
  },
  { additionalProperties: false },
);
const ShippingRateSchema = Type.Composite([Type.Object({ id: Type.Integer() }), ShippingRateBody], { $id: 'ShippingRate' });

const TaxRateBody = Type.Object(
  {
    country: Country,
    region: Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()]),
    label: Type.String({ minLength: 1, maxLength: 80 }),
    rate: Type.Number({ minimum: 0, maximum: 100, description: 'percent, e.g. 7.25 (up to 4 decimals)' }),
    appliesToShipping: Type.Boolean(),
  },
  { additionalProperties: false },
);
const TaxRateSchema = Type.Composite([Type.Object({ id: Type.Integer() }), TaxRateBody], { $id: 'TaxRate' });

const OutboxStatus = Type.Union([Type.Literal('queued'), Type.Literal('sent'), Type.Literal('failed')]);
const OutboxItem = Type.Object({
  id: Type.Integer(),
  template: Type.String(),
  to: Type.String(),
  subject: Type.String(),
  orderId: Type.Union([Type.Integer(), Type.Null()]),
  status: OutboxStatus,
  attempts: Type.Integer(),
  nextAttemptAt: Type.String(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  sentAt: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});
const OutboxDetail = Type.Composite([OutboxItem, Type.Object({ text: Type.String(), html: Type.String() })]);
const OutboxQuery = Type.Object(
  {
    status: Type.Optional(OutboxStatus),
    to: Type.Optional(Type.String({ minLength: 3, maxLength: 254 })),
    before: Type.Optional(Type.Integer({ minimum: 1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  },
  { additionalProperties: false },
);
const OutboxPage = Type.Object({
  items: Type.Array(OutboxItem),
  nextBefore: Type.Union([Type.Integer(), Type.Null()]),
  counts: Type.Object({ queued: Type.Integer(), sent: Type.Integer(), failed: Type.Integer() }),
  /** false: no SMTP_URL, so mails stay here and are not sent. */
  isDelivering: Type.Boolean(),
});

function presentMail(mail: OutboxMail): Static<typeof OutboxItem> {
  return {
    id: mail.id,
    template: mail.template,
    to: mail.to,
    subject: mail.subject,
    orderId: mail.orderId,
    status: mail.status,
    attempts: mail.attempts,
    nextAttemptAt: mail.nextAttemptAt.toISOString(),
    lastError: mail.lastError,
    sentAt: mail.sentAt?.toISOString() ?? null,
    createdAt: mail.createdAt.toISOString(),
  };
}

/** Percent with up to 4 decimals → parts per million, refusing finer rates rather than rounding them. */
function toPpm(rate: number): number {
  const ppm = Math.round(rate * 10_000);
  if (Math.abs(ppm - rate * 10_000) > 1e-6) throw new AppError('VALIDATION_FAILED', 'give the rate with at most 4 decimals', 'rate');
  return ppm;
}

function toShippingFields(body: Static<typeof ShippingRateBody>): ShippingRateFields {
  if (body.minDays > body.maxDays) throw new AppError('VALIDATION_FAILED', 'minDays must not exceed maxDays', 'minDays');
  if (body.country !== null && !SHIPPING_COUNTRIES[body.country]) throw new AppError('VALIDATION_FAILED', 'not a country the shop ships to', 'country');
  return { code: body.code, name: body.name, country: body.country, priceCents: body.price, freeOverCents: body.freeOver, minDays: body.minDays, maxDays: body.maxDays, isActive: body.isActive };
}

function presentShippingRate(rate: Awaited<ReturnType<typeof listShippingRates>>[number]): Static<typeof ShippingRateSchema> {
  return { id: rate.id, code: rate.code, name: rate.name, country: rate.country, price: rate.priceCents, freeOver: rate.freeOverCents, minDays: rate.minDays, maxDays: rate.maxDays, isActive: rate.isActive };
}

/**
 * Back office for checkout: shipping rates, the tax rate table and the e-mail outbox (admins).
 */
export async function checkoutAdminRoutes(app: ApiApp, context: ApiContext): Promise<void> {
  const { pool } = context;
  const adminOnly = requireRole('admin');

  app.get(
    '/api/admin/shipping-rates',
    { preValidation: adminOnly, schema: { tags: ['admin'], summary: 'Shipping methods and rates (by country; country null is every other country)', response: { 200: Type.Object({ items: Type.Array(ShippingRateSchema) }), ...errors(401, 403) } } },
    async () => ({ items: (await listShippingRates(pool, { isActiveOnly: false })).map(presentShippingRate) }),
  );

  app.post(
    '/api/admin/shipping-rates',
    { preValidation: adminOnly, schema: { tags: ['admin'], summary: 'Add a shipping rate (flat price, optionally free from an amount)', body: ShippingRateBody, response: { 201: ShippingRateSchema, ...errors(400, 401, 403, 409) } } },
    async (request, reply) => {
      try {
        const rate = await insertShippingRate(pool, toShippingFields(request.body));
        await auditRequest(pool, request, { action: 'settings.shipping_rate_added', target: `shipping_rate:${rate.id}` });
        return reply.status(201).send(presentShippingRate(rate));
      } catch (error) {
        if (hasPgCode(error, PG_ERROR.UNIQUE_VIOLATION)) throw new AppError('CONFLICT', 'this country already has a method with this code', 'code', { cause: error });
        throw error;
      }
    },
  );

  app.put(
    '/api/admin/shipping-rates/:id',
    { preValidation: adminOnly, schema: { tags: ['admin'], summary: 'Change a shipping rate', params: IdParams, body: ShippingRateBody, response: { 200: ShippingRateSchema, ...errors(400, 401, 403, 404, 409) } } },
    async (request) => {
      try {
        const rate = await updateShippingRate(pool, request.params.id, toShippingFields(request.body));
        if (!rate) throw notFound('shipping rate', 'id');
        await auditRequest(pool, request, { action: 'settings.shipping_rate_changed', target: `shipping_rate:${rate.id}`, details: { price: rate.priceCents, freeOver: rate.freeOverCents, isActive: rate.isActive } });
        return presentShippingRate(rate);
      } catch (error) {
        if (hasPgCode(error, PG_ERROR.UNIQUE_VIOLATION)) throw new AppError('CONFLICT', 'this country already has a method with this code', 'code', { cause: error });
        throw error;
      }
    },
  );

  app.delete(
    '/api/admin/shipping-rates/:id',
    { preValidation: adminOnly, schema: { tags: ['admin'], summary: 'Remove a shipping rate', params: IdParams, response: { 200: OkResponse, ...errors(400, 401, 403, 404) } } },
    async (request) => {
      if (!(await deleteShippingRate(pool, request.params.id))) throw notFound('shipping rate', 'id');
      await auditRequest(pool, request, { action: 'settings.shipping_rate_removed', target: `shipping_rate:${request.params.id}` });
      return { ok: true };
    },
  );

  app.get(
    '/api/admin/tax-rates',
    { preValidation: adminOnly, schema: { tags: ['admin'], summary: 'The tax rate table (a model to configure, not tax advice)', response: { 200: Type.Object({ items: Type.Array(TaxRateSchema) }), ...errors(401, 403) } } },
    async () => ({ items: (await listTaxRates(pool)).map((rate) => ({ id: rate.id, country: rate.country, region: rate.region, label: rate.label, rate: rate.ratePpm / 10_000, appliesToShipping: rate.appliesToShipping })) }),
  );

  app.put(
    '/api/admin/tax-rates',
    { preValidation: adminOnly, schema: { tags: ['admin'], summary: 'Set the tax rate of a country or region (adds or replaces)', body: TaxRateBody, response: { 200: TaxRateSchema, ...errors(400, 401, 403) } } },
    async (request) => {
      const body = request.body;
      let region = body.region === null ? null : body.region.trim();
      const subdivisions = subdivisionsOf(body.country);
      if (region !== null && subdivisions) {
        region = region.toUpperCase().replace(/^(US|CA)-/, '');
        if (!subdivisions[region]) throw new AppError('VALIDATION_FAILED', `not a ${body.country === 'US' ? 'state' : 'province'} code`, 'region');
      }
      const rate = await upsertTaxRate(pool, { country: body.country, region, label: body.label.trim(), ratePpm: toPpm(body.rate), appliesToShipping: body.appliesToShipping });
      await auditRequest(pool, request, { action: 'settings.tax_rate_set', target: `tax_rate:${rate.id}`, details: { country: rate.country, region: rate.region, ratePpm: rate.ratePpm } });
      return { id: rate.id, country: rate.country, region: rate.region, label: rate.label, rate: rate.ratePpm / 10_000, appliesToShipping: rate.appliesToShipping };
    },
  );

  app.delete(
    '/api/admin/tax-rates/:id',
    { preValidation: adminOnly, schema: { tags: ['admin'], summary: 'Remove a tax rate', params: IdParams, response: { 200: OkResponse, ...errors(400, 401, 403, 404) } } },
    async (request) => {
      if (!(await deleteTaxRate(pool, request.params.id))) throw notFound('tax rate', 'id');
      await auditRequest(pool, request, { action: 'settings.tax_rate_removed', target: `tax_rate:${request.params.id}` });
      return { ok: true };
    },
  );

  app.get(
    '/api/admin/outbox',
    { preValidation: adminOnly, schema: { tags: ['admin'], summary: 'The e-mail outbox, newest first (queued, sent, failed)', querystring: OutboxQuery, response: { 200: OutboxPage, ...errors(400, 401, 403) } } },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const [page, counts] = await Promise.all([listOutbox(pool, { status: request.query.status, to: request.query.to, beforeId: request.query.before, limit }), countOutbox(pool)]);
      const last = page.mails.at(-1);
      return { items: page.mails.map(presentMail), nextBefore: page.hasMore && last ? last.id : null, counts, isDelivering: context.config.smtpUrl !== undefined };
    },
  );

  app.get(
    '/api/admin/outbox/:id',
    { preValidation: adminOnly, schema: { tags: ['admin'], summary: 'One stored e-mail with its text and HTML', params: IdParams, response: { 200: OutboxDetail, ...errors(400, 401, 403, 404) } } },
    async (request) => {
      const mail = await getOutboxMail(pool, request.params.id);
      if (!mail) throw notFound('mail', 'id');
      return { ...presentMail(mail), text: mail.text, html: mail.html };
    },
  );

  app.post(
    '/api/admin/outbox/:id/retry',
    { config: { leavesCatalog: true }, preValidation: adminOnly, schema: { tags: ['admin'], summary: 'Queue a failed e-mail again', params: IdParams, response: { 200: OkResponse, ...errors(400, 401, 403, 404, 409) } } },
    async (request) => {
      if (!(await requeueMail(pool, request.params.id))) {
        if (!(await getOutboxMail(pool, request.params.id))) throw notFound('mail', 'id');
        throw new AppError('CONFLICT', 'only failed mails can be retried');
      }
      await auditRequest(pool, request, { action: 'mail.retried', target: `mail:${request.params.id}` });
      return { ok: true };
    },
  );
}
