import type { Duration } from '../db/schema';

const MONTHS: Record<Duration, number> = { '1m': 1, '3m': 3, '6m': 6, '1y': 12 };

/**
 * The end of a billing period that starts at `start` (ms, UTC): calendar months, clamped to
 * the last day of the target month (31 Jan + 1m = 28/29 Feb).
 */
export function addPeriod(start: number, duration: Duration): number {
  const d = new Date(start);
  const months = MONTHS[duration];
  const targetMonth = d.getUTCMonth() + months;
  const y = d.getUTCFullYear() + Math.floor(targetMonth / 12);
  const m = targetMonth % 12;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(d.getUTCDate(), lastDay), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}
