import { lazy, Suspense, type ComponentType, type LazyExoticComponent } from 'react';
import { Link, Navigate, NavLink, Route, Routes } from 'react-router';

import { useSession } from '../../app/session';
import type { Role } from '../../lib/types';
import { ADMIN_PAGES, type AdminPage } from './admin-pages';

// one lazy component per registered page, created once so navigation keeps page state stable
const LAZY_PAGES = new Map<string, LazyExoticComponent<ComponentType>>(ADMIN_PAGES.map((page) => [page.path, lazy(page.load)]));

export const STAFF_ROLES: readonly Role[] = ['admin', 'marketing'];

function pagesFor(role: Role): AdminPage[] {
  return ADMIN_PAGES.filter((page) => page.roles.includes(role));
}

function groupPages(pages: AdminPage[]): [string, AdminPage[]][] {
  const groups = new Map<string, AdminPage[]>();
  for (const page of pages) groups.set(page.group ?? 'Back office', [...(groups.get(page.group ?? 'Back office') ?? []), page]);
  return [...groups];
}

function AdminHome({ pages }: { pages: AdminPage[] }) {
  return (
    <div>
      <h1>Back office</h1>
      <p className="muted">Everything the shop team needs, in one place.</p>
      <ul className="tile-grid">
        {pages.map((page) => (
          <li key={page.path}><Link to={`/admin/${page.path}`} className="tile"><span className="eyebrow">{page.group ?? 'Back office'}</span><strong>{page.label}</strong></Link></li>
        ))}
      </ul>
    </div>
  );
}

/** The /admin shell: side navigation from ADMIN_PAGES (by role) and the chosen page. */
export default function AdminLayout() {
  const { user } = useSession();
  if (user === undefined) return <div className="page"><p className="muted">Loading…</p></div>;
  if (user === null) return <Navigate to="/login?next=/admin" replace />;
  if (!STAFF_ROLES.includes(user.role)) {
    return (
      <div className="page empty-state">
        <h1>Back office</h1>
        <p>The back office is for the shop team. Your account does not have access.</p>
        <Link to="/" className="button">Back to the shop</Link>
      </div>
    );
  }
  const pages = pagesFor(user.role);
  return (
    <div className="admin">
      <aside className="admin__nav">
        <p className="eyebrow">Back office</p>
        <nav aria-label="Back office">
          <NavLink to="/admin" end>Overview</NavLink>
          {groupPages(pages).map(([group, groupPagesList]) => (
            <div key={group} className="admin__group">
              <p className="admin__group-label">{group}</p>
              {groupPagesList.map((page) => <NavLink key={page.path} to={`/admin/${page.path}`}>{page.label}</NavLink>)}
            </div>
          ))}
        </nav>
      </aside>
      <div className="admin__main">
        <Suspense fallback={<p className="muted">Loading…</p>}>
          <Routes>
            <Route index element={<AdminHome pages={pages} />} />
            {pages.map((page) => {
              const Page = LAZY_PAGES.get(page.path);
              return Page ? <Route key={page.path} path={`${page.path}/*`} element={<Page />} /> : null;
            })}
            <Route path="*" element={<div className="empty-state"><h1>No such page</h1><Link to="/admin">Back office home</Link></div>} />
          </Routes>
        </Suspense>
      </div>
    </div>
  );
}
