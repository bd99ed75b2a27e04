-- Units sold reach products.units_sold in batches. A paid order used to update its products'
-- rows in the payment's transaction: that row lock was held until the commit's WAL flush (every
-- payment of a popular product waited for the one before it), and because units_sold and
-- updated_at are indexed, each such update was a non-HOT update writing new entries into every
-- index of products, three GIN indexes among them. A payment (or a cancellation of a paid order)
-- now appends its units here, without locks, and the worker folds them into products every few
-- seconds (foldPendingUnitsSold): one update per product per pass.
CREATE TABLE product_units_sold_pending (
  product_id bigint NOT NULL,
  quantity   integer NOT NULL,
  added_at   timestamptz NOT NULL DEFAULT now()
);
