/** A queue message: which job to continue. The job row holds the cursor, so a re-delivered message is harmless. */
export interface JobMessage {
  jobId: string;
  tenantId: string;
}

/**
 * A wake-up at a pending checkout's hold expiry (worker/jobs/hold-expiry.ts): sent with the
 * checkout, delayed until `expiresAt`, so the hold is released and `subscription.hold_expired`
 * sent within seconds of the instant rather than at the next minute's sweep.
 */
export interface HoldExpiryMessage {
  kind: 'hold_expiry';
  tenantId: string;
  expiresAt: number;
}

export type JobKind = 'eligible_users' | 'code_set' | 'plan_import';
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

/** The job JSON of the API (`GET /admin/v1/jobs/{id}`, and `job` in 201/202 answers). */
export interface JobJson {
  id: string;
  kind: JobKind;
  status: JobStatus;
  total: number;
  processed: number;
  failed: number;
  offer_id: string | null;
  plan_id: string | null;
  created_at: string;
  finished_at: string | null;
}

/** Column positions of an uploaded CSV (0-based), found from its header line. */
export interface CsvColumns {
  userId: number | null;
  email: number | null;
  columnCount: number;
}

export interface CodeSetParams {
  count: number;
  prefix: string;
  randomLength: number;
  /** Chunk-bucket symbols after the prefix (see domain/codes.ts); absent = 0. */
  bucketLength?: number;
}
