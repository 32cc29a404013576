/**
 * Recurring runs end to end on the run decider, in virtual time (test-support/world.ts): the world
 * ticks at the decider's wake-up instants (nextPipelinesWakeup) and plays the runs it starts. A
 * host that was down is a jump of `world.now` with no tick in between. Schedules' own fire-time
 * tables are schedule.test.ts's; here they drive runs: names and ids from the scheduled time,
 * maximum concurrency, catch-up after downtime, disable and enable, edits with versions, trigger
 * now, start and end, and the pipeline version each run takes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PipelineCommand } from './commands.js';
import { nextPipelinesWakeup } from './decide.js';
import type { PipelineSpec } from './ir.js';
import type { RecurringRun, Run } from './model.js';
import { pipelinesDecider } from './pipelines-decider.js';
import { MISSED_AFTER_SECONDS, nextFireAfter, parseSchedule, runNameOf, type ScheduleSpec } from './schedule.js';
import { GROUP, OWNER, PipelinesWorld } from './test-support/world.js';

/** 2026-01-01T00:00:00Z. */
const T0 = Date.UTC(2026, 0, 1) / 1000;
const HOUR = 3600;
const iso = (t: number) => new Date(t * 1000).toISOString();

const oneStep = (name: string): PipelineSpec => ({
  pipelineInfo: { name },
  components: { 'comp-step': { executorLabel: 'exec-step' } },
  root: { dag: { tasks: { step: { taskInfo: { name: 'step' }, componentRef: { name: 'comp-step' } } } } },
  deploymentSpec: { executors: { 'exec-step': { container: { image: 'alpine', command: ['echo', name] } } } },
  schemaVersion: '2.1.0',
});

type Create = Extract<PipelineCommand, { type: 'CreateRecurringRun' }>;

/** A world at T0 with a one-step pipeline `team/p` (version `team/p@v1`). */
function setup() {
  const w = new PipelinesWorld();
  w.now = T0;
  const pipelineId = w.upload('p', oneStep('v1'));
  const create = (name: string, schedule: unknown, extra: Partial<Create> = {}, seconds = 10): string => {
    const recurringRunId = `${GROUP}/${name}`;
    w.must({
      type: 'CreateRecurringRun',
      recurringRunId,
      owner: OWNER,
      group: GROUP,
      name,
      pipelineId,
      parameters: {},
      schedule: schedule as never,
      enabled: true,
      simulation: { step: { seconds } } as never,
      ...extra,
    });
    return recurringRunId;
  };
  const recurring = (id: string): RecurringRun => {
    const r = w.state.recurringRuns.get(id);
    if (!r) throw new Error(`no recurring run ${id}`);
    return r;
  };
  const runs = (id: string): Run[] => recurring(id).runs.map((r) => w.run(r));
  /** Each run as `scheduled time @ created time`, in ISO. */
  const fired = (id: string) => runs(id).map((r) => `${iso(r.scheduledAt as number)}@${iso(r.createdAt)}`);
  return { w, pipelineId, create, recurring, runs, fired };
}

const periodic = (intervalSeconds: number, more: Record<string, unknown> = {}) => ({
  trigger: { kind: 'periodic', intervalSeconds },
  ...more,
});
const cron = (expression: string, timeZone = 'UTC', more: Record<string, unknown> = {}) => ({
  trigger: { kind: 'cron', expression, timeZone },
  ...more,
});

