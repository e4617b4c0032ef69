/**
 * widget/api-types.ts is generated from the worker's OpenAPI document (scripts/gen-api-types.mjs).
 * This fails when a schema change left the committed file stale: run `npm run gen:api-types`.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
// @ts-expect-error plain ESM script without types
import { OUTPUT, renderApiTypes } from '../../scripts/gen-api-types.mjs';
import { CODE_REJECTIONS } from '../../widget/api-types';
import { REJECT_REASONS } from '../../worker/domain/offer-rules';
import { startWorker, type LocalWorker } from './harness';

let worker: LocalWorker;
beforeAll(async () => {
  worker = await startWorker();
});
afterAll(async () => {
  await worker?.stop();
});

describe('widget/api-types.ts', () => {
  test('is what scripts/gen-api-types.mjs renders from the current /openapi.json', async () => {
    const res = await fetch(`${worker.url}/openapi.json`);
    expect(res.status).toBe(200);
    const spec = await res.json();
    const fresh: string = renderApiTypes(spec);
    const committed = readFileSync(OUTPUT as string, 'utf8');
    expect(committed, 'widget/api-types.ts is stale: run `npm run gen:api-types` and commit it').toBe(fresh);
  });

  test('carries the reasons a code is refused and the Subscription shape from the API, not copies', async () => {
    expect([...CODE_REJECTIONS]).toEqual([...REJECT_REASONS]);
    const text = readFileSync(OUTPUT as string, 'utf8');
    expect(text).toMatch(/export interface Subscription \{[^}]*status: "pending" \| "active"/s);
    expect(text).toMatch(/hold_expires_at: string \| null;/);
    // The renderer fails loudly rather than writing a file without the refusal reasons.
    expect(() => renderApiTypes({ info: {}, paths: {}, components: { schemas: {} } })).toThrow(/CodeRejection/);
  });
});
