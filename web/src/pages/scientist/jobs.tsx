/**
 * Jobs of every kind: notebooks, training, preprocessing, inferences. Mine / shared / all at the
 * top right, a kind, a status, a tag and a search; the list is virtualized (only the rows on
 * screen are in the page), so ten thousand jobs scroll as smoothly as ten. The API answers at most
 * 1,000 jobs a request, so the list reads page after page, showing each as it comes.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'wouter';
import { answer, type Problem } from '../../api/client';
import { JOB_KINDS, JOB_STATUSES, type Job, type JobKind, type JobStatus, type Visibility } from '../../api/views';
import { pastQuery, useLive } from '../../store/live';
import { useSession } from '../../store/session';
import { PageHeader, ProblemMessage, StatusBadge, VisibilitySelect } from '../../ui/components';
import { formatTime, statusWords } from '../../ui/format';
import { allPages, JOB_KIND_TITLES } from './common';
import { jobHref } from './job';
import './scientist.css';

const PAGE = 1000;

interface Filter {
  visibility: Visibility;
  kind: JobKind | '';
  status: JobStatus | '';
  tag: string;
}

type Loaded =
  | { state: 'loading' }
  | { state: 'done'; key: string; jobs: Job[]; total: number; complete: boolean; problem: Problem | null };

/**
 * Every job the filter names, page by page: the first page shows at once, the rest append. Live,
 * a change on the stream reads the list again, one read at a time: a change during a read asks
 * for one more read after it, never a second one beside it.
 */
function useAllJobs(filter: Filter): Loaded {
  const { client } = useSession();
  const { revision, past } = useLive();
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  const key = JSON.stringify({ filter, past });
  const reading = useRef<{ key: string; again: boolean } | null>(null);
  const [nudge, setNudge] = useState(0);
  const liveKey = past ? -2 : revision;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the key names the filter and the past; liveKey and nudge ask again
  useEffect(() => {
    if (reading.current && reading.current.key === key) {
      reading.current.again = true;
      return;
    }
    const mine = { key, again: false };
    reading.current = mine;
    const query = {
      visibility: filter.visibility,
      ...(filter.kind ? { kind: filter.kind } : {}),
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.tag.trim() ? { tag: filter.tag.trim() } : {}),
      ...pastQuery(past),
    };
    void allPages(
      (offset) => answer<Job[]>(client.GET('/api/v1/jobs', { params: { query: { ...query, limit: PAGE, offset } as never } })),
      (jobs, total) => {
        if (reading.current !== mine) return;
        // Keep what is on screen while a re-read has fewer rows than it so far: no flicker.
        setLoaded((prev) =>
          prev.state === 'done' && prev.key === key && prev.jobs.length > jobs.length && prev.problem === null
            ? { ...prev, jobs: [...jobs, ...prev.jobs.slice(jobs.length)], total }
            : { state: 'done', key, jobs: [...jobs], total, complete: false, problem: null },
        );
      },
    ).then((a) => {
      if (reading.current !== mine) return;
      reading.current = null;
      if (a.ok) setLoaded({ state: 'done', key, jobs: a.value, total: a.total ?? a.value.length, complete: true, problem: null });
      else
        setLoaded((prev) =>
          prev.state === 'done' && prev.key === key
            ? { ...prev, problem: a.problem }
            : { state: 'done', key, jobs: [], total: 0, complete: true, problem: a.problem },
        );
      if (mine.again) setNudge((n) => n + 1);
    });
  }, [client, key, liveKey, nudge]);
  return loaded;
}

