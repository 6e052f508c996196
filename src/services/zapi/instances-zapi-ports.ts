import type { InstancesService } from '../instances-service.js';
import type { ZapiDisconnectPort, ZapiInstanceTarget, ZapiQrPort, ZapiQrState } from './zapi-ports.js';

export interface InstancesZapiPortsOptions {
  /** How long `currentQr` waits for the first code of a cycle it started (or that is starting). */
  waitMs?: number;
  pollMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The QR and disconnect ports over InstancesService's engine operations (get with its `qrCode`, regenerateQr,
 * disconnect), so the compat routes work wherever the engine is wired in as the instances' lifecycle.
 * Old clients only poll the QR route: when no cycle is running (`disconnected`, e.g. after `qr_expired`) it starts
 * one; while one is starting (`created`, or `qr` between two codes) it waits up to `waitMs` for a code.
 */
export function instancesZapiPorts(
  instances: Pick<InstancesService, 'get' | 'regenerateQr' | 'disconnect'>,
  options: InstancesZapiPortsOptions = {},
): { qr: ZapiQrPort; disconnect: ZapiDisconnectPort } {
  const waitMs = options.waitMs ?? 5000;
  const pollMs = options.pollMs ?? 250;

  const qr: ZapiQrPort = {
    async currentQr({ tenantId, instanceId }: ZapiInstanceTarget): Promise<ZapiQrState> {
      const deadline = Date.now() + waitMs;
      let detail = await instances.get(tenantId, instanceId);
      // node_lost: the device is still linked, a node is reopening its socket; no new QR for that.
      if (detail.status === 'disconnected' && detail.statusReason !== 'node_lost') detail = await instances.regenerateQr(tenantId, instanceId);
      for (;;) {
        if (detail.status === 'connected') return { state: 'connected' };
        if (detail.status === 'banned') return { state: 'unavailable', reason: 'the number is banned by WhatsApp' };
        if (detail.qrCode) return { state: 'qr', pngDataUrl: detail.qrCode.base64 };
        if (Date.now() >= deadline) return { state: 'unavailable', reason: 'the QR code is not ready yet; try again in a moment' };
        await sleep(pollMs);
        detail = await instances.get(tenantId, instanceId);
      }
    },
  };

  const disconnect: ZapiDisconnectPort = {
    async disconnect({ tenantId, instanceId }: ZapiInstanceTarget): Promise<void> {
      await instances.disconnect(tenantId, instanceId);
    },
  };

  return { qr, disconnect };
}
