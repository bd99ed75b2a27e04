export interface Kpi {
  label: string;
  value: string;
  hint?: string;
}

/** The headline figures of a dashboard. */
export function Kpis({ items }: { items: readonly Kpi[] }) {
  return (
    <dl className="insight-kpis">
      {items.map((item) => (
        <div key={item.label} className="insight-kpi">
          <dt>{item.label}</dt>
          <dd data-kpi={item.label}>{item.value}</dd>
          {item.hint ? <p className="muted">{item.hint}</p> : null}
        </div>
      ))}
    </dl>
  );
}
