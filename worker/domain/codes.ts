/**
 * Generated promo codes (pure). A code is `prefix` + random symbols from CODE_ALPHABET (30
 * symbols, no 0/O, 1/I/L, U): 9 symbols are log2(30^9) = 44.2 bits, 10 are 49 bits.
 */
import { CODE_ALPHABET } from './crypto';

export const MAX_CODE_LENGTH = 32;
export const MIN_RANDOM_SYMBOLS = 9;
export const PREFERRED_RANDOM_SYMBOLS = 10;

/** Random symbols after `prefix`: 10 when the 32-character limit allows, never fewer than 9. */
export function codeRandomLength(prefix: string): number {
  return Math.max(MIN_RANDOM_SYMBOLS, Math.min(PREFERRED_RANDOM_SYMBOLS, MAX_CODE_LENGTH - prefix.length));
}

/**
 * Symbols between the prefix and the random part that name the chunk a code was written in
 * (up to 2: 900 chunks). They are not randomness and are not counted as such; they make the
 * codes of one chunk neighbours in the (tenant_id, code) index, so a chunk's transaction writes
 * a few index pages instead of one page per code (random keys all over a 1,000,000-entry index
 * made the code set ten times slower).
 */
export function codeBucketLength(prefix: string): number {
  return Math.max(0, Math.min(2, MAX_CODE_LENGTH - prefix.length - codeRandomLength(prefix)));
}

/** The bucket symbols of chunk `chunk`. */
export function codeBucket(chunk: number, length: number): string {
  let out = '';
  let n = chunk % CODE_ALPHABET.length ** length;
  for (let i = 0; i < length; i++) {
    out = CODE_ALPHABET[n % CODE_ALPHABET.length] + out;
    n = Math.floor(n / CODE_ALPHABET.length);
  }
  return out;
}

/** Bits of randomness of a code with `symbols` random symbols. */
export const codeEntropyBits = (symbols: number): number => symbols * Math.log2(CODE_ALPHABET.length);

/**
 * `count` codes `prefix` + `bucket` + `randomLength` uniform symbols, from a cryptographic source
 * (crypto.getRandomValues, rejection sampling: no modulo bias). Codes within the result are
 * distinct; collisions with stored codes are the caller's to handle (INSERT OR IGNORE + top-up).
 */
export function generateCodes(count: number, prefix: string, randomLength: number, bucket = ''): string[] {
  const n = CODE_ALPHABET.length;
  const limit = 256 - (256 % n);
  const out = new Set<string>();
  const pool = new Uint8Array(65_536);
  let pos = pool.length;
  while (out.size < count) {
    let code = prefix + bucket;
    for (let i = 0; i < randomLength; ) {
      if (pos === pool.length) {
        crypto.getRandomValues(pool);
        pos = 0;
      }
      const b = pool[pos++]!;
      if (b < limit) {
        code += CODE_ALPHABET[b % n];
        i++;
      }
    }
    out.add(code);
  }
  return [...out];
}
