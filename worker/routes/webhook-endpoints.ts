import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import type { AppEnv } from '../env';
import { AppError, invalidField, notFound } from '../errors';
import { validate } from '../validation';
import { ListQuery, commonProblems, json, listOf, problem } from '../schemas/common';
import {
  WebhookDeliveriesQuery,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointCreate,
  WebhookEndpointParam,
  WebhookEndpointUpdate,
  WebhookEndpointWithSecret,
} from '../schemas/webhooks';
import { newId } from '../domain/crypto';
import { deriveWebhookSecret, newSecretSalt } from '../domain/webhook-signature';
import { checkWebhookUrl } from '../domain/webhook-urls';
import {
  MAX_ENDPOINTS_PER_TENANT,
  deleteEndpoint,
  deliveryJson,
  endpointJson,
  findEndpoint,
  insertEndpoint,
  listDeliveries,
  listEndpoints,
  updateEndpoint,
} from '../db/webhooks';
import { webhookResolver } from '../jobs/webhook-delivery';
import type { Bindings } from '../env';

const tags = ['Webhooks'];

/** The URL rules (worker/domain/webhook-urls.ts) as a 400 naming `url`. */
async function allowedUrl(env: Bindings, raw: string): Promise<string> {
  // A resolver that cannot be reached defers the name's check to every delivery attempt.
  const decision = await checkWebhookUrl(raw, { environment: env.ENVIRONMENT, resolve: webhookResolver(env), onResolverFailure: 'defer' });
  if (decision.kind === 'refused') throw invalidField('url', decision.message, 'url_not_allowed');
  return decision.url;
}

/** The request's guarded raw D1 handle on the primary (worker/middleware/db.ts). */
const db = (c: { get(key: 'd1'): AppEnv['Variables']['d1'] }) => c.get('d1');

/** `/admin/v1/webhook-endpoints` */
export const webhookEndpoints = new Hono<AppEnv>()
  .post(
    '/',
    describeRoute({
      tags,
      summary: 'Create a webhook endpoint (its signing secret is shown only in this answer)',
      responses: {
        201: json('The endpoint, with its signing secret', WebhookEndpointWithSecret),
        409: problem(`The tenant already has ${MAX_ENDPOINTS_PER_TENANT} endpoints (\`too_many_endpoints\`)`),
        ...commonProblems,
      },
    }),
    validate('json', WebhookEndpointCreate),
    async (c) => {
      const input = c.req.valid('json');
      const url = await allowedUrl(c.env, input.url);
      const id = newId('whe');
      const salt = newSecretSalt();
      const row = await insertEndpoint(db(c), {
        id,
        tenantId: c.get('tenant').id,
        url,
        events: input.events,
        description: input.description ?? null,
        secretSalt: salt,
        now: Date.now(),
      });
      if (!row) {
        throw new AppError('conflict', { code: 'too_many_endpoints', detail: `A tenant has at most ${MAX_ENDPOINTS_PER_TENANT} webhook endpoints.` });
      }
      const secret = await deriveWebhookSecret(c.env.SECRET_DERIVATION_KEY, id, salt);
      return c.json({ ...endpointJson(row), secret }, 201);
    },
  )
  .get(
    '/',
    describeRoute({ tags, summary: 'List webhook endpoints', responses: { 200: json('A page of endpoints', listOf(WebhookEndpoint)), ...commonProblems } }),
    validate('query', ListQuery),
    async (c) => {
      const { limit, starting_after } = c.req.valid('query');
      const rows = await listEndpoints(db(c), c.get('tenant').id, limit, starting_after);
      const hasMore = rows.length > limit;
      const data = hasMore ? rows.slice(0, limit) : rows;
      return c.json({ data: data.map(endpointJson), has_more: hasMore, next_cursor: hasMore ? data[data.length - 1]!.id : null });
    },
  )
  .get(
    '/:id',
    describeRoute({ tags, summary: 'Get a webhook endpoint', responses: { 200: json('The endpoint', WebhookEndpoint), 404: problem('Unknown endpoint'), ...commonProblems } }),
    validate('param', WebhookEndpointParam),
    async (c) => {
      const row = await findEndpoint(db(c), c.get('tenant').id, c.req.valid('param').id);
      if (!row) throw notFound('webhook endpoint', 'id');
      return c.json(endpointJson(row));
    },
  )
  .patch(
    '/:id',
    describeRoute({ tags, summary: 'Update a webhook endpoint', responses: { 200: json('The endpoint', WebhookEndpoint), 404: problem('Unknown endpoint'), ...commonProblems } }),
    validate('param', WebhookEndpointParam),
    validate('json', WebhookEndpointUpdate),
    async (c) => {
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      const url = input.url !== undefined ? await allowedUrl(c.env, input.url) : undefined;
      const row = await updateEndpoint(db(c), c.get('tenant').id, id, {
        url,
        events: input.events,
        description: input.description,
        disabled: input.disabled,
        now: Date.now(),
      });
      if (!row) throw notFound('webhook endpoint', 'id');
      return c.json(endpointJson(row));
    },
  )
  .delete(
    '/:id',
    describeRoute({ tags, summary: 'Delete a webhook endpoint and its delivery log', responses: { 204: { description: 'Deleted' }, 404: problem('Unknown endpoint'), ...commonProblems } }),
    validate('param', WebhookEndpointParam),
    async (c) => {
      const deleted = await deleteEndpoint(db(c), c.get('tenant').id, c.req.valid('param').id);
      if (!deleted) throw notFound('webhook endpoint', 'id');
      return c.body(null, 204);
    },
  )
  .get(
    '/:id/deliveries',
    describeRoute({
      tags,
      summary: "An endpoint's delivery log, newest first",
      responses: { 200: json('A page of deliveries', listOf(WebhookDelivery)), 404: problem('Unknown endpoint'), ...commonProblems },
    }),
    validate('param', WebhookEndpointParam),
    validate('query', WebhookDeliveriesQuery),
    async (c) => {
      const { id } = c.req.valid('param');
      const query = c.req.valid('query');
      const tenantId = c.get('tenant').id;
      const handle = db(c);
      const [endpoint, rows] = await Promise.all([
        findEndpoint(handle, tenantId, id),
        listDeliveries(handle, tenantId, id, { limit: query.limit, after: query.starting_after, status: query.status, eventId: query.event_id }),
      ]);
      if (!endpoint) throw notFound('webhook endpoint', 'id');
      const hasMore = rows.length > query.limit;
      const data = hasMore ? rows.slice(0, query.limit) : rows;
      return c.json({ data: data.map(deliveryJson), has_more: hasMore, next_cursor: hasMore ? data[data.length - 1]!.id : null });
    },
  );
