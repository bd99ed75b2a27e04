import { useEffect, useRef } from 'react';
import { Link, NavLink, Outlet, useLocation, useNavigate } from 'react-router';

import { matchPage, NOT_FOUND_META } from './page-meta';
import { SearchBox } from './SearchBox';
import { useSession } from './session';
import { usePageTitle } from './use-page-title';
import { trackPageView } from '../analytics';

function AccountMenu() {
  const { user, logout } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const menu = useRef<HTMLDetailsElement>(null);
  useEffect(() => menu.current?.removeAttribute('open'), [location.pathname]);

  if (user === undefined) return <span className="account account--loading" aria-hidden="true" />;
  if (user === null) {
    return (
      <div className="account">
        <Link to="/login" className="header-link">Sign in</Link>
        <Link to="/signup" className="button button--small">Create account</Link>
      </div>
    );
  }
  const isSeller = user.role === 'seller' || user.role === 'admin';
  const isStaff = user.role === 'admin' || user.role === 'marketing';
  return (
    <details className="account-menu" ref={menu}>
      <summary className="header-link" aria-label={`Account menu for ${user.name}`}>
        {/* the initial is drawn by CSS: as text it would be visible yet missing from the name (axe label-content-name-mismatch) */}
        <span className="avatar" aria-hidden="true" data-initial={user.name.slice(0, 1).toUpperCase()} />
        <span className="account-menu__name">{user.name}</span>
      </summary>
      <ul className="account-menu__list">
        <li className="account-menu__who">Signed in as <strong>{user.email}</strong></li>
        <li><Link to="/orders">My orders</Link></li>
        <li><Link to="/account">Addresses &amp; password</Link></li>
        {isSeller && <li><Link to="/seller">Seller area</Link></li>}
        {isStaff && <li><Link to="/admin">Back office</Link></li>}
        <li>
          <button
            type="button"
            onClick={() => {
              void logout().then(() => navigate('/'));
            }}
          >
            Sign out
          </button>
        </li>
      </ul>
    </details>
  );
}

export function Layout() {
  const { cartCount } = useSession();
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  const shownPath = useRef(location.pathname);
  const page = matchPage(location.pathname);
  // product pages title themselves with the product's name once it has loaded
  usePageTitle(page?.route.pattern === '/products/:id' ? undefined : (page?.route.meta.title ?? NOT_FOUND_META.title));

  useEffect(() => {
    trackPageView();
    // a new page (not the first one, nor a re-render of the same one): start at its top and move
    // keyboard and screen-reader focus to its content
    if (shownPath.current === location.pathname) return;
    shownPath.current = location.pathname;
    window.scrollTo(0, 0);
    main.current?.focus({ preventScroll: true });
  }, [location.pathname]);

  return (
    <>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="site-header">
        <div className="site-header__inner">
          <Link to="/" className="brand">
            <span className="brand__mark" aria-hidden="true">T</span>
            <span className="brand__name">Threadline</span>
          </Link>
          <SearchBox />
          <nav className="header-actions" aria-label="Account and cart">
            <AccountMenu />
            {/* the name is the visible text plus a hidden word, "Cart 2 items" (axe label-content-name-mismatch) */}
            <NavLink to="/cart" className="cart-link">
              <svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22"><path fill="currentColor" d="M7 4V3a5 5 0 0 1 10 0v1h3l1 17a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2L4 4h3Zm2 0h6V3a3 3 0 0 0-6 0v1Zm-3 2-.9 15h13.8L18 6h-1v3h-2V6H9v3H7V6H6Z" /></svg>
              <span className="cart-link__label">Cart</span>{' '}
              <span className="badge" data-testid="cart-count">{cartCount}</span>
              <span className="visually-hidden">{cartCount === 1 ? ' item' : ' items'}</span>
            </NavLink>
          </nav>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Outlet />
      </main>
      <footer className="site-footer">
        <div className="site-footer__inner">
          <p><strong>Threadline</strong> — clothing for every season.</p>
          <p>Free returns within 30 days · Secure checkout · Prices in USD</p>
        </div>
      </footer>
    </>
  );
}
