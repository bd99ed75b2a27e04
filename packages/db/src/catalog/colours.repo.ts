/**
 * The colour vocabulary (migration 1800): free colour names sellers write, mapped to the colour
 * families shoppers filter by. Names compare case-, spacing- and punctuation-insensitively
 * (colour_key in SQL). A variant's family is kept by triggers; this module reads the vocabulary,
 * lists the names no family is known for, and maps a name (which re-files its variants at once).
 */
import type { Queryable } from '../pool.js';

export interface ColourFamily {
  slug: string;
  name: string;
  hex: string;
}

export interface UnmappedColour {
  /** The spelling most variants use. */
  name: string;
  products: number;
  variants: number;
}

export interface ColourMapping {
  name: string;
  family: string;
  source: 'vocabulary' | 'admin';
}

/** Thrown by mapColour when the family slug is not one of colour_families. */
export class UnknownColourFamilyError extends Error {
  readonly kind = 'unknown_colour_family';
  constructor(readonly family: string) {
    super(`no colour family "${family}"`);
    this.name = 'UnknownColourFamilyError';
  }
}

/** Thrown by mapColour when the name has no letter or digit to compare by. */
export class EmptyColourNameError extends Error {
  readonly kind = 'empty_colour_name';
  constructor() {
    super('a colour name needs at least one letter or digit');
    this.name = 'EmptyColourNameError';
  }
}

export async function listColourFamilies(db: Queryable): Promise<ColourFamily[]> {
  const { rows } = await db.query<ColourFamily>('SELECT slug, name, hex FROM colour_families ORDER BY position');
  return rows;
}

/** The family a free colour name files under today, or null when the vocabulary does not know it. */
export async function colourFamilyOf(db: Queryable, name: string): Promise<string | null> {
  const { rows } = await db.query<{ family: string | null }>('SELECT colour_family_of($1) AS family', [name]);
  return rows[0]?.family ?? null;
}

/** Colour names on variants that no family is known for, most used first. */
export async function listUnmappedColours(db: Queryable, options: { limit: number }): Promise<UnmappedColour[]> {
  const { rows } = await db.query<{ name: string; products: string; variants: string }>(
    `SELECT mode() WITHIN GROUP (ORDER BY colour) AS name, count(DISTINCT product_id) AS products, count(*) AS variants
       FROM product_variants WHERE colour_family IS NULL AND colour_key(colour) <> ''
      GROUP BY colour_key(colour)
      ORDER BY count(DISTINCT product_id) DESC, 1 LIMIT $1`,
    [options.limit],
  );
  return rows.map((row) => ({ name: row.name, products: Number(row.products), variants: Number(row.variants) }));
}

/** Names staff mapped by hand, newest first (the seeded vocabulary is left out). */
export async function listAdminColourMappings(db: Queryable, options: { limit: number }): Promise<ColourMapping[]> {
  const { rows } = await db.query<ColourMapping>(
    `SELECT name, family, source FROM colour_names WHERE source = 'admin' ORDER BY mapped_at DESC, key LIMIT $1`,
    [options.limit],
  );
  return rows;
}

/**
 * Maps a colour name (any case or spacing) to a family, replacing an earlier mapping of the same
 * name. Variants of that name are re-filed in the same statement. Returns how many variants now
 * file under the family by this name.
 */
export async function mapColour(db: Queryable, mapping: { name: string; family: string; mappedBy: number | null }): Promise<{ variants: number }> {
  const name = mapping.name.trim();
  if (!/[\p{L}\p{N}]/u.test(name)) throw new EmptyColourNameError();
  const { rows: families } = await db.query('SELECT 1 FROM colour_families WHERE slug = $1', [mapping.family]);
  if (families.length === 0) throw new UnknownColourFamilyError(mapping.family);
  await db.query(
    `INSERT INTO colour_names (key, name, family, source, mapped_by) VALUES (colour_key($1), $1, $2, 'admin', $3)
     ON CONFLICT (key) DO UPDATE SET name = EXCLUDED.name, family = EXCLUDED.family, source = 'admin', mapped_by = EXCLUDED.mapped_by, mapped_at = now()`,
    [name, mapping.family, mapping.mappedBy],
  );
  const { rows } = await db.query<{ count: string }>('SELECT count(*) AS count FROM product_variants WHERE colour_key(colour) = colour_key($1)', [name]);
  return { variants: Number(rows[0]?.count ?? 0) };
}
