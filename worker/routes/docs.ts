import { Hono } from 'hono';
import { generateSpecs } from 'hono-openapi';
import type { AppEnv } from '../env';

type Spec = Awaited<ReturnType<typeof generateSpecs>>;

export const OPENAPI_INFO = {
  title: 'offer-checkout API',
  version: '1.0.0',
  description:
    'Subscription offers, promo codes and corporate group access for publishers. Public API under `/v1` (`Authorization: Bearer pk_…`, user token in `X-User-Token`); admin API under `/admin/v1` (`Authorization: Bearer sk_…`). Amounts are integers in minor units; errors are `application/problem+json` with a stable `code`.',
};

const escape = (s: unknown) =>
  String(s ?? '').replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/** Readable HTML docs rendered from the OpenAPI document itself (no external scripts). */
export function renderDocs(spec: Spec): string {
  const sections: string[] = [];
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const [method, op] of Object.entries(item ?? {})) {
      if (!op || typeof op !== 'object' || !('responses' in op)) continue;
      const operation = op as { summary?: string; description?: string; tags?: string[]; responses?: Record<string, { description?: string }>; requestBody?: unknown; parameters?: { name: string; in: string; required?: boolean }[] };
      const params = (operation.parameters ?? []).map((p) => `<code>${escape(p.name)}</code> <small>(${escape(p.in)}${p.required ? ', required' : ''})</small>`).join(', ');
      const responses = Object.entries(operation.responses ?? {})
        .map(([status, r]) => `<li><b>${escape(status)}</b> ${escape(r.description)}</li>`)
        .join('');
      const body = operation.requestBody ? `<details><summary>Request body schema</summary><pre>${escape(JSON.stringify(operation.requestBody, null, 2))}</pre></details>` : '';
      sections.push(
        `<section><h3><span class="m ${escape(method)}">${escape(method.toUpperCase())}</span> <code>${escape(path)}</code></h3>` +
          `<p>${escape(operation.summary)}${operation.description ? ` — ${escape(operation.description)}` : ''}</p>` +
          (params ? `<p>Parameters: ${params}</p>` : '') +
          body +
          `<ul>${responses}</ul></section>`,
      );
    }
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escape(spec.info.title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2433}section{border-top:1px solid #dde;padding:.5rem 0}
.m{display:inline-block;min-width:4.5rem;font-size:.8em;padding:.1em .4em;border-radius:4px;background:#eef;color:#224}.post{background:#e3f6e8}.delete{background:#fde8e8}.patch,.put{background:#fff4dc}pre{background:#f6f7f9;padding:.5rem;overflow:auto;font-size:12px}</style></head>
<body><h1>${escape(spec.info.title)} <small>${escape(spec.info.version)}</small></h1><p>${escape(spec.info.description)}</p><p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${escape(spec.openapi)}).</p>${sections.join('\n')}</body></html>`;
}

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
        components: {
          securitySchemes: {
            secretKey: { type: 'http', scheme: 'bearer', description: 'sk_… (admin API)' },
            publishableKey: { type: 'http', scheme: 'bearer', description: 'pk_… (public API)' },
            platformKey: { type: 'http', scheme: 'bearer', description: 'PLATFORM_KEY (operator)' },
            userToken: { type: 'apiKey', in: 'header', name: 'X-User-Token', description: 'HS256 JWT signed with the tenant user-token secret' },
            consoleSession: { type: 'apiKey', in: 'cookie', name: 'offer_checkout_session', description: 'Publisher console session (POST /console/v1/session); state-changing requests must come from the same origin' },
          },
        },
      },
    }));
  return new Hono<AppEnv>()
    .get('/openapi.json', async (c) => c.json(await spec()))
    .get('/docs', async (c) => c.html(renderDocs(await spec())));
}
