/**
 * Money: integer minor units. This is the ONE place where a percentage becomes an amount, so
 * that every route rounds the same way: to the nearest minor unit, halves away from zero.
 */

/** A discount as stored: percent in basis points (hundredths of a percent: 12.5% = 1250), or a flat amount. */
export type DiscountDef =
  | { type: 'percent'; basisPoints: number }
  | { type: 'flat'; amount: number; currency: string };

export const MAX_BASIS_POINTS = 10_000;

/** Rounds `numerator / denominator` (integers, denominator > 0) to the nearest integer, halves away from zero. */
export function divRoundHalfAwayFromZero(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n;
  const n = negative ? -numerator : numerator;
  let q = n / denominator;
  const r = n % denominator;
  if (r * 2n >= denominator) q += 1n;
  return negative ? -q : q;
}

/** `amount × basisPoints / 10 000`, rounded to the nearest minor unit, halves away from zero. Exact for any safe integer. */
export function percentOf(amount: number, basisPoints: number): number {
  if (!Number.isSafeInteger(amount) || !Number.isSafeInteger(basisPoints)) throw new RangeError('percentOf takes integers');
  return Number(divRoundHalfAwayFromZero(BigInt(amount) * BigInt(basisPoints), 10_000n));
}

export type PriceDecision =
  | { kind: 'priced'; price: number; discount: number; amountDue: number }
  | { kind: 'currency_mismatch' };

/**
 * The discount of one billing cycle on a price. Never below zero and never above the price
 * (a discount never takes a price below zero); a flat discount applies only in its own currency.
 */
export function priceWithDiscount(price: number, currency: string, discount: DiscountDef | null): PriceDecision {
  if (!discount) return { kind: 'priced', price, discount: 0, amountDue: price };
  let off: number;
  if (discount.type === 'percent') {
    off = percentOf(price, Math.min(Math.max(discount.basisPoints, 0), MAX_BASIS_POINTS));
  } else {
    if (discount.currency.toUpperCase() !== currency.toUpperCase()) return { kind: 'currency_mismatch' };
    off = discount.amount;
  }
  off = Math.min(Math.max(off, 0), Math.max(price, 0));
  return { kind: 'priced', price, discount: off, amountDue: price - off };
}

/** Percent as the API speaks it (12.5) from basis points (1250), and back (exact for two decimals). */
export const basisPointsToPercent = (bp: number): number => bp / 100;
export const percentToBasisPoints = (percent: number): number => Math.round(percent * 100);
/** True when `percent` has at most two decimals. */
export const hasAtMostTwoDecimals = (percent: number): boolean => Math.abs(Math.round(percent * 100) - percent * 100) < 1e-6;
