import { Link } from 'react-router';

import { formatPriceRange } from '../../lib/money';
import type { ProductSummary } from '../../lib/types';
import { ProductImage } from './ProductImage';
import { Stars } from './Stars';
import { isSoldOut, priceRangeOf, ratingOf, swatchColour } from './product-facts';

export function ProductCard({ product, isPriority }: { product: ProductSummary; isPriority: boolean }) {
  const colours = product.colours;
  const rating = ratingOf(product);
  return (
    <article className="product-card">
      <Link to={`/products/${product.id}`} className="product-card__link">
        <div className="product-card__media">
          <ProductImage
            image={product.image}
            alt="" /* the link's text already names the product */
            sizes="(min-width: 1200px) 280px, (min-width: 768px) 30vw, 50vw"
            isPriority={isPriority}
          />
          {isSoldOut(product) && <span className="tag tag--muted product-card__tag">Sold out</span>}
        </div>
        <h3 className="product-card__name">{product.name}</h3>
      </Link>
      <p className="product-card__price">{formatPriceRange(priceRangeOf(product))}</p>
      <div className="product-card__meta">
        {colours.length > 0 && (
          <ul className="swatches" aria-label={`Colours: ${colours.join(', ')}`}>
            {colours.slice(0, 5).map((colour) => (
              <li key={colour} className="swatch" style={{ background: swatchColour(colour) }} title={colour} />
            ))}
            {colours.length > 5 && <li className="swatches__more">+{colours.length - 5}</li>}
          </ul>
        )}
        {rating && <Stars value={rating.average} count={rating.count} />}
      </div>
    </article>
  );
}
