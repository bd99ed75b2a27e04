/**
 * robots.txt and sitemap.xml. The sitemap lists the storefront pages a search engine should
 * index: the home page, one page per category and every published product, read from the API's
 * public list (published products only) and kept for a quarter of an hour.
 */
import { escapeHtml } from './head.js';

/** One sitemap file holds at most 50,000 addresses (sitemaps.org). */
const MAX_URLS = 50_000;
const TTL_MS = 15 * 60_000;
const PAGE_SIZE = 100;

/** Storefront only: account, checkout, seller and back-office pages are no business of crawlers. */
const DISALLOWED = ['/api/', '/admin', '/seller', '/cart', '/checkout', '/orders', '/login', '/signup', '/claim', '/collect'];

export function renderRobots(origin: string): string {
  return ['User-agent: *', ...DISALLOWED.map((prefix) => `Disallow: ${prefix}`), 'Allow: /', '', `Sitemap: ${origin}/sitemap.xml`, ''].join('\n');
}

export interface SitemapEntry {
  /** Path and query below the origin. */
  path: string;
  lastModified?: string | undefined;
}

export function renderSitemap(origin: string, entries: readonly SitemapEntry[]): string {
  const urls = entries.slice(0, MAX_URLS).map((entry) => {
    const lastmod = entry.lastModified ? `<lastmod>${escapeHtml(entry.lastModified.slice(0, 10))}</lastmod>` : '';
    return `  <url><loc>${escapeHtml(new URL(entry.path, origin).href)}</loc>${lastmod}</url>`;
  });
  return ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">', ...urls, '</urlset>', ''].join('\n');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function getJson(url: URL): Promise<unknown> {
  const response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${url.pathname} answered ${response.status}`);
  return response.json();
}

/** Every storefront address, from the API's public category and product lists. */
export async function collectSitemapEntries(apiUrl: string): Promise<SitemapEntry[]> {
  const entries: SitemapEntry[] = [{ path: '/' }];
  const categories = await getJson(new URL('/api/categories', apiUrl));
  if (isRecord(categories) && Array.isArray(categories.items)) {
    for (const category of categories.items) {
      if (isRecord(category) && typeof category.slug === 'string') entries.push({ path: `/?category=${encodeURIComponent(category.slug)}` });
    }
  }
  let cursor: string | null = null;
  do {
    const url = new URL('/api/products', apiUrl);
    url.searchParams.set('limit', String(PAGE_SIZE));
    if (cursor) url.searchParams.set('cursor', cursor);
    const page = await getJson(url);
    if (!isRecord(page) || !Array.isArray(page.items)) break;
    for (const item of page.items) {
      if (isRecord(item) && typeof item.id === 'number') entries.push({ path: `/products/${item.id}`, lastModified: typeof item.createdAt === 'string' ? item.createdAt : undefined });
    }
    cursor = typeof page.nextCursor === 'string' ? page.nextCursor : null;
  } while (cursor && entries.length < MAX_URLS);
  return entries;
}

/** The sitemap's entries, fetched at most once per TTL however many crawlers ask. */
export class SitemapCache {
  private entries: { at: number; value: Promise<SitemapEntry[]> } | undefined;

  constructor(private readonly options: { apiUrl: () => string; ttlMs?: number }) {}

  async get(origin: string): Promise<string> {
    const ttl = this.options.ttlMs ?? TTL_MS;
    if (!this.entries || Date.now() - this.entries.at > ttl) {
      const value = collectSitemapEntries(this.options.apiUrl());
      this.entries = { at: Date.now(), value };
      // a failed fetch is not kept: the next request tries again
      value.catch(() => {
        if (this.entries?.value === value) this.entries = undefined;
      });
    }
    return renderSitemap(origin, await this.entries.value);
  }
}
