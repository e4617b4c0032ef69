import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseBound, startOfToday, startOfZonedDay, wallTime } from '../../worker/domain/zoned-dates';

describe('zoned dates', () => {
  it('start and end of a day in the tenant time zone', () => {
    expect(new Date(startOfZonedDay(2026, 3, 10, 'Asia/Kolkata')).toISOString()).toBe('2026-03-09T18:30:00.000Z');
    expect(new Date(startOfZonedDay(2026, 3, 10, 'UTC')).toISOString()).toBe('2026-03-10T00:00:00.000Z');
    // New York switches to daylight time on 2026-03-08: the day starts in EST and ends in EDT.
    expect(new Date(startOfZonedDay(2026, 3, 8, 'America/New_York')).toISOString()).toBe('2026-03-08T05:00:00.000Z');
    const end = parseBound('2026-03-08', 'end', 'America/New_York');
    expect(end.kind === 'ok' && new Date(end.ms).toISOString()).toBe('2026-03-09T03:59:59.999Z');
  });

  it('parses dates and instants strictly', () => {
    expect(parseBound('2026-02-30', 'start', 'UTC').kind).toBe('invalid');
    expect(parseBound('tomorrow', 'start', 'UTC').kind).toBe('invalid');
    expect(parseBound('2026-05-01T10:00:00', 'start', 'UTC').kind).toBe('invalid'); // no zone
    const instant = parseBound('2026-05-01T10:00:00+05:30', 'start', 'UTC');
    expect(instant.kind === 'ok' && new Date(instant.ms).toISOString()).toBe('2026-05-01T04:30:00.000Z');
  });

  it('the start of a day shows midnight of that day on the zone wall clock', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2090-12-31'), noInvalidDate: true }),
        fc.constantFrom('UTC', 'Asia/Kolkata', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/Sao_Paulo'),
        (d, tz) => {
          const [y, m, day] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
          const start = startOfZonedDay(y, m, day, tz);
          const w = wallTime(start, tz);
          expect([w.year, w.month, w.day]).toEqual([y, m, day]);
          // midnight, or the first instant of the day when a DST jump skips midnight
          expect(wallTime(start - 1, tz).day).not.toBe(day);
          expect(startOfToday(start + 3_600_000, tz)).toBe(start);
        },
      ),
      { numRuns: 300 },
    );
  });
});
