import type { InstanceDetail } from '../../../src/services/instance-views.js';
import { instancesZapiPorts } from '../../../src/services/zapi/instances-zapi-ports.js';

type Status = InstanceDetail['status'];

/** A stand-in for InstancesService: a script of details that `get` returns one after another. */
function fakeInstances(script: Partial<InstanceDetail>[]) {
  const calls: string[] = [];
  let i = 0;
  const next = () => ({ status: 'created' as Status, ...script[Math.min(i++, script.length - 1)] }) as InstanceDetail;
  return {
    calls,
    service: {
      get: async (tenantId: string, id: string) => (calls.push(`get:${tenantId}:${id}`), next()),
      regenerateQr: async (tenantId: string, id: string) => (calls.push(`regenerate:${tenantId}:${id}`), next()),
      disconnect: async (tenantId: string, id: string) => (calls.push(`disconnect:${tenantId}:${id}`), next()),
    },
  };
}

const qrCode = { base64: 'data:image/png;base64,AAAA', code: '2@abc', expiry: 20, attemptId: 'qr_attempt_1', attempt: 1, maxAttempts: 6 };
const target = { tenantId: 't1', instanceId: 'inst_aaaaaaaaaaaa' };

describe('instancesCompatPorts', () => {
  it('returns the QR the instance shows', async () => {
    const fake = fakeInstances([{ status: 'qr', qrCode }]);
    await expect(instancesZapiPorts(fake.service).qr.currentQr(target)).resolves.toEqual({ state: 'qr', pngDataUrl: qrCode.base64 });
  });

  it('starts a new QR cycle when none is running (disconnected), as old clients only poll', async () => {
    const fake = fakeInstances([{ status: 'disconnected' }, { status: 'qr', qrCode }]);
    await expect(instancesZapiPorts(fake.service).qr.currentQr(target)).resolves.toEqual({ state: 'qr', pngDataUrl: qrCode.base64 });
    expect(fake.calls).toEqual(['get:t1:inst_aaaaaaaaaaaa', 'regenerate:t1:inst_aaaaaaaaaaaa']);
  });

  it('waits for the first code of a starting cycle, then gives up', async () => {
    const later = fakeInstances([{ status: 'created' }, { status: 'created' }, { status: 'qr', qrCode }]);
    await expect(instancesZapiPorts(later.service, { pollMs: 1 }).qr.currentQr(target)).resolves.toMatchObject({ state: 'qr' });
    const never = fakeInstances([{ status: 'created' }]);
    await expect(instancesZapiPorts(never.service, { waitMs: 20, pollMs: 5 }).qr.currentQr(target)).resolves.toMatchObject({ state: 'unavailable' });
  });

  it('says connected or banned instead of a QR', async () => {
    await expect(instancesZapiPorts(fakeInstances([{ status: 'connected' }]).service).qr.currentQr(target)).resolves.toEqual({ state: 'connected' });
    await expect(instancesZapiPorts(fakeInstances([{ status: 'banned' }]).service).qr.currentQr(target)).resolves.toMatchObject({ state: 'unavailable' });
  });

  it('disconnects through InstancesService', async () => {
    const fake = fakeInstances([{ status: 'disconnected' }]);
    await instancesZapiPorts(fake.service).disconnect.disconnect(target);
    expect(fake.calls).toEqual(['disconnect:t1:inst_aaaaaaaaaaaa']);
  });
});
