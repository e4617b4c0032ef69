import { Hono } from 'hono';
import { generateSpecs } from 'hono-openapi';
import type { AppEnv } from '../env';
import { SESSION_COOKIE } from '../middleware/auth';

type Spec = Awaited<ReturnType<typeof generateSpecs>>;
type Operation = { security?: Record<string, string[]>[]; responses?: Record<string, { description?: string }>; description?: string };
type Security = NonNullable<Operation['security']>;

export const OPENAPI_INFO = {
  title: 'offer-checkout API',
  version: '1.0.0',
  description: [
    'Subscription offers, promo codes and corporate group access for publishers.',
    '',
    '- **Public API** under `/v1`: `Authorization: Bearer pk_…` (the publishable key), and the signed-in user as a user token in `X-User-Token` (an HS256 JWT signed with the tenant’s user-token secret).',
    '- **Admin API** under `/admin/v1`: `Authorization: Bearer sk_…` (the secret key), or the publisher console’s session cookie.',
    '- **Operator API** under `/platform/v1`: `Authorization: Bearer <PLATFORM_KEY>` (a worker secret).',
    '',
    'Amounts are integers in minor units. Errors are `application/problem+json` (RFC 9457) with a stable `code` and, for invalid input, `errors: [{path, message}]` naming the field.',
  ].join('\n'),
};

export const SECURITY_SCHEMES = {
  secretKey: { type: 'http', scheme: 'bearer', description: 'The tenant’s secret key `sk_…` (admin API). Shown once, by `POST /platform/v1/tenants` or `POST /admin/v1/keys`.' },
  publishableKey: { type: 'http', scheme: 'bearer', description: 'The tenant’s publishable key `pk_…` (public API; browser calls only from the tenant’s allowed origins).' },
  userToken: { type: 'apiKey', in: 'header', name: 'X-User-Token', description: 'The signed-in user: an HS256 JWT (`sub`, `email`, `email_verified`, `exp`; `kid` = secret version) signed with the tenant’s user-token secret.' },
  platformKey: { type: 'http', scheme: 'bearer', description: 'The operator’s `PLATFORM_KEY` (a worker secret).' },
  consoleSession: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The publisher console’s HttpOnly session cookie, set by `POST /console/v1/session`. A request that changes anything must come from the worker’s own origin.' },
} as const;

/** Public operations that need a signed-in user (401 `login_required` without a user token). */
const USER_REQUIRED = new Set(['POST /v1/subscriptions', 'GET /v1/subscriptions', 'POST /v1/access/claim']);

/**
 * The security of an operation, by path prefix: the operator API takes the platform key; the
 * admin API the secret key or the console session; the public API the publishable key, with a
 * user token (required where the operation needs a signed-in user, optional elsewhere); console
 * sign-in presents the secret key (in its body); the console's other calls the session cookie.
 * An operation that declares its own security keeps it.
 */
export function securityFor(method: string, path: string, op: Operation): Security | undefined {
  if (path.startsWith('/platform/')) return [{ platformKey: [] }];
  if (path.startsWith('/admin/')) return [{ secretKey: [] }, { consoleSession: [] }];
  if (path.startsWith('/v1/')) {
    const needsUser =
      USER_REQUIRED.has(`${method.toUpperCase()} ${path}`) ||
      Object.entries(op.responses ?? {}).some(([status, r]) => status === '401' && /login_required/.test(r.description ?? ''));
    return needsUser ? [{ publishableKey: [], userToken: [] }] : [{ publishableKey: [], userToken: [] }, { publishableKey: [] }];
  }
  if (path.startsWith('/console/')) {
    return method.toLowerCase() === 'post' && path === '/console/v1/session' ? [{ secretKey: [] }] : [{ consoleSession: [] }];
  }
  return undefined;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

/** Names the security scheme of every operation (see `securityFor`). */
export function applySecurity(spec: Spec): Spec {
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const method of METHODS) {
      const op = (item as Record<string, Operation | undefined> | undefined)?.[method];
      if (!op || typeof op !== 'object') continue;
      if (op.security?.length) continue;
      const security = securityFor(method, path, op);
      if (security) op.security = security;
    }
  }
  return spec;
}

/**
 * The API reference: Swagger UI (swagger-ui-dist) rendering /openapi.json. Its files are
 * static assets of this worker (copied into the asset directory by `npm run build`:
 * scripts/build.mjs), so the page works offline and loads nothing from another site; its
 * start-up script is served below (the CSP allows no inline script).
 */
export const DOCS_ASSETS = ['swagger-ui.css', 'swagger-ui-bundle.js'] as const;

const escape = (s: unknown) =>
  String(s ?? '').replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

type Schema = { $ref?: string; type?: string | string[]; properties?: Record<string, Schema>; required?: string[]; anyOf?: Schema[]; oneOf?: Schema[]; allOf?: Schema[]; items?: Schema; enum?: unknown[]; description?: string };

