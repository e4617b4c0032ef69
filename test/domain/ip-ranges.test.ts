import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  cidrPrefix,
  findConflict,
  formatAddress,
  fromBytes,
  isBroad,
  labelOf,
  lookup,
  parseAddress,
  parseRange,
  specialBlockOf,
  toBytes,
  toHex,
  validateRangeList,
  type IpRange,
  type OwnedRange,
} from '../../worker/domain/ip-ranges';

const MAPPED = 0xffffn << 32n;
const v4 = (s: string) => parseAddress(s)!.value;
const ok = (s: string): IpRange => {
  const r = parseRange(s);
  if (r.kind !== 'ok') throw new Error(`${s}: ${r.reason}`);
  return r.range;
};
const invalid = (s: unknown) => {
  const r = parseRange(s);
  expect(r.kind, String(s)).toBe('invalid');
  return r.kind === 'invalid' ? r.reason : '';
};

describe('parseRange', () => {
  it('parses CIDR, start-end and single addresses in both families', () => {
    expect(ok('198.51.100.0/24')).toMatchObject({ family: 'ipv4', start: v4('198.51.100.0'), end: v4('198.51.100.255'), label: '198.51.100.0/24' });
    expect(ok(' 8.8.8.8 ')).toMatchObject({ start: v4('8.8.8.8'), end: v4('8.8.8.8'), label: '8.8.8.8/32' });
    expect(ok('8.8.8.0-8.8.9.255').label).toBe('8.8.8.0/23');
    expect(ok('8.8.8.1-8.8.8.7').label).toBe('8.8.8.1-8.8.8.7');
    const v6 = ok('2001:DB8:0:0::/48');
    expect(v6).toMatchObject({ family: 'ipv6', label: '2001:db8::/48' });
    expect(v6.end - v6.start + 1n).toBe(1n << 80n);
    expect(ok('2606:4700::1-2606:4700::ff').label).toBe('2606:4700::1-2606:4700::ff');
    expect(ok('0.0.0.0/0')).toMatchObject({ start: MAPPED, end: MAPPED | 0xffffffffn });
  });

  it('reads IPv4-mapped IPv6 as IPv4', () => {
    expect(parseAddress('::ffff:1.2.3.4')).toEqual({ family: 'ipv4', value: v4('1.2.3.4') });
    expect(parseAddress('::ffff:102:304')).toEqual({ family: 'ipv4', value: v4('1.2.3.4') });
    expect(ok('::ffff:1.2.3.0/120')).toMatchObject({ family: 'ipv4', label: '1.2.3.0/24' });
    expect(ok('::ffff:1.2.3.4').label).toBe('1.2.3.4/32');
  });

  it('refuses malformed ranges with a reason', () => {
    for (const bad of [
      '300.1.2.3/24',
      '10.0.0.5-10.0.0.1',
      '1.2.3.4/33',
      '2001:db8::/129',
      'garbage',
      '',
      '   ',
      '1.2.3',
      '1.2.3.4.5',
      '01.2.3.4',
      '1.2.3.04',
      '0x7f.0.0.1',
      '127.1',
      '1.2.3.0/24/8',
      '1.2.3.0/-1',
      '1.2.3.0/ 24',
      '1.2.3.0/',
      '/24',
      '1.2.3.4-',
      '1.2.3.4-2001:db8::1',
      'fe80::1%eth0',
      '2001:db8:::1',
      '::ffff:01.2.3.4',
      '1.2.3.4-5-6',
      'x'.repeat(200),
    ]) {
      invalid(bad);
    }
    invalid(42);
    invalid(null);
    expect(invalid('10.0.0.5-10.0.0.1')).toMatch(/start is after end/);
  });

  it('refuses a CIDR with host bits set, suggesting both readings', () => {
    expect(invalid('198.51.100.7/24')).toMatch(/198\.51\.100\.0\/24.*198\.51\.100\.7\/32/);
    expect(invalid('2001:db8::1/64')).toMatch(/2001:db8::\/64/);
    expect(ok('198.51.100.7/32').label).toBe('198.51.100.7/32');
  });

  it('round-trips random IPv4 CIDRs through their label', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), (addr, prefix) => {
        const hostBits = 32 - prefix;
        const network = hostBits === 32 ? 0 : (addr >>> hostBits) * 2 ** hostBits;
        const text = `${formatAddress(MAPPED | BigInt(network), 'ipv4')}/${prefix}`;
        const r = ok(text);
        expect(r.start).toBe(MAPPED | BigInt(network));
        expect(r.end - r.start + 1n).toBe(1n << BigInt(hostBits));
        expect(r.label).toBe(text);
        expect(cidrPrefix(r.start, r.end, 'ipv4')).toBe(prefix);
      }),
    );
  });

  it('round-trips random start-end ranges (both families) through their label', () => {
    const u128 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
    const v4addr = fc.bigInt({ min: 0n, max: 0xffffffffn }).map((n) => MAPPED | n);
    for (const [family, gen] of [
      ['ipv6', u128.filter((n) => n >> 32n !== 0xffffn)],
      ['ipv4', v4addr],
    ] as const) {
      fc.assert(
        fc.property(gen, gen, (a, b) => {
          const [s, e] = a <= b ? [a, b] : [b, a];
          const text = `${formatAddress(s, family)}-${formatAddress(e, family)}`;
          const r = parseRange(text);
          // A v6 range may cross into the mapped block only if both ends are v6 outside it.
          if (r.kind !== 'ok') return;
          expect(r.range.start).toBe(s);
          expect(r.range.end).toBe(e);
          const again = ok(r.range.label);
          expect([again.start, again.end]).toEqual([s, e]);
        }),
      );
    }
  });

  it('stores 16 big-endian bytes that sort like the addresses', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (a, b) => {
        const x = toBytes(a);
        const y = toBytes(b);
        expect(x.length).toBe(16);
        expect(fromBytes(x)).toBe(a);
        expect(toHex(a)).toHaveLength(32);
        let cmp = 0;
        for (let i = 0; i < 16 && cmp === 0; i++) cmp = x[i]! - y[i]!;
        expect(Math.sign(cmp)).toBe(a < b ? -1 : a > b ? 1 : 0);
      }),
    );
    expect(Array.from(toBytes(v4('1.2.3.4')))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 1, 2, 3, 4]);
  });
});