/** The jobs list; `fixedKind` makes it the notebooks' or the inferences' page. */
export function JobsPage({ fixedKind }: { fixedKind?: JobKind } = {}) {
  const [visibility, setVisibility] = useState<Visibility>('all');
  const [chosenKind, setKind] = useState<JobKind | ''>('');
  const [status, setStatus] = useState<JobStatus | ''>('');
  const [tag, setTag] = useState('');
  const [search, setSearch] = useState('');
  const kind = fixedKind ?? chosenKind;
  const loaded = useAllJobs({ visibility, kind, status, tag });
  const title = fixedKind ? JOB_KIND_TITLES[fixedKind] : 'Jobs';
  const newHref = `/jobs/new${fixedKind ? `/${fixedKind}` : ''}`;
  return (
    <>
      <PageHeader title={title}>
        <Link href={newHref} className="button">
          {fixedKind === 'notebook' ? 'New notebook' : fixedKind === 'inference' ? 'New inference' : 'New job'}
        </Link>
        <VisibilitySelect value={visibility} onChange={setVisibility} />
      </PageHeader>
      <div className="filters">
        {!fixedKind && (
          <label>
            Kind{' '}
            <select value={chosenKind} onChange={(e) => setKind(e.target.value as JobKind | '')}>
              <option value="">All kinds</option>
              {JOB_KINDS.map((k) => (
                <option key={k} value={k}>
                  {JOB_KIND_TITLES[k]}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Status{' '}
          <select value={status} onChange={(e) => setStatus(e.target.value as JobStatus | '')}>
            <option value="">Any status</option>
            {JOB_STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusWords(s)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Tag <input value={tag} onChange={(e) => setTag(e.target.value)} maxLength={256} />
        </label>
        <label>
          Search{' '}
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="name, owner or tag" />
        </label>
      </div>
      {loaded.state === 'loading' ? <p className="muted">Loading…</p> : <JobsShown loaded={loaded} search={search} />}
    </>
  );
}

function JobsShown({ loaded, search }: { loaded: Extract<Loaded, { state: 'done' }>; search: string }) {
  const needle = search.trim().toLowerCase();
  const shown = needle
    ? loaded.jobs.filter(
        (j) =>
          j.name.toLowerCase().includes(needle) ||
          j.owner.toLowerCase().includes(needle) ||
          j.tags.some((t) => t.toLowerCase().includes(needle)),
      )
    : loaded.jobs;
  return (
    <>
      <ProblemMessage problem={loaded.problem} />
      <p className="muted" aria-live="polite">
        {needle ? `${shown.length} found among ` : ''}
        {loaded.complete ? `${loaded.total} jobs` : `${loaded.jobs.length} of ${loaded.total} jobs loaded…`}
      </p>
      <JobList jobs={shown} />
    </>
  );
}

const ROW_HEIGHT = 40;

/**
 * The rows on screen only, in a real table (a spacer row above and below stands for the rest),
 * which scrolls within a box of its own.
 */
export function JobList({ jobs }: { jobs: Job[] }) {
  const box = useRef<HTMLElement>(null);
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
    // A scrolling region must be reachable by keyboard to scroll it.
    // biome-ignore lint/a11y/noNoninteractiveTabindex: see above
    <section className="job-scroll" ref={box} tabIndex={0} aria-label="Jobs list">
      <table className="job-table">
        <caption className="visually-hidden">Jobs ({jobs.length})</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Kind</th>
            <th scope="col">Owner</th>
            <th scope="col">GPUs</th>
            <th scope="col">Status</th>
            <th scope="col">Tags</th>
            <th scope="col">Submitted</th>
          </tr>
        </thead>
        <tbody>
          {before > 0 && (
            <tr className="spacer" style={{ height: before }}>
              <td colSpan={7} />
            </tr>
          )}
          {items.map((v) => {
            const j = jobs[v.index] as Job;
            return (
              <tr key={j.id} style={{ height: ROW_HEIGHT }}>
                <th scope="row">
                  <Link href={jobHref(j)}>{j.name}</Link>
                  {j.shared ? '' : <span className="muted"> (private)</span>}
                </th>
                <td>{j.kind}</td>
                <td>{j.owner}</td>
                <td>{j.workers > 1 ? `${j.gpus} (${j.workers} workers)` : j.gpus}</td>
                <td>
                  <StatusBadge status={j.status} />
                </td>
                <td className="tags-cell">{j.tags.join(', ')}</td>
                <td>{formatTime(j.submittedAt)}</td>
              </tr>
            );
          })}
          {after > 0 && (
            <tr className="spacer" style={{ height: after }}>
              <td colSpan={7} />
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
