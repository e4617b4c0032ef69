import { and, eq } from 'drizzle-orm';
import type { Db } from './client';
import { jobs } from './schema';

export type JobRow = typeof jobs.$inferSelect;
export type NewJob = Pick<typeof jobs.$inferInsert, 'id' | 'tenantId' | 'kind'> &
  Partial<Pick<typeof jobs.$inferInsert, 'offerId' | 'planId' | 'inputKey' | 'inputBytes' | 'total' | 'params' | 'byteOffset' | 'line'>>;

export async function insertJob(db: Db, job: NewJob): Promise<JobRow> {
  const now = Date.now();
  const [row] = await db
    .insert(jobs)
    .values({ status: 'queued', ...job, createdAt: now, updatedAt: now })
    .returning();
  return row!;
}

export function findJob(db: Db, tenantId: string, id: string) {
  return db.select().from(jobs).where(and(eq(jobs.tenantId, tenantId), eq(jobs.id, id))).get();
}
