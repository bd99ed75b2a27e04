import type { IncomingMessage, ServerResponse } from 'node:http';

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';

/**
 * The API's Fastify instance, typed by the TypeBox provider so routes infer types from schemas.
 * Its own module: route modules import it, and app.ts imports the route modules, so keeping the
 * type in app.ts would tie every route to app.ts in a cycle.
 */
export type ApiApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;
