/**
 * When a recurring run fires: its trigger (a cron expression in an IANA time zone, or a period in
 * seconds), its start and end, its maximum concurrency and its catch-up policy, read from what a
 * user writes (`parseSchedule`) and turned into fire times as pure functions of the instants they
 * are given (seconds since the epoch, like every time in the core; no clock is read here).
 *
 * KFP's rules, from its ScheduledWorkflow controller (backend/src/crd/controller/scheduledworkflow,
 * util/cron_schedule.go, util/periodic_schedule.go, util/scheduled_workflow.go) and its API server's
 * checks, and where gpupool departs from them:
 * - Cron is robfig/cron v1.2.0's language (`cron.Parse`): 6 fields with seconds first, as KFP
 *   writes them (`0 0 * * * *`), lists, ranges, steps (`*\/5`, `1-30/5`, and `5/15` for 5-59/15),
 *   names of months and days (JAN-DEC, SUN-SAT), `?` for `*`, and the descriptors @yearly,
 *   @annually, @monthly, @weekly, @daily, @midnight, @hourly and `@every <duration>` (a Go
 *   duration: `@every 1h30m`). Days of the week count from Sunday = 0. Where day of month and day
 *   of week are both restricted, either one matching is enough. gpupool also reads 5 fields, the
 *   usual crontab without seconds (minute first); robfig would read 5 fields as seconds first with
 *   no day of week, so a 5-field expression means something else to KFP's API.
 * - A cron fires at times strictly after the start (KFP: `schedule.Next(startTime)`); a periodic
 *   schedule first fires one interval after its start, then every interval. Both fire at the end
 *   time itself, never after it.
 * - `@every` is a period: KFP's robfig schedules it from the last fire (`last + d`), which is what a
 *   periodic schedule does too.
 * - Catch-up: KFP has `noCatchup` (false: every missed fire runs, in order; true: only the latest
 *   missed one). gpupool's `all` and `latest` are those two. `none` runs no missed fire at all: a
 *   fire is missed once it is MISSED_AFTER_SECONDS late, whether the server was down or every slot
 *   was taken (a due run waits for a slot while it is not missed). KFP's `noCatchup` on a periodic
 *   schedule fires at *now* and restarts its period from there; gpupool keeps the period's grid
 *   (start + k x interval) and runs the latest missed point on it, so run names stay on the grid.
 * - Disabled time is never backfilled: a schedule fires only after `enabledSince` (the cursor), so
 *   re-enabling it resumes from then (KFP would catch up from its last fire).
 * - Max concurrency is 1 to 10, KFP's bounds; a run due beyond it waits for a run to end.
 *
 * Daylight saving time. The cron library is croner (Vixie cron's rules), with one change to match
 * robfig, so KFP: a time that a spring-forward skips (02:30 in New York on the day clocks go from
 * 02:00 to 03:00) does not fire that day; croner would fire it once the clocks have moved, robfig
 * skips it. A time that a fall-back repeats fires once, at its first occurrence, when the
 * expression names one second of one minute of one hour (`0 30 1 * * *`): robfig would fire it
 * twice. An expression with a wildcard, step, list or range in its seconds, minutes or hours
 * (`0 *\/15 * * * *`) keeps its rhythm through the repeated hour and fires on both passes, as
 * robfig does. Time zones with half-hour shifts (Australia/Lord_Howe) follow the same rules.
 *
 * Time zones come from the runtime's ICU data (Intl), so a country changing its rules changes
 * fire times after a Node.js upgrade, as it would for any cron.
 */
import { Cron } from 'croner';
import { describeValue } from '../codec.js';
import type { Result } from '../result.js';

export const CATCH_UP_POLICIES = ['all', 'latest', 'none'] as const;
export type CatchUp = (typeof CATCH_UP_POLICIES)[number];

/** KFP's bounds on a recurring run's concurrent runs (api_converter.go). */
export const MIN_CONCURRENCY = 1;
export const MAX_CONCURRENCY = 10;
/** KFP's default maximum concurrency, and its default catch-up (`noCatchup` false). */
export const DEFAULT_MAX_CONCURRENCY = 1;
export const DEFAULT_CATCH_UP: CatchUp = 'all';
export const DEFAULT_TIME_ZONE = 'UTC';

