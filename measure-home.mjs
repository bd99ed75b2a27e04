import { chromium } from 'playwright-core';
const url = process.argv[2];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
for (const isPhone of [false, true]) {
  const context = await browser.newContext({ viewport: isPhone ? { width: 390, height: 844 } : { width: 1366, height: 900 }, isMobile: isPhone, hasTouch: isPhone });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const types = new Map(); const urls = new Map();
  let total = 0, js = 0, n = 0; const byType = {};
  cdp.on('Network.responseReceived', (e) => { types.set(e.requestId, e.type); urls.set(e.requestId, e.response.url); });
  cdp.on('Network.loadingFinished', (e) => { n++; total += e.encodedDataLength; const t = types.get(e.requestId); byType[t] = (byType[t] ?? 0) + e.encodedDataLength; if (t === 'Script') js += e.encodedDataLength; });
  await page.goto(url, { waitUntil: 'networkidle' });
  const lcp = await page.evaluate(`new Promise((r) => new PerformanceObserver((l) => { const e = l.getEntries(); r(e[e.length-1]?.startTime ?? null); }).observe({ type: 'largest-contentful-paint', buffered: true }))`);
  console.log(JSON.stringify({ isPhone, total, js, n, byType, lcp: Math.round(lcp) }));
  if (!isPhone) await page.screenshot({ path: '/tmp/store18-home.png' });
  await context.close();
}
await browser.close();
