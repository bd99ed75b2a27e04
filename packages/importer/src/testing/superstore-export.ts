import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

import { Random } from '@threadline/demo';

/**
 * A deterministic order-line export of the shape of a widely used public retail dataset (Row ID,
 * Order ID, Order Date, Ship Date, Ship Mode, Customer ID, Customer Name, Segment, Country, City,
 * State, Postal Code, Region, Product ID, Category, Sub-Category, Product Name, Sales, Quantity,
 * Discount, Profit), generated — never a copy of the dataset. It carries the conflicts real
 * exports have: product ids with several names, orders whose lines name different customers,
 * a bad line inside a multi-line order, countries by name and by code, sales with 4 decimals.
 */

export const SUPERSTORE_HEADERS = [
  'Row ID', 'Order ID', 'Order Date', 'Ship Date', 'Ship Mode', 'Customer ID', 'Customer Name', 'Segment', 'Country',
  'City', 'State', 'Postal Code', 'Region', 'Product ID', 'Category', 'Sub-Category', 'Product Name', 'Sales',
  'Quantity', 'Discount', 'Profit',
] as const;

export type SuperstoreLine = Record<(typeof SUPERSTORE_HEADERS)[number], string>;

export interface SuperstoreExport {
  lines: SuperstoreLine[];
  /** orders whose lines name two customers */
  mixedCustomerOrders: string[];
  /** orders with one unreadable line (its Sales cell) */
  badLineOrders: string[];
  /** product ids that carry two names */
  renamedProducts: string[];
}

const PLACES = [
  ['New York City', 'New York', '10024', 'East'], ['Philadelphia', 'Pennsylvania', '19143', 'East'],
  ['Burlington', 'Vermont', '5408', 'East'], ['Chicago', 'Illinois', '60610', 'Central'],
  ['Houston', 'Texas', '77095', 'Central'], ['Detroit', 'Michigan', '48205', 'Central'],
  ['Los Angeles', 'California', '90036', 'West'], ['Seattle', 'Washington', '98103', 'West'],
  ['Denver', 'Colorado', '80219', 'West'], ['Jacksonville', 'Florida', '32216', 'South'],
  ['Atlanta', 'Georgia', '30318', 'South'], ['Nashville', 'Tennessee', '37211', 'South'],
] as const;
const CATEGORIES = [
  ['Furniture', ['Bookcases', 'Chairs', 'Tables', 'Furnishings']],
  ['Office Supplies', ['Binders', 'Paper', 'Storage', 'Art', 'Labels']],
  ['Technology', ['Phones', 'Accessories', 'Machines', 'Copiers']],
] as const;
const SEGMENTS = ['Consumer', 'Corporate', 'Home Office'] as const;
const SHIP_MODES = ['Standard Class', 'Second Class', 'First Class', 'Same Day'] as const;
const COUNTRY_SPELLINGS = ['United States', 'United States', 'United States', 'United States of America', 'US', 'USA'] as const;
const DISCOUNTS = ['0', '0', '0', '0.1', '0.2', '0.2', '0.3', '0.45', '0.7', '0.8'] as const;

function usDate(date: Date): string {
  return `${date.getUTCMonth() + 1}/${date.getUTCDate()}/${date.getUTCFullYear()}`;
}

/** Amount in ten-thousandths → text with up to 4 decimals, as the dataset writes it ("16.448"). */
function decimalText(tenThousandths: number): string {
  const sign = tenThousandths < 0 ? '-' : '';
  const abs = Math.abs(tenThousandths);
  const fraction = String(abs % 10_000).padStart(4, '0').replace(/0+$/, '');
  return `${sign}${Math.floor(abs / 10_000)}${fraction ? `.${fraction}` : ''}`;
}

