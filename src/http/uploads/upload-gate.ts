import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { AppError } from '../../errors/app-error.js';
import { PayloadTooLargeError } from '../../errors/payload-too-large-error.js';
import { ValidationError } from '../../errors/validation-error.js';
import { StagingStorage, type StagedMulterFile } from './staging-storage.js';
import { UploadSlots, type UploadSlotLimits } from './upload-slots.js';

export interface UploadGateOptions {
  /** The media storage's root (MEDIA_DIR): uploads are staged in `<root>/.uploads`, on the same disk, then renamed. */
  mediaDir: string;
  limits: UploadSlotLimits;
}

export interface MultipartOptions {
  /** The file part's field name. */
  field: string;
  maxBytes: number;
  /** Runs when the file part starts (fields sent before it are in req.body): throw to refuse before reading it. */
  beforeFile?: (req: Request) => Promise<void>;
  /** The code of the 413 (default PAYLOAD_TOO_LARGE). */
  tooLargeCode?: string;
}

/**
 * The one way uploads come in, for both send-media routes: a slot per tenant and per node (429 past either, before
 * the body is read), then the multipart body streamed to the staging directory. Errors come out in our shape:
 * too large → 413, a malformed body → 400 MALFORMED_MULTIPART, a refusal from `beforeFile` as it was thrown.
 */
export class UploadGate {
  readonly slots: UploadSlots;
  readonly stageDir: string;

  constructor(options: UploadGateOptions) {
    this.slots = new UploadSlots(options.limits);
    this.stageDir = join(options.mediaDir, '.uploads');
  }

  /**
   * Removes staged files older than `maxAgeMs` (left by a crash mid-upload: a finished upload is renamed away or
   * removed at once). Returns how many went.
   */
  async sweepStale(maxAgeMs: number): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.stageDir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const name of names.filter((n) => n.endsWith('.part'))) {
      const path = join(this.stageDir, name);
      try {
        if (Date.now() - (await stat(path)).mtimeMs > maxAgeMs) {
          await rm(path, { force: true });
          removed += 1;
        }
      } catch {
        // gone meanwhile
      }
    }
    return removed;
  }

  /**
   * Parses the multipart body of `req` into req.body and req.file (staged on disk) while holding a slot of
   * `tenantId`. Resolves to the staged file (or undefined without one) and a cleanup that removes what is left.
   */
  async receive(req: Request, res: Response, tenantId: string, options: MultipartOptions): Promise<{ file: StagedMulterFile | undefined; cleanup: () => Promise<void> }> {
    const release = this.slots.acquire(tenantId);
    // A refusal from beforeFile answers at once: multer would only report it once the whole body had been drained.
    let refuse: (err: unknown) => void = () => undefined;
    const refused = new Promise<never>((_, reject) => {
      refuse = reject;
    });
    const beforeFile = options.beforeFile;
    const guard = beforeFile
      ? async (r: Request) => {
          try {
            await beforeFile(r);
          } catch (err) {
            res.set('Connection', 'close'); // the client may still be sending: do not keep reading
            refuse(err);
            throw err;
          }
        }
      : undefined;
    const handler = multer({
      storage: new StagingStorage(this.stageDir, guard),
      limits: { fileSize: options.maxBytes, files: 1, fields: 20, fieldSize: 70_000, parts: 30 },
    }).single(options.field);
    try {
      await Promise.race([runMulter(handler, req, res, options), refused]);
    } catch (err) {
      release();
      throw err;
    }
    const file = req.file as StagedMulterFile | undefined;
    return {
      file,
      cleanup: async () => {
        release();
        if (file?.path) await rm(file.path, { force: true });
      },
    };
  }
}

function runMulter(handler: RequestHandler, req: Request, res: Response, options: MultipartOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    handler(req, res, (err?: unknown) => {
      if (err === undefined || err === null) return resolve();
      if (err instanceof AppError) return reject(err);
      if (err instanceof multer.MulterError) {
        if (err.code === 'LIMIT_FILE_SIZE') {
          return reject(
            new PayloadTooLargeError(`The file is larger than ${options.maxBytes} bytes`, { field: options.field, limitBytes: options.maxBytes }, options.tooLargeCode),
          );
        }
        return reject(new ValidationError('Invalid multipart body', [{ location: 'body', path: err.field ?? '', message: err.message, code: err.code }]));
      }
      // Everything else comes from parsing the body (busboy: "Unexpected end of form", a bad boundary, ...).
      reject(new ValidationError('Malformed multipart body', undefined, 'MALFORMED_MULTIPART'));
    });
  });
}
