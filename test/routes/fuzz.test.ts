/**
 * Fuzzing every operation of /openapi.json (issue 13): for each one, fast-check generates
 * requests from the operation's own schemas (valid-ish bodies, parameters and ids of a fresh
 * tenant) and mutations of them (missing and unknown fields, wrong types, nulls, huge and
 * unicode strings, random JSON, non-JSON bodies, wrong content types), sends them with the
 * credentials the operation names, and requires that nothing answers 5xx and that every 4xx is
 * problem+json with a `code`. Generic over the document, so routes added later are covered.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SELF } from 'cloudflare:test';
import { BASE, PLATFORM_KEY, call, createCatalog, createTenant, userToken, type TestTenant } from '../helpers';

type Schema = Record<string, any>;
type Operation = {
  parameters?: { name?: string; in?: string; required?: boolean; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  security?: Record<string, string[]>[];
};

const RUNS_PER_OPERATION = 25;

const weird = fc.constantFrom(
  '',
  ' ',
  'null',
  '0',
  '-1',
  '1e309',
  'NaN',
  'true',
  "' OR 1=1 --",
  '"; DROP TABLE offers; --',
  '../../etc/passwd',
  '%00',
  '\u0000',
  '\uFEFF',
  '\uD800',
  'ü日本😀\u202E',
  '=HYPERLINK("x")',
  '<script>alert(1)</script>',
  'prod_',
  'a'.repeat(300),
);
const hugeString = fc.constantFrom('x'.repeat(70_000), '日'.repeat(20_000), '9'.repeat(5_000));
const anyString = fc.oneof({ weight: 4, arbitrary: fc.string({ maxLength: 40 }) }, { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) }, { weight: 3, arbitrary: weird }, { weight: 1, arbitrary: hugeString });
const anyJson = fc.jsonValue({ maxDepth: 3 });

function deref(schema: Schema | undefined, components: Record<string, Schema>, depth = 0): Schema {
  let s = schema ?? {};
  while (s.$ref && depth++ < 20) s = components[String(s.$ref).split('/').pop()!] ?? {};
  return s;
}

/** An arbitrary value meant to satisfy `schema` (loosely: patterns are approximated). */
function valid(schema: Schema | undefined, ctx: { components: Record<string, Schema>; ids: string[] }, name = '', depth = 0): fc.Arbitrary<unknown> {
  const s = deref(schema, ctx.components);
  if (depth > 5) return fc.constant(null);
  if (s.const !== undefined) return fc.constant(s.const);
  if (Array.isArray(s.enum) && s.enum.length > 0) return fc.constantFrom(...s.enum);
  const union = s.anyOf ?? s.oneOf;
  if (Array.isArray(union) && union.length > 0) return fc.oneof(...union.map((u: Schema) => valid(u, ctx, name, depth + 1)));
  if (Array.isArray(s.allOf) && s.allOf.length > 0) return valid(s.allOf[0], ctx, name, depth + 1);
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') ?? 'null' : s.type;
  const idLike = /(^|_)ids?$/.test(name);
  switch (type) {
    case 'string': {
      const options: fc.Arbitrary<unknown>[] = [];
      if (idLike && ctx.ids.length > 0) options.push(fc.constantFrom(...ctx.ids));
      if (s.example !== undefined) options.push(fc.constant(s.example));
      if (Array.isArray(s.examples) && s.examples.length > 0) options.push(fc.constantFrom(...s.examples));
      if (s.format === 'date' || /_at$/.test(name)) options.push(fc.integer({ min: -5, max: 40 }).map((d) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10)));
      if (s.format === 'date-time') options.push(fc.constant(new Date(Date.now() + 3_600_000).toISOString()));
      if (s.format === 'email' || name === 'email') options.push(fc.emailAddress());
      if (s.format === 'uri' || name === 'url') options.push(fc.constantFrom('https://example.com/hook', 'http://localhost:9/x', 'https://127.0.0.1/x'));
      if (s.pattern && /\[A-Za-z0-9\]|\[A-Z0-9\]/i.test(s.pattern)) options.push(fc.stringMatching(/^[A-Z0-9]{3,12}$/));
      options.push(fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 24, 24) }));
      return fc.oneof(...options);
    }
    case 'integer':
      return fc.integer({ min: Math.max(s.minimum ?? -10, -1_000_000), max: Math.min(s.maximum ?? 1000, 1_000_000_000) });
    case 'number':
      return fc.double({ min: s.minimum ?? -10, max: s.maximum ?? 1000, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(valid(s.items, ctx, name, depth + 1), { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 3, 3) });
    case 'object':
    default: {
      const props: Record<string, Schema> = s.properties ?? {};
      const keys = Object.keys(props);
      if (keys.length === 0) return type === 'object' ? fc.constant({}) : anyJson;
      const required = new Set<string>(s.required ?? []);
      const shape: Record<string, fc.Arbitrary<unknown>> = {};
      for (const k of keys) shape[k] = valid(props[k], ctx, k, depth + 1);
      return fc.record(shape, { requiredKeys: keys.filter((k) => required.has(k)) });
    }
  }
}

