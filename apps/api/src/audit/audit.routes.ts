import { Type } from '@sinclair/typebox';

import { AUDIT_PAGE_MAX, listAudit } from '@threadline/db';

import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { requireRole } from '../auth/session.js';
import { AppError } from '../errors.js';
import { errors, Id } from '../http/common.schemas.js';

const ACTION = '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$';

export const AuditEntryResponse = Type.Object({
  id: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  action: Type.String(),
  actorId: Type.Union([Type.Integer(), Type.Null()]),
  /** The actor's current name (shown to admins; the log itself stores only the id). */
  actorName: Type.Union([Type.String(), Type.Null()]),
  actorType: Type.Union([Type.Literal('user'), Type.Literal('system')]),
  ip: Type.Union([Type.String(), Type.Null()]),
  target: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});

const AuditQuery = Type.Object(
  {
    action: Type.Optional(Type.String({ pattern: ACTION, maxLength: 64 })),
    area: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]*$', maxLength: 32 })),
    actorId: Type.Optional(Id),
    target: Type.Optional(Type.String({ pattern: '^[a-z_]+:[^\\s]{1,180}$' })),
    since: Type.Optional(Type.String({ format: 'date-time' })),
    until: Type.Optional(Type.String({ format: 'date-time' })),
    before: Type.Optional(Id),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: AUDIT_PAGE_MAX, default: 100 })),
  },
  { additionalProperties: false },
);

function parseTime(value: string | undefined, field: string): Date | undefined {
  if (value === undefined) return undefined;
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw new AppError('VALIDATION_FAILED', `${field} must be an ISO 8601 date-time`, field);
  return time;
}

/**
 * `GET /api/admin/audit`: the audit log for admins, newest first, filtered by action, area,
 * actor, target and time; paged with `before` (the previous page's `nextBefore`). There is no
 * route that changes or deletes entries, and the table rejects such statements anyway.
 */
export async function auditRoutes(app: ApiApp, context: ApiContext): Promise<void> {
  app.get(
    '/api/admin/audit',
    {
      preValidation: requireRole('admin'),
      schema: {
        tags: ['admin'],
        summary: 'Audit log: logins, failed logins, role changes, publishing, order changes, refunds, exports, backups',
        querystring: AuditQuery,
        response: { 200: Type.Object({ items: Type.Array(AuditEntryResponse), nextBefore: Type.Union([Type.Integer(), Type.Null()]) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const query = request.query;
      const since = parseTime(query.since, 'since');
      const until = parseTime(query.until, 'until');
      if (since && until && since >= until) throw new AppError('VALIDATION_FAILED', 'since must be before until', 'since');
      const page = await listAudit(context.pool, {
        action: query.action,
        area: query.area,
        actorId: query.actorId,
        target: query.target,
        since,
        until,
        before: query.before,
        limit: query.limit,
      });
      return { items: page.entries.map((entry) => ({ ...entry, at: entry.at.toISOString() })), nextBefore: page.nextBefore };
    },
  );
}
