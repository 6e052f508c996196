/** An uploaded file already written to the media storage's staging area (streamed there, never held in memory). */
export interface StagedFile {
  /** Where the bytes are; the storage takes the file over (a rename) when the message is accepted. */
  path: string;
  size: number;
  /** sha256 of the bytes, hex. */
  sha256: string;
  /** The first bytes (up to 512), for sniffing the type. */
  head: Buffer;
}
