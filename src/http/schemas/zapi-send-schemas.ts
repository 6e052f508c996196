import { z } from 'zod';
import { ValidationError } from '../../errors/validation-error.js';
import { MEDIA_KINDS } from '../../services/messages/media-rules.js';
import type { ZapiSendMediaInput, ZapiSendTextInput } from '../../services/zapi/zapi-service.js';
import { validate } from '../validate.js';
import { ZapiInstanceRefSchema, toInstanceRef } from './zapi-schemas.js';

/**
 * Request schemas of the two send routes of the Z-API-INSTANCE API v1.0.4. The tables name the instance
 * `instancia_uuid`, the examples `instancia_id: "1"`: both are accepted (uuid or numeric id in either; the uuid field
 * wins when both are given). `isGroup` is a boolean in JSON and "S"/"N" in the multipart example.
 */

const TRUE = new Set(['true', 's', 'sim', '1', 'y', 'yes']);
const FALSE = new Set(['false', 'n', 'nao', 'não', '0', 'no', '']);

/** true/false, "S"/"N" (any case), "true"/"false", 1/0; an empty multipart field counts as false. */
export const ZapiBooleanSchema = z
  .union([z.boolean(), z.literal(0), z.literal(1), z.string().trim().max(5)])
  .transform((value, ctx) => {
    if (typeof value === 'boolean') return value;
    if (typeof value === 'number') return value === 1;
    const text = value.toLowerCase();
    if (TRUE.has(text)) return true;
    if (FALSE.has(text)) return false;
    ctx.addIssue({ code: 'custom', message: 'must be true/false or "S"/"N"' });
    return z.NEVER;
  })
  .meta({ description: 'true/false or "S"/"N"' });

const instanceRefField = z.union([z.number().int().transform(String), z.string()]).pipe(ZapiInstanceRefSchema);
const phone = z
  .union([z.number().int().nonnegative().transform(String), z.string()])
  .pipe(z.string().trim().min(1).max(100))
  .meta({ description: 'Number with country and area code, a JID, or <id>-group', example: '5521980000000' });
/** An optional text field where an empty string (multipart) means absent. */
const optionalText = (max: number) =>
  z
    .string()
    .max(max)
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? null : v));

const instanceFields = {
  instancia_uuid: instanceRefField.optional(),
  instancia_id: instanceRefField.optional(),
};

type InstanceFields = { instancia_uuid?: string | undefined; instancia_id?: string | undefined };

/** One of the two instance fields is required; checked even when other fields fail, so every problem is listed. */
const hasInstance = (v: InstanceFields) => v.instancia_uuid !== undefined || v.instancia_id !== undefined;
const hasInstanceParams = () => ({
  path: ['instancia_uuid'],
  message: 'give instancia_uuid (or instancia_id)',
  when: (payload: { value: unknown }) => typeof payload.value === 'object' && payload.value !== null,
});

const instanceOf = (value: InstanceFields) =>
  toInstanceRef((value.instancia_uuid ?? value.instancia_id) as string);

/** JSON body of `POST /api/mensagens/enviar-mensagem-simples` (for the docs: the shape before parsing). */
export const ZapiSendTextBodyDocSchema = z
  .object({
    ...instanceFields,
    phone,
    message: z.string().min(1).max(65_536),
    isGroup: ZapiBooleanSchema.optional(),
  })
  .meta({ id: 'CompatSendTextBody' });

export const ZapiSendTextBodySchema = ZapiSendTextBodyDocSchema.refine(hasInstance, hasInstanceParams()).transform(
  (v): ZapiSendTextInput => ({ instance: instanceOf(v), phone: v.phone, message: v.message, isGroup: v.isGroup ?? false }),
);

/** Text fields of the multipart `POST /api/mensagens/enviar-midia` (all strings on the wire). */
export const ZapiSendMediaFieldsDocSchema = z
  .object({
    ...instanceFields,
    phone,
    chatName: optionalText(200),
    isGroup: ZapiBooleanSchema.optional(),
    caption: optionalText(4096),
    midia_type: z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(MEDIA_KINDS))
      .meta({ description: 'document, image, video or audio' }),
  })
  .meta({ id: 'CompatSendMediaFields' });

export const ZapiSendMediaFieldsSchema = ZapiSendMediaFieldsDocSchema.refine(hasInstance, hasInstanceParams());

/** The `document` part as multer hands it over (streamed to the staging area, see http/uploads). */
export const ZapiUploadedFileSchema = z.object({
  fieldname: z.literal('document'),
  originalname: z.string().max(255),
  mimetype: z.string().max(255),
  size: z.number().int().min(1, 'the file is empty'),
  staged: z.object({ path: z.string(), size: z.number().int(), sha256: z.string(), head: z.instanceof(Buffer) }),
});

/** For the OpenAPI document: the multipart body as a whole. */
export const ZapiSendMediaMultipartDocSchema = ZapiSendMediaFieldsDocSchema.extend({
  document: z.string().meta({ format: 'binary', description: 'The file (pdf, zip, image, ...)' }),
}).meta({ id: 'CompatSendMediaMultipart' });

/** Parses the multipart fields and the uploaded `document` into the service's input; 400 listing every problem. */
export function parseZapiSendMedia(fields: unknown, file: unknown): ZapiSendMediaInput {
  const issues: unknown[] = [];
  let parsedFields: z.output<typeof ZapiSendMediaFieldsSchema> | undefined;
  let parsedFile: z.output<typeof ZapiUploadedFileSchema> | undefined;
  try {
    parsedFields = validate(ZapiSendMediaFieldsSchema, fields ?? {}, 'body');
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    issues.push(...(err.details as unknown[]));
  }
  if (file === undefined || file === null) {
    issues.push({ location: 'body', path: 'document', message: 'document (a file) is required', code: 'invalid_type' });
  } else {
    const result = ZapiUploadedFileSchema.safeParse(file);
    if (result.success) parsedFile = result.data;
    else {
      issues.push(
        ...result.error.issues.map((i) => ({ location: 'body', path: ['document', ...i.path.map(String)].join('.'), message: i.message, code: i.code })),
      );
    }
  }
  if (!parsedFields || !parsedFile || issues.length > 0) throw new ValidationError('Invalid request body', issues);
  return {
    instance: instanceOf(parsedFields),
    phone: parsedFields.phone,
    isGroup: parsedFields.isGroup ?? false,
    chatName: parsedFields.chatName,
    caption: parsedFields.caption,
    mediaType: parsedFields.midia_type,
    file: {
      staged: parsedFile.staged,
      mimetype: parsedFile.mimetype,
      fileName: parsedFile.originalname,
      size: parsedFile.size,
    },
  };
}
