/**
 * The one in-isolate cache of the worker (docs/caching.md is its written contract). Every cache
 * of the worker is a `TenantCache` made by `createCache`:
 *
 * - entries belong to a tenant and carry a version (what the entry was read at, e.g. the
 *   tenant's definitions version) and `checkedAt` (when that version was last confirmed);
 *   `get` says whether an entry is still `fresh` (checked less than `ttlMs` ago) so the caller
 *   decides between answering from it and re-checking its version in the same D1 batch;
 * - a byte budget per cache (entry sizes are estimated by the caller's `sizeOf`); the least
 *   recently used entries go first, and an entry bigger than the whole budget is not kept;
 * - invalidation after commit: a writer calls `invalidateTenant(topic, tenantId)` (or wraps its
 *   batch in `afterCommit`) once its batch has resolved, never while building the statements.
 *   Each invalidation bumps the tenant's generation; a load that began before it (it took
 *   `generation(tenantId)` first) is not stored by `set`, so a read that raced a write is
 *   answered once and never kept;
 * - values only, never promises: no request ever awaits D1 work started by another request
 *   (which would make it inherit that request's cancellation and limits). Two concurrent misses
 *   each do their own load.
 *
 * Isolates are many and short-lived, so an entry is a hint: each isolate invalidates its own
 * entries on its own writes; other isolates learn of a write through the version re-check
 * within `ttlMs`.
 */

/** What a class of writes invalidates: `catalog` (plans, offers, groups and their rules) or `keys` (API keys, tenant settings). */
export type CacheTopic = 'catalog' | 'keys';

export interface CacheOptions<V> {
  /** For stats and docs. */
  name: string;
  /** How long an entry is trusted without re-checking its version. */
  ttlMs: number;
  /** Byte budget of this cache in the isolate (estimated sizes). */
  maxBytes: number;
  /** Estimated bytes of a value in the isolate's heap. */
  sizeOf: (value: V) => number;
  /** Topics whose writes drop this cache's entries of the tenant (default `['catalog']`). */
  topics?: CacheTopic[];
}

export interface CacheHit<V> {
  value: V;
  version: string | number;
  checkedAt: number;
  /** Checked less than `ttlMs` ago: may be used without re-checking the version. */
  fresh: boolean;
}

interface Entry<V> {
  tenantId: string;
  value: V;
  version: string | number;
  checkedAt: number;
  bytes: number;
}

/** Rough sizes for `sizeOf` estimates (V8 heap, 64-bit). */
export const SIZES = {
  object: 64,
  mapEntry: 80,
  bigint: 32,
  number: 16,
  /** A string's bytes: header plus two bytes a character (worst case). */
  string: (s: string | null | undefined) => 24 + 2 * (s?.length ?? 0),
} as const;

/** A rough estimate of a JSON-like value (objects, arrays, strings, numbers) for `sizeOf`. */
export function estimateBytes(value: unknown, depth = 0): number {
  if (value === null || value === undefined) return 8;
  switch (typeof value) {
    case 'string':
      return SIZES.string(value);
    case 'number':
    case 'boolean':
      return SIZES.number;
    case 'bigint':
      return SIZES.bigint;
    case 'object': {
      if (depth > 8) return SIZES.object;
      if (value instanceof Map) {
        let n = SIZES.object;
        for (const [k, v] of value) n += SIZES.mapEntry + estimateBytes(k, depth + 1) + estimateBytes(v, depth + 1);
        return n;
      }
      if (value instanceof Set) {
        let n = SIZES.object;
        for (const v of value) n += SIZES.mapEntry + estimateBytes(v, depth + 1);
        return n;
      }
      if (Array.isArray(value)) {
        let n = SIZES.object + 8 * value.length;
        for (const v of value) n += estimateBytes(v, depth + 1);
        return n;
      }
      let n = SIZES.object;
      for (const [k, v] of Object.entries(value)) n += 8 + SIZES.string(k) / 4 + estimateBytes(v, depth + 1);
      return n;
    }
    default:
      return SIZES.object;
  }
}

const registry = new Set<TenantCache<unknown>>();

