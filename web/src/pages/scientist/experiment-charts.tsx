/**
 * An experiment's two pictures: its objective over trials (each trial's objective by trial
 * number, and the best so far as a stepped line; uPlot), and its parallel coordinates (one
 * vertical axis per parameter and one for the objective, a line per trial with an objective,
 * coloured from worst to best; plain SVG). Each is an image named in words for those who cannot
 * see it; the trials table holds the same numbers.
 */
import { type RefObject, useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useUPlot } from '../../ui/use-uplot';
import { bestSoFar, type Experiment, formatNumber, formatValue, type Parameter } from './experiment-types';

const HEIGHT = 220;

export function ObjectiveChart({ experiment: x }: { experiment: Experiment }) {
  const box = useRef<HTMLDivElement>(null);
  const type = x.objective.type;
  const values = x.trials.map((t) => t.objective);
  const data: uPlot.AlignedData = [values.map((_, i) => i + 1), values, bestSoFar(type, values)];
  const metric = x.objective.objectiveMetricName;
  // One chart for the life of the page: a new read gives it new data, not a new chart.
  useUPlot(
    box,
    (width) => ({
      width,
      height: HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false } },
      axes: [
        { label: 'trial', stroke: '#374151', grid: { stroke: '#e5e7eb' }, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] },
        { stroke: '#374151', grid: { stroke: '#e5e7eb' }, size: 60 },
      ],
      series: [
        { label: 'trial' },
        {
          label: metric,
          stroke: '#1d4ed8',
          fill: '#1d4ed8',
          paths: () => null,
          points: { show: true, size: 7, stroke: '#1d4ed8', fill: '#93c5fd' },
        },
        {
          label: 'best so far',
          stroke: '#15803d',
          width: 2,
          paths: uPlot.paths.stepped?.({ align: 1 }),
          points: { show: false },
        },
      ],
    }),
    data,
    [metric, type],
    { changed: values.map((v) => v ?? '-').join(',') },
  );
  const best = bestSoFar(type, values).at(-1) ?? null;
  const measured = values.filter((v) => v !== null).length;
  return (
    <figure className="objective-chart">
      <figcaption>
        <strong>{metric}</strong> by trial{' '}
        <span className="muted">
          ({measured} of {values.length} with an objective{best === null ? '' : `, best ${formatNumber(best)}`})
        </span>
        <span className="chart-key">
          <span className="key-dot" aria-hidden="true" /> a trial <span className="key-line" aria-hidden="true" /> best so far
        </span>
      </figcaption>
      <div
        ref={box}
        className="metric-plot"
        role="img"
        aria-label={`${metric} of ${measured} trials by trial number${best === null ? '' : `, best so far ${formatNumber(best)}`}`}
      />
    </figure>
  );
}

/** An axis of the parallel coordinates: where a value sits on it (0 bottom, 1 top), and its ticks. */
interface Axis {
  name: string;
  at: (value: string | number) => number | null;
  ticks: { at: number; label: string }[];
}

function numericAxis(name: string, lo: number, hi: number, log = false): Axis {
  const f = (v: number) => (log && v > 0 ? Math.log(v) : v);
  const a = f(lo);
  const b = f(hi);
  const span = b - a || 1;
  const at = (value: string | number) => {
    const n = Number(value);
    return Number.isFinite(n) ? Math.min(1, Math.max(0, (f(n) - a) / span)) : null;
  };
  const ticks =
    lo === hi ? [{ at: 0.5, label: formatNumber(lo) }] : [lo, hi].map((v) => ({ at: at(v) ?? 0, label: formatNumber(v) }));
  return { name, at: (v) => (lo === hi ? 0.5 : at(v)), ticks };
}

function listAxis(name: string, list: readonly string[]): Axis {
  const step = list.length > 1 ? 1 / (list.length - 1) : 0;
  const place = (i: number) => (list.length > 1 ? i * step : 0.5);
  return {
    name,
    at: (v) => {
      const i = list.indexOf(String(v));
      return i < 0 ? null : place(i);
    },
    ticks: list.length <= 8 ? list.map((v, i) => ({ at: place(i), label: formatValue(v) })) : [],
  };
}

function parameterAxis(p: Parameter): Axis {
  if (!('min' in p)) {
    if (p.type === 'categorical') return listAxis(p.name, p.list);
    const nums = p.list.map(Number);
    return numericAxis(p.name, Math.min(...nums), Math.max(...nums));
  }
  return numericAxis(p.name, p.min, p.max, p.distribution === 'logUniform' || p.distribution === 'logNormal');
}