describe('recurring runs start runs at their fire times', () => {
  it('a periodic schedule: one run per interval, named and identified by its scheduled time', () => {
    const { w, create, runs } = setup();
    const id = create('hourly', periodic(HOUR));
    expect(nextPipelinesWakeup(w.state)).toBe(T0 + HOUR);
    w.play(T0 + 3 * HOUR + 30);
    const started = runs(id);
    expect(started.map((r) => r.id)).toEqual([
      'team/hourly-20260101010000',
      'team/hourly-20260101020000',
      'team/hourly-20260101030000',
    ]);
    for (const [i, r] of started.entries()) {
      const at = T0 + (i + 1) * HOUR;
      expect(r.name).toBe(runNameOf('hourly', at));
      expect(r.scheduledAt).toBe(at);
      expect(r.createdAt).toBe(at);
      expect(r.recurringRunId).toBe(id);
      expect(r.versionId).toBe('team/p@v1');
      expect(r.state).toBe('SUCCEEDED');
      expect(r.finishedAt).toBe(at + 10);
    }
    expect(nextPipelinesWakeup(w.state)).toBe(T0 + 4 * HOUR);
  });

  it('a cron schedule in a time zone: 09:00 in New York is 14:00 UTC in winter; 5 fields read as crontab', () => {
    const { w, create, fired } = setup();
    const ny = create('morning', cron('0 0 9 * * *', 'America/New_York'));
    const quarter = create('quarterly', cron('*/15 * * * *'));
    w.play(T0 + 2 * 24 * HOUR);
    expect(fired(ny)).toEqual([
      '2026-01-01T14:00:00.000Z@2026-01-01T14:00:00.000Z',
      '2026-01-02T14:00:00.000Z@2026-01-02T14:00:00.000Z',
    ]);
    expect(w.state.recurringRuns.get(ny)?.runs).toEqual(['team/morning-20260101140000', 'team/morning-20260102140000']);
    expect(fired(quarter).slice(0, 3)).toEqual([
      '2026-01-01T00:15:00.000Z@2026-01-01T00:15:00.000Z',
      '2026-01-01T00:30:00.000Z@2026-01-01T00:30:00.000Z',
      '2026-01-01T00:45:00.000Z@2026-01-01T00:45:00.000Z',
    ]);
    expect(fired(quarter)).toHaveLength(2 * 24 * 4);
  });

  it('start and end: fires strictly after the start, at the end itself, and none after it', () => {
    const { w, create, runs } = setup();
    const id = create('window', periodic(600, { startTime: T0 + 1000, endTime: T0 + 3400 }));
    w.play(T0 + 10 * HOUR);
    expect(runs(id).map((r) => (r.scheduledAt as number) - T0)).toEqual([1600, 2200, 2800, 3400]);
    // Past its end it needs no wake-up at all.
    expect(nextPipelinesWakeup(w.state)).toBeNull();
  });
});

describe('maximum concurrency', () => {
  /** Intervals [created, finished) of the runs, and the most that overlap at once. */
  const mostAtOnce = (runs: Run[]) => {
    let most = 0;
    for (const a of runs)
      most = Math.max(most, runs.filter((b) => b.createdAt <= a.createdAt && (b.finishedAt as number) > a.createdAt).length);
    return most;
  };

  it('one at a time: a due run waits until the running one ends, then starts under its scheduled name', () => {
    const { w, create, fired, runs } = setup();
    // Every 60 s, runs of 150 s: the backlog grows, and every fire runs in order (catch-up all).
    const id = create('busy', periodic(60), {}, 150);
    w.play(T0 + 700);
    expect(fired(id)).toEqual([
      `${iso(T0 + 60)}@${iso(T0 + 60)}`,
      `${iso(T0 + 120)}@${iso(T0 + 210)}`,
      `${iso(T0 + 180)}@${iso(T0 + 360)}`,
      `${iso(T0 + 240)}@${iso(T0 + 510)}`,
      `${iso(T0 + 300)}@${iso(T0 + 660)}`,
    ]);
    expect(mostAtOnce(runs(id).filter((r) => r.finishedAt !== null))).toBe(1);
    expect(runs(id).filter((r) => r.finishedAt === null)).toHaveLength(1);
  });

  it('two at once: never a third', () => {
    const { w, create, runs } = setup();
    const id = create('pair', periodic(60, { maxConcurrency: 2 }), {}, 150);
    w.play(T0 + 2000);
    const done = runs(id).filter((r) => r.finishedAt !== null);
    expect(done.length).toBeGreaterThan(10);
    expect(mostAtOnce(runs(id).map((r) => ({ ...r, finishedAt: r.finishedAt ?? Number.POSITIVE_INFINITY })))).toBe(2);
  });

  it('a retried run takes its slot again: a fire due meanwhile waits for it, and nothing ticks in vain', () => {
    const { w, create, recurring, fired } = setup();
    // The first run fails after 3000 s; retried at once, it runs 3000 s more, past the next fire.
    const id = create('slow', periodic(HOUR), { simulation: { step: { seconds: 3000, failRuns: 1 } } as never });
    w.play(T0 + HOUR + 3000);
    const first = recurring(id).runs[0] as string;
    expect(w.run(first).state).toBe('FAILED');
    w.must({ type: 'RetryRun', runId: first });
    expect(recurring(id).active.has(first)).toBe(true);
    w.play(T0 + 3 * HOUR);
    expect(w.run(first).state).toBe('SUCCEEDED');
    // The 02:00 fire waited for the retried run (it ended at 02:40).
    expect(fired(id).slice(0, 2)).toEqual([
      `${iso(T0 + HOUR)}@${iso(T0 + HOUR)}`,
      `${iso(T0 + 2 * HOUR)}@${iso(T0 + 2 * HOUR + 2400)}`,
    ]);
  });
});

