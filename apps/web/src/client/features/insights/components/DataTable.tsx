import { useMemo, useState, type ReactNode } from 'react';
import { stringify } from 'csv-stringify/browser/esm/sync';

export interface Column<Row> {
  key: string;
  label: string;
  /** Value for sorting and CSV export. */
  value: (row: Row) => string | number | null;
  /** Display; defaults to the value. */
  render?: (row: Row) => ReactNode;
  isNumeric?: boolean;
}

interface DataTableProps<Row> {
  title: string;
  rows: readonly Row[];
  columns: ReadonlyArray<Column<Row>>;
  /** Explanation line under the table. */
  explanation?: string;
  emptyText?: string;
  /** Initial sort column key. */
  sortKey?: string;
  maxRows?: number;
}

/**
 * Builds CSV text (RFC 4180) from rows and columns; exported for tests. Text cells that a
 * spreadsheet would run as formulas (=, +, -, @, tab, CR — campaign names, search terms and
 * review titles are typed by anyone) get a leading ' as OWASP recommends; numbers stay numbers.
 */
export function toCsv<Row>(rows: readonly Row[], columns: ReadonlyArray<Column<Row>>): string {
  const records = rows.map((row) => columns.map((column) => column.value(row) ?? ''));
  return stringify([columns.map((column) => column.label), ...records], { escape_formulas: true, record_delimiter: 'windows' }).replace(/\r\n$/, '');
}

/** A sortable table (click or Enter on a header) with a CSV download of all its rows. */
export function DataTable<Row>({ title, rows, columns, explanation, emptyText = 'No data for these filters.', sortKey, maxRows }: DataTableProps<Row>) {
  const [sort, setSort] = useState<{ key: string | undefined; isDescending: boolean }>({ key: sortKey, isDescending: true });
  const sorted = useMemo(() => {
    const column = columns.find((item) => item.key === sort.key);
    if (!column) return rows;
    return [...rows].sort((a, b) => {
      const left = column.value(a);
      const right = column.value(b);
      if (left === right) return 0;
      if (left === null) return 1;
      if (right === null) return -1;
      const order = typeof left === 'number' && typeof right === 'number' ? left - right : String(left).localeCompare(String(right));
      return sort.isDescending ? -order : order;
    });
  }, [rows, columns, sort]);
  const shown = maxRows === undefined ? sorted : sorted.slice(0, maxRows);

  const download = (): void => {
    const blob = new Blob([toCsv(sorted, columns)], { type: 'text/csv;charset=utf-8' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.csv`;
    link.click();
    URL.revokeObjectURL(link.href);
  };

  return (
    <section className="insight-table">
      <header className="insight-chart__head">
        <h3>{title}</h3>
        <button type="button" className="button button--secondary button--small" onClick={download} disabled={rows.length === 0} aria-label={`Download “${title}” as CSV`}>
          CSV
        </button>
      </header>
      {rows.length === 0 ? (
        <p className="insight-empty">{emptyText}</p>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label={title}>
          <table className="table insight-table__table" data-table={title}>
            <thead>
              <tr>
                {columns.map((column) => {
                  const isSorted = sort.key === column.key;
                  return (
                    <th
                      key={column.key}
                      scope="col"
                      className={column.isNumeric ? 'num' : undefined}
                      aria-sort={isSorted ? (sort.isDescending ? 'descending' : 'ascending') : 'none'}
                    >
                      <button
                        type="button"
                        className="insight-sort"
                        onClick={() => setSort({ key: column.key, isDescending: isSorted ? !sort.isDescending : true })}
                      >
                        {column.label}
                        <span aria-hidden="true">{isSorted ? (sort.isDescending ? ' ▾' : ' ▴') : ''}</span>
                      </button>
                    </th>
                  );
                })}
              </tr>
            </thead>
            <tbody>
              {shown.map((row, index) => (
                <tr key={index}>
                  {columns.map((column) => (
                    <td key={column.key} className={column.isNumeric ? 'num' : undefined}>
                      {column.render ? column.render(row) : (column.value(row) ?? '—')}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {explanation ? <p className="insight-explain">{explanation}</p> : null}
    </section>
  );
}
