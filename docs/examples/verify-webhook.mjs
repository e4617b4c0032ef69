// Verifying an offer-checkout webhook in the publisher's backend (docs/integration.md).
// Plain JavaScript with Web Crypto only: runs unchanged on Node 18+, Deno, Bun and Workers.
// test/domain/webhook-signature.test.ts imports this very file.

const encoder = new TextEncoder();

/** Hex HMAC-SHA256 of `message` keyed with `secret`. */
async function hmacHex(secret, message) {
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(message)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Constant-time comparison of two strings of hex digits. */
function safeEqual(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Verifies `Offer-Checkout-Signature` against the RAW request body (the exact bytes received,
 * before any JSON parsing) and returns the parsed event, or throws.
 *
 * @param {string} rawBody    the request body as text, unparsed
 * @param {string | null} header  the Offer-Checkout-Signature header
 * @param {string} secret     the endpoint's whsec_… secret
 * @param {number} [toleranceSeconds=300]  refuse older (replayed) deliveries
 * @param {number} [nowSeconds]  the current time, for tests
 */
export async function verifyWebhook(rawBody, header, secret, toleranceSeconds = 300, nowSeconds = Math.floor(Date.now() / 1000)) {
  if (!header) throw new Error('missing Offer-Checkout-Signature');
  let timestamp = null;
  const signatures = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && /^\d+$/.test(value ?? '')) timestamp = Number(value);
    if (key === 'v1' && value) signatures.push(value);
  }
  if (timestamp === null || signatures.length === 0) throw new Error('malformed Offer-Checkout-Signature');
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) throw new Error('signature timestamp outside the tolerance');
  const expected = await hmacHex(secret, `${timestamp}.${rawBody}`);
  if (!signatures.some((s) => safeEqual(s, expected))) throw new Error('signature does not match');
  return JSON.parse(rawBody);
}
