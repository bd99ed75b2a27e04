import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';

/** One rejected event as kept in the dead-letter file. */
export interface DeadLetter {
  receivedAt: string;
  index: number;
  reason: string;
  /** The event as sent, truncated; `userId` removed (the lake side never keeps it). */
  event: string;
}

/**
 * Appends rejected events to `<dir>/YYYY-MM-DD.ndjson` (UTC day of arrival) with their reason,
 * so a broken tracker can be diagnosed. Best effort: losing a dead letter never fails a batch.
 */
export async function writeDeadLetters(dir: string, receivedAt: number, letters: Array<{ index: number; reason: string; raw: unknown }>): Promise<void> {
  if (letters.length === 0) return;
  const iso = new Date(receivedAt).toISOString();
  const lines = letters.map(({ index, reason, raw }) => {
    const letter: DeadLetter = { receivedAt: iso, index, reason, event: redact(raw) };
    return `${JSON.stringify(letter)}\n`;
  });
  await mkdir(dir, { recursive: true });
  await appendFile(path.join(dir, `${iso.slice(0, 10)}.ndjson`), lines.join(''));
}

function redact(raw: unknown): string {
  let text: string;
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw) && 'userId' in raw) {
    text = JSON.stringify({ ...raw, userId: '[removed]' });
  } else {
    text = typeof raw === 'string' ? raw : (JSON.stringify(raw) ?? String(raw));
  }
  return text.length > 4096 ? `${text.slice(0, 4096)}…` : text;
}
