/**
 * IP ranges of group access: parse, normalise, classify, detect overlaps and look up.
 *
 * Every address is a 128-bit unsigned integer (a `bigint` here, 16 big-endian bytes in D1):
 * IPv6 as is, IPv4 as its IPv4-mapped IPv6 address (`::ffff:a.b.c.d`). Both families thus live
 * in one ordered space, sort as blobs in SQLite, and a lookup is a range query.
 *
 * Pure: no hono, no drizzle. IPv4 only in four-part decimal without leading zeros; IPv6 in its
 * RFC 4291 text forms (parseIPv6), no zone ids. Every spelling of one address gives one value
 * and one family (`::ffff:a.b.c.d` is IPv4; `::a.b.c.d` is IPv6; docs/security.md).
 *
 * Why one file over 400 lines: parsing, the special-purpose tables, overlap and lookup share
 * the one 128-bit representation and are tested together (test/domain/ip-ranges.test.ts).
 */
import ipaddr from 'ipaddr.js';

export type Family = 'ipv4' | 'ipv6';

export interface IpRange {
  family: Family;
  /** First address, as a 128-bit integer (IPv4 mapped into ::ffff:0:0/96). */
  start: bigint;
  /** Last address, inclusive. */
  end: bigint;
  /** Canonical text: a CIDR when the range is exactly one block, else `start-end`. */
  label: string;
}

export type ParseResult = { kind: 'ok'; range: IpRange } | { kind: 'invalid'; reason: string };

export const MAX_INPUT_LENGTH = 100;
const MAPPED_BASE = 0xffffn << 32n; // ::ffff:0:0
const V4_MAX = 0xffffffffn;
const U128_MAX = (1n << 128n) - 1n;

/** IPv4 prefixes shorter than /16 and IPv6 prefixes shorter than /32 are "broad". */
export const BROAD_V4_ADDRESSES = 1n << 16n;
export const BROAD_V6_ADDRESSES = 1n << 96n;

// ---------------------------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------------------------

const V4_STRICT = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function bytesToBigint(bytes: number[]): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

const HEX_GROUP = /^[0-9a-f]{1,4}$/i;

/**
 * Strict RFC 4291 text form of an IPv6 address to its 128-bit value, or null: eight groups of
 * one to four hex digits, at most one `::` standing for one or more zero groups, and optionally
 * a strict dotted quad as the last 32 bits. No zone ids, no brackets, no prefix.
 *
 * Written here rather than taken from ipaddr.js, whose parser reads `::a.b.c.d` (the deprecated
 * IPv4-compatible form) as `::ffff:a.b.c.d`: one address must have one value however it is
 * spelled, and `::203.0.113.5` is the same address as `0:0:0:0:0:0:203.0.113.5` and `::cb00:7105`.
 */
export function parseIPv6(text: string): bigint | null {
  if (text.length === 0 || text.length > 45) return null;
  let groups: number[] = [];
  const toGroups = (part: string, allowDotted: boolean): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (allowDotted && i === pieces.length - 1 && piece.includes('.')) {
        if (!V4_STRICT.test(piece)) return null;
        const [a, b, c, d] = piece.split('.').map(Number) as [number, number, number, number];
        out.push((a << 8) | b, (c << 8) | d);
        continue;
      }
      if (!HEX_GROUP.test(piece)) return null;
      out.push(parseInt(piece, 16));
    }
    return out;
  };
  const halves = text.split('::');
  if (halves.length > 2) return null;
  if (halves.length === 2) {
    const head = toGroups(halves[0]!, false);
    const tail = toGroups(halves[1]!, true);
    if (!head || !tail || head.length + tail.length > 7) return null;
    groups = [...head, ...Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const all = toGroups(text, true);
    if (!all || all.length !== 8) return null;
    groups = all;
  }
  let n = 0n;
  for (const g of groups) n = (n << 16n) | BigInt(g);
  return n;
}

/**
 * Parses one address to its 128-bit value, or null. One address, one answer, whatever its
 * spelling (docs/security.md): IPv4 dotted quads and IPv4-mapped IPv6 (`::ffff:a.b.c.d` in any
 * spelling, `::ffff:cb00:7105` included) are IPv4; every other IPv6 address is IPv6, including
 * the deprecated IPv4-compatible `::a.b.c.d`, which is `::cb00:7105` and matches no IPv4 range.
 */
