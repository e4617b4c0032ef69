import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import type { AppEnv } from '../env';
import { notFound } from '../errors';
import { validate } from '../validation';
import { TenantSettings, TenantSettingsUpdate } from '../schemas/tenants';
import { commonProblems, json } from '../schemas/common';
import { getTenant, tenantSettingsJson, updateTenantStatement } from '../db/tenants';
import { bumpCatalogVersion } from '../db/catalog';
import { forgetTenantAuth } from '../middleware/auth';
import { invalidateTenant } from '../lib/cache';

const tags = ['Tenant'];

/** `/admin/v1/tenant`: the calling tenant's own settings. */
export const tenantSettings = new Hono<AppEnv>()
  .get(
    '/',
    describeRoute({ tags, summary: 'Get the tenant’s settings', responses: { 200: json('The settings', TenantSettings), ...commonProblems } }),
    async (c) => {
      const row = await getTenant(c.get('db'), c.get('tenant').id);
      if (!row) throw notFound('tenant');
      return c.json(tenantSettingsJson(row));
    },
  )
  .patch(
    '/',
    describeRoute({
      tags,
      summary: 'Change the tenant’s settings',
      description:
        'Any of `name`, `time_zone`, `allowed_origins`, `checkout_hold_minutes`. A change applies at once to new requests on this edge isolate and within 5 s on every other.',
      responses: { 200: json('The settings', TenantSettings), ...commonProblems },
    }),
    validate('json', TenantSettingsUpdate),
    async (c) => {
      const input = c.req.valid('json');
      const db = c.get('db');
      const tenantId = c.get('tenant').id;
      if (Object.values(input).every((v) => v === undefined)) {
        // Nothing to change: the settings as they are (drizzle refuses an UPDATE with no SET).
        const row = await getTenant(db, tenantId);
        if (!row) throw notFound('tenant');
        return c.json(tenantSettingsJson(row));
      }
      // A new time zone changes what "today" is for offers: cached catalogs are dropped too.
      const [rows] = await db.batch([
        updateTenantStatement(db, tenantId, {
          name: input.name,
          timeZone: input.time_zone,
          allowedOrigins: input.allowed_origins,
          checkoutHoldMinutes: input.checkout_hold_minutes,
        }),
        bumpCatalogVersion(db, tenantId),
      ]);
      forgetTenantAuth(tenantId);
      invalidateTenant('catalog', tenantId);
      const row = rows[0];
      if (!row) throw notFound('tenant');
      return c.json(tenantSettingsJson(row));
    },
  );
