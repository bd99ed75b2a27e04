/**
 * The vocabulary of the demo catalogue: categories with their price ranges, sizes, colours and
 * naming parts, the colour palette, and the brands that sell through the shop. Data only.
 */

export const AGE_BANDS = ['18-24', '25-34', '35-44', '45-54', '55-64', '65+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

export const GENDERS = ['female', 'male', 'non_binary', 'undisclosed'] as const;
export type Gender = (typeof GENDERS)[number];

export const REGIONS = ['north_america', 'south_america', 'europe', 'asia_pacific', 'other'] as const;
export type Region = (typeof REGIONS)[number];

export interface Colour {
  name: string;
  /** three letters, used in SKUs */
  code: string;
  hex: string;
}

export const COLOURS = {
  black: { name: 'Black', code: 'BLK', hex: '#1d1d1f' },
  white: { name: 'White', code: 'WHT', hex: '#f4f3ef' },
  navy: { name: 'Navy', code: 'NVY', hex: '#1f2a44' },
  grey: { name: 'Heather Grey', code: 'HGR', hex: '#9a9ca0' },
  charcoal: { name: 'Charcoal', code: 'CHR', hex: '#3a3d42' },
  olive: { name: 'Olive', code: 'OLV', hex: '#5b6236' },
  camel: { name: 'Camel', code: 'CML', hex: '#b98f5e' },
  burgundy: { name: 'Burgundy', code: 'BUR', hex: '#6d1f2f' },
  cream: { name: 'Cream', code: 'CRM', hex: '#ece3cf' },
  denim: { name: 'Indigo', code: 'IND', hex: '#2f4a78' },
  lightWash: { name: 'Light Wash', code: 'LTW', hex: '#8fb0d0' },
  forest: { name: 'Forest Green', code: 'FOR', hex: '#2e4d36' },
  rust: { name: 'Rust', code: 'RST', hex: '#b0532b' },
  pink: { name: 'Dusty Pink', code: 'PNK', hex: '#d6a4a4' },
  sky: { name: 'Sky Blue', code: 'SKY', hex: '#9cc3e4' },
  mustard: { name: 'Mustard', code: 'MUS', hex: '#cf9f2e' },
  sand: { name: 'Sand', code: 'SND', hex: '#d5c4a1' },
  red: { name: 'Red', code: 'RED', hex: '#b3202a' },
  lilac: { name: 'Lilac', code: 'LIL', hex: '#b6a0cf' },
  brown: { name: 'Chocolate', code: 'BRN', hex: '#553a2b' },
  coral: { name: 'Coral', code: 'CRL', hex: '#e8765f' },
  teal: { name: 'Teal', code: 'TEA', hex: '#1f6f6f' },
} as const satisfies Record<string, Colour>;
export type ColourId = keyof typeof COLOURS;

/** Silhouette drawn for the generated product image. */
export type Shape =
  | 'tee' | 'top' | 'shirt' | 'knit' | 'jacket' | 'coat' | 'jeans' | 'trousers' | 'dress' | 'skirt' | 'leggings' | 'shoe' | 'bag'
  | 'shorts' | 'bra' | 'bodysuit' | 'hat' | 'scarf' | 'belt';

/**
 * Garments whose noun draws differently from the rest of their category: running shorts and a
 * sports bra are activewear but not leggings, a bodysuit is a top but not a blouse. The first
 * pattern that matches the product's noun wins; otherwise the category's shape is drawn.
 */
const NOUN_SHAPES: readonly [RegExp, Shape][] = [
  [/shorts/i, 'shorts'],
  [/\bbra\b/i, 'bra'],
  [/bodysuit/i, 'bodysuit'],
  [/jacket|bomber|shacket|windbreaker|harrington|chore coat/i, 'jacket'],
  [/hoodie|sweater|pullover/i, 'knit'],
  [/tee\b|henley/i, 'tee'],
  [/joggers|pants|chinos|trousers/i, 'trousers'],
  [/beanie|cap\b/i, 'hat'],
  [/scarf/i, 'scarf'],
  [/belt/i, 'belt'],
  [/bag|backpack/i, 'bag'],
];

/** The silhouette a product's photo shows: by its noun first, then by its category. */
export function shapeForNoun(noun: string, categoryShape: Shape): Shape {
  return NOUN_SHAPES.find(([pattern]) => pattern.test(noun))?.[1] ?? categoryShape;
}

/** What goes wrong with a low-quality product; drives its reviews and refunds. */
export type Problem = 'runs_small' | 'runs_large' | 'thin_fabric' | 'pilling' | 'colour_fade' | 'seams' | 'zipper' | 'sole';

export interface CategorySpec {
  slug: string;
  name: string;
  /** three letters, used in SKUs */
  code: string;
  /** share of the catalogue */
  share: number;
  /** base price range in cents */
  price: readonly [number, number];
  sizes: readonly string[];
  /** relative demand for each size, same order as `sizes` */
  sizeCurve: readonly number[];
  colours: readonly ColourId[];
  shape: Shape;
  adjectives: readonly string[];
  materials: readonly string[];
  nouns: readonly string[];
  /** share of buyers who are women (men get the rest); non-binary/undisclosed buyers are neutral */
  femaleShare: number;
  /** demand multiplier per age band, AGE_BANDS order */
  ageAffinity: readonly number[];
  /** demand multiplier per region (missing → 1) */
  regionAffinity: Partial<Record<Region, number>>;
  problems: readonly Problem[];
  care: string;
}

const APPAREL_SIZES = ['XS', 'S', 'M', 'L', 'XL', 'XXL'] as const;
const APPAREL_CURVE = [5, 15, 28, 26, 16, 10] as const;

export const CATEGORIES: readonly CategorySpec[] = [
  {
    slug: 't-shirts', name: 'T-shirts', code: 'TEE', share: 12, price: [1500, 4500],
    sizes: APPAREL_SIZES, sizeCurve: APPAREL_CURVE,
    colours: ['white', 'black', 'navy', 'grey', 'olive', 'rust', 'sky', 'cream', 'burgundy', 'teal'], shape: 'tee',
    adjectives: ['Essential', 'Everyday', 'Relaxed', 'Classic', 'Vintage-Wash', 'Heavyweight', 'Boxy', 'Garment-Dyed', 'Slim'],
    materials: ['Organic Cotton', 'Slub Cotton', 'Pima Cotton', 'Hemp-Blend', 'Jersey', 'Recycled Cotton'],
    nouns: ['Crew Tee', 'V-Neck Tee', 'Pocket Tee', 'Longline Tee', 'Ringer Tee', 'Long-Sleeve Tee', 'Henley'],
    femaleShare: 0.45, ageAffinity: [1.6, 1.35, 1, 0.8, 0.6, 0.5], regionAffinity: { south_america: 1.2 },
    problems: ['runs_small', 'thin_fabric', 'colour_fade', 'seams'], care: 'Machine wash cold, tumble dry low.',
  },
  {
    slug: 'tops', name: 'Tops', code: 'TOP', share: 9, price: [2200, 6500],
    sizes: APPAREL_SIZES, sizeCurve: [8, 20, 28, 23, 13, 8],
    colours: ['white', 'black', 'cream', 'pink', 'lilac', 'coral', 'sky', 'mustard', 'red'], shape: 'top',
    adjectives: ['Cropped', 'Draped', 'Ribbed', 'Wrap', 'Square-Neck', 'Ruched', 'Sleeveless', 'Puff-Sleeve'],
    materials: ['Modal', 'Viscose', 'Linen', 'Cotton Poplin', 'Satin', 'Rib-Knit'],
    nouns: ['Top', 'Blouse', 'Cami', 'Tank', 'Bodysuit', 'Tunic'],
    femaleShare: 0.85, ageAffinity: [1.4, 1.3, 1.05, 0.85, 0.7, 0.55], regionAffinity: { south_america: 1.25 },
    problems: ['runs_small', 'thin_fabric', 'seams'], care: 'Hand wash or delicate cycle, hang to dry.',
  },
  {
    slug: 'shirts', name: 'Shirts', code: 'SHT', share: 9, price: [3500, 9500],
    sizes: APPAREL_SIZES, sizeCurve: [3, 12, 27, 29, 18, 11],
    colours: ['white', 'sky', 'navy', 'olive', 'cream', 'black', 'burgundy', 'sand'], shape: 'shirt',
    adjectives: ['Oxford', 'Button-Down', 'Relaxed', 'Tailored', 'Heavyweight', 'Camp-Collar', 'Brushed', 'Washed'],
    materials: ['Cotton', 'Linen', 'Flannel', 'Chambray', 'Corduroy', 'Poplin', 'Twill'],
    nouns: ['Shirt', 'Work Shirt', 'Shirt Jacket', 'Dress Shirt', 'Utility Shirt'],
    femaleShare: 0.35, ageAffinity: [0.75, 1.15, 1.25, 1.1, 1, 0.9], regionAffinity: { europe: 1.15 },
    problems: ['runs_small', 'runs_large', 'seams'], care: 'Machine wash warm, iron while damp.',
  },
  {
    slug: 'knitwear', name: 'Knitwear', code: 'KNT', share: 8, price: [4500, 16000],
    sizes: APPAREL_SIZES, sizeCurve: APPAREL_CURVE,
    colours: ['cream', 'grey', 'navy', 'camel', 'forest', 'burgundy', 'charcoal', 'rust', 'mustard'], shape: 'knit',
    adjectives: ['Chunky', 'Fine-Gauge', 'Cable-Knit', 'Ribbed', 'Fisherman', 'Brushed', 'Half-Zip', 'Oversized'],
    materials: ['Merino Wool', 'Lambswool', 'Cashmere-Blend', 'Cotton-Knit', 'Alpaca-Blend', 'Recycled Wool'],
    nouns: ['Sweater', 'Cardigan', 'Crewneck', 'Turtleneck', 'Pullover', 'Vest'],
    femaleShare: 0.55, ageAffinity: [0.7, 0.9, 1.05, 1.2, 1.35, 1.4], regionAffinity: { europe: 1.4, south_america: 0.6 },
    problems: ['pilling', 'runs_small', 'thin_fabric'], care: 'Hand wash cold, dry flat.',
  },
  {
    slug: 'jackets', name: 'Jackets', code: 'JKT', share: 7, price: [7900, 22000],
    sizes: APPAREL_SIZES, sizeCurve: [3, 13, 27, 28, 18, 11],
    colours: ['black', 'olive', 'navy', 'camel', 'denim', 'rust', 'forest', 'sand'], shape: 'jacket',
    adjectives: ['Cropped', 'Utility', 'Quilted', 'Waxed', 'Lined', 'Vintage', 'Packable', 'Field'],
    materials: ['Denim', 'Canvas', 'Nylon', 'Faux-Leather', 'Cotton Twill', 'Suede'],
    nouns: ['Jacket', 'Bomber', 'Trucker Jacket', 'Shacket', 'Windbreaker', 'Harrington', 'Chore Coat'],
    femaleShare: 0.45, ageAffinity: [1.3, 1.15, 1, 0.9, 0.85, 0.7], regionAffinity: { europe: 1.15 },
    problems: ['zipper', 'seams', 'runs_small'], care: 'Spot clean; wash cold on a gentle cycle.',
  },
  {
    slug: 'coats', name: 'Coats', code: 'COT', share: 5, price: [12000, 38000],
    sizes: APPAREL_SIZES, sizeCurve: APPAREL_CURVE,
    colours: ['camel', 'black', 'charcoal', 'navy', 'cream', 'forest', 'brown'], shape: 'coat',
    adjectives: ['Double-Breasted', 'Belted', 'Longline', 'Hooded', 'Wool-Blend', 'Insulated', 'Tailored', 'Cocoon'],
    materials: ['Wool', 'Down', 'Recycled Down', 'Melton Wool', 'Technical', 'Boiled Wool'],
    nouns: ['Overcoat', 'Trench Coat', 'Parka', 'Puffer', 'Peacoat', 'Car Coat'],
    femaleShare: 0.55, ageAffinity: [0.6, 0.85, 1.05, 1.25, 1.45, 1.5], regionAffinity: { europe: 1.45, south_america: 0.45 },
    problems: ['zipper', 'seams', 'runs_large'], care: 'Dry clean only.',
  },
  {
    slug: 'jeans', name: 'Jeans', code: 'JNS', share: 9, price: [4900, 14000],
    sizes: ['26', '28', '30', '32', '34', '36', '38'], sizeCurve: [7, 14, 20, 22, 18, 12, 7],
    colours: ['denim', 'lightWash', 'black', 'charcoal', 'cream'], shape: 'jeans',
    adjectives: ['Slim', 'Straight', 'Relaxed', 'Wide-Leg', 'Skinny', 'Bootcut', 'Tapered', 'High-Rise', 'Mom', 'Barrel'],
    materials: ['Stretch Denim', 'Rigid Denim', 'Selvedge', 'Organic Denim', 'Comfort-Stretch'],
    nouns: ['Jeans', 'Jean', 'Five-Pocket Jeans'],
    femaleShare: 0.5, ageAffinity: [1.35, 1.25, 1.05, 0.9, 0.7, 0.55], regionAffinity: {},
    problems: ['runs_small', 'colour_fade', 'seams', 'zipper'], care: 'Wash inside out, cold; line dry.',
  },
  {
    slug: 'trousers', name: 'Trousers', code: 'TRS', share: 8, price: [4500, 12000],
    sizes: APPAREL_SIZES, sizeCurve: APPAREL_CURVE,
    colours: ['black', 'navy', 'sand', 'olive', 'charcoal', 'camel', 'cream', 'brown'], shape: 'trousers',
    adjectives: ['Pleated', 'Tailored', 'Drawstring', 'Cargo', 'Straight', 'Wide-Leg', 'Cropped', 'Relaxed'],
    materials: ['Chino', 'Linen', 'Wool-Blend', 'Corduroy', 'Ripstop', 'Twill'],
    nouns: ['Trousers', 'Chinos', 'Pants', 'Joggers', 'Cargo Pants'],
    femaleShare: 0.45, ageAffinity: [0.75, 0.95, 1.15, 1.2, 1.2, 1.2], regionAffinity: { europe: 1.15 },
    problems: ['runs_small', 'runs_large', 'seams'], care: 'Machine wash cold, tumble dry low.',
  },
  {
    slug: 'dresses', name: 'Dresses', code: 'DRS', share: 9, price: [4500, 18000],
    sizes: ['XS', 'S', 'M', 'L', 'XL'], sizeCurve: [10, 24, 30, 22, 14],
    colours: ['black', 'red', 'navy', 'pink', 'lilac', 'forest', 'cream', 'coral', 'mustard', 'teal'], shape: 'dress',
    adjectives: ['Midi', 'Maxi', 'Mini', 'Wrap', 'Slip', 'Shirt', 'Tiered', 'Smocked', 'A-Line'],
    materials: ['Satin', 'Linen', 'Crepe', 'Cotton Voile', 'Jersey', 'Chiffon', 'Poplin'],
    nouns: ['Dress', 'Sundress', 'Shift Dress', 'Sweater Dress'],
    femaleShare: 0.97, ageAffinity: [1.15, 1.25, 1.1, 0.9, 0.8, 0.7], regionAffinity: { south_america: 1.3 },
    problems: ['runs_small', 'thin_fabric', 'seams', 'zipper'], care: 'Delicate cycle, hang to dry.',
  },
  {
    slug: 'skirts', name: 'Skirts', code: 'SKT', share: 5, price: [3500, 11000],
    sizes: ['XS', 'S', 'M', 'L', 'XL'], sizeCurve: [10, 24, 30, 22, 14],
    colours: ['black', 'camel', 'cream', 'denim', 'burgundy', 'pink', 'forest'], shape: 'skirt',
    adjectives: ['Pleated', 'Midi', 'Mini', 'Slip', 'Wrap', 'A-Line', 'Pencil', 'Tiered'],
    materials: ['Satin', 'Denim', 'Wool', 'Linen', 'Corduroy', 'Faux-Leather'],
    nouns: ['Skirt'],
    femaleShare: 0.96, ageAffinity: [1.25, 1.15, 1.0, 0.9, 0.8, 0.7], regionAffinity: { europe: 1.1 },
    problems: ['runs_small', 'zipper', 'thin_fabric'], care: 'Machine wash cold, hang to dry.',
  },
  {
    slug: 'activewear', name: 'Activewear', code: 'ACT', share: 8, price: [2800, 9800],
    sizes: APPAREL_SIZES, sizeCurve: [8, 20, 28, 23, 13, 8],
    colours: ['black', 'charcoal', 'navy', 'teal', 'coral', 'lilac', 'forest', 'sky'], shape: 'leggings',
    adjectives: ['Performance', 'Seamless', 'High-Waist', 'Training', 'Running', 'Studio', 'Quick-Dry', 'Thermal'],
    materials: ['Recycled Nylon', 'Stretch', 'Mesh', 'Fleece', 'Merino Tech', 'Compression'],
    nouns: ['Leggings', 'Sports Bra', 'Running Shorts', 'Track Jacket', 'Training Tee', 'Joggers', 'Hoodie'],
    femaleShare: 0.6, ageAffinity: [1.45, 1.45, 1.15, 0.85, 0.55, 0.4], regionAffinity: { south_america: 1.2 },
    problems: ['thin_fabric', 'runs_small', 'seams', 'pilling'], care: 'Wash cold, no fabric softener.',
  },
  {
    slug: 'shoes', name: 'Shoes', code: 'SHO', share: 6, price: [5500, 19000],
    sizes: ['5', '6', '7', '8', '9', '10', '11', '12'], sizeCurve: [5, 10, 15, 17, 17, 15, 12, 9],
    colours: ['white', 'black', 'brown', 'sand', 'navy', 'grey'], shape: 'shoe',
    adjectives: ['Low-Top', 'Cushioned', 'Lightweight', 'Handmade', 'Minimal', 'Trail', 'Platform', 'Classic'],
    materials: ['Leather', 'Canvas', 'Suede', 'Knit', 'Vegan-Leather', 'Recycled'],
    nouns: ['Sneakers', 'Chelsea Boots', 'Loafers', 'Trainers', 'Sandals', 'Derby Shoes', 'High-Top Sneakers'],
    femaleShare: 0.5, ageAffinity: [1.2, 1.15, 1.0, 0.95, 0.85, 0.8], regionAffinity: {},
    problems: ['runs_small', 'runs_large', 'sole'], care: 'Wipe clean with a damp cloth.',
  },
  {
    slug: 'accessories', name: 'Accessories', code: 'ACC', share: 5, price: [1500, 8500],
    sizes: ['One Size'], sizeCurve: [1],
    colours: ['black', 'camel', 'brown', 'navy', 'cream', 'burgundy', 'olive'], shape: 'bag',
    adjectives: ['Everyday', 'Classic', 'Woven', 'Structured', 'Slouchy', 'Heritage', 'Mini', 'Oversized'],
    materials: ['Leather', 'Canvas', 'Wool', 'Cotton', 'Recycled Polyester'],
    nouns: ['Tote Bag', 'Beanie', 'Scarf', 'Belt', 'Crossbody Bag', 'Cap', 'Backpack'],
    femaleShare: 0.62, ageAffinity: [1.3, 1.1, 1.0, 0.95, 0.9, 0.85], regionAffinity: { europe: 1.1 },
    problems: ['seams', 'colour_fade', 'zipper'], care: 'Spot clean only.',
  },
];

export interface BrandSpec {
  name: string;
  /** login e-mail of the seller account */
  email: string;
  /** categories it sells, with the relative share of its products */
  categories: Readonly<Record<string, number>>;
  tagline: string;
}

/** The sellers of the demo shop. The first is the demo seller (seller@demo.threadline.dev). */
export const BRANDS: readonly BrandSpec[] = [
  {
    name: 'Threadline Studio', email: 'seller@demo.threadline.dev', tagline: 'Threadline Studio designs wardrobe staples in small batches.',
    categories: { 't-shirts': 3, tops: 2, shirts: 2, knitwear: 2, dresses: 2, trousers: 1, accessories: 1 },
  },
  {
    name: 'Northbound Outfitters', email: 'hello@northbound.example.com', tagline: 'Northbound Outfitters builds gear for cold mornings and long trails.',
    categories: { jackets: 4, coats: 4, knitwear: 3, activewear: 2, shirts: 1, shoes: 1 },
  },
  {
    name: 'Maple & Thread', email: 'shop@maplethread.example.com', tagline: 'Maple & Thread makes everyday basics from organic cotton.',
    categories: { 't-shirts': 5, tops: 3, shirts: 2, trousers: 2, knitwear: 1 },
  },
  {
    name: 'Cordillera Denim Co.', email: 'orders@cordillera.example.com', tagline: 'Cordillera Denim Co. cuts and washes its denim in small runs.',
    categories: { jeans: 6, jackets: 2, shirts: 2, skirts: 1 },
  },
  {
    name: 'Atelier Solène', email: 'bonjour@ateliersolene.example.com', tagline: 'Atelier Solène is a Paris-inspired label for dresses and soft tailoring.',
    categories: { dresses: 5, skirts: 4, tops: 3, knitwear: 1, coats: 1 },
  },
  {
    name: 'Stride Athletic', email: 'team@stride.example.com', tagline: 'Stride Athletic makes performance wear for training and running.',
    categories: { activewear: 6, shoes: 3, 't-shirts': 2 },
  },
  {
    name: 'Harbor & Hide', email: 'studio@harborhide.example.com', tagline: 'Harbor & Hide works in leather, canvas and wool.',
    categories: { shoes: 4, accessories: 5, coats: 1, trousers: 1 },
  },
];
