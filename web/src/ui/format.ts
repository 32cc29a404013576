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

/** A requirement as people write it, and the operator it means (Kubernetes' label selector words, and the shown ones). */
const KEY = String.raw`[^\s,=!<>()]+`;
const REQUIREMENTS: readonly [RegExp, (m: RegExpMatchArray) => Term['matchExpressions'][number]][] = [
  [new RegExp(`^!\\s*(${KEY})$`), (m) => ({ key: m[1] as string, operator: 'DoesNotExist' })],
  [
    new RegExp(`^(${KEY})\\s+(Exists|DoesNotExist)$`, 'i'),
    (m) => ({ key: m[1] as string, operator: /^e/i.test(m[2] as string) ? 'Exists' : 'DoesNotExist' }),
  ],
  [new RegExp(`^(${KEY})$`), (m) => ({ key: m[1] as string, operator: 'Exists' })],
  [
    new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^()]*)\\)$`, 'i'),
    (m) => ({
      key: m[1] as string,
      operator: (m[2] as string).toLowerCase() === 'in' ? 'In' : 'NotIn',
      values: (m[3] as string).split(',').map((v) => v.trim()),
    }),
  ],
  [
    new RegExp(`^(${KEY})\\s*(>|<)\\s*(\\S+)$`),
    (m) => ({ key: m[1] as string, operator: m[2] === '>' ? 'Gt' : 'Lt', values: [m[3] as string] }),
  ],
  [
    new RegExp(`^(${KEY})\\s*(!=|==|=)\\s*([^\\s,()]*)$`),
    (m) => ({ key: m[1] as string, operator: m[2] === '!=' ? 'NotIn' : 'In', values: [m[3] as string] }),
  ],
];

/** Split at the commas outside parentheses. */
function topLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

/**
 * A node affinity as people write it: what `formatAffinity` shows (`zone In (a, b), gpu-mem > 40`,
 * terms in parentheses joined by `or`), and Kubernetes' label selector words (`zone in (a, b)`,
 * `zone notin (c)`, `disk=ssd`, `spot!=yes`, `gpu`, `!spot`). Empty text is no affinity. What is
 * not a requirement is named; the server checks the rest (keys, values, Gt's integer).
 */
export function parseAffinity(text: string): { terms: Term[] } | { bad: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { terms: [] };
  const ors = trimmed.split(/\)\s+or\s+\(/i);
  const termTexts =
    ors.length > 1 && trimmed.startsWith('(') && trimmed.endsWith(')')
      ? ors.map((t, i) => (i === 0 ? t.slice(1) : i === ors.length - 1 ? t.slice(0, -1) : t))
      : [trimmed];
  const terms: Term[] = [];
  for (const termText of termTexts) {
    const matchExpressions: Term['matchExpressions'][number][] = [];
    for (const entry of topLevel(termText)) {
      if (entry === '') continue;
      const rule = REQUIREMENTS.find(([re]) => re.test(entry));
      if (!rule) return { bad: entry };
      matchExpressions.push(rule[1](entry.match(rule[0]) as RegExpMatchArray));
    }
    if (matchExpressions.length === 0) return { bad: termText };
    terms.push({ matchExpressions });
  }
  return { terms };
}

/** Node labels as people write them: `zone=a, disk=ssd` (what a node selector names, what a node carries). */
export function formatLabels(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}
