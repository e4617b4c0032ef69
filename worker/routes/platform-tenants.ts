import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import type { AppEnv } from '../env';
import { validate } from '../validation';
import { TenantCreate, TenantCreated } from '../schemas/tenants';
import { commonProblems, json } from '../schemas/common';
import { deriveUserTokenSecret, issueKey, newId } from '../domain/crypto';
import { apiKeys, tenants } from '../db/schema';

/** Operator bootstrap: `POST /platform/v1/tenants`. */
export const platformTenants = new Hono<AppEnv>().post(
  '/',
  describeRoute({
    tags: ['Platform'],
    summary: 'Create a tenant (publisher) and its keys',
    description: 'Requires `Authorization: Bearer <PLATFORM_KEY>`. The keys and the user-token secret are shown once.',
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
);
