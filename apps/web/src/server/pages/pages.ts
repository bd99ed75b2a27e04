/**
 * The pages of the single-page app as the server sends them: the built index.html with a head
 * rendered for the address (title, description, canonical, Open Graph, product data), status 404
 * for addresses no page answers and for unknown products, plus /robots.txt and /sitemap.xml.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { matchPage, NOT_FOUND_META, type PageMeta } from '../../client/app/page-meta.js';
import { injectHead, renderHead, summarise, type ProductForHead } from './head.js';
import { readProduct } from './read-product.js';
import { renderRobots, SitemapCache } from './sitemap.js';

export interface PagesOptions {
  distDir: string;
  /**
   * The API tier to ask for product data (GET /api/products/:id) and the sitemap's product list:
   * called per request, so a replica that went down is not asked again (see UpstreamPool).
   */
  apiUrl: () => string;
  /**
   * Public origin for canonical and Open Graph URLs (THREADLINE_PUBLIC_URL); never the request's
   * Host header, which a client chooses.
   */
  publicUrl: string;
  currency: string;
}

interface ResolvedPage {
  status: 200 | 404;
  meta: PageMeta;
  product?: ProductForHead | undefined;
}

const PRODUCT_ID = /^[1-9][0-9]{0,15}$/;

/** Asks the API for a product with the visitor's cookie (a seller previews a draft). */
async function fetchProduct(options: { apiUrl: string; id: string; cookie: string | undefined }): Promise<ProductForHead | 'not_found' | undefined> {
  try {
    const response = await fetch(new URL(`/api/products/${options.id}`, options.apiUrl), {
      headers: { accept: 'application/json', ...(options.cookie ? { cookie: options.cookie } : {}) },
      signal: AbortSignal.timeout(3_000),
    });
    if (response.status === 404) return 'not_found';
    if (!response.ok) return undefined;
    return readProduct(await response.json());
  } catch {
    // the API tier is down or slow: the page still loads and shows its own error
    return undefined;
  }
}

async function resolvePage(request: FastifyRequest, apiUrl: () => string): Promise<ResolvedPage> {
  const pathname = new URL(request.url, 'http://x').pathname;
  const matched = matchPage(pathname);
  if (!matched) return { status: 404, meta: NOT_FOUND_META };
  if (matched.route.pattern !== '/products/:id') return { status: 200, meta: matched.route.meta };
  const id = matched.params.id ?? '';
  if (!PRODUCT_ID.test(id)) return { status: 404, meta: NOT_FOUND_META };
  const product = await fetchProduct({ apiUrl: apiUrl(), id, cookie: request.headers.cookie });
  if (product === 'not_found') return { status: 404, meta: NOT_FOUND_META };
  if (!product) return { status: 200, meta: matched.route.meta };
  const description = summarise(product.description) || `${product.name} — ${product.category.name} at Threadline.`;
  return { status: 200, meta: { title: product.name, description, isIndexable: product.status === 'published' }, product };
}

function originOf(publicUrl: string): string {
  return new URL(publicUrl).origin;
}

/** The canonical address: the path, plus the category on the home page (each category is a page). */
function canonicalUrl(request: FastifyRequest, origin: string): string {
  const url = new URL(request.url, origin);
  const canonical = new URL(url.pathname, origin);
  const category = url.pathname === '/' ? url.searchParams.get('category') : null;
  if (category) canonical.searchParams.set('category', category);
  return canonical.href;
}

/**
 * Registers the page handler (every GET no other route answers), robots.txt and sitemap.xml.
 */
export function registerPages(app: FastifyInstance, options: PagesOptions): void {
  const template = readFileSync(path.join(options.distDir, 'index.html'), 'utf8');
  const sitemap = new SitemapCache({ apiUrl: options.apiUrl });

  app.get('/robots.txt', async (request, reply) => {
    return reply.type('text/plain; charset=utf-8').header('cache-control', 'public, max-age=3600').send(renderRobots(originOf(options.publicUrl)));
  });
  app.get('/sitemap.xml', async (request, reply) => {
    const xml = await sitemap.get(originOf(options.publicUrl));
    return reply.type('application/xml; charset=utf-8').header('cache-control', 'public, max-age=900').send(xml);
  });

  // a route (not the not-found handler) so that compression and the other route hooks apply;
  // the static files and /api forwarding are more specific and win over the wildcard
  app.setNotFoundHandler((_request, reply) => reply.status(404).send({ error: { code: 'NOT_FOUND', message: 'not found' } }));
  app.get('/*', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.url.startsWith('/assets/')) return reply.status(404).send({ error: { code: 'NOT_FOUND', message: 'not found' } });
    const page = await resolvePage(request, options.apiUrl);
    const origin = originOf(options.publicUrl);
    const head = renderHead({ meta: page.meta, canonicalUrl: canonicalUrl(request, origin), origin, product: page.product, currency: options.currency });
    return reply.status(page.status).type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(injectHead(template, head));
  });
}
