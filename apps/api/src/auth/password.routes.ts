import { Type } from '@sinclair/typebox';

import { checkPasswordRules, hashPassword, verifyPassword } from '@threadline/auth';
import {
  countResetTokensSince,
  enqueueMail,
  findPasswordHash,
  findResettableUser,
  issueResetToken,
  RESET_TOKEN_TTL_MS,
  resetPasswordWithToken,
  setPasswordEndingSessions,
  withTransaction,
} from '@threadline/db';
import { renderPasswordReset } from '@threadline/mail';

import type { ApiApp } from '../api-app.js';
import { auditRequest } from '../audit/audit.js';
import type { ApiContext } from '../context.js';
import { AppError } from '../errors.js';
import { errors, OkResponse } from '../http/common.schemas.js';
import { LoginThrottle } from './login-throttle.js';
import { currentUser, requireRole } from './session.js';

/** Reset requests one client address may make per window (each replica counts on its own). */
const REQUESTS_PER_ADDRESS = 10;
const REQUEST_WINDOW_MS = 15 * 60_000;
/** Reset links one account is sent per hour; further requests are answered the same, with no mail. */
const LINKS_PER_ACCOUNT_PER_HOUR = 3;

/** The one answer to every well-formed reset request, whether or not the e-mail has an account. */
export const RESET_REQUESTED_MESSAGE = 'If an account exists for this e-mail, we have sent it a link to choose a new password. The link works for one hour.';

const RequestBody = Type.Object({ email: Type.String({ minLength: 3, maxLength: 254 }) }, { additionalProperties: false });
const TokenPassword = Type.Object(
  { token: Type.String({ minLength: 20, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' }), password: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
const ChangeBody = Type.Object(
  { currentPassword: Type.String({ minLength: 1, maxLength: 1024 }), newPassword: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

function checkNewPassword(password: string, email: string | null, field: string): void {
  const problem = checkPasswordRules(password);
  if (problem) throw new AppError('VALIDATION_FAILED', problem, field);
  if (email !== null && password.trim().toLowerCase() === email.trim().toLowerCase()) {
    throw new AppError('VALIDATION_FAILED', 'the password must not be your e-mail address', field);
  }
}

/**
 * Passwords: "Forgot password?" by e-mailed single-use link, and the change in account settings.
 * Every change goes through setPasswordEndingSessions, so it ends every other session.
 */
export async function passwordRoutes(app: ApiApp, context: ApiContext): Promise<void> {
  const { pool } = context;
  const throttle = new LoginThrottle(REQUESTS_PER_ADDRESS, REQUEST_WINDOW_MS);

  app.post(
    '/api/auth/password-reset',
    {
      config: { leavesCatalog: true },
      schema: {
        tags: ['auth'],
        summary: 'E-mail a single-use link to choose a new password. The answer is the same for known and unknown e-mails.',
        body: RequestBody,
        response: { 202: Type.Object({ ok: Type.Literal(true), message: Type.String() }), ...errors(400, 403, 429) },
      },
    },
    async (request, reply) => {
      const retryMs = throttle.retryAfterMs(request.ip);
      if (retryMs > 0) {
        throw new AppError('RATE_LIMITED', 'too many password reset requests from this address; try again later', undefined, {
          headers: { 'retry-after': String(Math.ceil(retryMs / 1000)) },
        });
      }
      throttle.recordFailure(request.ip);
      const user = await findResettableUser(pool, request.body.email.trim());
      if (user) {
        await withTransaction(pool, async (client) => {
          const recent = await countResetTokensSince(client, user.id, new Date(Date.now() - 60 * 60_000));
          if (recent >= LINKS_PER_ACCOUNT_PER_HOUR) return;
          const { token } = await issueResetToken(client, user.id);
          // the token rides after '#', so it never reaches a server's access log
          const mail = renderPasswordReset({ name: user.name, resetUrl: `${context.config.publicUrl}/reset-password#token=${token}`, validMinutes: RESET_TOKEN_TTL_MS / 60_000 });
          await enqueueMail(client, { ...mail, to: user.email, userId: user.id });
        });
        await auditRequest(pool, request, { action: 'auth.password_reset_requested', actorId: null, target: `user:${user.id}` });
      }
      return reply.status(202).send({ ok: true as const, message: RESET_REQUESTED_MESSAGE });
    },
  );

  app.post(
    '/api/auth/password-reset/confirm',
    {
      config: { leavesCatalog: true },
      schema: {
        tags: ['auth'],
        summary: 'Set a new password with the token from the reset e-mail; every session of the account ends',
        body: TokenPassword,
        response: { 200: OkResponse, ...errors(400, 403) },
      },
    },
    async (request) => {
      checkNewPassword(request.body.password, null, 'password');
      const passwordHash = await hashPassword(request.body.password);
      const userId = await withTransaction(pool, (client) => resetPasswordWithToken(client, request.body.token, passwordHash));
      if (userId === undefined) throw new AppError('VALIDATION_FAILED', 'this reset link is invalid, used or expired; ask for a new one', 'token');
      await auditRequest(pool, request, { action: 'auth.password_reset', actorId: userId, target: `user:${userId}` });
      return { ok: true };
    },
  );

  app.post(
    '/api/account/password',
    {
      config: { leavesCatalog: true },
      preValidation: requireRole(),
      schema: {
        tags: ['account'],
        summary: 'Change the password (the current one is needed); every other session of the account ends',
        body: ChangeBody,
        response: { 200: OkResponse, ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const user = currentUser(request);
      const hash = await findPasswordHash(pool, user.id);
      if (!hash || !(await verifyPassword(hash, request.body.currentPassword))) throw new AppError('INVALID_CREDENTIALS', 'the current password is wrong', 'currentPassword');
      checkNewPassword(request.body.newPassword, user.email, 'newPassword');
      const passwordHash = await hashPassword(request.body.newPassword);
      const keep = request.session?.idHash ?? null;
      await withTransaction(pool, (client) => setPasswordEndingSessions(client, { userId: user.id, passwordHash, keepSessionIdHash: keep }));
      await auditRequest(pool, request, { action: 'auth.password_changed', actorId: user.id, target: `user:${user.id}` });
      return { ok: true };
    },
  );
}
