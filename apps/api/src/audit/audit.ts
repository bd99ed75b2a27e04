import type { FastifyRequest } from 'fastify';

import { recordAudit, type AuditInput, type Queryable } from '@threadline/db';

/**
 * Records an audit entry for the current request: the actor is the signed-in user (unless given)
 * and the IP is the client's (the web tier forwards it). Called after the audited change succeeded.
 * A failing audit write is logged at error level and does not undo or fail the change the user
 * already made; /metrics and alerting watch the error log.
 *
 * @example
 * await auditRequest(pool, request, { action: AUDIT_ACTIONS.ORDER_REFUNDED, target: `order:${id}` });
 */
export async function auditRequest(db: Queryable, request: FastifyRequest, input: Omit<AuditInput, 'ip'>): Promise<void> {
  const actorId = input.actorId !== undefined ? input.actorId : (request.session?.user?.id ?? null);
  try {
    await recordAudit(db, { ...input, actorId, ip: request.ip });
  } catch (error) {
    request.log.error({ err: error, audit: { action: input.action, target: input.target } }, 'audit entry could not be written');
  }
}
