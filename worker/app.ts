import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { AppEnv } from './env';
import { AppError } from './errors';
import { onError, onNotFound } from './middleware/errors';
import { database } from './middleware/db';
import { emptyQueryIsAbsent } from './middleware/empty-query';
import { platformKeyAuth, publishableKeyAuth, secretKeyAuth, userToken } from './middleware/auth';
import { codeGuessing } from './middleware/code-guessing';
import { securityHeaders } from './middleware/security-headers';
import { tenantCors } from './middleware/tenant-cors';
import { platformTenants } from './routes/platform-tenants';
import { consoleSession } from './routes/console-session';
import { tenantSettings } from './routes/tenant';
import { keys } from './routes/keys';
import { userTokenSecrets } from './routes/user-token-secrets';
import { products } from './routes/products';
import { plans, publicPlans } from './routes/plans';
import { docsRoutes } from './routes/docs';
import { offers } from './routes/offers';
import { planOffers } from './routes/plan-offers';
import { publicOffers } from './routes/public-offers';
import { quotes } from './routes/quotes';
import { publicSubscriptions } from './routes/subscriptions';
import { subscriptionsAdmin } from './routes/billing-hooks';
import { mySubscriptions } from './routes/my-subscriptions';
import { groups } from './routes/groups';
import { access } from './routes/access';
import { jobs } from './routes/jobs';
import { offerBulk } from './routes/offer-bulk';
import { planImports } from './routes/plan-imports';
import { exportsRoutes } from './routes/exports';
import { webhookEndpoints } from './routes/webhook-endpoints';
import { codeGuessingAdmin } from './routes/code-guessing';

const tooLarge = (max: string) => () => {
  throw new AppError('payload_too_large', { code: 'payload_too_large', detail: `The body is over the ${max} limit of this endpoint.` });
};
/** JSON bodies are small; CSV uploads set their own limits on their routes. */
const jsonLimit = (maxSize: number, label: string) =>
  bodyLimit({ maxSize, onError: tooLarge(label) });

// The API (everything that appears in /openapi.json).
const api = new Hono<AppEnv>();

api.use('*', database(), emptyQueryIsAbsent());

// Operator bootstrap.
api.use('/platform/v1/*', platformKeyAuth(), jsonLimit(16 * 1024, '16 KB'));
api.route('/platform/v1/tenants', platformTenants);

// Public API: publishable key, CORS for the tenant's allowed origins, optional user token.
// Preflights carry no key, so they are answered for any origin (they disclose nothing); the
// request itself is refused (403 origin_not_allowed, without CORS headers) unless its Origin is
// one of the tenant's allowed origins, and only then gets Access-Control-Allow-Origin: CORS
// headers are set after the key is checked, never for an origin the tenant does not allow.
const corsOptions = {
  allowHeaders: ['Authorization', 'Content-Type', 'X-User-Token', 'Idempotency-Key'],
  allowMethods: ['GET', 'POST', 'OPTIONS'],
  exposeHeaders: ['Retry-After'],
  maxAge: 600,
};
const preflight = cors({ ...corsOptions, origin: (origin) => origin });
api.use(
  '/v1/*',
  async function preflightOnly(c, next) {
    if (c.req.method === 'OPTIONS') return preflight(c, next);
    await next();
  },
  publishableKeyAuth(),
  tenantCors(corsOptions.exposeHeaders),
  userToken(),
  jsonLimit(64 * 1024, '64 KB'),
);
// Code guessing (docs/security.md): after the user is known, before the routes judge a code.
api.use('/v1/quotes', codeGuessing());
api.use('/v1/subscriptions', codeGuessing());
api.route('/v1/plans', publicPlans);
api.route('/v1/offers', publicOffers);
api.route('/v1/quotes', quotes);
api.route('/v1/subscriptions', publicSubscriptions);
api.route('/v1/subscriptions', mySubscriptions);
api.route('/v1/access', access);

// Publisher console sign-in (same origin as the console's static files; no CORS).
api.use('/console/v1/*', jsonLimit(16 * 1024, '16 KB'));
api.route('/console/v1/session', consoleSession);

// Admin API: secret key, or the console's session cookie (state changes: same origin only).
api.use('/admin/v1/*', secretKeyAuth());
const admin = new Hono<AppEnv>();
admin.use('*', async function jsonBodyLimit(c, next) {
  const type = c.req.header('Content-Type') ?? '';
  if (type.includes('json')) return jsonLimit(1024 * 1024, '1 MB')(c, next);
  await next();
});
admin.route('/tenant', tenantSettings);
admin.route('/keys', keys);
admin.route('/user-token-secrets', userTokenSecrets);
admin.route('/products', products);
admin.route('/plans', plans);
admin.route('/plans', planOffers);
admin.route('/offers', offers);
admin.route('/subscriptions', subscriptionsAdmin);
admin.route('/groups', groups);
admin.route('/offers', offerBulk);
admin.route('/plans', planImports);
admin.route('/jobs', jobs);
admin.route('/exports', exportsRoutes);
admin.route('/webhook-endpoints', webhookEndpoints);
admin.route('/code-guessing', codeGuessingAdmin);
api.route('/admin/v1', admin);

export const app = new Hono<AppEnv>();
app.onError(onError);
app.notFound(onNotFound);
app.use('*', securityHeaders());
app.get('/health', (c) => c.json({ ok: true }));
app.route('/', docsRoutes(api));
app.route('/', api);
