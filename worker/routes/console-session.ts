import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { AppError } from '../errors';
import { validate } from '../validation';
import { commonProblems, iso, json, problem } from '../schemas/common';
import { ConsoleSession, ConsoleSessionCreate } from '../schemas/console-session';
import { newSessionToken, sha256Hex } from '../domain/crypto';
import { CONSOLE_SESSION_TTL_MS } from '../domain/tenant-auth';
import { createSession, deleteSession } from '../db/console-sessions';
import { findSession } from '../db/tenants';
import { SESSION_COOKIE, authenticateKey, authenticateSession, csrfRefused, forgetSession, fromOwnOrigin } from '../middleware/auth';

const tags = ['Console'];
const security = [{ consoleSession: [] }];

/** `Secure` everywhere but plain-http localhost (wrangler dev), where a browser would drop it. */
function cookieOptions(c: Context<AppEnv>) {
  const url = new URL(c.req.url);
  const local = url.protocol === 'http:' && (url.hostname === 'localhost' || url.hostname === '127.0.0.1');
  return { httpOnly: true, sameSite: 'Strict' as const, path: '/', secure: !local };
}

const noSession = () => new AppError('unauthorized', { code: 'unauthorized', detail: 'No console session; sign in with the secret key.' });

/**
 * `/console/v1/session`: the publisher console signs in with the secret key once; the browser
 * then holds only an HttpOnly session cookie (the key is never kept in the browser).
 */
export const consoleSession = new Hono<AppEnv>()
  .post(
    '/',
    describeRoute({
      tags,
      summary: 'Sign in to the console',
      description:
        'Validates the secret key like the admin API does and sets an HttpOnly, SameSite=Strict session cookie (Secure except on http://localhost and http://127.0.0.1) valid for 12 h. The key is never echoed. A browser request must come from this origin (`403 csrf_refused`).',
      responses: {
        201: json('Signed in; the session cookie is set', ConsoleSession),
        403: problem('`csrf_refused` (another origin) or `tenant_disabled`'),
        ...commonProblems,
      },
    }),
    validate('json', ConsoleSessionCreate),
    async (c) => {
      // A browser posting from another site (login CSRF) is refused; scripts send no Origin.
      const site = c.req.header('Sec-Fetch-Site');
      const crossSiteBrowser = c.req.header('Origin') !== undefined || (site !== undefined && site !== 'none');
      if (crossSiteBrowser && !fromOwnOrigin(c)) throw csrfRefused();
      const auth = await authenticateKey(c, c.req.valid('json').secret_key, 'secret');
      const token = newSessionToken();
      const now = Date.now();
      const expiresAt = now + CONSOLE_SESSION_TTL_MS;
      await createSession(c.get('db'), { hash: await sha256Hex(token), tenantId: auth.tenant.id, keyId: auth.keyId, now, expiresAt });
      setCookie(c, SESSION_COOKIE, token, { ...cookieOptions(c), maxAge: Math.floor(CONSOLE_SESSION_TTL_MS / 1000) });
      c.header('Cache-Control', 'no-store');
      return c.json({ tenant: { id: auth.tenant.id, name: auth.tenant.name }, expires_at: iso(expiresAt)! }, 201);
    },
  )
  .get(
    '/',
    describeRoute({
      tags,
      summary: 'The console session’s tenant',
      security,
      responses: { 200: json('The signed-in tenant', ConsoleSession), 401: problem('No valid session'), 403: problem('`tenant_disabled`') },
    }),
    async (c) => {
      const token = getCookie(c, SESSION_COOKIE);
      if (!token) throw noSession();
      const auth = await authenticateSession(c, token);
      c.header('Cache-Control', 'no-store');
      return c.json({ tenant: { id: auth.tenant.id, name: auth.tenant.name }, expires_at: iso(auth.sessionExpiresAt)! });
    },
  )
  .delete(
    '/',
    describeRoute({
      tags,
      summary: 'Sign out of the console',
      description: 'Deletes the session and clears its cookie. Must come from this origin (`403 csrf_refused`).',
      security,
      responses: { 204: { description: 'Signed out' }, 403: problem('`csrf_refused`') },
    }),
    async (c) => {
      const token = getCookie(c, SESSION_COOKIE);
      if (token) {
        if (!fromOwnOrigin(c)) throw csrfRefused();
        const hash = await sha256Hex(token);
        const session = await findSession(c.get('db'), hash);
        // Deleted whatever its state (an expired or revoked session is over anyway).
        if (session) await deleteSession(c.get('db'), session.tenant.id, hash);
        await forgetSession(token);
      }
      deleteCookie(c, SESSION_COOKIE, cookieOptions(c));
      return c.body(null, 204);
    },
  );
