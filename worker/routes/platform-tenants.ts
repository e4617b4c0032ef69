import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import type { AppEnv } from '../env';
import { notFound } from '../errors';
import { validate } from '../validation';
import { PlatformTenant, PlatformTenantListQuery, PlatformTenantUpdate, TenantCreate, TenantCreated } from '../schemas/tenants';
import { IdParam, commonProblems, iso, json, listOf, problem } from '../schemas/common';
import { deriveUserTokenSecret, issueKey, newId } from '../domain/crypto';
import { apiKeys, tenants } from '../db/schema';
import { getTenant, listTenants, setTenantDisabled, tenantSettingsJson, type TenantRow } from '../db/tenants';
import { firstSecretVersion } from '../db/user-token-secrets';
import { forgetTenantAuth } from '../middleware/auth';

const tags = ['Platform'];

function platformTenantJson(row: TenantRow) {
  return { ...tenantSettingsJson(row), disabled: row.disabledAt !== null, disabled_at: iso(row.disabledAt), created_at: iso(row.createdAt)! };
}

/** Operator routes: `/platform/v1/tenants` (`Authorization: Bearer <PLATFORM_KEY>`). */
export const platformTenants = new Hono<AppEnv>()
  .post(
    '/',
    describeRoute({
      tags,
      summary: 'Create a tenant (publisher) and its keys',
      description: 'Requires `Authorization: Bearer <PLATFORM_KEY>`. The keys and the user-token secret (version 1) are shown once.',
      responses: { 201: json('The tenant with its keys', TenantCreated), ...commonProblems },
    }),
    validate('json', TenantCreate),
    async (c) => {
      const input = c.req.valid('json');
      const db = c.get('db');
      const id = newId('ten');
      const now = Date.now();
      const [secret, publishable] = await Promise.all([issueKey('secret'), issueKey('publishable')]);
      await db.batch([
        db.insert(tenants).values({ id, name: input.name, timeZone: input.time_zone, allowedOrigins: input.allowed_origins, createdAt: now }),
        db.insert(apiKeys).values([
          { id: secret.keyId, tenantId: id, kind: 'secret', hash: secret.hash, createdAt: now },
          { id: publishable.keyId, tenantId: id, kind: 'publishable', hash: publishable.hash, createdAt: now },
        ]),
        firstSecretVersion(db, id, now),
      ]);
      return c.json(
        {
          id,
          name: input.name,
          time_zone: input.time_zone,
          allowed_origins: input.allowed_origins,
          secret_key: secret.key,
          publishable_key: publishable.key,
          user_token_secret: await deriveUserTokenSecret(c.env.SECRET_DERIVATION_KEY, id, 1),
        },
        201,
      );
    },
  )
  .get(
    '/',
    describeRoute({
      tags,
      summary: 'List tenants',
      description: 'Keyset-paginated by id: `?limit=` (1–200, default 50) and `?starting_after=<id>` (or `?after=`), answering `{data, has_more, next_cursor}`.',
      responses: { 200: json('A page of tenants', listOf(PlatformTenant)), ...commonProblems },
    }),
    validate('query', PlatformTenantListQuery),
    async (c) => {
      const { limit, starting_after, after } = c.req.valid('query');
      const rows = await listTenants(c.get('db'), limit, starting_after ?? after);
      const hasMore = rows.length > limit;
      const data = hasMore ? rows.slice(0, limit) : rows;
      return c.json({ data: data.map(platformTenantJson), has_more: hasMore, next_cursor: hasMore ? data[data.length - 1]!.id : null });
    },
  )
  .get(
    '/:id',
    describeRoute({ tags, summary: 'Get a tenant', responses: { 200: json('The tenant', PlatformTenant), 404: problem('Unknown tenant'), ...commonProblems } }),
    validate('param', IdParam('ten')),
    async (c) => {
      const row = await getTenant(c.get('db'), c.req.valid('param').id);
      if (!row) throw notFound('tenant', 'id');
      return c.json(platformTenantJson(row));
    },
  )
  .patch(
    '/:id',
    describeRoute({
      tags,
      summary: 'Disable or re-enable a tenant',
      description: 'A disabled tenant’s keys and console sessions answer `403 tenant_disabled` (within 5 s on every edge isolate).',
      responses: { 200: json('The tenant', PlatformTenant), 404: problem('Unknown tenant'), ...commonProblems },
    }),
    validate('param', IdParam('ten')),
    validate('json', PlatformTenantUpdate),
    async (c) => {
      const { id } = c.req.valid('param');
      const row = await setTenantDisabled(c.get('db'), id, c.req.valid('json').disabled, Date.now());
      if (!row) throw notFound('tenant', 'id');
      forgetTenantAuth(id);
      return c.json(platformTenantJson(row));
    },
  );
