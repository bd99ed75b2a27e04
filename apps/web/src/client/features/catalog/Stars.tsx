/** A 0–5 star rating, readable by screen readers as text. */
export function Stars({ value, count }: { value: number; count?: number }) {
  const rounded = Math.round(value * 2) / 2;
  const label = `${rounded.toFixed(1)} out of 5 stars${count === undefined ? '' : `, ${count} ${count === 1 ? 'review' : 'reviews'}`}`;
  return (
    <span className="stars" role="img" aria-label={label}>
      <span className="stars__track" aria-hidden="true">★★★★★</span>
      <span className="stars__fill" aria-hidden="true" style={{ width: `${(rounded / 5) * 100}%` }}>★★★★★</span>
      {count !== undefined && <span className="stars__count" aria-hidden="true">({count})</span>}
    </span>
  );
}
