import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request } from 'express';
import type multer from 'multer';
import type { StagedFile } from '../../services/messages/staged-upload.js';

const HEAD_BYTES = 512;

/** multer's file object, as this storage completes it. */
export type StagedMulterFile = Express.Multer.File & { staged: StagedFile };

/**
 * A multer storage engine that streams the file part to `<dir>/<uuid>.part` (hashing it and keeping its first bytes
 * on the way), so an upload never sits in memory. `beforeFile` runs when the file part starts, with the fields sent
 * before it in `req.body`: a check that throws there stops the upload before any of the file is read.
 */
export class StagingStorage implements multer.StorageEngine {
  constructor(
    private readonly dir: string,
    private readonly beforeFile?: (req: Request) => Promise<void>,
  ) {}

  _handleFile(req: Request, file: Express.Multer.File, callback: (error?: unknown, info?: Partial<Express.Multer.File>) => void): void {
    void this.stage(req, file).then(
      (staged) => callback(null, { path: staged.path, size: staged.size, staged } as Partial<StagedMulterFile>),
      (err: unknown) => callback(err),
    );
  }

  _removeFile(_req: Request, file: Express.Multer.File, callback: (error: Error | null) => void): void {
    if (!file.path) return callback(null);
    rm(file.path, { force: true }).then(
      () => callback(null),
      (err: Error) => callback(err),
    );
  }

  private async stage(req: Request, file: Express.Multer.File): Promise<StagedFile> {
    if (this.beforeFile) {
      try {
        await this.beforeFile(req);
      } catch (err) {
        file.stream.resume(); // let busboy move on; multer answers with the error
        throw err;
      }
    }
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, `${randomUUID()}.part`);
    const hash = createHash('sha256');
    let size = 0;
    const headChunks: Buffer[] = [];
    let headLength = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        if (headLength < HEAD_BYTES) {
          const part = chunk.subarray(0, HEAD_BYTES - headLength);
          headChunks.push(part);
          headLength += part.length;
        }
        done(null, chunk);
      },
    });
    try {
      await pipeline(file.stream, tap, createWriteStream(path, { flags: 'wx' }));
    } catch (err) {
      await rm(path, { force: true });
      throw err;
    }
    return { path, size, sha256: hash.digest('hex'), head: Buffer.concat(headChunks) };
  }
}
