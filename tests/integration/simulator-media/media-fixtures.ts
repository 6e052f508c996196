import { getWAUploadToServer, type WAMediaUploadFunction } from '@whiskeysockets/baileys';
import { pino } from 'pino';
import { ensureCertificates } from '../../../src/simulator/media/certificates.js';
import { startMediaServer, type MediaServer } from '../../../src/simulator/media/media-server.js';

/** The certificates `npm test` trusts through NODE_EXTRA_CA_CERTS (created by the pretest hook). */
export const SANDBOX_CERT_DIR = '.sandbox/certs';

export async function startTestMediaServer(): Promise<MediaServer> {
  const { certPem, keyPem } = await ensureCertificates(SANDBOX_CERT_DIR);
  return startMediaServer({ certPem, keyPem });
}

/** Baileys' own uploader, fed with our media_conn answer the way its socket feeds it. */
export function baileysUploader(server: MediaServer): WAMediaUploadFunction {
  return getWAUploadToServer(
    { customUploadHosts: [], logger: pino({ level: 'silent' }), options: {} } as unknown as Parameters<
      typeof getWAUploadToServer
    >[0],
    async () => ({ ...server.mediaConnInfo(), fetchDate: new Date() }),
  );
}
