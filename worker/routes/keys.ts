import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import type { AppEnv } from '../env';
import { AppError, notFound } from '../errors';
import { validate } from '../validation';
import { ApiKeyCreate, ApiKeyCreated, ApiKeyList, KeyIdParam, ApiKey } from '../schemas/keys';
import { commonProblems, json, problem } from '../schemas/common';
import { issueKey } from '../domain/crypto';
import { replacedKeyExpiry } from '../domain/tenant-auth';
import { createKey, keyJson, listKeys, revokeKey } from '../db/api-keys';
import { forgetTenantAuth } from '../middleware/auth';

const tags = ['Keys'];

/** `/admin/v1/keys`: list, rotate (with an overlap window) and revoke the tenant's keys. */
export const keys = new Hono<AppEnv>()
  .get(
    '/',
    describeRoute({ tags, summary: 'List the tenant’s keys (never their values)', responses: { 200: json('Every key, oldest first', ApiKeyList), ...commonProblems } }),
    async (c) => {
      const rows = await listKeys(c.get('db'), c.get('tenant').id);
      return c.json({ data: rows.map(keyJson) });
    },
  )
  .post(
    '/',
    describeRoute({
      tags,
      summary: 'Create a key (rotation)',
      description:
        'Answers the new key with its value, shown once. The current unexpired, unrevoked keys of that kind keep working for `expire_current_in_hours` (0–168, default 24; 0 stops them at once), then answer 401.',
      responses: { 201: json('The new key, with its value', ApiKeyCreated), ...commonProblems },
    }),
    validate('json', ApiKeyCreate),
    async (c) => {
      const { kind, expire_current_in_hours: hours } = c.req.valid('json');
      const tenantId = c.get('tenant').id;
      const now = Date.now();
      const issued = await issueKey(kind);
      // The expiry of a replaced key is the earlier of the one it had and now + hours.
      const expireAt = replacedKeyExpiry(null, now, hours);
      const row = await createKey(c.get('db'), tenantId, kind, issued, now, expireAt);
      forgetTenantAuth(tenantId);
      return c.json({ ...keyJson(row), ...(kind === 'secret' ? { secret_key: issued.key } : { publishable_key: issued.key }) }, 201);
    },
  )
  .delete(
    '/:id',
    describeRoute({
      tags,
      summary: 'Revoke a key',
      description:
        'The key is refused (401) at once on this edge isolate and within 5 s on every other; its console sessions end. The last working secret key cannot be revoked (`409 last_secret_key`): create a new one first.',
      responses: { 200: json('The revoked key', ApiKey), 404: problem('Unknown key'), 409: problem('`last_secret_key`'), ...commonProblems },
    }),
    validate('param', KeyIdParam),
    async (c) => {
      const tenantId = c.get('tenant').id;
      const result = await revokeKey(c.get('db'), tenantId, c.req.valid('param').id, Date.now());
      if (result.kind === 'not_found') throw notFound('key', 'id');
      if (result.kind === 'last_secret_key') {
        throw new AppError('conflict', {
          code: 'last_secret_key',
          detail: 'This is the last working secret key of the tenant; create a new secret key before revoking it.',
          errors: [{ path: 'id', message: 'is the last working secret key' }],
        });
      }
      forgetTenantAuth(tenantId);
      return c.json(keyJson(result.key));
    },
  );
