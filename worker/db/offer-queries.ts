/**
 * The offer aggregate's admin reads and its creation: list (by derived status), get, the
 * coverage facts of a new offer, live stats, the live offers of a plan, and the one batch that
 * writes a new offer (with its products, its shared code or its code-set job). Raw SQL on a
 * guarded D1 handle; the "live" conditions come from worker/db/offer-status-sql.ts.
 */
import type { D1 } from './guard';
import { LAPSED_USERS_SQL, LIVE_REDEMPTIONS_SQL, REDEMPTION_COUNTS_SQL } from './hold-sql';
import type { OfferStatus } from '../domain/offer-rules';
import { OFFER_COLUMNS, PLAN_COLUMNS, type OfferRow, type PlanRowRaw } from './offer-rows';
import { redeemableSql, statusSql } from './offer-status-sql';
import { bumpCatalogStatement } from './catalog';

/**
 * The version of a tenant's offer and plan definitions, for the edge caches: `catalog_version`,
 * bumped by every write to offers and plans, and the latest `offers.updated_at`, which also
 * moves when a job changes an offer's state. `tenant` is the placeholder of the tenant id.
 */
export const definitionsVersionSql = (tenant = '?') =>
  `(SELECT t.catalog_version || ':' || coalesce((SELECT max(o2.updated_at) FROM offers o2 WHERE o2.tenant_id = t.id), 0) FROM tenants t WHERE t.id = ${tenant})`;
export const DEFINITIONS_VERSION_SQL = definitionsVersionSql();

/**
 * OFFER_COLUMNS with the live counts under the counters' names: what expired, unreleased holds
 * still hold is subtracted (worker/db/hold-sql.ts). `now` is the placeholder of the instant.
 */
const liveOfferColumns = (now: string) =>
  OFFER_COLUMNS.replace(
    'o.redemptions_count, o.users_availed_count,',
    `${LIVE_REDEMPTIONS_SQL('o').replaceAll('?', now)} AS redemptions_count, o.users_availed_count - ${LAPSED_USERS_SQL('o').replaceAll('?', now)} AS users_availed_count,`,
  );

/**
 * A page of the tenant's offers. `code` (upper-case letters and digits) matches a shared code or
 * a code-set prefix that starts with it, or any code (of a set too) that is exactly it, through
 * the codes primary key. The page's jobs with failed rows come in the same batch.
 */
export async function listOffers(db: D1, tenantId: string, opts: { status?: OfferStatus; code?: string; now: number; limit: number; after?: string }) {
  const bind: unknown[] = [];
  const p = (v: unknown) => `?${bind.push(v)}`;
  const where = [`o.tenant_id = ${p(tenantId)}`];
  if (opts.status) where.push(statusSql[opts.status](p(opts.now)));
  if (opts.code) {
    const from = p(opts.code);
    const to = p(`${opts.code}\x7f`);
    where.push(
      `((o.code >= ${from} AND o.code < ${to}) OR (o.code_set_prefix >= ${from} AND o.code_set_prefix < ${to}) OR ` +
        `o.id = (SELECT c.offer_id FROM codes c WHERE c.tenant_id = o.tenant_id AND c.code = ${from}))`,
    );
  }
  if (opts.after) where.push(`o.id > ${p(opts.after)}`);
  const limit = p(opts.limit + 1);
  const pageSql = `SELECT o.id FROM offers o WHERE ${where.join(' AND ')} ORDER BY o.id LIMIT ${limit}`;
  const nowAt = `?${bind.length + 1}`; // bound to the offers statement only
  const offersSql = `SELECT ${liveOfferColumns(nowAt)} FROM offers o WHERE ${where.join(' AND ')} ORDER BY o.id LIMIT ${limit}`;
  const productsSql = `SELECT op.offer_id, op.product_id FROM offer_products op WHERE op.offer_id IN (${pageSql})`;
  const jobsSql = `SELECT j.offer_id, j.id, j.kind, j.failed FROM jobs j WHERE j.tenant_id = ?1 AND j.failed > 0 AND j.offer_id IN (${pageSql}) ORDER BY j.created_at`;
  const [offers, products, jobs] = await db.batch<Record<string, unknown>>([
    db.prepare(offersSql).bind(...bind, opts.now),
    db.prepare(productsSql).bind(...bind),
    db.prepare(jobsSql).bind(...bind),
  ]);
  const failedJobs = new Map<string, { id: string; kind: string; failed: number }[]>();
  for (const j of jobs!.results as unknown as { offer_id: string; id: string; kind: string; failed: number }[]) {
    const list = failedJobs.get(j.offer_id) ?? [];
    list.push({ id: j.id, kind: j.kind, failed: j.failed });
    failedJobs.set(j.offer_id, list);
  }
  return { offers: offers!.results as unknown as OfferRow[], products: productsByOffer(products!.results as unknown as ProductLink[]), failedJobs };
}