export function generateSuperstoreExport(options: { orders: number; seed?: number }): SuperstoreExport {
  const random = new Random(options.seed ?? 15);
  const next = (): number => random.next();
  const pick = <T>(items: readonly T[]): T => random.pick(items);
  const productCount = Math.max(40, Math.round(options.orders / 3));
  const products = Array.from({ length: productCount }, (_, index) => {
    const [category, subs] = pick(CATEGORIES);
    const sub = pick(subs);
    const id = `${category.slice(0, 3).toUpperCase()}-${sub.slice(0, 2).toUpperCase()}-${String(10_000_000 + index * 37).padStart(8, '0')}`;
    // list price in ten-thousandths of a dollar, with sub-cent precision as the dataset has
    const listPrice = Math.round((2 + next() * 900) * 10_000) + Math.floor(next() * 10) * 8;
    return { id, category, sub, name: `${sub} model ${index}, ${pick(['black', 'oak', '"Classic"', 'grey'])}`, listPrice, renamed: undefined as string | undefined };
  });
  const renamedProducts: string[] = [];
  for (let index = 0; index < Math.min(32, products.length / 4); index += 1) {
    const product = products[index * 3]!; // index * 3 < length
    product.renamed = `${product.name} (new packaging)`;
    renamedProducts.push(product.id);
  }
  const customerCount = Math.max(20, Math.round(options.orders / 4));
  const customers = Array.from({ length: customerCount }, (_, index) => ({
    id: `${String.fromCharCode(65 + (index % 26))}${String.fromCharCode(65 + ((index * 7) % 26))}-${10_000 + index * 15}`,
    name: `Customer ${index}`,
    segment: pick(SEGMENTS),
  }));
  const lines: SuperstoreLine[] = [];
  const mixedCustomerOrders: string[] = [];
  const badLineOrders: string[] = [];
  const start = Date.UTC(2014, 0, 3);
  const span = Date.UTC(2017, 11, 30) - start;
  for (let index = 0; index < options.orders; index += 1) {
    const placed = new Date(start + Math.floor((next() * span) / 86_400_000) * 86_400_000);
    const shipped = new Date(placed.getTime() + Math.floor(next() * 7) * 86_400_000);
    const year = placed.getUTCFullYear();
    const orderId = `${pick(['CA', 'US'])}-${year}-${100_000 + index * 7}`;
    const customer = pick(customers);
    const [city, state, postal, territory] = pick(PLACES);
    const country = pick(COUNTRY_SPELLINGS);
    // one ship mode per order, as the dataset has it
    const shipMode = pick(SHIP_MODES);
    const lineCount = 1 + Math.floor(next() * 5);
    const isMixed = index % 250 === 17 && lineCount > 1;
    const isBad = index % 300 === 41 && lineCount > 1;
    if (isMixed) mixedCustomerOrders.push(orderId);
    if (isBad) badLineOrders.push(orderId);
    for (let line = 0; line < lineCount; line += 1) {
      const product = pick(products);
      const quantity = 1 + Math.floor(next() * 9);
      const discount = pick(DISCOUNTS);
      // sales = list price × quantity × (1 − discount), kept to 4 decimals as the dataset does
      const sales = Math.round((product.listPrice * quantity * (10 - Number(discount) * 10)) / 10);
      const profit = Math.round(sales * (0.35 - Number(discount)) );
      const buyer = isMixed && line === lineCount - 1 ? customers[(customers.indexOf(customer) + 1) % customers.length]! : customer;
      const name = product.renamed !== undefined && year >= 2016 ? product.renamed : product.name;
      lines.push({
        'Row ID': String(lines.length + 1),
        'Order ID': orderId,
        'Order Date': usDate(placed),
        'Ship Date': usDate(shipped),
        'Ship Mode': shipMode,
        'Customer ID': buyer.id,
        'Customer Name': buyer.name,
        Segment: buyer.segment,
        Country: country,
        City: city,
        State: state,
        'Postal Code': postal,
        Region: territory,
        'Product ID': product.id,
        Category: product.category,
        'Sub-Category': product.sub,
        'Product Name': name,
        Sales: isBad && line === 1 ? 'n/a' : decimalText(sales),
        Quantity: String(quantity),
        Discount: discount,
        Profit: decimalText(profit),
      });
    }
  }
  return { lines, mixedCustomerOrders, badLineOrders, renamedProducts };
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Writes the lines as a CSV file with the dataset's header. */
export async function writeSuperstoreCsv(file: string, lines: readonly SuperstoreLine[]): Promise<void> {
  const out = createWriteStream(file);
  out.write(`${SUPERSTORE_HEADERS.join(',')}\n`);
  for (const line of lines) {
    if (!out.write(`${SUPERSTORE_HEADERS.map((header) => csvCell(line[header])).join(',')}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