describe('catch-up after downtime', () => {
  /** Hourly, each run 10 s; the host is down from 01:00:30 to 05:10:00, then ticks. */
  function downtime(catchUp: 'all' | 'latest' | 'none', startTime: number | null = null) {
    const s = setup();
    const id = s.create('etl', periodic(HOUR, { catchUp, maxConcurrency: 10, ...(startTime === null ? {} : { startTime }) }));
    s.w.play(T0 + HOUR + 30);
    expect(s.runs(id)).toHaveLength(1);
    s.w.now = T0 + 5 * HOUR + 600;
    s.w.play(T0 + 7 * HOUR + 30);
    return { ...s, id, back: T0 + 5 * HOUR + 600 };
  }

  it('all: every missed fire runs at once, in order, each under its own scheduled name', () => {
    const { fired, id, back } = downtime('all');
    expect(fired(id)).toEqual([
      `${iso(T0 + HOUR)}@${iso(T0 + HOUR)}`,
      ...[2, 3, 4, 5].map((k) => `${iso(T0 + k * HOUR)}@${iso(back)}`),
      `${iso(T0 + 6 * HOUR)}@${iso(T0 + 6 * HOUR)}`,
      `${iso(T0 + 7 * HOUR)}@${iso(T0 + 7 * HOUR)}`,
    ]);
  });

  it('latest: only the last missed fire runs, and the schedule keeps its times', () => {
    const { fired, id, back } = downtime('latest');
    expect(fired(id)).toEqual([
      `${iso(T0 + HOUR)}@${iso(T0 + HOUR)}`,
      `${iso(T0 + 5 * HOUR)}@${iso(back)}`,
      `${iso(T0 + 6 * HOUR)}@${iso(T0 + 6 * HOUR)}`,
      `${iso(T0 + 7 * HOUR)}@${iso(T0 + 7 * HOUR)}`,
    ]);
  });

  it('none: no missed fire runs; the next fire comes at its time on the schedule', () => {
    for (const start of [null, T0]) {
      const { fired, id, w } = downtime('none', start);
      expect(fired(id)).toEqual([
        `${iso(T0 + HOUR)}@${iso(T0 + HOUR)}`,
        `${iso(T0 + 6 * HOUR)}@${iso(T0 + 6 * HOUR)}`,
        `${iso(T0 + 7 * HOUR)}@${iso(T0 + 7 * HOUR)}`,
      ]);
      expect(w.events.filter((e) => e.type === 'RecurringRunSkipped')).toHaveLength(1);
    }
  });

  it('none: a fire less than a minute late still runs', () => {
    const { w, create, fired } = setup();
    const id = create('etl', periodic(HOUR, { catchUp: 'none' }));
    w.now = T0 + HOUR + 45;
    w.play(T0 + HOUR + 100);
    expect(fired(id)).toEqual([`${iso(T0 + HOUR)}@${iso(T0 + HOUR + 45)}`]);
  });
});

