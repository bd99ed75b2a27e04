-- A bulk import looks the colour family up once per distinct colour (colour_family_of) and inserts
-- its variants with it. A colour no family is known for ("Default", a house colour name) arrives
-- NULL, and the insert trigger looked it up again, row by row: a products export of 100,000
-- variants in such a colour paid 100,000 lookups that can only give NULL again. An insert that
-- already looked every family up says so for its transaction (SET LOCAL
-- threadline.colour_family_given = 'on') and the trigger leaves its rows alone. Every other insert
-- is looked up as before.
DROP TRIGGER product_variants_colour_family_insert ON product_variants;
CREATE TRIGGER product_variants_colour_family_insert BEFORE INSERT ON product_variants
  FOR EACH ROW WHEN (NEW.colour_family IS NULL AND current_setting('threadline.colour_family_given', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION product_variants_set_colour_family();