describe('special and broad ranges', () => {
  it('finds private, loopback, link-local, multicast and reserved blocks in either family', () => {
    for (const s of ['10.1.2.0/24', '192.168.0.1', '172.31.255.255', '127.0.0.1', '169.254.1.1', '100.64.0.0/16', '224.0.0.1', '240.0.0.0/8', '255.255.255.255', '0.0.0.0', '::1', '::', 'fe80::/64', 'fc00::/8', 'fd12:3456::1', 'ff02::1', '::2', '4000::/16', '9.255.255.0-10.0.0.0']) {
      expect(specialBlockOf(ok(s)), s).not.toBeNull();
    }
    for (const s of ['8.8.8.0/24', '1.1.1.1', '203.0.113.0/24', '198.51.100.0/24', '2606:4700::/32', '2001:db8::/32', '11.0.0.0/16']) {
      expect(specialBlockOf(ok(s)), s).toBeNull();
    }
  });

  it('flags ranges broader than /16 (IPv4) or /32 (IPv6)', () => {
    expect(isBroad(ok('8.8.0.0/16'))).toBe(false);
    expect(isBroad(ok('8.8.0.0/15'))).toBe(true);
    expect(isBroad(ok('8.8.0.0-8.9.0.0'))).toBe(true);
    expect(isBroad(ok('2606:4700::/32'))).toBe(false);
    expect(isBroad(ok('2606:4700::/31'))).toBe(true);
  });

  it('validates a list: every bad entry named by index, broad ones only when confirmed', () => {
    const r = validateRangeList(['8.8.8.0/24', '300.1.2.3/24', '10.0.0.0/8', '9.0.0.0/12', '8.8.8.128/25', '8.8.8.0/24'], { confirmBroad: false });
    expect(r.kind).toBe('rejected');
    if (r.kind !== 'rejected') return;
    expect(r.errors.map((e) => [e.index, e.code])).toEqual([
      [1, 'invalid_ip_range'],
      [3, 'ip_range_too_broad'],
      [4, 'ip_range_overlap'],
    ]);
    const confirmed = validateRangeList(['9.0.0.0/12', '8.8.8.0/24', '8.8.8.0/24', '8.8.9.0/24'], { confirmBroad: true });
    expect(confirmed).toMatchObject({ kind: 'ok', broad: ['9.0.0.0/12'], warnings: [] });
    if (confirmed.kind === 'ok') expect(confirmed.ranges.map((x) => x.label)).toEqual(['8.8.8.0/24', '8.8.9.0/24', '9.0.0.0/12']);
  });

  it('accepts non-public ranges with a warning each; one wholly inside such a block is never too broad', () => {
    const r = validateRangeList(['10.0.0.0/8', '8.8.8.0/24', '127.0.0.1', 'fc00::/7', '9.255.255.0-10.0.0.255'], { confirmBroad: false });
    expect(r.kind, JSON.stringify(r)).toBe('rejected'); // the last overlaps 10.0.0.0/8
    const ok = validateRangeList(['10.0.0.0/8', '8.8.8.0/24', '127.0.0.1', 'fc00::/7', '9.255.255.0/24'], { confirmBroad: false });
    expect(ok.kind).toBe('ok');
    if (ok.kind !== 'ok') return;
    expect(ok.warnings.map((w) => [w.index, w.code])).toEqual([
      [0, 'ip_range_not_public'],
      [2, 'ip_range_not_public'],
      [3, 'ip_range_not_public'],
    ]);
    expect(ok.warnings[0]!.message).toContain('private');
    // A public range of the same breadth still needs the confirmation; one straddling a private block too.
    expect(validateRangeList(['11.0.0.0/8'], { confirmBroad: false })).toMatchObject({ kind: 'rejected', errors: [{ code: 'ip_range_too_broad' }] });
    expect(validateRangeList(['9.0.0.0-10.255.255.255'], { confirmBroad: false })).toMatchObject({ kind: 'rejected', errors: [{ code: 'ip_range_too_broad' }] });
  });
});

