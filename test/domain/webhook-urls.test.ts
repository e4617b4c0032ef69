import { describe, expect, it } from 'vitest';
import { checkResolvedAddresses, checkUrlShape, checkWebhookUrl, classifyAddress, dohResolver, type Resolve } from '../../worker/domain/webhook-urls';

const noDns: Resolve = async (host) => {
  throw new Error(`no DNS for ${host} in this test`);
};
const table =
  (records: Record<string, string[]>): Resolve =>
  async (host) =>
    records[host] ?? [];

describe('classifyAddress', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['93.184.216.34', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.169.254', 'link_local'],
    ['fe80::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'link_local'],
    ['64:ff9b::a00:1', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['0.0.0.0', 'other_special'],
    ['::', 'other_special'],
    ['255.255.255.255', 'other_special'],
    ['224.0.0.1', 'other_special'],
    ['ff02::1', 'other_special'],
    ['192.0.2.1', 'other_special'],
    ['2001:db8::1', 'other_special'],
    ['2002:7f00:1::1', 'other_special'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'other_special'],
    ['127.1', 'other_special'],
  ])('%s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it('never calls a deprecated IPv4-compatible form (::a.b.c.d) public', () => {
    expect(classifyAddress('::127.0.0.1')).not.toBe('public');
    expect(classifyAddress('::10.0.0.1')).not.toBe('public');
  });

  it('answers null for a name', () => {
    expect(classifyAddress('example.com')).toBeNull();
  });
});

describe('checkUrlShape', () => {
  it('allows https URLs with a name or a public literal', () => {
    expect(checkUrlShape('https://hooks.example.com/offer-checkout', 'production')).toMatchObject({ kind: 'needs_resolution', host: 'hooks.example.com' });
    expect(checkUrlShape('https://8.8.8.8:8443/x', 'production')).toMatchObject({ kind: 'literal', address: '8.8.8.8' });
    expect(checkUrlShape('https://[2606:4700:4700::1111]/x', 'production')).toMatchObject({ kind: 'literal', address: '2606:4700:4700::1111' });
  });

  it.each([
    'https://127.0.0.1/x',
    'https://0x7f.0.0.1/x',
    'https://2130706433/x',
    'https://0177.0.0.1/x',
    'https://127.1/x',
    'https://[::1]/x',
    'https://[::ffff:127.0.0.1]/x',
    'https://10.0.0.8/x',
    'https://169.254.169.254/latest/meta-data',
    'https://[fe80::1]/x',
    'https://[fd00::1]/x',
    'https://100.100.100.100/x',
    'https://0.0.0.0/x',
    'https://localhost/x',
    'https://api.localhost/x',
  ])('refuses %s as a non-public target', (url) => {
    expect(checkUrlShape(url, 'production')).toMatchObject({ kind: 'refused', reason: 'private_address' });
  });

  it('refuses other schemes, credentials and junk', () => {
    expect(checkUrlShape('http://hooks.example.com/x', 'production')).toMatchObject({ kind: 'refused', reason: 'scheme_not_allowed' });
    expect(checkUrlShape('ftp://hooks.example.com/x', 'production')).toMatchObject({ kind: 'refused', reason: 'scheme_not_allowed' });
    expect(checkUrlShape('https://user:pw@hooks.example.com/x', 'production')).toMatchObject({ kind: 'refused', reason: 'credentials_not_allowed' });
    expect(checkUrlShape('not a url', 'production')).toMatchObject({ kind: 'refused', reason: 'invalid_url' });
    expect(checkUrlShape(`https://example.com/${'a'.repeat(2100)}`, 'production')).toMatchObject({ kind: 'refused', reason: 'invalid_url' });
    expect(checkUrlShape('https://intranet/x', 'production')).toMatchObject({ kind: 'refused', reason: 'invalid_url' });
  });

  it('allows http://localhost and http://127.0.0.1 only in local environments', () => {
    for (const env of ['development', 'test']) {
      expect(checkUrlShape('http://localhost:8787/hooks', env).kind).toBe('local_exception');
      expect(checkUrlShape('http://127.0.0.1:9999/hooks', env).kind).toBe('local_exception');
      // the exception is for those two hosts only
      expect(checkUrlShape('http://10.0.0.1/hooks', env)).toMatchObject({ kind: 'refused', reason: 'scheme_not_allowed' });
      expect(checkUrlShape('https://10.0.0.1/hooks', env)).toMatchObject({ kind: 'refused', reason: 'private_address' });
      expect(checkUrlShape('http://[::1]:9999/hooks', env)).toMatchObject({ kind: 'refused' });
      // and for http:// only: https:// to loopback is refused like anywhere else
      expect(checkUrlShape('https://localhost/hooks', env)).toMatchObject({ kind: 'refused', reason: 'private_address' });
      expect(checkUrlShape('https://127.0.0.1/hooks', env)).toMatchObject({ kind: 'refused', reason: 'private_address' });
      expect(checkUrlShape('https://2130706433/hooks', env)).toMatchObject({ kind: 'refused', reason: 'private_address' });
    }
    for (const env of ['production', 'staging', undefined]) {
      expect(checkUrlShape('http://localhost:8787/hooks', env)).toMatchObject({ kind: 'refused', reason: 'scheme_not_allowed' });
      expect(checkUrlShape('http://127.0.0.1:9999/hooks', env)).toMatchObject({ kind: 'refused', reason: 'scheme_not_allowed' });
      expect(checkUrlShape('https://localhost/hooks', env)).toMatchObject({ kind: 'refused', reason: 'private_address' });
    }
  });
});

