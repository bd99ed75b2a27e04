import type { ProductImage as Image } from '../../lib/types';

interface Props {
  image: Image | null | undefined;
  alt: string;
  /** The `sizes` attribute: how wide the image is drawn at each viewport width. */
  sizes: string;
  isPriority?: boolean;
  className?: string;
}

/**
 * A product photo: the API's srcset (/media/images/<key>/<width>.webp at each stored width) lets
 * the browser pick the smallest file for the slot; without a photo, a neutral placeholder.
 */
export function ProductImage({ image, alt, sizes, isPriority = false, className }: Props) {
  if (!image) {
    return (
      <div
        className={`product-image product-image--empty ${className ?? ''}`}
        {...(alt ? { role: 'img', 'aria-label': `${alt} (no photo yet)` } : { 'aria-hidden': true })}
      >
        <svg aria-hidden="true" viewBox="0 0 24 24" width="40" height="40"><path fill="currentColor" d="M9 3 7 5H4a2 2 0 0 0-2 2v11a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V7a2 2 0 0 0-2-2h-3l-2-2H9Zm3 5a5 5 0 1 1 0 10 5 5 0 0 1 0-10Zm0 2a3 3 0 1 0 0 6 3 3 0 0 0 0-6Z" /></svg>
      </div>
    );
  }
  return (
    <img
      className={`product-image ${className ?? ''}`}
      src={image.url}
      srcSet={image.srcset || undefined}
      sizes={sizes}
      alt={alt === '' ? '' : image.alt || alt}
      width={image.width}
      height={image.height ?? Math.round(image.width * 1.25)}
      loading={isPriority ? 'eager' : 'lazy'}
      decoding="async"
      fetchPriority={isPriority ? 'high' : 'auto'}
    />
  );
}
