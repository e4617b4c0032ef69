import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import type { AppEnv } from '../env';
import { notFound } from '../errors';
import { UserTokenSecretCreated } from '../schemas/tenants';
import { commonProblems, iso, json } from '../schemas/common';
import { deriveUserTokenSecret } from '../domain/crypto';
import { USER_TOKEN_SECRET_OVERLAP_MS } from '../domain/tenant-auth';
import { rotateUserTokenSecret } from '../db/user-token-secrets';
import { forgetTenantAuth } from '../middleware/auth';

/** `/admin/v1/user-token-secrets`: rotate the user-token secret. */
export const userTokenSecrets = new Hono<AppEnv>().post(
  '/',
  describeRoute({
    tags: ['Tenant'],
    summary: 'Create a new user-token secret version',
    description:
      'Answers the new version and its secret (shown once; derived, never stored). Sign user tokens with it and put the version in the JWT header `kid`; a token without `kid` is version 1. The previous version keeps verifying for 24 h, older ones no longer.',
    responses: { 201: json('The new version and its secret', UserTokenSecretCreated), ...commonProblems },
  }),
  async (c) => {
    const tenantId = c.get('tenant').id;
    const now = Date.now();
    const previousUntil = now + USER_TOKEN_SECRET_OVERLAP_MS;
    const version = await rotateUserTokenSecret(c.get('db'), tenantId, now, previousUntil);
    if (version === null) throw notFound('tenant');
    forgetTenantAuth(tenantId);
    return c.json(
      {
        version,
        secret: await deriveUserTokenSecret(c.env.SECRET_DERIVATION_KEY, tenantId, version),
        created_at: iso(now)!,
        previous_version_valid_until: iso(previousUntil),
      },
      201,
    );
  },
);