// ---------------------------------------------------------------------------------------------
// Lookup and overlap against a brute-force reference over every address of a small space
// ---------------------------------------------------------------------------------------------

/** Random non-overlapping ranges inside [base, base + span), each with an owner. */
function rangesIn(base: bigint, span: number) {
  return fc
    .array(fc.record({ at: fc.integer({ min: 0, max: span - 1 }), len: fc.integer({ min: 1, max: 12 }), owner: fc.constantFrom('a', 'b', 'c') }), {
      maxLength: 20,
    })
    .map((specs) => {
      const taken: OwnedRange[] = [];
      for (const s of specs) {
        const start = base + BigInt(s.at);
        const end = base + BigInt(Math.min(span - 1, s.at + s.len - 1));
        if (taken.some((t) => start <= t.end && t.start <= end)) continue;
        taken.push({ start, end, owner: s.owner, label: `${start}-${end}` });
      }
      return taken.sort((x, y) => (x.start < y.start ? -1 : 1));
    });
}

const SPAN = 96;
const bases: [string, bigint][] = [
  ['ipv4', v4('198.51.100.0')],
  ['ipv4 top', v4('255.255.255.255') - BigInt(SPAN - 1)],
  ['ipv6', ok('2606:4700::/32').start + 0xabcdefn],
  ['ipv6 top', (1n << 128n) - BigInt(SPAN)],
];

describe.each(bases)('lookup and overlap (%s)', (_name, base) => {
  it('lookup finds exactly the range that holds each address', () => {
    fc.assert(
      fc.property(rangesIn(base, SPAN), (ranges) => {
        for (let i = -2; i < SPAN + 2; i++) {
          const addr = base + BigInt(i);
          if (addr < 0n || addr >= 1n << 128n) continue;
          const expected = ranges.find((r) => r.start <= addr && addr <= r.end) ?? null;
          expect(lookup(ranges, addr)).toBe(expected);
        }
      }),
    );
  });

  it('findConflict reports an overlap exactly when some address is shared with another owner', () => {
    fc.assert(
      fc.property(rangesIn(base, SPAN), fc.integer({ min: 0, max: SPAN - 1 }), fc.integer({ min: 0, max: SPAN - 1 }), fc.constantFrom('a', 'b', 'z'), (ranges, x, y, owner) => {
        const candidate = { start: base + BigInt(Math.min(x, y)), end: base + BigInt(Math.max(x, y)) };
        const conflict = findConflict(ranges, candidate, owner);
        let shared = false;
        for (let a = candidate.start; a <= candidate.end && !shared; a++) {
          shared = ranges.some((r) => r.owner !== owner && r.start <= a && a <= r.end);
        }
        expect(conflict !== null).toBe(shared);
        if (conflict) expect(conflict.owner).not.toBe(owner);
      }),
    );
  });

  it('labels describe exactly the addresses of the range', () => {
    const family = _name.startsWith('ipv4') ? 'ipv4' : 'ipv6';
    fc.assert(
      fc.property(fc.integer({ min: 0, max: SPAN - 1 }), fc.integer({ min: 0, max: SPAN - 1 }), (x, y) => {
        const start = base + BigInt(Math.min(x, y));
        const end = base + BigInt(Math.max(x, y));
        const r = ok(labelOf(start, end, family));
        expect([r.start, r.end, r.family]).toEqual([start, end, family]);
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// One address, one answer (issue 13): every spelling of an address parses to the same value and
// family and gets the same lookup answer.
// ---------------------------------------------------------------------------------------------

/** One spelling of a 128-bit value: any zero run compressed (or none), padding, case, dotted tail. */
const spellingOf = (value: bigint) =>
  fc
    .record({
      pad: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 8, maxLength: 8 }),
      upper: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
      dotted: fc.boolean(),
      compress: fc.nat(),
    })
    .map(({ pad, upper, dotted, compress }) => {
      const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt((7 - i) * 16)) & 0xffffn));
      const text = groups.map((g, i) => {
        const hex = g.toString(16).padStart(Math.min(4, g.toString(16).length + pad[i]!), '0');
        return upper[i] ? hex.toUpperCase() : hex;
      });
      let tail: string[] = [];
      let head = text;
      if (dotted) {
        const low = Number(value & 0xffffffffn);
        tail = [[low >>> 24, (low >>> 16) & 255, (low >>> 8) & 255, low & 255].join('.')];
        head = text.slice(0, 6);
      }
      // Runs of zero groups in the hex part that `::` may stand for.
      const runs: [number, number][] = [];
      for (let i = 0; i < head.length; i++) {
        if (groups[i] !== 0) continue;
        for (let j = i; j < head.length && groups[j] === 0; j++) runs.push([i, j + 1]);
      }
      const choice = compress % (runs.length + 1);
      if (choice === runs.length) return [...head, ...tail].join(':');
      const [from, to] = runs[choice]!;
      return `${head.slice(0, from).join(':')}::${[...head.slice(to), ...tail].join(':')}`;
    });

const interesting128 = fc.oneof(
  fc.bigInt({ min: 0n, max: 0xffffffffn }).map((v) => MAPPED | v), // IPv4-mapped
  fc.bigInt({ min: 0n, max: 0xffffffffn }), // IPv4-compatible (deprecated) and ::/96
  fc.constantFrom(0xcb007105n, MAPPED | 0xcb007105n, 0n, 1n),
  fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 }).map((gs) => gs.reduce((n, g) => (n << 16n) | BigInt(g), 0n)),
  fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
);

