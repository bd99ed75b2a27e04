import { Type, type Static } from '@sinclair/typebox';

/** The API's answers about users and the signed-in session (/api/auth/*, /api/admin/users). */

export const RoleSchema = Type.Union([Type.Literal('customer'), Type.Literal('seller'), Type.Literal('admin'), Type.Literal('marketing')]);

export const UserSchema = Type.Object(
  {
    id: Type.Integer(),
    // null only for customers imported from the old shop without one
    email: Type.Union([Type.String(), Type.Null()]),
    name: Type.String(),
    role: RoleSchema,
    ageBand: Type.Union([Type.String(), Type.Null()]),
    gender: Type.Union([Type.String(), Type.Null()]),
    country: Type.Union([Type.String(), Type.Null()]),
    region: Type.Union([Type.String(), Type.Null()]),
    marketingConsent: Type.Boolean(),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'User' },
);

/** Sign-up, sign-in and GET /api/auth/me. */
export const UserEnvelopeSchema = Type.Object({ user: UserSchema });

/** GET /api/auth/session: the signed-in user, or null for an anonymous visitor. */
export const SessionSchema = Type.Object({ user: Type.Union([UserSchema, Type.Null()]) });

export type Role = Static<typeof RoleSchema>;
export type User = Static<typeof UserSchema>;
export type UserEnvelope = Static<typeof UserEnvelopeSchema>;
export type SessionResponse = Static<typeof SessionSchema>;
