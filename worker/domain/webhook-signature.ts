/**
 * Webhook signing (docs/webhooks.md), Stripe style: `Offer-Checkout-Signature:
 * t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the endpoint's secret>`.
 *
 * An endpoint's secret is never stored: it is derived from the worker secret
 * SECRET_DERIVATION_KEY, the endpoint id and a random per-endpoint salt that is stored, so the
 * worker can recompute it for every delivery while a dump of D1 alone reveals nothing.
 * Pure (Web Crypto only).
 */
import { hmacSha256, randomString, timingSafeEqualStrings, toBase64Url, toHex } from './crypto';

export const WEBHOOK_SECRET_PREFIX = 'whsec_';
/** Receivers should refuse signatures older than this (replays); the worker signs at send time. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** A fresh salt for a new endpoint (or a rotated secret). */
export function newSecretSalt(): string {
  return randomString(24);
}

/** The endpoint's signing secret: `whsec_` + base64url(HMAC-SHA256(derivation key, "webhook-endpoint:<id>:<salt>")). */
export async function deriveWebhookSecret(derivationKey: string, endpointId: string, salt: string): Promise<string> {
  const mac = await hmacSha256(derivationKey, `webhook-endpoint:${endpointId}:${salt}`);
  return WEBHOOK_SECRET_PREFIX + toBase64Url(mac);
}

/** The hex `v1` signature of a body sent at `timestampSeconds`. */
export async function signaturePayloadHex(secret: string, timestampSeconds: number, rawBody: string): Promise<string> {
  return toHex(await hmacSha256(secret, `${timestampSeconds}.${rawBody}`));
}

/** The `Offer-Checkout-Signature` header value. */
export async function signatureHeader(secret: string, timestampSeconds: number, rawBody: string): Promise<string> {
  return `t=${timestampSeconds},v1=${await signaturePayloadHex(secret, timestampSeconds, rawBody)}`;
}

export type SignatureCheck =
  | { kind: 'valid'; timestamp: number }
  | { kind: 'invalid'; reason: 'malformed_header' | 'timestamp_outside_tolerance' | 'no_matching_signature' };

/** Parses `t=…,v1=…[,v1=…]` (several v1 values are allowed, as during a secret rotation). */
export function parseSignatureHeader(header: string): { timestamp: number; signatures: string[] } | null {
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  return timestamp === null || signatures.length === 0 ? null : { timestamp, signatures };
}

/** What a receiver does: recompute the HMAC over the raw body and compare in constant time. */
export async function verifySignature(
  secret: string,
  header: string,
  rawBody: string,
  opts: { nowSeconds?: number; toleranceSeconds?: number } = {},
): Promise<SignatureCheck> {
  const parsed = parseSignatureHeader(header);
  if (!parsed) return { kind: 'invalid', reason: 'malformed_header' };
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - parsed.timestamp) > (opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) {
    return { kind: 'invalid', reason: 'timestamp_outside_tolerance' };
  }
  const expected = await signaturePayloadHex(secret, parsed.timestamp, rawBody);
  const match = parsed.signatures.some((s) => timingSafeEqualStrings(s, expected));
  return match ? { kind: 'valid', timestamp: parsed.timestamp } : { kind: 'invalid', reason: 'no_matching_signature' };
}
