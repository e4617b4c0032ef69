import { env } from 'cloudflare:test';
import { admin, createCatalog, createTenant, publicApi, userToken, type TestTenant } from './helpers';

/** A tenant with a "Group users" product (one 1y plan at 0) and a "Group owners" product (1y plan). */
export async function groupTenant() {
  const tenant = await createTenant({ name: 'Group publisher' });
  const users = await createCatalog(tenant, { name: 'Group users', durations: ['1y'], price: 0 });
  const owners = await createCatalog(tenant, { name: 'Group owners', durations: ['1y'], price: 500_000 });
  return { tenant, api: admin(tenant), planId: users.plans['1y'].id as string, productId: users.product.id as string, owners };
}

export async function createGroup(tenant: TestTenant, body: Record<string, unknown>) {
  const res = await admin(tenant).post('/groups', body);
  if (res.status !== 201) throw new Error(`group: ${res.status} ${res.text}`);
  return res.json;
}

/** A public client as a signed-in user, from the given client IP. */
export async function member(tenant: TestTenant, opts: { sub: string; email?: string; verified?: boolean; ip?: string; headers?: Record<string, string> }) {
  const token = await userToken(tenant, { sub: opts.sub, email: opts.email, email_verified: opts.verified ?? false });
  return publicApi(tenant, { userToken: token, ip: opts.ip, headers: opts.headers });
}

/**
 * An owner's subscription on the "Group owners" product, written straight into D1: checkout is
 * another area's route and the link only needs the row (invoice collection, as for a company).
 */
export async function ownerSubscription(tenantId: string, plan: { id: string; product_id: string; currency: string }) {
  const id = `sub_owner${Math.random().toString(36).slice(2, 12)}`;
  const now = Date.now();
  await env.DB.prepare(
    `INSERT INTO subscriptions (id, tenant_id, user_id, product_id, plan_id, status, source, collection, price, amount_due, currency,
       current_period_start, current_period_end, created_at, updated_at)
     VALUES (?1, ?2, 'owner-1', ?3, ?4, 'active', 'checkout', 'send_invoice', 500000, 500000, ?5, ?6, ?7, ?6, ?6)`,
  )
    .bind(id, tenantId, plan.product_id, plan.id, plan.currency, now, now + 365 * 86_400_000)
    .run();
  return id;
}
