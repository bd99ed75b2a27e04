-- orders_ship_geo_idx (ship_country, ship_region) serves no query: sales by geography are answered
-- from the lake (the nightly extract copies the ship-to columns, DuckDB groups them), checkout
-- reads an order by id, buyer or status, and the legacy import matches orders by legacy_id. Yet
-- every order wrote an entry when it was placed and another when it was paid (a status change is
-- never a HOT update: status and updated_at are indexed), and every imported order one more.
DROP INDEX IF EXISTS orders_ship_geo_idx;
