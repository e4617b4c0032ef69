import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { AppError, notFound } from '../errors';
import { validate } from '../validation';
import { IdParam, Id, ListQuery, commonProblems, json, listOf, problem } from '../schemas/common';
import { Plan, PlanCreate, PlanUpdate } from '../schemas/catalog';
import { newId } from '../domain/crypto';
import { afterCommit } from '../lib/cache';
import { deleteUnusedPlan, findPlan, findProduct, insertPlan, listPage, listPlans, updatePlan } from '../db/catalog';
import { planJson } from '../schemas/catalog-json';
import { publicPlansCache } from '../db/plans-cache';

const tags = ['Plans'];

const PlanListQuery = ListQuery.extend({ product_id: Id('prod').optional(), active: z.enum(['true', 'false']).optional() });

/** `/admin/v1/plans` */
export const plans = new Hono<AppEnv>()
  .post(
    '/',
    describeRoute({
      tags,
      summary: 'Create a plan',
      responses: { 201: json('The plan', Plan), 404: problem('Unknown product (`errors[0].path` is `product_id`)'), ...commonProblems },
    }),
    validate('json', PlanCreate),
    async (c) => {
      const input = c.req.valid('json');
      const tenantId = c.get('tenant').id;
      const db = c.get('db');
      if (!(await findProduct(db, tenantId, input.product_id))) throw notFound('product', 'product_id');
      const now = Date.now();
      const row = {
        id: newId('plan'),
        tenantId,
        productId: input.product_id,
        name: input.name,
        description: input.description ?? null,
        duration: input.duration,
        price: input.price,
        currency: input.currency,
        pricing: input.pricing,
        active: input.active,
        createdAt: now,
        updatedAt: now,
      };
      await afterCommit('catalog', tenantId, insertPlan(db, row));
      return c.json(planJson(row), 201);
    },
  )
  .get(
    '/',
    describeRoute({ tags, summary: 'List plans', responses: { 200: json('A page of plans', listOf(Plan)), ...commonProblems } }),
    validate('query', PlanListQuery),
    async (c) => {
      const q = c.req.valid('query');
      const rows = await listPlans(c.get('db'), c.get('tenant').id, {
        productId: q.product_id,
        active: q.active === undefined ? undefined : q.active === 'true',
        limit: q.limit,
        after: q.starting_after,
      });
      const page = await listPage(rows, q.limit);
      return c.json({ ...page, data: page.data.map(planJson) });
    },
  )
  .get(
    '/:id',
    describeRoute({ tags, summary: 'Get a plan', responses: { 200: json('The plan', Plan), 404: problem('Unknown plan'), ...commonProblems } }),
    validate('param', IdParam('plan')),
    async (c) => {
      const row = await findPlan(c.get('db'), c.get('tenant').id, c.req.valid('param').id);
      if (!row) throw notFound('plan', 'id');
      return c.json(planJson(row));
    },
  )
  .patch(
    '/:id',
    describeRoute({
      tags,
      summary: 'Update a plan (name, description, price, active)',
      description: 'Duration, currency, pricing and product are fixed once a plan exists. A new price applies to new cycles.',
      responses: { 200: json('The plan', Plan), 404: problem('Unknown plan'), ...commonProblems },
    }),
    validate('param', IdParam('plan')),
    validate('json', PlanUpdate),
    async (c) => {
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      const tenantId = c.get('tenant').id;
      const db = c.get('db');
      const row = await afterCommit(
        'catalog',
        tenantId,
        updatePlan(db, tenantId, id, { name: input.name, description: input.description, price: input.price, active: input.active, now: Date.now() }),
      );
      if (!row) throw notFound('plan', 'id');
      return c.json(planJson(row));
    },
  )
  .delete(
    '/:id',
    describeRoute({
      tags,
      summary: 'Delete a plan that has never had a subscription',
      description: 'A plan with subscriptions cannot be deleted (`409 plan_in_use`); set `active: false` instead.',
      responses: { 204: { description: 'Deleted' }, 404: problem('Unknown plan'), 409: problem('The plan has subscriptions'), ...commonProblems },
    }),
    validate('param', IdParam('plan')),
    async (c) => {
      const { id } = c.req.valid('param');
      const tenantId = c.get('tenant').id;
      const db = c.get('db');
      if (await afterCommit('catalog', tenantId, deleteUnusedPlan(db, tenantId, id))) return c.body(null, 204);
      if (!(await findPlan(db, tenantId, id))) throw notFound('plan', 'id');
      throw new AppError('conflict', { code: 'plan_in_use', detail: 'The plan has subscriptions; set `active: false` instead.' });
    },
  );

/** `GET /v1/plans`: the tenant's active plans, for the widget. */
export const publicPlans = new Hono<AppEnv>().get(
  '/',
  describeRoute({ tags: ['Public'], summary: 'Active plans', responses: { 200: json('Active plans', z.object({ data: z.array(Plan) })), ...commonProblems } }),
  validate('query', z.object({ product_id: Id('prod').optional() })),
  async (c) => {
    const { product_id } = c.req.valid('query');
    const tenantId = c.get('tenant').id;
    const key = `${tenantId}:${product_id ?? '*'}`;
    const now = Date.now();
    const hit = publicPlansCache.get(key, now);
    if (hit?.fresh) return c.json(hit.value);
    const generation = publicPlansCache.generation(tenantId);
    const rows = await listPlans(c.get('db'), tenantId, { productId: product_id, active: true, limit: 500 });
    const body = { data: rows.slice(0, 500).map(planJson) };
    publicPlansCache.set(key, body, { tenantId, version: now, generation, now });
    return c.json(body);
  },
);
