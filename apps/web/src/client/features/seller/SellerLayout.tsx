import { Link, Navigate, NavLink, Outlet } from 'react-router';

import { useSession } from '../../app/session';

/** The seller area: only sellers and admins; others are sent to sign in or told why not. */
export default function SellerLayout() {
  const { user } = useSession();
  if (user === undefined) return <div className="page"><p className="muted">Loading…</p></div>;
  if (user === null) return <Navigate to="/login?next=/seller" replace />;
  if (user.role !== 'seller' && user.role !== 'admin') {
    return (
      <div className="page empty-state">
        <h1>Seller area</h1>
        <p>Your account is a customer account. Ask the shop team to make you a seller.</p>
        <Link to="/" className="button">Back to the shop</Link>
      </div>
    );
  }
  return (
    <div className="page">
      <div className="area-head">
        <p className="eyebrow">Seller area</p>
        <nav className="tabs" aria-label="Seller area">
          <NavLink to="/seller" end>My products</NavLink>
          <NavLink to="/seller/products/new">New product</NavLink>
          <NavLink to="/seller/orders">Orders to ship</NavLink>
        </nav>
      </div>
      <Outlet />
    </div>
  );
}
