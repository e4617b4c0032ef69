import { afterEach, describe, expect, it, vi } from 'vitest';
import { env } from 'cloudflare:workers';
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { admin, BASE, createCatalog, createTenant, publicApi, userToken, type TestTenant } from '../helpers';
import { createOffer, freshCode } from '../offers-helpers';
import { blockedUntil, MAX_FAILURES, WATCH_LIST_MAX, WATCH_LIST_TTL_MS, WINDOW_MS, type CodeAttempts } from '../../worker/durable/code-attempts';
import { ipKey } from '../../worker/middleware/code-guessing';

async function setup() {
  const tenant = await createTenant();
  const { product, plans } = await createCatalog(tenant, { durations: ['1m'] });
  const offer = await createOffer(tenant, { applies_to: { product_ids: [product.id], durations: ['1m'] } });
  return { tenant, planId: plans['1m'].id as string, code: offer.code as string };
}

/** Sends `n` codes that exist nowhere; each must answer 422 code_not_found. */
async function guess(client: ReturnType<typeof publicApi>, path: '/quotes' | '/subscriptions', planId: string, n: number) {
  for (let i = 0; i < n; i++) {
    const res = await client.post(path, { plan_id: planId, code: freshCode('NOPE') });
    expect(res.status, res.text).toBe(422);
    expect(res.json.code).toBe('code_not_found');
  }
}