/** The top-level fields of a request body schema (through $ref, anyOf, oneOf, allOf). */
function fieldsOf(spec: Spec, schema: Schema | undefined, depth = 0): { name: string; type: string; required: boolean; description: string }[] {
  if (!schema || depth > 5) return [];
  if (schema.$ref) return fieldsOf(spec, (spec.components?.schemas as Record<string, Schema> | undefined)?.[schema.$ref.split('/').pop()!], depth + 1);
  const parts = [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])].flatMap((s) => fieldsOf(spec, s, depth + 1));
  const own = Object.entries(schema.properties ?? {}).map(([name, s]) => ({
    name,
    type: s.enum ? s.enum.map((v) => JSON.stringify(v)).join(' | ') : s.$ref ? s.$ref.split('/').pop()! : [s.type ?? (s.anyOf || s.oneOf ? 'one of several' : 'object')].flat().join(' | '),
    required: (schema.required ?? []).includes(name),
    description: s.description ?? '',
  }));
  const seen = new Set<string>();
  return [...own, ...parts].filter((f) => !seen.has(f.name) && seen.add(f.name));
}

/**
 * The same reference without JavaScript (inside `<noscript>`): every operation, its security,
 * the fields of its JSON body and its responses, straight from the OpenAPI document.
 */
export function renderPlainReference(spec: Spec): string {
  const out: string[] = [];
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const method of METHODS) {
      const op = (item as Record<string, (Operation & { summary?: string; requestBody?: { content?: Record<string, { schema?: Schema }> } }) | undefined>)?.[method];
      if (!op) continue;
      const body = op.requestBody?.content?.['application/json']?.schema;
      const fields = fieldsOf(spec, body)
        .map((f) => `<li><code>${escape(f.name)}</code> <small>${escape(f.type)}${f.required ? ', required' : ''}</small> ${escape(f.description)}</li>`)
        .join('');
      const responses = Object.entries(op.responses ?? {})
        .map(([status, r]) => `<li><b>${escape(status)}</b> ${escape(r.description)}</li>`)
        .join('');
      const security = (op.security ?? []).map((r) => Object.keys(r).join(' + ')).join(' or ');
      out.push(
        `<section><h3>${escape(method.toUpperCase())} <code>${escape(path)}</code></h3><p>${escape(op.summary)}${security ? ` <small>(${escape(security)})</small>` : ''}</p>` +
          (fields ? `<p>Body fields:</p><ul>${fields}</ul>` : '') +
          `<p>Responses:</p><ul>${responses}</ul></section>`,
      );
    }
  }
  return out.join('\n');
}

export function renderDocs(title: string, plain = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(title)} — API reference</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
<style>body{margin:0}noscript{display:block;font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}noscript section{border-top:1px solid #dde}</style>
</head>
<body>
<noscript><h1>${escape(title)}</h1><p>The interactive reference needs JavaScript; the machine-readable document is <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>${plain}</noscript>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>`;
}

/**
 * Swagger UI's start-up: operations listed by tag (an operation opens with its fields in the
 * schema view, its examples and its errors; `/docs#/Offers/postAdminV1Offers` links one open;
 * without a link, POST /admin/v1/offers opens, the operation a publisher starts with).
 * Expanding all ~60 operations at once took 10–45 s to render here, so they start closed.
 */
export const DOCS_INIT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  docExpansion: 'list',
  defaultModelRendering: 'model',
  defaultModelExpandDepth: 4,
  defaultModelsExpandDepth: 0,
  showExtensions: true,
  showCommonExtensions: true,
  displayRequestDuration: true,
  filter: true,
  tryItOutEnabled: false,
  validatorUrl: null,
  onComplete: () => {
    // Without a link to an operation, open the one a publisher starts with: create an offer.
    if (!location.hash) window.ui.layoutActions.show(['operations', 'Offers', 'postAdminV1Offers'], true);
  },
});
`;

/** `/openapi.json` and `/docs`, generated from the routes' zod schemas. */
export function docsRoutes(api: Hono<AppEnv>) {
  let cached: Promise<Spec> | undefined;
  const spec = () =>
    (cached ??= generateSpecs(api, {
      // Keep routes such as /admin/v1/exports/subscriptions.csv (a dot in the last segment
      // would otherwise be taken for a static file and left out).
      excludeStaticFile: false,
      documentation: {
        openapi: '3.1.0',
        info: OPENAPI_INFO,
        components: { securitySchemes: SECURITY_SCHEMES },
      },
    }).then(applySecurity));
  return new Hono<AppEnv>()
    .get('/openapi.json', async (c) => c.json(await spec()))
    .get('/docs', async (c) => c.html(renderDocs(OPENAPI_INFO.title, renderPlainReference(await spec()))))
    .get('/docs/init.js', (c) => c.body(DOCS_INIT, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=300' }));
}
