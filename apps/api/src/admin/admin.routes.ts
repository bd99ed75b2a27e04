import { Type } from '@sinclair/typebox';

import { AUDIT_ACTIONS, EmptyColourNameError, findProductOwner, listAdminColourMappings, listColourFamilies, listUnmappedColours, mapColour, UnknownColourFamilyError, hasPgCode, insertCategory, listProducts, listUsers, PG_ERROR, setProductStatus, updateUserRole, getProductDetail } from '@threadline/db';

import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { auditRequest } from '../audit/audit.js';
import { currentUser, requireRole } from '../auth/session.js';
import { AppError, notFound } from '../errors.js';
import { UserSchema } from '../auth/auth.schemas.js';
import { toUserResponse } from '../auth/auth.routes.js';
import { FamilySlug, ProductDetailSchema, ProductListSchema } from '../catalog/catalog.schemas.js';
import { LIST_PRESENTATION, presentDetail, sendProductPage } from '../catalog/present.js';
import { Cursor, decodeTimeCursor, encodeCursor, errors, Id, IdParams, Limit } from '../http/common.schemas.js';

const RoleSchema = Type.Union([Type.Literal('customer'), Type.Literal('seller'), Type.Literal('admin'), Type.Literal('marketing')]);
const StatusSchema = Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('unpublished')]);

