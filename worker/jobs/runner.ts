/**
 * The job runner (docs/jobs.md): continues a job from the resume point stored on its row, one
 * chunk per D1 batch, until it is done or this invocation's time budget is spent. Every chunk's
 * batch is conditional on the job's cursor, so running a chunk twice (a re-delivered message,
 * two consumers at once, a crash between the batch and the ack) never writes a row twice.
 */
import type { Bindings } from '../env';
import { newId } from '../domain/crypto';
import { readUserRow, userKey, type CsvColumns } from '../domain/csv';
import { codeBucket, generateCodes } from '../domain/codes';
import { addPeriod } from '../domain/periods';
import type { Duration, jobs } from '../db/schema';
import type { RawRow } from '../db/rows';
import {
  advanceJob,
  countOfferCodes,
  importStatements,
  insertEligibleUsers,
  insertJobErrors,
  insertSetCodes,
  markJobFailed,
  recountEligibleUsers,
  setProcessed,
  settleOffer,
  succeedJob,
  type JobCursor,
  type RowError,
} from '../db/bulk';
import { bulkD1, type D1 } from '../db/handles';
import { readCsvRecords } from './csv-reader';
import type { CodeSetParams } from './types';
import { jobFinishedStatements, kickDeliveries } from '../db/webhook-outbox';
import { bumpCatalogStatement, catalogChanged } from '../db/catalog';

type Env = Pick<Bindings, 'DB' | 'UPLOADS'>;


/** Rows of an upload per chunk (one D1 transaction): D1 takes ~1,000 rows per transaction comfortably. */
export const UPLOAD_CHUNK_ROWS = 1_000;
/** An upload chunk is also cut after this many bytes of the file (rows up to 64 KB each). */
export const CHUNK_BYTES = 256 * 1024;
/** Generated codes per chunk (one D1 transaction). */
export const CODE_CHUNK = 2_000;
/** Wall-clock budget of one invocation before it hands over to a fresh queue message. */
export const INVOCATION_BUDGET_MS = 20_000;
/** Kept with a failed row in errors.csv, at most this long. */
const RAW_ROW_CHARS = 300;

export interface RunOptions {
  uploadChunkRows?: number;
  codeChunk?: number;
  budgetMs?: number;
  /** Stop after this many chunks (tests use it to stop a job mid-way, as a crash would). */
  maxChunks?: number;
}

/**
 * `done`: the job has ended (succeeded or failed); `more`: it must be continued by another
 * message; `lost`: another run took a chunk's cursor first, so this run stops and sends no
 * message (the winner continues; two chains would only race each other).
 */
export type RunOutcome = 'done' | 'more' | 'lost';

/** A `jobs` row as `SELECT *` returns it (derived from the schema; `params` is its JSON text). */
export type JobRecord = Omit<RawRow<typeof jobs.$inferSelect>, 'params'> & { params: string };

export function loadJob(db: D1, jobId: string): Promise<JobRecord | null> {
  return db.prepare(`SELECT * FROM jobs WHERE id = ?`).bind(jobId).first<JobRecord>();
}

/**
 * Writes chunks one after the other while the next chunk is being prepared (the batch of
 * chunk k is in flight while chunk k+1 is parsed or generated). Stops at the first chunk whose
 * cursor was already taken by another run.
 */
class ChunkWriter {
  private inflight: Promise<boolean> | null = null;
  conflict = false;
  chunks = 0;

  constructor(
    private readonly db: D1,
    readonly jobId: string,
    public cursor: number,
  ) {}

  /** `build` gets the cursor of this chunk and returns the statements and the index of the one that advances it. */
  async write(build: (at: JobCursor) => { statements: D1PreparedStatement[]; advance: number }): Promise<boolean> {
    if (!(await this.settle())) return false;
    const { statements, advance } = build({ jobId: this.jobId, cursor: this.cursor });
    this.cursor++;
    this.chunks++;
    this.inflight = this.db.batch(statements).then((results) => (results[advance]?.meta.changes ?? 0) > 0);
    return true;
  }

  /** Waits for the chunk in flight; false when it (or an earlier one) lost its cursor. */
  async settle(): Promise<boolean> {
    if (this.inflight) {
      const ok = await this.inflight;
      this.inflight = null;
      if (!ok) this.conflict = true;
    }
    return !this.conflict;
  }
}

const compact = (list: Array<D1PreparedStatement | null>): D1PreparedStatement[] => list.filter((s): s is D1PreparedStatement => s !== null);

