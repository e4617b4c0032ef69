import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import type { AppEnv } from '../env';
import { AppError, notFound } from '../errors';
import { validate } from '../validation';
import { IdParam, ListQuery, commonProblems, json, listOf, problem } from '../schemas/common';
import { Product, ProductCreate, ProductUpdate } from '../schemas/catalog';
import { newId } from '../domain/crypto';
import { deleteUnusedProduct, findProduct, insertProduct, listPage, listProducts, updateProduct } from '../db/catalog';
import { productJson } from '../schemas/catalog-json';

const tags = ['Products'];

/** `/admin/v1/products` */
export const products = new Hono<AppEnv>()
  .post(
    '/',
    describeRoute({ tags, summary: 'Create a product', responses: { 201: json('The product', Product), ...commonProblems } }),
    validate('json', ProductCreate),
    async (c) => {
      const input = c.req.valid('json');
      const now = Date.now();
      const row = {
        id: newId('prod'),
        tenantId: c.get('tenant').id,
        name: input.name,
        description: input.description ?? null,
        createdAt: now,
        updatedAt: now,
      };
      await insertProduct(c.get('db'), row);
      return c.json(productJson(row), 201);
    },
  )
  .get(
    '/',
    describeRoute({ tags, summary: 'List products', responses: { 200: json('A page of products', listOf(Product)), ...commonProblems } }),
    validate('query', ListQuery),
    async (c) => {
      const { limit, starting_after } = c.req.valid('query');
      const rows = await listProducts(c.get('db'), c.get('tenant').id, limit, starting_after);
      const page = await listPage(rows, limit);
      return c.json({ ...page, data: page.data.map(productJson) });
    },
  )
  .get(
    '/:id',
    describeRoute({ tags, summary: 'Get a product', responses: { 200: json('The product', Product), 404: problem('Unknown product'), ...commonProblems } }),
    validate('param', IdParam('prod')),
    async (c) => {
      const row = await findProduct(c.get('db'), c.get('tenant').id, c.req.valid('param').id);
      if (!row) throw notFound('product', 'id');
      return c.json(productJson(row));
    },
  )
  .patch(
    '/:id',
    describeRoute({ tags, summary: 'Update a product', responses: { 200: json('The product', Product), 404: problem('Unknown product'), ...commonProblems } }),
    validate('param', IdParam('prod')),
    validate('json', ProductUpdate),
    async (c) => {
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      const tenantId = c.get('tenant').id;
      const row = await updateProduct(c.get('db'), tenantId, id, { name: input.name, description: input.description, now: Date.now() });
      if (!row) throw notFound('product', 'id');
      return c.json(productJson(row));
    },
  )
  .delete(
    '/:id',
    describeRoute({
      tags,
      summary: 'Delete a product that no plan or offer refers to',
      responses: { 204: { description: 'Deleted' }, 404: problem('Unknown product'), 409: problem('Plans or offers still refer to the product (`product_in_use`)'), ...commonProblems },
    }),
    validate('param', IdParam('prod')),
    async (c) => {
      const { id } = c.req.valid('param');
      const tenantId = c.get('tenant').id;
      const db = c.get('db');
      // Deletes only when no plan or offer refers to the product, in one statement.
      if (await deleteUnusedProduct(db, tenantId, id)) return c.body(null, 204);
      if (!(await findProduct(db, tenantId, id))) throw notFound('product', 'id');
      throw new AppError('conflict', { code: 'product_in_use', detail: 'Plans or offers refer to this product; delete its plans first (offers keep their products forever).' });
    },
  );
