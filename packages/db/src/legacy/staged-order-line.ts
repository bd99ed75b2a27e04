/** One order line as staged; `orderKey` is the order's legacy id (suffixed when split). */
export interface StagedOrderLine {
  rowNumber: number;
  orderKey: string;
  splitOf: string | null;
  customerLegacyId: string | null;
  customerEmail: string | null;
  customerName: string | null;
  customerSegment: string | null;
  productLegacyId: string | null;
  sku: string | null;
  /** the SKU the line resolves by: its own, or the one derived for products the lines create */
  variantSku: string | null;
  size: string | null;
  colour: string | null;
  productName: string | null;
  categorySlug: string | null;
  categoryName: string | null;
  subCategorySlug: string | null;
  subCategoryName: string | null;
  productCreatedAt: Date | null;
  placedAt: Date;
  shippedAt: Date | null;
  status: string;
  quantity: number;
  lineTotalCents: number;
  unitPriceCents: number;
  discountRate: number | null;
  costCents: number | null;
  profitCents: number | null;
  shippingCents: number;
  shipCountry: string | null;
  shipRegion: string | null;
  shipCity: string | null;
  shipPostalCode: string | null;
  salesTerritory: string | null;
  /** one of the shop's shipping method codes (the export's ship mode, mapped); the order keeps its name */
  shippingMethod: string | null;
}
