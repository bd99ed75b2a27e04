-- Two catalogue indexes duplicated others and were paid for on every insert (a legacy import adds
-- 100,000 variants and 25,000 products in a few statements; index maintenance was most of it):
-- - product_variants_product_idx (product_id): product_variants_filter_idx (product_id, size,
--   lower(colour), price_cents) leads with the same column and serves every lookup by product,
--   including the cascade of a product's delete and the foreign-key checks of order lines;
-- - products_newest_idx (created_at DESC, id DESC) WHERE status = 'published':
--   products_listing_idx (status, created_at DESC, id DESC) gives the same order for
--   status = 'published', the only way the newest listing is read.
-- Same query results; one index fewer to write per variant and per product.
DROP INDEX IF EXISTS product_variants_product_idx;
DROP INDEX IF EXISTS products_newest_idx;
