import type { CategorySpec, Problem } from './catalogue-data.js';
import type { Random } from './random.js';

export interface ReviewContent {
  rating: number;
  title: string | null;
  body: string | null;
}

/** Rating weights for 1..5 stars: most products please, low-quality ones mostly disappoint. */
const GOOD_RATINGS = [3, 5, 10, 27, 55] as const;
const POOR_RATINGS = [27, 27, 23, 14, 9] as const;

const POSITIVE_TITLES = ['Love it', 'Perfect fit', 'Great quality', 'My new favourite', 'Exactly as pictured', 'Worth every penny', 'Buying another colour', 'So comfortable', 'Great basic', 'Really happy with this'];
const POSITIVE_LINES = [
  'The {colour} is even nicer in person.',
  'Fits true to size: I usually wear size {size} and it fits perfectly.',
  'Soft fabric and really well made.',
  'Washed it several times and it still looks new.',
  'Arrived quickly and well packaged.',
  'Great quality for the price.',
  'I get compliments every time I wear it.',
  'Already ordered a second one.',
];
const CATEGORY_LINES: Readonly<Record<string, string>> = {
  shoes: 'Comfortable straight out of the box, no break-in needed.',
  coats: 'Warm without being bulky, perfect for my commute.',
  jackets: 'Nice weight, works for most of the year.',
  jeans: 'Good stretch and they keep their shape all day.',
  dresses: 'Flattering cut and the fabric drapes beautifully.',
  knitwear: 'Soft and not itchy at all.',
  activewear: 'Stays in place during workouts and dries fast.',
  accessories: 'Sturdy and looks more expensive than it is.',
};
const MIXED_TITLES = ['It is okay', 'Decent', 'Nice but not perfect', 'Good, not great', 'Mixed feelings'];
const MIXED_LINES = [
  'The colour is a bit different from the photo.',
  'Fabric is thinner than I expected, but it is fine for the price.',
  'Fit is a little boxy on me.',
  'Took a while to arrive but the item itself is fine.',
  'Nice design, the stitching could be neater.',
];
const NEGATIVE_TITLES: Readonly<Record<Problem | 'generic', readonly string[]>> = {
  runs_small: ['Runs small', 'Size up!', 'Way too tight'],
  runs_large: ['Runs huge', 'Sizing is off', 'Far too big'],
  thin_fabric: ['Thin and see-through', 'Feels cheap', 'Poor fabric'],
  pilling: ['Pilled after one wear', 'Bobbles everywhere', 'Poor quality wool'],
  colour_fade: ['Colour faded', 'Dye ran in the wash', 'Faded fast'],
  seams: ['Fell apart', 'Seams came undone', 'Poorly stitched'],
  zipper: ['Broken zipper', 'Zip broke', 'Zipper snags'],
  sole: ['Sole came off', 'Sole cracked', 'Fell apart in weeks'],
  generic: ['Disappointed', 'Not for me', 'Returning it'],
};
const NEGATIVE_LINES: Readonly<Record<Problem | 'generic', readonly string[]>> = {
  runs_small: ['Runs at least a size small: I ordered my usual {size} and could barely get it on.', 'Way too tight across the shoulders and chest.', 'The sizing chart is wrong, it runs small.'],
  runs_large: ['Sizing is way off, it is at least one size too big.', 'Baggy and shapeless even after sizing down.', 'The {size} fits like two sizes up.'],
  thin_fabric: ['The fabric is so thin it is almost see-through.', 'Feels cheap, nothing like the photos.', 'Thin material that lost its shape after one wash.'],
  pilling: ['Started pilling after the first wear.', 'Covered in bobbles after one wash.', 'Pills under the arms already, poor quality.'],
  colour_fade: ['The colour faded badly after one wash.', 'Bled dye onto everything else in the wash.', 'The {colour} looks washed out after two washes.'],
  seams: ['A seam came apart after the second wear.', 'Loose threads everywhere and the stitching is already unravelling.', 'Poor quality stitching, a hole opened at the seam.'],
  zipper: ['The zipper broke within a week.', 'Zip keeps snagging and came off its track.', 'Cheap zipper, it split after a few uses.'],
  sole: ['The sole started separating after two weeks.', 'Uncomfortable and the sole is already cracking.', 'Sole wore through in a month.'],
  generic: ['Did not fit me well, returning it.', 'Quality is not great for the price.', 'Not what I expected from the pictures.'],
};

function fill(template: string, size: string, colour: string): string {
  return template.replaceAll('{size}', size).replaceAll('{colour}', colour.toLowerCase());
}

/**
 * A review for one bought order line: a rating skewed positive for good products and negative
 * for products with a quality problem (or lines that were refunded), with text that names the
 * problem so the review analysis (5.3) finds it. Some reviews carry a rating only.
 */
export function writeReview(
  random: Random,
  item: { category: CategorySpec; problem: Problem | null; size: string; colour: string; wasRefunded: boolean },
): ReviewContent {
  const isPoor = item.problem !== null || item.wasRefunded;
  const weights = isPoor ? POOR_RATINGS : GOOD_RATINGS;
  const rating = random.weighted(weights.map((weight, index) => [index + 1, weight] as const));
  if (random.chance(isPoor ? 0.1 : 0.22)) return { rating, title: null, body: null };
  const lines: string[] = [];
  let title: string;
  if (rating >= 4) {
    title = random.pick(POSITIVE_TITLES);
    lines.push(...random.sample(POSITIVE_LINES, random.int(1, 2)));
    const special = CATEGORY_LINES[item.category.slug];
    if (special && random.chance(0.5)) lines.push(special);
  } else if (rating === 3) {
    title = random.pick(MIXED_TITLES);
    lines.push(...random.sample(MIXED_LINES, random.int(1, 2)));
    if (item.problem && random.chance(0.6)) lines.push(random.pick(NEGATIVE_LINES[item.problem]));
  } else {
    const kind = item.problem ?? 'generic';
    title = random.pick(NEGATIVE_TITLES[kind]);
    lines.push(...random.sample(NEGATIVE_LINES[kind], random.int(1, 2)));
    if (random.chance(0.3)) lines.push(random.pick(NEGATIVE_LINES.generic));
  }
  return { rating, title, body: lines.map((line) => fill(line, item.size, item.colour)).join(' ') };
}
