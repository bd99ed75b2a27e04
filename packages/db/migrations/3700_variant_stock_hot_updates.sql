-- Every sale decrements a variant's stock, and every cancelled or expired order puts it back; the
-- updated_at trigger then changes updated_at too. With updated_at in an index, none of those
-- updates could be HOT: each wrote a new entry into all nine indexes of product_variants (about
-- eight of the ~73 WAL records of a paid order, and index bloat on the catalogue's hottest rows).
-- Nothing reads variants by updated_at: the nightly extract copies every variant, the storefront
-- and back office look them up by id, product or filter. Without the index, a stock change
-- touches no indexed column and is a HOT update wherever the page has room (it makes room by
-- pruning); updated_at itself is still kept by the trigger.
DROP INDEX IF EXISTS product_variants_updated_at_idx;
