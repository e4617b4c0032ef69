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

const PERIODS: Record<Duration, string> = { '1m': 'month', '3m': '3 months', '6m': '6 months', '1y': 'year' };

/**
 * A billing period in the widget's (English) words, to follow "every" or "/": `1m` → "month",
 * `3m` → "3 months", `1y` → "year".
 */
export function formatPeriod(duration: Duration | string): string {
  return PERIODS[duration as Duration] ?? duration;
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