/**
 * How late a fire may start and still count as on time under catch-up `none`. A host's timer
 * never fires at the exact second (a busy event loop, a leader changing hands): a minute's grace
 * keeps such a tick from skipping the run it was set for, while a schedule that was down for
 * longer runs nothing it missed.
 */
export const MISSED_AFTER_SECONDS = 60;

export type Trigger =
  /** A cron expression (5 or 6 fields, or a descriptor) read in an IANA time zone. */
  | { readonly kind: 'cron'; readonly expression: string; readonly timeZone: string }
  /** Every `intervalSeconds` (KFP's `intervalSecond`) from the start. */
  | { readonly kind: 'periodic'; readonly intervalSeconds: number };

export interface ScheduleSpec {
  readonly trigger: Trigger;
  /** No fire at or before it; null: from when the schedule is created or enabled. */
  readonly startTime: number | null;
  /** No fire after it; null: no end. */
  readonly endTime: number | null;
  /** At most this many of its runs at once (1-10); a due run beyond it waits. */
  readonly maxConcurrency: number;
  readonly catchUp: CatchUp;
}

/** A problem with a schedule, at the path of the field that has it. */
export interface ScheduleIssue {
  readonly path: string;
  readonly message: string;
}

export type ParsedSchedule = Result<ScheduleSpec, { readonly issues: ScheduleIssue[] }>;

// -- reading a schedule ----------------------------------------------------------------------------

type Obj = { [key: string]: unknown };
const isObj = (u: unknown): u is Obj => typeof u === 'object' && u !== null && !Array.isArray(u);
const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

const SCHEDULE_FIELDS = ['trigger', 'startTime', 'endTime', 'maxConcurrency', 'catchUp'];
const CRON_FIELDS = ['kind', 'expression', 'timeZone'];
const PERIODIC_FIELDS = ['kind', 'intervalSeconds'];

/**
 * Reads a schedule as a user writes it:
 * `{ trigger: { kind: 'cron', expression, timeZone? } | { kind: 'periodic', intervalSeconds },
 *    startTime?, endTime?, maxConcurrency?, catchUp? }`, times in seconds since the epoch.
 * Defaults: time zone UTC, no start or end, max concurrency 1, catch-up `all` (KFP's). Every
 * problem is reported at once, each at its path under `at`; unknown fields are refused, so that a
 * misspelt one (`catchup`, KFP's `noCatchup`) is not silently ignored.
 */
export function parseSchedule(u: unknown, at = 'schedule'): ParsedSchedule {
  const issues: ScheduleIssue[] = [];
  const issue = (path: string, message: string) => issues.push({ path, message });
  if (!isObj(u)) {
    issue(at, `must be an object with a trigger, got ${describeValue(u)}`);
    return { ok: false, issues };
  }
  unknownFields(u, SCHEDULE_FIELDS, at, issue);

  const trigger = readTrigger(u.trigger, join(at, 'trigger'), issue);
  const startTime = readTime(u.startTime, join(at, 'startTime'), issue);
  const endTime = readTime(u.endTime, join(at, 'endTime'), issue);
  if (typeof startTime === 'number' && typeof endTime === 'number' && endTime < startTime) {
    issue(join(at, 'endTime'), `must not be before startTime (${startTime}), got ${endTime}`);
  }

  let maxConcurrency: number | undefined = DEFAULT_MAX_CONCURRENCY;
  if (u.maxConcurrency !== undefined && u.maxConcurrency !== null) {
    const m = u.maxConcurrency;
    if (typeof m !== 'number' || !Number.isInteger(m) || m < MIN_CONCURRENCY || m > MAX_CONCURRENCY) {
      issue(
        join(at, 'maxConcurrency'),
        `must be an integer from ${MIN_CONCURRENCY} to ${MAX_CONCURRENCY}, got ${describeValue(m)}`,
      );
      maxConcurrency = undefined;
    } else maxConcurrency = m;
  }

  let catchUp: CatchUp | undefined = DEFAULT_CATCH_UP;
  if (u.catchUp !== undefined && u.catchUp !== null) {
    if ((CATCH_UP_POLICIES as readonly unknown[]).includes(u.catchUp)) catchUp = u.catchUp as CatchUp;
    else {
      issue(join(at, 'catchUp'), `must be one of ${CATCH_UP_POLICIES.join(', ')}, got ${describeValue(u.catchUp)}`);
      catchUp = undefined;
    }
  }

  if (
    issues.length > 0 ||
    trigger === undefined ||
    startTime === undefined ||
    endTime === undefined ||
    maxConcurrency === undefined ||
    catchUp === undefined
  ) {
    return { ok: false, issues };
  }
  return { ok: true, value: { trigger, startTime, endTime, maxConcurrency, catchUp } };
}

