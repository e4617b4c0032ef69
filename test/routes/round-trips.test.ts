import { env, createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { app } from '../../worker/app';
import { BASE, createTenant } from '../helpers';

async function plans(bindings: Record<string, unknown>, key: string) {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`${BASE}/v1/plans`, { headers: { Authorization: `Bearer ${key}` } }), { ...env, ...bindings }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe('X-D1-Round-Trips', () => {
  it('is sent in tests and development, not in production unless EXPOSE_ROUND_TRIPS is "1"', async () => {
    const tenant = await createTenant();
    const test = await plans({}, tenant.publishable_key);
    expect(test.status).toBe(200);
    expect(test.headers.get('X-D1-Round-Trips')).not.toBeNull();
    expect((await plans({ ENVIRONMENT: 'development' }, tenant.publishable_key)).headers.get('X-D1-Round-Trips')).not.toBeNull();
    const production = await plans({ ENVIRONMENT: 'production' }, tenant.publishable_key);
    expect(production.status).toBe(200);
    expect(production.headers.get('X-D1-Round-Trips')).toBeNull();
    const bench = await plans({ ENVIRONMENT: 'production', EXPOSE_ROUND_TRIPS: '1' }, tenant.publishable_key);
    expect(bench.headers.get('X-D1-Round-Trips')).not.toBeNull();
  });
});
