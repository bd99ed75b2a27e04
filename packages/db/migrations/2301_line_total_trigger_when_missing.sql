-- The line total defaults to quantity × unit price only when a line comes without one: the trigger
-- now runs only for those lines (a legacy import inserts 100,000 lines that all carry their total).
DROP TRIGGER order_items_line_total ON order_items;
CREATE TRIGGER order_items_line_total BEFORE INSERT ON order_items
  FOR EACH ROW WHEN (NEW.line_total_cents IS NULL) EXECUTE FUNCTION order_items_default_line_total();