type Report = (path: string, message: string) => void;

function unknownFields(o: Obj, known: readonly string[], at: string, issue: Report): void {
  for (const k of Object.keys(o)) {
    if (!known.includes(k)) issue(join(at, k), `not a field here (known: ${known.join(', ')})`);
  }
}

/** A time in whole seconds since the epoch; null when absent; undefined when malformed (reported). */
function readTime(v: unknown, at: string, issue: Report): number | null | undefined {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  issue(at, `must be a time in whole seconds since the epoch, got ${describeValue(v)}`);
  return undefined;
}

function readTrigger(v: unknown, at: string, issue: Report): Trigger | undefined {
  if (v === undefined || v === null) {
    issue(at, 'must be specified');
    return undefined;
  }
  if (!isObj(v)) {
    issue(at, `must be an object, got ${describeValue(v)}`);
    return undefined;
  }
  if (v.kind === 'cron') {
    unknownFields(v, CRON_FIELDS, at, issue);
    const expression = typeof v.expression === 'string' ? v.expression.trim() : undefined;
    if (v.expression === undefined || v.expression === null) issue(join(at, 'expression'), 'must be specified');
    else if (expression === undefined) {
      issue(join(at, 'expression'), `must be a cron expression, got ${describeValue(v.expression)}`);
    }
    let timeZone: string | undefined = DEFAULT_TIME_ZONE;
    if (v.timeZone !== undefined && v.timeZone !== null) {
      const z = typeof v.timeZone === 'string' ? canonicalTimeZone(v.timeZone) : null;
      if (z === null) {
        issue(
          join(at, 'timeZone'),
          typeof v.timeZone === 'string'
            ? `unknown time zone ${JSON.stringify(v.timeZone)}: an IANA name, such as Europe/Berlin or UTC`
            : `must be an IANA time zone name, got ${describeValue(v.timeZone)}`,
        );
        timeZone = undefined;
      } else timeZone = z;
    }
    if (expression === undefined) return undefined;
    const checked = checkCron(expression);
    if (!checked.ok) {
      issue(join(at, 'expression'), checked.message);
      return undefined;
    }
    if (timeZone === undefined) return undefined;
    if (checked.everySeconds === null && cronAfter(compiledCron(expression, timeZone), 0) === null) {
      issue(join(at, 'expression'), `${JSON.stringify(expression)} never fires: it names no date that exists`);
      return undefined;
    }
    return { kind: 'cron', expression, timeZone };
  }
  if (v.kind === 'periodic') {
    unknownFields(v, PERIODIC_FIELDS, at, issue);
    const s = v.intervalSeconds;
    if (s === undefined || s === null) {
      issue(join(at, 'intervalSeconds'), 'must be specified');
      return undefined;
    }
    if (typeof s !== 'number' || !Number.isSafeInteger(s) || s < 1) {
      issue(join(at, 'intervalSeconds'), `must be a whole number of seconds, at least 1, got ${describeValue(s)}`);
      return undefined;
    }
    return { kind: 'periodic', intervalSeconds: s };
  }
  issue(join(at, 'kind'), `must be cron or periodic, got ${describeValue(v.kind)}`);
  return undefined;
}

/** The runtime's name for an IANA time zone (its case, `UTC` for its aliases), or null when unknown. */
function canonicalTimeZone(name: string): string | null {
  // Intl also reads UTC offsets (+05:30) on newer runtimes: an offset is not a zone (no DST rules).
  if (name.trim() === '' || /^[+-]/.test(name.trim())) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name.trim() }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

