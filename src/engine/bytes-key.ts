/** A map key for bytes (base64, which never contains `|`: keys of several parts can be joined with it). */
export const bytesKey = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
