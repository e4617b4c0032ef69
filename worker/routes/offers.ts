import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { AppError, invalidField, notFound } from '../errors';
import { validate } from '../validation';
import { IdParam, commonProblems, json, listOf, problem } from '../schemas/common';
import { Offer, OfferCreate, OfferListQuery, OfferStats, OfferUpdate } from '../schemas/offer';
import { newId } from '../domain/crypto';
import { percentToBasisPoints } from '../domain/money';
import { decideCoverage, normaliseCode, offerStatus } from '../domain/offer-rules';
import { flatDiscountFreePlans } from '../domain/offer-warnings';
import { parseBound, startOfToday } from '../domain/zoned-dates';
import { offerFacts, planFacts, type OfferRow } from '../db/offer-rows';
import { deleteOffer, failedJobsOfOffer, getOffer, insertOffer, listOffers, loadCoverage, offerStats, updateOffer } from '../db/offer-queries';
import { codeSetJob, codeSetJobJson, kickJob } from '../jobs/start';
import { offerJson } from '../schemas/offer-json';
import { afterCommit } from '../lib/cache';

const tags = ['Offers'];

/** The list's query: the status filter, and a code search (upper-cased; letters and digits only). */
const OfferListSearch = OfferListQuery.extend({
  code: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{1,32}$/, 'must be 1–32 letters and digits')
    .transform((s) => s.toUpperCase())
    .optional(),
});

/** An offer as the list shows it: with the jobs whose rows failed. */
const OfferListed = Offer.extend({
  failed_jobs: z.array(z.object({ id: z.string(), kind: z.string(), failed: z.number().int() })).meta({ description: 'Jobs of this offer with failed rows (`GET /admin/v1/jobs/{id}/errors.csv`)' }),
});

const isCodeTaken = (err: unknown): boolean => {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (/UNIQUE constraint failed: codes\./.test(e.message)) return true;
  }
  return false;
};

const codeTaken = () =>
  new AppError('conflict', {
    code: 'code_taken',
    detail: 'This code is or was used by an offer of this publisher; codes are unique forever.',
    errors: [{ path: 'code', message: 'is already taken' }],
  });

