import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isGone, isNotOver, isRedeemableNow, offerStatus } from '../../worker/domain/offer-status';
import { goneSql, notOverSql, redeemableSql, statusSql } from '../../worker/db/offer-status-sql';
import type { OfferState } from '../../worker/domain/offer-rules';

interface Row {
  state: OfferState;
  startsAt: number;
  endsAt: number;
  endedAt: number | null;
  deletedAt: number | null;
}

// Instants around `now` (= 100), so every boundary (before, at, after) comes up often.
const instant = fc.integer({ min: 97, max: 103 });
const row = fc.record({
  state: fc.constantFrom<OfferState>('in_progress', 'published', 'failed'),
  startsAt: instant,
  endsAt: instant,
  endedAt: fc.option(instant, { nil: null }),
  deletedAt: fc.option(instant, { nil: null }),
});

/** Evaluates a fragment over rows given as a VALUES table aliased `o`, with now bound as ?1. */
async function sqlMatches(rows: Row[], fragment: string, now: number): Promise<boolean[]> {
  const values = rows.map((_, i) => `(${i}, ?${5 * i + 2}, ?${5 * i + 3}, ?${5 * i + 4}, ?${5 * i + 5}, ?${5 * i + 6})`).join(', ');
  const binds: unknown[] = [now];
  for (const r of rows) binds.push(r.state, r.startsAt, r.endsAt, r.endedAt, r.deletedAt);
  const { results } = await env.DB.prepare(
    `WITH o(i, state, starts_at, ends_at, ended_at, deleted_at) AS (VALUES ${values}) SELECT i FROM o WHERE ${fragment} ORDER BY i`,
  )
    .bind(...binds)
    .all<{ i: number }>();
  const hit = new Set(results.map((r) => r.i));
  return rows.map((_, i) => hit.has(i));
}

describe('offer lifecycle: SQL fragments agree with their pure twins', () => {
  it('status, redeemable, not over and gone, on random offers around every boundary', async () => {
    const now = 100;
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 19 }), async (rows) => {
        for (const [status, fragment] of Object.entries(statusSql)) {
          expect(await sqlMatches(rows, fragment('?1'), now), status).toEqual(rows.map((r) => offerStatus(r, now) === status));
        }
        expect(await sqlMatches(rows, redeemableSql('?1'), now)).toEqual(rows.map((r) => isRedeemableNow(r, now)));
        expect(await sqlMatches(rows, notOverSql('?1'), now)).toEqual(rows.map((r) => isNotOver(r, now)));
        expect(await sqlMatches(rows, goneSql('?1'), now)).toEqual(rows.map((r) => isGone(r, now)));
      }),
      { numRuns: 60 },
    );
  });
});
