// Signing the user token that the publisher's page gives to <offer-checkout user-token="…">
// (docs/integration.md). HS256 JWT with the tenant's user-token secret; the header's `kid` names
// the secret's version (POST /admin/v1/user-token-secrets answers {version, secret}).
// Web Crypto only: runs unchanged on Node 18+, Deno, Bun and Workers.

const encoder = new TextEncoder();

function base64url(bytes) {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const encodeJson = (value) => base64url(encoder.encode(JSON.stringify(value)));

/**
 * @param {{ id: string, email?: string | null, emailVerified?: boolean }} user  your signed-in user
 * @param {{ secret: string, version?: number, ttlSeconds?: number, nowSeconds?: number }} key
 *   the tenant's user-token secret and its version; tokens live `ttlSeconds` (default 15 min,
 *   the API refuses more than 30 days)
 */
export async function signUserToken(user, { secret, version = 1, ttlSeconds = 900, nowSeconds = Math.floor(Date.now() / 1000) }) {
  const header = { alg: 'HS256', typ: 'JWT', kid: String(version) };
  const claims = { sub: user.id, exp: nowSeconds + ttlSeconds, iat: nowSeconds };
  // Only claim a verified email when your system has verified it: group access by domain trusts it.
  if (user.email) {
    claims.email = user.email;
    claims.email_verified = user.emailVerified === true;
  }
  const signingInput = `${encodeJson(header)}.${encodeJson(claims)}`;
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(signingInput)));
  return `${signingInput}.${base64url(signature)}`;
}