describe('disable, enable, edit, trigger', () => {
  it('disable then enable never backfills the time it was disabled, whatever the catch-up', () => {
    for (const catchUp of ['all', 'latest'] as const) {
      const { w, create, fired } = setup();
      const id = create('grid', periodic(HOUR, { startTime: T0, catchUp, maxConcurrency: 10 }));
      w.play(T0 + HOUR + 100);
      w.must({ type: 'SetRecurringRunEnabled', recurringRunId: id, enabled: false });
      expect(nextPipelinesWakeup(w.state)).toBeNull();
      w.play(T0 + 5 * HOUR + 600);
      w.now = T0 + 5 * HOUR + 600;
      w.must({ type: 'SetRecurringRunEnabled', recurringRunId: id, enabled: true });
      w.play(T0 + 7 * HOUR + 100);
      // With a start time it keeps its grid: the next fire after the enable is 06:00.
      expect(fired(id)).toEqual([
        `${iso(T0 + HOUR)}@${iso(T0 + HOUR)}`,
        `${iso(T0 + 6 * HOUR)}@${iso(T0 + 6 * HOUR)}`,
        `${iso(T0 + 7 * HOUR)}@${iso(T0 + 7 * HOUR)}`,
      ]);
    }
  });

  it('a period without a start resumes one interval after the enable', () => {
    const { w, create, fired } = setup();
    const id = create('loose', periodic(HOUR));
    w.play(T0 + HOUR + 100);
    w.must({ type: 'SetRecurringRunEnabled', recurringRunId: id, enabled: false });
    w.now = T0 + 3 * HOUR + 900;
    w.must({ type: 'SetRecurringRunEnabled', recurringRunId: id, enabled: true });
    w.play(T0 + 5 * HOUR);
    expect(fired(id)).toEqual([`${iso(T0 + HOUR)}@${iso(T0 + HOUR)}`, `${iso(T0 + 4 * HOUR + 900)}@${iso(T0 + 4 * HOUR + 900)}`]);
  });

  it('an edit bumps the version and changes the schedule from then on', () => {
    const { w, create, recurring, fired } = setup();
    const id = create('edited', periodic(HOUR));
    expect(recurring(id).version).toBe(1);
    w.play(T0 + HOUR + 100);
    w.now = T0 + HOUR + 100;
    w.must({ type: 'UpdateRecurringRun', recurringRunId: id, schedule: periodic(600) as never });
    expect(recurring(id).version).toBe(2);
    expect(recurring(id).schedule.trigger).toEqual({ kind: 'periodic', intervalSeconds: 600 });
    expect(nextPipelinesWakeup(w.state)).toBe(T0 + HOUR + 700);
    w.play(T0 + HOUR + 2000);
    expect(fired(id).map((f) => f.slice(0, 24))).toEqual([
      iso(T0 + HOUR),
      iso(T0 + HOUR + 700),
      iso(T0 + HOUR + 1300),
      iso(T0 + HOUR + 1900),
    ]);
    w.must({ type: 'UpdateRecurringRun', recurringRunId: id, parameters: {} });
    expect(recurring(id).version).toBe(3);
  });

  it('an edit that leaves the schedule as it was keeps its fire times and its backlog', () => {
    const { w, create, recurring, fired } = setup();
    // Hourly without a start, runs of 90 minutes, one at a time: the 02:00 fire waits until 02:30.
    const id = create('steady', periodic(HOUR), {}, 5400);
    w.play(T0 + 2 * HOUR + 600);
    w.now = T0 + 2 * HOUR + 600;
    w.must({ type: 'UpdateRecurringRun', recurringRunId: id, parameters: {}, schedule: periodic(HOUR) as never });
    expect(recurring(id).version).toBe(2);
    w.play(T0 + 5 * HOUR);
    expect(fired(id)).toEqual([
      `${iso(T0 + HOUR)}@${iso(T0 + HOUR)}`,
      `${iso(T0 + 2 * HOUR)}@${iso(T0 + 2 * HOUR + 1800)}`,
      `${iso(T0 + 3 * HOUR)}@${iso(T0 + 4 * HOUR)}`,
    ]);
  });

  it('an edit that names a missing version, or a schedule that does not parse, is refused and changes nothing', () => {
    const { w, create, recurring } = setup();
    const id = create('strict', periodic(HOUR));
    const missing = w.exec({ type: 'UpdateRecurringRun', recurringRunId: id, versionId: 'team/p@v9' });
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.rejection.code).toBe('not-found');
    const bad = w.exec({
      type: 'UpdateRecurringRun',
      recurringRunId: id,
      schedule: periodic(HOUR, { maxConcurrency: 11 }) as never,
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.rejection.message).toContain('schedule.maxConcurrency');
    expect(recurring(id).version).toBe(1);
  });

  it('trigger now starts a run at once, beside the schedule: the next scheduled fire keeps its time', () => {
    const { w, create, recurring, runs } = setup();
    const id = create('adhoc', periodic(HOUR));
    w.now = T0 + 1800;
    w.must({ type: 'TriggerRecurringRun', recurringRunId: id });
    const manual = runs(id)[0] as Run;
    expect(manual.id).toBe(`team/${runNameOf('adhoc', T0 + 1800)}-manual`);
    expect(manual.createdAt).toBe(T0 + 1800);
    expect(manual.recurringRunId).toBe(id);
    // It holds the one slot while it runs; once it ends, the schedule is where it was.
    expect(nextPipelinesWakeup(w.state)).toBeNull();
    w.play(T0 + 1900);
    expect(manual.state).toBe('SUCCEEDED');
    expect(nextPipelinesWakeup(w.state)).toBe(T0 + HOUR);
    w.play(T0 + 2 * HOUR + 100);
    expect(runs(id).map((r) => r.name)).toEqual([manual.name, runNameOf('adhoc', T0 + HOUR), runNameOf('adhoc', T0 + 2 * HOUR)]);
    expect(recurring(id).lastScheduled).toBe(T0 + 2 * HOUR);
    // Triggered twice in the same second: two runs, the second with a suffix.
    w.must({ type: 'TriggerRecurringRun', recurringRunId: id });
    w.must({ type: 'TriggerRecurringRun', recurringRunId: id });
    expect(
      runs(id)
        .slice(-2)
        .map((r) => r.name),
    ).toEqual([`${runNameOf('adhoc', w.now)}-manual`, `${runNameOf('adhoc', w.now)}-manual-2`]);
  });
});

