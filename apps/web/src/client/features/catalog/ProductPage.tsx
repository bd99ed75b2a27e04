import { useEffect, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';

import { FREE_SHIPPING_FROM_CENTS } from '@threadline/domain';

import { NOT_FOUND_META } from '../../app/page-meta';
import { useSession } from '../../app/session';
import { usePageTitle } from '../../app/use-page-title';
import { track } from '../../analytics';
import { api, ApiError, describeError } from '../../lib/api';
import { formatCents, formatCentsShort, formatPriceRange } from '../../lib/money';
import type { Product } from '../../lib/types';
import { useApi } from '../../lib/use-api';
import { PhotoZoom } from './PhotoZoom';
import { ProductImage } from './ProductImage';
import { SizeGuide } from './SizeGuide';
import { sizeGuideFor } from './size-guide';
import { ReviewSection } from './ReviewSection';
import { Stars } from './Stars';
import { coloursOf, photosForColour, ratingOf, sizesOf } from './product-facts';
import { stockLabel, VariantPicker } from './VariantPicker';

export default function ProductPage() {
  const { id = '' } = useParams();
  const { data: product, error, isLoading, reload } = useApi<Product>(`/api/products/${encodeURIComponent(id)}`);
  const isMissing = error instanceof ApiError && (error.status === 404 || error.status === 400);
  usePageTitle(product?.name ?? (isMissing ? NOT_FOUND_META.title : undefined));

  if (isLoading && !product) return <div className="page"><p className="muted" aria-live="polite">Loading product…</p></div>;
  if (error !== undefined || !product) {
    return (
      <div className="page empty-state">
        <h1>{isMissing ? 'This product is not available' : 'Could not load this product'}</h1>
        <p>{isMissing ? 'It may have been taken down by the seller.' : describeError(error)}</p>
        <Link to="/" className="button">Back to the shop</Link>
      </div>
    );
  }
  return <ProductDetails key={product.id} product={product} onReviewed={reload} />;
}

function ProductDetails({ product, onReviewed }: { product: Product; onReviewed: () => void }) {
  const { refreshCart } = useSession();
  const colours = coloursOf(product.variants);
  const sizes = sizesOf(product.variants);
  // preselect what has only one option, and the first colour in stock
  const [colour, setColour] = useState<string | undefined>(
    colours.length === 1 ? colours[0] : product.variants.find((v) => v.stock > 0)?.colour,
  );
  const [size, setSize] = useState<string | undefined>(sizes.length === 1 ? sizes[0] : undefined);
  const [quantity, setQuantity] = useState(1);
  const [imageIndex, setImageIndex] = useState(0);
  const [status, setStatus] = useState<{ tone: 'ok' | 'error'; text: string } | undefined>();
  const [isAdding, setIsAdding] = useState(false);

  const variant = useMemo(() => product.variants.find((v) => v.size === size && v.colour === colour), [product.variants, size, colour]);
  const stock = stockLabel(variant);
  const rating = ratingOf(product);
  const sizeGuide = sizeGuideFor(product.category?.slug, sizes);
  // the gallery follows the chosen colour (its photos, then photos of any colour)
  const images = useMemo(() => photosForColour(product.images ?? [], colour), [product.images, colour]);
  useEffect(() => setImageIndex(0), [colour]);

  useEffect(() => {
    track('product_view', { productId: String(product.id) });
  }, [product.id]);
  useEffect(() => setQuantity(1), [variant?.id]);

  async function addToCart() {
    if (!variant) return setStatus({ tone: 'error', text: size ? 'Choose a colour first.' : 'Choose a size first.' });
    setIsAdding(true);
    setStatus(undefined);
    try {
      await api('/api/cart/items', { method: 'POST', body: { variantId: variant.id, quantity } });
      track('add_to_cart', { productId: String(product.id), valueCents: variant.price * quantity, currency: 'USD' });
      await refreshCart();
      setStatus({ tone: 'ok', text: `Added ${quantity} × ${product.name} (${variant.colour}, ${variant.size}) to your cart.` });
    } catch (error) {
      setStatus({ tone: 'error', text: describeError(error) });
    } finally {
      setIsAdding(false);
    }
  }

  return (
    <div className="page product-page">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/">Shop</Link>
        {product.category && <> <span aria-hidden="true">/</span> <Link to={`/?category=${encodeURIComponent(product.category.slug)}`}>{product.category.name}</Link></>}
      </nav>
      <div className="product-page__grid">
        <div className="gallery">
          <PhotoZoom image={images[imageIndex]} label={images[imageIndex]?.alt || product.name}>
            <ProductImage image={images[imageIndex]} alt={images[imageIndex]?.alt || product.name} sizes="(min-width: 900px) 50vw, 100vw" isPriority className="gallery__main" />
          </PhotoZoom>
          {images.length > 1 && (
            <ul className="gallery__thumbs" aria-label="More photos">
              {images.map((image, index) => (
                <li key={image.url}>
                  <button type="button" aria-pressed={index === imageIndex} onClick={() => setImageIndex(index)} aria-label={`Photo ${index + 1} of ${images.length}${image.colour ? `, ${image.colour}` : ''}`}>
                    <ProductImage image={image} alt="" sizes="80px" />
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>

        <div className="product-info">
          <h1>{product.name}</h1>
          {rating && <a href="#reviews-heading" className="product-info__rating"><Stars value={rating.average} count={rating.count} /></a>}
          <p className="product-info__price" data-testid="price">
            {variant ? formatCents(variant.price) : formatPriceRange(product.variants.map((v) => v.price))}
          </p>

          <VariantPicker variants={product.variants} size={size} colour={colour} onSize={setSize} onColour={setColour} />
          {sizeGuide && <SizeGuide guide={sizeGuide} sizes={sizes} />}

          <p className={`stock stock--${stock.tone}`} aria-live="polite">{stock.text}</p>

          <div className="buy-row">
            <label className="quantity">
              <span>Quantity</span>
              <select value={quantity} onChange={(e) => setQuantity(Number(e.target.value))} disabled={!variant || variant.stock <= 0}>
                {Array.from({ length: Math.max(1, Math.min(10, variant?.stock ?? 1)) }, (_, i) => i + 1).map((n) => <option key={n} value={n}>{n}</option>)}
              </select>
            </label>
            <button type="button" className="button button--large" onClick={() => void addToCart()} disabled={isAdding || variant?.stock === 0}>
              {isAdding ? 'Adding…' : variant?.stock === 0 ? 'Out of stock' : 'Add to cart'}
            </button>
          </div>
          {status && (
            <p className={`alert ${status.tone === 'ok' ? 'alert--success' : 'alert--error'}`} role={status.tone === 'ok' ? 'status' : 'alert'}>
              {status.text} {status.tone === 'ok' && <Link to="/cart">View cart</Link>}
            </p>
          )}

          <div className="product-info__description">
            <h2>Details</h2>
            {product.description.split(/\n{2,}/).map((paragraph, i) => <p key={i}>{paragraph}</p>)}
            {product.seller && <p className="muted">Sold by {product.seller.name}</p>}
          </div>
          <ul className="perks">
            <li>Free shipping over {formatCentsShort(FREE_SHIPPING_FROM_CENTS)}</li>
            <li>Free returns within 30 days</li>
          </ul>
        </div>
      </div>
      <ReviewSection product={product} onPosted={onReviewed} />
    </div>
  );
}
