-- Variant filters of the product list (size, colour case-insensitively, price). With these the
-- filter is an index probe per candidate product, or an index scan when the filter is selective,
-- instead of a scan of every variant.
CREATE INDEX product_variants_filter_idx ON product_variants (product_id, size, lower(colour), price_cents);
CREATE INDEX product_variants_colour_idx ON product_variants (lower(colour), size);