describe('the pipeline version a recurring run takes', () => {
  it('a recurring run naming a version that does not exist, or a pipeline of another group, is refused', () => {
    const { w, pipelineId } = setup();
    const base: Create = {
      type: 'CreateRecurringRun',
      recurringRunId: 'team/r',
      owner: OWNER,
      group: GROUP,
      name: 'r',
      pipelineId,
      parameters: {},
      schedule: periodic(HOUR) as never,
      enabled: true,
    };
    const missing = w.exec({ ...base, versionId: 'team/p@v2' });
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.rejection.message).toBe("pipeline 'team/p' has no version 'team/p@v2'");
    const elsewhere = w.exec({ ...base, recurringRunId: 'other/r', group: 'other' });
    expect(elsewhere.ok).toBe(false);
    if (!elsewhere.ok) expect(elsewhere.rejection.code).toBe('not-found');
    expect(w.state.recurringRuns.size).toBe(0);
    expect(nextPipelinesWakeup(w.state)).toBeNull();
  });

  it('versionId null takes the latest version at each fire; a pinned one keeps its version', () => {
    const { w, pipelineId, create, runs } = setup();
    const latest = create('latest', periodic(HOUR));
    const pinned = create('pinned', periodic(HOUR), { versionId: `${pipelineId}@v1` });
    w.play(T0 + HOUR + 100);
    w.must({
      type: 'CreatePipelineVersion',
      pipelineId,
      version: { versionId: `${pipelineId}@v2`, name: 'v2', format: 'v2', spec: oneStep('v2') as never, platform: null },
    });
    w.play(T0 + 2 * HOUR + 100);
    expect(runs(latest).map((r) => r.versionId)).toEqual(['team/p@v1', 'team/p@v2']);
    expect(runs(latest).map((r) => r.spec.pipelineInfo.name)).toEqual(['v1', 'v2']);
    expect(runs(pinned).map((r) => r.versionId)).toEqual(['team/p@v1', 'team/p@v1']);
  });
});

