-- Ship-to geography on every order: the one address model that checkout (issue 17) fills from the
-- shopper's address and the legacy importer (issue 15) fills from an export's Country/State/City/
-- Postal Code columns. Only these geographic fields reach the lake; street lines and the
-- recipient's name stay in the database (checkout adds them in its own migration).
ALTER TABLE orders
  ADD COLUMN ship_country     char(2) CHECK (ship_country ~ '^[A-Z]{2}$'),
  ADD COLUMN ship_region      text CHECK (char_length(ship_region) <= 100),
  ADD COLUMN ship_city        text CHECK (char_length(ship_city) <= 100),
  ADD COLUMN ship_postal_code text CHECK (char_length(ship_postal_code) <= 20),
  -- a free label of the old system's own (a sales territory such as "Central"), not a geography
  ADD COLUMN sales_territory  text CHECK (char_length(sales_territory) <= 100);
CREATE INDEX orders_ship_geo_idx ON orders (ship_country, ship_region);
