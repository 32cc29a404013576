import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DueIndex } from './due-index.js';
import {
  type CatchUp,
  dueFires,
  MISSED_AFTER_SECONDS,
  nextFireAfter,
  parseSchedule,
  runNameOf,
  type ScheduleCursor,
  type ScheduleSpec,
} from './schedule.js';

/** Seconds since the epoch of an ISO time (with its offset, so a table reads in local time). */
const T = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad time in a test: ${iso}`);
  return ms / 1000;
};
/** A time as UTC ISO, so that a failing table shows instants a reader can compare. */
const utc = (t: number | null): string | null => (t === null ? null : new Date(t * 1000).toISOString());

function parsed(u: unknown): ScheduleSpec {
  const r = parseSchedule(u);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}
const cron = (expression: string, timeZone = 'UTC', more: Record<string, unknown> = {}) =>
  parsed({ trigger: { kind: 'cron', expression, timeZone }, ...more });
const periodic = (intervalSeconds: number, more: Record<string, unknown> = {}) =>
  parsed({ trigger: { kind: 'periodic', intervalSeconds }, ...more });

/** The first `n` fires after `after`, each from the one before. */
function fires(spec: ScheduleSpec, after: number, n: number): Array<string | null> {
  const out: Array<string | null> = [];
  let t: number | null = after;
  for (let i = 0; i < n && t !== null; i++) {
    t = nextFireAfter(spec, t);
    out.push(utc(t));
  }
  return out;
}

describe('next fire times, cron', () => {
  // [zone, expression, after, the next fires written in the zone's local time]
  const table: Array<[string, string, string, string[]]> = [
    // UTC; 6 fields have seconds first, as KFP writes them.
    ['UTC', '0 0 * * * *', '2026-01-01T00:00:00Z', ['2026-01-01T01:00:00Z', '2026-01-01T02:00:00Z', '2026-01-01T03:00:00Z']],
    ['UTC', '*/20 * * * * *', '2026-01-01T00:00:00Z', ['2026-01-01T00:00:20Z', '2026-01-01T00:00:40Z', '2026-01-01T00:01:00Z']],
    ['UTC', '30 15 10 * * *', '2026-01-01T12:00:00Z', ['2026-01-02T10:15:30Z', '2026-01-03T10:15:30Z']],
    // 5 fields: minute first. 2026-01-02 is a Friday.
    ['UTC', '0 9 * * MON-FRI', '2026-01-02T10:00:00Z', ['2026-01-05T09:00:00Z', '2026-01-06T09:00:00Z']],
    // KFP's documented example: `?` is `*`; robfig counts days from Sunday = 0, so 2-6 is Tuesday to Saturday.
    ['UTC', '0 0 9 ? * 2-6', '2026-01-02T10:00:00Z', ['2026-01-03T09:00:00Z', '2026-01-06T09:00:00Z', '2026-01-07T09:00:00Z']],
    // Day of month and day of week both restricted: either one (April 2026: Fridays 3, 10, 17; the 13th a Monday).
    [
      'UTC',
      '0 0 13 * 5',
      '2026-04-01T00:00:00Z',
      ['2026-04-03T00:00:00Z', '2026-04-10T00:00:00Z', '2026-04-13T00:00:00Z', '2026-04-17T00:00:00Z'],
    ],
    ['UTC', '0 0 1 jan,JUL *', '2026-01-01T00:00:00Z', ['2026-07-01T00:00:00Z', '2027-01-01T00:00:00Z']],
    // robfig's N/step: from N to the end of the range.
    [
      'UTC',
      '5/15 * * * *',
      '2026-01-01T00:00:00Z',
      ['2026-01-01T00:05:00Z', '2026-01-01T00:20:00Z', '2026-01-01T00:35:00Z', '2026-01-01T00:50:00Z'],
    ],
    // Descriptors (robfig's); 2026-01-01 is a Thursday, @weekly is Sunday midnight.
    ['UTC', '@hourly', '2026-01-01T00:00:00Z', ['2026-01-01T01:00:00Z']],
    ['UTC', '@daily', '2026-01-01T00:00:00Z', ['2026-01-02T00:00:00Z']],
    ['UTC', '@midnight', '2026-01-01T00:00:00Z', ['2026-01-02T00:00:00Z']],
    ['UTC', '@weekly', '2026-01-01T00:00:00Z', ['2026-01-04T00:00:00Z', '2026-01-11T00:00:00Z']],
    ['UTC', '@monthly', '2026-01-01T00:00:00Z', ['2026-02-01T00:00:00Z']],
    ['UTC', '@yearly', '2026-01-01T00:00:00Z', ['2027-01-01T00:00:00Z']],
    ['UTC', '@annually', '2026-01-01T00:00:00Z', ['2027-01-01T00:00:00Z']],
    // America/New_York: EST (-05:00) until 2026-03-08 02:00, then EDT (-04:00).
    ['America/New_York', '0 9 * * *', '2026-01-05T00:00:00Z', ['2026-01-05T09:00:00-05:00', '2026-01-06T09:00:00-05:00']],
    [
      'America/New_York',
      '0 9 * * *',
      '2026-03-07T00:00:00Z',
      ['2026-03-07T09:00:00-05:00', '2026-03-08T09:00:00-04:00', '2026-03-09T09:00:00-04:00'],
    ],
    // Europe/Berlin: CET (+01:00), CEST (+02:00) from 2026-03-29 02:00.
    ['Europe/Berlin', '0 12 * * *', '2026-03-28T00:00:00Z', ['2026-03-28T12:00:00+01:00', '2026-03-29T12:00:00+02:00']],
    // Asia/Kolkata: +05:30 all year. 2026-01-01 is a Thursday.
    [
      'Asia/Kolkata',
      '0 9 * * 1-5',
      '2026-01-01T00:00:00Z',
      ['2026-01-01T09:00:00+05:30', '2026-01-02T09:00:00+05:30', '2026-01-05T09:00:00+05:30'],
    ],
    [
      'Asia/Kolkata',
      '*/45 * * * *',
      '2026-01-01T00:00:00Z',
      ['2026-01-01T05:45:00+05:30', '2026-01-01T06:00:00+05:30', '2026-01-01T06:45:00+05:30'],
    ],
    // Australia/Lord_Howe: +10:30, and +11:00 in its summer (a 30-minute shift).
    ['Australia/Lord_Howe', '0 8 * * *', '2026-07-01T00:00:00Z', ['2026-07-02T08:00:00+10:30', '2026-07-03T08:00:00+10:30']],
    ['Australia/Lord_Howe', '0 8 * * *', '2026-01-01T00:00:00Z', ['2026-01-02T08:00:00+11:00']],
  ];
  it.each(table)('%s %j after %s', (zone, expression, after, expected) => {
    const spec = cron(expression, zone);
    expect(fires(spec, T(after), expected.length)).toEqual(expected.map((x) => utc(T(x))));
  });

  it('a time zone is read case-insensitively and kept under its canonical name', () => {
    expect(cron('0 9 * * *', 'europe/berlin').trigger).toEqual({
      kind: 'cron',
      expression: '0 9 * * *',
      timeZone: 'Europe/Berlin',
    });
    expect(cron('0 9 * * *', 'Etc/UTC').trigger).toMatchObject({ timeZone: 'UTC' });
  });
});

describe('daylight saving time', () => {
  // [zone, expression, after, the next fires]: KFP's robfig skips a time a spring-forward removes;
  // a fixed time a fall-back repeats fires once; an expression with a rhythm keeps it through both.
  const table: Array<[string, string, string, string, string[]]> = [
    [
      'spring forward, a fixed time in the gap does not fire that day (as robfig)',
      'America/New_York',
      '30 2 * * *',
      '2026-03-07T00:00:00Z',
      ['2026-03-07T02:30:00-05:00', '2026-03-09T02:30:00-04:00', '2026-03-10T02:30:00-04:00'],
    ],
    [
      'spring forward, 6 fields',
      'America/New_York',
      '0 30 2 * * *',
      '2026-03-07T00:00:00Z',
      ['2026-03-07T02:30:00-05:00', '2026-03-09T02:30:00-04:00'],
    ],
    [
      'spring forward, a rhythm skips the times that do not exist',
      'America/New_York',
      '*/30 * * * *',
      '2026-03-08T01:00:00-05:00',
      ['2026-03-08T01:30:00-05:00', '2026-03-08T03:00:00-04:00', '2026-03-08T03:30:00-04:00'],
    ],
    [
      'spring forward, a range of hours skips the hour that does not exist',
      'America/New_York',
      '30 1-3 * * *',
      '2026-03-08T00:00:00-05:00',
      ['2026-03-08T01:30:00-05:00', '2026-03-08T03:30:00-04:00', '2026-03-09T01:30:00-04:00'],
    ],
    [
      'fall back, a fixed time in the repeated hour fires once, at its first occurrence',
      'America/New_York',
      '30 1 * * *',
      '2026-10-31T12:00:00Z',
      ['2026-11-01T01:30:00-04:00', '2026-11-02T01:30:00-05:00'],
    ],
    [
      'fall back, hourly fires in both passes of the repeated hour',
      'America/New_York',
      '0 * * * *',
      '2026-11-01T00:00:00-04:00',
      ['2026-11-01T01:00:00-04:00', '2026-11-01T01:00:00-05:00', '2026-11-01T02:00:00-05:00'],
    ],
    [
      'spring forward in Berlin',
      'Europe/Berlin',
      '30 2 * * *',
      '2026-03-28T00:00:00Z',
      ['2026-03-28T02:30:00+01:00', '2026-03-30T02:30:00+02:00'],
    ],
    [
      'fall back in Berlin',
      'Europe/Berlin',
      '30 2 * * *',
      '2026-10-24T12:00:00Z',
      ['2026-10-25T02:30:00+02:00', '2026-10-26T02:30:00+01:00'],
    ],
    [
      'Lord Howe springs forward 30 minutes (02:00 to 02:30): 02:15 does not fire that day',
      'Australia/Lord_Howe',
      '15 2 * * *',
      '2026-10-02T12:00:00Z',
      ['2026-10-03T02:15:00+10:30', '2026-10-05T02:15:00+11:00'],
    ],
    [
      'Lord Howe, 02:45 exists on the day it springs forward',
      'Australia/Lord_Howe',
      '45 2 * * *',
      '2026-10-03T12:00:00Z',
      ['2026-10-04T02:45:00+11:00', '2026-10-05T02:45:00+11:00'],
    ],
    [
      'Lord Howe falls back 30 minutes (02:00 to 01:30): 01:45 fires once',
      'Australia/Lord_Howe',
      '45 1 * * *',
      '2026-04-04T12:00:00Z',
      ['2026-04-05T01:45:00+11:00', '2026-04-06T01:45:00+10:30'],
    ],
    [
      'Lord Howe falls back: a quarter-hourly rhythm fires in both passes of the repeated half hour',
      'Australia/Lord_Howe',
      '*/15 1 * * *',
      '2026-04-05T00:45:00+11:00',
      [
        '2026-04-05T01:00:00+11:00',
        '2026-04-05T01:15:00+11:00',
        '2026-04-05T01:30:00+11:00',
        '2026-04-05T01:45:00+11:00',
        '2026-04-05T01:30:00+10:30',
        '2026-04-05T01:45:00+10:30',
        '2026-04-06T01:00:00+10:30',
      ],
    ],
  ];
  it.each(table)('%s', (_, zone, expression, after, expected) => {
    expect(fires(cron(expression, zone), T(after), expected.length)).toEqual(expected.map((x) => utc(T(x))));
  });

  it('a period counts seconds, not wall-clock days: a daily period moves an hour on the local clock', () => {
    const spec = periodic(86_400, { startTime: T('2026-03-06T00:00:00-05:00') });
    expect(fires(spec, T('2026-03-06T00:00:00-05:00'), 3)).toEqual(
      ['2026-03-07T00:00:00-05:00', '2026-03-08T00:00:00-05:00', '2026-03-09T01:00:00-04:00'].map((x) => utc(T(x))),
    );
  });
});

describe('next fire times, periodic', () => {
  const start = T('2026-01-01T00:00:00Z');
  // [interval, start, end, after, expected next]
  const table: Array<[string, number, number | null, number | null, number, number | null]> = [
    ['before the start: one interval after it (KFP)', 3600, start, null, start - 100, start + 3600],
    ['at the start', 3600, start, null, start, start + 3600],
    ['on a fire: the next point of the grid', 3600, start, null, start + 3600, start + 7200],
    ['between two fires: the next point of the grid', 3600, start, null, start + 3601, start + 7200],
    ['no start: the last fire plus the interval', 90, null, null, start + 7, start + 97],
    ['at the end: the end fires', 3600, start, start + 7200, start + 3600, start + 7200],
    ['past the end: none', 3600, start, start + 7200, start + 7200, null],
    ['an end between two points: the last point before it', 3600, start, start + 5000, start + 3600, null],
  ];
  it.each(table)('%s', (_, interval, startTime, endTime, after, expected) => {
    expect(nextFireAfter(periodic(interval, { startTime, endTime }), after)).toBe(expected);
  });

  it('@every is a period from the start, as robfig schedules it from the last fire', () => {
    const spec = cron('@every 1h30m', 'UTC', { startTime: start });
    expect(fires(spec, start - 1, 3)).toEqual([utc(start + 5400), utc(start + 10_800), utc(start + 16_200)]);
    expect(nextFireAfter(cron('@every 90s'), 1000)).toBe(1090);
    expect(nextFireAfter(cron('@every 1.5h'), 0)).toBe(5400);
  });
});

describe('start and end times of a cron', () => {
  const spec = cron('0 0 * * *', 'UTC', { startTime: T('2026-01-01T00:00:00Z'), endTime: T('2026-01-03T00:00:00Z') });
  const table: Array<[string, string, string | null]> = [
    [
      'long before the start: the first fire after the start, not at it (KFP: Next(start))',
      '2025-06-01T00:00:00Z',
      '2026-01-02T00:00:00Z',
    ],
    ['at the start', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'],
    ['the day before the end: the end itself fires', '2026-01-02T00:00:00Z', '2026-01-03T00:00:00Z'],
    ['at the end: none', '2026-01-03T00:00:00Z', null],
    ['after the end: none', '2027-01-01T00:00:00Z', null],
  ];
  it.each(table)('%s', (_, after, expected) => {
    expect(utc(nextFireAfter(spec, T(after)))).toBe(expected === null ? null : utc(T(expected)));
  });
});

describe('catch-up after downtime', () => {
  // Hourly; it fired at 01:00, then the server was down from 01:05 to 05:10.
  const hourly = (catchUp: CatchUp, maxConcurrency = 10) => cron('0 * * * *', 'UTC', { catchUp, maxConcurrency });
  const cursor: ScheduleCursor = { enabledSince: T('2026-01-01T00:00:00Z'), lastScheduled: T('2026-01-01T01:00:00Z') };
  const h = (hh: string) => T(`2026-01-01T${hh}Z`);
  // [policy, max concurrency, now, fired, blocked]
  const table: Array<[CatchUp, number, string, string[], boolean]> = [
    ['all', 10, '05:10:00', ['02:00:00', '03:00:00', '04:00:00', '05:00:00'], false],
    ['all', 2, '05:10:00', ['02:00:00', '03:00:00'], true],
    ['latest', 10, '05:10:00', ['05:00:00'], false],
    ['none', 10, '05:10:00', [], false],
    // A minute's grace: a tick a little late still runs the fire it was set for.
    ['none', 10, '05:00:59', ['05:00:00'], false],
    ['none', 10, '05:01:00', [], false],
    ['all', 10, '01:59:59', [], false],
  ];
  it.each(table)('%s, max concurrency %i, at %s', (policy, max, now, fired, blocked) => {
    const r = dueFires(hourly(policy, max), cursor, h(now), 0);
    expect(r.fire.map(utc)).toEqual(fired.map((x) => utc(h(x))));
    expect(r.blocked).toBe(blocked);
    expect(utc(r.next)).toBe(utc(T(now < '02:00:00' ? '2026-01-01T02:00:00Z' : '2026-01-01T06:00:00Z')));
  });

  it('MISSED_AFTER_SECONDS is the grace', () => {
    expect(MISSED_AFTER_SECONDS).toBe(60);
  });

  it('all: the runs that waited for a slot fire in order as slots free up', () => {
    const spec = hourly('all', 2);
    let c = cursor;
    const now = h('05:10:00');
    const first = dueFires(spec, c, now, 0);
    c = { ...c, lastScheduled: first.fire.at(-1) ?? null };
    expect(dueFires(spec, c, now, 2)).toEqual({ fire: [], blocked: true, next: h('06:00:00') });
    const second = dueFires(spec, c, now + 60, 1);
    expect(second.fire.map(utc)).toEqual([utc(h('04:00:00'))]);
    expect(second.blocked).toBe(true);
  });

  it('a periodic schedule catches up on its grid', () => {
    const start = h('00:00:00');
    const spec = (catchUp: CatchUp) => periodic(1800, { startTime: start, catchUp, maxConcurrency: 10 });
    const c: ScheduleCursor = { enabledSince: start, lastScheduled: start + 1800 };
    const now = start + 4 * 3600 + 100; // 04:01:40
    expect(dueFires(spec('all'), c, now, 0).fire).toEqual([2, 3, 4, 5, 6, 7, 8].map((k) => start + k * 1800));
    expect(dueFires(spec('latest'), c, now, 0).fire).toEqual([start + 8 * 1800]);
    expect(dueFires(spec('none'), c, now, 0).fire).toEqual([]);
    expect(dueFires(spec('none'), c, now, 0).next).toBe(start + 9 * 1800);
  });

  it('latest across a spring-forward never picks the time the gap removed', () => {
    const spec = cron('30 2 * * *', 'America/New_York', { catchUp: 'latest' });
    const c: ScheduleCursor = { enabledSince: T('2026-03-01T00:00:00Z'), lastScheduled: T('2026-03-07T02:30:00-05:00') };
    // Down from the 7th to the 8th at noon: 02:30 on the 8th did not exist, so nothing is due.
    expect(dueFires(spec, c, T('2026-03-08T12:00:00-04:00'), 0).fire).toEqual([]);
    expect(dueFires(spec, c, T('2026-03-09T12:00:00-04:00'), 0).fire).toEqual([T('2026-03-09T02:30:00-04:00')]);
  });
});

describe('disable, then enable: the disabled time is never backfilled', () => {
  const h = (hh: string) => T(`2026-01-01T${hh}Z`);
  it('a cron resumes with the first fire after it was enabled again, whatever the catch-up', () => {
    // Fired at 01:00, disabled at 01:30, enabled again at 05:10.
    for (const catchUp of ['all', 'latest', 'none'] as const) {
      const spec = cron('0 * * * *', 'UTC', { catchUp, maxConcurrency: 10 });
      const c: ScheduleCursor = { enabledSince: h('05:10:00'), lastScheduled: h('01:00:00') };
      expect(dueFires(spec, c, h('05:10:00'), 0)).toEqual({ fire: [], blocked: false, next: h('06:00:00') });
      expect(dueFires(spec, c, h('06:00:00'), 0).fire).toEqual([h('06:00:00')]);
    }
  });

  it('enabled at a fire time exactly: that time is not fired (fires are strictly after)', () => {
    const spec = cron('0 * * * *');
    expect(dueFires(spec, { enabledSince: h('05:00:00'), lastScheduled: null }, h('05:00:00'), 0).fire).toEqual([]);
  });

  it('a period without a start resumes one interval after the enable; with a start it keeps its grid', () => {
    const c: ScheduleCursor = { enabledSince: h('05:10:00'), lastScheduled: h('01:00:00') };
    expect(dueFires(periodic(3600), c, h('05:10:00'), 0).next).toBe(h('06:10:00'));
    expect(dueFires(periodic(3600, { startTime: h('00:00:00') }), c, h('05:10:00'), 0).next).toBe(h('06:00:00'));
  });
});

describe('maximum concurrency: a due run beyond it waits, and starts when a run ends', () => {
  /**
   * A recurring run as a host drives it: a timer at the due index's wake-up, and a look again
   * whenever one of its runs ends (ends are handled before a tick at the same instant). Gives each
   * run's scheduled time and when it started, as `HH:MM@HH:MM`.
   */
  function drive(spec: ScheduleSpec, from: number, until: number, durationSeconds: number): string[] {
    const id = 'g/nightly';
    const index = new DueIndex();
    let cursor: ScheduleCursor = { enabledSince: from, lastScheduled: null };
    const ends: number[] = [];
    const started: string[] = [];
    const hhmm = (t: number) => (utc(t) as string).slice(11, 16);
    const look = (now: number) => {
      const r = dueFires(spec, cursor, now, ends.length);
      for (const f of r.fire) {
        started.push(`${hhmm(f)}@${hhmm(now)}`);
        ends.push(now + durationSeconds);
        cursor = { ...cursor, lastScheduled: f };
      }
      index.upsert(id, r.next);
    };
    index.upsert(id, nextFireAfter(spec, from));
    for (;;) {
      const wake = index.nextWake();
      const end = ends.length > 0 ? Math.min(...ends) : null;
      const now = Math.min(wake ?? Number.POSITIVE_INFINITY, end ?? Number.POSITIVE_INFINITY);
      if (now > until) return started;
      if (end === now) ends.splice(ends.indexOf(now), 1);
      if (index.popDue(now).length > 0 || end === now) look(now);
    }
  }
  const from = T('2026-01-01T00:00:00Z');
  const until = T('2026-01-01T06:00:00Z');
  // Hourly runs that take 90 minutes (or 150).
  const table: Array<[CatchUp, number, number, string[]]> = [
    ['all', 1, 90, ['01:00@01:00', '02:00@02:30', '03:00@04:00', '04:00@05:30']],
    ['latest', 1, 90, ['01:00@01:00', '02:00@02:30', '04:00@04:00', '05:00@05:30']],
    // Under none a waiting run is missed once a minute late: it never starts late.
    ['none', 1, 90, ['01:00@01:00', '03:00@03:00', '05:00@05:00']],
    // Two slots are enough for runs of 90 minutes; not for runs of 150.
    ['all', 2, 90, ['01:00@01:00', '02:00@02:00', '03:00@03:00', '04:00@04:00', '05:00@05:00', '06:00@06:00']],
    ['all', 2, 150, ['01:00@01:00', '02:00@02:00', '03:00@03:30', '04:00@04:30', '05:00@06:00']],
    ['latest', 2, 150, ['01:00@01:00', '02:00@02:00', '03:00@03:30', '04:00@04:30', '06:00@06:00']],
  ];
  it.each(table)('%s, max concurrency %i, runs of %i minutes', (catchUp, maxConcurrency, minutes, expected) => {
    expect(drive(cron('0 * * * *', 'UTC', { catchUp, maxConcurrency }), from, until, minutes * 60)).toEqual(expected);
  });
});

describe('parseSchedule', () => {
  it('fills in the defaults: UTC, no start or end, max concurrency 1, catch-up all (KFP)', () => {
    expect(parseSchedule({ trigger: { kind: 'cron', expression: '  0 0 * * * *  ' } })).toEqual({
      ok: true,
      value: {
        trigger: { kind: 'cron', expression: '0 0 * * * *', timeZone: 'UTC' },
        startTime: null,
        endTime: null,
        maxConcurrency: 1,
        catchUp: 'all',
      },
    });
    expect(
      parseSchedule({
        trigger: { kind: 'periodic', intervalSeconds: 600 },
        startTime: 100,
        endTime: 100,
        maxConcurrency: 10,
        catchUp: 'none',
      }),
    ).toEqual({
      ok: true,
      value: {
        trigger: { kind: 'periodic', intervalSeconds: 600 },
        startTime: 100,
        endTime: 100,
        maxConcurrency: 10,
        catchUp: 'none',
      },
    });
  });

  const c = (expression: unknown, timeZone?: unknown) => ({ trigger: { kind: 'cron', expression, timeZone } });
  // [what, input, the expected issues' paths and a part of their messages]
  const table: Array<[string, unknown, Array<[string, RegExp]>]> = [
    ['not an object', 'hourly', [['schedule', /must be an object with a trigger, got "hourly"/]]],
    ['no trigger', {}, [['schedule.trigger', /must be specified/]]],
    ['an unknown kind', { trigger: { kind: 'daily' } }, [['schedule.trigger.kind', /must be cron or periodic, got "daily"/]]],
    ['no expression', { trigger: { kind: 'cron' } }, [['schedule.trigger.expression', /must be specified/]]],
    ['an empty expression', c(''), [['schedule.trigger.expression', /empty/]]],
    ['not a string', c(5), [['schedule.trigger.expression', /must be a cron expression, got 5/]]],
    ['a bad second', c('61 * * * * *'), [['schedule.trigger.expression', /the second field \(field 1 of 6\) "61"/]]],
    ['a bad minute', c('0 60 * * * *'), [['schedule.trigger.expression', /the minute field \(field 2 of 6\) "60"/]]],
    ['a bad minute, 5 fields', c('60 * * * *'), [['schedule.trigger.expression', /the minute field \(field 1 of 5\) "60"/]]],
    ['a bad hour', c('0 24 * * *'), [['schedule.trigger.expression', /the hour field \(field 2 of 5\) "24".*0-23/]]],
    [
      'a bad day of month',
      c('0 0 32 * *'),
      [['schedule.trigger.expression', /the day of month field \(field 3 of 5\) "32".*1-31/]],
    ],
    ['day of month 0', c('0 0 0 * *'), [['schedule.trigger.expression', /the day of month field \(field 3 of 5\) "0"/]]],
    ['a bad month', c('0 0 1 13 *'), [['schedule.trigger.expression', /the month field \(field 4 of 5\) "13".*JAN-DEC/]]],
    ['a bad month name', c('0 0 1 JANUARY *'), [['schedule.trigger.expression', /the month field \(field 4 of 5\) "JANUARY"/]]],
    [
      'a bad day of week',
      c('0 0 * * 8'),
      [['schedule.trigger.expression', /the day of week field \(field 5 of 5\) "8".*SUN-SAT/]],
    ],
    ['a name in the wrong field', c('0 MON * * *'), [['schedule.trigger.expression', /the hour field \(field 2 of 5\) "MON"/]]],
    ['a backwards range', c('0 0 5-1 * *'), [['schedule.trigger.expression', /the day of month field \(field 3 of 5\) "5-1"/]]],
    ['a zero step', c('*/0 * * * *'), [['schedule.trigger.expression', /the minute field \(field 1 of 5\) "\*\/0"/]]],
    ["croner's L, which KFP does not read", c('0 0 L * *'), [['schedule.trigger.expression', /the day of month field .* "L"/]]],
    [
      "croner's #, which KFP does not read",
      c('0 0 * * 5#2'),
      [['schedule.trigger.expression', /the day of week field .* "5#2"/]],
    ],
    ['too few fields', c('0 0 * *'), [['schedule.trigger.expression', /has 4 fields: a cron expression has 5 .* or 6/]]],
    ['too many fields', c('0 0 0 * * * 2026'), [['schedule.trigger.expression', /has 7 fields/]]],
    [
      'an unknown descriptor',
      c('@often'),
      [['schedule.trigger.expression', /unknown descriptor "@often": one of @yearly.*@every/]],
    ],
    ['@every without a duration', c('@every soon'), [['schedule.trigger.expression', /"soon" is not a duration/]]],
    ['@every under a second', c('@every 500ms'), [['schedule.trigger.expression', /whole number of seconds, at least 1s/]]],
    ['a date that never exists', c('0 0 30 2 *'), [['schedule.trigger.expression', /never fires/]]],
    [
      'an unknown time zone',
      c('0 0 * * *', 'Mars/Olympus_Mons'),
      [['schedule.trigger.timeZone', /unknown time zone "Mars\/Olympus_Mons"/]],
    ],
    [
      'a misspelt time zone',
      c('0 0 * * *', 'Europe/Berln'),
      [['schedule.trigger.timeZone', /unknown time zone "Europe\/Berln"/]],
    ],
    ['an offset is not a time zone', c('0 0 * * *', '+05:30'), [['schedule.trigger.timeZone', /unknown time zone "\+05:30"/]]],
    [
      'a time zone that is not a string',
      c('0 0 * * *', 1),
      [['schedule.trigger.timeZone', /must be an IANA time zone name, got 1/]],
    ],
    [
      'a zero interval',
      { trigger: { kind: 'periodic', intervalSeconds: 0 } },
      [['schedule.trigger.intervalSeconds', /at least 1, got 0/]],
    ],
    [
      'a negative interval',
      { trigger: { kind: 'periodic', intervalSeconds: -60 } },
      [['schedule.trigger.intervalSeconds', /got -60/]],
    ],
    [
      'a fractional interval',
      { trigger: { kind: 'periodic', intervalSeconds: 1.5 } },
      [['schedule.trigger.intervalSeconds', /whole number of seconds/]],
    ],
    [
      'an interval as text',
      { trigger: { kind: 'periodic', intervalSeconds: '60' } },
      [['schedule.trigger.intervalSeconds', /got "60"/]],
    ],
    ['no interval', { trigger: { kind: 'periodic' } }, [['schedule.trigger.intervalSeconds', /must be specified/]]],
    [
      "a cron field on a periodic trigger (KFP's intervalSecond)",
      { trigger: { kind: 'periodic', intervalSecond: 60 } },
      [
        ['schedule.trigger.intervalSecond', /not a field here/],
        ['schedule.trigger.intervalSeconds', /must be specified/],
      ],
    ],
  ];
  it.each(table)('%s', (_, input, expected) => {
    const r = parseSchedule(input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path)).toEqual(expected.map(([p]) => p));
    r.issues.forEach((i, k) => {
      expect(i.message).toMatch((expected[k] as [string, RegExp])[1]);
    });
  });

  it('reports every problem at once, each at its path, under the prefix it is given', () => {
    const r = parseSchedule(
      {
        trigger: { kind: 'cron', expression: '0 0 61 * * *', timeZone: 'Nowhere/City' },
        startTime: 'yesterday',
        endTime: 1.5,
        maxConcurrency: 11,
        catchUp: 'sometimes',
        noCatchup: true,
      },
      'recurringRun.schedule',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path).sort()).toEqual(
      [
        'recurringRun.schedule.noCatchup',
        'recurringRun.schedule.trigger.timeZone',
        'recurringRun.schedule.trigger.expression',
        'recurringRun.schedule.startTime',
        'recurringRun.schedule.endTime',
        'recurringRun.schedule.maxConcurrency',
        'recurringRun.schedule.catchUp',
      ].sort(),
    );
    const message = (path: string) => r.issues.find((i) => i.path === `recurringRun.schedule.${path}`)?.message;
    expect(message('trigger.expression')).toMatch(/the hour field \(field 3 of 6\) "61"/);
    expect(message('startTime')).toMatch(/whole seconds since the epoch, got "yesterday"/);
    expect(message('maxConcurrency')).toBe('must be an integer from 1 to 10, got 11');
    expect(message('catchUp')).toBe('must be one of all, latest, none, got "sometimes"');
  });

  it.each([0, 11, 2.5, '3'])('refuses max concurrency %j (KFP: 1 to 10)', (maxConcurrency) => {
    const r = parseSchedule({ trigger: { kind: 'periodic', intervalSeconds: 60 }, maxConcurrency });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues).toEqual([{ path: 'schedule.maxConcurrency', message: expect.stringMatching(/1 to 10/) }]);
  });

  it('refuses an end before the start', () => {
    const r = parseSchedule({ trigger: { kind: 'periodic', intervalSeconds: 60 }, startTime: 200, endTime: 100 });
    expect(r).toEqual({
      ok: false,
      issues: [{ path: 'schedule.endTime', message: 'must not be before startTime (200), got 100' }],
    });
  });
});

describe('runNameOf', () => {
  const table: Array<[string, number, string]> = [
    ['nightly', T('2026-03-08T07:05:09Z'), 'nightly-20260308070509'],
    ['r', 0, 'r-19700101000000'],
    ['r', 1.9, 'r-19700101000001'],
    // Named in UTC: both passes of New York's repeated hour get names of their own.
    ['hourly', T('2026-11-01T01:00:00-04:00'), 'hourly-20261101050000'],
    ['hourly', T('2026-11-01T01:00:00-05:00'), 'hourly-20261101060000'],
  ];
  it.each(table)('%s at %d', (name, t, expected) => {
    expect(runNameOf(name, t)).toBe(expected);
  });
});

// -- properties ------------------------------------------------------------------------------------

const ZONES = ['UTC', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'Australia/Lord_Howe'] as const;
const FIELD_CHOICES = [
  ['0', '30', '*/20'],
  ['0', '*/7', '5,35', '10-40/10', '45'],
  ['*', '2', '1-3', '9-17/4', '0,12', '23'],
  ['*', '1', '13', '1-7', '?'],
  ['*', '1-6', 'MAR,NOV', '*/3', '10'],
  ['*', 'MON-FRI', '0', '5', '?'],
] as const;
const arbCron = fc
  .tuple(fc.boolean(), ...FIELD_CHOICES.map((choices) => fc.constantFrom(...choices)))
  .map(([six, ...fields]) => (six ? fields.join(' ') : fields.slice(1).join(' ')));
const arbZone = fc.constantFrom(...ZONES);
// 2024 to 2028, which holds every kind of DST change in these zones.
const arbTime = fc.integer({ min: T('2024-01-01T00:00:00Z'), max: T('2028-01-01T00:00:00Z') });

describe('properties', () => {
  it('nextFireAfter is strictly increasing, within (start, end], and misses no fire in between', () => {
    fc.assert(
      fc.property(
        arbCron,
        arbZone,
        arbTime,
        fc.option(fc.integer({ min: -40 * 86_400, max: 40 * 86_400 }), { nil: null }),
        fc.option(fc.integer({ min: 0, max: 200 * 86_400 }), { nil: null }),
        (expression, zone, after, startOffset, length) => {
          const startTime = startOffset === null ? null : after + startOffset;
          const endTime = length === null ? null : (startTime ?? after) + length;
          const spec = cron(expression, zone, { startTime, endTime });
          let previous = after;
          for (let i = 0; i < 4; i++) {
            const t = nextFireAfter(spec, previous);
            if (t === null) return;
            expect(t).toBeGreaterThan(previous);
            if (startTime !== null) expect(t).toBeGreaterThan(startTime);
            if (endTime !== null) expect(t).toBeLessThanOrEqual(endTime);
            expect(Number.isInteger(t)).toBe(true);
            // Nothing fires strictly between two fires.
            if (t - previous > 2) expect(nextFireAfter(spec, previous + Math.floor((t - previous) / 2))).toBe(t);
            previous = t;
          }
        },
      ),
      { numRuns: 300, seed: 2026 },
    );
  });

  it('a periodic schedule fires on its grid, one interval apart, within (start, end]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 * 86_400 }),
        arbTime,
        fc.option(arbTime, { nil: null }),
        fc.option(fc.integer({ min: 0, max: 30 * 86_400 }), { nil: null }),
        (interval, after, startTime, length) => {
          const endTime = length === null ? null : (startTime ?? after) + length;
          const spec = periodic(interval, { startTime, endTime });
          const anchor = startTime ?? after;
          let previous = after;
          for (let i = 0; i < 5; i++) {
            const t = nextFireAfter(spec, previous);
            if (t === null) {
              expect(endTime).not.toBeNull();
              return;
            }
            expect(t).toBeGreaterThan(previous);
            expect((t - anchor) % interval).toBe(0);
            expect(t - anchor).toBeGreaterThan(0);
            if (startTime !== null) expect(t).toBeGreaterThan(startTime);
            if (endTime !== null) expect(t).toBeLessThanOrEqual(endTime);
            if (i > 0) expect(t - previous).toBe(interval);
            previous = t;
          }
        },
      ),
      { numRuns: 300, seed: 15 },
    );
  });

  it('catch-up all runs the due fires in order, latest the last of them, none those not yet missed', () => {
    // Windows around DST changes, where searching backwards and forwards could disagree.
    const arbAround = fc.constantFrom(
      T('2026-03-08T00:00:00Z'),
      T('2026-03-29T00:00:00Z'),
      T('2026-04-04T12:00:00Z'),
      T('2026-10-03T12:00:00Z'),
      T('2026-10-25T00:00:00Z'),
      T('2026-11-01T00:00:00Z'),
    );
    fc.assert(
      fc.property(
        arbCron,
        arbZone,
        arbAround,
        fc.integer({ min: 0, max: 86_400 }),
        fc.integer({ min: 1, max: 2 * 86_400 }),
        (expression, zone, around, offset, downtime) => {
          const all = cron(expression, zone, { catchUp: 'all', maxConcurrency: 10 });
          const latest = { ...all, catchUp: 'latest' as const };
          const from = around - 86_400 + offset;
          const now = from + downtime;
          const cursor: ScheduleCursor = { enabledSince: from, lastScheduled: null };
          const expected: number[] = [];
          for (let t = nextFireAfter(all, from); t !== null && t <= now; t = nextFireAfter(all, t)) expected.push(t);
          const a = dueFires(all, cursor, now, 0);
          expect(a.fire).toEqual(expected.slice(0, 10));
          expect(a.blocked).toBe(expected.length > 10);
          expect(dueFires(latest, cursor, now, 0).fire).toEqual(expected.slice(-1));
          expect(a.next).toBe(nextFireAfter(all, now));
          const onTime = expected.filter((t) => t > now - MISSED_AFTER_SECONDS);
          expect(dueFires({ ...all, catchUp: 'none' }, cursor, now, 0).fire).toEqual(onTime.slice(0, 10));
        },
      ),
      { numRuns: 150, seed: 8 },
    );
  });

  it('UTC and a zone that is UTC all year without being named so (Africa/Abidjan) fire at the same times', () => {
    fc.assert(
      fc.property(arbCron, arbTime, (expression, after) => {
        expect(fires(cron(expression, 'UTC'), after, 3)).toEqual(fires(cron(expression, 'Africa/Abidjan'), after, 3));
      }),
      { numRuns: 150, seed: 3 },
    );
  });
});