export async function runJob(env: Env, jobId: string, opts: RunOptions = {}): Promise<RunOutcome> {
  const db = bulkD1(env.DB);
  const job = await loadJob(db, jobId);
  if (!job || job.status === 'succeeded' || job.status === 'failed') return 'done';
  const now = Date.now();
  await db
    .prepare(`UPDATE jobs SET status = 'running', started_at = COALESCE(started_at, ?), updated_at = ? WHERE id = ? AND status IN ('queued', 'running')`)
    .bind(now, now, jobId)
    .run();
  const deadline = now + (opts.budgetMs ?? INVOCATION_BUDGET_MS);
  const maxChunks = opts.maxChunks ?? Number.POSITIVE_INFINITY;
  const writer = new ChunkWriter(db, jobId, job.cursor);
  const stop = () => writer.conflict || writer.chunks >= maxChunks || Date.now() >= deadline;
  let outcome: RunOutcome;
  try {
    outcome = job.kind === 'code_set' ? await runCodeSet(env, db, job, writer, stop, opts) : await runUpload(env, db, job, writer, stop, opts);
  } finally {
    // Never leave a batch unawaited (its failure must reach the caller, which retries).
    await writer.settle();
  }
  if (writer.conflict) return 'lost';
  // The job's last chunk (or failJob) changed its offer's state: drop this isolate's cached definitions.
  if (outcome === 'done' && job.offer_id) catalogChanged(job.tenant_id);
  return outcome;
}

/** Ends a job as failed (its offer too, when it was the offer's last running job). */
export async function failJob(env: Pick<Bindings, 'DB'> & Partial<Pick<Bindings, 'WEBHOOKS_QUEUE'>>, jobId: string, reason: string): Promise<void> {
  const db = bulkD1(env.DB);
  const job = await loadJob(db, jobId);
  if (!job) return;
  const now = Date.now();
  await db.batch(
    compact([
      markJobFailed(db, jobId, reason, now),
      ...jobFinishedStatements(db, { tenantId: job.tenant_id, jobId, status: 'failed', now }),
      job.offer_id ? settleOffer(db, { tenantId: job.tenant_id, offerId: job.offer_id, jobId, now, failed: true }) : null,
      job.offer_id ? bumpCatalogStatement(db, job.tenant_id) : null,
    ]),
  );
  // job.failed is in that batch; get it delivered now (the cron sweep is the fallback).
  if (env.WEBHOOKS_QUEUE) await kickDeliveries({ WEBHOOKS_QUEUE: env.WEBHOOKS_QUEUE }, undefined, job.tenant_id);
  if (job.offer_id) catalogChanged(job.tenant_id);
}

// ---------------------------------------------------------------------------------------------
// Uploads: eligible-user lists and plan imports
// ---------------------------------------------------------------------------------------------

interface UploadParams {
  columns: CsvColumns;
}

interface PlanInfo {
  product_id: string;
  currency: string;
  duration: Duration;
}

async function runUpload(env: Env, db: D1, job: JobRecord, writer: ChunkWriter, stop: () => boolean, opts: RunOptions): Promise<RunOutcome> {
  const { columns } = JSON.parse(job.params) as UploadParams;
  const chunkRows = opts.uploadChunkRows ?? UPLOAD_CHUNK_ROWS;
  const isImport = job.kind === 'plan_import';
  let plan: PlanInfo | null = null;
  if (isImport) {
    plan = await db
      .prepare(`SELECT product_id, currency, duration FROM plans WHERE id = ? AND tenant_id = ?`)
      .bind(job.plan_id, job.tenant_id)
      .first<PlanInfo>();
    if (!plan) {
      await failJob(env, job.id, 'the plan no longer exists');
      return 'done';
    }
  }

  // Rows of the chunk being gathered, keyed by user (duplicates within a chunk collapse here,
  // across chunks on the unique indexes).
  let users = new Map<string, { userId: string | null; email: string | null }>();
  let errors: RowError[] = [];
  let count = 0;
  // Where the chunk being gathered starts in the file: a chunk is also cut at CHUNK_BYTES, so
  // long rows never make one bound JSON value too big for D1.
  let chunkStart = job.byte_offset;

  const writeChunk = (endOffset: number, nextLine: number, final: boolean) => {
    const chunkUsers = [...users.values()];
    const chunkErrors = errors;
    const chunkCount = count;
    users = new Map();
    errors = [];
    count = 0;
    chunkStart = endOffset;
    return writer.write((at) => {
      const now = Date.now();
      const statements: Array<D1PreparedStatement | null> = [];
      if (isImport) {
        statements.push(
          ...importStatements(
            db,
            at,
            {
              tenantId: job.tenant_id,
              planId: job.plan_id!,
              productId: plan!.product_id,
              currency: plan!.currency,
              periodStart: now,
              periodEnd: addPeriod(now, plan!.duration),
              now,
            },
            chunkUsers.map((u) => [u.userId!, u.email, newId('sub')]),
          ),
        );
      } else {
        statements.push(
          insertEligibleUsers(
            db,
            at,
            { tenantId: job.tenant_id, offerId: job.offer_id!, now },
            chunkUsers.map((u) => [u.userId, u.email]),
          ),
        );
      }
      statements.push(insertJobErrors(db, at, chunkErrors));
      const list = compact(statements);
      const advance = list.length;
      list.push(advanceJob(db, at, { byteOffset: endOffset, line: nextLine, processed: chunkCount, failed: chunkErrors.length, now }));
      if (final) {
        list.push(succeedJob(db, { jobId: at.jobId, cursor: at.cursor + 1 }, now));
        list.push(...jobFinishedStatements(db, { tenantId: job.tenant_id, jobId: job.id, status: 'succeeded', now }));
        if (job.offer_id) {
          list.push(recountEligibleUsers(db, { tenantId: job.tenant_id, offerId: job.offer_id }));
          list.push(settleOffer(db, { tenantId: job.tenant_id, offerId: job.offer_id, jobId: job.id, now, failed: false }));
          list.push(bumpCatalogStatement(db, job.tenant_id));
        }
      }
      return { statements: list, advance };
    });
  };

  const size = job.input_bytes ?? 0;
  if (job.byte_offset >= size) {
    await writeChunk(job.byte_offset, job.line, true);
    return (await writer.settle()) ? 'done' : 'more';
  }
  const object = await env.UPLOADS.get(job.input_key!, { range: { offset: job.byte_offset } });
  if (!object) {
    await failJob(env, job.id, 'the uploaded file is gone');
    return 'done';
  }
  let finished = false;
  for await (const item of readCsvRecords(object.body, { offset: job.byte_offset, line: job.line })) {
    if (item.kind === 'eof') {
      await writeChunk(item.endOffset, item.nextLine, true);
      finished = true;
      break;
    }
    count++;
    if (item.kind === 'malformed') {
      errors.push({ line: item.line, reason: item.reason });
      continue;
    }
    const decision = readUserRow(item.fields, columns, { requireUserId: isImport });
    if (decision.kind === 'rejected') {
      errors.push({ line: item.line, reason: decision.reason, raw: item.fields.join(',').slice(0, RAW_ROW_CHARS) });
    } else {
      const key = isImport ? `u:${decision.userId}` : userKey(decision);
      if (!users.has(key)) users.set(key, decision);
    }
    if (count >= chunkRows || item.endOffset - chunkStart >= CHUNK_BYTES) {
      if (!(await writeChunk(item.endOffset, item.nextLine, false)) || stop()) break;
    }
  }
  const ok = await writer.settle();
  if (!finished && job.offer_id && ok) {
    // A live count of the list while it is being processed.
    await recountEligibleUsers(db, { tenantId: job.tenant_id, offerId: job.offer_id }).run();
  }
  if (finished && ok) await env.UPLOADS.delete(job.input_key!).catch(() => {});
  return finished && ok ? 'done' : 'more';
}

