-- Search words of a bulk insert of products: every distinct name and every distinct description
-- is split into words once, instead of name || ' ' || description once per product (an import's
-- products often share one description, or none). The same words: search_words_of matches runs of
-- letters, and the space between name and description ends a run, so the words of the two joined
-- are the words of each.
CREATE OR REPLACE FUNCTION products_add_search_words_of_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_words (word)
  SELECT DISTINCT w FROM (SELECT name AS body FROM new_rows UNION SELECT description FROM new_rows) t, search_words_of(t.body) AS w
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
