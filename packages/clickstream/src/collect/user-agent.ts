import { isbot } from 'isbot';

import type { DeviceClass } from './event.js';

/**
 * True when the user agent is missing or identifies an automated client: crawlers, monitoring,
 * headless browsers and HTTP libraries, by the `isbot` package's maintained list (it covers every
 * pattern the hand-written one had, and keeps up with new crawlers). A bot is *marked* (`is_bot`),
 * never dropped, so a false positive only moves an event out of the human-traffic figures.
 */
export function isBotUserAgent(userAgent: string | undefined): boolean {
  if (!userAgent || userAgent.trim() === '') return true;
  return isbot(userAgent);
}

/** Device class from a user agent, for events that did not report one. */
export function deviceFromUserAgent(userAgent: string | undefined): DeviceClass {
  if (!userAgent) return 'other';
  if (/ipad|tablet|kindle|silk|playbook|(android(?!.*mobile))/i.test(userAgent)) return 'tablet';
  if (/mobi|iphone|ipod|android.*mobile|windows phone|blackberry/i.test(userAgent)) return 'mobile';
  if (/windows nt|macintosh|x11|linux|cros/i.test(userAgent)) return 'desktop';
  return 'other';
}
