/**
 * Calendar dates in a tenant's time zone, with Intl only (no library): the offer validity
 * `YYYY-MM-DD` means the start (or the end) of that day in the tenant's time zone.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

interface Wall {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock time in `timeZone` at the instant `ms`. */
export function wallTime(ms: number, timeZone: string): Wall {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour! % 24, minute: parts.minute!, second: parts.second! };
}

/** Offset of `timeZone` from UTC at the instant `ms`, in ms (IST: +19 800 000). */
export function zoneOffset(ms: number, timeZone: string): number {
  const w = wallTime(ms, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

/** The instant at which the wall clock in `timeZone` shows midnight starting the given date. */
export function startOfZonedDay(year: number, month: number, day: number, timeZone: string): number {
  const guess = Date.UTC(year, month - 1, day);
  let instant = guess - zoneOffset(guess, timeZone);
  // Re-check once: the offset at the result may differ from the one at the guess (DST change).
  const second = guess - zoneOffset(instant, timeZone);
  if (second !== instant) instant = second;
  return instant;
}

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/** Parses a strict `YYYY-MM-DD` that names a real calendar day. */
export function parseCalendarDate(s: string): CalendarDate | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return { year, month, day };
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

export type ParsedBound = { kind: 'ok'; ms: number; dateOnly: boolean } | { kind: 'invalid' };

/**
 * `starts_at`/`ends_at`: `YYYY-MM-DD` (start of that day, or for an end bound the last
 * millisecond of that day, in `timeZone`) or a full ISO 8601 instant with a zone.
 */
export function parseBound(s: string, bound: 'start' | 'end', timeZone: string): ParsedBound {
  const date = parseCalendarDate(s);
  if (date) {
    if (bound === 'start') return { kind: 'ok', ms: startOfZonedDay(date.year, date.month, date.day, timeZone), dateOnly: true };
    const next = new Date(Date.UTC(date.year, date.month - 1, date.day + 1));
    return {
      kind: 'ok',
      ms: startOfZonedDay(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone) - 1,
      dateOnly: true,
    };
  }
  if (!ISO_INSTANT.test(s)) return { kind: 'invalid' };
  const datePart = parseCalendarDate(s.slice(0, 10));
  const ms = Date.parse(s);
  if (!datePart || Number.isNaN(ms)) return { kind: 'invalid' };
  return { kind: 'ok', ms, dateOnly: false };
}

/** The instant today began in `timeZone`. */
export function startOfToday(now: number, timeZone: string): number {
  const w = wallTime(now, timeZone);
  return startOfZonedDay(w.year, w.month, w.day, timeZone);
}
