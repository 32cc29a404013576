/**
 * A uPlot chart in a box, for the life of a component: made once per `key` (its options decided
 * then, at the box's width), following the box's width as it changes, given new data whenever
 * `changed` changes (default: `data` itself) without a new chart, destroyed with the component. The dashboard's charts (a
 * job's metrics, an experiment's objective, a pool's use) differ only in their options.
 */
import { type RefObject, useEffect, useRef } from 'react';
import uPlot from 'uplot';

export function useUPlot(
  box: RefObject<HTMLDivElement | null>,
  options: (width: number) => uPlot.Options,
  data: uPlot.AlignedData,
  key: readonly unknown[],
  extra: { minWidth?: number; changed?: unknown } = {},
): void {
  const minWidth = extra.minWidth ?? 200;
  const chart = useRef<uPlot | null>(null);
  const keyText = JSON.stringify(key);
  // biome-ignore lint/correctness/useExhaustiveDependencies: made once per key; later data goes through setData below
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const made = new uPlot(options(Math.max(minWidth, el.clientWidth)), data, el);
    chart.current = made;
    // Follow the box's width (a phone turned, a window resized).
    const resize = new ResizeObserver(() => made.setSize({ width: Math.max(minWidth, el.clientWidth), height: made.height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      made.destroy();
      chart.current = null;
    };
  }, [keyText]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `changed` says when the data changed
  useEffect(() => {
    chart.current?.setData(data);
  }, [extra.changed ?? data]);
}
