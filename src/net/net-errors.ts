/**
 * Small Error subclasses for outbound HTTP (kept together: each is a few lines). Every one carries a stable `code`
 * so callers can map it: an unsafe URL is the caller's fault (400 / stop), a timeout or network error is worth a
 * retry, a too-large body is permanent.
 */
export abstract class NetError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export type UnsafeUrlCode =
  | 'URL_INVALID'
  | 'URL_SCHEME_NOT_ALLOWED'
  | 'URL_CREDENTIALS_NOT_ALLOWED'
  | 'URL_NOT_ALLOWED';

/** The URL is malformed, uses a scheme other than http/https, carries credentials, or points at a refused address. */
export class UnsafeUrlError extends NetError {
  constructor(
    readonly code: UnsafeUrlCode,
    message: string,
    readonly details: { hostname?: string; address?: string; category?: string } = {},
  ) {
    super(message);
  }
}

/** The host name did not resolve (NXDOMAIN, SERVFAIL, no addresses). Usually worth a retry later. */
export class HostResolutionError extends NetError {
  readonly code = 'HOST_UNRESOLVABLE';
  constructor(readonly hostname: string, options?: { cause?: unknown }) {
    super(`cannot resolve host ${hostname}`, options);
  }
}

/** The whole request (connect, send, headers and body) took longer than allowed. */
export class RequestTimeoutError extends NetError {
  readonly code = 'REQUEST_TIMEOUT';
  constructor(readonly timeoutMs: number) {
    super(`request timed out after ${timeoutMs} ms`);
  }
}

/** The connection failed or broke (refused, reset, TLS failure...). `causeCode` is Node's code, e.g. ECONNREFUSED. */
export class RequestFailedError extends NetError {
  readonly code = 'REQUEST_FAILED';
  readonly causeCode: string | undefined;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    const cause = options?.cause as { code?: unknown } | undefined;
    this.causeCode = typeof cause?.code === 'string' ? cause.code : undefined;
  }
}

/** The response body is larger than the caller allows (by Content-Length, or while reading). */
export class TooLargeError extends NetError {
  readonly code = 'RESPONSE_TOO_LARGE';
  constructor(readonly limitBytes: number, readonly declaredBytes: number | null) {
    super(
      declaredBytes !== null
        ? `response of ${declaredBytes} bytes exceeds the limit of ${limitBytes} bytes`
        : `response exceeds the limit of ${limitBytes} bytes`,
    );
  }
}
