import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { classifyAddress, type AddressCategory } from './ip-ranges.js';
import { HostResolutionError, UnsafeUrlError } from './net-errors.js';

/** One resolved address of a host. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses (injectable for tests; defaults to `dns.lookup` with `all: true`). */
export type HostLookup = (hostname: string) => Promise<ResolvedAddress[]>;

export interface UrlGuardOptions {
  /** Allow private, loopback, link-local, CGNAT, unique-local... addresses (tests, on-premise receivers). Metadata and unspecified addresses stay refused. */
  allowPrivate?: boolean;
  lookup?: HostLookup;
}

/** A URL that passed the guard, with the address the request must connect to (pin it: no second DNS lookup). */
export interface VettedUrl {
  url: URL;
  /** Host name without IPv6 brackets. */
  hostname: string;
  /** The address to connect to: the first of `addresses`. */
  address: string;
  family: 4 | 6;
  /** Every address the host resolved to; all of them passed. */
  addresses: ResolvedAddress[];
}

/** Refused even when `allowPrivate` is set: never a legitimate destination for a webhook or a media file. */
const ALWAYS_REFUSED: ReadonlySet<AddressCategory> = new Set(['metadata', 'unspecified']);

export const defaultHostLookup: HostLookup = async (hostname) => {
  const found = await dnsLookup(hostname, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/** Whether an outbound request may go to this address. */
export function isAddressAllowed(address: string, allowPrivate = false): boolean {
  const category = classifyAddress(address);
  if (category === 'public') return true;
  return allowPrivate && !ALWAYS_REFUSED.has(category);
}

/** Parses and checks the URL's shape only (scheme, credentials); no DNS. Usable for validating input at the HTTP boundary. */
export function parseOutboundUrl(raw: string | URL): URL {
  let url: URL;
  try {
    url = typeof raw === 'string' ? new URL(raw) : new URL(raw.href);
  } catch {
    throw new UnsafeUrlError('URL_INVALID', 'not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UnsafeUrlError('URL_SCHEME_NOT_ALLOWED', `scheme ${url.protocol.replace(/:$/, '')} is not allowed (http or https only)`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new UnsafeUrlError('URL_CREDENTIALS_NOT_ALLOWED', 'credentials in the URL are not allowed');
  }
  if (url.hostname === '') throw new UnsafeUrlError('URL_INVALID', 'the URL has no host');
  return url;
}

/**
 * Checks an outbound URL: http/https only, no credentials, and every address its host resolves to must be public
 * (unless `allowPrivate`). Returns the address to pin the connection to, so the request cannot be rebound by DNS
 * to another address between this check and the connect.
 */
export async function vetUrl(raw: string | URL, options: UrlGuardOptions = {}): Promise<VettedUrl> {
  const url = parseOutboundUrl(raw);
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const allowPrivate = options.allowPrivate ?? false;

  // `localhost.` is `localhost` as an absolute name: judge names without their trailing dots. RFC 6761 reserves
  // localhost and *.localhost for loopback whatever DNS says (and a resolver may not answer for them at all).
  const bare = hostname.replace(/\.+$/, '').toLowerCase();
  if (!allowPrivate && (bare === 'localhost' || bare.endsWith('.localhost'))) {
    throw new UnsafeUrlError('URL_NOT_ALLOWED', `${hostname} is a loopback name, which is not allowed`, {
      hostname,
      category: 'loopback',
    });
  }

  let addresses: ResolvedAddress[];
  const literal = isIP(hostname);
  if (literal !== 0) {
    addresses = [{ address: hostname, family: literal === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await (options.lookup ?? defaultHostLookup)(hostname);
    } catch (err) {
      throw new HostResolutionError(hostname, { cause: err });
    }
    if (addresses.length === 0) throw new HostResolutionError(hostname);
  }

  for (const { address } of addresses) {
    if (!isAddressAllowed(address, allowPrivate)) {
      const category = classifyAddress(address);
      throw new UnsafeUrlError('URL_NOT_ALLOWED', `${hostname} resolves to a ${category} address, which is not allowed`, {
        hostname,
        address,
        category,
      });
    }
  }
  const first = addresses[0] as ResolvedAddress;
  return { url, hostname, address: first.address, family: first.family, addresses };
}