// -- cron expressions ------------------------------------------------------------------------------

/** robfig's descriptors, as 6-field expressions (spec.go's parseDescriptor). */
const DESCRIPTORS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 0 1 1 *',
  '@annually': '0 0 0 1 1 *',
  '@monthly': '0 0 0 1 * *',
  '@weekly': '0 0 0 * * 0',
  '@daily': '0 0 0 * * *',
  '@midnight': '0 0 0 * * *',
  '@hourly': '0 0 * * * *',
};
const EVERY = '@every ';

const FIELD_NAMES = ['second', 'minute', 'hour', 'day of month', 'month', 'day of week'] as const;
const FIELD_VALUES = ['0-59', '0-59', '0-23', '1-31', '1-12 or JAN-DEC', '0-6 (Sunday = 0) or SUN-SAT'] as const;
/**
 * One item of a field's list: robfig's grammar (`*`, `?`, a number or a name, a range, a step).
 * It keeps out croner's extensions that robfig refuses (L, W, #, +), so that gpupool accepts no
 * expression KFP would not.
 */
const ITEM = /^(\*|\?|\d+|[a-z]{3})(-(\d+|[a-z]{3}))?(\/\d+)?$/i;

type CheckedCron =
  | { readonly ok: true; readonly pattern: string; readonly everySeconds: null }
  | { readonly ok: true; readonly pattern: null; readonly everySeconds: number }
  | { readonly ok: false; readonly message: string };

/** A cron expression as 6 fields (or an @every period), or what is wrong with it, naming the field. */
function checkCron(expression: string): CheckedCron {
  if (expression === '') return { ok: false, message: 'must be a cron expression, got an empty string' };
  if (expression.startsWith('@')) {
    const lower = expression.toLowerCase();
    if (lower.startsWith(EVERY)) {
      const seconds = goDurationSeconds(expression.slice(EVERY.length).trim());
      return typeof seconds === 'number'
        ? { ok: true, pattern: null, everySeconds: seconds }
        : { ok: false, message: `${JSON.stringify(expression)}: ${seconds.error}` };
    }
    const pattern = DESCRIPTORS[lower];
    if (pattern !== undefined) return { ok: true, pattern, everySeconds: null };
    return {
      ok: false,
      message: `unknown descriptor ${JSON.stringify(expression)}: one of ${Object.keys(DESCRIPTORS).join(', ')}, @every <duration>`,
    };
  }
  const written = expression.split(/\s+/);
  if (written.length !== 5 && written.length !== 6) {
    return {
      ok: false,
      message: `${JSON.stringify(expression)} has ${written.length} field${written.length === 1 ? '' : 's'}: a cron expression has 5 (minute hour day-of-month month day-of-week) or 6 (seconds first, as KFP writes them)`,
    };
  }
  const fields = written.length === 5 ? ['0', ...written] : written;
  const offset = written.length === 5 ? 1 : 0;
  for (let i = 0; i < 6; i++) {
    const field = fields[i] as string;
    const ok = field.split(',').every((item) => ITEM.test(item)) && fieldParses(i, field);
    if (!ok) {
      return {
        ok: false,
        message: `the ${FIELD_NAMES[i]} field (field ${i + 1 - offset} of ${written.length}) ${JSON.stringify(field)} is not valid: values ${FIELD_VALUES[i]}, as a list (,), ranges (-), steps (/), * or ?`,
      };
    }
  }
  const pattern = fields.join(' ');
  try {
    new Cron(pattern, CRON_CHECK_OPTIONS);
  } catch (e) {
    return { ok: false, message: `${JSON.stringify(expression)} is not valid: ${(e as Error).message}` };
  }
  return { ok: true, pattern, everySeconds: null };
}

const CRON_CHECK_OPTIONS = { paused: true, mode: '6-part', sloppyRanges: true, utcOffset: 0 } as const;