/** Mutations of a valid-ish value: a field dropped, retyped, nulled, made huge, or an unknown one added. */
function mutate(value: unknown): fc.Arbitrary<unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fc.oneof(anyJson, anyString);
  const keys = Object.keys(value);
  const bad = fc.oneof(anyJson, anyString, fc.constant(null), fc.constant({}), fc.constant([]), fc.double(), fc.constant(-1), fc.constant(1e21));
  const options: fc.Arbitrary<unknown>[] = [fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), bad).map(([k, v]) => ({ ...value, [`x_${k}`]: v }))];
  if (keys.length > 0) {
    options.push(fc.constantFrom(...keys).map((k) => Object.fromEntries(Object.entries(value).filter(([key]) => key !== k))));
    options.push(fc.tuple(fc.constantFrom(...keys), bad).map(([k, v]) => ({ ...value, [k]: v })));
    options.push(fc.tuple(fc.constantFrom(...keys), fc.constantFrom(...keys)).map(([k, j]) => ({ ...value, [k]: (value as Record<string, unknown>)[j] === undefined ? null : { nested: (value as Record<string, unknown>)[j] } })));
  }
  return fc.oneof(...options);
}

interface Sample {
  path: string;
  query: [string, string][];
  body: { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'text'; text: string; type: string };
  userToken: 'none' | 'valid' | 'garbage';
}

/** A path segment: percent-encoded, or (for text that cannot be encoded) a broken escape as is. */
function encodePathSegment(value: string): string {
  if (value.startsWith('%raw:')) return value.slice(5);
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80'; // a lone surrogate, percent-encoded: not UTF-8
  }
}

