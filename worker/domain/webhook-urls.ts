/**
 * SSRF rules for webhook endpoint URLs (docs/webhooks.md). Pure: no I/O of its own; host names
 * are resolved by an injected `Resolve` function (DNS over HTTPS in the worker, a fake in tests).
 *
 * A URL is allowed when it is `https://`, carries no credentials, and its host is a public
 * unicast address or a name whose every A/AAAA record is one. Refused: private (10/8,
 * 172.16/12, 192.168/16), loopback, link-local, CGNAT (100.64/10), unspecified, broadcast,
 * multicast, reserved and documentation ranges; IPv6 loopback, link-local, unique-local (fc00::/7),
 * site-local, and any IPv6 form that embeds an IPv4 address (IPv4-mapped, IPv4-translated,
 * NAT64, 6to4, Teredo) unless the embedded IPv4 address is public. The URL parser (WHATWG)
 * already normalises the odd IPv4 spellings (`0x7f.1`, `2130706433`, `0177.0.0.1`) to dotted
 * quads, so they are checked as the address they mean.
 *
 * The one exception: `http://localhost` and `http://127.0.0.1` (any port; `http://` only)
 * while the worker runs locally (`ENVIRONMENT` `development`, or `test` under vitest).
 */
import ipaddr from 'ipaddr.js';

/** Resolves a host name to its A and AAAA addresses (empty when it has none). */
export type Resolve = (hostname: string) => Promise<string[]>;

export type UrlRefusal =
  | 'invalid_url'
  | 'scheme_not_allowed'
  | 'credentials_not_allowed'
  | 'private_address'
  | 'unresolvable';

export type UrlDecision =
  | { kind: 'allowed'; url: string; host: string; addresses: string[] }
  | { kind: 'refused'; reason: UrlRefusal; message: string };

/** Environments that run only on a developer's machine or in tests. */
export function isLocalEnvironment(environment: string | undefined): boolean {
  return environment === 'development' || environment === 'test';
}

const MAX_URL_LENGTH = 2048;

export type AddressClass = 'public' | 'loopback' | 'private' | 'link_local' | 'other_special';

/** Classifies one literal IPv4 or IPv6 address (`null` when it is not an address). */
export function classifyAddress(address: string): AddressClass | null {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  // Zone ids (fe80::1%eth0) are never public.
  if (bare.includes('%')) return 'link_local';
  if (!ipaddr.isValid(bare)) return null;
  // Strict dotted quads only for IPv4 literals here (ipaddr.js also accepts `127.1`).
  if (ipaddr.IPv4.isValid(bare) && !ipaddr.IPv4.isValidFourPartDecimal(bare)) return 'other_special';
  return classifyParsed(ipaddr.parse(bare));
}

function classifyParsed(ip: ipaddr.IPv4 | ipaddr.IPv6): AddressClass {
  if (ip.kind() === 'ipv4') {
    const range: string = (ip as ipaddr.IPv4).range();
    switch (range) {
      case 'unicast':
        return 'public';
      case 'loopback':
        return 'loopback';
      case 'private':
      case 'carrierGradeNat':
        return 'private';
      case 'linkLocal':
        return 'link_local';
      default:
        return 'other_special';
    }
  }
  const v6 = ip as ipaddr.IPv6;
  const range: string = v6.range();
  switch (range) {
    case 'unicast':
      return 'public';
    case 'loopback':
      return 'loopback';
    case 'uniqueLocal':
    case 'deprecatedSiteLocal':
      return 'private';
    case 'linkLocal':
      return 'link_local';
    case 'ipv4Mapped':
    case 'rfc6145':
    case 'rfc6052': {
      const parts = v6.parts;
      const embedded = new ipaddr.IPv4([parts[6]! >> 8, parts[6]! & 0xff, parts[7]! >> 8, parts[7]! & 0xff]);
      const inner = classifyParsed(embedded);
      // A NAT64 / mapped form of a public address is as public as the address; anything else is refused.
      return inner;
    }
    default:
      // 6to4, Teredo, unspecified, multicast, reserved, documentation, IPv4-compatible…
      return 'other_special';
  }
}

const CLASS_MESSAGE: Record<Exclude<AddressClass, 'public'>, string> = {
  loopback: 'a loopback address',
  private: 'a private address',
  link_local: 'a link-local address',
  other_special: 'a special-purpose (non-public) address',
};

/** The checks that need no DNS: the URL's shape, its scheme and a literal IP host. */
export type UrlShape =
  | { kind: 'refused'; reason: UrlRefusal; message: string }
  | { kind: 'local_exception'; url: string; host: string }
  | { kind: 'literal'; url: string; host: string; address: string }
  | { kind: 'needs_resolution'; url: string; host: string };