/** Whether croner reads field `i` alone (the others wildcards): so an error names its field. */
function fieldParses(i: number, field: string): boolean {
  const probe = ['*', '*', '*', '*', '*', '*'];
  probe[i] = field;
  try {
    new Cron(probe.join(' '), CRON_CHECK_OPTIONS);
    return true;
  } catch {
    return false;
  }
}

const GO_UNITS: Readonly<Record<string, number>> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  μs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

/**
 * A Go duration (`1h30m`, `90s`, `1.5h`: what robfig's `@every` reads with time.ParseDuration)
 * in seconds. Fire times are whole seconds, so a period must be one: robfig would round `1500ms`
 * down to a second without saying so; gpupool asks.
 */
function goDurationSeconds(text: string): number | { error: string } {
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  if (text === '') return { error: 'names no duration: write one such as 1h30m, 90s or 2h' };
  let total = 0;
  let i = 0;
  while (i < text.length) {
    part.lastIndex = i;
    const m = part.exec(text);
    if (m === null) return { error: `${JSON.stringify(text)} is not a duration: write one such as 1h30m, 90s or 2h` };
    total += Number(m[1]) * (GO_UNITS[m[2] as string] as number);
    i = part.lastIndex;
  }
  const seconds = Math.round(total * 1e6) / 1e6;
  if (!Number.isSafeInteger(seconds) || seconds < 1) {
    return { error: `the period must be a whole number of seconds, at least 1s, got ${JSON.stringify(text)}` };
  }
  return seconds;
}

// -- fire times ------------------------------------------------------------------------------------

interface CompiledCron {
  readonly kind: 'cron';
  readonly cron: Cron;
  /**
   * One second, one minute and one hour: croner moves such a time out of a spring-forward gap,
   * which robfig does not (its results are checked against the expression).
   */
  readonly fixedTime: boolean;
  /** The latest answers, by the instant asked about: schedules sharing an expression share them. */
  readonly nextMemo: Map<number, number | null>;
  readonly previousMemo: Map<number, number | null>;
}
type Compiled = CompiledCron | { readonly kind: 'every'; readonly seconds: number };

/**
 * Compiled triggers by time zone and expression. A memo only: every answer is what compiling
 * again would give, so the functions below stay pure. Bounded, and emptied when full.
 */
const compiledCache = new Map<string, CompiledCron>();
const COMPILED_CACHE_MAX = 20_000;
const MEMO_MAX = 8;
/** Zones that are UTC all year: croner computes them without a time zone's rules, five times faster. */
const UTC_NAMES = new Set(['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT', 'Etc/Universal', 'Etc/Zulu', 'Etc/UCT', 'UCT', 'Zulu']);

function compiledCron(expression: string, timeZone: string): CompiledCron {
  const key = `${timeZone}\u0000${expression}`;
  const hit = compiledCache.get(key);
  if (hit !== undefined) return hit;
  const checked = checkCron(expression);
  if (!checked.ok || checked.pattern === null) throw new Error(`not a cron pattern: ${expression}`);
  const cron = new Cron(checked.pattern, {
    paused: true,
    mode: '6-part',
    sloppyRanges: true,
    ...(UTC_NAMES.has(timeZone) ? { utcOffset: 0 } : { timezone: timeZone }),
  });
  const [second, minute, hour] = checked.pattern.split(' ') as [string, string, string];
  const fixedTime = [second, minute, hour].every((f) => /^\d+$/.test(f)) && !UTC_NAMES.has(timeZone);
  const compiled: CompiledCron = { kind: 'cron', cron, fixedTime, nextMemo: new Map(), previousMemo: new Map() };
  if (compiledCache.size >= COMPILED_CACHE_MAX) compiledCache.clear();
  compiledCache.set(key, compiled);
  return compiled;
}

/** Each trigger object's compiled form: a tick looks it up without building a key. A memo too. */
const compiledByTrigger = new WeakMap<Trigger, Compiled>();

function compile(trigger: Trigger): Compiled {
  const hit = compiledByTrigger.get(trigger);
  if (hit !== undefined) return hit;
  let compiled: Compiled;
  if (trigger.kind === 'periodic') compiled = { kind: 'every', seconds: trigger.intervalSeconds };
  else if (trigger.expression.toLowerCase().startsWith(EVERY)) {
    const checked = checkCron(trigger.expression);
    if (!checked.ok || checked.everySeconds === null) throw new Error(`not an @every period: ${trigger.expression}`);
    compiled = { kind: 'every', seconds: checked.everySeconds };
  } else compiled = compiledCron(trigger.expression, trigger.timeZone);
  compiledByTrigger.set(trigger, compiled);
  return compiled;
}

