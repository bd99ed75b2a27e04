/**
 * Size guides: body measurements per size, by the kind of garment. A category maps to one guide;
 * a category the table does not know gets the guide its sizes look like (letters: clothing,
 * 24–40: waist, 4–13: shoes), and none when no guide fits (one-size accessories).
 */

export interface SizeGuide {
  title: string;
  /** Column headings after "Size". */
  columns: readonly string[];
  rows: readonly { size: string; values: readonly string[] }[];
  note: string;
}

const CLOTHING: SizeGuide = {
  title: 'Clothing',
  columns: ['Chest (in)', 'Waist (in)', 'Hip (in)'],
  rows: [
    { size: 'XS', values: ['31–33', '24–26', '34–36'] },
    { size: 'S', values: ['34–36', '27–29', '37–39'] },
    { size: 'M', values: ['37–39', '30–32', '40–42'] },
    { size: 'L', values: ['40–42', '33–35', '43–45'] },
    { size: 'XL', values: ['43–45', '36–38', '46–48'] },
    { size: 'XXL', values: ['46–48', '39–41', '49–51'] },
  ],
  note: 'Measure around the fullest part of the chest and hips and the narrowest part of the waist. Between sizes? Take the larger one.',
};

const WAIST: SizeGuide = {
  title: 'Jeans and trousers',
  columns: ['Waist (in)', 'Hip (in)', 'Inseam (in)'],
  rows: ['24', '26', '28', '30', '32', '34', '36', '38', '40'].map((size) => {
    const waist = Number(size);
    return { size, values: [`${waist}–${waist + 1}`, `${waist + 9}–${waist + 10}`, waist <= 28 ? '30' : '32'] };
  }),
  note: 'The size is the waist in inches. Measure a pair that fits you well, flat, and double the waistband width.',
};

const SHOES: SizeGuide = {
  title: 'Shoes',
  columns: ['EU', 'UK', 'Foot length (cm)'],
  rows: [
    { size: '5', values: ['35–36', '3', '22.0'] },
    { size: '6', values: ['36–37', '4', '22.9'] },
    { size: '7', values: ['37–38', '5', '23.7'] },
    { size: '8', values: ['38–39', '6', '24.6'] },
    { size: '9', values: ['39–40', '7', '25.4'] },
    { size: '10', values: ['40–41', '8', '26.2'] },
    { size: '11', values: ['41–42', '9', '27.1'] },
    { size: '12', values: ['42–43', '10', '27.9'] },
  ],
  note: 'US sizes. Stand on a sheet of paper and measure from heel to longest toe, late in the day.',
};

const BY_CATEGORY: Readonly<Record<string, SizeGuide | null>> = {
  jeans: WAIST,
  trousers: WAIST,
  denim: WAIST,
  shoes: SHOES,
  accessories: null,
};

/**
 * The size guide for a product of this category with these sizes, or undefined when none applies.
 *
 * @example
 * sizeGuideFor('jeans', ['28', '30']).title // 'Jeans and trousers'
 */
export function sizeGuideFor(categorySlug: string | undefined, sizes: readonly string[]): SizeGuide | undefined {
  if (categorySlug !== undefined && categorySlug in BY_CATEGORY) return BY_CATEGORY[categorySlug] ?? undefined;
  const numbers = sizes.map(Number).filter((size) => Number.isFinite(size));
  if (numbers.length === 0) return sizes.some((size) => CLOTHING.rows.some((row) => row.size === size.toUpperCase())) ? CLOTHING : undefined;
  if (numbers.every((size) => size >= 24 && size <= 40)) return WAIST;
  if (numbers.every((size) => size >= 4 && size <= 13)) return SHOES;
  return undefined;
}
