/**
 * Jobs of every kind: notebooks, training, preprocessing, inferences. Mine / shared / all at the
 * top right, a kind, a tag and a search by name; the list is virtualized (only the rows on screen
 * are in the page), so ten thousand jobs scroll as smoothly as ten.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, useState } from 'react';
import { Link } from 'wouter';
import { answer } from '../../api/client';
import { JOB_KINDS, type Job, type JobKind, type Visibility } from '../../api/views';
import { useApi } from '../../store/live';
import { PageHeader, Show, StatusBadge, VisibilitySelect } from '../../ui/components';
import { formatTime } from '../../ui/format';
import { jobHref } from './job';

const KIND_LABELS: Record<string, string> = {
  notebook: 'Notebooks',
  training: 'Training',
  preprocessing: 'Preprocessing',
  inference: 'Inferences',
};

export function JobsPage() {
  const [visibility, setVisibility] = useState<Visibility>('all');
  const [kind, setKind] = useState<JobKind | ''>('');
  const [tag, setTag] = useState('');
  const [search, setSearch] = useState('');
  const jobs = useApi(
    (c, past) =>
      answer<Job[]>(
        c.GET('/api/v1/jobs', {
          params: {
            query: {
              visibility,
              limit: 1000,
              ...(kind ? { kind } : {}),
              ...(tag.trim() ? { tag: tag.trim() } : {}),
              ...past,
            } as never,
          },
        }),
      ),
    [visibility, kind, tag],
  );
  return (
    <>
      <PageHeader title="Jobs">
        <Link href="/jobs/new" className="button">
          New job
        </Link>
        <VisibilitySelect value={visibility} onChange={setVisibility} />
      </PageHeader>
      <div className="filters">
        <label>
          Kind{' '}
          <select value={kind} onChange={(e) => setKind(e.target.value as JobKind | '')}>
            <option value="">All kinds</option>
            {JOB_KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Tag <input value={tag} onChange={(e) => setTag(e.target.value)} maxLength={256} />
        </label>
        <label>
          Search <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="name" />
        </label>
      </div>
      <Show loaded={jobs.loaded}>
        {(list, total) => {
          const needle = search.trim().toLowerCase();
          const shown = needle ? list.filter((j) => j.name.toLowerCase().includes(needle)) : list;
          return (
            <>
              <p className="muted" aria-live="polite">
                {shown.length} of {total ?? list.length} jobs
              </p>
              <JobList jobs={shown} />
            </>
          );
        }}
      </Show>
    </>
  );
}

const ROW_HEIGHT = 40;

/**
 * The rows on screen only, in a real table (a spacer row above and below stands for the rest),
 * which scrolls within a box of its own.
 */
export function JobList({ jobs }: { jobs: Job[] }) {
  const box = useRef<HTMLDivElement>(null);
  const rows = useVirtualizer({
    count: jobs.length,
    getScrollElement: () => box.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  if (jobs.length === 0) return <p className="muted">No jobs here.</p>;
  const items = rows.getVirtualItems();
  const before = items[0]?.start ?? 0;
  const after = rows.getTotalSize() - (items.at(-1)?.end ?? 0);
  return (
    <div className="job-scroll" ref={box}>
      <table className="job-table">
        <caption className="visually-hidden">Jobs ({jobs.length})</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Kind</th>
            <th scope="col">Owner</th>
            <th scope="col">GPUs</th>
            <th scope="col">Status</th>
            <th scope="col">Submitted</th>
          </tr>
        </thead>
        <tbody>
          {before > 0 && (
            <tr className="spacer" style={{ height: before }}>
              <td colSpan={6} />
            </tr>
          )}
          {items.map((v) => {
            const j = jobs[v.index] as Job;
            return (
              <tr key={j.id} style={{ height: ROW_HEIGHT }}>
                <th scope="row">
                  <Link href={jobHref(j)}>{j.name}</Link>
                </th>
                <td>{j.kind}</td>
                <td>{j.owner}</td>
                <td>{j.workers > 1 ? `${j.gpus} (${j.workers} workers)` : j.gpus}</td>
                <td>
                  <StatusBadge status={j.status} />
                </td>
                <td>{formatTime(j.submittedAt)}</td>
              </tr>
            );
          })}
          {after > 0 && (
            <tr className="spacer" style={{ height: after }}>
              <td colSpan={6} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
