-- Colour families (issue 18): sellers name colours freely ("Olive", "Heather Grey", "navy",
-- "Seafoam"); shoppers filter by family (Green, Grey, Blue…). A vocabulary maps each known name,
-- compared case-, spacing- and punctuation-insensitively, to one family. Every variant carries its
-- family (kept by triggers), so the list filter and its counts are plain indexed column reads.
-- Names the vocabulary does not know are listed for an admin to map (colour_names.source = 'admin').

-- "Heather Grey", "heather-grey" and " HEATHER  grey" all compare as "heathergrey"
CREATE FUNCTION colour_key(colour text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT regexp_replace(lower($1), '[^[:alnum:]]+', '', 'g')
$$;

CREATE TABLE colour_families (
  slug text PRIMARY KEY CHECK (slug ~ '^[a-z]{2,20}$'),
  name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 40),
  -- the swatch the storefront shows for the family
  hex text NOT NULL CHECK (hex ~ '^#[0-9a-f]{6}$'),
  position integer NOT NULL UNIQUE
);

INSERT INTO colour_families (slug, name, hex, position) VALUES
  ('black', 'Black', '#1d1d1f', 1),
  ('white', 'White', '#f7f6f2', 2),
  ('grey', 'Grey', '#8e9196', 3),
  ('beige', 'Beige', '#d9c7a3', 4),
  ('brown', 'Brown', '#6b4a33', 5),
  ('red', 'Red', '#b3202a', 6),
  ('pink', 'Pink', '#e39bb0', 7),
  ('orange', 'Orange', '#e07b2e', 8),
  ('yellow', 'Yellow', '#e8c33a', 9),
  ('green', 'Green', '#3f7a46', 10),
  ('blue', 'Blue', '#2f5b9a', 11),
  ('purple', 'Purple', '#7b5aa6', 12),
  ('multi', 'Multicolour', '#b0b0b0', 13);

