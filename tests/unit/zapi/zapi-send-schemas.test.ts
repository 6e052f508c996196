import { ValidationError } from '../../../src/errors/validation-error.js';
import { ZapiBooleanSchema, ZapiSendTextBodySchema, parseZapiSendMedia } from '../../../src/http/schemas/zapi-send-schemas.js';
import { validate } from '../../../src/http/validate.js';
import { formatZapiDateTime, formatZapiTimestamp } from '../../../src/services/zapi/zapi-views.js';

const UUID = 'f571facd-137c-468e-9055-bc312bf983ce';

function issuesOf(fn: () => unknown): { path: string; location: string }[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err.details as { path: string; location: string }[];
    throw err;
  }
  throw new Error('expected a ValidationError');
}

describe('isGroup', () => {
  it.each([
    [true, true], [false, false], ['S', true], ['N', false], ['s', true], ['n', false],
    ['true', true], ['false', false], ['1', true], ['0', false], [1, true], [0, false], ['', false],
  ])('reads %j as %s', (input, expected) => {
    expect(ZapiBooleanSchema.parse(input)).toBe(expected);
  });

  it.each(['talvez', 2, null])('refuses %j', (input) => {
    expect(ZapiBooleanSchema.safeParse(input).success).toBe(false);
  });
});

describe('enviar-mensagem-simples body', () => {
  it('takes the example as written (instancia_id "1")', () => {
    expect(validate(ZapiSendTextBodySchema, { instancia_id: '1', phone: '5521980000000', message: 'Olá!', isGroup: false }, 'body')).toEqual({
      instance: { legacyId: 1 },
      phone: '5521980000000',
      message: 'Olá!',
      isGroup: false,
    });
  });

  it('takes the table as written (instancia_uuid), a numeric phone, and defaults isGroup to false', () => {
    expect(validate(ZapiSendTextBodySchema, { instancia_uuid: UUID.toUpperCase(), phone: 5521980000000, message: 'x' }, 'body')).toEqual({
      instance: { uuid: UUID },
      phone: '5521980000000',
      message: 'x',
      isGroup: false,
    });
  });

  it('prefers instancia_uuid when both are given; numeric instancia_id works too', () => {
    expect(validate(ZapiSendTextBodySchema, { instancia_uuid: UUID, instancia_id: 7, phone: '1', message: 'x' }, 'body').instance).toEqual({ uuid: UUID });
    expect(validate(ZapiSendTextBodySchema, { instancia_id: 7, phone: '1', message: 'x' }, 'body').instance).toEqual({ legacyId: 7 });
  });

  it('names every missing or invalid field', () => {
    expect(issuesOf(() => validate(ZapiSendTextBodySchema, {}, 'body')).map((i) => i.path).sort()).toEqual(['instancia_uuid', 'message', 'phone']);
    expect(issuesOf(() => validate(ZapiSendTextBodySchema, { phone: '5521980000000', message: 'x' }, 'body')).map((i) => i.path)).toEqual(['instancia_uuid']);
    const bad = issuesOf(() =>
      validate(ZapiSendTextBodySchema, { instancia_uuid: 'nope', phone: '', message: '', isGroup: 'talvez' }, 'body'),
    ).map((i) => i.path);
    expect(bad.sort()).toEqual(['instancia_uuid', 'isGroup', 'message', 'phone']);
  });

  it('refuses a body that is not an object', () => {
    expect(issuesOf(() => validate(ZapiSendTextBodySchema, undefined, 'body'))).toHaveLength(1);
  });
});

describe('enviar-midia multipart', () => {
  // As the upload gate hands it over: the bytes staged on disk, with their size, hash and first bytes.
  const staged = { path: '/tmp/staged-a.pdf', size: 3, sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', head: Buffer.from('abc') };
  const file = { fieldname: 'document', originalname: 'a.pdf', mimetype: 'application/pdf', size: 3, staged };

  it('takes the curl example: empty chatName and caption are absent, isGroup "N"', () => {
    const parsed = parseZapiSendMedia(
      { instancia_uuid: UUID, phone: '5521981642364', chatName: '', isGroup: 'N', caption: '', midia_type: 'Document' },
      file,
    );
    expect(parsed).toEqual({
      instance: { uuid: UUID },
      phone: '5521981642364',
      isGroup: false,
      chatName: null,
      caption: null,
      mediaType: 'document',
      file: { staged, mimetype: 'application/pdf', fileName: 'a.pdf', size: 3 },
    });
  });

  it.each(['image', 'video', 'audio', 'document'])('accepts midia_type %s', (midia_type) => {
    expect(parseZapiSendMedia({ instancia_id: '2', phone: '5521981642364', midia_type }, file).mediaType).toBe(midia_type);
  });

  it('lists field and file problems together', () => {
    const paths = issuesOf(() => parseZapiSendMedia({ phone: '5521981642364', midia_type: 'sticker' }, undefined)).map((i) => i.path);
    expect(paths.sort()).toEqual(['document', 'instancia_uuid', 'midia_type']);
  });

  it('refuses an empty file', () => {
    const paths = issuesOf(() => parseZapiSendMedia({ instancia_id: '2', phone: '1', midia_type: 'image' }, { ...file, size: 0, staged: { ...staged, size: 0, head: Buffer.alloc(0) } })).map((i) => i.path);
    expect(paths).toEqual(['document.size']);
  });
});

describe('date formats of the old API', () => {
  it('writes expires_at as YYYY-MM-DD HH:mm:ss (UTC) and created_at with microseconds', () => {
    const d = new Date(Date.UTC(2025, 3, 16, 0, 5, 50, 123));
    expect(formatZapiDateTime(d)).toBe('2025-04-16 00:05:50');
    expect(formatZapiTimestamp(d)).toBe('2025-04-16T00:05:50.123000Z');
  });
});
