/**
 * Key material: random tokens, hashing, constant-time comparison and derived secrets.
 * Web Crypto only (no runtime-specific APIs), so it runs in workerd and in Node alike.
 */

/** Crockford-like base32 without look-alikes (no 0/O, 1/I/L, U). */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
const ID_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** Uniform random string over `alphabet` (rejection sampling, no modulo bias). */
export function randomString(length: number, alphabet: string = ID_ALPHABET): string {
  const n = alphabet.length;
  const limit = 256 - (256 % n);
  let out = '';
  while (out.length < length) {
    const bytes = crypto.getRandomValues(new Uint8Array(Math.max(16, (length - out.length) * 2)));
    for (const b of bytes) {
      if (b < limit) out += alphabet[b % n];
      if (out.length === length) break;
    }
  }
  return out;
}

/** A time-sortable id with a resource prefix, e.g. `prod_0lz3k8…`. */
export function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(36).padStart(9, '0')}${randomString(12)}`;
}

const encoder = new TextEncoder();

export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let out = '';
  for (const b of view) out += b.toString(16).padStart(2, '0');
  return out;
}

export function toBase64Url(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = '';
  for (const b of view) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export async function sha256Hex(input: string): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', encoder.encode(input)));
}

/** Constant-time comparison of two equal-length hex digests (or any strings). */
export function timingSafeEqualStrings(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  // Compare against itself when lengths differ so the time does not depend on where they differ.
  const other = x.byteLength === y.byteLength ? y : x;
  let diff = x.byteLength === y.byteLength ? 0 : 1;
  for (let i = 0; i < x.byteLength; i++) diff |= x[i]! ^ other[i]!;
  return diff === 0;
}

export async function hmacSha256(key: string, message: string): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey('raw', encoder.encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  return new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, encoder.encode(message)));
}

// ---------------------------------------------------------------------------------------------
// API keys: `sk_<key id><secret>` / `pk_<key id><secret>`; only the key id and a hash are stored.
// ---------------------------------------------------------------------------------------------

export type KeyKind = 'secret' | 'publishable';
const KEY_PREFIX: Record<KeyKind, string> = { secret: 'sk_', publishable: 'pk_' };
const KEY_ID_LENGTH = 12;
const KEY_SECRET_LENGTH = 40; // ~206 bits over 36 symbols

export interface IssuedKey {
  key: string;
  keyId: string;
  hash: string;
}

export async function issueKey(kind: KeyKind): Promise<IssuedKey> {
  const keyId = randomString(KEY_ID_LENGTH);
  const key = `${KEY_PREFIX[kind]}${keyId}${randomString(KEY_SECRET_LENGTH)}`;
  return { key, keyId, hash: await sha256Hex(key) };
}

/** Splits a presented key into its kind and key id, or null when it is not shaped like one. */
export function parseKey(key: string): { kind: KeyKind; keyId: string } | null {
  const match = /^(sk|pk)_([0-9a-z]{12})[0-9a-z]{40}$/.exec(key);
  if (!match) return null;
  return { kind: match[1] === 'sk' ? 'secret' : 'publishable', keyId: match[2]! };
}

/**
 * The tenant's user-token secret is derived from the worker secret, the tenant id and a
 * version, so D1 never holds it: a leaked database does not let anyone mint user tokens.
 */
export async function deriveUserTokenSecret(derivationKey: string, tenantId: string, version: number): Promise<string> {
  return `uts_${toBase64Url(await hmacSha256(derivationKey, `user-token:${tenantId}:${version}`))}`;
}

/** A console session token (the cookie value): 256 random bits; D1 keeps only its SHA-256. */
export function newSessionToken(): string {
  return `ocs_${toBase64Url(crypto.getRandomValues(new Uint8Array(32)))}`;
}
