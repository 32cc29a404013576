/** Small shared pieces: status badges, problems in words, the visibility selector, loading states. */
import type { ReactNode } from 'react';
import { type Answer, describeProblem, type Problem } from '../api/client';
import type { JobStatus, Visibility } from '../api/views';
import type { Loaded } from '../store/live';
import { statusWords } from './format';

const STATUS_TONE: Record<JobStatus, string> = {
  Queued: 'waiting',
  WaitingForGPUs: 'waiting',
  Starting: 'busy',
  Running: 'busy',
  Training: 'busy',
  Stopping: 'busy',
  Complete: 'good',
  Error: 'bad',
  Stopped: 'neutral',
};

export function StatusBadge({ status }: { status: JobStatus }) {
  return <span className={`badge badge-${STATUS_TONE[status] ?? 'neutral'}`}>{statusWords(status)}</span>;
}

export function ProblemMessage({ problem }: { problem: Problem | string | null }) {
  if (!problem) return null;
  return (
    <p className="problem" role="alert">
      {typeof problem === 'string' ? problem : describeProblem(problem)}
    </p>
  );
}

/** Render an API read: loading, its problem, or its value. */
export function Show<T>({ loaded, children }: { loaded: Loaded<T>; children: (value: T, total: number | null) => ReactNode }) {
  if (loaded.state === 'loading') return <p className="muted">Loading…</p>;
  const a: Answer<T> = loaded.answer;
  if (!a.ok) return <ProblemMessage problem={a.problem} />;
  return <>{children(a.value, a.total)}</>;
}

const VISIBILITIES: { value: Visibility; label: string }[] = [
  { value: 'mine', label: 'Mine' },
  { value: 'shared', label: 'Shared' },
  { value: 'all', label: 'All' },
];

/** Mine / shared / all: the list filter the product has always had, top right of every list. */
export function VisibilitySelect({ value, onChange }: { value: Visibility; onChange: (v: Visibility) => void }) {
  return (
    <fieldset className="segmented" aria-label="Show">
      {VISIBILITIES.map((v) => (
        <label key={v.value} className={v.value === value ? 'on' : ''}>
          <input type="radio" name="visibility" value={v.value} checked={v.value === value} onChange={() => onChange(v.value)} />
          {v.label}
        </label>
      ))}
    </fieldset>
  );
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="page-header">
      <h1>{title}</h1>
      <div className="page-tools">{children}</div>
    </header>
  );
}