/** From the worst objective (0) to the best (1): amber to blue, both readable on white. */
function colourOf(t: number): string {
  const from = [217, 119, 6];
  const to = [29, 78, 216];
  const c = from.map((f, i) => Math.round(f + ((to[i] as number) - f) * t));
  return `rgb(${c.join(',')})`;
}

const H = 300;
/** The widest the picture is drawn, and the least room an axis needs (else the box scrolls). */
const MAX_W = 1600;
const PER_AXIS = 96;
const TOP = 28;
const BOTTOM = 36;
const SIDE = 56;

/** The width of a box, followed as it changes (a phone turned, a window resized). */
function useWidth(box: RefObject<HTMLElement | null>, fallback: number): number {
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setWidth(el.clientWidth || fallback);
    measure();
    const resize = new ResizeObserver(measure);
    resize.observe(el);
    return () => resize.disconnect();
  }, [box, fallback]);
  return width;
}

export function ParallelCoordinates({ experiment: x }: { experiment: Experiment }) {
  const box = useRef<HTMLElement>(null);
  const room = useWidth(box, 720);
  const measured = x.trials.filter((t) => t.objective !== null);
  const metric = x.objective.objectiveMetricName;
  const objectives = measured.map((t) => t.objective as number);
  const lo = objectives.length ? Math.min(...objectives) : 0;
  const hi = objectives.length ? Math.max(...objectives) : 1;
  const axes: Axis[] = [...x.spec.space.map(parameterAxis), numericAxis(metric, lo, hi)];
  const W = Math.min(MAX_W, Math.max(room, axes.length * PER_AXIS));
  const xOf = (i: number) => SIDE + (axes.length > 1 ? (i * (W - 2 * SIDE)) / (axes.length - 1) : (W - 2 * SIDE) / 2);
  const yOf = (t: number) => TOP + (1 - t) * (H - TOP - BOTTOM);
  // The best trial is drawn last, on top.
  const minimize = x.objective.type === 'minimize';
  const order = [...measured].sort((a, b) =>
    minimize ? (b.objective as number) - (a.objective as number) : (a.objective as number) - (b.objective as number),
  );
  const goodness = (v: number) => (hi === lo ? 1 : minimize ? (hi - v) / (hi - lo) : (v - lo) / (hi - lo));
  const bestName = x.optimalTrial?.name;
  return (
    <figure className="parallel">
      <figcaption>
        One axis per parameter and one for <strong>{metric}</strong>; a line per trial with an objective ({measured.length}),{' '}
        <span className="pc-worst">amber</span> the worst to <span className="pc-best">blue</span> the best
        {bestName ? ', the best drawn thickest' : ''}.
      </figcaption>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard */}
      <section className="parallel-scroll" tabIndex={0} aria-label="Parallel coordinates" ref={box}>
        {measured.length === 0 ? (
          <p className="muted">No trial has an objective yet.</p>
        ) : (
          <svg
            className="parallel-coords"
            width={W}
            height={H}
            viewBox={`0 0 ${W} ${H}`}
            role="img"
            aria-label={`Parallel coordinates of ${measured.length} trials: ${axes.map((a) => a.name).join(', ')}`}
          >
            <g className="pc-lines">
              {order.map((t) => {
                const points = axes.map((a, i) => {
                  const v = i === axes.length - 1 ? (t.objective as number) : (t.assignment[a.name] ?? '');
                  return `${xOf(i).toFixed(1)},${yOf(a.at(v) ?? 0).toFixed(1)}`;
                });
                return (
                  <path
                    key={t.name}
                    className="pc-line"
                    d={`M${points.join('L')}`}
                    stroke={colourOf(goodness(t.objective as number))}
                    strokeWidth={t.name === bestName ? 3.5 : 1.5}
                    fill="none"
                  >
                    <title>
                      {t.name}:{' '}
                      {axes
                        .map(
                          (a, i) =>
                            `${a.name} ${i === axes.length - 1 ? formatNumber(t.objective) : formatValue(t.assignment[a.name])}`,
                        )
                        .join(', ')}
                    </title>
                  </path>
                );
              })}
            </g>
            {axes.map((a, i) => (
              <g key={a.name} className="pc-axis" transform={`translate(${xOf(i)},0)`}>
                <line y1={yOf(1)} y2={yOf(0)} />
                <text className="pc-name" y={TOP - 10} textAnchor="middle">
                  {a.name}
                </text>
                {a.ticks.map((tk) => (
                  <text key={tk.label} className="pc-tick" x={-5} y={yOf(tk.at) + 4} textAnchor="end">
                    {tk.label}
                  </text>
                ))}
              </g>
            ))}
          </svg>
        )}
      </section>
    </figure>
  );
}
