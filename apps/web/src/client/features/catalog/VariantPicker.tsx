import type { Variant } from '../../lib/types';
import { coloursOf, sizesOf, swatchColour } from './product-facts';

interface Props {
  variants: Variant[];
  size: string | undefined;
  colour: string | undefined;
  onSize: (size: string) => void;
  onColour: (colour: string) => void;
}

/**
 * Size × colour choice. A size or colour with no stock in combination with the other choice is
 * still selectable (the shopper sees "Out of stock") but marked, so the grid never jumps.
 */
export function VariantPicker({ variants, size, colour, onSize, onColour }: Props) {
  const sizes = sizesOf(variants);
  const colours = coloursOf(variants);
  const inStock = (s: string | undefined, c: string | undefined) =>
    variants.some((v) => (s === undefined || v.size === s) && (c === undefined || v.colour === c) && v.stock > 0);

  return (
    <div className="variant-picker">
      <fieldset>
        <legend>Colour{colour ? <span className="muted">: {colour}</span> : null}</legend>
        <div className="chips" role="radiogroup" aria-label="Colour">
          {colours.map((c) => (
            <button
              key={c}
              type="button"
              role="radio"
              aria-checked={colour === c}
              className={`chip chip--colour ${inStock(size, c) ? '' : 'is-unavailable'}`}
              onClick={() => onColour(c)}
            >
              <span className="swatch" style={{ background: swatchColour(c) }} aria-hidden="true" />
              {c}
              {!inStock(size, c) && <span className="visually-hidden"> (out of stock)</span>}
            </button>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>Size{size ? <span className="muted">: {size}</span> : null}</legend>
        <div className="chips" role="radiogroup" aria-label="Size">
          {sizes.map((s) => (
            <button
              key={s}
              type="button"
              role="radio"
              aria-checked={size === s}
              className={`chip chip--size ${inStock(s, colour) ? '' : 'is-unavailable'}`}
              onClick={() => onSize(s)}
            >
              {s}
              {!inStock(s, colour) && <span className="visually-hidden"> (out of stock)</span>}
            </button>
          ))}
        </div>
      </fieldset>
    </div>
  );
}

/** "In stock", "Only 3 left" or "Out of stock" for the chosen variant. */
export function stockLabel(variant: Variant | undefined): { text: string; tone: 'hint' | 'ok' | 'low' | 'none' } {
  if (!variant) return { text: 'Choose a colour and size', tone: 'hint' };
  if (variant.stock <= 0) return { text: 'Out of stock', tone: 'none' };
  if (variant.stock <= 5) return { text: `Only ${variant.stock} left`, tone: 'low' };
  return { text: 'In stock', tone: 'ok' };
}
