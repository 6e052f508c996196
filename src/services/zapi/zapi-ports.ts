import type { StagedFile } from '../messages/staged-upload.js';
import type { MediaKind } from '../messages/media-rules.js';

/**
 * Ports the Z-API surface needs from the engine (QR, disconnect) and the send pipeline. Each is optional: the /api
 * route that needs a port is registered only when it is given (tests of the HTTP app alone), so nothing answers with
 * made-up data. The Z-API service has already checked that the instance belongs to the caller's
 * tenant before calling any of them.
 */

/** Which instance, with its tenant (already checked: the instance is the tenant's). */
export interface ZapiInstanceTarget {
  tenantId: string;
  /** Our id (`inst_...`). */
  instanceId: string;
}

/** What `currentQr` found. */
export type ZapiQrState =
  /** A QR code to scan now: `pngDataUrl` is `data:image/png;base64,...` (the engine's `QrCodeInfo.base64`). */
  | { state: 'qr'; pngDataUrl: string }
  /** Already linked: there is nothing to scan. */
  | { state: 'connected' }
  /** No QR can be shown (e.g. banned, or the first code did not arrive in time); `reason` is for people. */
  | { state: 'unavailable'; reason: string };

export interface ZapiQrPort {
  /**
   * The QR code the instance shows right now. Old clients only poll this route (they know nothing of
   * regenerate-qr), so when no QR cycle is running (`created`, or `disconnected` after `qr_expired`) the
   * implementation starts one and waits a few seconds for the first code.
   */
  currentQr(target: ZapiInstanceTarget): Promise<ZapiQrState>;
}

export interface ZapiDisconnectPort {
  /** Unlinks the device from WhatsApp and wipes its credentials (the engine's `logout`); the instance row stays. */
  disconnect(target: ZapiInstanceTarget): Promise<void>;
}

/** A send the compat surface accepted; `to` is already a JID (`@s.whatsapp.net`, `@lid` or `@g.us`). */
export interface ZapiTextSend {
  tenantId: string;
  instanceId: string;
  to: string;
  text: string;
}

export interface ZapiUploadedFile {
  /** Streamed to the media staging area (never held in memory). */
  staged: StagedFile;
  /** As the client declared it (multipart part header); the pipeline sniffs and checks it. */
  mimetype: string;
  fileName: string;
  size: number;
}

export interface ZapiMediaSend {
  tenantId: string;
  instanceId: string;
  to: string;
  mediaType: MediaKind;
  file: ZapiUploadedFile;
  caption: string | null;
}

/** The message row the pipeline created (status `queued`), as its send path answers. */
export interface ZapiAcceptedMessage {
  /** Our id (`msg_...`). */
  messageId: string;
  /** WhatsApp's message id, fixed before the first attempt. */
  waMessageId: string;
  chatJid: string;
  acceptedAt: Date;
}

export interface ZapiSendPort {
  /** Persists and queues a text message (the same path as `POST /whatsapp/instances/{id}/send-text`). */
  sendText(input: ZapiTextSend): Promise<ZapiAcceptedMessage>;
  /** Persists and queues an uploaded media message; throws the media-rules errors for size/type (→ 413/415). */
  sendMedia(input: ZapiMediaSend): Promise<ZapiAcceptedMessage>;
}

export interface ZapiPorts {
  qr?: ZapiQrPort;
  disconnect?: ZapiDisconnectPort;
  send?: ZapiSendPort;
}
