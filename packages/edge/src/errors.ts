/** Raised when an edge setting in the environment is present but unusable; names the variable. */
export class EdgeConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'EdgeConfigError';
  }
}

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
