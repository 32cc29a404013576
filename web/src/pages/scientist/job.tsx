/**
 * One job: what it is, where it runs, and if it waits, why (in words: what it needs, what is
 * free, how many are ahead, what would help) with its pool's queue in order. Its history, and
 * the actions its owner may take: stop, clone, rerun.
 */
import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import { answer } from '../../api/client';
import type { Job, QueueEntry } from '../../api/views';
import { useApi } from '../../store/live';
import { useSession } from '../../store/session';
import { useAction } from '../../ui/action';
import { PageHeader, ProblemMessage, Show, StatusBadge } from '../../ui/components';
import { formatDuration, formatTime, statusWords } from '../../ui/format';

export const jobHref = (job: Pick<Job, 'group' | 'name'>) =>
  `/jobs/${encodeURIComponent(job.group)}/${encodeURIComponent(job.name)}`;

export function JobPage({ group, name }: { group: string; name: string }) {
  const job = useApi(
    (c, past) =>
      answer<Job>(c.GET('/api/v1/jobs/{jobId}', { params: { path: { jobId: name }, query: { group, ...past } as never } })),
    [group, name],
  );
  return (
    <Show loaded={job.loaded}>
      {(j) => (
        <>
          <PageHeader title={j.name}>
            <StatusBadge status={j.status} />
          </PageHeader>
          <JobActions job={j} />
          <dl className="facts">
            <dt>Kind</dt>
            <dd>{j.kind}</dd>
            <dt>Owner</dt>
            <dd>
              {j.owner} ({j.shared ? 'shared with the group' : 'private'})
            </dd>
            <dt>GPUs</dt>
            <dd>
              {j.gpus}
              {j.gpuType ? ` ${j.gpuType}` : ''}
              {j.workers > 1 ? ` on ${j.workers} workers` : ''}
              {j.immediate ? ', starts immediately regardless of free GPUs' : ''}
            </dd>
            <dt>Submitted</dt>
            <dd>{formatTime(j.submittedAt)}</dd>
            {j.expectedDuration !== null && (
              <>
                <dt>Expected duration</dt>
                <dd>{formatDuration(j.expectedDuration)}</dd>
              </>
            )}
            {j.allocation && (
              <>
                <dt>Runs on</dt>
                <dd>
                  {j.allocation.nodes.join(', ')} ({j.allocation.devices.join(', ')})
                </dd>
              </>
            )}
            {j.endpoint && (
              <>
                <dt>Endpoint</dt>
                <dd>
                  <a href={j.endpoint}>{j.endpoint}</a>
                </dd>
              </>
            )}
            {j.failure && (
              <>
                <dt>Failure</dt>
                <dd>
                  {j.failure.reason}: {j.failure.message}
                </dd>
              </>
            )}
            {j.tags.length > 0 && (
              <>
                <dt>Tags</dt>
                <dd>{j.tags.join(', ')}</dd>
              </>
            )}
          </dl>
          {j.reason && <WhyWaiting job={j} />}
          <h2>History</h2>
          <ol className="history">
            {j.history.map((h) => (
              <li key={h.revision}>
                {statusWords(h.status)} at {formatTime(h.at)} <span className="muted">(event {h.revision})</span>
              </li>
            ))}
          </ol>
        </>
      )}
    </Show>
  );
}

function WhyWaiting({ job }: { job: Job }) {
  const reason = job.reason;
  const pool = reason?.pool;
  const queue = useApi(
    (c, past) =>
      pool
        ? answer<QueueEntry[]>(
            c.GET('/api/v1/pools/{poolId}/queue', { params: { path: { poolId: pool }, query: past as never } }),
          )
        : Promise.resolve({ ok: true as const, value: [] as QueueEntry[], total: 0 }),
    [pool],
  );
  if (!reason) return null;
  return (
    <section aria-labelledby="why-waiting">
      <h2 id="why-waiting">Why is it waiting?</h2>
      <p className="reason">{reason.message}</p>
      {reason.advice && reason.advice.length > 0 && (
        <ul>
          {reason.advice.map((a) => (
            <li key={a}>{a}</li>
          ))}
        </ul>
      )}
      {pool && (
        <>
          <h3>The queue of its pool</h3>
          <Show loaded={queue.loaded}>
            {(entries) => (
              <ol className="queue">
                {entries.map((e) => (
                  <li key={e.job.id} aria-current={e.job.id === job.id ? 'true' : undefined}>
                    {e.job.id === job.id ? <strong>{e.job.name} (this job)</strong> : e.job.name} · {e.job.gpus} GPUs ·{' '}
                    {e.job.owner}
                  </li>
                ))}
              </ol>
            )}
          </Show>
        </>
      )}
    </section>
  );
}

function JobActions({ job }: { job: Job }) {
  const { client, me } = useSession();
  const action = useAction<Job>();
  const [, navigate] = useLocation();
  const [cloneName, setCloneName] = useState('');
  const mine = job.owner === me.id || me.role === 'operator';
  const finished = job.status === 'Complete' || job.status === 'Error' || job.status === 'Stopped';
  const path = { jobId: job.name };
  const query = { group: job.group } as never;
  return (
    <div className="actions">
      {mine && !finished && (
        <button
          type="button"
          disabled={action.busy || action.readOnly}
          onClick={() => action.run(() => answer<Job>(client.POST('/api/v1/jobs/{jobId}/stop', { params: { path, query } })))}
        >
          Stop
        </button>
      )}
      <label>
        New name <input value={cloneName} onChange={(e) => setCloneName(e.target.value)} placeholder="(fresh)" />
      </label>
      <button
        type="button"
        disabled={action.busy || action.readOnly}
        onClick={() =>
          action.run(
            () =>
              answer<Job>(
                client.POST('/api/v1/jobs/{jobId}/clone', {
                  params: { path, query },
                  body: (cloneName.trim() ? { jobId: cloneName.trim() } : {}) as never,
                }),
              ),
            (clone) => navigate(jobHref(clone)),
          )
        }
      >
        {job.status === 'Error' ? 'Rerun' : 'Clone'}
      </button>
      <Link href="/jobs">All jobs</Link>
      <ProblemMessage problem={action.problem} />
    </div>
  );
}
