import { isIP } from 'node:net';

/** What an IP address is, for deciding whether an outbound request may go there. */
export type AddressCategory =
  | 'public'
  | 'private'
  | 'loopback'
  | 'link-local'
  | 'cgnat'
  | 'multicast'
  | 'unspecified'
  | 'unique-local'
  | 'reserved'
  | 'metadata';

/** Cloud metadata endpoints that are not already covered by a refused range (or must stay refused when private ranges are allowed). */
const METADATA_V4 = new Set(['169.254.169.254', '169.254.170.2', '169.254.169.253', '100.100.100.200', '168.63.129.16']);
const METADATA_V6 = new Set(['fd00:ec2:0:0:0:0:0:254']);

type V4Rule = readonly [network: number, prefix: number, category: AddressCategory];

const V4_RULES: readonly V4Rule[] = [
  [v4('0.0.0.0'), 8, 'unspecified'],
  [v4('10.0.0.0'), 8, 'private'],
  [v4('100.64.0.0'), 10, 'cgnat'],
  [v4('127.0.0.0'), 8, 'loopback'],
  [v4('169.254.0.0'), 16, 'link-local'],
  [v4('172.16.0.0'), 12, 'private'],
  [v4('192.0.0.0'), 24, 'reserved'],
  [v4('192.0.2.0'), 24, 'reserved'],
  [v4('192.88.99.0'), 24, 'reserved'],
  [v4('192.168.0.0'), 16, 'private'],
  [v4('198.18.0.0'), 15, 'reserved'],
  [v4('198.51.100.0'), 24, 'reserved'],
  [v4('203.0.113.0'), 24, 'reserved'],
  [v4('224.0.0.0'), 4, 'multicast'],
  [v4('240.0.0.0'), 4, 'reserved'],
];

function v4(address: string): number {
  const parts = address.split('.').map(Number);
  return (((parts[0] ?? 0) << 24) | ((parts[1] ?? 0) << 16) | ((parts[2] ?? 0) << 8) | (parts[3] ?? 0)) >>> 0;
}

function inV4(value: number, network: number, prefix: number): boolean {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return (value & mask) >>> 0 === (network & mask) >>> 0;
}

function classifyV4(address: string): AddressCategory {
  if (METADATA_V4.has(address)) return 'metadata';
  const value = v4(address);
  for (const [network, prefix, category] of V4_RULES) {
    if (inV4(value, network, prefix)) return category;
  }
  return 'public';
}

/** Parses an IPv6 literal (with `::` and an optional dotted IPv4 tail) into eight 16-bit groups. */
export function parseIpv6(address: string): number[] | null {
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const lastColon = text.lastIndexOf(':');
  const maybeV4 = text.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    // Rewrite a dotted IPv4 tail as two hex groups: ::ffff:1.2.3.4 -> ::ffff:102:304.
    if (isIP(maybeV4) !== 4) return null;
    const n = v4(maybeV4);
    text = `${text.slice(0, lastColon + 1)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string | undefined): number[] =>
    part === undefined || part === '' ? [] : part.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? Number.parseInt(g, 16) : NaN));
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  const explicit = head.length + rest.length;
  if (halves.length === 1 && explicit !== 8) return null;
  if (explicit > 8) return null;
  if (halves.length === 2 && explicit === 8) return null;
  const groups = [...head, ...new Array<number>(8 - explicit).fill(0), ...rest];
  if (groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) return null;
  return groups;
}

function embeddedV4(hi: number, lo: number): string {
  return `${hi >>> 8}.${hi & 0xff}.${lo >>> 8}.${lo & 0xff}`;
}

function classifyV6(address: string): AddressCategory {
  const g = parseIpv6(address);
  if (!g) return 'reserved';
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  if (METADATA_V6.has(g.map((x) => x.toString(16)).join(':'))) return 'metadata';
  const firstFiveZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (firstFiveZero && g5 === 0 && g6 === 0 && g7 === 0) return 'unspecified';
  if (firstFiveZero && g5 === 0 && g6 === 0 && g7 === 1) return 'loopback';
  // ::ffff:a.b.c.d (IPv4-mapped) and 64:ff9b::a.b.c.d (NAT64): judged by the IPv4 address inside.
  if (firstFiveZero && g5 === 0xffff) return classifyV4(embeddedV4(g6, g7));
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return classifyV4(embeddedV4(g6, g7));
  // 64:ff9b:1::/48 (local-use NAT64, RFC 8215): the IPv4 address sits in the last 32 bits here too.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return localNat64(g);
  // ::ffff:0:a.b.c.d (SIIT, IPv4-translated, RFC 2765).
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0xffff && g5 === 0) return classifyV4(embeddedV4(g6, g7));
  // Teredo (2001:0::/32): the client's IPv4 address is the last 32 bits inverted, the server's is in groups 2-3.
  if (g0 === 0x2001 && g1 === 0) {
    const client = classifyV4(embeddedV4(~g6 & 0xffff, ~g7 & 0xffff));
    const server = classifyV4(embeddedV4(g2, g3));
    return strictest(client, server);
  }
  // 6to4 (2002:AABB:CCDD::/48) carries an IPv4 address too.
  if (g0 === 0x2002) {
    const inner = classifyV4(embeddedV4(g1, g2));
    if (inner !== 'public') return inner;
  }
  if (firstFiveZero && g5 === 0) return 'reserved'; // deprecated IPv4-compatible ::a.b.c.d
  if ((g0 & 0xfe00) === 0xfc00) return 'unique-local';
  if ((g0 & 0xffc0) === 0xfe80) return 'link-local';
  if ((g0 & 0xffc0) === 0xfec0) return 'private'; // deprecated site-local
  if ((g0 & 0xff00) === 0xff00) return 'multicast';
  if (g0 === 0x2001 && g1 === 0x0db8) return 'reserved'; // documentation
  if (g0 === 0x0100 && g1 === 0 && g2 === 0 && g3 === 0) return 'reserved'; // discard-only
  return 'public';
}

/**
 * 64:ff9b:1::/48 (local-use NAT64, RFC 8215): the operator picks a prefix of 48 to 96 bits inside it, and the
 * IPv4 address sits where RFC 6052 puts it for that length. Every candidate position is judged; the least public wins.
 */
function localNat64(groups: number[]): AddressCategory {
  const b = groups.flatMap((g) => [g >>> 8, g & 0xff]);
  const at = (...idx: number[]) => idx.map((i) => b[i] ?? 0).join('.');
  const candidates = [at(6, 7, 9, 10), at(7, 9, 10, 11), at(9, 10, 11, 12), at(12, 13, 14, 15)];
  // The positions a layout leaves unused are zero: a candidate in 0.0.0.0/8 is no address (unless every one is).
  const used = candidates.filter((c) => !c.startsWith('0.'));
  return used.length === 0 ? 'unspecified' : used.map(classifyV4).reduce(strictest, 'public');
}

/** The less public of two categories (anything not public wins). */
function strictest(a: AddressCategory, b: AddressCategory): AddressCategory {
  return a !== 'public' ? a : b;
}

/** Classifies an IP literal (v4 or v6, without brackets). Anything that is not an IP is `reserved` (refused). */
export function classifyAddress(address: string): AddressCategory {
  const family = isIP(address);
  if (family === 4) return classifyV4(address);
  if (family === 6) return classifyV6(address);
  return 'reserved';
}