function expectRateLimited(res: { status: number; headers: Headers; json: any }, maxSeconds = 60) {
  expect(res.status).toBe(429);
  expect(res.headers.get('Content-Type')).toMatch(/^application\/problem\+json/);
  expect(res.json.code).toBe('rate_limited');
  const retry = Number(res.headers.get('Retry-After'));
  expect(Number.isInteger(retry)).toBe(true);
  expect(retry).toBeGreaterThanOrEqual(1);
  expect(retry).toBeLessThanOrEqual(maxSeconds);
  return retry;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('code guessing (SPEC "Code guessing")', () => {
  it('200 simultaneous checkouts from ONE client IP on max_redemptions 50: exactly 50 subscriptions, no 429', async () => {
    const tenant = await createTenant();
    const { product, plans } = await createCatalog(tenant, { durations: ['1m'] });
    const offer = await createOffer(tenant, { applies_to: { product_ids: [product.id], durations: ['1m'] }, max_redemptions: 50 });
    const buyers = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => publicApi(tenant, { userToken: await userToken(tenant, { sub: `office-${i}` }), ip: '203.0.113.77' })),
    );
    const answers = await Promise.all(buyers.map((b) => b.post('/subscriptions', { plan_id: plans['1m'].id, code: offer.code })));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(50);
    expect(statuses.filter((s) => s === 429)).toHaveLength(0);
    expect(answers.filter((r) => r.status === 422).every((r) => r.json.code === 'redemptions_exhausted')).toBe(true);
  });

  it('10 bad codes from one IP: the 11th request with a code is 429 with Retry-After, even the real code; without a code still 200', async () => {
    const { tenant, planId, code } = await setup();
    const attacker = publicApi(tenant, { ip: '198.51.100.7' });
    await guess(attacker, '/quotes', planId, 9);
    // Nine failures do not block: the real code still prices.
    expect((await attacker.post('/quotes', { plan_id: planId, code })).status).toBe(200);
    await guess(attacker, '/quotes', planId, 1);

    const blocked = await attacker.post('/quotes', { plan_id: planId, code: freshCode('NOPE') });
    expectRateLimited(blocked);
    expect(blocked.json.retry_after).toBe(Number(blocked.headers.get('Retry-After')));
    // The real code is refused during the block, on both routes.
    expectRateLimited(await attacker.post('/quotes', { plan_id: planId, code }));
    // A code that is not even well-formed is refused by the block too (it names a code).
    expectRateLimited(await attacker.post('/quotes', { plan_id: planId, code: 'a b' }));
    // Requests without a code are unaffected.
    const plain = await attacker.post('/quotes', { plan_id: planId });
    expect(plain.status, plain.text).toBe(200);
    expect((await attacker.post('/quotes', { plan_id: planId, code: '  ' })).status).toBe(200);
    expect((await attacker.get('/plans')).status).toBe(200);

    // Another IP of the same tenant is unaffected.
    const other = publicApi(tenant, { ip: '198.51.100.8' });
    expect((await other.post('/quotes', { plan_id: planId, code })).status).toBe(200);
  });

  it('counts code_invalid_format too, across quotes and subscriptions, per user whatever the IP', async () => {
    const { tenant, planId, code } = await setup();
    const token = await userToken(tenant, { sub: 'mallory' });
    // Five from one IP, five from another, half on each route: one user, ten failures.
    for (let i = 0; i < 10; i++) {
      const client = publicApi(tenant, { userToken: token, ip: i % 2 ? '203.0.113.10' : '2001:db8::10' });
      const path = i < 5 ? '/quotes' : '/subscriptions';
      const res = await client.post(path, { plan_id: planId, code: i % 3 === 0 ? 'x!' : freshCode('NOPE') });
      expect(res.status, res.text).toBe(422);
      expect(['code_not_found', 'code_invalid_format']).toContain(res.json.code);
    }
    // The user is blocked from a third IP, on both routes, even with the real code.
    const elsewhere = publicApi(tenant, { userToken: token, ip: '192.0.2.99' });
    expectRateLimited(await elsewhere.post('/subscriptions', { plan_id: planId, code }));
    expectRateLimited(await elsewhere.post('/quotes', { plan_id: planId, code }));
    // Without a code the user may still subscribe.
    const plain = await elsewhere.post('/subscriptions', { plan_id: planId });
    expect(plain.status, plain.text).toBe(201);

    // Another user on the blocked user's IPs is unaffected (neither IP reached 10 alone).
    const other = publicApi(tenant, { userToken: await userToken(tenant, { sub: 'trent' }), ip: '203.0.113.10' });
    expect((await other.post('/quotes', { plan_id: planId, code })).status).toBe(200);
  });

  it('a blocked IP blocks every user behind it; other codes that fail (not found vs. not eligible) do not count', async () => {
    const { tenant, planId } = await setup();
    const { product } = await createCatalog(tenant, { durations: ['1m'], name: 'Other' });
    // An offer on another product: quoting it for this plan is `not_applicable`, not a guess.
    const elsewhere = await createOffer(tenant, { applies_to: { product_ids: [product.id], durations: ['1m'] } });
    const ip = publicApi(tenant, { ip: '203.0.113.77' });
    for (let i = 0; i < 12; i++) {
      const res = await ip.post('/quotes', { plan_id: planId, code: elsewhere.code });
      expect(res.json.code).toBe('not_applicable');
    }
    await guess(ip, '/quotes', planId, 10);
    const user = publicApi(tenant, { ip: '203.0.113.77', userToken: await userToken(tenant, { sub: 'victim' }) });
    expectRateLimited(await user.post('/quotes', { plan_id: planId, code: elsewhere.code }));
  });

  it('a concurrent burst of guesses cannot overshoot: once one has failed, the ones in flight count', async () => {
    const { tenant, planId, code } = await setup();
    const attacker = publicApi(tenant, { ip: '198.51.100.200' });
    await guess(attacker, '/quotes', planId, 1);
    const burst = await Promise.all(Array.from({ length: 30 }, () => attacker.post('/quotes', { plan_id: planId, code: freshCode('NOPE') })));
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s === 422).length).toBeLessThanOrEqual(MAX_FAILURES - 1);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(30 - (MAX_FAILURES - 1));
    expect(statuses.every((s) => s === 422 || s === 429)).toBe(true);
    expectRateLimited(await attacker.post('/quotes', { plan_id: planId, code }));
  });

  it('concurrent requests with a real code from one IP all succeed', async () => {
    const { tenant, planId, code } = await setup();
    const office = publicApi(tenant, { ip: '198.51.100.201' });
    for (let round = 0; round < 3; round++) {
      const burst = await Promise.all(Array.from({ length: 20 }, () => office.post('/quotes', { plan_id: planId, code })));
      expect(burst.map((r) => r.status)).toEqual(Array(20).fill(200));
    }
  });

  it('all spellings of one IP address share one counter', async () => {
    const { tenant, planId, code } = await setup();
    const spellings = ['2001:db8::5', '2001:DB8:0:0:0:0:0:5', '2001:0db8::0005'];
    for (let i = 0; i < 10; i++) await guess(publicApi(tenant, { ip: spellings[i % 3]! }), '/quotes', planId, 1);
    for (const ip of spellings) expectRateLimited(await publicApi(tenant, { ip }).post('/quotes', { plan_id: planId, code }));
    // IPv4 and its IPv4-mapped IPv6 form are one client too.
    expect(ipKey('::ffff:203.0.113.5')).toBe(ipKey('203.0.113.5'));
    expect(ipKey('::ffff:cb00:7105')).toBe(ipKey('203.0.113.5'));
    expect(ipKey('::203.0.113.5')).toBe(ipKey('::cb00:7105'));
    expect(ipKey('::203.0.113.5')).not.toBe(ipKey('203.0.113.5'));
  });

  it('a browser on an allowed origin can read the 429 and its Retry-After (CORS)', async () => {
    const tenant = await createTenant({ allowed_origins: ['https://news.example'] });
    const { product, plans } = await createCatalog(tenant, { durations: ['1m'] });
    const offer = await createOffer(tenant, { applies_to: { product_ids: [product.id], durations: ['1m'] } });
    const page = publicApi(tenant, { ip: '198.51.100.77', headers: { Origin: 'https://news.example' } });
    await guess(page, '/quotes', plans['1m'].id, 10);
    const res = await page.post('/quotes', { plan_id: plans['1m'].id, code: offer.code });
    expectRateLimited(res);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('https://news.example');
    expect(res.headers.get('Access-Control-Expose-Headers')).toMatch(/Retry-After/i);
  });

  it('counters are per tenant: a block in one tenant does not touch another', async () => {
    const a = await setup();
    const b = await setup();
    await guess(publicApi(a.tenant, { ip: '198.51.100.50' }), '/quotes', a.planId, 10);
    expectRateLimited(await publicApi(a.tenant, { ip: '198.51.100.50' }).post('/quotes', { plan_id: a.planId, code: a.code }));
    expect((await publicApi(b.tenant, { ip: '198.51.100.50' }).post('/quotes', { plan_id: b.planId, code: b.code })).status).toBe(200);
  });

  it('lifts the block once the window has passed (Retry-After is exact), and blocks again after 10 more', async () => {
    const { tenant, planId, code } = await setup();
    const start = Date.now();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(start);
    const attacker = publicApi(tenant, { ip: '198.51.100.9' });
    await guess(attacker, '/quotes', planId, 10);
    vi.setSystemTime(start + 20_000);
    const retry = expectRateLimited(await attacker.post('/quotes', { plan_id: planId, code }));
    expect(retry).toBe(40);
    vi.setSystemTime(start + WINDOW_MS - 1);
    expectRateLimited(await attacker.post('/quotes', { plan_id: planId, code }));
    vi.setSystemTime(start + WINDOW_MS + 1);
    const again = await attacker.post('/quotes', { plan_id: planId, code });
    expect(again.status, again.text).toBe(200);
    await guess(attacker, '/quotes', planId, 10);
    expectRateLimited(await attacker.post('/quotes', { plan_id: planId, code }));
  });

  it('the admin API lists the current blocks of its tenant only', async () => {
    const { tenant, planId } = await setup();
    const other = await createTenant();
    await guess(publicApi(tenant, { ip: '198.51.100.66' }), '/quotes', planId, 10);
    const list = await admin(tenant).get('/code-guessing/blocks');
    expect(list.status, list.text).toBe(200);
    expect(list.json.data).toEqual([
      expect.objectContaining({ by: 'ip', value: '198.51.100.66', failures: 10, blocked_until: expect.any(String), retry_after: expect.any(Number) }),
    ]);
    expect((await admin(other).get('/code-guessing/blocks')).json.data).toEqual([]);
  });
});

