/** Raised when a TLS certificate cannot be read or made (`threadline tls self-signed`). */
export class TlsError extends Error {
  constructor(
    readonly code: 'TLS_FILE_MISSING' | 'TLS_INVALID' | 'OPENSSL_MISSING' | 'OPENSSL_FAILED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TlsError';
  }
}
