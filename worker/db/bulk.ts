/**
 * Statements of the bulk jobs (docs/jobs.md). Every chunk is ONE D1 batch (one transaction)
 * whose statements are all conditional on the job's `cursor` still being the value the chunk
 * was computed from, and whose last statement advances the cursor. So a chunk is written
 * exactly once: a re-delivered or concurrent run of the same chunk changes nothing. Rows are
 * bound as one JSON array and expanded with `json_each(?)` (D1: at most 100 bound parameters).
 */
import type { D1 } from './guard';
import { importSubscriptions } from './subscriptions';

/** The background handle (worker/db/handles.ts), under its older name. */
export { bulkD1 as bulkDb } from './handles';

/** Condition that the job is still at the cursor this chunk was computed from: binds (jobId, cursor). */
const AT_CURSOR = `EXISTS (SELECT 1 FROM jobs WHERE id = ? AND cursor = ?)`;

export interface JobCursor {
  jobId: string;
  cursor: number;
}

export interface RowError {
  line: number;
  reason: string;
  raw?: string | null;
}

export interface ChunkProgress {
  byteOffset: number;
  line: number;
  processed: number;
  failed: number;
  now: number;
}

export function insertJobErrors(db: D1, at: JobCursor, errors: RowError[]): D1PreparedStatement | null {
  if (errors.length === 0) return null;
  return db
    .prepare(
      `INSERT OR IGNORE INTO job_errors (job_id, line, reason, raw)
       SELECT ?, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]')
       FROM json_each(?) WHERE ${AT_CURSOR}`,
    )
    .bind(at.jobId, JSON.stringify(errors.map((e) => [e.line, e.reason, e.raw ?? null])), at.jobId, at.cursor);
}

/** Advances the cursor (and the progress): the statement that makes the chunk count as done. */
export function advanceJob(db: D1, at: JobCursor, p: ChunkProgress): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE jobs SET cursor = cursor + 1, byte_offset = ?, line = ?, processed = processed + ?, failed = failed + ?,
         total = MAX(total, processed + ?), status = 'running', updated_at = ?
       WHERE id = ? AND cursor = ?`,
    )
    .bind(p.byteOffset, p.line, p.processed, p.failed, p.processed, p.now, at.jobId, at.cursor);
}

/** Ends the job as succeeded (exact total = processed). Put it AFTER advanceJob, with the advanced cursor. */
export function succeedJob(db: D1, at: JobCursor, now: number): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE jobs SET status = 'succeeded', total = processed, finished_at = ?, updated_at = ?
       WHERE id = ? AND cursor = ? AND status = 'running'`,
    )
    .bind(now, now, at.jobId, at.cursor);
}

export function markJobFailed(db: D1, jobId: string, error: string, now: number): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE jobs SET status = 'failed', error = ?, finished_at = ?, updated_at = ? WHERE id = ? AND status IN ('queued', 'running')`,
    )
    .bind(error.slice(0, 1000), now, now, jobId);
}

/**
 * Puts the job's offer back to `published` (or `failed`) once no other job of that offer is
 * still queued or running. Binds the finishing job so it does not count itself.
 */
export function settleOffer(db: D1, x: { tenantId: string; offerId: string; jobId: string; now: number; failed: boolean }): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE offers SET state = ?1, updated_at = ?2
       WHERE id = ?3 AND tenant_id = ?4 AND state = 'in_progress'
         AND EXISTS (SELECT 1 FROM jobs WHERE id = ?5 AND status IN ('succeeded', 'failed'))
         AND NOT EXISTS (SELECT 1 FROM jobs WHERE offer_id = ?3 AND id <> ?5 AND status IN ('queued', 'running'))`,
    )
    .bind(x.failed ? 'failed' : 'published', x.now, x.offerId, x.tenantId, x.jobId);
}

