import { SELF, env, createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, inject, it } from 'vitest';
import { app } from '../../worker/app';
import { BASE, admin, createCatalog, createTenant, publicApi, type TestTenant } from '../helpers';
import { verifyWebhook } from '../../docs/examples/verify-webhook.mjs';
import { signUserToken } from '../../docs/examples/user-token.mjs';
import { createPublisherBackend } from '../../docs/examples/publisher-backend.mjs';
import { signatureHeader } from '../../worker/domain/webhook-signature';
import { kickDeliveries, outboxStatements } from '../../worker/db/webhook-outbox';
import { RETRY_WINDOW_MS, attemptDelivery, nextAttempt, sweepWebhookDeliveries } from '../../worker/jobs/webhook-delivery';

const port = inject('webhookReceiverPort');
const receiverBase = `http://127.0.0.1:${port}`;
let seq = 0;
const hookName = () => `h${Date.now().toString(36)}${(seq++).toString(36)}${Math.random().toString(36).slice(2, 8)}`;
const hookUrl = (name: string, query = '') => `${receiverBase}/hook/${name}${query}`;

interface Received {
  at: number;
  headers: Record<string, string | undefined>;
  body: string;
  answered: number;
}

async function received(name: string): Promise<Received[]> {
  return (await (await fetch(`${receiverBase}/log/${name}`)).json()) as Received[];
}

async function waitForRequests(name: string, count: number, timeoutMs: number): Promise<Received[]> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const log = await received(name);
    if (log.length >= count) return log;
    if (Date.now() > deadline) throw new Error(`receiver ${name} got ${log.length} of ${count} requests within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function createEndpoint(tenant: TestTenant, body: Record<string, unknown>) {
  const res = await admin(tenant).post('/webhook-endpoints', body);
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; url: string; events: string[]; secret: string };
}

async function deliveries(tenant: TestTenant, endpointId: string) {
  const res = await admin(tenant).get(`/webhook-endpoints/${endpointId}/deliveries`);
  expect(res.status, res.text).toBe(200);
  return res.json.data as Array<{ id: string; event_id: string; type: string; status: string; attempts: number; last_status_code: number | null; next_attempt_at: string | null }>;
}

/** Writes an event through the outbox in its own batch (as a change's batch would) and returns the event id, if one was written. */
async function emit(tenantId: string, object: unknown, opts: { type?: 'subscription.activated' | 'group.claimed'; onlyIf?: { sql: string; params: unknown[] }; kick?: boolean } = {}) {
  const statements = outboxStatements(env.DB, { tenantId, type: opts.type ?? 'subscription.activated', object, now: Date.now(), onlyIf: opts.onlyIf });
  await env.DB.batch(statements);
  if (opts.kick !== false) await kickDeliveries(env, undefined, tenantId);
  const row = await env.DB.prepare('SELECT id FROM webhook_events WHERE tenant_id = ? ORDER BY created_at DESC, id DESC LIMIT 1').bind(tenantId).first<{ id: string }>();
  return row?.id ?? null;
}

/** A request to the app with bindings changed for this call only (the fake DNS-over-HTTPS resolver of the receiver). */
async function withResolver(tenant: TestTenant, method: string, path: string, body: unknown) {
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request(`${BASE}/admin/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${tenant.secret_key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    }),
    { ...env, WEBHOOK_DNS_RESOLVER: `${receiverBase}/dns-query` },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: res.status, json: (await res.json()) as any };
}