/** Keeps an answer, forgetting the oldest beyond MEMO_MAX (a Map iterates in insertion order). */
function remember(memo: Map<number, number | null>, key: number, value: number | null): void {
  if (memo.size >= MEMO_MAX) memo.delete(memo.keys().next().value as number);
  memo.set(key, value);
}

/** The first time the cron fires strictly after `after` (seconds), or null when it never does again. */
function cronAfter(c: CompiledCron, after: number): number | null {
  const memo = c.nextMemo.get(after);
  if (memo !== undefined) return memo;
  let d = c.cron.nextRun(new Date(after * 1000));
  // A fixed time croner moved out of a spring-forward gap is not one robfig fires: skip it.
  while (d !== null && c.fixedTime && !c.cron.match(d)) d = c.cron.nextRun(d);
  const next = d === null ? null : d.getTime() / 1000;
  remember(c.nextMemo, after, next);
  return next;
}

/** The last time the cron fires at or before `t`, or null when it never did. */
function cronAtOrBefore(c: CompiledCron, t: number): number | null {
  const memo = c.previousMemo.get(t);
  if (memo !== undefined) return memo;
  // previousRuns is strictly before its reference; fire times are whole seconds.
  let d: Date | null = c.cron.previousRuns(1, new Date((Math.floor(t) + 1) * 1000))[0] ?? null;
  while (d !== null && c.fixedTime && !c.cron.match(d)) d = c.cron.previousRuns(1, d)[0] ?? null;
  const previous = d === null ? null : d.getTime() / 1000;
  remember(c.previousMemo, t, previous);
  return previous;
}

/** The first point anchor + k x step (k >= 1) strictly after `after`. */
function gridAfter(anchor: number, step: number, after: number): number {
  if (after < anchor + step) return anchor + step;
  return anchor + (Math.floor((after - anchor) / step) + 1) * step;
}

/** The last point anchor + k x step (k >= 1) at or before `t`, or null. */
function gridAtOrBefore(anchor: number, step: number, t: number): number | null {
  if (t < anchor + step) return null;
  return anchor + Math.floor((t - anchor) / step) * step;
}

/**
 * The first fire strictly after `after`, after the start and not after the end. A period's grid
 * starts at `anchor` (the start time when there is one).
 */
function nextFire(spec: ScheduleSpec, c: Compiled, after: number, anchor: number): number | null {
  const from = spec.startTime === null ? after : Math.max(after, spec.startTime);
  const t = c.kind === 'every' ? gridAfter(anchor, c.seconds, from) : cronAfter(c, from);
  return t === null || (spec.endTime !== null && t > spec.endTime) ? null : t;
}

/**
 * Fires a tick steps through forward from the cursor before it searches from `now` instead: one
 * or two on time, more only after a downtime.
 */
const LATEST_FORWARD_STEPS = 3;

/** The last fire at or before `t` and strictly after `after` (and the start), or null. */
function latestFire(spec: ScheduleSpec, c: Compiled, after: number, t: number, anchor: number): number | null {
  const hi = spec.endTime === null ? t : Math.min(t, spec.endTime);
  if (c.kind === 'cron') {
    // On time, one fire is due: stepping forward from the cursor finds it with the answers the
    // tick computes anyway (memoised), where a search backwards would cost as much again.
    let last: number | null = null;
    let f = nextFire(spec, c, after, anchor);
    for (let i = 0; i < LATEST_FORWARD_STEPS && f !== null && f <= hi; i++) {
      last = f;
      f = nextFire(spec, c, f, anchor);
    }
    if (f === null || f > hi) return last;
  }
  const f = c.kind === 'every' ? gridAtOrBefore(anchor, c.seconds, hi) : cronAtOrBefore(c, hi);
  if (f === null || f <= after || (spec.startTime !== null && f <= spec.startTime)) return null;
  return f;
}

