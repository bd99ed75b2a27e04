import { Type } from '@sinclair/typebox';

import { PASSWORD_MAX_LENGTH } from '@threadline/auth';

// the response schemas live in @threadline/contracts, shared with the web client's types
export { SessionSchema, UserEnvelopeSchema, UserSchema } from '@threadline/contracts';

/** Deliberately loose (RFC 5322 is not a regex): something@something.tld without spaces. */
export const EMAIL_PATTERN = '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$';

export const SignupBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254, pattern: EMAIL_PATTERN }),
    password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH * 4 }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    ageBand: Type.Optional(
      Type.Union([Type.Literal('18-24'), Type.Literal('25-34'), Type.Literal('35-44'), Type.Literal('45-54'), Type.Literal('55-64'), Type.Literal('65+')]),
    ),
    gender: Type.Optional(Type.Union([Type.Literal('female'), Type.Literal('male'), Type.Literal('non_binary'), Type.Literal('undisclosed')])),
    country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
    region: Type.Optional(
      Type.Union([
        Type.Literal('north_america'),
        Type.Literal('south_america'),
        Type.Literal('europe'),
        Type.Literal('asia_pacific'),
        Type.Literal('other'),
      ]),
    ),
    marketingConsent: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH * 4 }),
  },
  { additionalProperties: false },
);

export const CsrfResponse = Type.Object({ token: Type.String() });
