import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { documentTitle, matchPage, PAGE_ROUTES } from './page-meta';

describe('page addresses', () => {
  it('matches fixed, parameter and prefix routes, ignoring a trailing slash', () => {
    assert.equal(matchPage('/')?.route.pattern, '/');
    assert.deepEqual(matchPage('/products/42')?.params, { id: '42' });
    assert.equal(matchPage('/cart/')?.route.pattern, '/cart');
    assert.equal(matchPage('/admin')?.route.pattern, '/admin');
    assert.equal(matchPage('/admin/insights/peak-hours')?.route.pattern, '/admin/*');
    assert.equal(matchPage('/seller/products/new')?.route.pattern, '/seller/*');
  });

  it('matches nothing for addresses no page answers', () => {
    for (const pathname of ['/nope', '/products', '/products/1/2', '/cartx', '/favicon.ico']) assert.equal(matchPage(pathname), undefined, pathname);
  });

  it('knows every route of the router (a route missing here would answer 404 from the server)', () => {
    const router = readFileSync(new URL('./router.tsx', import.meta.url), 'utf8');
    const paths = [...router.matchAll(/path: '([^']+)'/g)].map((match) => match[1] ?? '');
    assert.ok(paths.length > 5, 'router paths found');
    for (const routePath of paths) {
      if (routePath === '*') continue;
      // children of /seller are relative; a concrete address stands in for each parameter
      const isSellerChild = routePath.startsWith('products/') || routePath === 'orders' ? router.indexOf(`path: '${routePath}'`) > router.indexOf("path: 'seller'") : false;
      const full = `${isSellerChild ? '/seller/' : '/'}${routePath}`.replace(/:[a-z]+/g, '1').replace('/*', '/x');
      assert.ok(matchPage(full), `${full} (router path "${routePath}") is listed in PAGE_ROUTES`);
    }
    assert.ok(PAGE_ROUTES.every((route) => route.meta.title.length > 0 && route.meta.description.length > 0));
  });

  it('titles pages "<page> · Threadline" and leaves the home title as it is', () => {
    assert.equal(documentTitle('Your cart'), 'Your cart · Threadline');
    assert.equal(documentTitle('Threadline — clothing for every season'), 'Threadline — clothing for every season');
  });
});
