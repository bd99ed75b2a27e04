-- Search words of a bulk insert of products: the distinct names and descriptions are joined, 500
-- at a time, and each batch is split into words by one regexp_matches call, instead of one call
-- (a set-returning function with its own DISTINCT) per text: a legacy import of 25,000 products
-- paid ~50 µs a name for the calls alone. The same words: search_words_of matches runs of 3 to 40
-- letters, and the space that joins two texts is no letter, so no run crosses from one text into
-- the next and each text's runs are matched (and split past 40 letters) exactly as on their own.
-- Batches keep each joined text small (descriptions are up to 10,000 characters).
CREATE OR REPLACE FUNCTION products_add_search_words_of_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_words (word)
  SELECT DISTINCT lower(m[1])
    FROM (SELECT string_agg(body, ' ') AS joined
            FROM (SELECT body, (row_number() OVER ()) / 500 AS batch
                    FROM (SELECT name AS body FROM new_rows UNION SELECT description FROM new_rows) texts) numbered
           GROUP BY batch) batches,
         regexp_matches(batches.joined, '([[:alpha:]]{3,40})', 'g') AS m
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
