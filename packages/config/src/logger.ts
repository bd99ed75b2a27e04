import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * The process logger: JSON lines for machines; short human lines when the launcher runs in a
 * terminal (THREADLINE_LOG_FORMAT=pretty), where it prefixes each line with the tier name.
 */
export function createLogger(options: { name: string; level?: string; isPretty?: boolean }): Logger {
  return pino({
    name: options.name,
    level: options.level ?? 'info',
    ...(options.isPretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: { colorize: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname,name', singleLine: true },
          },
        }
      : {}),
    redact: {
      paths: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-csrf-token"]', '*.password', '*.card'],
      censor: '[redacted]',
    },
  });
}
