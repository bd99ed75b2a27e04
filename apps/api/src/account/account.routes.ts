import { Type } from '@sinclair/typebox';

import { verifyPassword } from '@threadline/auth';
import { anonymiseAccount, AUDIT_ACTIONS, exportAccountData, findCredentialsByEmail, withTransaction } from '@threadline/db';

import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { auditRequest } from '../audit/audit.js';
import { currentUser, requireRole, SESSION_COOKIE } from '../auth/session.js';
import { AppError } from '../errors.js';
import { errors } from '../http/common.schemas.js';

const DeleteBody = Type.Object(
  {
    /** The current password again: deletion cannot be undone, so a stolen session is not enough. */
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    confirm: Type.Literal('DELETE'),
  },
  { additionalProperties: false },
);

/**
 * Privacy self-service: `GET /api/account/export` (the customer's own data as a JSON download)
 * and `DELETE /api/account` (anonymise the account, keep orders for accounting). Both are
 * audited with ids only.
 */
export async function accountRoutes(app: ApiApp, context: ApiContext): Promise<void> {
  const { pool } = context;

  app.get(
    '/api/account/export',
    {
      preValidation: requireRole(),
      schema: {
        tags: ['account'],
        summary: 'Download all data the shop holds about the signed-in customer (JSON)',
        response: { 200: Type.Object({ exportedAt: Type.String(), format: Type.Literal('threadline-account-export/1') }, { additionalProperties: true }), ...errors(401) },
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      const data = await exportAccountData(pool, user.id);
      if (!data) throw new AppError('UNAUTHENTICATED', 'sign in first');
      await auditRequest(pool, request, { action: AUDIT_ACTIONS.ACCOUNT_EXPORTED, target: `user:${user.id}`, details: { orders: data.orders.length, reviews: data.reviews.length } });
      void reply
        .header('content-disposition', `attachment; filename="threadline-account-${user.id}.json"`)
        .header('cache-control', 'no-store');
      return { exportedAt: new Date().toISOString(), format: 'threadline-account-export/1' as const, ...data };
    },
  );

  app.delete(
    '/api/account',
    {
      config: { leavesCatalog: true },
      preValidation: requireRole(),
      schema: {
        tags: ['account'],
        summary: 'Delete the signed-in account: personal data is erased, orders are kept anonymised for accounting',
        body: DeleteBody,
        response: {
          200: Type.Object({ deleted: Type.Literal(true), ordersKept: Type.Integer(), reviewsAnonymised: Type.Integer() }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      const credentials = await findCredentialsByEmail(pool, user.email);
      const isValid = credentials?.passwordHash ? await verifyPassword(credentials.passwordHash, request.body.password) : false;
      if (!isValid) throw new AppError('INVALID_CREDENTIALS', 'the password is wrong', 'password');
      const result = await withTransaction(pool, (client) => anonymiseAccount(client, user.id));
      if (!result) throw new AppError('UNAUTHENTICATED', 'sign in first');
      await auditRequest(pool, request, {
        action: AUDIT_ACTIONS.ACCOUNT_DELETED,
        actorId: user.id,
        target: `user:${user.id}`,
        details: { ordersKept: result.ordersKept, reviewsAnonymised: result.reviewsAnonymised },
      });
      // the session rows are gone with the account; the browser forgets the cookie too
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { deleted: true as const, ordersKept: result.ordersKept, reviewsAnonymised: result.reviewsAnonymised };
    },
  );
}
