import { classifyAddress } from '../../../src/net/ip-ranges.js';
import { vetUrl } from '../../../src/net/url-guard.js';
import { UnsafeUrlError } from '../../../src/net/net-errors.js';
import { webhookUrlPolicy } from '../../../src/services/webhooks/webhook-url-policy.js';

/** Issue 16 item 7: IPv6 forms that carry an IPv4 address are judged by that address. */
describe('embedded IPv4 in IPv6 translation prefixes', () => {
  it.each([
    // 64:ff9b:1::/48, local-use NAT64 (RFC 8215), with the /96 and /48 RFC 6052 layouts
    ['64:ff9b:1::127.0.0.1', 'loopback'],
    ['64:ff9b:1::a00:1', 'private'],
    ['64:ff9b:1::a9fe:a9fe', 'metadata'],
    ['64:ff9b:1:a00:0:100::', 'private'], // /48 layout: 10.0 in bits 48-63, 0.1 in bits 72-87
    // ::ffff:0:0/96, SIIT (IPv4-translated)
    ['::ffff:0:7f00:1', 'loopback'],
    ['::ffff:0:10.1.2.3', 'private'],
    ['::ffff:0:169.254.169.254', 'metadata'],
    // 2001::/32, Teredo: the client address is the last 32 bits inverted; the server address is groups 2-3
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'loopback'], // client ~80ff:fffe = 127.0.0.1
    ['2001:0:a00:1:8000:63bf:f7f7:f7f7', 'private'], // server 10.0.0.1, client 8.8.8.8
  ])('%s is %s', (address, category) => {
    expect(classifyAddress(address)).toBe(category);
  });

  it.each([
    ['64:ff9b:1::8.8.8.8'],
    ['::ffff:0:8.8.8.8'],
    ['2001:0:4136:e378:8000:63bf:f7f7:f7f7'], // client ~f7f7:f7f7 = 8.8.8.8, server 65.54.227.120
  ])('%s (public IPv4 inside) stays public', (address) => {
    expect(classifyAddress(address)).toBe('public');
  });

  it.each([
    'http://[64:ff9b:1::7f00:1]/',
    'http://[::ffff:0:7f00:1]/',
    'http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/',
  ])('vetUrl refuses %s', async (url) => {
    await expect(vetUrl(url)).rejects.toBeInstanceOf(UnsafeUrlError);
  });
});

describe('loopback names', () => {
  const unresolvable = async () => {
    throw new Error('NXDOMAIN');
  };

  it.each(['http://localhost./hook', 'http://localhost../hook', 'http://LOCALHOST./x', 'http://api.localhost./x', 'http://foo.localhost/x'])(
    'the create-time webhook check refuses %s even when DNS does not answer',
    async (url) => {
      const check = webhookUrlPolicy({ allowPrivate: false, lookup: unresolvable });
      await expect(check(url)).rejects.toMatchObject({ status: 400, code: 'WEBHOOK_URL_NOT_ALLOWED' });
    },
  );

  it('allows them when private URLs are allowed', async () => {
    const check = webhookUrlPolicy({ allowPrivate: true, lookup: async () => [{ address: '127.0.0.1', family: 4 }] });
    await expect(check('http://localhost./hook')).resolves.toBeUndefined();
  });
});
