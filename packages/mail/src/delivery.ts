import nodemailer from 'nodemailer';

import { leaseDueMails, markMailFailed, markMailSent, type Pool } from '@threadline/db';

import { MailError } from './errors.js';

/** One message handed to an SMTP server. */
export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable id so a retried delivery is recognisable as the same message. */
  messageId: string;
}

/** Where mails go: SMTP through nodemailer in the shop, anything in tests that need a failing one. */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<{ messageId: string | null }>;
  close(): void;
}

/**
 * An SMTP transport for `SMTP_URL` (smtp://user:pass@host:587, smtps://… for implicit TLS).
 *
 * @example
 * const transport = createSmtpTransport('smtp://127.0.0.1:2525');
 */
export function createSmtpTransport(url: string): MailTransport {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new MailError('SMTP_URL_INVALID', 'SMTP_URL is not a URL (expected smtp://user:pass@host:port or smtps://…)', { cause: error });
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') throw new MailError('SMTP_URL_INVALID', `SMTP_URL must start with smtp:// or smtps://, not ${parsed.protocol}//`);
  const transporter = nodemailer.createTransport(url);
  return {
    async send(mail) {
      const info: { messageId?: unknown } = await transporter.sendMail(mail);
      return { messageId: typeof info.messageId === 'string' ? info.messageId : null };
    },
    close() {
      transporter.close();
    },
  };
}

/** Attempts before a mail is given up (status failed, shown in the back office with its error). */
export const MAX_ATTEMPTS = 8;

/** Wait before attempt n+1: 30 s, 1 min, 2 min … capped at one hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 60 * 60_000);
}

export interface DeliveryResult {
  sent: number;
  retrying: number;
  failed: number;
}

/**
 * Delivers the due mails of the outbox once: each is leased, sent, and marked sent, or put back
 * with a later attempt time, or marked failed after MAX_ATTEMPTS. Safe with several workers.
 */
export async function deliverDueMails(options: { pool: Pool; transport: MailTransport; from: string; domain: string; batch?: number }): Promise<DeliveryResult> {
  const result: DeliveryResult = { sent: 0, retrying: 0, failed: 0 };
  const mails = await leaseDueMails(options.pool, options.batch ?? 20, 5 * 60_000);
  for (const mail of mails) {
    try {
      const sent = await options.transport.send({
        from: options.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: `<outbox-${mail.id}@${options.domain}>`,
      });
      await markMailSent(options.pool, mail.id, sent.messageId);
      result.sent += 1;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const isFinal = mail.attempts >= MAX_ATTEMPTS;
      await markMailFailed(options.pool, mail.id, message, isFinal ? null : new Date(Date.now() + retryDelayMs(mail.attempts)));
      if (isFinal) result.failed += 1;
      else result.retrying += 1;
    }
  }
  return result;
}

/** Runs deliverDueMails every `intervalMs` (and at once when poked) until stopped. */
export class MailDeliveryLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private isStopped = false;
  lastError: string | undefined;
  lastResult: DeliveryResult | undefined;

  constructor(private readonly options: { pool: Pool; transport: MailTransport; from: string; domain: string; intervalMs: number; onError?: (error: unknown) => void }) {}

  start(): void {
    this.isStopped = false;
    this.schedule(0);
  }

  /** One delivery round now (tests and the back office's "Send now"). */
  async runOnce(): Promise<DeliveryResult> {
    const result = await deliverDueMails(this.options);
    this.lastResult = result;
    return result;
  }

  private schedule(delay: number): void {
    if (this.isStopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .then(() => {
          this.lastError = undefined;
        })
        .catch((error: unknown) => {
          this.lastError = error instanceof Error ? error.message : String(error);
          this.options.onError?.(error);
        })
        .finally(() => this.schedule(this.options.intervalMs));
    }, delay);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.isStopped = true;
    clearTimeout(this.timer);
    await this.running;
    this.options.transport.close();
  }
}
