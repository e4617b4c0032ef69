import { describe, expect, it } from 'vitest';
import { MAX_DELAY_SECONDS, WAKE_BUCKET_MS, holdExpiryDelaySeconds, isHoldExpiryMessage, scheduleHoldExpiry, wakeInstant } from '../../worker/jobs/hold-expiry';

describe('hold expiry wake-up', () => {
  it('is delayed until the expiry, rounded up, never negative, at most the queue maximum (12 h)', () => {
    const now = 1_000_000;
    expect(holdExpiryDelaySeconds(now + 60_000, now)).toBe(60);
    expect(holdExpiryDelaySeconds(now + 1, now)).toBe(1);
    expect(holdExpiryDelaySeconds(now - 5_000, now)).toBe(0);
    expect(holdExpiryDelaySeconds(now + 24 * 3_600_000, now)).toBe(MAX_DELAY_SECONDS);
    expect(MAX_DELAY_SECONDS).toBe(43_200);
  });

  it('recognises only its own messages (job messages go to the job runner)', () => {
    expect(isHoldExpiryMessage({ kind: 'hold_expiry', tenantId: 't', expiresAt: 1 })).toBe(true);
    expect(isHoldExpiryMessage({ jobId: 'job_1', tenantId: 't' })).toBe(false);
    expect(isHoldExpiryMessage({ kind: 'hold_expiry', tenantId: 't' })).toBe(false);
    expect(isHoldExpiryMessage(null)).toBe(false);
  });

  it('coalesces wake-ups: one message per 2 s bucket, woken at the bucket end (never before the expiry), retried after a failed send', async () => {
    const sent: { body: { expiresAt: number }; delaySeconds: number }[] = [];
    let failNext = false;
    const env = {
      JOBS_QUEUE: {
        send: async (body: { expiresAt: number }, opts: { delaySeconds: number }) => {
          if (failNext) {
            failNext = false;
            throw new Error('queue down');
          }
          sent.push({ body, delaySeconds: opts.delaySeconds });
        },
      },
    } as never;
    const now = 7_000_000_000;
    const bucket = wakeInstant(now + 60_001);
    expect(bucket).toBeGreaterThanOrEqual(now + 60_001);
    expect(bucket - (now + 60_001)).toBeLessThan(WAKE_BUCKET_MS);
    for (const ms of [60_001, 60_500, 61_000]) await scheduleHoldExpiry(env, 't1', now + ms, now);
    await scheduleHoldExpiry(env, 't2', now + 60_700, now); // another tenant, same bucket: the sweep covers every tenant
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body.expiresAt).toBe(bucket);
    expect(sent[0]!.delaySeconds).toBe(holdExpiryDelaySeconds(bucket, now));

    failNext = true;
    await expect(scheduleHoldExpiry(env, 't1', now + 70_001, now)).rejects.toThrow('queue down');
    await scheduleHoldExpiry(env, 't1', now + 70_002, now);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.body.expiresAt).toBe(wakeInstant(now + 70_002));
  });
});
