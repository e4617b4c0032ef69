/**
 * Keyset-paged reads behind the CSV exports: each page is one query bounded by LIMIT, so an
 * export of any size streams in constant memory.
 */
import type { SubscriptionRaw } from './rows';
import type { D1 } from './guard';


export interface ExportFilter {
  tenantId: string;
  productId?: string | undefined;
  planId?: string | undefined;
}

/** Keyset position: (created_at, id) of the last row sent. */
export interface Position {
  createdAt: number;
  id: string;
}

const START: Position = { createdAt: -1, id: '' };
export const startPosition = (): Position => ({ ...START });

const filters = (f: ExportFilter, alias: string) => {
  const where: string[] = [`${alias}.tenant_id = ?`];
  const params: unknown[] = [f.tenantId];
  if (f.planId) {
    where.push(`${alias}.plan_id = ?`);
    params.push(f.planId);
  }
  if (f.productId) {
    where.push(`${alias}.product_id = ?`);
    params.push(f.productId);
  }
  return { where, params };
};

/** A subscription as exported: the raw row with the user's email. */
export type SubscriptionExportRow = Omit<SubscriptionRaw, 'tenant_id' | 'updated_at'> & { email: string | null };

export async function subscriptionsPage(db: D1, f: ExportFilter, after: Position, limit: number, now: number = Date.now()): Promise<SubscriptionExportRow[]> {
  const { where, params } = filters(f, 's');
  const { results } = await db
    .prepare(
      // A pending subscription whose hold has passed is exported `hold_expired` (as the API shows it).
      `SELECT s.id, s.user_id, u.email, s.product_id, s.plan_id,
         CASE WHEN s.status = 'pending' AND s.hold_expires_at <= ? THEN 'hold_expired' ELSE s.status END AS status, s.source, s.collection, s.group_id, s.offer_id, s.code,
         s.reactivation, s.cycle, s.discounted_cycles, s.price, s.discount, s.amount_due, s.currency,
         s.current_period_start, s.current_period_end, s.cancelled_at, s.created_at
       FROM subscriptions s LEFT JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id
       WHERE ${where.join(' AND ')} AND s.created_at >= ? AND (s.created_at > ? OR s.id > ?)
       ORDER BY s.created_at, s.id LIMIT ?`,
    )
    .bind(now, ...params, after.createdAt, after.createdAt, after.id, limit)
    .all<SubscriptionExportRow>();
  return results;
}

export interface RedemptionExportRow {
  id: string;
  offer_id: string;
  code: string | null;
  kind: string;
  subscription_id: string;
  user_id: string;
  product_id: string;
  plan_id: string;
  cycle: number;
  discount: number;
  currency: string | null;
  created_at: number;
}

export async function redemptionsPage(db: D1, f: ExportFilter, after: Position, limit: number, now: number = Date.now()): Promise<RedemptionExportRow[]> {
  const { where, params } = filters(f, 'r');
  const { results } = await db
    .prepare(
      `SELECT r.id, r.offer_id, r.code, r.kind, r.subscription_id, r.user_id, r.product_id, r.plan_id, r.cycle, r.discount,
         s.currency, r.created_at
       FROM redemptions r LEFT JOIN subscriptions s ON s.id = r.subscription_id
       WHERE ${where.join(' AND ')} AND NOT coalesce(s.status = 'pending' AND s.hold_expires_at <= ?, 0) AND r.created_at >= ? AND (r.created_at > ? OR r.id > ?)
       ORDER BY r.created_at, r.id LIMIT ?`,
    )
    .bind(...params, now, after.createdAt, after.createdAt, after.id, limit)
    .all<RedemptionExportRow>();
  return results;
}

export interface CodeExportRow {
  code: string;
  kind: string;
  redeemed_by: string | null;
  redeemed_at: number | null;
  user_id: string | null;
  product_id: string | null;
  plan_id: string | null;
  created_at: number;
}

/** An offer's codes in code order; with a product or plan filter, only codes redeemed on it. */
export async function codesPage(db: D1, f: ExportFilter & { offerId: string }, afterCode: string, limit: number): Promise<CodeExportRow[]> {
  const where = ['c.offer_id = ?', 'c.tenant_id = ?', 'c.code > ?'];
  const params: unknown[] = [f.offerId, f.tenantId, afterCode];
  if (f.planId) {
    where.push('s.plan_id = ?');
    params.push(f.planId);
  }
  if (f.productId) {
    where.push('s.product_id = ?');
    params.push(f.productId);
  }
  const { results } = await db
    .prepare(
      `SELECT c.code, c.kind, c.redeemed_by, c.redeemed_at, s.user_id, s.product_id, s.plan_id, c.created_at
       FROM codes c LEFT JOIN subscriptions s ON s.id = c.redeemed_by
       WHERE ${where.join(' AND ')} ORDER BY c.code LIMIT ?`,
    )
    .bind(...params, limit)
    .all<CodeExportRow>();
  return results;
}
