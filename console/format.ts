/** Formatting of money, discounts and dates (Intl, in the browser's locale). */
import type { Discount } from './api.js';

/** The browser's locale, when Intl accepts it (some systems report tags such as `en-US@posix`). */
const LOCALE = (() => {
  try {
    return Intl.getCanonicalLocales(navigator.language)[0] ?? 'en';
  } catch {
    return 'en';
  }
})();

/** Decimal places of a currency's minor unit (INR 2, JPY 0). */
export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

export function formatMoney(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  try {
    return new Intl.NumberFormat(LOCALE, { style: 'currency', currency }).format(minor / 10 ** digits);
  } catch {
    return `${(minor / 10 ** digits).toFixed(digits)} ${currency}`;
  }
}

/** A major-unit amount typed by a person ("1299.50") in minor units, or null when not a number. */
export function toMinor(input: string, currency: string): number | null {
  const s = input.trim().replace(/,/g, '');
  if (!/^\d+(\.\d+)?$/.test(s)) return null;
  return Math.round(Number(s) * 10 ** minorDigits(currency));
}

export function formatDiscount(d: Discount): string {
  return d.type === 'percent' ? `${d.value}% off` : `${formatMoney(d.amount, d.currency)} off`;
}

/** `YYYY-MM-DD` of an instant in a time zone. */
export function dayIn(instant: Date | string | number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(instant));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export const todayIn = (timeZone: string) => dayIn(Date.now(), timeZone);

/** The day of `YYYY-MM-DD` in words: "Friday, 4 December 2026". */
export function dayInWords(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Intl.DateTimeFormat(LOCALE, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(Date.UTC(y!, m! - 1, d!)),
  );
}

/** A short date of an instant in the tenant's time zone: "4 Dec 2026". */
export function shortDate(instant: string | null | undefined, timeZone: string): string {
  if (!instant) return '';
  return new Intl.DateTimeFormat(LOCALE, { day: 'numeric', month: 'short', year: 'numeric', timeZone }).format(new Date(instant));
}

export function dateTime(instant: string | null | undefined, timeZone: string): string {
  if (!instant) return '—';
  return new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(instant));
}

export const count = (n: number) => n.toLocaleString(LOCALE);
