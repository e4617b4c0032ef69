import { afterEach, describe, expect, it, vi } from 'vitest';
// @ts-expect-error a plain ES module script without types
import { isoDate } from '../../scripts/demo-seed.mjs';

afterEach(() => {
  vi.useRealTimers();
});

describe('the demo seed (npm start)', () => {
  it("dates its offers by the demo tenant's own today (Asia/Kolkata), also late in the UTC day", () => {
    // 23:00 UTC is already the next day in Kolkata (UTC+5:30): a UTC date would be "yesterday"
    // there, and the API refuses a start before the tenant's today.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-06T23:00:00Z'));
    expect(isoDate(0)).toBe('2026-12-07');
    expect(isoDate(90)).toBe('2027-03-07');
    vi.setSystemTime(new Date('2026-12-06T10:00:00Z'));
    expect(isoDate(0)).toBe('2026-12-06');
  });
});
