/** The simulator's media host and history sync: what the core wires in (see each file for details). */
export { ensureCertificates, type Certificates } from './certificates.js';
export {
  MediaServer,
  startMediaServer,
  type MediaBlobStore,
  type MediaConnInfo,
  type MediaServerOptions,
  type StoredMedia,
} from './media-server.js';
export { decryptMedia, encryptMedia, MediaIntegrityError, type EncryptedMedia } from './media-cipher.js';
export {
  buildContactMediaMessage,
  CONTACT_MEDIA_TYPES,
  contactMediaSchema,
  decryptMediaMessage,
  findMediaContent,
  outgoingMediaFromInput,
  type ContactMediaInput,
  type ContactMediaType,
  type DecryptedMediaMessage,
  type OutgoingMedia,
} from './media-crypto.js';
export {
  buildHistorySyncs,
  createHistorySyncNotification,
  createHistorySyncNotifications,
  historyChatSchema,
  historyContactSchema,
  historyInputSchema,
  historyMessageSchema,
  type HistoryChat,
  type HistoryContact,
  type HistoryInput,
  type HistoryMessage,
  type HistorySyncBuildOptions,
  type HistorySyncNotificationOptions,
} from './history-sync.js';
export { SimulatorMedia, type SimulatorMediaOptions } from './simulator-media.js';
