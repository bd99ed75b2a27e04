import type { ProductImage as Image } from '../../lib/types';

/** Widths the API renders every uploaded image at (see the media route). */
export const IMAGE_WIDTHS = [320, 640, 1024] as const;

export function imageUrl(key: string, width: number): string {
  return `/media/images/${encodeURIComponent(key)}/${width}.webp`;
}

interface Props {
  image: Image | undefined;
  alt: string;
  /** The `sizes` attribute: how wide the image is drawn at each viewport width. */
  sizes: string;
  isPriority?: boolean;
  className?: string;
}

/** A product photo with a responsive srcset, or a neutral placeholder when there is none. */
export function ProductImage({ image, alt, sizes, isPriority = false, className }: Props) {
  if (!image) {
    return (
      <div className={`product-image product-image--empty ${className ?? ''}`} role="img" aria-label={`${alt} (no photo yet)`}>
        <svg aria-hidden="true" viewBox="0 0 24 24" width="40" height="40"><path fill="currentColor" d="M9 3 7 5H4a2 2 0 0 0-2 2v11a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V7a2 2 0 0 0-2-2h-3l-2-2H9Zm3 5a5 5 0 1 1 0 10 5 5 0 0 1 0-10Zm0 2a3 3 0 1 0 0 6 3 3 0 0 0 0-6Z" /></svg>
      </div>
    );
  }
  const widths = image.widths && image.widths.length > 0 ? image.widths : IMAGE_WIDTHS;
  const fallback = widths.find((w) => w >= 640) ?? widths[widths.length - 1] ?? 640;
  return (
    <img
      className={`product-image ${className ?? ''}`}
      src={imageUrl(image.key, fallback)}
      srcSet={widths.map((w) => `${imageUrl(image.key, w)} ${w}w`).join(', ')}
      sizes={sizes}
      alt={image.alt || alt}
      width={image.width ?? 800}
      height={image.height ?? 1000}
      loading={isPriority ? 'eager' : 'lazy'}
      decoding="async"
      fetchPriority={isPriority ? 'high' : 'auto'}
    />
  );
}
