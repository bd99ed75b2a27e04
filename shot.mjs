import { chromium } from 'playwright-core';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, baseURL: 'http://127.0.0.1:8600' });
const page = await context.newPage();
await page.goto('/login');
await page.getByLabel('Email', { exact: true }).fill('admin@demo.threadline.dev');
await page.getByLabel('Password', { exact: true }).fill('threadline-demo');
await page.getByRole('button', { name: 'Sign in' }).click();
await page.locator('summary[aria-label^="Account menu"]').waitFor();
for (const [path, name] of [['/admin/insights/peak-hours', 'peak'], ['/admin/system', 'system']]) {
  await page.goto(path);
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(1500);
  const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  console.log(path, JSON.stringify(widths));
  if (name === 'peak') await page.locator('.insight-chart').first().screenshot({ path: `/tmp/store18-${name}.png` });
  else {
    const wide = await page.evaluate(() => [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 12).map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} ${Math.round(el.getBoundingClientRect().right)}`));
    console.log(wide.join('\n'));
    await page.screenshot({ path: `/tmp/store18-${name}.png` });
  }
}
await browser.close();
