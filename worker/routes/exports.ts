import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { validate } from '../validation';
import { Id, commonProblems } from '../schemas/common';
import { redemptionsPage, startPosition, subscriptionsPage, type ExportFilter } from '../db/exports';
import { csvResponse, isoOrEmpty } from '../lib/csv-response';

const tags = ['Exports'];
const PAGE = 1_000;
const ExportQuery = z.object({ product_id: Id('prod').optional(), plan_id: Id('plan').optional() });
const csv200 = (what: string) => ({
  description: `${what}, streamed as CSV. Cells a spreadsheet would run as a formula are prefixed with \`'\`.`,
  content: { 'text/csv': { schema: { type: 'string' as const } } },
});

/** Pages through `fetch` by (created_at, id) until a short page. */
function pager<Row extends { created_at: number; id: string }>(fetch: (after: { createdAt: number; id: string }) => Promise<Row[]>, toCells: (r: Row) => Array<string | number | boolean | null>) {
  const after = startPosition();
  let done = false;
  return async () => {
    if (done) return null;
    const rows = await fetch(after);
    if (rows.length < PAGE) done = true;
    const last = rows[rows.length - 1];
    if (last) {
      after.createdAt = last.created_at;
      after.id = last.id;
    }
    return rows.map(toCells);
  };
}

/** The tenant's filter of an export request. */
const filterOf = (tenantId: string, q: z.infer<typeof ExportQuery>): ExportFilter => ({ tenantId, productId: q.product_id, planId: q.plan_id });

/** `/admin/v1/exports` */
export const exportsRoutes = new Hono<AppEnv>()
  .get(
    '/subscriptions.csv',
    describeRoute({ tags, summary: 'Export subscriptions (CSV), optionally of one product or plan', responses: { 200: csv200('Subscriptions'), ...commonProblems } }),
    validate('query', ExportQuery),
    async (c) => {
      const filter = filterOf(c.get('tenant').id, c.req.valid('query'));
      const db = c.get('d1');
      return csvResponse(
        'subscriptions.csv',
        [
          'id', 'user_id', 'email', 'product_id', 'plan_id', 'status', 'source', 'collection', 'group_id', 'offer_id', 'code',
          'reactivation', 'cycle', 'discounted_cycles', 'price', 'discount', 'amount_due', 'currency',
          'current_period_start', 'current_period_end', 'cancelled_at', 'created_at',
        ],
        pager(
          (after) => subscriptionsPage(db, filter, after, PAGE),
          (s) => [
            s.id, s.user_id, s.email, s.product_id, s.plan_id, s.status, s.source, s.collection, s.group_id, s.offer_id, s.code,
            s.reactivation === 1, s.cycle, s.discounted_cycles, s.price, s.discount, s.amount_due, s.currency,
            isoOrEmpty(s.current_period_start), isoOrEmpty(s.current_period_end), isoOrEmpty(s.cancelled_at), isoOrEmpty(s.created_at),
          ],
        ),
      );
    },
  )
  .get(
    '/redemptions.csv',
    describeRoute({
      tags,
      summary: 'Export redemptions (CSV: avails and discounted renewals), optionally of one product or plan',
      responses: { 200: csv200('Redemptions'), ...commonProblems },
    }),
    validate('query', ExportQuery),
    async (c) => {
      const filter = filterOf(c.get('tenant').id, c.req.valid('query'));
      const db = c.get('d1');
      return csvResponse(
        'redemptions.csv',
        ['id', 'offer_id', 'code', 'kind', 'subscription_id', 'user_id', 'product_id', 'plan_id', 'cycle', 'discount', 'currency', 'created_at'],
        pager(
          (after) => redemptionsPage(db, filter, after, PAGE),
          (r) => [r.id, r.offer_id, r.code, r.kind, r.subscription_id, r.user_id, r.product_id, r.plan_id, r.cycle, r.discount, r.currency, isoOrEmpty(r.created_at)],
        ),
      );
    },
  );
