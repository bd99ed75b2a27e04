-- Listing support for the shop API: the cheapest variant price is kept on the product, so that
-- sorting and paging by price is an index scan instead of an aggregate over every variant.
ALTER TABLE products ADD COLUMN min_price_cents integer;

UPDATE products p
   SET min_price_cents = (SELECT min(v.price_cents) FROM product_variants v WHERE v.product_id = p.id);

-- Statement-level triggers with transition tables: a bulk insert of 60,000 variants recomputes
-- each touched product once, not once per row.
CREATE FUNCTION refresh_min_price_from_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE products p
     SET min_price_cents = (SELECT min(v.price_cents) FROM product_variants v WHERE v.product_id = p.id)
   WHERE p.id IN (SELECT DISTINCT product_id FROM changed_rows);
  RETURN NULL;
END $$;

CREATE TRIGGER product_variants_min_price_insert AFTER INSERT ON product_variants
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION refresh_min_price_from_new();
-- stock changes on every checkout: only a price change may touch the product row
CREATE FUNCTION refresh_min_price_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE products p
     SET min_price_cents = (SELECT min(v.price_cents) FROM product_variants v WHERE v.product_id = p.id)
   WHERE p.id = NEW.product_id;
  RETURN NULL;
END $$;
CREATE TRIGGER product_variants_min_price_update AFTER UPDATE OF price_cents ON product_variants
  FOR EACH ROW WHEN (OLD.price_cents IS DISTINCT FROM NEW.price_cents) EXECUTE FUNCTION refresh_min_price_row();
CREATE TRIGGER product_variants_min_price_delete AFTER DELETE ON product_variants
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION refresh_min_price_from_new();

-- keyset paging for each sort of the product list (published products only are listed)
CREATE INDEX products_price_idx ON products (min_price_cents, id) WHERE status = 'published';
CREATE INDEX products_popular_idx ON products (units_sold DESC, id DESC) WHERE status = 'published';
CREATE INDEX products_newest_idx ON products (created_at DESC, id DESC) WHERE status = 'published';
-- filters by size / colour look variants up by product
CREATE INDEX product_variants_size_colour_idx ON product_variants (size, colour);
-- a seller's order list
CREATE INDEX order_items_seller_order_idx ON order_items (seller_id, order_id DESC);
-- the admin user search
CREATE INDEX users_created_idx ON users (created_at DESC, id DESC);
