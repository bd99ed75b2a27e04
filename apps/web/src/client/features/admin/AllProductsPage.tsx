import { useState } from 'react';
import { Link } from 'react-router';

import { describeError } from '../../lib/api';
import { formatPriceRange } from '../../lib/money';
import { ProductImage } from '../catalog/ProductImage';
import { priceRangeOf } from '../catalog/product-facts';
import { unpublishProduct, useAdminProducts } from './admin-api';

/** Every seller's products, any status; an admin can take a product off sale. */
export default function AllProductsPage() {
  const [q, setQ] = useState('');
  const [status, setStatus] = useState('');
  const { data, error, isLoading, reload } = useAdminProducts(q.trim(), status);
  const [notice, setNotice] = useState<{ tone: 'ok' | 'error'; text: string } | undefined>();
  const products = data?.items ?? [];

  async function unpublish(id: number, name: string) {
    try {
      await unpublishProduct(id);
      setNotice({ tone: 'ok', text: `“${name}” is off sale.` });
      reload();
    } catch (caught) {
      setNotice({ tone: 'error', text: describeError(caught) });
    }
  }

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
      {notice && <p className={`alert ${notice.tone === 'ok' ? 'alert--success' : 'alert--error'}`} role={notice.tone === 'ok' ? 'status' : 'alert'}>{notice.text}</p>}
      {error !== undefined && <p className="alert alert--error" role="alert">{describeError(error)}</p>}
      {isLoading && !data ? <p className="muted">Loading…</p> : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="All products">
          <table className="table">
            <thead><tr><th scope="col"><span className="visually-hidden">Photo</span></th><th scope="col">Product</th><th scope="col">Category</th><th scope="col">Status</th><th scope="col">Price</th><th scope="col" className="num">Stock</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {products.map((p) => (
                <tr key={p.id}>
                  <td className="thumb-cell"><ProductImage image={p.image} alt="" sizes="56px" /></td>
                  <td>{p.status === 'published' ? <Link to={`/products/${p.id}`}>{p.name}</Link> : p.name}</td>
                  <td>{p.category?.name ?? ''}</td>
                  <td><span className={`status status--${p.status}`}>{p.status}</span></td>
                  <td>{formatPriceRange(priceRangeOf(p))}</td>
                  <td className="num">{p.stock}</td>
                  <td>{p.status === 'published' && <button type="button" className="button button--secondary button--small" onClick={() => void unpublish(p.id, p.name)}>Take off sale</button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {products.length === 0 && <p className="muted" style={{ padding: '12px 16px' }}>No products match.</p>}
        </div>
      )}
    </section>
  );
}
