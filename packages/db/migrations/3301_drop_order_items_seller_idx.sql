-- order_items_seller_idx (seller_id) duplicated order_items_seller_order_idx (seller_id, order_id
-- DESC), which leads with the same column and serves every lookup by seller (a seller's order
-- list, the foreign-key check when a user is deleted). Each order line paid for both: a legacy
-- import writes 100,000 lines, all of one seller, in one statement. Same query results.
DROP INDEX IF EXISTS order_items_seller_idx;
