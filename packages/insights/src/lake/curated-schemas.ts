/**
 * Columns the analyses read from each dataset, with DuckDB types. They mirror what the nightly
 * pipeline publishes (packages/pipeline/src/extract/build-datasets.ts) and the survey import writes.
 * When a dataset has no files yet (a shop before its first nightly run), an empty table with these
 * columns stands in, so every dashboard answers with an empty state instead of an error.
 */
export const INSIGHT_DATASETS = {
  sales: {
    zone: 'curated',
    columns: {
      dt: 'DATE',
      order_item_id: 'BIGINT',
      order_id: 'BIGINT',
      placed_at: 'TIMESTAMPTZ',
      placed_date: 'DATE',
      status: 'VARCHAR',
      source: 'VARCHAR',
      customer_key: 'VARCHAR',
      age_band: 'VARCHAR',
      gender: 'VARCHAR',
      country: 'VARCHAR',
      region: 'VARCHAR',
      ship_country: 'VARCHAR',
      ship_region: 'VARCHAR',
      sales_territory: 'VARCHAR',
      shipping_method: 'VARCHAR',
      is_returning: 'BOOLEAN',
      product_id: 'BIGINT',
      product_name: 'VARCHAR',
      category_slug: 'VARCHAR',
      category_name: 'VARCHAR',
      quantity: 'BIGINT',
      unit_price_cents: 'BIGINT',
      line_total_cents: 'BIGINT',
    },
  },
  sales_orders: {
    // one row per sold order, written beside sales by the nightly run (segments/sales-orders.ts):
    // what the segments dashboard counts orders and customers from when it covers the window
    zone: 'curated',
    columns: {
      dt: 'DATE',
      order_id: 'BIGINT',
      placed_date: 'DATE',
      customer_key: 'VARCHAR',
      age_band: 'VARCHAR',
      gender: 'VARCHAR',
      region: 'VARCHAR',
      is_returning: 'BOOLEAN',
      ship_country: 'VARCHAR',
      ship_region: 'VARCHAR',
      sales_territory: 'VARCHAR',
      category_slugs: 'VARCHAR[]',
      sold_lines: 'BIGINT',
      units: 'BIGINT',
      revenue_cents: 'BIGINT',
    },
  },
  reviews: {
    zone: 'curated',
    columns: {
      dt: 'DATE',
      review_id: 'BIGINT',
      product_id: 'BIGINT',
      product_name: 'VARCHAR',
      category_slug: 'VARCHAR',
      rating: 'INTEGER',
      title: 'VARCHAR',
      body: 'VARCHAR',
      created_at: 'TIMESTAMPTZ',
      age_band: 'VARCHAR',
      gender: 'VARCHAR',
      region: 'VARCHAR',
    },
  },
  product_day: {
    zone: 'curated',
    columns: {
      dt: 'DATE',
      product_id: 'BIGINT',
      product_name: 'VARCHAR',
      category_slug: 'VARCHAR',
      views: 'BIGINT',
      carts: 'BIGINT',
      orders: 'BIGINT',
      units_sold: 'BIGINT',
      revenue_cents: 'BIGINT',
      stock_on_hand: 'BIGINT',
    },
  },
  products: {
    zone: 'curated',
    columns: {
      dt: 'DATE',
      product_id: 'BIGINT',
      product_name: 'VARCHAR',
      category_slug: 'VARCHAR',
      category_name: 'VARCHAR',
      stock_on_hand: 'BIGINT',
    },
  },
  survey_responses: {
    zone: 'raw',
    dir: 'survey',
    columns: {
      upload_date: 'DATE',
      response_date: 'DATE',
      age_band: 'VARCHAR',
      gender: 'VARCHAR',
      region: 'VARCHAR',
      channel: 'VARCHAR',
      free_text: 'VARCHAR',
    },
  },
  clickstream_hourly: {
    // the clickstream's hourly rollup (packages/clickstream/src/delivery/rollup.ts), rebuilt at
    // every compaction: one file per UTC day
    zone: 'curated',
    columns: {
      dt: 'DATE',
      hour_utc: 'TIMESTAMPTZ',
      local_hour: 'TIMESTAMP',
      time_zone: 'VARCHAR',
      region: 'VARCHAR',
      device: 'VARCHAR',
      is_bot: 'BOOLEAN',
      // 'live' or 'import' (history from old web server logs); NULL in rollups built before it existed = live
      source: 'VARCHAR',
      page_views: 'BIGINT',
      events: 'BIGINT',
      sessions: 'BIGINT',
      visitors: 'BIGINT',
      add_to_carts: 'BIGINT',
      conversions: 'BIGINT',
      revenue_cents: 'BIGINT',
      requests: 'BIGINT',
    },
  },
} as const;

export type InsightDataset = keyof typeof INSIGHT_DATASETS;
