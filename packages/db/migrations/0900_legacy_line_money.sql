-- Real exports, imported as they are (issue 15).

-- Line money as the old system booked it: the line total (after discount) is the amount of record,
-- rounded once to minor units; the unit price is derived from it. Lines written by the shop itself
-- leave line_total_cents out and get quantity × unit price from the trigger, so checkout code and
-- old rows need no change.
ALTER TABLE order_items
  ADD COLUMN line_total_cents integer CHECK (line_total_cents >= 0),
  -- fraction of the list price taken off (0.2 = 20 %), as the export gave it
  ADD COLUMN discount_rate    numeric(5, 4) CHECK (discount_rate >= 0 AND discount_rate <= 1),
  -- optional cost and profit of the line, kept for analysis only (profit may be negative)
  ADD COLUMN cost_cents       integer CHECK (cost_cents >= 0),
  ADD COLUMN profit_cents     integer;
UPDATE order_items SET line_total_cents = quantity * unit_price_cents;
ALTER TABLE order_items ALTER COLUMN line_total_cents SET NOT NULL;

CREATE FUNCTION order_items_default_line_total() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.line_total_cents IS NULL THEN
    NEW.line_total_cents := NEW.quantity * NEW.unit_price_cents;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER order_items_line_total BEFORE INSERT ON order_items
  FOR EACH ROW EXECUTE FUNCTION order_items_default_line_total();

-- Legacy customers often have no e-mail. They are kept (and claimable once an e-mail is added);
-- every account that signs up still gives one (the API requires it).
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;

-- A product id that carried several names in the old system: the latest name is the product's,
-- every name it had is listed here with the period it was used, so nothing is merged silently.
CREATE TABLE product_name_history (
  product_id   bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  first_seen   timestamptz,
  last_seen    timestamptz,
  source       text NOT NULL DEFAULT 'legacy',
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (product_id, name)
);

-- An order whose lines named different customers may be split on request; each part keeps the
-- old order number it came from.
ALTER TABLE orders ADD COLUMN legacy_split_of text;
