import { Type } from '@sinclair/typebox';

import { checkPasswordRules, hashPassword } from '@threadline/auth';
import { enqueueMail, findUserById } from '@threadline/db';
import { claimAccount, issueClaimToken } from '@threadline/db/account-claims';
import { renderAccountClaim } from '@threadline/mail';

import type { ApiApp } from '../api-app.js';
import { auditRequest } from '../audit/audit.js';
import { currentUser, requireRole } from '../auth/session.js';
import type { ApiContext } from '../context.js';
import { AppError, notFound } from '../errors.js';
import { errors, IdParams, OkResponse } from '../http/common.schemas.js';

const IssuedResponse = Type.Object({
  token: Type.String(),
  /** Path of the page where the customer sets a password. */
  claimPath: Type.String(),
  expiresAt: Type.String(),
});

const ClaimBody = Type.Object(
  { token: Type.String({ minLength: 20, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' }), password: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

/**
 * Account claims for customers imported from the old shop, who have no password: an admin issues
 * a one-time token (valid 7 days) and the customer sets a password with it at /claim.
 */
export async function accountClaimRoutes(app: ApiApp, context: ApiContext): Promise<void> {
  app.post(
    '/api/admin/users/:id/claim-token',
    {
      config: { leavesCatalog: true },
      preValidation: requireRole('admin'),
      schema: { tags: ['admin'], summary: 'Issue a one-time token with which a customer sets a password (also e-mailed to them)', params: IdParams, response: { 201: IssuedResponse, ...errors(400, 401, 403, 404) } },
    },
    async (request, reply) => {
      const issued = await issueClaimToken(context.pool, { id: request.params.id }, currentUser(request).id);
      if (!issued) throw notFound('user', 'id');
      await auditRequest(context.pool, request, { action: 'user.claim_token_issued', target: `user:${issued.userId}` });
      // the customer gets the link by e-mail too (outbox; delivered when SMTP_URL is set)
      const user = await findUserById(context.pool, issued.userId);
      const mail = renderAccountClaim({ name: user?.name ?? 'there', claimUrl: `${context.config.publicUrl}/claim?token=${issued.token}`, expiresAt: issued.expiresAt });
      await enqueueMail(context.pool, { ...mail, to: issued.email, userId: issued.userId });
      return reply.status(201).send({ token: issued.token, claimPath: `/claim?token=${issued.token}`, expiresAt: issued.expiresAt.toISOString() });
    },
  );

  app.post(
    '/api/auth/claim',
    { config: { leavesCatalog: true }, schema: { tags: ['auth'], summary: 'Set the password of an imported account with a claim token (ends every session of the account)', body: ClaimBody, response: { 200: OkResponse, ...errors(400, 403) } } },
    async (request) => {
      const problem = checkPasswordRules(request.body.password);
      if (problem) throw new AppError('VALIDATION_FAILED', problem, 'password');
      const userId = await claimAccount(context.pool, request.body.token, await hashPassword(request.body.password));
      if (userId === undefined) throw new AppError('VALIDATION_FAILED', 'this link is invalid, used or expired; ask the shop for a new one', 'token');
      await auditRequest(context.pool, request, { action: 'user.account_claimed', actorId: userId, target: `user:${userId}` });
      return { ok: true };
    },
  );
}