describe('when the counters are unreachable', () => {
  it('codes are judged as usual (fail open, logged), never a 500', async () => {
    const { tenant, planId, code } = await setup();
    const { app } = await import('../../worker/app');
    const unreachable = {
      idFromName: (name: string) => name,
      get: () => ({ check: () => Promise.reject(new Error('Durable Object is overloaded')) }),
    };
    const brokenEnv = { ...(env as object), CODE_ATTEMPTS: unreachable };
    const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
    const quote = (body: unknown) =>
      app.fetch(
        new Request('https://offer-checkout.test/v1/quotes', {
          method: 'POST',
          headers: { Authorization: `Bearer ${tenant.publishable_key}`, 'Content-Type': 'application/json', 'CF-Connecting-IP': '198.51.100.3' },
          body: JSON.stringify(body),
        }),
        brokenEnv,
        ctx,
      );
    expect((await quote({ plan_id: planId, code })).status).toBe(200);
    const bad = await quote({ plan_id: planId, code: freshCode('NOPE') });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { code: string }).code).toBe('code_not_found');
  });
});

describe('the watch list: only keys that have failed cost a call to the object (docs/security.md)', () => {
  /** The app with a CODE_ATTEMPTS namespace that counts the calls the worker makes to the real object. */
  async function counted() {
    const { app } = await import('../../worker/app');
    const real = (env as unknown as { CODE_ATTEMPTS: DurableObjectNamespace<CodeAttempts> }).CODE_ATTEMPTS;
    const calls = { check: 0, fail: 0 };
    const namespace = {
      idFromName: (name: string) => real.idFromName(name),
      get: (id: DurableObjectId) => {
        const stub = real.get(id);
        return {
          check: (keys: string[]) => (calls.check++, stub.check(keys)),
          fail: (attempt: number, keys: string[]) => (calls.fail++, stub.fail(attempt, keys)),
          release: (attempt: number) => stub.release(attempt),
        };
      },
    };
    const countedEnv = { ...(env as object), CODE_ATTEMPTS: namespace };
    const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
    const quote = async (tenant: TestTenant, ip: string, body: unknown) => {
      const res = await app.fetch(
        new Request(`${BASE}/v1/quotes`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${tenant.publishable_key}`, 'Content-Type': 'application/json', 'CF-Connecting-IP': ip },
          body: JSON.stringify(body),
        }),
        countedEnv,
        ctx,
      );
      return { status: res.status, json: (await res.json()) as { code?: string } };
    };
    return { calls, quote, stub: (tenant: TestTenant) => real.get(real.idFromName(tenant.id)) };
  }

  it('asks once per isolate and list age; a key that fails here is asked about on every request from then on', async () => {
    const { tenant, planId, code } = await setup();
    const { calls, quote } = await counted();
    const start = Date.now();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(start);
    expect((await quote(tenant, '198.51.100.20', { plan_id: planId, code })).status).toBe(200);
    expect(calls.check).toBe(1); // no copy of the list yet
    for (const ip of ['198.51.100.20', '198.51.100.21', '2001:db8::21']) expect((await quote(tenant, ip, { plan_id: planId, code })).status).toBe(200);
    expect(calls.check).toBe(1); // nobody has failed: judged on the copy
    const miss = await quote(tenant, '198.51.100.21', { plan_id: planId, code: freshCode('NOPE') });
    expect(miss.json.code).toBe('code_not_found');
    expect(calls).toEqual({ check: 1, fail: 1 }); // recorded, before the answer left
    // From now on this isolate asks about .21 every time (exact, with reservations) ...
    expect((await quote(tenant, '198.51.100.21', { plan_id: planId, code })).status).toBe(200);
    expect((await quote(tenant, '198.51.100.21', { plan_id: planId, code })).status).toBe(200);
    expect(calls.check).toBe(3);
    // ... and the others still cost nothing.
    expect((await quote(tenant, '198.51.100.20', { plan_id: planId, code })).status).toBe(200);
    expect(calls.check).toBe(3);
    // Past the list's age the next request asks again (and refreshes the copy for everyone).
    vi.setSystemTime(start + WATCH_LIST_TTL_MS);
    expect((await quote(tenant, '198.51.100.20', { plan_id: planId, code })).status).toBe(200);
    expect(calls.check).toBe(4);
    expect((await quote(tenant, '198.51.100.22', { plan_id: planId, code })).status).toBe(200);
    expect(calls.check).toBe(4);
    // Ten failures from one IP still block it exactly, on this isolate.
    for (let i = 0; i < MAX_FAILURES - 1; i++) expect((await quote(tenant, '198.51.100.21', { plan_id: planId, code: freshCode('NOPE') })).status).toBe(422);
    expect((await quote(tenant, '198.51.100.21', { plan_id: planId, code })).status).toBe(429);
  });

  it('failures recorded by another isolate reach this one within the list age (the staleness bound), and at once once it sees one fail', async () => {
    const { tenant, planId, code } = await setup();
    const { calls, quote, stub } = await counted();
    const start = Date.now();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(start);
    expect((await quote(tenant, '203.0.113.40', { plan_id: planId, code })).status).toBe(200); // this isolate's copy: nobody
    // Another isolate records ten failures of two IPs on the tenant's object.
    for (let i = 0; i < MAX_FAILURES; i++) {
      await stub(tenant).fail(0, ['ip:203.0.113.41']);
      await stub(tenant).fail(0, ['ip:203.0.113.42']);
    }
    // Within the copy's age this isolate does not know yet: the real code still prices ...
    expect((await quote(tenant, '203.0.113.41', { plan_id: planId, code })).status).toBe(200);
    // ... but a failure is recorded and answered with the object's count: blocked from the next request on.
    expect((await quote(tenant, '203.0.113.42', { plan_id: planId, code: freshCode('NOPE') })).status).toBe(422);
    expect((await quote(tenant, '203.0.113.42', { plan_id: planId, code })).status).toBe(429);
    // Once the copy is older than WATCH_LIST_TTL_MS, every isolate asks and is refused.
    vi.setSystemTime(start + WATCH_LIST_TTL_MS);
    expect((await quote(tenant, '203.0.113.41', { plan_id: planId, code })).status).toBe(429);
    expect(calls.check).toBeGreaterThanOrEqual(3);
  });

  it(`sends no list past ${WATCH_LIST_MAX} watched keys: then every request with a code asks`, async () => {
    const { tenant, planId, code } = await setup();
    const { calls, quote, stub } = await counted();
    for (let i = 0; i <= WATCH_LIST_MAX; i++) await stub(tenant).fail(0, [`ip:192.0.2.${i % 250}-${i}`]);
    expect((await stub(tenant).check(['ip:203.0.113.50'])).watchList).toBeNull();
    const before = calls.check;
    for (let i = 0; i < 3; i++) expect((await quote(tenant, '203.0.113.50', { plan_id: planId, code })).status).toBe(200);
    expect(calls.check - before).toBe(3);
  });
});

describe('the CodeAttempts Durable Object', () => {
  it('keeps only recent failures: an alarm sweeps the ones older than the window', async () => {
    const ns = (env as unknown as { CODE_ATTEMPTS: DurableObjectNamespace<CodeAttempts> }).CODE_ATTEMPTS;
    const stub = ns.get(ns.idFromName(`sweep-${Math.random()}`));
    const start = Date.now();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(start);
    for (let i = 0; i < MAX_FAILURES; i++) {
      const attempt = await stub.check(['ip:x', 'user:u']);
      if (attempt.kind !== 'allowed') throw new Error(`blocked after ${i} failures`);
      await stub.fail(attempt.attempt, ['ip:x', 'user:u']);
      vi.setSystemTime(start + i);
    }
    expect(await stub.check(['user:u'])).toMatchObject({ kind: 'blocked', key: 'user:u' });
    const count = () => runInDurableObject(stub, (_o, state) => state.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM failures').one().n);
    expect(await count()).toBe(20);
    expect((await stub.blocks()).map((b) => b.key).sort()).toEqual(['ip:x', 'user:u']);
    vi.setSystemTime(start + WINDOW_MS + 10);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await count()).toBe(0);
    expect(await stub.blocks()).toEqual([]);
    expect(await stub.check(['user:u'])).toMatchObject({ kind: 'allowed' });
  });
});

describe('the sliding window (pure)', () => {
  it('blocks while MAX_FAILURES failures are within the window, until the oldest of them leaves it', () => {
    const now = 1_000_000;
    const nine = Array.from({ length: 9 }, (_, i) => now - i * 1000);
    expect(blockedUntil(nine, now)).toBeNull();
    const ten = [...nine, now - 30_000];
    expect(blockedUntil(ten, now)).toBe(now - 30_000 + WINDOW_MS);
    expect(blockedUntil(ten, now - 30_000 + WINDOW_MS)).toBeNull();
    // Older failures never count.
    expect(blockedUntil([...nine, now - WINDOW_MS], now)).toBeNull();
    expect(MAX_FAILURES).toBe(10);
  });

  it('counts attempts in flight once a key has failed, never for a key without failures', () => {
    const now = 1_000_000;
    expect(blockedUntil([now - 1], now, 8)).toBeNull();
    expect(blockedUntil([now - 1], now, 9)).toBe(now + 1000);
    // A key without failures is never blocked by attempts in flight, however many.
    expect(blockedUntil([], now, 63)).toBeNull();
    expect(blockedUntil([], now, 500)).toBeNull();
  });
});
