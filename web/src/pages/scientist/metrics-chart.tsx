/**
 * A job's metrics over time, one small uPlot chart per metric (loss and accuracy live on scales
 * of their own), by step. Each chart is an image with its name in words: the metric, its last
 * value and how many steps it has, for those who cannot see the canvas.
 */
import { useRef } from 'react';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { JobMetrics } from '../../api/views';
import { useUPlot } from '../../ui/use-uplot';

const HEIGHT = 180;

function Chart({ name, points }: { name: string; points: { step: number; value: number }[] }) {
  const box = useRef<HTMLDivElement>(null);
  const data: uPlot.AlignedData = [points.map((p) => p.step), points.map((p) => p.value)];
  // One chart per metric for the life of the page: a new read gives it new data, not a new chart.
  useUPlot(
    box,
    (width) => ({
      width,
      height: HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false } },
      axes: [
        { label: 'step', stroke: '#374151', grid: { stroke: '#e5e7eb' } },
        { stroke: '#374151', grid: { stroke: '#e5e7eb' }, size: 56 },
      ],
      series: [{ label: 'step' }, { label: name, stroke: '#1d4ed8', width: 2, points: { show: points.length < 40 } }],
    }),
    data,
    [name],
    { changed: points.length === 0 ? '' : `${points.length}:${points.at(-1)?.step}:${points.at(-1)?.value}` },
  );
  const last = points.at(-1);
  return (
    <figure className="metric">
      <figcaption>
        <strong>{name}</strong>{' '}
        {last ? (
          <span className="muted">
            last {formatValue(last.value)} at step {last.step}
          </span>
        ) : null}
      </figcaption>
      <div
        ref={box}
        className="metric-plot"
        role="img"
        aria-label={`${name} over ${points.length} steps${last ? `, last ${formatValue(last.value)}` : ''}`}
      />
    </figure>
  );
}

const formatValue = (v: number) => (Math.abs(v) >= 1000 || Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4))));

export function MetricsCharts({ metrics }: { metrics: JobMetrics }) {
  const names = Object.keys(metrics.series).sort();
  if (names.length === 0) return <p className="muted">No metrics reported yet.</p>;
  return (
    <div className="metrics">
      {names.map((n) => (
        <Chart key={n} name={n} points={metrics.series[n] ?? []} />
      ))}
    </div>
  );
}
