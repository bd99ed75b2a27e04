import type { Page } from 'playwright-core';

export interface E2eAddress {
  recipientName: string;
  country: string;
  line1: string;
  city: string;
  /** State / province code for US and CA, free text elsewhere. */
  region: string;
  postalCode: string;
}

export const NEW_YORK: E2eAddress = { recipientName: 'Ada Lovelace', country: 'US', line1: '350 Fifth Avenue', city: 'New York', region: 'NY', postalCode: '10118' };

/** Fills the checkout's address step (a new address) and continues to the shipping step. */
export async function fillAddress(page: Page, address: E2eAddress): Promise<void> {
  await page.getByLabel('Country').selectOption(address.country);
  await page.getByLabel('Full name').fill(address.recipientName);
  await page.getByLabel('Street address').fill(address.line1);
  await page.getByLabel('City').fill(address.city);
  const region = page.locator('#ship-region');
  if ((await region.evaluate((element) => element.tagName)) === 'SELECT') await region.selectOption(address.region);
  else await region.fill(address.region);
  await page.locator('#ship-postalCode').fill(address.postalCode);
}

/** Address → shipping method → review: leaves the page at the payment form. */
export async function shipTo(page: Page, address: E2eAddress | undefined, method?: RegExp): Promise<void> {
  if (address) await fillAddress(page, address);
  await page.getByRole('button', { name: 'Continue to shipping' }).click();
  await page.getByRole('heading', { name: 'Shipping method' }).waitFor();
  if (method) {
    const answered = page.waitForResponse((response) => response.url().endsWith('/api/checkout/quote'));
    await page.getByRole('radio', { name: method }).check();
    await answered;
  }
  await page.getByRole('button', { name: 'Review order' }).click();
  await page.getByLabel('Card number').waitFor();
}
