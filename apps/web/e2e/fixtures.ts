import type { TestDatabase } from '@threadline/db/testing';

import { ApiClient } from './api-client.js';
import { garmentPng, type Rgb } from './png.js';

export const SELLER = { email: 'seller@e2e.threadline.dev', password: 'e2e-seller-pass-1', name: 'Northwind Apparel' };

export const CATEGORIES = [
  { slug: 'tops', name: 'Tops' },
  { slug: 'dresses', name: 'Dresses' },
  { slug: 'outerwear', name: 'Outerwear' },
  { slug: 'denim', name: 'Denim' },
  { slug: 'knitwear', name: 'Knitwear' },
] as const;

interface FixtureProduct {
  name: string;
  category: (typeof CATEGORIES)[number]['slug'];
  description: string;
  colours: { name: string; rgb: Rgb }[];
  sizes: string[];
  price: number;
  stock: number;
}

const NAVY: Rgb = [38, 52, 92];
const OLIVE: Rgb = [107, 107, 47];
const CREAM: Rgb = [232, 222, 196];
const RUST: Rgb = [163, 81, 42];
const BLACK: Rgb = [40, 40, 44];
const DENIM: Rgb = [63, 95, 134];
const GREY: Rgb = [141, 141, 141];

/** A small, realistic catalogue: enough for filters to change what is shown. */
export const PRODUCTS: FixtureProduct[] = [
  { name: 'Everyday Organic Cotton Tee', category: 'tops', description: 'Soft 180 g organic cotton jersey with a relaxed fit.\n\nMachine wash cold.', colours: [{ name: 'Navy', rgb: NAVY }, { name: 'Cream', rgb: CREAM }], sizes: ['S', 'M', 'L'], price: 2400, stock: 20 },
  { name: 'Linen Camp Collar Shirt', category: 'tops', description: 'Breathable European linen, boxy fit, coconut buttons.', colours: [{ name: 'Olive', rgb: OLIVE }], sizes: ['M', 'L', 'XL'], price: 6800, stock: 8 },
  { name: 'Wrap Midi Dress', category: 'dresses', description: 'Fluid viscose crepe that moves with you. Adjustable tie waist.', colours: [{ name: 'Rust', rgb: RUST }, { name: 'Black', rgb: BLACK }], sizes: ['XS', 'S', 'M'], price: 8900, stock: 6 },
  { name: 'Waxed Field Jacket', category: 'outerwear', description: 'Water-resistant waxed cotton with a corduroy collar and four pockets.', colours: [{ name: 'Olive', rgb: OLIVE }, { name: 'Navy', rgb: NAVY }], sizes: ['M', 'L', 'XL'], price: 18900, stock: 4 },
  { name: 'High-Rise Straight Jeans', category: 'denim', description: 'Rigid 13 oz denim that softens with wear. Straight leg, full length.', colours: [{ name: 'Indigo', rgb: DENIM }, { name: 'Black', rgb: BLACK }], sizes: ['S', 'M', 'L'], price: 9800, stock: 12 },
  { name: 'Merino Crew Sweater', category: 'knitwear', description: 'Fine-gauge extra-fine merino. Warm, light and itch-free.', colours: [{ name: 'Heather Grey', rgb: GREY }, { name: 'Navy', rgb: NAVY }], sizes: ['S', 'M', 'L', 'XL'], price: 11500, stock: 10 },
];

export interface CatalogueFixture {
  seller: ApiClient;
  categoryIds: Record<string, number>;
  productIds: number[];
}

/** Categories by SQL (no route creates them), a seller by sign-up + role, products through the seller API. */
export async function createCatalogue(db: TestDatabase, apiUrl: string): Promise<CatalogueFixture> {
  const categoryIds: Record<string, number> = {};
  for (const category of CATEGORIES) {
    const { rows } = await db.pool.query<{ id: number }>('INSERT INTO categories (slug, name) VALUES ($1, $2) RETURNING id', [category.slug, category.name]);
    const id = rows[0]?.id;
    if (id === undefined) throw new Error('category insert returned no id');
    categoryIds[category.slug] = Number(id);
  }
  const seller = await createSeller(db, apiUrl);
  const productIds: number[] = [];
  for (const product of PRODUCTS) {
    const created = await seller.request<{ id: number }>('POST', '/api/seller/products', {
      name: product.name,
      description: product.description,
      categoryId: categoryIds[product.category],
      variants: product.colours.flatMap((colour) => product.sizes.map((size) => ({ size, colour: colour.name, price: product.price, stock: product.stock }))),
    });
    const form = new FormData();
    form.append('alt', `${product.name} in ${product.colours[0]?.name ?? ''}`);
    form.append('image', new Blob([new Uint8Array(garmentPng(product.colours[0]?.rgb ?? GREY))], { type: 'image/png' }), 'photo.png');
    await seller.request('POST', `/api/seller/products/${created.id}/images`, form);
    await seller.request('POST', `/api/seller/products/${created.id}/publish`);
    productIds.push(created.id);
  }
  return { seller, categoryIds, productIds };
}

/** Signs the fixture seller up through the API, then gives the account the seller role. */
export async function createSeller(db: TestDatabase, apiUrl: string): Promise<ApiClient> {
  const client = new ApiClient(apiUrl);
  await client.request('POST', '/api/auth/signup', SELLER);
  await db.pool.query(`UPDATE users SET role = 'seller' WHERE lower(email) = lower($1)`, [SELLER.email]);
  return client;
}
