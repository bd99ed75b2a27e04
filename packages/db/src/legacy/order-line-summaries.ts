import type { StagedOrderLine } from './staged-order-line.js';

/**
 * What a flat order-line export says about its products, variants, categories, customers and
 * orders, summarised in one pass over the parsed lines (hash maps, no sorting). The set-based
 * upserts then read these small tables instead of sorting and grouping every staged line once
 * per statement (each such pass cost a sort of the whole file in the database). Pure: lines in,
 * summaries out; "latest" means the latest order date, then the highest row number.
 */

export interface LineProduct {
  productLegacyId: string;
  /** the name on the product's latest line */
  latestName: string;
  /** category of the latest line: its sub-category's slug, else its category's, else 'uncategorised' */
  slug: string;
  /** earliest mapped creation date, when the export maps one */
  mappedCreatedAt: Date | null;
  /** the mapped creation date, else the first sale */
  bornAt: Date;
  /**
   * units of paid, shipped and delivered lines: a new product starts with what refreshProductCounters
   * counts once the lines are written, so that refresh finds it right and leaves it alone (rewriting
   * every new product once more also rewrote its entries in the GIN indexes of products)
   */
  unitsSold: number;
}

export interface LineVariant {
  variantSku: string;
  productLegacyId: string | null;
  size: string;
  colour: string;
  unitPriceCents: number;
}

export interface LineCategory {
  slug: string;
  name: string;
  /** the category a sub-category belongs to; null for a category */
  parentSlug: string | null;
  isSub: boolean;
}

/** One name a product carried in the file, and when (for product_name_history) */
export interface LineProductName {
  productLegacyId: string;
  name: string;
  firstSeen: Date;
  lastSeen: Date;
}

export interface LineCustomer {
  customerLegacyId: string;
  /** name, segment and e-mail of the customer's latest line */
  name: string;
  segment: string | null;
  email: string | null;
  firstOrder: Date;
}

export interface LineOrder {
  orderKey: string;
  /** the order's first line by row number: the order's own fields (date, status, ship-to…) are its */
  first: StagedOrderLine;
  subtotalCents: number;
  shippingCents: number;
  shippedAt: Date | null;
}

export interface LineSummaries {
  products: LineProduct[];
  variants: LineVariant[];
  categories: LineCategory[];
  productNames: LineProductName[];
  customers: LineCustomer[];
  orders: LineOrder[];
}

const SOLD_STATUSES = new Set(['paid', 'shipped', 'delivered']);

function isLater(line: StagedOrderLine, than: StagedOrderLine): boolean {
  const a = line.placedAt.getTime();
  const b = than.placedAt.getTime();
  return a > b || (a === b && line.rowNumber > than.rowNumber);
}

function earlier(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return a.getTime() <= b.getTime() ? a : b;
}

function later(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return a.getTime() >= b.getTime() ? a : b;
}

