import { useEffect, useState } from 'react';

import type { ProductImage as Image } from '../../lib/types';
import { ProductImage } from '../catalog/ProductImage';

export const ACCEPTED_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

/** A file chosen for upload and the variant colour it shows (undefined when the photo fits every colour). */
export interface PendingPhoto {
  file: File;
  colour?: string | undefined;
}

interface Props {
  existing: Image[];
  pending: PendingPhoto[];
  onPending: (photos: PendingPhoto[]) => void;
  /** The product's variant colours: each photo can be marked as one colour's photo. */
  colours: string[];
  /** Removes a saved photo (absent while the product is not saved yet). */
  onRemoveExisting?: (image: Image) => void;
  error?: string;
}

/** Shows the product's photos and previews files chosen for upload before they are sent. */
export function ImagePicker({ existing, pending, onPending, colours, onRemoveExisting, error }: Props) {
  const [previews, setPreviews] = useState<string[]>([]);
  const [pickError, setPickError] = useState<string | undefined>();

  useEffect(() => {
    const urls = pending.map((photo) => URL.createObjectURL(photo.file));
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
    // a colour photo by default when the product has one colour chosen last: the seller can change it
    onPending([...pending, ...files.map((file) => ({ file, colour: colours.length === 1 ? colours[0] : undefined }))]);
  }

  const message = pickError ?? error;
  return (
    <div className="image-picker">
      <ul className="image-picker__grid" aria-label="Photos">
        {existing.map((image) => (
          <li key={image.url} className="image-picker__item">
            <ProductImage image={image} alt={image.alt ?? ''} sizes="120px" />
            <span className="image-picker__colour">{image.colour ?? 'Any colour'}</span>
            {onRemoveExisting && image.id !== undefined && (
              <button type="button" className="image-picker__remove" aria-label={`Remove photo ${existing.indexOf(image) + 1}`} onClick={() => onRemoveExisting(image)}>×</button>
            )}
          </li>
        ))}
        {pending.map(({ file, colour }, index) => (
          <li key={`${file.name}-${index}`} className="image-picker__item image-picker__item--pending">
            {previews[index] && <img src={previews[index]} alt={`New photo ${file.name} (not uploaded yet)`} />}
            <button type="button" className="image-picker__remove" aria-label={`Remove ${file.name}`} onClick={() => onPending(pending.filter((_, i) => i !== index))}>×</button>
            <label className="image-picker__colour">
              <span className="visually-hidden">Colour shown in {file.name}</span>
              <select value={colour ?? ''} onChange={(e) => onPending(pending.map((photo, i) => (i === index ? { ...photo, colour: e.target.value || undefined } : photo)))}>
                <option value="">Any colour</option>
                {colours.map((name) => <option key={name} value={name}>{name}</option>)}
              </select>
            </label>
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
      <p className="hint">JPEG, PNG or WebP up to 20 MB. Mark each photo with the colour it shows: shoppers see the photos of the colour they choose. Photos are resized for phones and large screens automatically.</p>
      {message && <p className="field-error" role="alert">{message}</p>}
    </div>
  );
}