/** Recounts an offer's eligible users (for the live count while a list is processed). */
export function recountEligibleUsers(db: D1, x: { tenantId: string; offerId: string }): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE offers SET eligible_users_count = (SELECT COUNT(*) FROM eligible_users WHERE offer_id = ?1)
       WHERE id = ?1 AND tenant_id = ?2`,
    )
    .bind(x.offerId, x.tenantId);
}

// ---------------------------------------------------------------------------------------------
// Eligible users
// ---------------------------------------------------------------------------------------------

/** Rows `[user_id | null, email | null]`; a row equal to one already on the list is ignored. */
export function insertEligibleUsers(
  db: D1,
  at: JobCursor,
  x: { tenantId: string; offerId: string; now: number },
  rows: Array<[string | null, string | null]>,
): D1PreparedStatement | null {
  if (rows.length === 0) return null;
  return db
    .prepare(
      `INSERT OR IGNORE INTO eligible_users (tenant_id, offer_id, user_id, email, job_id, created_at)
       SELECT ?, ?, json_extract(value, '$[0]'), json_extract(value, '$[1]'), ?, ?
       FROM json_each(?) WHERE ${AT_CURSOR}`,
    )
    .bind(x.tenantId, x.offerId, at.jobId, x.now, JSON.stringify(rows), at.jobId, at.cursor);
}

// ---------------------------------------------------------------------------------------------
// Code sets
// ---------------------------------------------------------------------------------------------

/** Inserts generated codes; one equal to any code the tenant ever had is skipped (and topped up later). */
export function insertSetCodes(db: D1, at: JobCursor, x: { tenantId: string; offerId: string; now: number }, codes: string[]): D1PreparedStatement {
  return db
    .prepare(
      `INSERT OR IGNORE INTO codes (tenant_id, code, offer_id, kind, redeemed_by, redeemed_at, created_at)
       SELECT ?, value, ?, 'set', NULL, NULL, ? FROM json_each(?) WHERE ${AT_CURSOR}`,
    )
    .bind(x.tenantId, x.offerId, x.now, JSON.stringify(codes), at.jobId, at.cursor);
}

export async function countOfferCodes(db: D1, tenantId: string, offerId: string): Promise<number> {
  const row = await db
    .prepare(`SELECT COUNT(*) AS n FROM codes WHERE offer_id = ? AND tenant_id = ? AND kind = 'set'`)
    .bind(offerId, tenantId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** Sets the code-set job's processed count to the codes actually stored (before a top-up). */
export function setProcessed(db: D1, at: JobCursor, processed: number, now: number): D1PreparedStatement {
  return db
    .prepare(`UPDATE jobs SET cursor = cursor + 1, processed = ?, status = 'running', updated_at = ? WHERE id = ? AND cursor = ?`)
    .bind(processed, now, at.jobId, at.cursor);
}

// ---------------------------------------------------------------------------------------------
// Plan imports
// ---------------------------------------------------------------------------------------------

export interface ImportPlan {
  tenantId: string;
  planId: string;
  productId: string;
  currency: string;
  periodStart: number;
  periodEnd: number;
  now: number;
}

/**
 * Rows `[user_id, email | null, subscription_id]`: a users row (kept if it exists) and an
 * active subscription on the plan at no charge (written by worker/db/subscriptions.ts), unless
 * the user already has one on that plan from an import or a live one: a re-run
 * adds nobody twice.
 */
export function importStatements(db: D1, at: JobCursor, p: ImportPlan, rows: Array<[string, string | null, string]>): D1PreparedStatement[] {
  if (rows.length === 0) return [];
  const json = JSON.stringify(rows);
  return [
    db
      .prepare(
        `INSERT OR IGNORE INTO users (tenant_id, id, email, email_verified, created_at, updated_at)
         SELECT ?, json_extract(value, '$[0]'), json_extract(value, '$[1]'), 0, ?, ? FROM json_each(?) WHERE ${AT_CURSOR}`,
      )
      .bind(p.tenantId, p.now, p.now, json, at.jobId, at.cursor),
    ...importSubscriptions(db, p, json, { sql: AT_CURSOR, params: [at.jobId, at.cursor] }),
  ];
}
