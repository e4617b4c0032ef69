import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { divRoundHalfAwayFromZero, percentOf, priceWithDiscount } from '../../worker/domain/money';

describe('percentOf (the one rounding helper)', () => {
  it('rounds to the nearest minor unit, halves away from zero', () => {
    expect(percentOf(999, 5000)).toBe(500); // 499.5
    expect(percentOf(1, 5000)).toBe(1); // 0.5
    expect(percentOf(3, 3333)).toBe(1); // 0.9999
    expect(percentOf(10_000, 1250)).toBe(1250);
    expect(percentOf(2000, 3333)).toBe(667); // 666.6
    expect(percentOf(-3, 5000)).toBe(-2); // -1.5
    expect(percentOf(0, 10_000)).toBe(0);
    expect(percentOf(1_000_000_000_000, 9999)).toBe(999_900_000_000); // exact beyond 2^53 intermediate
  });

  it('equals the exact rational result rounded half away from zero', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000_000_000, max: 1_000_000_000_000 }), fc.integer({ min: 0, max: 10_000 }), (amount, bp) => {
        const got = BigInt(percentOf(amount, bp));
        const exact2 = BigInt(amount) * BigInt(bp) * 2n; // 2 × 10 000 × true value
        const diff = got * 20_000n - exact2; // 20 000 × (rounded − true)
        // within half a unit...
        expect(diff <= 10_000n && diff >= -10_000n).toBe(true);
        // ...and on an exact half, away from zero
        if (diff === 10_000n || diff === -10_000n) expect(diff * BigInt(Math.sign(amount)) > 0n).toBe(true);
      }),
    );
  });

  it('divRoundHalfAwayFromZero is symmetric', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.bigInt({ min: 1n, max: 10n ** 6n }), (n, d) => {
        expect(divRoundHalfAwayFromZero(-n, d)).toBe(-divRoundHalfAwayFromZero(n, d));
      }),
    );
  });
});

describe('priceWithDiscount', () => {
  const discount = fc.oneof(
    fc.record({ type: fc.constant('percent' as const), basisPoints: fc.integer({ min: 1, max: 10_000 }) }),
    fc.record({ type: fc.constant('flat' as const), amount: fc.integer({ min: 1, max: 10_000_000 }), currency: fc.constantFrom('INR', 'USD') }),
  );

  it('never goes below zero nor above the price, and adds up', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000 }), fc.constantFrom('INR', 'USD'), discount, (price, currency, d) => {
        const p = priceWithDiscount(price, currency, d);
        if (d.type === 'flat' && d.currency !== currency) {
          expect(p.kind).toBe('currency_mismatch');
          return;
        }
        expect(p.kind).toBe('priced');
        if (p.kind !== 'priced') return;
        expect(p.discount).toBeGreaterThanOrEqual(0);
        expect(p.discount).toBeLessThanOrEqual(price);
        expect(p.amountDue).toBe(price - p.discount);
        expect(p.amountDue).toBeGreaterThanOrEqual(0);
        if (d.type === 'flat') expect(p.discount).toBe(Math.min(d.amount, price));
        else expect(p.discount).toBe(percentOf(price, d.basisPoints));
      }),
    );
  });

  it('100% makes it free; a flat discount over the price stops at zero', () => {
    expect(priceWithDiscount(4999, 'INR', { type: 'percent', basisPoints: 10_000 })).toEqual({ kind: 'priced', price: 4999, discount: 4999, amountDue: 0 });
    expect(priceWithDiscount(500, 'INR', { type: 'flat', amount: 800, currency: 'INR' })).toEqual({ kind: 'priced', price: 500, discount: 500, amountDue: 0 });
    expect(priceWithDiscount(500, 'INR', null)).toEqual({ kind: 'priced', price: 500, discount: 0, amountDue: 500 });
  });
});
