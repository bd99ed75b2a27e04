import { createSmtpTransport, MailDeliveryLoop } from '@threadline/mail';

import type { WorkerService } from '../context.js';

/** How often the outbox is checked for due mails. */
const INTERVAL_MS = 5_000;

/**
 * Delivers the e-mail outbox to `SMTP_URL` with retries and backoff. Without SMTP_URL the mails
 * stay in the outbox (the back office shows them) and this service does nothing.
 */
export const mailDeliveryService: WorkerService = {
  name: 'mail-delivery',
  async start(context) {
    const { smtpUrl, mailFrom, publicUrl } = context.config;
    if (smtpUrl === undefined) {
      context.logger.info('SMTP_URL is not set: e-mails stay in the outbox (back office → Outbox)');
      return { stop: async () => undefined };
    }
    const loop = new MailDeliveryLoop({
      pool: context.pool,
      transport: createSmtpTransport(smtpUrl),
      from: mailFrom,
      domain: new URL(publicUrl).hostname,
      intervalMs: INTERVAL_MS,
      onError: (error) => context.logger.error({ err: error }, 'mail delivery round failed'),
    });
    loop.start();
    return {
      stop: () => loop.stop(),
      async isReady() {
        if (loop.lastError) throw new Error(`mail delivery failing: ${loop.lastError}`);
      },
    };
  },
};
