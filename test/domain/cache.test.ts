import { describe, expect, it } from 'vitest';
import { TenantCache, afterCommit, createCache, estimateBytes, invalidateTenant, CACHE_BUDGETS } from '../../worker/lib/cache';

const sized = (maxBytes: number, ttlMs = 1_000) => new TenantCache<{ bytes: number }>({ name: 't', ttlMs, maxBytes, sizeOf: (v) => v.bytes });

describe('TenantCache', () => {
  it('answers fresh within the ttl and stale after it, and confirm makes it fresh again', () => {
    const c = sized(1_000);
    expect(c.set('a:1', { bytes: 10 }, { tenantId: 'a', version: 'v1', generation: c.generation('a'), now: 0 })).toBe(true);
    expect(c.get('a:1', 999)).toMatchObject({ fresh: true, version: 'v1' });
    expect(c.get('a:1', 1_000)).toMatchObject({ fresh: false, version: 'v1' });
    expect(c.confirm('a:1', 'v2', 1_000)).toBe(false);
    expect(c.confirm('a:1', 'v1', 1_000)).toBe(true);
    expect(c.get('a:1', 1_500)?.fresh).toBe(true);
  });

  it('keeps total bytes within the budget, dropping the least recently used first', () => {
    const c = sized(100);
    const put = (t: string, bytes: number) => c.set(`${t}:k`, { bytes }, { tenantId: t, version: 1, generation: c.generation(t) });
    put('a', 40);
    put('b', 40);
    c.get('a:k'); // a is now more recent than b
    put('c', 40);
    expect(c.get('b:k')).toBeUndefined();
    expect(c.get('a:k')).toBeDefined();
    expect(c.get('c:k')).toBeDefined();
    expect(c.stats().bytes).toBe(80);
    // Bigger than the whole budget: not kept, and nothing else is dropped for it.
    expect(put('d', 101)).toBe(false);
    expect(c.stats()).toMatchObject({ entries: 2, bytes: 80 });
  });

  it('does not keep a load that began before an invalidation of its tenant', () => {
    const c = sized(1_000);
    const before = c.generation('a');
    c.invalidate('a'); // a write committed while the load was in flight
    expect(c.set('a:k', { bytes: 1 }, { tenantId: 'a', version: 1, generation: before })).toBe(false);
    expect(c.get('a:k')).toBeUndefined();
    // Other tenants are unaffected.
    expect(c.set('b:k', { bytes: 1 }, { tenantId: 'b', version: 1, generation: c.generation('b') })).toBe(true);
  });

  it('keep confirms the entry a load started from, or stores it again when it was evicted meanwhile', () => {
    const c = sized(100);
    const value = { bytes: 60 };
    c.set('a:k', value, { tenantId: 'a', version: 'v1', generation: 0, now: 0 });
    expect(c.keep('a:k', value, { tenantId: 'a', version: 'v1', generation: 0, now: 5_000 })).toBe(true);
    expect(c.get('a:k', 5_500)).toMatchObject({ fresh: true, version: 'v1' });
    c.set('b:k', { bytes: 60 }, { tenantId: 'b', version: 1, generation: 0 }); // evicts a:k
    expect(c.get('a:k')).toBeUndefined();
    expect(c.keep('a:k', value, { tenantId: 'a', version: 'v1', generation: 0, now: 6_000 })).toBe(true);
    expect(c.get('a:k', 6_100)?.value).toBe(value);
    // Not after an invalidation of the tenant.
    c.invalidate('a');
    expect(c.keep('a:k', value, { tenantId: 'a', version: 'v1', generation: 0 })).toBe(false);
  });

  it('invalidate drops only that tenant', () => {
    const c = sized(1_000);
    for (const t of ['a', 'b']) for (const k of ['1', '2']) c.set(`${t}:${k}`, { bytes: 5 }, { tenantId: t, version: 1, generation: c.generation(t) });
    c.invalidate('a');
    expect(c.get('a:1')).toBeUndefined();
    expect(c.get('a:2')).toBeUndefined();
    expect(c.get('b:1')).toBeDefined();
    expect(c.stats()).toMatchObject({ entries: 2, bytes: 10 });
  });
});

describe('invalidation by topic, after commit', () => {
  it('invalidateTenant reaches the caches of that topic only', () => {
    const catalog = createCache<number>({ name: 'catalog-test', ttlMs: 1_000, maxBytes: 1_000, sizeOf: () => 1 });
    const keys = createCache<number>({ name: 'keys-test', ttlMs: 1_000, maxBytes: 1_000, sizeOf: () => 1, topics: ['keys'] });
    catalog.set('t1:x', 1, { tenantId: 't1', version: 1, generation: 0 });
    keys.set('h', 1, { tenantId: 't1', version: 1, generation: 0 });
    invalidateTenant('catalog', 't1');
    expect(catalog.get('t1:x')).toBeUndefined();
    expect(keys.get('h')).toBeDefined();
    invalidateTenant('keys', 't1');
    expect(keys.get('h')).toBeUndefined();
  });

  it('afterCommit invalidates once the write resolved, not before, and also when it failed', async () => {
    const cache = createCache<number>({ name: 'after-commit-test', ttlMs: 1_000, maxBytes: 1_000, sizeOf: () => 1 });
    cache.set('t2:x', 1, { tenantId: 't2', version: 1, generation: 0 });
    let resolve!: (v: string) => void;
    const write = afterCommit('catalog', 't2', new Promise<string>((r) => (resolve = r)));
    await Promise.resolve();
    expect(cache.get('t2:x')).toBeDefined(); // the batch has not committed yet
    resolve('ok');
    expect(await write).toBe('ok');
    expect(cache.get('t2:x')).toBeUndefined();

    cache.set('t2:y', 1, { tenantId: 't2', version: 1, generation: cache.generation('t2') });
    await expect(afterCommit('catalog', 't2', Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(cache.get('t2:y')).toBeUndefined();
  });
});

describe('estimateBytes and budgets', () => {
  it('grows with content and the budgets stay well under the 128 MB isolate', () => {
    expect(estimateBytes({ a: 'x'.repeat(1_000) })).toBeGreaterThan(2_000);
    expect(estimateBytes(new Map([[1, 'a']]))).toBeGreaterThan(estimateBytes(new Map()));
    const total = Object.values(CACHE_BUDGETS).reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(64 * 1024 * 1024);
  });
});
