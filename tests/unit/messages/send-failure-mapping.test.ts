import { UnsafeUrlError } from '../../../src/net/net-errors.js';
import { NotConnectedError } from '../../../src/engine/engine-errors.js';
import { PermanentSendError } from '../../../src/queues/send-errors.js';
import { MediaFetchError } from '../../../src/services/messages/media-fetcher.js';
import { MediaTooLargeError, MediaTypeNotAllowedError } from '../../../src/services/messages/media-rules.js';
import { InvalidRecipientError } from '../../../src/services/messages/recipient.js';
import { toSendError } from '../../../src/services/messages/send-failure-mapping.js';

describe('toSendError', () => {
  it.each([
    [new MediaTooLargeError('image', 10, 20), 'media_too_large'],
    [new MediaTypeNotAllowedError('image', 'text/html'), 'media_type_not_allowed'],
    [new UnsafeUrlError('URL_NOT_ALLOWED', 'private'), 'media_url_not_allowed'],
    [new MediaFetchError('404', true, 404), 'media_fetch_failed'],
    [new InvalidRecipientError('too_short', 'short', '123'), 'invalid_recipient'],
  ])('%s fails the message at once as %s', (err, reason) => {
    const mapped = toSendError(err);
    expect(mapped).toBeInstanceOf(PermanentSendError);
    expect(mapped).toMatchObject({ reason, cause: err });
  });

  it('leaves waiting and retryable errors alone', () => {
    const notConnected = new NotConnectedError('inst_a');
    const flaky = new MediaFetchError('503', false, 503);
    const other = new Error('socket closed');
    expect(toSendError(notConnected)).toBe(notConnected);
    expect(toSendError(flaky)).toBe(flaky);
    expect(toSendError(other)).toBe(other);
  });
});
