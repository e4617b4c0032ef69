import { and, eq } from 'drizzle-orm';
import type { Db } from './client';
import { jobs } from './schema';
import { bumpCatalogStatement } from './catalog';
import type { D1 } from './guard';

export type JobRow = typeof jobs.$inferSelect;

/** A job as the API shows it (its params, internal to the runner, are not read). */
export function findJob(db: Db, tenantId: string, id: string) {
  return db
    .select({
      id: jobs.id,
      kind: jobs.kind,
      status: jobs.status,
      total: jobs.total,
      processed: jobs.processed,
      failed: jobs.failed,
      offerId: jobs.offerId,
      planId: jobs.planId,
      createdAt: jobs.createdAt,
      updatedAt: jobs.updatedAt,
      finishedAt: jobs.finishedAt,
    })
    .from(jobs)
    .where(and(eq(jobs.tenantId, tenantId), eq(jobs.id, id)))
    .get();
}


/** An offer as the bulk routes need it (null when unknown to the tenant or deleted). */
export function findLiveOffer(db: D1, tenantId: string, offerId: string) {
  return db
    .prepare(`SELECT id, state FROM offers WHERE id = ? AND tenant_id = ? AND deleted_at IS NULL`)
    .bind(offerId, tenantId)
    .first<{ id: string; state: 'in_progress' | 'published' | 'failed' }>();
}

/**
 * The job of a stored upload in one batch: for an eligible-user list with the offer set to
 * `in_progress` while it runs (and the catalog bump: drop caches after commit); for an import,
 * the job row alone.
 */
export async function insertUploadJob(db: D1, job: JobInsert): Promise<void> {
  if (job.kind === 'plan_import') {
    await insertJobStatement(db, job).run();
    return;
  }
  await db.batch([
    insertJobStatement(db, job),
    db
      .prepare(`UPDATE offers SET state = 'in_progress', updated_at = ? WHERE id = ? AND tenant_id = ? AND state = 'published' AND deleted_at IS NULL`)
      .bind(job.now, job.offerId, job.tenantId),
    bumpCatalogStatement(db, job.tenantId),
  ]);
}

export interface JobInsert {
  id: string;
  tenantId: string;
  kind: 'eligible_users' | 'plan_import';
  offerId: string | null;
  planId: string | null;
  inputKey: string;
  inputBytes: number;
  byteOffset: number;
  line: number;
  total: number;
  params: Record<string, unknown>;
  now: number;
}

export function insertJobStatement(db: D1, j: JobInsert): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO jobs (id, tenant_id, kind, status, offer_id, plan_id, input_key, input_bytes, byte_offset, line, total, params, created_at, updated_at)
       VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(j.id, j.tenantId, j.kind, j.offerId, j.planId, j.inputKey, j.inputBytes, j.byteOffset, j.line, j.total, JSON.stringify(j.params), j.now, j.now);
}

/**
 * Every tenant's queued or running jobs untouched since `staleBefore`, marked touched (so the
 * next sweep waits again), at most `limit` of them: the stalled-jobs sweep re-sends their messages.
 */
export async function touchStalledJobs(db: D1, staleBefore: number, now: number, limit: number): Promise<{ id: string; tenant_id: string }[]> {
  const { results } = await db
    .prepare(
      `UPDATE jobs SET updated_at = ?1 WHERE id IN (
         SELECT id FROM jobs WHERE status IN ('queued', 'running') AND updated_at < ?2 ORDER BY updated_at LIMIT ?3)
       RETURNING id, tenant_id`,
    )
    .bind(now, staleBefore, limit)
    .all<{ id: string; tenant_id: string }>();
  return results;
}

export interface JobErrorRow {
  line: number;
  reason: string;
  raw: string | null;
}

/** A page of a job's failed rows (the job must be the tenant's). */
export async function jobErrorsPage(db: D1, tenantId: string, jobId: string, afterLine: number, limit: number): Promise<JobErrorRow[]> {
  const { results } = await db
    .prepare(`SELECT line, reason, raw FROM job_errors WHERE job_id = (SELECT id FROM jobs WHERE id = ? AND tenant_id = ?) AND line > ? ORDER BY line LIMIT ?`)
    .bind(jobId, tenantId, afterLine, limit)
    .all<JobErrorRow>();
  return results;
}
