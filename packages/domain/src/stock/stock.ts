/** Most units of one variant a single cart line or order line may hold. */
export const MAX_LINE_QUANTITY = 99;
/** At or below this many units a variant shows as "low stock". */
export const LOW_STOCK_THRESHOLD = 5;
/** Largest stock figure a seller may enter for one variant. */
export const MAX_STOCK = 1_000_000;

export type StockState = 'in_stock' | 'low_stock' | 'out_of_stock';

/**
 * What a shopper sees for a variant's stock.
 *
 * @example
 * stockState(3) // 'low_stock'
 */
export function stockState(stock: number): StockState {
  if (stock <= 0) return 'out_of_stock';
  if (stock <= LOW_STOCK_THRESHOLD) return 'low_stock';
  return 'in_stock';
}

/** True for a whole quantity a cart or order line may carry (1–MAX_LINE_QUANTITY). */
export function isValidLineQuantity(quantity: number): boolean {
  return Number.isSafeInteger(quantity) && quantity >= 1 && quantity <= MAX_LINE_QUANTITY;
}

/**
 * Adding to a cart line that exists adds quantities, but never past the line maximum: a second
 * "add to cart" of 60 on top of 60 leaves 99, not an error the shopper cannot act on.
 */
export function mergeLineQuantity(existing: number, added: number): number {
  return Math.min(MAX_LINE_QUANTITY, existing + added);
}

export interface StockRequest {
  variantId: number;
  quantity: number;
  /** Units on hand now. */
  available: number;
}

/**
 * The lines of a checkout that cannot be served from stock. Empty means the whole order fits.
 * The database's conditional decrement is the real guard; this names the lines for the error.
 */
export function findShortages(lines: readonly StockRequest[]): StockRequest[] {
  return lines.filter((line) => line.quantity > line.available);
}