export async function adminRoutes(app: ApiApp, context: ApiContext): Promise<void> {
  const { pool } = context;
  const adminOnly = requireRole('admin');

  app.get(
    '/api/admin/users',
    {
      preValidation: adminOnly,
      schema: {
        tags: ['admin'],
        summary: 'Users, newest first; search over email and name, filter by role',
        querystring: Type.Object(
          { q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), role: Type.Optional(RoleSchema), cursor: Type.Optional(Cursor), limit: Type.Optional(Limit(50, 200)) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(UserSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const query = request.query;
      const limit = typeof query.limit === 'number' ? query.limit : 50;
      const cursor = decodeTimeCursor(query.cursor);
      const page = await listUsers(pool, { search: query.q, role: query.role, after: cursor ? { createdAt: cursor[0], id: cursor[1] } : undefined, limit });
      const last = page.users.at(-1);
      return { items: page.users.map(toUserResponse), nextCursor: page.hasMore && last ? encodeCursor(last.createdKey, last.id) : null };
    },
  );

  app.patch(
    '/api/admin/users/:id',
    {
      preValidation: adminOnly,
      schema: {
        tags: ['admin'],
        summary: "Change a user's role",
        params: IdParams,
        body: Type.Object({ role: RoleSchema }, { additionalProperties: false }),
        response: { 200: Type.Object({ user: UserSchema }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      // an admin demoting themself could leave the shop with no admin at all
      if (request.params.id === currentUser(request).id) throw new AppError('VALIDATION_FAILED', 'you cannot change your own role', 'id');
      const user = await updateUserRole(pool, request.params.id, request.body.role);
      if (!user) throw notFound('user', 'id');
      await auditRequest(pool, request, { action: AUDIT_ACTIONS.ROLE_CHANGED, target: `user:${user.id}`, details: { role: request.body.role } });
      return { user: toUserResponse(user) };
    },
  );

  app.get(
    '/api/admin/products',
    {
      preValidation: adminOnly,
      schema: {
        tags: ['admin'],
        summary: 'Products of every seller and status, newest first',
        querystring: Type.Object(
          {
            status: Type.Optional(StatusSchema),
            q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            sellerId: Type.Optional(Id),
            cursor: Type.Optional(Cursor),
            limit: Type.Optional(Limit(50, 100)),
          },
          { additionalProperties: false },
        ),
        response: { 200: ProductListSchema, ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const limit = typeof query.limit === 'number' ? query.limit : 50;
      const page = await listProducts(
        pool,
        {
          statuses: query.status ? [query.status] : ['draft', 'published', 'unpublished'],
          sellerId: query.sellerId,
          search: query.q,
          sort: 'newest',
          after: decodeTimeCursor(query.cursor),
          limit,
        },
        LIST_PRESENTATION,
      );
      return sendProductPage(reply, page);
    },
  );

  app.post(
    '/api/admin/products/:id/unpublish',
    {
      preValidation: adminOnly,
      schema: { tags: ['admin'], summary: "Take any seller's product off sale", params: IdParams, response: { 200: ProductDetailSchema, ...errors(400, 401, 403, 404) } },
    },
    async (request) => {
      if (!(await findProductOwner(pool, request.params.id))) throw notFound('product', 'id');
      await setProductStatus(pool, request.params.id, 'unpublished');
      await auditRequest(pool, request, { action: AUDIT_ACTIONS.PRODUCT_UNPUBLISHED, target: `product:${request.params.id}`, details: { by: 'admin' } });
      const product = await getProductDetail(pool, request.params.id);
      if (!product) throw notFound('product', 'id');
      return presentDetail(product, { items: [], nextCursor: null });
    },
  );

  app.post(
    '/api/admin/categories',
    {
      preValidation: adminOnly,
      schema: {
        tags: ['admin'],
        summary: 'Create a category',
        body: Type.Object(
          { slug: Type.String({ minLength: 1, maxLength: 60, pattern: '^[a-z0-9-]+$' }), name: Type.String({ minLength: 1, maxLength: 100 }), parentId: Type.Optional(Id) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.Integer(), slug: Type.String(), name: Type.String(), parentId: Type.Union([Type.Integer(), Type.Null()]) }), ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      try {
        const category = await insertCategory(pool, request.body);
        await auditRequest(pool, request, { action: AUDIT_ACTIONS.CATEGORY_CREATED, target: `category:${category.id}`, details: { slug: category.slug } });
        return reply.status(201).send(category);
      } catch (error) {
        if (hasPgCode(error, PG_ERROR.UNIQUE_VIOLATION)) throw new AppError('CONFLICT', 'a category with this slug exists', 'slug', { cause: error });
        if (hasPgCode(error, PG_ERROR.FOREIGN_KEY_VIOLATION)) throw new AppError('VALIDATION_FAILED', 'no such parent category', 'parentId', { cause: error });
        throw error;
      }
    },
  );

  app.get(
    '/api/admin/colours',
    {
      preValidation: adminOnly,
      schema: {
        tags: ['admin'],
        summary: 'The colour vocabulary: families, names on sale that no family is known for (most used first), and names staff mapped',
        response: {
          200: Type.Object({
            families: Type.Array(Type.Object({ slug: Type.String(), name: Type.String(), hex: Type.String() })),
            unmapped: Type.Array(Type.Object({ name: Type.String(), products: Type.Integer(), variants: Type.Integer() })),
            mapped: Type.Array(Type.Object({ name: Type.String(), family: Type.String(), source: Type.String() })),
          }),
          ...errors(401, 403),
        },
      },
    },
    async () => {
      const [families, unmapped, mapped] = await Promise.all([listColourFamilies(pool), listUnmappedColours(pool, { limit: 200 }), listAdminColourMappings(pool, { limit: 200 })]);
      return { families, unmapped, mapped };
    },
  );

  app.post(
    '/api/admin/colours',
    {
      preValidation: adminOnly,
      schema: {
        tags: ['admin'],
        summary: 'Map a colour name (any case or spacing) to a family, replacing an earlier mapping; its variants file under it at once',
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 40 }), family: FamilySlug }, { additionalProperties: false }),
        response: { 200: Type.Object({ name: Type.String(), family: Type.String(), variants: Type.Integer() }), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const { name, family } = request.body;
      try {
        const { variants } = await mapColour(pool, { name, family, mappedBy: currentUser(request).id });
        await auditRequest(pool, request, { action: AUDIT_ACTIONS.COLOUR_MAPPED, target: `colour_family:${family}`, details: { colour: name.trim(), family, variants } });
        return { name: name.trim(), family, variants };
      } catch (error) {
        if (error instanceof UnknownColourFamilyError) throw new AppError('VALIDATION_FAILED', error.message, 'family', { cause: error });
        if (error instanceof EmptyColourNameError) throw new AppError('VALIDATION_FAILED', error.message, 'name', { cause: error });
        throw error;
      }
    },
  );
}