describe('replay', () => {
  it('replaying the events gives the same recurring runs, cursors and due times as the live state', () => {
    const { w, create } = setup();
    const a = create('a', periodic(60, { maxConcurrency: 2 }), {}, 150);
    const b = create('b', cron('0 */2 * * *', 'Europe/Berlin', { catchUp: 'none' }));
    w.play(T0 + 3 * HOUR);
    w.now = T0 + 9 * HOUR + 300;
    w.must({ type: 'SetRecurringRunEnabled', recurringRunId: a, enabled: false });
    w.must({ type: 'TriggerRecurringRun', recurringRunId: b });
    w.play(T0 + 12 * HOUR);
    w.must({ type: 'UpdateRecurringRun', recurringRunId: b, schedule: periodic(HOUR) as never });
    w.play(T0 + 15 * HOUR);
    let s = pipelinesDecider.initialState();
    for (const e of w.events) s = pipelinesDecider.evolve(s, e);
    const view = (r: RecurringRun) => ({ ...r, active: [...r.active] });
    expect([...s.recurringRuns.values()].map(view)).toEqual([...w.state.recurringRuns.values()].map(view));
    expect(s.due.entries()).toEqual(w.state.due.entries());
    expect([...s.runs.values()].map((r) => [r.id, r.state, r.scheduledAt, r.createdAt, r.finishedAt])).toEqual(
      [...w.state.runs.values()].map((r) => [r.id, r.state, r.scheduledAt, r.createdAt, r.finishedAt]),
    );
    expect(w.state.recurringRuns.get(a)?.runs.length).toBeGreaterThan(50);
    expect(w.state.recurringRuns.get(b)?.runs.length).toBeGreaterThan(3);
  });
});

