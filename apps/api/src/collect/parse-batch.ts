import type { BatchEntry } from '@threadline/clickstream';

import { AppError } from '../errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a `/collect` body. JSON: `{ "events": [ … ] }` (also sent as text/plain by
 * `navigator.sendBeacon`, which cannot set application/json without a CORS preflight).
 * NDJSON: one event per line; a line that is not JSON is rejected alone, by line number.
 */
export function parseBatch(body: Buffer, contentType: string, maxEvents: number): BatchEntry[] {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new AppError('INVALID_UTF8', 'request body is not valid UTF-8');
  }
  if (contentType === 'application/x-ndjson' || contentType === 'application/ndjson') {
    const lines = text.split('\n');
    if (lines.at(-1)?.trim() === '') lines.pop();
    if (lines.length > maxEvents) throw tooMany(lines.length, maxEvents);
    return lines.map((line, index) => {
      try {
        return { raw: JSON.parse(line) };
      } catch {
        return { parseError: `line ${index + 1}: not valid JSON` };
      }
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AppError('INVALID_JSON', 'request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !('events' in parsed) || !Array.isArray(parsed.events)) {
    throw new AppError('VALIDATION_FAILED', 'expected { "events": [ … ] }', 'events');
  }
  const events: unknown[] = parsed.events;
  if (events.length > maxEvents) throw tooMany(events.length, maxEvents);
  return events.map((raw) => ({ raw }));
}

function tooMany(count: number, max: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `batch holds ${count} events; at most ${max} per request`, 'events');
}