/** Summarises the lines of an export in one pass; see the module comment. */
export function summariseOrderLines(lines: readonly StagedOrderLine[]): LineSummaries {
  const products = new Map<string, { latest: StagedOrderLine; mapped: Date | null; firstSale: Date; units: number }>();
  const variants = new Map<string, StagedOrderLine>();
  const categories = new Map<string, StagedOrderLine>();
  const subCategories = new Map<string, StagedOrderLine>();
  const names = new Map<string, Map<string, LineProductName>>();
  const customers = new Map<string, { latest: StagedOrderLine; firstOrder: Date }>();
  const orders = new Map<string, LineOrder>();
  // the lines of an order come one after another (the plan keeps them together): the previous
  // line's order is checked before looking the order up
  let previous: LineOrder | undefined;
  for (const line of lines) {
    const order = previous !== undefined && previous.orderKey === line.orderKey ? previous : orders.get(line.orderKey);
    if (order === undefined) {
      previous = { orderKey: line.orderKey, first: line, subtotalCents: line.lineTotalCents, shippingCents: line.shippingCents, shippedAt: line.shippedAt };
      orders.set(line.orderKey, previous);
    } else {
      previous = order;
      if (line.rowNumber < order.first.rowNumber) order.first = line;
      order.subtotalCents += line.lineTotalCents;
      order.shippingCents = Math.max(order.shippingCents, line.shippingCents);
      order.shippedAt = later(order.shippedAt, line.shippedAt);
    }
    if (line.customerLegacyId !== null && line.customerName !== null) {
      const customer = customers.get(line.customerLegacyId);
      if (customer === undefined) customers.set(line.customerLegacyId, { latest: line, firstOrder: line.placedAt });
      else {
        if (isLater(line, customer.latest)) customer.latest = line;
        if (line.placedAt.getTime() < customer.firstOrder.getTime()) customer.firstOrder = line.placedAt;
      }
    }
    if (line.productName === null) continue;
    if (line.productLegacyId !== null) {
      const product = products.get(line.productLegacyId);
      const units = SOLD_STATUSES.has(line.status) ? line.quantity : 0;
      if (product === undefined) {
        products.set(line.productLegacyId, { latest: line, mapped: line.productCreatedAt, firstSale: line.placedAt, units });
      } else {
        if (isLater(line, product.latest)) product.latest = line;
        product.mapped = earlier(product.mapped, line.productCreatedAt);
        if (line.placedAt.getTime() < product.firstSale.getTime()) product.firstSale = line.placedAt;
        product.units += units;
      }
      let used = names.get(line.productLegacyId);
      if (used === undefined) {
        used = new Map<string, LineProductName>();
        names.set(line.productLegacyId, used);
      }
      const name = used.get(line.productName);
      if (name === undefined) {
        used.set(line.productName, { productLegacyId: line.productLegacyId, name: line.productName, firstSeen: line.placedAt, lastSeen: line.placedAt });
      } else {
        if (line.placedAt.getTime() < name.firstSeen.getTime()) name.firstSeen = line.placedAt;
        if (line.placedAt.getTime() > name.lastSeen.getTime()) name.lastSeen = line.placedAt;
      }
    }
    if (line.variantSku !== null) {
      const variant = variants.get(line.variantSku);
      if (variant === undefined || isLater(line, variant)) variants.set(line.variantSku, line);
    }
    // a category's (and a sub-category's) name and parent come from its first row
    if (line.categorySlug !== null) {
      const seen = categories.get(line.categorySlug);
      if (seen === undefined || line.rowNumber < seen.rowNumber) categories.set(line.categorySlug, line);
    }
    if (line.subCategorySlug !== null) {
      const seen = subCategories.get(line.subCategorySlug);
      if (seen === undefined || line.rowNumber < seen.rowNumber) subCategories.set(line.subCategorySlug, line);
    }
  }
  return {
    products: [...products].map(([productLegacyId, { latest, mapped, firstSale, units }]) => ({
      productLegacyId,
      latestName: latest.productName ?? '', // only lines with a name are summarised
      slug: latest.subCategorySlug ?? latest.categorySlug ?? 'uncategorised',
      mappedCreatedAt: mapped,
      bornAt: mapped ?? firstSale,
      unitsSold: units,
    })),
    variants: [...variants].map(([variantSku, line]) => ({
      variantSku, productLegacyId: line.productLegacyId, size: line.size ?? 'One size', colour: line.colour ?? 'Default', unitPriceCents: line.unitPriceCents,
    })),
    categories: [
      ...[...categories].map(([slug, line]) => ({ slug, name: line.categoryName ?? slug, parentSlug: null, isSub: false })),
      ...[...subCategories].map(([slug, line]) => ({ slug, name: line.subCategoryName ?? slug, parentSlug: line.categorySlug, isSub: true })),
    ],
    productNames: [...names.values()].flatMap((used) => [...used.values()]),
    customers: [...customers].map(([customerLegacyId, { latest, firstOrder }]) => ({
      customerLegacyId,
      name: latest.customerName ?? '', // only lines with a name are summarised
      segment: latest.customerSegment,
      email: latest.customerEmail,
      firstOrder,
    })),
    orders: [...orders.values()],
  };
}
