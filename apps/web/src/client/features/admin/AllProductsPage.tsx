import { useState } from 'react';
import { Link } from 'react-router';

import { describeError } from '../../lib/api';
import { formatPriceRange } from '../../lib/money';
import { totalStock } from '../catalog/product-facts';
import { useAdminProducts } from './admin-api';

export default function AllProductsPage() {
  const [q, setQ] = useState('');
  const [status, setStatus] = useState('');
  const { data, error, isLoading } = useAdminProducts(q, status);
  const products = data?.items ?? [];
  return (
    <section aria-labelledby="all-products-heading">
      <h1 id="all-products-heading">All products</h1>
      <div className="toolbar">
        <label className="field field--inline"><span>Search</span><input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Product name" /></label>
        <label className="field field--inline"><span>Status</span>
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">All</option>
            <option value="published">Published</option>
            <option value="draft">Draft</option>
            <option value="unpublished">Unpublished</option>
          </select>
        </label>
      </div>
      {error !== undefined && <p className="alert alert--error" role="alert">{describeError(error)}</p>}
      {isLoading && !data ? <p className="muted">Loading…</p> : (
        <div className="table-wrap">
          <table className="table">
            <thead><tr><th scope="col">Product</th><th scope="col">Seller</th><th scope="col">Status</th><th scope="col">Price</th><th scope="col" className="num">Stock</th></tr></thead>
            <tbody>
              {products.map((p) => (
                <tr key={p.id}>
                  <td>{p.status === 'published' ? <Link to={`/products/${p.id}`}>{p.name}</Link> : p.name}</td>
                  <td>{p.sellerName ?? p.sellerEmail ?? ''}</td>
                  <td><span className={`status status--${p.status}`}>{p.status}</span></td>
                  <td>{formatPriceRange(p.variants.map((v) => v.price))}</td>
                  <td className="num">{totalStock(p.variants)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {products.length === 0 && <p className="muted">No products match.</p>}
        </div>
      )}
    </section>
  );
}
