/**
 * A pool's GPU use and queue length over time, drawn by uPlot from GET /pools/{poolId}/usage: GPUs
 * in use and the pool's total on the left axis, waiting jobs on the right, each as steps (a value
 * holds until the next sample), the last one drawn on to the time of the answer. Read again as
 * the cluster changes, like every view. The canvas is described in words beside it for those who
 * cannot see it.
 */
import 'uplot/dist/uPlot.min.css';
import { useRef } from 'react';
import uPlot from 'uplot';
import { answer } from '../../api/client';
import type { PoolUsageSeries } from '../../api/views';
import { useApi } from '../../store/live';
import { Show } from '../../ui/components';
import { formatTime } from '../../ui/format';
import { useUPlot } from '../../ui/use-uplot';

const HEIGHT = 240;

const QUEUE = '#b45309';
const WHOLE = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000];

const jobs = (n: number) => (n === 1 ? '1 job' : `${n} jobs`);

/** The series with its last sample held until `now`, as uPlot's aligned columns. */
function columns(s: PoolUsageSeries): uPlot.AlignedData {
  const at = [...s.at];
  const used = [...s.used];
  const total = [...s.total];
  const queued = [...s.queued];
  const lastAt = at.at(-1);
  if (lastAt !== undefined && s.now > lastAt) {
    at.push(s.now);
    used.push(used.at(-1) as number);
    total.push(total.at(-1) as number);
    queued.push(queued.at(-1) as number);
  }
  return [at, used, total, queued];
}

function options(width: number, colour: string): uPlot.Options {
  const steps = uPlot.paths.stepped?.({ align: 1 });
  return {
    width,
    height: HEIGHT,
    scales: {
      x: { time: true },
      gpus: { range: (_u, _min, max) => [0, Math.max(1, max)] },
      jobs: { range: (_u, _min, max) => [0, Math.max(1, max)] },
    },
    // GPUs and jobs are counted in whole numbers: no ticks between them.
    axes: [
      {},
      { scale: 'gpus', label: 'GPUs', size: 50, incrs: WHOLE },
      { scale: 'jobs', label: 'Waiting jobs', side: 1, grid: { show: false }, size: 50, incrs: WHOLE, stroke: QUEUE },
    ],
    series: [
      { label: 'Time', value: (_u, v) => (v === null ? '–' : formatTime(v)) },
      { label: 'GPUs in use', scale: 'gpus', stroke: colour, fill: `${colour}33`, width: 2, paths: steps },
      { label: 'GPUs in the pool', scale: 'gpus', stroke: '#6b7280', dash: [6, 4], width: 1.5, paths: steps },
      { label: 'Waiting jobs', scale: 'jobs', stroke: QUEUE, width: 2, paths: steps },
    ],
    legend: { live: true },
  };
}

export function UsageChart({ poolId, poolName, colour }: { poolId: string; poolName: string; colour: string }) {
  const usage = useApi(
    (c, past) => answer<PoolUsageSeries>(c.GET('/api/v1/pools/{poolId}/usage', { params: { path: { poolId }, query: past } })),
    [poolId],
  );
  return (
    <figure className="usage-chart">
      <figcaption>
        GPU use and waiting jobs over time in <strong>{poolName}</strong>
      </figcaption>
      <Show loaded={usage.loaded}>{(s) => <Plot series={s} colour={colour} poolName={poolName} />}</Show>
    </figure>
  );
}

function Plot({ series, colour, poolName }: { series: PoolUsageSeries; colour: string; poolName: string }) {
  const box = useRef<HTMLDivElement>(null);
  const data = columns(series);
  // One chart per pool and colour, made once; new samples only change its data.
  useUPlot(box, (width) => options(width, colour), data, [colour], { minWidth: 240 });
  const n = series.at.length;
  const last = n - 1;
  const peak = Math.max(0, ...series.used);
  const summary =
    n === 0
      ? `No samples yet for ${poolName}.`
      : `${poolName}: ${series.used[last]} of ${series.total[last]} GPUs in use and ${jobs(series.queued[last] as number)} waiting now; at most ${peak} GPUs in use since ${formatTime(series.at[0])} (${n} samples).`;
  return (
    <>
      {/* The canvas says nothing to a screen reader: the sentence under it says what it shows. */}
      <div ref={box} className="usage-plot" aria-hidden="true" />
      <p className="muted chart-summary">{summary}</p>
    </>
  );
}
