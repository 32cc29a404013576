/**
 * Recurring runs at scale: 10,000 of them with mixed cron and periodic triggers across eight time
 * zones (seeded, the same every run), held in the due index as the pipelines context holds them.
 * A simulated day of timer ticks, each at the index's next wake-up: pop the due recurring runs,
 * work out what each fires (dueFires) and put its next fire time back. Per tick, in milliseconds:
 * the median, p99 and the longest (the top of the hour, when the hourly crons fire together), and
 * one tick after an hour's downtime, when everything that fired in that hour is due at once.
 * Target: <= 10 ms per tick (the issue's "10,000 recurring runs cost <= 10 ms per timer tick to
 * find those that are due").
 *
 * No runs are started (each fire is taken as ended at once): this measures the schedule's side of
 * a tick, not the pipeline runs it starts.
 */
import { DueIndex } from '../core/pipelines/due-index.js';
import { type CatchUp, dueFires, nextFireAfter, parseSchedule, type ScheduleSpec } from '../core/pipelines/schedule.js';

export const PIPELINES_SCHEDULE = {
  recurringRuns: 10_000,
  /** Simulated time, from a day whose morning has New York's spring-forward. */
  from: Date.parse('2026-03-08T00:00:00Z') / 1000,
  hours: 24,
  seed: 15,
} as const;

const ZONES = [
  'UTC',
  'America/New_York',
  'America/Los_Angeles',
  'Europe/Berlin',
  'Europe/London',
  'Asia/Kolkata',
  'Asia/Tokyo',
  'Australia/Lord_Howe',
];
const CATCH_UPS: CatchUp[] = ['all', 'latest', 'none'];
const INTERVALS = [60, 300, 900, 1800, 3600, 7200, 21_600, 86_400];

/** mulberry32: a small seeded generator, so the workload is the same in every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Cron expressions in the shapes users write, weighted; 40% of recurring runs are periodic instead. */
function cronExpression(r: () => number): string {
  const m = Math.floor(r() * 60);
  const h = Math.floor(r() * 24);
  const x = r();
  if (x < 0.25) return `${m} * * * *`; // hourly at a minute of its own
  if (x < 0.45) return `${m} ${h} * * *`; // daily
  if (x < 0.55) return `${m} ${h} * * MON-FRI`;
  if (x < 0.7) return `*/${[5, 10, 15, 30][Math.floor(r() * 4)]} * * * *`;
  if (x < 0.8) return `0 ${m} ${h} * * *`; // 6 fields, as KFP writes them
  if (x < 0.9) return '0 0 * * * *'; // KFP's example: hourly, all at the top of the hour
  if (x < 0.95) return `${m} ${h} 1 * *`;
  return ['@hourly', '@daily', '@every 45m'][Math.floor(r() * 3)] as string;
}

export function scheduleWorkload(n = PIPELINES_SCHEDULE.recurringRuns, seed = PIPELINES_SCHEDULE.seed): ScheduleSpec[] {
  const r = rng(seed);
  const out: ScheduleSpec[] = [];
  for (let i = 0; i < n; i++) {
    const periodic = r() < 0.4;
    const trigger = periodic
      ? { kind: 'periodic', intervalSeconds: INTERVALS[Math.floor(r() * INTERVALS.length)] }
      : { kind: 'cron', expression: cronExpression(r), timeZone: ZONES[Math.floor(r() * ZONES.length)] };
    const parsed = parseSchedule({
      trigger,
      // Periods start at a second of their own within the day before, so their fires spread.
      startTime: periodic ? PIPELINES_SCHEDULE.from - Math.floor(r() * 86_400) : null,
      maxConcurrency: 1 + Math.floor(r() * 10),
      catchUp: CATCH_UPS[Math.floor(r() * 3)],
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    out.push(parsed.value);
  }
  return out;
}

export interface PipelinesScheduleRun {
  ticks: number;
  fires: number;
  /** Per tick, in ms. */
  tickP50Ms: number;
  tickP99Ms: number;
  tickMaxMs: number;
  /** The median of the busy ticks (>= 1,000 due: the tops of the hours), ms. */
  busyTickP50Ms: number;
  busyTicks: number;
  /** Recurring runs due in the longest tick, and on average. */
  maxDue: number;
  meanDue: number;
  /** Indexing all of them at the start (nextFireAfter and upsert each), ms. */
  indexMs: number;
  /** One tick after an hour's downtime: everything that fired in that hour due at once. */
  catchUpMs: number;
  catchUpDue: number;
}

/** A tick with this many due is a busy one. */
const BUSY = 1000;

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
}

export function pipelinesScheduleRun(): PipelinesScheduleRun {
  const specs = scheduleWorkload();
  const { from } = PIPELINES_SCHEDULE;
  const until = from + PIPELINES_SCHEDULE.hours * 3600;
  const ids = specs.map((_, i) => `group-${i % 100}/recurring-${i}`);
  const byId = new Map(ids.map((id, i) => [id, i]));
  const lastScheduled: Array<number | null> = specs.map(() => null);

  const index = new DueIndex();
  let t0 = performance.now();
  for (let i = 0; i < specs.length; i++) index.upsert(ids[i] as string, nextFireAfter(specs[i] as ScheduleSpec, from));
  const indexMs = performance.now() - t0;

  /** One tick: the due ones, what each fires, and their next fire times back in the index. */
  const tick = (now: number): { due: number; fires: number } => {
    const due = index.popDue(now);
    let fires = 0;
    for (const id of due) {
      const i = byId.get(id) as number;
      const r = dueFires(specs[i] as ScheduleSpec, { enabledSince: from, lastScheduled: lastScheduled[i] ?? null }, now, 0);
      if (r.fire.length > 0) lastScheduled[i] = r.fire[r.fire.length - 1] as number;
      fires += r.fire.length;
      index.upsert(id, r.next);
    }
    return { due: due.length, fires };
  };

  const tickMs: number[] = [];
  const busyMs: number[] = [];
  let maxDue = 0;
  let dueSum = 0;
  let fires = 0;
  let longest = 0;
  for (let now = index.nextWake(); now !== null && now <= until; now = index.nextWake()) {
    t0 = performance.now();
    const t = tick(now);
    const ms = performance.now() - t0;
    tickMs.push(ms);
    if (t.due >= BUSY) busyMs.push(ms);
    dueSum += t.due;
    fires += t.fires;
    if (ms > longest) {
      longest = ms;
      maxDue = t.due;
    }
  }

  // An hour's downtime: the timer did not tick; the first tick after it finds a whole hour due.
  const back = until + 3600;
  t0 = performance.now();
  const caughtUp = tick(back);
  const catchUpMs = performance.now() - t0;

  return {
    ticks: tickMs.length,
    fires,
    tickP50Ms: quantile(tickMs, 0.5),
    tickP99Ms: quantile(tickMs, 0.99),
    tickMaxMs: longest,
    busyTickP50Ms: busyMs.length > 0 ? quantile(busyMs, 0.5) : 0,
    busyTicks: busyMs.length,
    maxDue,
    meanDue: dueSum / tickMs.length,
    indexMs,
    catchUpMs,
    catchUpDue: caughtUp.due,
  };
}