export function parseAddress(text: string): { family: Family; value: bigint } | null {
  const s = text.trim();
  if (s.length === 0 || s.length > 64) return null;
  if (V4_STRICT.test(s)) {
    return { family: 'ipv4', value: MAPPED_BASE | bytesToBigint(ipaddr.IPv4.parse(s).toByteArray()) };
  }
  if (!s.includes(':')) return null;
  const value = parseIPv6(s);
  if (value === null) return null;
  if (value >> 32n === 0xffffn) return { family: 'ipv4', value };
  return { family: 'ipv6', value };
}

/** 16 big-endian bytes of a 128-bit value: the stored form. */
export function toBytes(value: bigint): Uint8Array {
  const out = new Uint8Array(16);
  let v = value;
  for (let i = 15; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function fromBytes(bytes: ArrayLike<number>): bigint {
  let n = 0n;
  for (let i = 0; i < bytes.length; i++) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

/** 32 lower-case hex digits of a 128-bit value (SQLite `unhex()` turns it into the blob). */
export function toHex(value: bigint): string {
  return value.toString(16).padStart(32, '0');
}

export function formatAddress(value: bigint, family: Family): string {
  if (family === 'ipv4') {
    const v = Number(value & V4_MAX);
    return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
  }
  const parts: number[] = [];
  for (let i = 7; i >= 0; i--) parts.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  return new ipaddr.IPv6(parts).toRFC5952String();
}

// ---------------------------------------------------------------------------------------------
// Ranges
// ---------------------------------------------------------------------------------------------

const bits = (family: Family) => (family === 'ipv4' ? 32 : 128);

/** The prefix length when [start, end] is exactly one CIDR block of the family, else null. */
export function cidrPrefix(start: bigint, end: bigint, family: Family): number | null {
  const size = end - start + 1n;
  if (size <= 0n || (size & (size - 1n)) !== 0n) return null; // not a power of two
  if ((start & (size - 1n)) !== 0n) return null; // not aligned
  const hostBits = size.toString(2).length - 1;
  const prefix = bits(family) - hostBits;
  return prefix >= 0 ? prefix : null;
}

export function labelOf(start: bigint, end: bigint, family: Family): string {
  const prefix = cidrPrefix(start, end, family);
  if (prefix !== null) return `${formatAddress(start, family)}/${prefix}`;
  return `${formatAddress(start, family)}-${formatAddress(end, family)}`;
}

function make(start: bigint, end: bigint, family: Family): ParseResult {
  return { kind: 'ok', range: { family, start, end, label: labelOf(start, end, family) } };
}

/**
 * Parses `a.b.c.d/nn`, `x:y::/nn`, `start-end` or a single address. Refuses garbage, reversed
 * ranges, mixed families and a CIDR with host bits set (`10.0.0.5/24` is ambiguous: the
 * network or the host?). `::ffff:a.b.c.d` forms are IPv4.
 */
export function parseRange(input: unknown): ParseResult {
  if (typeof input !== 'string') return { kind: 'invalid', reason: 'must be a string' };
  const text = input.trim();
  if (text.length === 0) return { kind: 'invalid', reason: 'must not be empty' };
  if (text.length > MAX_INPUT_LENGTH) return { kind: 'invalid', reason: 'is too long' };

  if (text.includes('/')) {
    const slash = text.indexOf('/');
    const addrText = text.slice(0, slash);
    const prefixText = text.slice(slash + 1);
    const addr = parseAddress(addrText);
    if (!addr) return { kind: 'invalid', reason: `"${addrText}" is not an IP address` };
    if (!/^\d{1,3}$/.test(prefixText)) return { kind: 'invalid', reason: `"/${prefixText}" is not a prefix length` };
    let prefix = Number(prefixText);
    // An IPv4-mapped IPv6 CIDR (`::ffff:1.2.3.0/120`) is read as the IPv4 block it maps.
    const writtenAsV6 = addrText.includes(':');
    if (addr.family === 'ipv4' && writtenAsV6) {
      if (prefix < 96 || prefix > 128) return { kind: 'invalid', reason: 'an IPv4-mapped prefix must be between /96 and /128' };
      prefix -= 96;
    }
    const max = bits(addr.family);
    if (prefix > max) return { kind: 'invalid', reason: `prefix /${prefixText} is longer than ${max} bits` };
    const hostMask = (1n << BigInt(max - prefix)) - 1n;
    if ((addr.value & hostMask) !== 0n) {
      const network = addr.value & ~hostMask;
      return {
        kind: 'invalid',
        reason: `host bits are set: did you mean ${formatAddress(network, addr.family)}/${prefix} (the network) or ${formatAddress(addr.value, addr.family)}/${max} (one address)?`,
      };
    }
    return make(addr.value, addr.value | hostMask, addr.family);
  }

  const dash = text.indexOf('-');
  if (dash >= 0) {
    const a = parseAddress(text.slice(0, dash));
    const b = parseAddress(text.slice(dash + 1));
    if (!a) return { kind: 'invalid', reason: `"${text.slice(0, dash).trim()}" is not an IP address` };
    if (!b) return { kind: 'invalid', reason: `"${text.slice(dash + 1).trim()}" is not an IP address` };
    if (a.family !== b.family) return { kind: 'invalid', reason: 'start and end must be of the same family (IPv4 or IPv6)' };
    if (a.value > b.value) return { kind: 'invalid', reason: 'start is after end' };
    return make(a.value, b.value, a.family);
  }

  const addr = parseAddress(text);
  if (!addr) return { kind: 'invalid', reason: `"${text}" is not an IP address, a CIDR block or a start-end range` };
  return make(addr.value, addr.value, addr.family);
}

export const rangeSize = (r: Pick<IpRange, 'start' | 'end'>): bigint => r.end - r.start + 1n;

/** Broad: more addresses than an IPv4 /16 or an IPv6 /32. */
export function isBroad(r: IpRange): boolean {
  return rangeSize(r) > (r.family === 'ipv4' ? BROAD_V4_ADDRESSES : BROAD_V6_ADDRESSES);
}

// ---------------------------------------------------------------------------------------------
// Special-purpose blocks: not a client IP on the internet, so a group gets a warning for them
// ---------------------------------------------------------------------------------------------

export interface SpecialBlock {
  start: bigint;
  end: bigint;
  family: Family;
  label: string;
  what: string;
}

function block(cidr: string, what: string): SpecialBlock {
  const parsed = parseRange(cidr);
  if (parsed.kind !== 'ok') throw new Error(`bad special block ${cidr}`);
  return { ...parsed.range, what };
}

/**
 * Blocks that no client on the internet comes from (private, loopback, link-local, CGNAT,
 * multicast, reserved). A group may hold them (a local run sees loopback clients; private
 * networks reach Cloudflare through its tunnels), with a warning. Documentation ranges
 * (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) are not listed: they are what
 * examples and test setups use.
 */
export const SPECIAL_BLOCKS: readonly SpecialBlock[] = [
  block('0.0.0.0/8', 'the "this network" block (reserved)'),
  block('10.0.0.0/8', 'a private range (RFC 1918)'),
  block('100.64.0.0/10', 'carrier-grade NAT shared space (private, RFC 6598)'),
  block('127.0.0.0/8', 'loopback'),
  block('169.254.0.0/16', 'link-local'),
  block('172.16.0.0/12', 'a private range (RFC 1918)'),
  block('192.0.0.0/24', 'IETF protocol assignments (reserved)'),
  block('192.168.0.0/16', 'a private range (RFC 1918)'),
  block('198.18.0.0/15', 'benchmarking (reserved)'),
  block('224.0.0.0/4', 'multicast'),
  block('240.0.0.0/4', 'reserved (including broadcast)'),
  block('::/127', 'unspecified or loopback'),
  block('::2-::ffff:ffff', 'reserved (IPv4-compatible and unassigned)'),
  block('::1:0:0:0-1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'reserved (not global unicast)'),
  block('2001:2::/48', 'benchmarking (reserved)'),
  block('4000::-fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'reserved (not global unicast)'),
  block('fc00::/7', 'a private range (unique local)'),
  block('fe80::/10', 'link-local'),
  block('fec0::/10', 'site-local (deprecated, reserved)'),
  block('ff00::/8', 'multicast'),
].sort((a, b) => (a.start < b.start ? -1 : 1));

/** Whether the range lies wholly inside one special block (it can grant no internet client anything). */
export const insideSpecialBlock = (r: Pick<IpRange, 'start' | 'end'>): boolean => SPECIAL_BLOCKS.some((b) => b.start <= r.start && r.end <= b.end);

/** The first special block the range touches, or null when the range is all public. */
export function specialBlockOf(r: Pick<IpRange, 'start' | 'end'>): SpecialBlock | null {
  for (const b of SPECIAL_BLOCKS) if (b.start <= r.end && r.start <= b.end) return b;
  return null;
}

// ---------------------------------------------------------------------------------------------
// A group's list of ranges: validate as a whole
// ---------------------------------------------------------------------------------------------

export interface EntryError {
  index: number;
  input: string;
  code: 'invalid_ip_range' | 'ip_range_too_broad' | 'ip_range_overlap';
  message: string;
}

/** An accepted entry that touches a special-purpose block: no client on the internet has such an address. */
export interface EntryWarning {
  index: number;
  input: string;
  code: 'ip_range_not_public';
  message: string;
}

export type RangeListDecision =
  | { kind: 'ok'; ranges: IpRange[]; broad: string[]; warnings: EntryWarning[] }
  | { kind: 'rejected'; errors: EntryError[] };

/**
 * Validates the ranges of one group: each parses, broad ones only when confirmed (a range
 * wholly inside a special-purpose block is never "broad": it grants no internet client
 * anything), and no two of them overlap (exact duplicates are merged silently). An entry that
 * touches a special-purpose block is accepted with a warning. The result is sorted by start.
 */
export function validateRangeList(inputs: readonly unknown[], opts: { confirmBroad: boolean }): RangeListDecision {
  const errors: EntryError[] = [];
  const warnings: EntryWarning[] = [];
  const parsed: { range: IpRange; index: number; input: string }[] = [];
  inputs.forEach((raw, index) => {
    const input = typeof raw === 'string' ? raw : JSON.stringify(raw) ?? String(raw);
    const result = parseRange(raw);
    if (result.kind === 'invalid') {
      errors.push({ index, input, code: 'invalid_ip_range', message: `"${input}": ${result.reason}` });
      return;
    }
    const special = specialBlockOf(result.range);
    if (special) {
      warnings.push({
        index,
        input,
        code: 'ip_range_not_public',
        message: `"${input}" includes ${special.label}, ${special.what}: no client on the internet has such an address, so it matches only requests from a private network or a local run`,
      });
    }
    if (isBroad(result.range) && !opts.confirmBroad && !insideSpecialBlock(result.range)) {
      const limit = result.range.family === 'ipv4' ? '/16' : '/32';
      errors.push({
        index,
        input,
        code: 'ip_range_too_broad',
        message: `"${input}" is broader than ${limit}: send confirm_broad_ranges: true if this is intended`,
      });
      return;
    }
    parsed.push({ range: result.range, index, input });
  });
  parsed.sort((a, b) => (a.range.start < b.range.start ? -1 : a.range.start > b.range.start ? 1 : a.index - b.index));
  const ranges: IpRange[] = [];
  let last: (typeof parsed)[number] | null = null;
  for (const p of parsed) {
    if (last && p.range.start <= last.range.end) {
      if (p.range.start === last.range.start && p.range.end === last.range.end) continue; // duplicate
      errors.push({
        index: p.index,
        input: p.input,
        code: 'ip_range_overlap',
        message: `"${p.input}" overlaps "${last.input}" of the same list`,
      });
      continue;
    }
    ranges.push(p.range);
    last = p;
  }
  if (errors.length > 0) return { kind: 'rejected', errors: errors.sort((a, b) => a.index - b.index) };
  return { kind: 'ok', ranges, broad: ranges.filter(isBroad).map((r) => r.label), warnings };
}

// ---------------------------------------------------------------------------------------------
// Overlap and lookup over sorted, non-overlapping ranges
// ---------------------------------------------------------------------------------------------

export interface OwnedRange {
  start: bigint;
  end: bigint;
  owner: string;
  label: string;
}

export const overlaps = (a: { start: bigint; end: bigint }, b: { start: bigint; end: bigint }): boolean =>
  a.start <= b.end && b.start <= a.end;

/** Index of the last range whose start is <= value, or -1 (ranges sorted by start). */
function floorIndex(sorted: readonly { start: bigint }[], value: bigint): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]!.start <= value) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * The range containing `value` in a list sorted by start whose ranges do not overlap: the last
 * range starting at or before the value is the only candidate (binary search, O(log n)).
 */
export function lookup<T extends { start: bigint; end: bigint }>(sorted: readonly T[], value: bigint): T | null {
  const i = floorIndex(sorted, value);
  if (i < 0) return null;
  const candidate = sorted[i]!;
  return candidate.end >= value ? candidate : null;
}

/**
 * The first range of `existing` (sorted by start, non-overlapping, any owner but `owner`) that
 * a candidate overlaps: the predecessor of its start, or one starting inside it.
 */
export function findConflict(existing: readonly OwnedRange[], candidate: { start: bigint; end: bigint }, owner: string): OwnedRange | null {
  const others = existing.filter((r) => r.owner !== owner);
  // The last range starting at or before the candidate's end is the only one that can reach
  // back into it: every earlier one ends before that one starts.
  const i = floorIndex(others, candidate.end);
  if (i < 0) return null;
  const r = others[i]!;
  return r.end >= candidate.start ? r : null;
}

/** Parses the client IP (`CF-Connecting-IP`) to its 128-bit value; null when absent or bad. */
export function clientAddress(header: string | null | undefined): { family: Family; value: bigint } | null {
  if (!header) return null;
  return parseAddress(header);
}