export function checkUrlShape(raw: string, environment: string | undefined): UrlShape {
  if (raw.length > MAX_URL_LENGTH) return { kind: 'refused', reason: 'invalid_url', message: `must be at most ${MAX_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { kind: 'refused', reason: 'invalid_url', message: 'must be an absolute URL such as https://example.com/webhooks' };
  }
  if (url.username || url.password) {
    return { kind: 'refused', reason: 'credentials_not_allowed', message: 'must not carry a user name or password' };
  }
  const host = url.hostname.toLowerCase();
  const local = isLocalEnvironment(environment) && (host === 'localhost' || host === '127.0.0.1');
  // Exactly the SPEC's exception: http://localhost and http://127.0.0.1 (any port, any path).
  // An https:// URL to either is judged like any other, so it is refused as loopback.
  if (local && url.protocol === 'http:') return { kind: 'local_exception', url: url.href, host };
  if (url.protocol !== 'https:') {
    const hint = host === 'localhost' || host === '127.0.0.1' ? ' (http://localhost is allowed only while ENVIRONMENT is development)' : '';
    return { kind: 'refused', reason: 'scheme_not_allowed', message: `must be an https:// URL${hint}` };
  }
  if (!host) return { kind: 'refused', reason: 'invalid_url', message: 'must name a host' };
  const literal = classifyAddress(host);
  if (literal !== null) {
    if (literal !== 'public') return { kind: 'refused', reason: 'private_address', message: `must not point to ${CLASS_MESSAGE[literal]}` };
    return { kind: 'literal', url: url.href, host, address: host.replace(/^\[|\]$/g, '') };
  }
  if (host === 'localhost' || host.endsWith('.localhost')) {
    return { kind: 'refused', reason: 'private_address', message: `must not point to ${CLASS_MESSAGE.loopback}` };
  }
  if (!host.includes('.')) return { kind: 'refused', reason: 'invalid_url', message: 'must name a fully qualified host' };
  return { kind: 'needs_resolution', url: url.href, host };
}

/** Every address a name resolves to must be public (a single private record refuses it). */
export function checkResolvedAddresses(host: string, addresses: string[]): { kind: 'ok' } | { kind: 'refused'; reason: UrlRefusal; message: string } {
  if (addresses.length === 0) return { kind: 'refused', reason: 'unresolvable', message: `host ${host} does not resolve to any address` };
  for (const address of addresses) {
    const cls = classifyAddress(address);
    if (cls === null) return { kind: 'refused', reason: 'unresolvable', message: `host ${host} resolved to something that is not an address` };
    if (cls !== 'public') return { kind: 'refused', reason: 'private_address', message: `must not resolve to ${CLASS_MESSAGE[cls]} (${host} → ${address})` };
  }
  return { kind: 'ok' };
}

/** The whole rule: shape, then (for a name) resolution. Used at create/update and before every delivery. */
export async function checkWebhookUrl(
  raw: string,
  opts: {
    environment: string | undefined;
    resolve: Resolve;
    /**
     * When the resolver itself cannot be reached (not when it answers): `refuse` (the delivery
     * check, so nothing is ever sent to an unchecked address) or `defer` (create and update: the
     * endpoint is saved and its name is checked before every delivery attempt instead, so a
     * resolver outage, or a machine without one, does not refuse a publisher's public URL).
     */
    onResolverFailure?: 'refuse' | 'defer';
  },
): Promise<UrlDecision> {
  const shape = checkUrlShape(raw, opts.environment);
  switch (shape.kind) {
    case 'refused':
      return shape;
    case 'local_exception':
      return { kind: 'allowed', url: shape.url, host: shape.host, addresses: [] };
    case 'literal':
      return { kind: 'allowed', url: shape.url, host: shape.host, addresses: [shape.address] };
    case 'needs_resolution': {
      let addresses: string[];
      try {
        addresses = await opts.resolve(shape.host);
      } catch (err) {
        if (opts.onResolverFailure === 'defer') return { kind: 'allowed', url: shape.url, host: shape.host, addresses: [] };
        return { kind: 'refused', reason: 'unresolvable', message: `host ${shape.host} could not be resolved (${err instanceof Error ? err.message : String(err)})` };
      }
      const checked = checkResolvedAddresses(shape.host, addresses);
      return checked.kind === 'ok' ? { kind: 'allowed', url: shape.url, host: shape.host, addresses } : checked;
    }
  }
}

/**
 * A DNS-over-HTTPS resolver (JSON API, `accept: application/dns-json`): A and AAAA answers of
 * `hostname`. `endpoint` is the resolver's query URL; `fetchFn` does the HTTP (injected so the
 * rule stays pure). A failed lookup throws; NXDOMAIN resolves to no addresses.
 */
export function dohResolver(endpoint: string, fetchFn: typeof fetch, timeoutMs = 5000): Resolve {
  return async (hostname) => {
    const lookups = await Promise.all(
      (['A', 'AAAA'] as const).map(async (type) => {
        const url = new URL(endpoint);
        url.searchParams.set('name', hostname);
        url.searchParams.set('type', type);
        const res = await fetchFn(url.href, { headers: { accept: 'application/dns-json' }, signal: AbortSignal.timeout(timeoutMs) });
        if (!res.ok) throw new Error(`resolver answered ${res.status}`);
        const body = (await res.json()) as { Status?: number; Answer?: Array<{ type?: number; data?: string }> };
        // 0 NOERROR, 3 NXDOMAIN: both are answers; anything else (SERVFAIL…) is a failed lookup.
        if (body.Status !== undefined && body.Status !== 0 && body.Status !== 3) throw new Error(`resolver status ${body.Status}`);
        const wanted = type === 'A' ? 1 : 28;
        return (body.Answer ?? []).filter((a) => a.type === wanted && typeof a.data === 'string').map((a) => a.data!);
      }),
    );
    return lookups.flat();
  };
}