CREATE TABLE colour_names (
  -- colour_key of the name
  key text PRIMARY KEY CHECK (key ~ '^[[:alnum:]]{1,40}$'),
  -- the name as first written, for the admin's list
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
  family text NOT NULL REFERENCES colour_families (slug),
  -- 'vocabulary' from this migration, 'admin' mapped by staff
  source text NOT NULL DEFAULT 'admin' CHECK (source IN ('vocabulary', 'admin')),
  mapped_by bigint REFERENCES users (id) ON DELETE SET NULL,
  mapped_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO colour_names (key, name, family, source)
SELECT colour_key(v.name), v.name, v.family, 'vocabulary' FROM (VALUES
  -- black
  ('Black', 'black'), ('Jet', 'black'), ('Jet Black', 'black'), ('Onyx', 'black'), ('Ebony', 'black'), ('Noir', 'black'), ('Washed Black', 'black'),
  -- white
  ('White', 'white'), ('Off White', 'white'), ('Optic White', 'white'), ('Ivory', 'white'), ('Snow', 'white'), ('Chalk', 'white'), ('Ecru', 'white'), ('Pearl', 'white'),
  -- grey
  ('Grey', 'grey'), ('Gray', 'grey'), ('Heather Grey', 'grey'), ('Heather Gray', 'grey'), ('Charcoal', 'grey'), ('Slate', 'grey'), ('Ash', 'grey'),
  ('Graphite', 'grey'), ('Silver', 'grey'), ('Stone', 'grey'), ('Pewter', 'grey'), ('Smoke', 'grey'), ('Marl', 'grey'), ('Grey Marl', 'grey'), ('Anthracite', 'grey'),
  -- beige / neutrals
  ('Beige', 'beige'), ('Cream', 'beige'), ('Sand', 'beige'), ('Oatmeal', 'beige'), ('Oat', 'beige'), ('Stone Beige', 'beige'), ('Khaki', 'beige'), ('Taupe', 'beige'),
  ('Natural', 'beige'), ('Nude', 'beige'), ('Bone', 'beige'), ('Ecru Beige', 'beige'), ('Biscuit', 'beige'), ('Wheat', 'beige'), ('Linen', 'beige'), ('Champagne', 'beige'),
  -- brown
  ('Brown', 'brown'), ('Camel', 'brown'), ('Chocolate', 'brown'), ('Tan', 'brown'), ('Cognac', 'brown'), ('Mocha', 'brown'), ('Coffee', 'brown'), ('Espresso', 'brown'),
  ('Chestnut', 'brown'), ('Caramel', 'brown'), ('Tobacco', 'brown'), ('Walnut', 'brown'), ('Toffee', 'brown'), ('Cinnamon', 'brown'), ('Umber', 'brown'),
  -- red
  ('Red', 'red'), ('Burgundy', 'red'), ('Wine', 'red'), ('Maroon', 'red'), ('Oxblood', 'red'), ('Cherry', 'red'), ('Crimson', 'red'), ('Scarlet', 'red'),
  ('Brick', 'red'), ('Claret', 'red'), ('Merlot', 'red'), ('Bordeaux', 'red'), ('Ruby', 'red'), ('Cardinal', 'red'), ('Tomato', 'red'),
  -- pink
  ('Pink', 'pink'), ('Dusty Pink', 'pink'), ('Blush', 'pink'), ('Rose', 'pink'), ('Dusty Rose', 'pink'), ('Fuchsia', 'pink'), ('Magenta', 'pink'), ('Hot Pink', 'pink'),
  ('Salmon', 'pink'), ('Powder Pink', 'pink'), ('Raspberry', 'pink'), ('Bubblegum', 'pink'), ('Mauve', 'pink'),
  -- orange
  ('Orange', 'orange'), ('Rust', 'orange'), ('Coral', 'orange'), ('Terracotta', 'orange'), ('Burnt Orange', 'orange'), ('Peach', 'orange'), ('Apricot', 'orange'),
  ('Tangerine', 'orange'), ('Copper', 'orange'), ('Amber', 'orange'), ('Pumpkin', 'orange'), ('Papaya', 'orange'),
  -- yellow
  ('Yellow', 'yellow'), ('Mustard', 'yellow'), ('Lemon', 'yellow'), ('Gold', 'yellow'), ('Butter', 'yellow'), ('Ochre', 'yellow'), ('Saffron', 'yellow'),
  ('Canary', 'yellow'), ('Honey', 'yellow'), ('Sunflower', 'yellow'), ('Vanilla', 'yellow'),
  -- green
  ('Green', 'green'), ('Olive', 'green'), ('Forest Green', 'green'), ('Forest', 'green'), ('Sage', 'green'), ('Mint', 'green'), ('Khaki Green', 'green'),
  ('Bottle Green', 'green'), ('Emerald', 'green'), ('Moss', 'green'), ('Pine', 'green'), ('Lime', 'green'), ('Army Green', 'green'), ('Hunter Green', 'green'),
  ('Seafoam', 'green'), ('Jade', 'green'), ('Pistachio', 'green'), ('Fern', 'green'), ('Kelly Green', 'green'), ('Bottle', 'green'),
  -- blue
  ('Blue', 'blue'), ('Navy', 'blue'), ('Navy Blue', 'blue'), ('Indigo', 'blue'), ('Sky Blue', 'blue'), ('Sky', 'blue'), ('Light Wash', 'blue'), ('Mid Wash', 'blue'),
  ('Dark Wash', 'blue'), ('Denim', 'blue'), ('Royal Blue', 'blue'), ('Cobalt', 'blue'), ('Cornflower', 'blue'), ('Powder Blue', 'blue'), ('Baby Blue', 'blue'),
  ('Teal', 'blue'), ('Turquoise', 'blue'), ('Aqua', 'blue'), ('Petrol', 'blue'), ('Steel Blue', 'blue'), ('Midnight', 'blue'), ('Sapphire', 'blue'),
  ('Azure', 'blue'), ('Cyan', 'blue'), ('Ink', 'blue'), ('Chambray', 'blue'), ('Ocean', 'blue'),
  -- purple
  ('Purple', 'purple'), ('Lilac', 'purple'), ('Lavender', 'purple'), ('Plum', 'purple'), ('Violet', 'purple'), ('Aubergine', 'purple'), ('Eggplant', 'purple'),
  ('Grape', 'purple'), ('Orchid', 'purple'), ('Amethyst', 'purple'), ('Heather Purple', 'purple'), ('Mulberry', 'purple'),
  -- patterns and mixes
  ('Multi', 'multi'), ('Multicolour', 'multi'), ('Multicolor', 'multi'), ('Multi-colour', 'multi'), ('Print', 'multi'), ('Floral', 'multi'), ('Stripe', 'multi'),
  ('Striped', 'multi'), ('Check', 'multi'), ('Plaid', 'multi'), ('Tartan', 'multi'), ('Camo', 'multi'), ('Camouflage', 'multi'), ('Leopard', 'multi'),
  ('Tie Dye', 'multi'), ('Rainbow', 'multi'), ('Polka Dot', 'multi'), ('Paisley', 'multi')
) AS v (name, family)
ON CONFLICT (key) DO NOTHING;

-- The family of a free colour name: the whole name when known, else its last word when that is
-- known ("Dark Olive" → olive → green, "Washed Sky Blue" → blue); NULL when neither is.
CREATE FUNCTION colour_family_of(colour text) RETURNS text LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(
    (SELECT n.family FROM colour_names n WHERE n.key = colour_key($1)),
    (SELECT n.family FROM colour_names n WHERE n.key = colour_key(substring($1 FROM '([[:alpha:]]+)[^[:alpha:]]*$'))))
$$;

ALTER TABLE product_variants ADD COLUMN colour_family text REFERENCES colour_families (slug);

CREATE FUNCTION product_variants_set_colour_family() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.colour_family := colour_family_of(NEW.colour);
  RETURN NEW;
END $$;
CREATE TRIGGER product_variants_colour_family BEFORE INSERT OR UPDATE OF colour ON product_variants
  FOR EACH ROW EXECUTE FUNCTION product_variants_set_colour_family();

-- A mapping added, changed or removed re-files the variants whose family it changes (admin-rare).
CREATE FUNCTION colour_names_refile_variants() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE product_variants SET colour_family = colour_family_of(colour)
   WHERE colour_family IS DISTINCT FROM colour_family_of(colour);
  RETURN NULL;
END $$;
CREATE TRIGGER colour_names_refile AFTER INSERT OR UPDATE OR DELETE ON colour_names
  FOR EACH STATEMENT EXECUTE FUNCTION colour_names_refile_variants();

UPDATE product_variants SET colour_family = colour_family_of(colour);

CREATE INDEX product_variants_family_idx ON product_variants (colour_family, product_id);
-- the admin's list of colour names no family is known for
CREATE INDEX product_variants_unmapped_idx ON product_variants (colour_key(colour)) WHERE colour_family IS NULL;