export class TenantCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly byTenant = new Map<string, Set<string>>();
  private readonly generations = new Map<string, number>();
  private used = 0;

  constructor(readonly options: CacheOptions<V>) {}

  /** The entry under `key` (a key includes its tenant's id), fresh or not; it becomes the most recently used. */
  get(key: string, now: number = Date.now()): CacheHit<V> | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    this.entries.set(key, e);
    return { value: e.value, version: e.version, checkedAt: e.checkedAt, fresh: now - e.checkedAt < this.options.ttlMs };
  }

  /** Take this before starting a load; pass it to `set`. */
  generation(tenantId: string): number {
    return this.generations.get(tenantId) ?? 0;
  }

  /**
   * Stores a loaded value, unless the tenant was invalidated since `generation` was taken (the
   * load may have read data older than the write) or the value alone is over the budget.
   * Returns whether it was kept.
   */
  set(key: string, value: V, meta: { tenantId: string; version: string | number; generation: number; now?: number }): boolean {
    if (this.generation(meta.tenantId) !== meta.generation) return false;
    const bytes = Math.max(1, Math.ceil(this.options.sizeOf(value)));
    this.delete(key);
    if (bytes > this.options.maxBytes) return false;
    while (this.used + bytes > this.options.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
    this.entries.set(key, { tenantId: meta.tenantId, value, version: meta.version, checkedAt: meta.now ?? Date.now(), bytes });
    let keys = this.byTenant.get(meta.tenantId);
    if (!keys) this.byTenant.set(meta.tenantId, (keys = new Set()));
    keys.add(key);
    this.used += bytes;
    return true;
  }

  /** The version of the entry was re-read and is unchanged: it is fresh again from `now`. */
  confirm(key: string, version: string | number, now: number = Date.now()): boolean {
    const e = this.entries.get(key);
    if (!e || e.version !== version) return false;
    e.checkedAt = now;
    return true;
  }

  /**
   * A load found `value` (the entry it started from) still current at `version`: confirms the
   * entry, or stores `value` again when the entry was evicted meanwhile (never an empty reload).
   */
  keep(key: string, value: V, meta: { tenantId: string; version: string | number; generation: number; now?: number }): boolean {
    const e = this.entries.get(key);
    if (e && e.value === value && e.version === meta.version) {
      e.checkedAt = meta.now ?? Date.now();
      return true;
    }
    return this.set(key, value, meta);
  }

  delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.used -= e.bytes;
    const keys = this.byTenant.get(e.tenantId);
    keys?.delete(key);
    if (keys && keys.size === 0) this.byTenant.delete(e.tenantId);
  }

  /** Drops the tenant's entries and makes loads already under way not kept. Call after the write committed. */
  invalidate(tenantId: string): void {
    this.generations.set(tenantId, this.generation(tenantId) + 1);
    for (const key of [...(this.byTenant.get(tenantId) ?? [])]) this.delete(key);
  }

  clear(): void {
    this.entries.clear();
    this.byTenant.clear();
    this.used = 0;
    for (const t of this.generations.keys()) this.generations.set(t, this.generation(t) + 1);
  }

  stats(): { name: string; entries: number; bytes: number; maxBytes: number } {
    return { name: this.options.name, entries: this.entries.size, bytes: this.used, maxBytes: this.options.maxBytes };
  }
}

/** A registered cache: `invalidateTenant` reaches it for each of its topics. */
export function createCache<V>(options: CacheOptions<V>): TenantCache<V> {
  const cache = new TenantCache(options);
  registry.add(cache as TenantCache<unknown>);
  return cache;
}

/** Drops a tenant's entries in every cache that listens to `topic`. Call once the write's batch resolved. */
export function invalidateTenant(topic: CacheTopic, tenantId: string): void {
  for (const cache of registry) if ((cache.options.topics ?? ['catalog']).includes(topic)) cache.invalidate(tenantId);
}

/**
 * Awaits a write and then invalidates the tenant's `topic` caches, also when the write failed
 * (a failed batch may still have committed, e.g. when the connection dropped after it).
 */
export async function afterCommit<T>(topic: CacheTopic, tenantId: string, write: Promise<T>): Promise<T> {
  try {
    return await write;
  } finally {
    invalidateTenant(topic, tenantId);
  }
}

/** Every cache of this isolate (tests, stats). */
export function allCaches(): TenantCache<unknown>[] {
  return [...registry];
}

/**
 * Byte budgets of the caches, in one place so their sum stays well under the isolate's 128 MB
 * (together 61 MB; the rest is for requests).
 */
export const CACHE_BUDGETS = {
  accessTables: 36 * 1024 * 1024,
  quoteCatalogs: 8 * 1024 * 1024,
  listingCatalogs: 8 * 1024 * 1024,
  publicPlans: 4 * 1024 * 1024,
  apiKeys: 4 * 1024 * 1024,
  codeGuessingWatchLists: 1024 * 1024,
} as const;
