import type { SizeGuide as Guide } from './size-guide';

/** A product's size guide, folded under its size choice. */
export function SizeGuide({ guide, sizes }: { guide: Guide; sizes: readonly string[] }) {
  const offered = new Set(sizes.map((size) => size.toUpperCase()));
  return (
    <details className="size-guide">
      <summary>Size guide</summary>
      <div className="table-wrap" tabIndex={0} role="region" aria-label={`${guide.title} size guide`}>
        <table className="table">
          <caption className="visually-hidden">{guide.title} sizes and body measurements</caption>
          <thead>
            <tr>
              <th scope="col">Size</th>
              {guide.columns.map((column) => <th key={column} scope="col">{column}</th>)}
            </tr>
          </thead>
          <tbody>
            {guide.rows.map((row) => (
              <tr key={row.size} className={offered.has(row.size) ? undefined : 'muted'}>
                <th scope="row">{row.size}</th>
                {row.values.map((value, index) => <td key={guide.columns[index] ?? index}>{value}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="hint">{guide.note}</p>
    </details>
  );
}