/** One offer's jobs with failed rows (its uploads, its code set), oldest first. */
export async function failedJobsOfOffer(db: D1, tenantId: string, offerId: string): Promise<{ id: string; kind: string; failed: number }[]> {
  const res = await db
    .prepare('SELECT id, kind, failed FROM jobs WHERE tenant_id = ? AND offer_id = ? AND failed > 0 ORDER BY created_at')
    .bind(tenantId, offerId)
    .all<{ id: string; kind: string; failed: number }>();
  return res.results;
}

interface ProductLink {
  offer_id: string;
  product_id: string;
}

function productsByOffer(rows: ProductLink[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const r of rows) {
    const list = map.get(r.offer_id);
    if (list) list.push(r.product_id);
    else map.set(r.offer_id, [r.product_id]);
  }
  return map;
}

export async function getOffer(db: D1, tenantId: string, id: string): Promise<{ offer: OfferRow; productIds: string[] } | null> {
  const [offer, products] = await db.batch<Record<string, unknown>>([
    db.prepare(`SELECT ${liveOfferColumns('?3')} FROM offers o WHERE o.tenant_id = ?1 AND o.id = ?2`).bind(tenantId, id, Date.now()),
    db.prepare('SELECT product_id FROM offer_products WHERE tenant_id = ? AND offer_id = ? ORDER BY product_id').bind(tenantId, id),
  ]);
  const row = offer!.results[0] as unknown as OfferRow | undefined;
  if (!row) return null;
  return { offer: row, productIds: (products!.results as { product_id: string }[]).map((p) => p.product_id) };
}

/** The facts for creating an offer: which of the named products exist, and the tenant's plans of them. */
export async function loadCoverage(db: D1, tenantId: string, productIds: string[] | 'all') {
  if (productIds === 'all') {
    const [products, plans] = await db.batch<Record<string, unknown>>([
      db.prepare('SELECT id FROM products WHERE tenant_id = ?').bind(tenantId),
      db.prepare(`SELECT ${PLAN_COLUMNS} FROM plans WHERE tenant_id = ?`).bind(tenantId),
    ]);
    return { existing: (products!.results as { id: string }[]).map((p) => p.id), plans: plans!.results as unknown as PlanRowRaw[] };
  }
  const ids = JSON.stringify(productIds);
  const [products, plans] = await db.batch<Record<string, unknown>>([
    db.prepare('SELECT id FROM products WHERE tenant_id = ? AND id IN (SELECT value FROM json_each(?))').bind(tenantId, ids),
    db.prepare(`SELECT ${PLAN_COLUMNS} FROM plans WHERE tenant_id = ? AND product_id IN (SELECT value FROM json_each(?))`).bind(tenantId, ids),
  ]);
  return { existing: (products!.results as { id: string }[]).map((p) => p.id), plans: plans!.results as unknown as PlanRowRaw[] };
}

/** Live: an expired hold's avail no longer counts at its instant, swept or not (worker/db/hold-sql.ts). */
export async function offerStats(db: D1, tenantId: string, offerId: string, now: number = Date.now()) {
  const [offer, byPlan] = await db.batch<Record<string, unknown>>([
    db
      .prepare(
        `SELECT o.id, o.eligible_users_count, o.users_availed_count - ${LAPSED_USERS_SQL('o')} AS users_availed_count,
           ${LIVE_REDEMPTIONS_SQL('o')} AS redemptions_count, o.discounted_renewals_count FROM offers o WHERE o.tenant_id = ? AND o.id = ?`,
      )
      .bind(now, now, now, tenantId, offerId),
    db
      .prepare(
        `SELECT plan_id, product_id, sum(kind = 'avail') AS redemptions, count(DISTINCT CASE WHEN kind = 'avail' THEN user_id END) AS users_availed,
           sum(kind = 'renewal') AS discounted_renewals
         FROM redemptions r WHERE tenant_id = ? AND offer_id = ? AND ${REDEMPTION_COUNTS_SQL('r')} GROUP BY plan_id, product_id ORDER BY plan_id`,
      )
      .bind(tenantId, offerId, now),
  ]);
  const row = offer!.results[0] as
    | { id: string; eligible_users_count: number; users_availed_count: number; redemptions_count: number; discounted_renewals_count: number }
    | undefined;
  if (!row) return null;
  return {
    offer_id: row.id,
    eligible_users: row.eligible_users_count,
    users_availed: row.users_availed_count,
    redemptions: row.redemptions_count,
    discounted_renewals: row.discounted_renewals_count,
    by_plan: (byPlan!.results as { plan_id: string; product_id: string; redemptions: number; users_availed: number; discounted_renewals: number }[]).map(
      (r) => ({
        plan_id: r.plan_id,
        product_id: r.product_id,
        redemptions: r.redemptions ?? 0,
        users_availed: r.users_availed ?? 0,
        discounted_renewals: r.discounted_renewals ?? 0,
      }),
    ),
  };
}

