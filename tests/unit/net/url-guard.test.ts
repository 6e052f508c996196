import { classifyAddress, parseIpv6 } from '../../../src/net/ip-ranges.js';
import { HostResolutionError, UnsafeUrlError } from '../../../src/net/net-errors.js';
import { isAddressAllowed, parseOutboundUrl, vetUrl, type HostLookup } from '../../../src/net/url-guard.js';

const fixedLookup =
  (...addresses: string[]): HostLookup =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? (6 as const) : (4 as const) }));

async function refusal(promise: Promise<unknown>): Promise<UnsafeUrlError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UnsafeUrlError);
  return err as UnsafeUrlError;
}

describe('classifyAddress', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['169.254.10.10', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['100.128.0.1', 'public'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fd00:ec2::254', 'metadata'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['2606:4700:4700::1111', 'public'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['2002:c0a8:0101::1', 'private'],
    ['not-an-ip', 'reserved'],
  ])('%s is %s', (address, category) => {
    expect(classifyAddress(address)).toBe(category);
  });

  it('parses IPv6 forms into eight groups', () => {
    expect(parseIpv6('::')).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIpv6('1::8')).toEqual([1, 0, 0, 0, 0, 0, 0, 8]);
    expect(parseIpv6('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
    expect(parseIpv6('1:2:3:4:5:6:7:8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(parseIpv6('1:2:3')).toBeNull();
    expect(parseIpv6('1::2::3')).toBeNull();
    expect(parseIpv6('fe80::1%eth0')).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('allows private ranges only when asked, and never metadata or unspecified', () => {
    expect(isAddressAllowed('127.0.0.1')).toBe(false);
    expect(isAddressAllowed('127.0.0.1', true)).toBe(true);
    expect(isAddressAllowed('10.0.0.1', true)).toBe(true);
    expect(isAddressAllowed('169.254.169.254', true)).toBe(false);
    expect(isAddressAllowed('0.0.0.0', true)).toBe(false);
    expect(isAddressAllowed('93.184.216.34')).toBe(true);
  });
});

describe('parseOutboundUrl', () => {
  it.each([
    ['ftp://example.com/x', 'URL_SCHEME_NOT_ALLOWED'],
    ['file:///etc/passwd', 'URL_SCHEME_NOT_ALLOWED'],
    ['javascript:alert(1)', 'URL_SCHEME_NOT_ALLOWED'],
    ['https://user:pass@example.com/', 'URL_CREDENTIALS_NOT_ALLOWED'],
    ['https://user@example.com/', 'URL_CREDENTIALS_NOT_ALLOWED'],
    ['not a url', 'URL_INVALID'],
    ['', 'URL_INVALID'],
  ])('refuses %j with %s', (url, code) => {
    expect(() => parseOutboundUrl(url)).toThrow(expect.objectContaining({ code }));
  });

  it('accepts http and https', () => {
    expect(parseOutboundUrl('https://example.com/hook?a=1').hostname).toBe('example.com');
    expect(parseOutboundUrl('http://example.com:8080/').port).toBe('8080');
  });
});

describe('vetUrl', () => {
  it('passes a public host and returns the address to pin', async () => {
    const vetted = await vetUrl('https://hooks.example.com/in', { lookup: fixedLookup('93.184.216.34', '2606:2800:220:1::1') });
    expect(vetted.address).toBe('93.184.216.34');
    expect(vetted.family).toBe(4);
    expect(vetted.addresses).toHaveLength(2);
    expect(vetted.hostname).toBe('hooks.example.com');
  });

  it('refuses literal private, loopback and metadata IPs', async () => {
    for (const url of ['http://2130706433/', 'http://0x7f.1/', 'http://127.0.0.1/', 'http://10.0.0.5:8080/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://169.254.169.254/latest/meta-data']) {
      const err = await refusal(vetUrl(url));
      expect(err.code).toBe('URL_NOT_ALLOWED');
    }
  });

  it('refuses a name when any of its addresses is private (no mixed answers)', async () => {
    const err = await refusal(vetUrl('https://mixed.example.com/', { lookup: fixedLookup('93.184.216.34', '10.0.0.1') }));
    expect(err.details).toMatchObject({ hostname: 'mixed.example.com', address: '10.0.0.1', category: 'private' });
  });

  it('resolves localhost with the real resolver and refuses it, unless private addresses are allowed', async () => {
    const err = await refusal(vetUrl('http://localhost:3000/hook'));
    expect(err.details.category).toBe('loopback');
    const vetted = await vetUrl('http://localhost:3000/hook', { allowPrivate: true });
    expect(['loopback']).toContain(classifyAddress(vetted.address));
  });

  it('allows literal private IPs with allowPrivate but still refuses metadata', async () => {
    await expect(vetUrl('http://127.0.0.1:9/', { allowPrivate: true })).resolves.toMatchObject({ address: '127.0.0.1', family: 4 });
    await expect(vetUrl('http://[::1]:9/', { allowPrivate: true })).resolves.toMatchObject({ address: '::1', family: 6 });
    const err = await refusal(vetUrl('http://169.254.169.254/', { allowPrivate: true }));
    expect(err.details.category).toBe('metadata');
  });

  it('reports an unresolvable host as HostResolutionError', async () => {
    await expect(vetUrl('https://does-not-exist.invalid/')).rejects.toBeInstanceOf(HostResolutionError);
    await expect(vetUrl('https://empty.example/', { lookup: fixedLookup() })).rejects.toBeInstanceOf(HostResolutionError);
  });
});
