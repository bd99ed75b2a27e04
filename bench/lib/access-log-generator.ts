import { createWriteStream } from 'node:fs';

const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
];
const PATHS = ['/', '/products?page=2', '/p/1042', '/p/77?utm_source=flyer', '/cart', '/static/app.4f2a.css', '/healthz', '/search?q=jacket'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Writes `lines` Combined Log Format lines over ~90 days, deterministic (no Math.random). */
export async function writeCombinedLog(file: string, lines: number): Promise<void> {
  const out = createWriteStream(file);
  // mulberry32: integer arithmetic stays exact (the former LCG overflowed doubles, so every line
  // had the same address octets, path and agent, and the bench measured one visitor's log)
  let state = 42;
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return (mixed ^ (mixed >>> 14)) >>> 0;
  };
  const start = Date.UTC(2025, 0, 1);
  let chunk = '';
  for (let index = 0; index < lines; index += 1) {
    const time = new Date(start + Math.floor((index / lines) * 90 * 86_400_000));
    const stamp = `${String(time.getUTCDate()).padStart(2, '0')}/${MONTHS[time.getUTCMonth()]}/${time.getUTCFullYear()}:${String(time.getUTCHours()).padStart(2, '0')}:${String(time.getUTCMinutes()).padStart(2, '0')}:${String(time.getUTCSeconds()).padStart(2, '0')} +0000`;
    const ip = `203.0.${next() % 256}.${next() % 256}`;
    const target = PATHS[next() % PATHS.length];
    const agent = AGENTS[next() % AGENTS.length];
    chunk += `${ip} - - [${stamp}] "GET ${target} HTTP/1.1" 200 ${next() % 50_000} "https://www.example.com/" "${agent}"\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      chunk = '';
    }
  }
  out.end(chunk);
  await new Promise<void>((resolve, reject) => out.once('finish', () => resolve()).once('error', reject));
}
