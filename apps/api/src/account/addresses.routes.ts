import { Type, type Static } from '@sinclair/typebox';

import { deleteAddress, insertAddress, listAddresses, MAX_ADDRESSES, setDefaultAddress, withTransaction, type AddressRecord } from '@threadline/db';

import { SavedAddressSchema } from '@threadline/contracts';

import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { currentUser, requireRole } from '../auth/session.js';
import { AppError, notFound } from '../errors.js';
import { errors, IdParams, OkResponse } from '../http/common.schemas.js';
import { AddressSchema } from '../orders/orders.schemas.js';
import { requireAddress } from '../orders/require-address.js';

const SavedAddress = SavedAddressSchema;

const AddressList = Type.Object({ items: Type.Array(SavedAddress) });
const NewAddressBody = Type.Object({ address: AddressSchema, isDefault: Type.Optional(Type.Boolean()) }, { additionalProperties: false });

function present(address: AddressRecord): Static<typeof SavedAddress> {
  return { ...address };
}

/** The signed-in customer's address book (checkout offers these addresses). */
export async function addressesRoutes(app: ApiApp, context: ApiContext): Promise<void> {
  const { pool } = context;
  const signedIn = requireRole();

  app.get(
    '/api/account/addresses',
    { preValidation: signedIn, schema: { tags: ['account'], summary: 'The address book, the default first', response: { 200: AddressList, ...errors(401) } } },
    async (request) => ({ items: (await listAddresses(pool, currentUser(request).id)).map(present) }),
  );

  app.post(
    '/api/account/addresses',
    {
      config: { leavesCatalog: true },
      preValidation: signedIn,
      schema: { tags: ['account'], summary: `Add an address (at most ${MAX_ADDRESSES}; the first one is the default)`, body: NewAddressBody, response: { 201: SavedAddress, ...errors(400, 401, 403, 409) } },
    },
    async (request, reply) => {
      const user = currentUser(request);
      const address = requireAddress(request.body.address);
      const saved = await withTransaction(pool, (client) => insertAddress(client, user.id, address, request.body.isDefault ?? false));
      if (!saved) throw new AppError('CONFLICT', `the address book is full (${MAX_ADDRESSES} addresses); remove one first`);
      return reply.status(201).send(present(saved));
    },
  );

  app.post(
    '/api/account/addresses/:id/default',
    { config: { leavesCatalog: true }, preValidation: signedIn, schema: { tags: ['account'], summary: 'Make an address the default', params: IdParams, response: { 200: OkResponse, ...errors(400, 401, 403, 404) } } },
    async (request) => {
      const isSet = await withTransaction(pool, (client) => setDefaultAddress(client, currentUser(request).id, request.params.id));
      if (!isSet) throw notFound('address', 'id');
      return { ok: true };
    },
  );

  app.delete(
    '/api/account/addresses/:id',
    { config: { leavesCatalog: true }, preValidation: signedIn, schema: { tags: ['account'], summary: 'Remove an address', params: IdParams, response: { 200: OkResponse, ...errors(400, 401, 403, 404) } } },
    async (request) => {
      const isDeleted = await withTransaction(pool, (client) => deleteAddress(client, currentUser(request).id, request.params.id));
      if (!isDeleted) throw notFound('address', 'id');
      return { ok: true };
    },
  );
}
