import type { RequestHandler } from 'express';
import multer from 'multer';
import { PayloadTooLargeError } from '../../../errors/payload-too-large-error.js';
import { ValidationError } from '../../../errors/validation-error.js';

/** The largest upload the compat media route takes (WhatsApp's document limit); per-type limits are the pipeline's. */
export const COMPAT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

/**
 * multipart/form-data with one file in `document`, kept in memory (the send pipeline persists what it needs).
 * Multer's errors become our error shape: too large → 413, anything else malformed → 400.
 */
export function zapiUpload(maxBytes: number = COMPAT_MAX_UPLOAD_BYTES): RequestHandler {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxBytes, files: 1, fields: 20, fieldSize: 64 * 1024, parts: 30 },
  }).single('document');
  return (req, res, next) => {
    upload(req, res, (err: unknown) => {
      if (err === undefined || err === null) return next();
      if (err instanceof multer.MulterError) {
        if (err.code === 'LIMIT_FILE_SIZE') {
          return next(new PayloadTooLargeError(`The file is larger than ${maxBytes} bytes`, { field: 'document', limitBytes: maxBytes }));
        }
        return next(
          new ValidationError('Invalid multipart body', [
            { location: 'body', path: err.field ?? '', message: err.message, code: err.code },
          ]),
        );
      }
      // Everything else multer reports comes from parsing the body (busboy: "Unexpected end of form", ...).
      next(new ValidationError('Malformed multipart body', undefined, 'MALFORMED_MULTIPART'));
    });
  };
}
