/**
 * Every address the single-page app answers, with the title and description its `<head>` gets.
 * Shared by the browser (document.title on navigation) and the web server (the head rendered
 * into the HTML it sends, and the 404 status for addresses no page answers). Pure: no DOM, no
 * imports, so both sides load it. The router test checks every route of ROUTES is listed here.
 */

export const SHOP_NAME = 'Threadline';
export const SHOP_TAGLINE = 'Clothing for every season';

export interface PageMeta {
  title: string;
  description: string;
  /** Pages a search engine should list (storefront); account and staff pages are noindex. */
  isIndexable: boolean;
}

export interface PageRoute {
  /** `/products/:id`, or a prefix ending in `/*` that matches everything below it. */
  pattern: string;
  meta: PageMeta;
}

const PRIVATE = { isIndexable: false } as const;

export const PAGE_ROUTES: readonly PageRoute[] = [
  {
    pattern: '/',
    meta: {
      title: `${SHOP_NAME} — ${SHOP_TAGLINE.toLowerCase()}`,
      description: 'Jackets, knitwear, dresses, denim and activewear in every size, with free returns within 30 days and secure checkout.',
      isIndexable: true,
    },
  },
  // the server replaces this with the product's own name and description
  { pattern: '/products/:id', meta: { title: 'Product', description: `A product from ${SHOP_NAME}.`, isIndexable: true } },
  { pattern: '/cart', meta: { title: 'Your cart', description: 'The products in your cart.', ...PRIVATE } },
  { pattern: '/checkout', meta: { title: 'Checkout', description: 'Pay for your order.', ...PRIVATE } },
  { pattern: '/orders', meta: { title: 'My orders', description: 'Your orders and their status.', ...PRIVATE } },
  { pattern: '/orders/:id', meta: { title: 'Order', description: 'An order and its status.', ...PRIVATE } },
  { pattern: '/login', meta: { title: 'Sign in', description: `Sign in to your ${SHOP_NAME} account.`, ...PRIVATE } },
  { pattern: '/signup', meta: { title: 'Create account', description: `Create a ${SHOP_NAME} account.`, ...PRIVATE } },
  { pattern: '/claim', meta: { title: 'Claim your account', description: 'Set a password for the account you had at the old shop.', ...PRIVATE } },
  { pattern: '/account', meta: { title: 'Your account', description: 'Your address book and password.', ...PRIVATE } },
  { pattern: '/forgot-password', meta: { title: 'Reset your password', description: 'Get a link to choose a new password.', ...PRIVATE } },
  { pattern: '/reset-password', meta: { title: 'Choose a new password', description: 'Set a new password with the link from your e-mail.', ...PRIVATE } },
  { pattern: '/seller', meta: { title: 'Seller area', description: 'Your products and orders.', ...PRIVATE } },
  { pattern: '/seller/*', meta: { title: 'Seller area', description: 'Your products and orders.', ...PRIVATE } },
  { pattern: '/admin', meta: { title: 'Back office', description: 'The shop team’s back office.', ...PRIVATE } },
  { pattern: '/admin/*', meta: { title: 'Back office', description: 'The shop team’s back office.', ...PRIVATE } },
];

export const NOT_FOUND_META: PageMeta = {
  title: 'Page not found',
  description: 'The page you were looking for has moved or never existed.',
  isIndexable: false,
};

export interface MatchedPage {
  route: PageRoute;
  /** Values of `:name` segments. */
  params: Record<string, string>;
}

/** The route answering `pathname`, or undefined (a 404). Trailing slashes are ignored. */
export function matchPage(pathname: string): MatchedPage | undefined {
  const segments = pathname.split('/').filter((segment) => segment !== '');
  for (const route of PAGE_ROUTES) {
    const pattern = route.pattern.split('/').filter((segment) => segment !== '');
    const isPrefix = pattern.at(-1) === '*';
    const fixed = isPrefix ? pattern.slice(0, -1) : pattern;
    if (isPrefix ? segments.length <= fixed.length : segments.length !== fixed.length) continue;
    const params: Record<string, string> = {};
    const isMatch = fixed.every((part, index) => {
      const segment = segments[index] ?? '';
      if (part.startsWith(':')) {
        params[part.slice(1)] = segment;
        return true;
      }
      return part === segment;
    });
    if (isMatch) return { route, params };
  }
  return undefined;
}

/** `Your cart · Threadline`; the home page's title already names the shop. */
export function documentTitle(title: string): string {
  return title.startsWith(SHOP_NAME) ? title : `${title} · ${SHOP_NAME}`;
}