describe('webhook endpoints', () => {
  it('creates an endpoint with a whsec_ secret shown once; lists, gets, updates and deletes it', async () => {
    const tenant = await createTenant();
    const api = admin(tenant);
    const created = await createEndpoint(tenant, { url: hookUrl('crud'), events: ['subscription.activated', 'subscription.activated', 'job.failed'], description: 'billing' });
    expect(created).toMatchObject({ url: hookUrl('crud'), events: ['subscription.activated', 'job.failed'], description: 'billing', disabled: false });
    expect(created.id).toMatch(/^whe_/);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

    const one = await api.get(`/webhook-endpoints/${created.id}`);
    expect(one.status).toBe(200);
    expect(one.json).not.toHaveProperty('secret');
    expect(one.text).not.toContain(created.secret);
    const list = await api.get('/webhook-endpoints');
    expect(list.json.data.map((e: { id: string }) => e.id)).toEqual([created.id]);
    expect(list.text).not.toContain(created.secret);

    const patched = await api.patch(`/webhook-endpoints/${created.id}`, { events: ['*'], disabled: true, description: null });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ events: ['*'], disabled: true, description: null, url: hookUrl('crud') });
    expect((await api.patch(`/webhook-endpoints/${created.id}`, { disabled: false })).json.disabled).toBe(false);

    expect((await api.delete(`/webhook-endpoints/${created.id}`)).status).toBe(204);
    expect((await api.get(`/webhook-endpoints/${created.id}`)).status).toBe(404);
    expect((await api.delete(`/webhook-endpoints/${created.id}`)).status).toBe(404);
    expect((await api.get(`/webhook-endpoints/${created.id}/deliveries`)).status).toBe(404);
  });

  it('refuses bad input with 400 naming the field', async () => {
    const tenant = await createTenant();
    const api = admin(tenant);
    const cases: Array<[unknown, string]> = [
      [{ events: ['*'] }, 'url'],
      [{ url: hookUrl('x') }, 'events'],
      [{ url: hookUrl('x'), events: [] }, 'events'],
      [{ url: hookUrl('x'), events: ['subscription.exploded'] }, 'events.0'],
      [{ url: hookUrl('x'), events: ['*', 'job.failed'] }, 'events'],
      [{ url: hookUrl('x'), events: ['*'], secret: 'mine' }, 'secret'],
      [{ url: 42, events: ['*'] }, 'url'],
    ];
    for (const [body, path] of cases) {
      const res = await api.post('/webhook-endpoints', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.json.errors.map((e: { path: string }) => e.path), JSON.stringify(body)).toContain(path);
    }
    expect((await api.get('/webhook-endpoints/whe_nope')).status).toBe(404);
    expect((await api.get('/webhook-endpoints/not-an-id')).status).toBe(400);
  });

  it.each([
    'https://10.0.0.7/hooks',
    'https://192.168.1.20/hooks',
    'https://169.254.169.254/latest/meta-data',
    'https://[::1]/hooks',
    'https://[fd00::1]/hooks',
    'https://[::ffff:127.0.0.1]/hooks',
    'https://0x0a000001/hooks',
    'https://100.64.1.1/hooks',
    'https://api.localhost/hooks',
    'http://hooks.example.com/plain-http',
    'http://[::1]:8080/hooks',
    'https://user:pw@hooks.example.com/x',
  ])('refuses %s with 400 url_not_allowed naming url', async (url) => {
    const tenant = await createTenant();
    const res = await admin(tenant).post('/webhook-endpoints', { url, events: ['*'] });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe('url_not_allowed');
    expect(res.json.errors[0].path).toBe('url');
    // nothing was stored
    expect((await admin(tenant).get('/webhook-endpoints')).json.data).toEqual([]);
  });

  it('refuses a host name that resolves to a private address (DNS over HTTPS at create and at update)', async () => {
    const tenant = await createTenant();
    for (const host of ['private.hooks.test', 'metadata.hooks.test', 'sneaky.hooks.test']) {
      const res = await withResolver(tenant, 'POST', '/webhook-endpoints', { url: `https://${host}/hooks`, events: ['*'] });
      expect(res.status, host).toBe(400);
      expect(res.json).toMatchObject({ code: 'url_not_allowed', errors: [{ path: 'url' }] });
    }
    const unknown = await withResolver(tenant, 'POST', '/webhook-endpoints', { url: 'https://nxdomain.hooks.test/hooks', events: ['*'] });
    expect(unknown.status).toBe(400);
    expect(unknown.json.errors[0].path).toBe('url');
    // A name whose every address is public is accepted, and cannot then be moved to a private one.
    const ok = await withResolver(tenant, 'POST', '/webhook-endpoints', { url: 'https://public.hooks.test/hooks', events: ['*'] });
    expect(ok.status).toBe(201);
    const moved = await withResolver(tenant, 'PATCH', `/webhook-endpoints/${ok.json.id}`, { url: 'https://private.hooks.test/hooks' });
    expect(moved.status).toBe(400);
    expect(moved.json.errors[0].path).toBe('url');
    expect((await admin(tenant).get(`/webhook-endpoints/${ok.json.id}`)).json.url).toBe('https://public.hooks.test/hooks');
  });

  it("never lets another tenant see, change or delete an endpoint or its deliveries", async () => {
    const a = await createTenant({ name: 'A' });
    const b = await createTenant({ name: 'B' });
    const nameA = hookName();
    const nameB = hookName();
    const endpointA = await createEndpoint(a, { url: hookUrl(nameA), events: ['*'] });
    const endpointB = await createEndpoint(b, { url: hookUrl(nameB), events: ['*'] });
    const asB = admin(b);
    expect((await asB.get(`/webhook-endpoints/${endpointA.id}`)).status).toBe(404);
    expect((await asB.patch(`/webhook-endpoints/${endpointA.id}`, { disabled: true })).status).toBe(404);
    expect((await asB.get(`/webhook-endpoints/${endpointA.id}/deliveries`)).status).toBe(404);
    expect((await asB.delete(`/webhook-endpoints/${endpointA.id}`)).status).toBe(404);
    expect((await asB.get('/webhook-endpoints')).json.data.map((e: { id: string }) => e.id)).toEqual([endpointB.id]);
    expect((await admin(a).get(`/webhook-endpoints/${endpointA.id}`)).json.disabled).toBe(false);

    // An event of A reaches A's endpoint only.
    await emit(a.id, { id: 'sub_a' });
    await waitForRequests(nameA, 1, 10_000);
    expect(await deliveries(b, endpointB.id)).toEqual([]);
    expect(await received(nameB)).toEqual([]);
  });

  it('stores no signing secret in plain text in D1', async () => {
    const tenant = await createTenant();
    const { secret } = await createEndpoint(tenant, { url: hookUrl(hookName()), events: ['*'] });
    const tables = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all<{ name: string }>();
    for (const { name } of tables.results) {
      if (name.startsWith('_cf') || name.startsWith('sqlite')) continue;
      const dump = JSON.stringify((await env.DB.prepare(`SELECT * FROM "${name}"`).all()).results);
      expect(dump.includes(secret), `${name} holds the secret`).toBe(false);
      expect(dump.includes(secret.slice('whsec_'.length)), `${name} holds the secret`).toBe(false);
    }
  });
});

