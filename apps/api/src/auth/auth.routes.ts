import { createHmac } from 'node:crypto';

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';

import { checkPasswordRules, hashPassword, lockDurationMs, verifyPassword } from '@threadline/auth';
import {
  AUDIT_ACTIONS,
  clearLoginFailures,
  deleteSession,
  findCredentialsByEmail,
  findLoginFailures,
  findUserById,
  hasPgCode,
  insertUser,
  mergeSessionCartIntoUser,
  PG_ERROR,
  recordFailedLogin,
  recordLoginFailure,
  resetFailedLogins,
  withTransaction,
  type UserRecord,
} from '@threadline/db';
import { MAX_LINE_QUANTITY } from '@threadline/domain';

import type { ApiApp } from '../api-app.js';
import { auditRequest } from '../audit/audit.js';
import type { ApiContext } from '../context.js';
import { AppError } from '../errors.js';
import { errors, OkResponse } from '../http/common.schemas.js';
import { CsrfResponse, LoginBody, SessionSchema, SignupBody, UserEnvelopeSchema, UserSchema } from './auth.schemas.js';
import { LoginThrottle } from './login-throttle.js';
import { currentUser, endSession, requireRole, startSession } from './session.js';

/** Failed logins one address may make per window before it gets 429s. */
const FAILURES_PER_ADDRESS = 30;
const FAILURE_WINDOW_MS = 10 * 60_000;

export function toUserResponse(user: UserRecord): Static<typeof UserSchema> {
  return { ...user, createdAt: user.createdAt.toISOString() };
}

/**
 * Burned on unknown emails so that "no such account" takes as long as "wrong password" and the
 * response time does not reveal which emails have accounts.
 */
let dummyHash: Promise<string> | undefined;

