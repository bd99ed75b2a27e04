-- Storefront search (issue 18): ranked English full-text search with prefix matching, typo
-- tolerance from a vocabulary of the catalogue's words (pg_trgm), and photos per variant colour.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Ranked document: a word in the name weighs more than one in the description. English stemming
-- makes "jackets" find "jacket"; the older 'simple' column stays for code that still uses it.
ALTER TABLE products ADD COLUMN search_doc tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('english', name), 'A') || setweight(to_tsvector('english', description), 'C')
) STORED;
CREATE INDEX products_search_doc_idx ON products USING gin (search_doc);
-- suggestions while typing match product names by trigram (typos) as well as by word prefix
CREATE INDEX products_name_trgm_idx ON products USING gin (lower(name) gin_trgm_ops);

-- Every word shoppers could mean: the words of product names, descriptions and category names.
-- A search word that is not here (nor the start of one) is corrected to its most similar entry.
-- Words are only added (a trigger per table): a word left over from a deleted product can at
-- worst be offered as a correction that finds nothing, which the search then says honestly.
CREATE TABLE search_words (
  word text PRIMARY KEY CHECK (length(word) BETWEEN 2 AND 40)
);
CREATE INDEX search_words_trgm_idx ON search_words USING gin (word gin_trgm_ops);
CREATE INDEX search_words_prefix_idx ON search_words (word text_pattern_ops);

CREATE FUNCTION search_words_of(body text) RETURNS SETOF text LANGUAGE sql IMMUTABLE AS $$
  SELECT DISTINCT lower(m[1]) FROM regexp_matches(body, '([[:alpha:]]{3,40})', 'g') AS m
$$;

CREATE FUNCTION products_add_search_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_words (word) SELECT search_words_of(NEW.name || ' ' || NEW.description) ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER products_search_words AFTER INSERT OR UPDATE OF name, description ON products
  FOR EACH ROW EXECUTE FUNCTION products_add_search_words();

CREATE FUNCTION categories_add_search_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_words (word) SELECT search_words_of(NEW.name) ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER categories_search_words AFTER INSERT OR UPDATE OF name ON categories
  FOR EACH ROW EXECUTE FUNCTION categories_add_search_words();

INSERT INTO search_words (word)
  SELECT search_words_of(name || ' ' || description) FROM products
  UNION SELECT search_words_of(name) FROM categories
  ON CONFLICT DO NOTHING;

-- Photos per colour: NULL means the photo shows the product in any colour (shown for every one).
ALTER TABLE product_images ADD COLUMN colour text CHECK (colour IS NULL OR length(colour) BETWEEN 1 AND 40);
CREATE INDEX product_images_colour_idx ON product_images (product_id, lower(colour), position);
