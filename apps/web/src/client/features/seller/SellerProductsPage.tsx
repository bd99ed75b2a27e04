import { useState } from 'react';
import { Link } from 'react-router';

import { describeError } from '../../lib/api';
import { formatPriceRange } from '../../lib/money';
import { ProductImage } from '../catalog/ProductImage';
import { priceRangeOf } from '../catalog/product-facts';
import { setPublished, useMyProducts, type SellerProductSummary } from './seller-api';

const STATUS_TEXT = { draft: 'Draft', published: 'Published', unpublished: 'Unpublished' } as const;

export default function SellerProductsPage() {
  const { data, error, isLoading, reload } = useMyProducts();
  const [actionError, setActionError] = useState<unknown>(undefined);
  const [busyId, setBusyId] = useState<number | undefined>();

  async function toggle(product: SellerProductSummary) {
    setBusyId(product.id);
    setActionError(undefined);
    try {
      await setPublished(product.id, product.status !== 'published');
      reload();
    } catch (caught) {
      setActionError(caught);
    } finally {
      setBusyId(undefined);
    }
  }

  const products = data?.items ?? [];
  return (
    <section aria-labelledby="my-products">
      <div className="section-head">
        <h1 id="my-products">My products</h1>
        <Link to="/seller/products/new" className="button">+ New product</Link>
      </div>
      {error !== undefined && <p className="alert alert--error" role="alert">{describeError(error)}</p>}
      {actionError !== undefined && <p className="alert alert--error" role="alert">{describeError(actionError)}</p>}
      {isLoading && !data ? <p className="muted">Loading…</p> : products.length === 0 ? (
        <div className="empty-state"><h2>No products yet</h2><p>Post your first product: it stays a draft until you publish it.</p></div>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Your products">
          <table className="table">
            <thead>
              <tr><th scope="col"><span className="visually-hidden">Photo</span></th><th scope="col">Product</th><th scope="col">Status</th><th scope="col">Price</th><th scope="col" className="num">Stock</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr>
            </thead>
            <tbody>
              {products.map((product) => (
                <tr key={product.id}>
                  <td className="thumb-cell"><ProductImage image={product.image} alt="" sizes="56px" /></td>
                  <td><Link to={`/seller/products/${product.id}`}>{product.name}</Link><br /><span className="muted">{product.variantCount} variants</span></td>
                  <td><span className={`status status--${product.status}`}>{STATUS_TEXT[product.status]}</span></td>
                  <td>{formatPriceRange(priceRangeOf(product))}</td>
                  <td className="num">{product.stock}</td>
                  <td>
                    <div className="actions">
                    <Link to={`/seller/products/${product.id}`} className="button button--secondary button--small">Edit</Link>
                    <button type="button" className="button button--secondary button--small" disabled={busyId === product.id} onClick={() => void toggle(product)}>
                      {product.status === 'published' ? 'Unpublish' : 'Publish'}
                    </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
