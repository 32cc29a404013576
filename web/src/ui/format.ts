/** Times and durations as people read them. The API speaks seconds since the epoch. */

// One formatter for every time shown: `toLocaleString` with options builds a new one per call
// (about 0.1 ms), which was most of the script time of scrolling the jobs list.
const TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function formatTime(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '–';
  return TIME.format(new Date(seconds * 1000));
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60 ? `${s % 60} s` : ''}`.trim();
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

/** Words for a status: the API's names, spaced. */
export const statusWords = (status: string): string => status.replace(/([a-z])([A-Z])/g, '$1 $2');

/** Node labels as people write them: `zone=a, disk=ssd` (what a node selector names, what a node carries). */
/** A node selector term as the API gives it (api/views.ts NodeSelectorTerm). */
interface Term {
  readonly matchExpressions: readonly { key: string; operator: string; values?: readonly string[] | null }[];
}

/** Node selector terms as people read them: `zone In (a, b), gpu-mem > 40`, terms joined by `or`. */
export function formatAffinity(terms: readonly Term[]): string {
  const text = terms.map((t) =>
    t.matchExpressions
      .map(({ key, operator, values }) => {
        if (operator === 'In' || operator === 'NotIn') return `${key} ${operator} (${(values ?? []).join(', ')})`;
        if (operator === 'Gt' || operator === 'Lt') return `${key} ${operator === 'Gt' ? '>' : '<'} ${values?.[0]}`;
        return `${key} ${operator}`;
      })
      .join(', '),
  );
  return text.length === 1 ? (text[0] as string) : text.map((x) => `(${x})`).join(' or ');
}

export function formatLabels(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}
