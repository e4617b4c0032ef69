import { describe, expect, it } from 'vitest';
import { MAX_DELAY_SECONDS, holdExpiryDelaySeconds, isHoldExpiryMessage } from '../../worker/jobs/hold-expiry';

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
});