describe('webhook delivery', () => {
  it('a finished job reaches a local receiver with a valid signature within 10 s', async () => {
    const tenant = await createTenant();
    const name = hookName();
    const endpoint = await createEndpoint(tenant, { url: hookUrl(name), events: ['job.succeeded'] });
    const { plans } = await createCatalog(tenant, { price: 0 });
    const started = Date.now();
    const res = await admin(tenant).raw('POST', `/plans/${plans['1m'].id}/imports`, 'user_id,email\nu1,u1@example.com\nu2,u2@example.com\n', 'text/csv');
    expect(res.status, res.text).toBe(202);
    const jobId = res.json.job.id;
    const [request] = await waitForRequests(name, 1, 10_000);
    expect(request!.at - started).toBeLessThan(10_000);

    const event = await verifyWebhook(request!.body, request!.headers['offer-checkout-signature'] ?? null, endpoint.secret);
    expect(event).toMatchObject({ type: 'job.succeeded', data: { object: { id: jobId, kind: 'plan_import', status: 'succeeded', processed: 2, failed: 0 } } });
    expect(event.id).toMatch(/^evt_/);
    expect(request!.headers['offer-checkout-event-id']).toBe(event.id);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(new Date(event.created_at).toISOString()).toBe(event.created_at);
    // The job JSON in the event is the job as the API answers it.
    const job = (await admin(tenant).get(`/jobs/${jobId}`)).json;
    expect(event.data.object).toMatchObject({ id: job.id, status: job.status, total: job.total, processed: job.processed, finished_at: job.finished_at, created_at: job.created_at });
    // A signature made with another secret does not verify.
    await expect(verifyWebhook(request!.body, request!.headers['offer-checkout-signature'] ?? null, `${endpoint.secret}x`)).rejects.toThrow();

    const log = await deliveries(tenant, endpoint.id);
    expect(log).toMatchObject([{ event_id: event.id, type: 'job.succeeded', status: 'delivered', attempts: 1, last_status_code: 200, next_attempt_at: null }]);
  });

  it("an unpaid checkout's subscription.hold_expired reaches the receiver within 10 s of the hold's end (no cron sweep)", async () => {
    const tenant = await createTenant();
    expect((await admin(tenant).patch('/tenant', { checkout_hold_minutes: 1 })).status).toBe(200);
    const name = hookName();
    const endpoint = await createEndpoint(tenant, { url: hookUrl(name), events: ['subscription.hold_expired'] });
    const { plans } = await createCatalog(tenant, { durations: ['1m'] });
    const token = await signUserToken({ id: 'walked-away' }, { secret: tenant.user_token_secret });
    const checkout = await publicApi(tenant, { userToken: token }).post('/subscriptions', { plan_id: plans['1m'].id });
    expect(checkout.status, checkout.text).toBe(201);
    expect(checkout.json.status).toBe('pending');
    const expiresAt = Date.parse(checkout.json.hold_expires_at);
    const [request] = await waitForRequests(name, 1, 80_000);
    expect(request!.at).toBeGreaterThanOrEqual(expiresAt);
    expect(request!.at - expiresAt).toBeLessThan(10_000);
    const event = await verifyWebhook(request!.body, request!.headers['offer-checkout-signature'] ?? null, endpoint.secret);
    expect(event).toMatchObject({ type: 'subscription.hold_expired', data: { object: { id: checkout.json.id, status: 'hold_expired' } } });
  }, 100_000);

  it('retries a receiver answering 500 within 60 s with the same event id, and the log shows the attempts', async () => {
    const tenant = await createTenant();
    const name = hookName();
    const endpoint = await createEndpoint(tenant, { url: hookUrl(name, '?fail=1'), events: ['*'] });
    const eventId = await emit(tenant.id, { id: 'sub_retry', status: 'active' });
    expect(eventId).toMatch(/^evt_/);
    const [first] = await waitForRequests(name, 1, 10_000);
    expect(first!.answered).toBe(500);

    // The log shows the failed attempt and when the next one is due.
    let log: Awaited<ReturnType<typeof deliveries>> = [];
    for (let i = 0; i < 100; i++) {
      log = await deliveries(tenant, endpoint.id);
      if (log[0]?.attempts === 1) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(log).toMatchObject([{ event_id: eventId, status: 'pending', attempts: 1, last_status_code: 500 }]);
    const due = Date.parse(log[0]!.next_attempt_at!);
    expect(due - first!.at).toBeGreaterThan(0);
    expect(due - first!.at).toBeLessThanOrEqual(60_000);

    // The real queue brings the retry (delaySeconds), with the same event id and the same bytes.
    const [, second] = await waitForRequests(name, 2, 65_000);
    expect(second!.answered).toBe(200);
    expect(second!.at - first!.at).toBeLessThanOrEqual(62_000);
    expect(second!.headers['offer-checkout-event-id']).toBe(eventId);
    expect(first!.headers['offer-checkout-event-id']).toBe(eventId);
    expect(second!.body).toBe(first!.body);
    expect((await verifyWebhook(second!.body, second!.headers['offer-checkout-signature'] ?? null, endpoint.secret)).id).toBe(eventId);

    for (let i = 0; i < 100; i++) {
      log = await deliveries(tenant, endpoint.id);
      if (log[0]?.status === 'delivered') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(log).toMatchObject([{ event_id: eventId, status: 'delivered', attempts: 2, last_status_code: 200, next_attempt_at: null }]);
  }, 90_000);

  it('keeps retrying for 24 h with growing delays, then marks the delivery failed', async () => {
    expect(nextAttempt(1, 0, 1000)).toEqual({ kind: 'retry', at: 31_000 });
    // The schedule spans the whole window: retries keep coming until 24 h after the event.
    let t = 0;
    let attempts = 0;
    while (true) {
      attempts++;
      const next = nextAttempt(attempts, 0, t);
      if (next.kind === 'give_up') break;
      expect(next.at - t).toBeLessThanOrEqual(2 * 60 * 60 * 1000);
      t = next.at;
    }
    expect(t).toBeGreaterThanOrEqual(RETRY_WINDOW_MS);
    expect(attempts).toBeGreaterThan(10);

    const tenant = await createTenant();
    const name = hookName();
    const endpoint = await createEndpoint(tenant, { url: hookUrl(name, '?status=503'), events: ['*'] });
    const eventId = await emit(tenant.id, { id: 'sub_down' }, { kick: false });
    const [delivery] = await deliveries(tenant, endpoint.id);
    const created = Date.now();
    expect(await attemptDelivery(env, tenant.id, delivery!.id)).toMatchObject({ kind: 'retry', statusCode: 503 });
    // Not due yet: a second message for it does nothing.
    expect(await attemptDelivery(env, tenant.id, delivery!.id)).toEqual({ kind: 'not_claimed' });
    // A day later (the clock moved), the last try fails it for good.
    const later = () => created + RETRY_WINDOW_MS + 60_000;
    expect(await attemptDelivery(env, tenant.id, delivery!.id, { now: later })).toMatchObject({ kind: 'failed', statusCode: 503 });
    const log = await deliveries(tenant, endpoint.id);
    expect(log).toMatchObject([{ event_id: eventId, status: 'failed', attempts: 2, last_status_code: 503, next_attempt_at: null }]);
    expect(await attemptDelivery(env, tenant.id, delivery!.id, { now: later })).toEqual({ kind: 'not_claimed' });
    const got = await received(name);
    expect(got).toHaveLength(2);
    expect(new Set(got.map((r) => r.headers['offer-checkout-event-id']))).toEqual(new Set([eventId]));
  });

  it('re-checks the URL at delivery time: a name that now resolves to a private address is not called', async () => {
    const tenant = await createTenant();
    const created = await withResolver(tenant, 'POST', '/webhook-endpoints', { url: 'https://public.hooks.test/hooks', events: ['*'] });
    expect(created.status).toBe(201);
    // DNS rebinding: the stored name now points inside the network.
    await env.DB.prepare('UPDATE webhook_endpoints SET url = ? WHERE id = ?').bind('https://private.hooks.test/hooks', created.json.id).run();
    await emit(tenant.id, { id: 'sub_rebind' }, { kick: false });
    const [delivery] = await deliveries(tenant, created.json.id);
    let called = false;
    const result = await attemptDelivery({ ...env, WEBHOOK_DNS_RESOLVER: `${receiverBase}/dns-query` }, tenant.id, delivery!.id, {
      fetch: ((input: RequestInfo | URL, init?: RequestInit) => {
        if (!String(input).startsWith(`${receiverBase}/dns-query`)) called = true;
        return fetch(input, init);
      }) as typeof fetch,
    });
    expect(result).toMatchObject({ kind: 'retry', statusCode: null });
    expect(called).toBe(false);
    const [log] = await deliveries(tenant, created.json.id);
    expect(log).toMatchObject({ status: 'pending', attempts: 1, last_status_code: null });
    expect((log as unknown as { last_error: string }).last_error).toMatch(/private/);
  });

  it('writes an event only when its change committed, and only for enabled endpoints subscribed to its type', async () => {
    const tenant = await createTenant();
    const subscribed = await createEndpoint(tenant, { url: hookUrl(hookName()), events: ['group.claimed'] });
    const other = await createEndpoint(tenant, { url: hookUrl(hookName()), events: ['job.failed'] });
    const disabled = await createEndpoint(tenant, { url: hookUrl(hookName()), events: ['*'] });
    await admin(tenant).patch(`/webhook-endpoints/${disabled.id}`, { disabled: true });

    // The change did not happen (its condition is false in the batch): no event at all.
    const none = await emit(tenant.id, { id: 'sub_x' }, { type: 'group.claimed', kick: false, onlyIf: { sql: 'EXISTS (SELECT 1 FROM tenants WHERE id = ?)', params: ['tnt_missing'] } });
    expect(none).toBeNull();
    // No endpoint wants subscription.activated: nothing is stored either.
    expect(await emit(tenant.id, { id: 'sub_x' }, { type: 'subscription.activated', kick: false })).toBeNull();

    const eventId = await emit(tenant.id, { id: 'sub_y' }, { type: 'group.claimed', kick: false, onlyIf: { sql: 'EXISTS (SELECT 1 FROM tenants WHERE id = ?)', params: [tenant.id] } });
    expect(eventId).toMatch(/^evt_/);
    expect((await deliveries(tenant, subscribed.id)).map((d) => d.event_id)).toEqual([eventId]);
    expect(await deliveries(tenant, other.id)).toEqual([]);
    expect(await deliveries(tenant, disabled.id)).toEqual([]);
    // The payload is stored as it will be POSTed.
    const row = await env.DB.prepare('SELECT payload FROM webhook_events WHERE id = ?').bind(eventId).first<{ payload: string }>();
    expect(JSON.parse(row!.payload)).toMatchObject({ id: eventId, type: 'group.claimed', data: { object: { id: 'sub_y' } } });
  });

  it('the cron sweep delivers a due delivery whose queue message was lost', async () => {
    const tenant = await createTenant();
    const name = hookName();
    const endpoint = await createEndpoint(tenant, { url: hookUrl(name), events: ['*'] });
    const eventId = await emit(tenant.id, { id: 'sub_sweep' }, { kick: false });
    await new Promise((r) => setTimeout(r, 300));
    expect(await received(name)).toEqual([]);
    await sweepWebhookDeliveries(env, Date.now());
    const [request] = await waitForRequests(name, 1, 10_000);
    expect(request!.headers['offer-checkout-event-id']).toBe(eventId);
    const [log] = await deliveries(tenant, endpoint.id);
    expect(log).toMatchObject({ status: 'delivered', attempts: 1 });
  });
});

describe('docs/integration.md examples, run against the worker', () => {
  it('signUserToken (docs/examples/user-token.mjs) makes tokens the API accepts, kid naming the secret version', async () => {
    const tenant = await createTenant();
    const { product } = await createCatalog(tenant);
    const mine = (token: string) => publicApi(tenant, { userToken: token }).get(`/subscriptions?product_id=${product.id}`);
    const v1 = await signUserToken({ id: 'reader-1', email: 'r1@example.com', emailVerified: true }, { secret: tenant.user_token_secret });
    const [header] = v1.split('.');
    expect(JSON.parse(atob(header!.replace(/-/g, '+').replace(/_/g, '/')))).toEqual({ alg: 'HS256', typ: 'JWT', kid: '1' });
    expect((await mine(v1)).status).toBe(200);
    expect((await mine(await signUserToken({ id: 'reader-1' }, { secret: 'not-the-secret' }))).status).toBe(401);
    expect((await mine(await signUserToken({ id: 'reader-1' }, { secret: tenant.user_token_secret, nowSeconds: Math.floor(Date.now() / 1000) - 3600 }))).status).toBe(401);

    const rotated = await admin(tenant).post('/user-token-secrets');
    expect(rotated.status).toBe(201);
    const v2 = await signUserToken({ id: 'reader-1' }, { secret: rotated.json.secret, version: rotated.json.version });
    expect((await mine(v2)).status).toBe(200);
    // The new secret under the old version's kid does not verify.
    expect((await mine(await signUserToken({ id: 'reader-1' }, { secret: rotated.json.secret, version: 1 }))).status).toBe(401);
  });

  it('publisher-backend.mjs: a PaymentIntent for amount_due, activate on success, void on failure, and the signed webhooks it receives', async () => {
    const tenant = await createTenant();
    const name = hookName();
    const endpoint = await createEndpoint(tenant, { url: hookUrl(name), events: ['subscription.activated', 'subscription.voided'] });
    const { plans } = await createCatalog(tenant, { price: 12_345, currency: 'INR' });
    const stripeWebhookSecret = 'whsec_stripe_test_secret';

    // A stand-in for Stripe's API (the only thing not real here); offer-checkout is the worker itself.
    const stripeCalls: Array<{ path: string; params: URLSearchParams; idempotencyKey: string | null }> = [];
    let intents = 0;
    const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input));
      if (url.host !== 'api.stripe.com') return SELF.fetch(String(input), init);
      const params = new URLSearchParams(String(init?.body ?? ''));
      stripeCalls.push({ path: url.pathname, params, idempotencyKey: new Headers(init?.headers).get('Idempotency-Key') });
      if (url.pathname === '/v1/payment_intents') {
        const id = `pi_test${++intents}`;
        return Response.json({ id, object: 'payment_intent', client_secret: `${id}_secret_abc`, amount: Number(params.get('amount')), status: 'requires_payment_method' });
      }
      if (url.pathname.endsWith('/cancel')) return Response.json({ id: url.pathname.split('/')[3], status: 'canceled' });
      return Response.json({ error: { message: 'unexpected call' } }, { status: 400 });
    }) as typeof fetch;

    const events: Array<{ id: string; type: string; data: { object: any } }> = [];
    const backend = createPublisherBackend({
      offerCheckout: { base: BASE, secretKey: tenant.secret_key, webhookSecret: endpoint.secret, userTokenSecret: tenant.user_token_secret },
      stripe: { secretKey: 'sk_test_stripe', webhookSecret: stripeWebhookSecret },
      // The publisher's own sessions: here, a header naming the signed-in reader.
      currentUser: async (request) => {
        const who = request.headers.get('x-session');
        return who && /^reader-\d+$/.test(who) ? { id: who } : null;
      },
      onEvent: async (event) => void events.push(event),
      fetch: fetchFn,
    });
    // The page: a user token from the backend, then a paid checkout through the public API.
    const checkout = async (reader: string) => {
      const tokenRes = await backend.fetch(new Request('https://publisher.example/user-token', { headers: { 'x-session': reader } }));
      const { token } = (await tokenRes.json()) as { token: string };
      const res = await publicApi(tenant, { userToken: token }).post('/subscriptions', { plan_id: plans['1m'].id });
      expect(res.status, res.text).toBe(201);
      expect(res.json).toMatchObject({ status: 'pending', amount_due: 12_345, currency: 'INR' });
      return res.json.id as string;
    };
    const pay = (subscriptionId: string, reader: string) =>
      backend.fetch(new Request('https://publisher.example/pay', { method: 'POST', headers: { 'x-session': reader, 'content-type': 'application/json' }, body: JSON.stringify({ subscription_id: subscriptionId }) }));
    const stripeEvent = async (type: string, intentId: string, subscriptionId: string) => {
      const body = JSON.stringify({ id: `evt_stripe_${intentId}_${type}`, type, data: { object: { id: intentId, object: 'payment_intent', metadata: { subscription_id: subscriptionId } } } });
      const signature = await signatureHeader(stripeWebhookSecret, Math.floor(Date.now() / 1000), body);
      return backend.fetch(new Request('https://publisher.example/webhooks/stripe', { method: 'POST', headers: { 'Stripe-Signature': signature }, body }));
    };

    // Success: PaymentIntent for amount_due with the subscription id in its metadata, then activate.
    const paid = await checkout('reader-7');
    const payRes = await pay(paid, 'reader-7');
    expect(payRes.status).toBe(200);
    expect(await payRes.json()).toMatchObject({ client_secret: 'pi_test1_secret_abc' });
    expect(stripeCalls[0]!.path).toBe('/v1/payment_intents');
    expect(Object.fromEntries(stripeCalls[0]!.params)).toMatchObject({ amount: '12345', currency: 'inr', 'metadata[subscription_id]': paid });
    expect(stripeCalls[0]!.idempotencyKey).toBe(`offer-checkout-pi-${paid}`);
    // Nobody signed in, or another reader, cannot pay for it; a forged Stripe webhook is refused.
    expect((await backend.fetch(new Request('https://publisher.example/pay', { method: 'POST', body: '{}' }))).status).toBe(401);
    expect((await pay(paid, 'reader-8')).status).toBe(404);
    expect((await backend.fetch(new Request('https://publisher.example/webhooks/stripe', { method: 'POST', headers: { 'Stripe-Signature': 't=1,v1=00' }, body: '{}' }))).status).toBe(400);

    const succeeded = await stripeEvent('payment_intent.succeeded', 'pi_test1', paid);
    expect(succeeded.status).toBe(200);
    expect((await admin(tenant).get(`/subscriptions/${paid}`)).json).toMatchObject({ status: 'active', payment_reference: 'pi_test1', collection: 'charge_card' });
    // Stripe retries its webhook: the same key replays, nothing changes.
    expect((await stripeEvent('payment_intent.succeeded', 'pi_test1', paid)).status).toBe(200);

    // Failure: the PaymentIntent is cancelled, then the subscription is voided (gone).
    const unpaid = await checkout('reader-9');
    expect((await pay(unpaid, 'reader-9')).status).toBe(200);
    const failed = await stripeEvent('payment_intent.payment_failed', 'pi_test2', unpaid);
    expect(failed.status).toBe(200);
    expect(stripeCalls.map((c) => c.path)).toContain('/v1/payment_intents/pi_test2/cancel');
    expect((await admin(tenant).get(`/subscriptions/${unpaid}`)).status).toBe(404);

    // offer-checkout's signed webhooks reached the receiver; replayed into the backend's handler
    // with the same headers and bytes, they verify and reach the publisher's logic.
    const got = await waitForRequests(name, 2, 10_000);
    for (const request of got) {
      const res = await backend.fetch(
        new Request('https://publisher.example/webhooks/offer-checkout', {
          method: 'POST',
          headers: { 'Offer-Checkout-Signature': request.headers['offer-checkout-signature']!, 'Offer-Checkout-Event-Id': request.headers['offer-checkout-event-id']! },
          body: request.body,
        }),
      );
      expect(res.status).toBe(200);
    }
    expect(events.map((e) => [e.type, e.data.object.id]).sort()).toEqual(
      [
        ['subscription.activated', paid],
        ['subscription.voided', unpaid],
      ].sort(),
    );
    // A tampered delivery is refused.
    const tampered = await backend.fetch(
      new Request('https://publisher.example/webhooks/offer-checkout', { method: 'POST', headers: { 'Offer-Checkout-Signature': got[0]!.headers['offer-checkout-signature']! }, body: got[0]!.body.replace('active', 'cancelled') }),
    );
    expect(tampered.status).toBe(400);
  });
});