describe('properties of recurring runs under random schedules, downtime, pauses, edits and triggers', () => {
  type Op =
    | { readonly kind: 'play'; readonly dt: number }
    | { readonly kind: 'down'; readonly dt: number }
    | { readonly kind: 'pause'; readonly dt: number }
    | { readonly kind: 'trigger' }
    | { readonly kind: 'edit' };

  const CRONS = ['*/5 * * * *', '0 * * * *', '0 0 */2 * * *', '30 9 * * 1-5', '0 15,45 * * * *'];
  const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe'];
  const scheduleArb = fc.record({
    trigger: fc.oneof(
      fc.record({ kind: fc.constant('cron'), expression: fc.constantFrom(...CRONS), timeZone: fc.constantFrom(...ZONES) }),
      fc.record({ kind: fc.constant('periodic'), intervalSeconds: fc.constantFrom(60, 300, 900, HOUR) }),
    ),
    startTime: fc.option(fc.integer({ min: T0 - HOUR, max: T0 + 2 * HOUR }), { freq: 2 }),
    endTime: fc.option(fc.integer({ min: T0 + 2 * HOUR, max: T0 + 48 * HOUR }), { freq: 4 }),
    maxConcurrency: fc.integer({ min: 1, max: 3 }),
    catchUp: fc.constantFrom('all', 'latest', 'none'),
  });
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant('play' as const), dt: fc.integer({ min: 1, max: 6 * HOUR }) }), weight: 4 },
    { arbitrary: fc.record({ kind: fc.constant('down' as const), dt: fc.integer({ min: 1, max: 6 * HOUR }) }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant('pause' as const), dt: fc.integer({ min: 1, max: 4 * HOUR }) }), weight: 1 },
    { arbitrary: fc.constant({ kind: 'trigger' as const }), weight: 1 },
    { arbitrary: fc.constant({ kind: 'edit' as const }), weight: 1 },
  );

  /** Every fire of a schedule with absolute fire times (a cron, or a period with a start) in (from, to]. */
  const firesOf = (spec: ScheduleSpec, from: number, to: number): number[] => {
    const out: number[] = [];
    for (let t = nextFireAfter(spec, from); t !== null && t <= to; t = nextFireAfter(spec, t)) out.push(t);
    return out;
  };

  it('fires are on the schedule, in order, never while disabled, within the concurrency, and every one under catch-up all', () => {
    fc.assert(
      fc.property(
        scheduleArb,
        fc.integer({ min: 1, max: 5400 }),
        fc.array(opArb, { minLength: 1, maxLength: 8 }),
        (schedule, seconds, ops) => {
          const { w, create, recurring, runs } = setup();
          const spec = (() => {
            const parsed = parseSchedule(schedule);
            if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
            return parsed.value;
          })();
          const id = create('prop', schedule, {}, seconds);
          const paused: [number, number][] = [];
          let downtime = false;
          let edited = false;
          for (const op of ops) {
            if (op.kind === 'play') w.play(w.now + op.dt);
            else if (op.kind === 'down') {
              // The host is down: time passes, nothing ticks and no step reports; then it plays on.
              w.now += op.dt;
              downtime = true;
            } else if (op.kind === 'pause') {
              const from = w.now;
              w.must({ type: 'SetRecurringRunEnabled', recurringRunId: id, enabled: false });
              w.play(w.now + op.dt);
              w.now = Math.max(w.now, from + op.dt);
              w.must({ type: 'SetRecurringRunEnabled', recurringRunId: id, enabled: true });
              paused.push([from, w.now]);
            } else if (op.kind === 'trigger') w.must({ type: 'TriggerRecurringRun', recurringRunId: id });
            else {
              w.must({ type: 'UpdateRecurringRun', recurringRunId: id, parameters: {} });
              edited = true;
            }
          }
          w.play(w.now + 1);
          const end = w.now;

          const all = runs(id);
          const scheduled = all.filter((r) => r.scheduledAt !== null);
          const times = scheduled.map((r) => r.scheduledAt as number);
          const absolute = spec.trigger.kind === 'cron' || spec.startTime !== null;
          const onSchedule = absolute ? new Set(firesOf(spec, T0, end)) : null;
          for (const [i, r] of scheduled.entries()) {
            const t = r.scheduledAt as number;
            // In order, once each, never before it was due, never past the end.
            if (i > 0) expect(t).toBeGreaterThan(times[i - 1] as number);
            expect(t).toBeLessThanOrEqual(r.createdAt);
            expect(t).toBeGreaterThan(T0);
            if (spec.endTime !== null) expect(t).toBeLessThanOrEqual(spec.endTime);
            if (spec.startTime !== null) expect(t).toBeGreaterThan(spec.startTime);
            if (onSchedule) expect(onSchedule.has(t), `${iso(t)} is not a fire of the schedule`).toBe(true);
            // Never for a time it was disabled.
            for (const [off, on] of paused) expect(t > off && t <= on, `${iso(t)} fell in a pause`).toBe(false);
            // Under none, never started late.
            if (spec.catchUp === 'none') expect(r.createdAt - t).toBeLessThan(MISSED_AFTER_SECONDS);
            // Started only with a slot free: fewer than the maximum of its runs were still going.
            const going = all.filter(
              (o) =>
                o !== r &&
                o.createdAt <= r.createdAt &&
                all.indexOf(o) < all.indexOf(r) &&
                (o.finishedAt ?? end + 1) > r.createdAt,
            );
            expect(going.length).toBeLessThan(spec.maxConcurrency);
          }
          // Catch-up all, never paused: every fire due so far ran, in order, none skipped.
          if (spec.catchUp === 'all' && paused.length === 0 && absolute && !edited) {
            expect(times).toEqual(firesOf(spec, T0, end).slice(0, times.length));
          }
          if (spec.catchUp === 'all' && !downtime && paused.length === 0 && absolute) {
            const due = firesOf(spec, T0, end);
            // What did not start is a backlog waiting for a slot.
            if (due.length > times.length) expect(recurring(id).active.size).toBeGreaterThanOrEqual(spec.maxConcurrency);
          }
          // A replay gives the same recurring run and due time.
          let s = pipelinesDecider.initialState();
          for (const e of w.events) s = pipelinesDecider.evolve(s, e);
          expect({ ...s.recurringRuns.get(id), active: [...(s.recurringRuns.get(id)?.active ?? [])] }).toEqual({
            ...recurring(id),
            active: [...recurring(id).active],
          });
          expect(s.due.entries()).toEqual(w.state.due.entries());
        },
      ),
      { numRuns: 150 },
    );
  });
});