export async function authRoutes(app: ApiApp, context: ApiContext): Promise<void> {
  const { pool } = context;
  // Secure cookies in production and whenever browsers reach the shop over HTTPS
  const isSecureCookie = context.config.nodeEnv === 'production' || (context.edge ?? context.config.edge).isHttps;
  const throttle = new LoginThrottle(FAILURES_PER_ADDRESS, FAILURE_WINDOW_MS);
  /** Addresses without an account are counted under a keyed hash: never stored in the clear. */
  const loginKey = (email: string): Buffer => createHmac('sha256', context.secrets.sessionSecret).update(`login:${email.trim().toLowerCase()}`).digest();

  /** Signs a user in: the anonymous cart joins theirs and a fresh session id replaces the old one. */
  async function signIn(request: FastifyRequest, reply: FastifyReply, userId: number): Promise<void> {
    const previous = request.session;
    if (previous) {
      await withTransaction(pool, (client) => mergeSessionCartIntoUser(client, previous.idHash, userId, MAX_LINE_QUANTITY));
    }
    await startSession(pool, request, reply, { userId, isSecureCookie, ...(previous ? { csrfToken: previous.csrfToken } : {}) });
    if (previous) await deleteSession(pool, previous.idHash);
  }

  app.get(
    '/api/auth/csrf',
    {
      schema: {
        tags: ['auth'],
        summary: 'CSRF token for state-changing requests (starts an anonymous session when there is none)',
        response: { 200: CsrfResponse },
      },
    },
    async (request, reply) => {
      if (request.session) return { token: request.session.csrfToken };
      const { csrfToken } = await startSession(pool, request, reply, { isSecureCookie });
      return { token: csrfToken };
    },
  );

  app.post(
    '/api/auth/signup',
    {
      config: { leavesCatalog: true },
      schema: {
        tags: ['auth'],
        summary: 'Create a customer account and sign in',
        body: SignupBody,
        response: { 201: UserEnvelopeSchema, ...errors(400, 403, 409) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const problem = checkPasswordRules(body.password, { email: body.email });
      if (problem) throw new AppError('VALIDATION_FAILED', problem, 'password');
      let user: UserRecord;
      try {
        user = await insertUser(pool, {
          email: body.email.trim(),
          passwordHash: await hashPassword(body.password),
          name: body.name.trim() || body.name,
          ageBand: body.ageBand ?? null,
          gender: body.gender ?? null,
          country: body.country ?? null,
          region: body.region ?? null,
          marketingConsent: body.marketingConsent ?? false,
        });
      } catch (error) {
        if (hasPgCode(error, PG_ERROR.UNIQUE_VIOLATION)) {
          throw new AppError('EMAIL_TAKEN', 'an account with this email already exists', 'email', { cause: error });
        }
        throw error;
      }
      // failures counted while the address had no account must not lock the new account's owner
      await clearLoginFailures(pool, loginKey(body.email));
      await signIn(request, reply, user.id);
      return reply.status(201).send({ user: toUserResponse(user) });
    },
  );

  app.post(
    '/api/auth/login',
    {
      config: { leavesCatalog: true },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password (sets the session cookie)',
        body: LoginBody,
        response: { 200: UserEnvelopeSchema, ...errors(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const retryMs = throttle.retryAfterMs(request.ip);
      if (retryMs > 0) {
        throw new AppError('RATE_LIMITED', 'too many failed sign-ins from this address; try again later', undefined, {
          headers: { 'retry-after': String(Math.ceil(retryMs / 1000)) },
        });
      }
      const { email, password } = request.body;
      const credentials = await findCredentialsByEmail(pool, email.trim());
      // an address without an account locks exactly like an account (same count, same backoff,
      // same answer): otherwise 429 after six failures would tell which addresses are customers
      const unknownKey = credentials ? undefined : loginKey(email);
      const lockedUntil = credentials ? credentials.lockedUntil : unknownKey ? ((await findLoginFailures(pool, unknownKey))?.lockedUntil ?? null) : null;
      if (lockedUntil && lockedUntil.getTime() > Date.now()) {
        const seconds = Math.ceil((lockedUntil.getTime() - Date.now()) / 1000);
        await auditRequest(pool, request, { action: AUDIT_ACTIONS.LOGIN_FAILED, actorId: null, target: credentials ? `user:${credentials.id}` : null, details: { reason: 'locked' } });
        throw new AppError('ACCOUNT_LOCKED', `too many failed sign-ins for this account; try again in ${seconds} s`, undefined, {
          headers: { 'retry-after': String(seconds) },
        });
      }
      dummyHash ??= hashPassword('not-a-real-password-for-timing');
      const isValid = credentials?.passwordHash
        ? await verifyPassword(credentials.passwordHash, password)
        : (await verifyPassword(await dummyHash, password), false);
      if (!credentials || !isValid) {
        throttle.recordFailure(request.ip);
        if (credentials) await recordFailedLogin(pool, credentials.id, lockDurationMs);
        else if (unknownKey) await recordLoginFailure(pool, unknownKey, lockDurationMs);
        // ids only: the e-mail tried is personal data and the log is never rewritten
        await auditRequest(pool, request, {
          action: AUDIT_ACTIONS.LOGIN_FAILED,
          actorId: null,
          target: credentials ? `user:${credentials.id}` : null,
          details: { reason: credentials ? 'wrong_password' : 'unknown_email' },
        });
        throw new AppError('INVALID_CREDENTIALS', 'email or password is wrong');
      }
      await resetFailedLogins(pool, credentials.id);
      const user = await findUserById(pool, credentials.id);
      if (!user) throw new AppError('INVALID_CREDENTIALS', 'email or password is wrong');
      await signIn(request, reply, user.id);
      await auditRequest(pool, request, { action: AUDIT_ACTIONS.LOGIN, actorId: user.id, target: `user:${user.id}` });
      return { user: toUserResponse(user) };
    },
  );

  app.post(
    '/api/auth/logout',
    { config: { leavesCatalog: true }, schema: { tags: ['auth'], summary: 'Sign out (ends the server-side session)', response: { 200: OkResponse, ...errors(403) } } },
    async (request, reply) => {
      await endSession(pool, request, reply);
      return { ok: true };
    },
  );

  app.get(
    '/api/me',
    {
      preValidation: requireRole(),
      schema: { tags: ['auth'], summary: 'The signed-in user', response: { 200: UserEnvelopeSchema, ...errors(401) } },
    },
    async (request) => {
      const user = await findUserById(pool, currentUser(request).id);
      if (!user) throw new AppError('UNAUTHENTICATED', 'sign in first');
      return { user: toUserResponse(user) };
    },
  );

  // pages ask who is signed in on every load: an anonymous visitor is an answer, not an error
  // (a 401 here filled every shopper's console with a failed request)
  app.get(
    '/api/auth/session',
    {
      schema: {
        tags: ['auth'],
        summary: 'Who is signed in: the user, or null for an anonymous visitor (never 401)',
        response: { 200: SessionSchema },
      },
    },
    async (request) => {
      const sessionUser = request.session?.user;
      const user = sessionUser ? await findUserById(pool, sessionUser.id) : null;
      return { user: user ? toUserResponse(user) : null };
    },
  );
}