describe('checkWebhookUrl with a resolver', () => {
  const resolve = table({
    'hooks.example.com': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
    'internal.example.com': ['10.0.0.5'],
    'mixed.example.com': ['93.184.216.34', '127.0.0.1'],
    'metadata.example.com': ['169.254.169.254'],
    'v6local.example.com': ['fd00::5'],
    'mapped.example.com': ['::ffff:192.168.0.1'],
  });

  it('allows a name whose every address is public', async () => {
    expect(await checkWebhookUrl('https://hooks.example.com/x', { environment: 'production', resolve })).toMatchObject({
      kind: 'allowed',
      addresses: ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
    });
  });

  it.each(['internal.example.com', 'mixed.example.com', 'metadata.example.com', 'v6local.example.com', 'mapped.example.com'])(
    'refuses %s, which resolves to a non-public address',
    async (host) => {
      expect(await checkWebhookUrl(`https://${host}/x`, { environment: 'production', resolve })).toMatchObject({ kind: 'refused', reason: 'private_address' });
    },
  );

  it('refuses a name that does not resolve or whose lookup fails', async () => {
    expect(await checkWebhookUrl('https://nowhere.example.com/x', { environment: 'production', resolve })).toMatchObject({ kind: 'refused', reason: 'unresolvable' });
    expect(await checkWebhookUrl('https://hooks.example.com/x', { environment: 'production', resolve: noDns })).toMatchObject({ kind: 'refused', reason: 'unresolvable' });
    // At create and update an unreachable resolver defers the check to each delivery; an answer never does.
    expect(await checkWebhookUrl('https://hooks.example.com/x', { environment: 'production', resolve: noDns, onResolverFailure: 'defer' })).toMatchObject({ kind: 'allowed' });
    expect(await checkWebhookUrl('https://nowhere.example.com/x', { environment: 'production', resolve, onResolverFailure: 'defer' })).toMatchObject({ kind: 'refused', reason: 'unresolvable' });
  });

  it('never asks the resolver about literals', async () => {
    expect(await checkWebhookUrl('https://8.8.8.8/x', { environment: 'production', resolve: noDns })).toMatchObject({ kind: 'allowed' });
    expect(await checkWebhookUrl('http://127.0.0.1:4000/x', { environment: 'development', resolve: noDns })).toMatchObject({ kind: 'allowed' });
  });

  it('checkResolvedAddresses refuses junk answers', () => {
    expect(checkResolvedAddresses('x.example.com', ['not-an-ip'])).toMatchObject({ kind: 'refused', reason: 'unresolvable' });
  });
});

describe('dohResolver', () => {
  it('asks for A and AAAA with accept: application/dns-json and keeps only address answers', async () => {
    const asked: Array<{ url: string; accept: string | null }> = [];
    const fakeFetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input));
      asked.push({ url: url.href, accept: new Headers(init?.headers).get('accept') });
      const type = url.searchParams.get('type');
      const answers =
        type === 'A'
          ? [
              { type: 5, data: 'alias.example.net.' },
              { type: 1, data: '10.0.0.9' },
            ]
          : [{ type: 28, data: '2606:4700::1' }];
      return new Response(JSON.stringify({ Status: 0, Answer: answers }), { headers: { 'content-type': 'application/dns-json' } });
    }) as typeof fetch;
    const resolve = dohResolver('https://resolver.example/dns-query', fakeFetch);
    expect((await resolve('hooks.example.com')).sort()).toEqual(['10.0.0.9', '2606:4700::1']);
    expect(asked).toHaveLength(2);
    expect(asked.every((a) => a.accept === 'application/dns-json')).toBe(true);
    expect(asked.map((a) => new URL(a.url).searchParams.get('name'))).toEqual(['hooks.example.com', 'hooks.example.com']);
  });

  it('throws on a failed lookup and answers [] for NXDOMAIN', async () => {
    const servfail = (async () => new Response(JSON.stringify({ Status: 2 }))) as unknown as typeof fetch;
    await expect(dohResolver('https://r.example/dns-query', servfail)('x.example.com')).rejects.toThrow(/status 2/);
    const nx = (async () => new Response(JSON.stringify({ Status: 3 }))) as unknown as typeof fetch;
    expect(await dohResolver('https://r.example/dns-query', nx)('x.example.com')).toEqual([]);
    const down = (async () => new Response('no', { status: 503 })) as unknown as typeof fetch;
    await expect(dohResolver('https://r.example/dns-query', down)('x.example.com')).rejects.toThrow(/503/);
  });
});
