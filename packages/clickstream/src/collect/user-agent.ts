import type { DeviceClass } from './event.js';

// Self-identified crawlers, monitoring, headless browsers and HTTP libraries. Matching is on
// purpose generous: a bot is *marked* (`is_bot`), never dropped, so a false positive only moves
// an event out of the human-traffic figures and stays visible in the lake.
const BOT_PATTERN =
  /bot\b|bot\/|crawl|spider|slurp|bingpreview|mediapartners|facebookexternalhit|headlesschrome|lighthouse|pingdom|uptimerobot|statuscake|curl\/|wget\/|python-requests|python-urllib|aiohttp|go-http-client|java\/|okhttp|node-fetch|axios\/|undici|phantomjs|scrapy|httpclient|libwww|semrush|ahrefs|petalbot|yandex|baiduspider|duckduckbot/i;

/** True when the user agent is missing or identifies an automated client. */
export function isBotUserAgent(userAgent: string | undefined): boolean {
  if (!userAgent || userAgent.trim() === '') return true;
  return BOT_PATTERN.test(userAgent);
}

/** Device class from a user agent, for events that did not report one. */
export function deviceFromUserAgent(userAgent: string | undefined): DeviceClass {
  if (!userAgent) return 'other';
  if (/ipad|tablet|kindle|silk|playbook|(android(?!.*mobile))/i.test(userAgent)) return 'tablet';
  if (/mobi|iphone|ipod|android.*mobile|windows phone|blackberry/i.test(userAgent)) return 'mobile';
  if (/windows nt|macintosh|x11|linux|cros/i.test(userAgent)) return 'desktop';
  return 'other';
}
