/** Errors of the mail package: a stable code and a transport-neutral kind. */
export const MAIL_ERRORS = {
  SMTP_URL_INVALID: 'invalid',
} as const;

export type MailErrorCode = keyof typeof MAIL_ERRORS;

export class MailError extends Error {
  readonly kind: (typeof MAIL_ERRORS)[MailErrorCode];

  constructor(
    readonly code: MailErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MailError';
    this.kind = MAIL_ERRORS[code];
  }
}
