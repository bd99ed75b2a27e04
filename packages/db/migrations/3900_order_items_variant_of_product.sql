-- An order line names its variant and that variant's product. Two single-column foreign keys
-- (variant_id → product_variants, product_id → products) checked that both exist, not that the
-- variant belongs to the product: a line could name one product's variant and another product.
-- One composite key (variant_id, product_id) → product_variants (id, product_id) checks both at
-- once, and more: the variant exists, it is a variant of the line's product, and (through
-- product_variants.product_id → products) the product exists. One foreign-key probe per line
-- instead of two (a legacy import writes 100,000 lines in one statement). Deleting a product or a
-- variant that was sold stays refused, as before (NO ACTION, through the variants' cascade).
ALTER TABLE product_variants ADD CONSTRAINT product_variants_id_product_key UNIQUE (id, product_id);
ALTER TABLE order_items
  ADD CONSTRAINT order_items_variant_of_product_fkey FOREIGN KEY (variant_id, product_id) REFERENCES product_variants (id, product_id),
  DROP CONSTRAINT order_items_variant_id_fkey,
  DROP CONSTRAINT order_items_product_id_fkey;