describe('one address, one answer', () => {
  const groupRanges = [ok('203.0.113.0/24'), ok('2001:db8::/32'), ok('::cb00:7100-::cb00:71ff')].sort((a, b) => (a.start < b.start ? -1 : 1));

  it('the three spellings of ::203.0.113.5 are one IPv6 address, outside 203.0.113.0/24', () => {
    const spellings = ['::203.0.113.5', '0:0:0:0:0:0:203.0.113.5', '::cb00:7105', '::CB00:7105', '0::cb00:7105'];
    const parsed = spellings.map((s) => parseAddress(s));
    for (const p of parsed) expect(p).toEqual({ family: 'ipv6', value: 0xcb007105n });
    const v4range = ok('203.0.113.0/24');
    for (const p of parsed) expect(p!.value >= v4range.start && p!.value <= v4range.end).toBe(false);
    // The IPv4-mapped spellings are the IPv4 address, inside it.
    for (const s of ['::ffff:203.0.113.5', '::FFFF:cb00:7105', '0:0:0:0:0:ffff:203.0.113.5', '0:0:0:0:0:ffff:cb00:7105', '203.0.113.5']) {
      expect(parseAddress(s), s).toEqual({ family: 'ipv4', value: v4('203.0.113.5') });
    }
  });

  it('refuses malformed IPv6 text', () => {
    for (const bad of [':', ':::', '1::2::3', ':1::', '1::2:', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', 'g::1', '::1.2.3', '::1.2.3.4.5', '1.2.3.4::', '::01.2.3.4', '1:2:3:4:5:6:7::8', '[::1]', '::1%1']) {
      expect(parseAddress(bad), bad).toBeNull();
    }
  });

  it('property: every spelling parses to the same value and family, and gets the same lookup answer', () => {
    fc.assert(
      fc.property(
        interesting128.chain((value) => fc.tuple(fc.constant(value), fc.array(spellingOf(value), { minLength: 2, maxLength: 5 }))),
        ([value, spellings]) => {
          const family = value >> 32n === 0xffffn ? 'ipv4' : 'ipv6';
          const answers = new Set<string>();
          for (const s of spellings) {
            const parsed = parseAddress(s);
            expect(parsed, s).toEqual({ family, value });
            answers.add(lookup(groupRanges, parsed!.value)?.label ?? 'none');
          }
          if (family === 'ipv4') {
            const dotted = formatAddress(value, 'ipv4');
            expect(parseAddress(dotted)).toEqual({ family, value });
            answers.add(lookup(groupRanges, parseAddress(dotted)!.value)?.label ?? 'none');
          }
          expect(answers.size).toBe(1);
          // The canonical text reads back to the same address.
          expect(parseAddress(formatAddress(value, family))).toEqual({ family, value });
        },
      ),
      { numRuns: 2000 },
    );
  });
});