// ---------------------------------------------------------------------------------------------
// Code sets
// ---------------------------------------------------------------------------------------------

async function runCodeSet(env: Env, db: D1, job: JobRecord, writer: ChunkWriter, stop: () => boolean, opts: RunOptions): Promise<RunOutcome> {
  const params = JSON.parse(job.params) as CodeSetParams;
  const offer = await db.prepare(`SELECT id FROM offers WHERE id = ? AND tenant_id = ?`).bind(job.offer_id, job.tenant_id).first();
  if (!offer) {
    await failJob(env, job.id, 'the offer does not exist');
    return 'done';
  }
  const chunk = opts.codeChunk ?? CODE_CHUNK;
  const target = { tenantId: job.tenant_id, offerId: job.offer_id! };
  // Codes written by the chunks so far (collisions with stored codes are found at the end).
  let written = job.processed;
  while (true) {
    if (written < params.count) {
      const n = Math.min(chunk, params.count - written);
      const codes = generateCodes(n, params.prefix, params.randomLength, codeBucket(writer.cursor, params.bucketLength ?? 0));
      const ok = await writer.write((at) => ({
        statements: [
          insertSetCodes(db, at, { ...target, now: Date.now() }, codes),
          advanceJob(db, at, { byteOffset: 0, line: 1, processed: n, failed: 0, now: Date.now() }),
        ],
        advance: 1,
      }));
      written += n;
      if (!ok || stop()) break;
      continue;
    }
    // Every chunk is written: count what is stored. A code that collided with one the tenant
    // already had was skipped by INSERT OR IGNORE; generate that shortfall again.
    if (!(await writer.settle())) break;
    const stored = await countOfferCodes(db, target.tenantId, target.offerId);
    const now = Date.now();
    if (stored < params.count) {
      if (!(await writer.write((at) => ({ statements: [setProcessed(db, at, stored, now)], advance: 0 })))) break;
      written = stored;
      continue;
    }
    await writer.write((at) => ({
      statements: [
        setProcessed(db, at, stored, now),
        succeedJob(db, { jobId: at.jobId, cursor: at.cursor + 1 }, now),
        ...jobFinishedStatements(db, { tenantId: target.tenantId, jobId: job.id, status: 'succeeded', now }),
        settleOffer(db, { ...target, jobId: job.id, now, failed: false }),
        bumpCatalogStatement(db, target.tenantId),
      ],
      advance: 0,
    }));
    return (await writer.settle()) ? 'done' : 'more';
  }
  await writer.settle();
  return 'more';
}
