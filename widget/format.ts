/**
 * Money, duration and discount formatting with `Intl`, in the page's locale. Amounts arrive in
 * integer minor units; the number of minor digits comes from `Intl` for the currency (INR 2,
 * JPY 0, KWD 3), so no symbol or digit count is hard-coded here.
 */
import type { Discount, Duration } from './api.js';

const cache = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let nf = cache.get(key);
  if (!nf) {
    nf = new Intl.NumberFormat(locale, options);
    cache.set(key, nf);
  }
  return nf;
}

/** A usable BCP 47 locale: `wanted` if `Intl` knows it, else the browser's, else `en`. */
export function resolveLocale(wanted: string | null | undefined): string {
  for (const candidate of [wanted, globalThis.navigator?.language, 'en']) {
    if (!candidate) continue;
    try {
      return Intl.getCanonicalLocales(candidate)[0] ?? 'en';
    } catch {
      /* not a locale: try the next one */
    }
  }
  return 'en';
}

/** Formats integer minor units of `currency` in `locale` (`en-IN`, INR 10000000 → ₹1,00,000.00). */
export function formatMoney(minor: number, currency: string, locale: string): string {
  let nf: Intl.NumberFormat;
  try {
    nf = numberFormat(locale, { style: 'currency', currency });
  } catch {
    nf = numberFormat(locale, { style: 'decimal', minimumFractionDigits: 2 });
    return `${nf.format(minor / 100)} ${currency}`;
  }
  const digits = nf.resolvedOptions().maximumFractionDigits ?? 2;
  return nf.format(minor / 10 ** digits);
}

const MONTHS: Record<Duration, number> = { '1m': 1, '3m': 3, '6m': 6, '1y': 12 };

/** `3m` → "3 months", `1y` → "1 year", localised by `Intl` unit formatting. */
export function formatDuration(duration: Duration | string, locale: string): string {
  const months = MONTHS[duration as Duration];
  if (!months) return duration;
  const [value, unit] = months === 12 ? [1, 'year'] : [months, 'month'];
  return numberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(value);
}

/** "20% off", "₹100.00 off". */
export function formatDiscount(discount: Discount, locale: string): string {
  if (discount.type === 'percent') {
    return `${numberFormat(locale, { style: 'percent', maximumFractionDigits: 2 }).format(discount.value / 100)} off`;
  }
  return `${formatMoney(discount.amount, discount.currency, locale)} off`;
}

/** A date of an ISO 8601 instant, e.g. "31 Dec 2026". */
export function formatDate(iso: string | null | undefined, locale: string): string | null {
  if (!iso) return null;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(date);
}
