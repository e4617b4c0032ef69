/**
 * Words and numbers in the widget's language: the catalogue (widget/locales/) picked by `lang`,
 * and money, counts, periods and dates through `Intl` in the widget's locale. Amounts arrive in
 * integer minor units; the number of minor digits comes from `Intl` for the currency (INR 2,
 * JPY 0, KWD 3), so no symbol or digit count is hard-coded here.
 */
import { en, type Catalogue } from './locales/en.js';
import { hi } from './locales/hi.js';
import type { Discount, Plan } from './api.js';

const CATALOGUES: Record<string, Catalogue> = { en, hi };

/** The catalogue of a BCP 47 language tag (`hi-IN` → Hindi); English when there is none. */
export const catalogueFor = (lang: string | null | undefined): Catalogue => CATALOGUES[(lang ?? '').toLowerCase().split('-')[0]!] ?? en;

/** A usable BCP 47 locale: the first candidate `Intl` accepts, else `en`. */
export function resolveLocale(...candidates: (string | null | undefined)[]): string {
  for (const c of candidates) {
    try {
      if (c) return Intl.getCanonicalLocales(c)[0]!;
    } catch {}
  }
  return 'en';
}

const MONTHS: Record<string, number> = { '1m': 1, '3m': 3, '6m': 6, '1y': 12 };

export class Format {
  constructor(
    readonly locale: string,
    readonly t: Catalogue,
  ) {}

  private number(options: Intl.NumberFormatOptions): Intl.NumberFormat {
    return new Intl.NumberFormat(this.locale, options);
  }

  /** Integer minor units of `currency` (`en-IN`, INR 10000000 → ₹1,00,000.00). */
  money(minor: number, currency: string): string {
    // The API accepts only ISO 4217 codes that Intl knows (worker/schemas/common.ts).
    const f = this.number({ style: 'currency', currency });
    return f.format(minor / 10 ** (f.resolvedOptions().maximumFractionDigits ?? 2));
  }

  /** `count` months or years in words: "2 months", "1 year", "6 महीने". */
  private span(months: number): string {
    const years = months % 12 === 0;
    return this.number({ style: 'unit', unit: years ? 'year' : 'month', unitDisplay: 'long' }).format(years ? months / 12 : months);
  }

  /** One billing period, to follow "/": "month", "3 months", "year". */
  period(duration: string): string {
    const months = MONTHS[duration] ?? 1;
    return months === 1 ? this.t.month : months === 12 ? this.t.year : this.span(months);
  }

  /** How long `cycles` billing periods of `duration` last: 2 × 1m → "2 months", 2 × 1y → "2 years". */
  cyclesSpan(duration: string, cycles: number): string {
    return this.span((MONTHS[duration] ?? 1) * cycles);
  }

  /** "₹399.20 / month" */
  perPeriod(minor: number, currency: string, duration: string): string {
    return `${this.money(minor, currency)} / ${this.period(duration)}`;
  }

  /**
   * What a discounted plan costs over time: "₹399.20 / month for 2 months, then ₹499.00", or
   * "₹399.20 / month, every billing cycle" when every cycle is discounted (`cycles` null).
   */
  terms(plan: Pick<Plan, 'price' | 'currency' | 'duration'>, amountDue: number, cycles: number | null): string {
    const per = this.perPeriod(amountDue, plan.currency, plan.duration);
    return cycles === null ? this.t.everyCycle(per) : this.t.forThen(per, this.cyclesSpan(plan.duration, cycles), this.money(plan.price, plan.currency));
  }

  /**
   * "20% off", "₹499.00 off". A flat discount is shown as what it really takes off `price`
   * (a discount never takes a price below zero).
   */
  discount(d: Discount, price?: number): string {
    if (d.type === 'percent') return this.t.off(this.number({ style: 'percent', maximumFractionDigits: 2 }).format(d.value / 100));
    return this.t.off(this.money(price === undefined ? d.amount : Math.min(d.amount, price), d.currency));
  }

  /** A day ("31 Dec 2026"), or with `time` an instant ("2 Dec 2026, 4:05 pm"). */
  date(iso: string | null | undefined, time?: boolean): string {
    return iso ? new Intl.DateTimeFormat(this.locale, { dateStyle: 'medium', timeStyle: time ? 'short' : undefined }).format(new Date(iso)) : '';
  }

  /** The plain-words reason of a refusal, by the API's problem `code`. */
  error(code: string, status: number): string {
    return this.t.errors[code] ?? en.errors[code] ?? this.t.errors[status === 0 || status >= 500 ? 'server' : 'other']!;
  }
}