/**
 * The schedule's first fire time strictly after `after`, within its start and end; null when it
 * fires no more. A periodic schedule's fires are start + k x interval; without a start, `after`
 * is taken as the last fire (KFP: the next fire is the last plus the interval).
 */
export function nextFireAfter(spec: ScheduleSpec, after: number): number | null {
  return nextFire(spec, compile(spec.trigger), after, spec.startTime ?? after);
}

/** Where a recurring run stands: what its fires are counted from. */
export interface ScheduleCursor {
  /** When it was created or last enabled: it never fires for a time at or before this. */
  readonly enabledSince: number;
  /** The scheduled time of the last run it started, or null before its first. */
  readonly lastScheduled: number | null;
}

export interface DueFires {
  /** Scheduled times to start a run for now, earliest first (at most the free slots). */
  readonly fire: number[];
  /** A due fire waits for a run to end (max concurrency): evaluate again when one does. */
  readonly blocked: boolean;
  /** The first fire time strictly after `now`: when to wake next; null when it fires no more. */
  readonly next: number | null;
}

/**
 * What a recurring run starts at `now`, with `running` of its runs not yet ended, and when it
 * next needs a wake-up. The due fires are those after the cursor (its last fire, and the time it
 * was enabled) and at or before `now`:
 * - `all`: every one, earliest first, as many as there are free slots; the rest wait;
 * - `latest`: only the latest (the earlier ones are skipped), when a slot is free;
 * - `none`: only those less than MISSED_AFTER_SECONDS late; the missed ones are skipped.
 * The caller records the last fired time as the cursor's `lastScheduled` (a skipped fire lies
 * before it, so it is never due again) and upserts `next` into the due index.
 */
export function dueFires(spec: ScheduleSpec, cursor: ScheduleCursor, now: number, running: number): DueFires {
  const c = compile(spec.trigger);
  const from = cursor.lastScheduled === null ? cursor.enabledSince : Math.max(cursor.enabledSince, cursor.lastScheduled);
  // A period's grid: from its start, else from its last fire or when it was enabled, whichever is
  // later (re-enabled, it fires one interval after). So the first due fire is nextFireAfter(spec, from).
  const anchor = spec.startTime ?? from;
  const slots = Math.max(0, spec.maxConcurrency - running);
  const next = nextFire(spec, c, Math.max(from, now), anchor);

  if (spec.catchUp === 'latest') {
    const latest = latestFire(spec, c, from, now, anchor);
    if (latest === null) return { fire: [], blocked: false, next };
    return slots > 0 ? { fire: [latest], blocked: false, next } : { fire: [], blocked: true, next };
  }
  // `all` counts from the cursor; `none` skips the fires that are missed. Stepping forward from the
  // cursor reuses the answers of the tick before (memoised); after a long downtime it jumps.
  const missedUpTo = spec.catchUp === 'all' ? Number.NEGATIVE_INFINITY : now - MISSED_AFTER_SECONDS;
  let t = nextFire(spec, c, from, anchor);
  for (let skipped = 0; t !== null && t <= missedUpTo; skipped++) {
    t = skipped < LATEST_FORWARD_STEPS ? nextFire(spec, c, t, anchor) : nextFire(spec, c, missedUpTo, anchor);
  }
  const fire: number[] = [];
  while (t !== null && t <= now && fire.length < slots) {
    fire.push(t);
    t = nextFire(spec, c, t, anchor);
  }
  return { fire, blocked: t !== null && t <= now, next };
}

/**
 * A run's name from its recurring run's and its scheduled time: `<name>-<YYYYMMDDHHmmss>` in UTC,
 * the format KFP gives `[[ScheduledTime]]` (its workflows are named by a counter and a hash
 * instead, which depends on history; a name from the scheduled time is the same in every replay
 * and says which fire it was).
 */
export function runNameOf(recurringRunName: string, scheduledTime: number): string {
  const d = new Date(Math.floor(scheduledTime) * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  const stamp = `${String(d.getUTCFullYear()).padStart(4, '0')}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`;
  return `${recurringRunName}-${stamp}`;
}
