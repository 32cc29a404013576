/**
 * Lineage as a small graph: what went in (code, data, a model to start from) on the left, the job
 * that ran in the middle, what it made, and what runs on that (inferences) on the right. Boxes
 * and arrows in HTML and CSS: columns side by side on a wide screen, stacked on a phone. Each box
 * links to what it names.
 */
import { Link } from 'wouter';

export interface LineageNode {
  key: string;
  /** What kind of thing it is: "workspace", "dataset", "job", … */
  kind: string;
  label: string;
  detail?: string;
  href?: string;
  /** The thing this page is about. */
  current?: boolean;
}

export interface LineageColumn {
  title: string;
  nodes: LineageNode[];
}

export function LineageGraph({ columns, label }: { columns: LineageColumn[]; label: string }) {
  const shown = columns.filter((c) => c.nodes.length > 0);
  if (shown.length <= 1) return <p className="muted">Nothing recorded that it was made from or that was made from it.</p>;
  return (
    <ol className="lineage" aria-label={label}>
      {shown.map((c) => (
        <li key={c.title} className="lineage-column">
          <h3 className="lineage-title">{c.title}</h3>
          <ul>
            {c.nodes.map((n) => (
              <li key={n.key} className={`lineage-node lineage-${n.kind}${n.current ? ' current' : ''}`}>
                <span className="lineage-kind">{n.kind}</span>
                {n.href && !n.current ? <Link href={n.href}>{n.label}</Link> : <strong>{n.label}</strong>}
                {n.current && <span className="visually-hidden"> (this page)</span>}
                {n.detail && <span className="lineage-detail">{n.detail}</span>}
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ol>
  );
}
