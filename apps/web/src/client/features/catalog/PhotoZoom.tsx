import { useRef, type ReactNode } from 'react';

import type { ProductImage } from '../../lib/types';

/** The widest stored copy of a photo, from its srcset ("…/1280.webp 1280w"). */
export function largestUrl(image: ProductImage): string {
  const candidates = image.srcset.split(',').map((entry) => entry.trim().split(/\s+/)).filter((parts) => parts.length === 2);
  const widest = candidates.sort((a, b) => Number.parseInt(b[1] ?? '0', 10) - Number.parseInt(a[1] ?? '0', 10))[0];
  return widest?.[0] ?? image.url;
}

/**
 * The main product photo as a button that opens it full size in a dialog (the browser's modal:
 * focus moves in, Escape closes, focus returns). The large copy scrolls to look at details.
 */
export function PhotoZoom({ image, label, children }: { image: ProductImage | undefined; label: string; children: ReactNode }) {
  const dialog = useRef<HTMLDialogElement>(null);
  if (!image) return <>{children}</>;
  return (
    <>
      <button type="button" className="zoom-button" onClick={() => dialog.current?.showModal()} aria-label={`Zoom: ${label}`}>
        {children}
        <span className="zoom-button__hint" aria-hidden="true">Zoom</span>
      </button>
      <dialog ref={dialog} className="zoom-dialog" aria-label={label} onClick={(event) => { if (event.target === dialog.current) dialog.current?.close(); }}>
        <form method="dialog" className="zoom-dialog__bar">
          <button type="submit" className="button button--secondary button--small">Close</button>
        </form>
        <img src={largestUrl(image)} alt={label} className="zoom-dialog__image" loading="lazy" />
      </dialog>
    </>
  );
}