function requests(path: string, op: Operation, ctx: { components: Record<string, Schema>; ids: string[] }): fc.Arbitrary<Sample> {
  const pathParam = fc.oneof(
    { weight: 4, arbitrary: ctx.ids.length > 0 ? fc.constantFrom(...ctx.ids) : fc.constant('x') },
    { weight: 2, arbitrary: fc.constantFrom('prod_doesnotexist0', 'plan_0', 'job_x', 'sub_doesnotexist', 'x', '%raw:%', '%raw:%zz', '%raw:%ED%A0%80', '%raw:%2F..%2F', '%raw:a%00b') },
    { weight: 2, arbitrary: anyString.filter((s) => s.length < 3000) },
  );
  const params = (op.parameters ?? []).filter((p) => typeof p.name === 'string' && (p.in === 'query' || p.in === 'path'));
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const filledPath = fc
    .tuple(...pathParams.map(() => pathParam))
    .map((values) => pathParams.reduce((acc, p, i) => acc.replace(`{${p.name}}`, encodePathSegment(String(values[i]))), path));
  const query = fc
    .tuple(...queryParams.map((p) => fc.option(fc.oneof(valid(p.schema, ctx, p.name!).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))), anyString), { nil: undefined })))
    .map((values) => queryParams.flatMap((p, i) => (values[i] === undefined ? [] : [[p.name!, String(values[i])] as [string, string]])));
  const content = op.requestBody?.content ?? {};
  const jsonSchema = content['application/json']?.schema;
  const bodies: fc.Arbitrary<Sample['body']>[] = [fc.constant({ kind: 'none' as const })];
  if (jsonSchema) {
    const good = valid(jsonSchema, ctx);
    bodies.push(good.map((value) => ({ kind: 'json' as const, value })));
    bodies.push(good.chain(mutate).map((value) => ({ kind: 'json' as const, value })));
  }
  if (content['text/csv']) {
    const csv = fc.oneof(
      fc.constantFrom('user_id,email\nu1,a@example.com\n', 'email\nx\n', 'user_id\n"unterminated\n', '\uFEFFuser_id\r\nu\u00e9\r\n'),
      fc.array(fc.array(anyString.filter((s) => s.length < 200), { maxLength: 3 }), { maxLength: 5 }).map((rows) => ['user_id,email', ...rows.map((r) => r.join(','))].join('\n')),
    );
    bodies.push(csv.map((text) => ({ kind: 'text' as const, text, type: 'text/csv' })));
  }
  bodies.push(anyJson.map((value) => ({ kind: 'json' as const, value })));
  bodies.push(
    fc.tuple(fc.oneof(anyString, fc.constantFrom('{', '{"a":', '[1,2', '\u0000\u0001')), fc.constantFrom('application/json', 'text/plain', 'text/csv', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x')).map(([text, type]) => ({ kind: 'text' as const, text, type })),
  );
  return fc.record({
    path: filledPath,
    query,
    body: fc.oneof(...bodies),
    userToken: fc.constantFrom('none' as const, 'valid' as const, 'garbage' as const),
  });
}

async function send(method: string, sample: Sample, auth: Record<string, string>) {
  const headers: Record<string, string> = { ...auth };
  let body: string | undefined;
  if (sample.body.kind === 'json') {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(sample.body.value) ?? 'null';
  } else if (sample.body.kind === 'text') {
    headers['Content-Type'] = sample.body.type;
    body = sample.body.text;
  }
  if (method === 'GET' || method === 'HEAD') body = undefined;
  const qs = sample.query.length > 0 ? `?${new URLSearchParams(sample.query)}` : '';
  const res = await SELF.fetch(`${BASE}${sample.path}${qs}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('Content-Type') ?? '', text };
}

async function seed(tenant: TestTenant): Promise<string[]> {
  const { product, plans } = await createCatalog(tenant, { durations: ['1m', '1y'] });
  return [tenant.id, product.id, plans['1m'].id, plans['1y'].id];
}

describe('fuzzing every operation of /openapi.json', async () => {
  const doc = (await call('GET', '/openapi.json')).json;
  const components: Record<string, Schema> = doc.components?.schemas ?? {};
  const operations: [string, string, Operation][] = [];
  for (const [path, item] of Object.entries<Record<string, Operation>>(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) if (['get', 'post', 'put', 'patch', 'delete'].includes(method)) operations.push([method.toUpperCase(), path, op]);
  }

  it('finds the operations to fuzz in the document', () => {
    expect(operations.length).toBeGreaterThan(20);
    expect(operations.map(([m, p]) => `${m} ${p}`)).toEqual(expect.arrayContaining(['POST /v1/quotes', 'POST /admin/v1/offers', 'PUT /admin/v1/offers/{id}/eligible-users']));
  });

  it.each(operations.map(([method, path, op]) => [`${method} ${path}`, method, path, op] as const))(
    '%s: no 5xx, and every 4xx is problem+json with a code',
    async (_label, method, path, op) => {
      const tenant = await createTenant({ allowed_origins: ['https://news.example'] });
      const ids = await seed(tenant);
      const token = await userToken(tenant, { sub: 'fuzz-user', email: 'fuzz@example.com', email_verified: true });
      const schemes = new Set((op.security ?? []).flatMap((s) => Object.keys(s)));
      await fc.assert(
        fc.asyncProperty(requests(path, op, { components, ids }), async (sample) => {
          const auth: Record<string, string> = {};
          if (schemes.has('platformKey')) auth.Authorization = `Bearer ${PLATFORM_KEY}`;
          else if (schemes.has('secretKey')) auth.Authorization = `Bearer ${tenant.secret_key}`;
          else if (schemes.has('publishableKey')) auth.Authorization = `Bearer ${tenant.publishable_key}`;
          if (schemes.has('userToken') && sample.userToken !== 'none') auth['X-User-Token'] = sample.userToken === 'valid' ? token : 'e30.e30.garbage';
          const res = await send(method, sample, auth);
          const what = `${method} ${sample.path} -> ${res.status} ${res.text.slice(0, 300)}`;
          expect(res.status, what).toBeLessThan(500);
          if (res.status >= 400) {
            expect(res.type, what).toMatch(/^application\/problem\+json/);
            const problem = JSON.parse(res.text) as { code?: unknown; status?: unknown };
            expect(typeof problem.code, what).toBe('string');
            expect(problem.status, what).toBe(res.status);
          }
        }),
        { numRuns: RUNS_PER_OPERATION, endOnFailure: true },
      );
    },
  );
});