/**
 * Offers that are redeemable now and cover the plan's product and duration, with their product
 * ids; the caller keeps those whose discount applies to the plan (appliesToPlan).
 */
export async function liveOffersForPlan(db: D1, tenantId: string, planId: string, now: number) {
  const [plan, offers] = await db.batch<Record<string, unknown>>([
    db.prepare(`SELECT ${PLAN_COLUMNS} FROM plans WHERE tenant_id = ? AND id = ?`).bind(tenantId, planId),
    db
      .prepare(
        `SELECT ${OFFER_COLUMNS}, (SELECT json_group_array(product_id) FROM offer_products WHERE offer_id = o.id) AS product_ids_json
         FROM offers o, plans p
         WHERE p.tenant_id = ?1 AND p.id = ?2 AND o.tenant_id = p.tenant_id
           AND ${redeemableSql('?3')}
           AND EXISTS (SELECT 1 FROM json_each(o.durations) d WHERE d.value = p.duration)
           AND (o.all_products = 1 OR EXISTS (SELECT 1 FROM offer_products op WHERE op.offer_id = o.id AND op.product_id = p.product_id))
         ORDER BY o.id`,
      )
      .bind(tenantId, planId, now),
  ]);
  const p = plan!.results[0] as unknown as PlanRowRaw | undefined;
  if (!p) return null;
  return { plan: p, offers: offers!.results as unknown as (OfferRow & { product_ids_json: string })[] };
}


/** A code-set offer's job, written in the offer's batch (the queue message is sent after). */
export interface NewCodeSetJob {
  id: string;
  total: number;
  params: Record<string, unknown>;
}

/**
 * Writes a new offer in ONE batch: the row, its products, its shared code, the catalog bump and,
 * for a code set, its queued job. So an offer `in_progress` always has its job: if the queue
 * send fails afterwards, the stalled-jobs sweep sends it again (worker/jobs/sweeps.ts).
 */
export async function insertOffer(db: D1, row: OfferRow, productIds: string[], job: NewCodeSetJob | null): Promise<void> {
  const cols = Object.keys(row);
  const stmts: D1PreparedStatement[] = [
    db.prepare(`INSERT INTO offers (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).bind(...Object.values(row)),
    db.prepare('INSERT INTO offer_products (offer_id, product_id, tenant_id) SELECT ?, value, ? FROM json_each(?)').bind(row.id, row.tenant_id, JSON.stringify(productIds)),
    bumpCatalogStatement(db, row.tenant_id),
  ];
  if (row.code) {
    stmts.push(
      db.prepare("INSERT INTO codes (tenant_id, code, offer_id, kind, created_at) VALUES (?, ?, ?, 'shared', ?)").bind(row.tenant_id, row.code, row.id, row.created_at),
    );
  }
  if (job) {
    stmts.push(
      db
        .prepare(
          `INSERT INTO jobs (id, tenant_id, kind, status, offer_id, total, params, created_at, updated_at) VALUES (?, ?, 'code_set', 'queued', ?, ?, ?, ?, ?)`,
        )
        .bind(job.id, row.tenant_id, row.id, job.total, JSON.stringify(job.params), row.created_at, row.created_at),
    );
  }
  await db.batch(stmts);
}

/** Changes a live offer's end and discoverability (an end at or before now ends it by hand); null when unknown. */
export async function updateOffer(
  db: D1,
  tenantId: string,
  id: string,
  u: { endsAt: number; endedAt: number | null; discoverability: OfferRow['discoverability']; now: number },
): Promise<OfferRow | null> {
  const [updated] = await db.batch<Record<string, unknown>>([
    db
      .prepare(`UPDATE offers SET ends_at = ?, ended_at = coalesce(?, ended_at), discoverability = ?, updated_at = ? WHERE tenant_id = ? AND id = ? RETURNING ${OFFER_COLUMNS.replace(/o\./g, '')}`)
      .bind(u.endsAt, u.endedAt, u.discoverability, u.now, tenantId, id),
    bumpCatalogStatement(db, tenantId),
  ]);
  return (updated!.results[0] as unknown as OfferRow | undefined) ?? null;
}

/** Soft-deletes an offer (it stays readable, its code stays taken); false when unknown. */
export async function deleteOffer(db: D1, tenantId: string, id: string, now: number): Promise<boolean> {
  const [updated] = await db.batch([
    db.prepare('UPDATE offers SET deleted_at = coalesce(deleted_at, ?), updated_at = ? WHERE tenant_id = ? AND id = ? RETURNING id').bind(now, now, tenantId, id),
    bumpCatalogStatement(db, tenantId),
  ]);
  return updated!.results.length > 0;
}

/** Whether the tenant has this offer (deleted ones too: their codes stay exportable). */
export async function offerExists(db: D1, tenantId: string, id: string): Promise<boolean> {
  return (await db.prepare('SELECT 1 AS one FROM offers WHERE id = ? AND tenant_id = ?').bind(id, tenantId).first()) !== null;
}