/** `/admin/v1/offers` */
export const offers = new Hono<AppEnv>()
  .post(
    '/',
    describeRoute({
      tags,
      summary: 'Create an offer',
      description:
        'A shared `code` or a `code_set` (generated in a job: the offer is `in_progress` until it is done). Products without an active plan the discount can apply to are left out and named in `warnings`; when none is left the offer is refused. A flat discount not less than a plan\'s price is accepted with a `discount_makes_plan_free` warning naming the plan (`plan_id`).',
      responses: {
        201: json('The offer, with `warnings` and, for a code set, its `job`', Offer),
        404: problem('Unknown product (`errors[0].path` names it)'),
        409: problem('`code_taken`: the tenant has or had this code'),
        422: problem('`no_applicable_products`: no selected product is left'),
        ...commonProblems,
      },
    }),
    validate('json', OfferCreate),
    async (c) => {
      const input = c.req.valid('json');
      const tenant = c.get('tenant');
      const now = Date.now();
      const starts = parseBound(input.starts_at, 'start', tenant.timeZone);
      if (starts.kind !== 'ok') throw invalidField('starts_at', 'must be a date YYYY-MM-DD or an ISO 8601 instant with a time zone');
      const ends = parseBound(input.ends_at, 'end', tenant.timeZone);
      if (ends.kind !== 'ok') throw invalidField('ends_at', 'must be a date YYYY-MM-DD or an ISO 8601 instant with a time zone');
      if (starts.ms < startOfToday(now, tenant.timeZone)) throw invalidField('starts_at', `must not be before today (${tenant.timeZone})`);
      if (ends.ms <= starts.ms) throw invalidField('ends_at', 'must be after starts_at');
      if (ends.ms <= now) throw invalidField('ends_at', 'must be in the future');

      const discount =
        input.discount.type === 'percent'
          ? ({ type: 'percent', basisPoints: percentToBasisPoints(input.discount.value) } as const)
          : ({ type: 'flat', amount: input.discount.amount, currency: input.discount.currency } as const);
      const durations = input.applies_to.durations;
      const db = c.get('d1');
      const selected = input.applies_to.all_products === true ? 'all' : input.applies_to.product_ids!;
      const coverage = await loadCoverage(db, tenant.id, selected);
      if (selected !== 'all') {
        const existing = new Set(coverage.existing);
        const missing = selected.map((id, i) => ({ id, i })).filter(({ id }) => !existing.has(id));
        if (missing.length > 0) {
          throw new AppError('not_found', {
            code: 'not_found',
            detail: `Unknown product: ${missing.map((m) => m.id).join(', ')}`,
            errors: missing.map((m) => ({ path: `applies_to.product_ids.${m.i}`, message: 'product not found' })),
          });
        }
      }
      const productIds = selected === 'all' ? coverage.existing : selected;
      const decision = decideCoverage(
        productIds.map((id) => ({ productId: id, plans: coverage.plans.filter((p) => p.product_id === id).map(planFacts) })),
        { durations, discount },
      );
      if (decision.kind === 'none_left') {
        if (decision.aumOnly) {
          throw new AppError('invalid_input', {
            code: 'invalid_input',
            detail: 'The selected plans are aum-priced: they take percentage discounts only.',
            errors: [{ path: 'discount.type', message: 'must be percent for aum plans' }],
            extra: { warnings: decision.warnings },
          });
        }
        if (decision.currencyMismatch) {
          throw new AppError('invalid_input', {
            code: 'invalid_input',
            detail: 'The flat discount\'s currency matches no selected plan.',
            errors: [{ path: 'discount.currency', message: 'matches no active plan of the selected products and durations' }],
            extra: { warnings: decision.warnings },
          });
        }
        throw new AppError('unprocessable', {
          code: 'no_applicable_products',
          detail: 'No selected product has an active plan this discount can apply to in the selected durations.',
          errors: [{ path: selected === 'all' ? 'applies_to.all_products' : 'applies_to.product_ids', message: 'no product is left' }],
          extra: { warnings: decision.warnings },
        });
      }
      // all_products keeps covering every product, including later ones: no product rows.
      const keptProducts = selected === 'all' ? [] : decision.productIds;
      const kept = new Set(decision.productIds);
      const warnings = [
        ...(selected === 'all' ? [] : decision.warnings),
        // A flat discount that takes a whole plan's price: allowed, but said (docs/widget.md).
        ...flatDiscountFreePlans(coverage.plans.map(planFacts).filter((p) => kept.has(p.productId)), { durations, discount }),
      ];
      const code = input.code !== undefined ? normaliseCode(input.code) : null;
      const codeSet = input.code_set ?? null;
      const job = codeSet ? codeSetJob({ count: codeSet.count, prefix: codeSet.prefix }) : null;
      const row: OfferRow = {
        id: newId('offer'),
        tenant_id: tenant.id,
        code,
        code_set_count: codeSet ? codeSet.count : null,
        code_set_prefix: codeSet ? (codeSet.prefix ?? '') : null,
        discount_type: discount.type,
        discount_basis_points: discount.type === 'percent' ? discount.basisPoints : null,
        discount_amount: discount.type === 'flat' ? discount.amount : null,
        discount_currency: discount.type === 'flat' ? discount.currency : null,
        all_products: selected === 'all' ? 1 : 0,
        durations: JSON.stringify(durations),
        starts_at: starts.ms,
        ends_at: ends.ms,
        eligibility: input.eligibility,
        discoverability: input.discoverability,
        max_redemptions: input.max_redemptions ?? null,
        avail_limit_per_product: input.avail_limit_per_product ?? null,
        avail_limit_total: input.avail_limit_total ?? null,
        subscription_limit: input.subscription_limit ?? null,
        state: codeSet ? 'in_progress' : 'published',
        ended_at: null,
        deleted_at: null,
        redemptions_count: 0,
        users_availed_count: 0,
        discounted_renewals_count: 0,
        eligible_users_count: 0,
        warnings: JSON.stringify(warnings),
        created_at: now,
        updated_at: now,
      };
      try {
        // The offer, its products, its code or its code-set job: one batch (worker/db/offer-queries.ts).
        await afterCommit('catalog', tenant.id, insertOffer(db, row, keptProducts, job));
      } catch (err) {
        if (isCodeTaken(err)) throw codeTaken();
        throw err;
      }
      const body: Record<string, unknown> = offerJson(row, keptProducts, now);
      if (job) {
        // A failed send is not an error: the job is queued on its row and the stalled-jobs sweep sends it.
        await kickJob(c.env, { jobId: job.id, tenantId: tenant.id });
        body.job = codeSetJobJson(job, row.id, now);
      }
      return c.json(body, 201);
    },
  )
  .get(
    '/',
    describeRoute({
      tags,
      summary: 'List offers, optionally by status or code',
      description:
        '`code` finds offers whose shared code or code-set prefix starts with it, and the offer of a code that is exactly it (a code of a set). ' +
        'Each offer lists `failed_jobs`: its uploads or code-set jobs with rows that failed (their `errors.csv`).',
      responses: { 200: json('A page of offers', listOf(OfferListed)), ...commonProblems },
    }),
    validate('query', OfferListSearch),
    async (c) => {
      const q = c.req.valid('query');
      const now = Date.now();
      const db = c.get('d1');
      const { offers: rows, products, failedJobs } = await listOffers(db, c.get('tenant').id, {
        status: q.status,
        code: q.code,
        now,
        limit: q.limit,
        after: q.starting_after,
      });
      const hasMore = rows.length > q.limit;
      const page = rows.slice(0, q.limit);
      return c.json({
        data: page.map((r) => ({ ...offerJson(r, products.get(r.id) ?? [], now), failed_jobs: failedJobs.get(r.id) ?? [] })),
        has_more: hasMore,
        next_cursor: hasMore ? page[page.length - 1]!.id : null,
      });
    },
  )
  .get(
    '/:id',
    describeRoute({ tags, summary: 'Get an offer (with `failed_jobs`)', responses: { 200: json('The offer', OfferListed), 404: problem('Unknown offer'), ...commonProblems } }),
    validate('param', IdParam('offer')),
    async (c) => {
      const { id } = c.req.valid('param');
      const tenantId = c.get('tenant').id;
      const [found, failedJobs] = await Promise.all([getOffer(c.get('d1'), tenantId, id), failedJobsOfOffer(c.get('d1'), tenantId, id)]);
      if (!found) throw notFound('offer', 'id');
      return c.json({ ...offerJson(found.offer, found.productIds, Date.now()), failed_jobs: failedJobs });
    },
  )
  .patch(
    '/:id',
    describeRoute({
      tags,
      summary: 'Change a live offer\'s ends_at or discoverability',
      description:
        'Only `ends_at` and `discoverability`, and only while the offer is not inactive (`409 offer_not_editable`). An `ends_at` at or before now ends the offer now (ended by hand).',
      responses: { 200: json('The offer', Offer), 404: problem('Unknown offer'), 409: problem('`offer_not_editable`'), ...commonProblems },
    }),
    validate('param', IdParam('offer')),
    validate('json', OfferUpdate),
    async (c) => {
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      const tenant = c.get('tenant');
      const db = c.get('d1');
      const now = Date.now();
      const found = await getOffer(db, tenant.id, id);
      if (!found) throw notFound('offer', 'id');
      const status = offerStatus(offerFacts(found.offer), now);
      if (status === 'inactive' || status === 'failed') {
        throw new AppError('conflict', { code: 'offer_not_editable', detail: `An ${status} offer cannot be changed.` });
      }
      let endsAt = found.offer.ends_at;
      let endedAt: number | null = null;
      if (input.ends_at !== undefined) {
        const ends = parseBound(input.ends_at, 'end', tenant.timeZone);
        if (ends.kind !== 'ok') throw invalidField('ends_at', 'must be a date YYYY-MM-DD or an ISO 8601 instant with a time zone');
        if (ends.ms <= now) {
          endedAt = now; // ended by hand
          if (now > found.offer.starts_at) endsAt = now;
        } else {
          if (ends.ms <= found.offer.starts_at) throw invalidField('ends_at', 'must be after starts_at');
          endsAt = ends.ms;
        }
      }
      const discoverability = input.discoverability ?? found.offer.discoverability;
      const row = await afterCommit('catalog', tenant.id, updateOffer(db, tenant.id, id, { endsAt, endedAt, discoverability, now }));
      if (!row) throw notFound('offer', 'id');
      return c.json(offerJson(row, found.productIds, now));
    },
  )
  .delete(
    '/:id',
    describeRoute({
      tags,
      summary: 'Delete (end) an offer',
      description: 'Soft delete: the offer becomes `inactive` and stays readable with its stats; its code stays taken forever. Subscriptions keep their discount on renewal.',
      responses: { 204: { description: 'Deleted' }, 404: problem('Unknown offer'), ...commonProblems },
    }),
    validate('param', IdParam('offer')),
    async (c) => {
      const { id } = c.req.valid('param');
      const tenantId = c.get('tenant').id;
      const db = c.get('d1');
      const now = Date.now();
      if (!(await afterCommit('catalog', tenantId, deleteOffer(db, tenantId, id, now)))) throw notFound('offer', 'id');
      return c.body(null, 204);
    },
  )
  .get(
    '/:id/stats',
    describeRoute({
      tags,
      summary: 'Live stats of an offer',
      description: '`redemptions` counts avails (first subscriptions and reactivations); discounted renewals are counted apart. Kept by the write path.',
      responses: { 200: json('Stats', OfferStats), 404: problem('Unknown offer'), ...commonProblems },
    }),
    validate('param', IdParam('offer')),
    async (c) => {
      const stats = await offerStats(c.get('d1'), c.get('tenant').id, c.req.valid('param').id);
      if (!stats) throw notFound('offer', 'id');
      return c.json(stats);
    },
  );

export const OfferList = z.object({ data: z.array(Offer) });
