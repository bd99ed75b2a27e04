import { useEffect, useState } from 'react';

import type { ProductImage as Image } from '../../lib/types';
import { ProductImage } from '../catalog/ProductImage';

export const ACCEPTED_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

interface Props {
  existing: Image[];
  pending: File[];
  onPending: (files: File[]) => void;
  /** Removes a saved photo (absent while the product is not saved yet). */
  onRemoveExisting?: (image: Image) => void;
  error?: string;
}

/** Shows the product's photos and previews files chosen for upload before they are sent. */
export function ImagePicker({ existing, pending, onPending, onRemoveExisting, error }: Props) {
  const [previews, setPreviews] = useState<string[]>([]);
  const [pickError, setPickError] = useState<string | undefined>();

  useEffect(() => {
    const urls = pending.map((file) => URL.createObjectURL(file));
    setPreviews(urls);
    return () => urls.forEach((url) => URL.revokeObjectURL(url));
  }, [pending]);

  function pick(list: FileList | null) {
    const files = [...(list ?? [])];
    const wrongType = files.find((f) => !ACCEPTED_IMAGE_TYPES.includes(f.type));
    const tooBig = files.find((f) => f.size > MAX_IMAGE_BYTES);
    if (wrongType) return setPickError(`${wrongType.name} is not a JPEG, PNG or WebP image.`);
    if (tooBig) return setPickError(`${tooBig.name} is larger than 20 MB.`);
    setPickError(undefined);
    onPending([...pending, ...files]);
  }

  const message = pickError ?? error;
  return (
    <div className="image-picker">
      <ul className="image-picker__grid" aria-label="Photos">
        {existing.map((image) => (
          <li key={image.url} className="image-picker__item">
            <ProductImage image={image} alt={image.alt ?? ''} sizes="120px" />
            {onRemoveExisting && image.id !== undefined && (
              <button type="button" className="image-picker__remove" aria-label={`Remove photo ${existing.indexOf(image) + 1}`} onClick={() => onRemoveExisting(image)}>×</button>
            )}
          </li>
        ))}
        {pending.map((file, index) => (
          <li key={`${file.name}-${index}`} className="image-picker__item image-picker__item--pending">
            {previews[index] && <img src={previews[index]} alt={`New photo ${file.name} (not uploaded yet)`} />}
            <button type="button" className="image-picker__remove" aria-label={`Remove ${file.name}`} onClick={() => onPending(pending.filter((_, i) => i !== index))}>×</button>
          </li>
        ))}
        <li>
          <label className="image-picker__add">
            <input type="file" accept={ACCEPTED_IMAGE_TYPES.join(',')} multiple className="visually-hidden" onChange={(e) => { pick(e.target.files); e.target.value = ''; }} data-testid="image-input" />
            <span aria-hidden="true">+</span>
            <span>Add photos</span>
          </label>
        </li>
      </ul>
      <p className="hint">JPEG, PNG or WebP up to 20 MB. Photos are resized for phones and large screens automatically.</p>
      {message && <p className="field-error" role="alert">{message}</p>}
    </div>
  );
}
