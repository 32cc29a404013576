/**
 * The web dashboard's performance, in Debian's chromium (headless, playwright-core) against
 * `gpupool serve` in a child process on loopback (SQLite, the realtime runtime; the compiled
 * package, dist/, which serves the built dashboard, dist/web):
 *
 * - first load: the bytes of JavaScript and CSS the page loads, gzip -9 and brotli (the server
 *   does not compress), and the time from navigation to the first job row on screen (signed in
 *   with a token already in sessionStorage, `/#/jobs`, a fresh browser context each load, so
 *   nothing is cached), with 100 jobs in the store and with 10,000;
 * - scrolling 10,000 jobs: the list fully loaded, then scrolled a screenful at a time: the
 *   script, style and layout of each screenful (the scroll event's render is synchronous), and
 *   the frame times while a screenful is scrolled every frame, with the frame rate uncapped
 *   (`--disable-frame-rate-limit`), so a frame lasts as long as its work, not a vsync;
 * - 500 events a second: the jobs page open on those 10,000 jobs while notebooks are submitted at
 *   a steady rate for 10 s (about 500 events/s with the runtime's reports). The server tells its
 *   revision as it moves; the page's time-travel control shows the latest revision it has seen,
 *   and the jobs list its count. The lag is how long the page has been missing the oldest event
 *   (or job) it does not show yet, sampled every 100 ms; the main thread's busy fraction is the
 *   renderer's task time (DevTools `Performance.getMetrics`) over the wall time.
 *
 * Run by bench/run.ts (`npm run bench -- dashboard`). This module is also the server's child
 * process (`--dashboard-server`).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const DASHBOARD = {
  jobs: Number(process.env.GPUPOOL_BENCH_DASHBOARD_JOBS ?? 10_000),
  fewJobs: 100,
  loads: 5,
  eventsPerSecond: 500,
  streamSeconds: 10,
  warmupSeconds: 2,
  scrollSteps: 300,
  viewport: { width: 1280, height: 800 },
};

export interface DashboardRun {
  assets: { files: string[]; rawBytes: number; gzipBytes: number; brotliBytes: number; encoding: string };
  /** Every JS/CSS file the page fetched in its first load (lazy chunks included). */
  loadedFiles: number;
  firstRowFewMs: number;
  firstRowManyMs: number;
  scroll: {
    rows: number;
    steps: number;
    workP50Ms: number;
    workP95Ms: number;
    frameP50Ms: number;
    frameP95Ms: number;
    longFrames: number;
  };
  stream: {
    eventsPerSecond: number;
    jobsSubmitted: number;
    revisionLagP50Ms: number;
    revisionLagMaxMs: number;
    revisionLagEndMs: number;
    listLagP50Ms: number;
    listLagMaxMs: number;
    listLagEndMs: number;
    busyFraction: number;
  };
}

const here = dirname(fileURLToPath(import.meta.url));

/** The project's root: the folder above this file (source or compiled) with the package.json. */
function projectRoot(): string {
  for (let dir = here; dir !== dirname(dir); dir = dirname(dir)) if (existsSync(join(dir, 'package.json'))) return dir;
  throw new Error('dashboard bench: no package.json above bench/');
}

const CLUSTER_YAML = `nodes:\n${[1, 2, 3, 4].map((n) => `  - id: a100-${n}\n    gpus: { type: A100, count: 8 }`).join('\n')}\n`;

// -- the server, in a child process ------------------------------------------------------------------

/**
 * The child: the compiled package's `serve()` (dist/app/serve.js, which finds the built dashboard
 * beside it; the bench's own compiled copy has none), reporting its revision to the parent every
 * 5 ms while it moves, stamped with the wall clock, so the parent knows when each event landed.
 */
async function serverChild(file: string, cluster: string): Promise<void> {
  const distServe = pathToFileURL(join(projectRoot(), 'dist', 'app', 'serve.js')).href;
  const { serve } = (await import(distServe)) as typeof import('../app/serve.js');
  const served = await serve({ port: 0, host: '127.0.0.1', store: file, cluster, launchDelaySeconds: 2, stopDelaySeconds: 1 });
  if (!served.bootstrapToken) throw new Error('dashboard bench child: the store was not fresh');
  const send = (m: unknown) => (process.send as (m: unknown) => boolean)(m);
  send({ type: 'ready', url: served.url, token: served.bootstrapToken.token });
  let last = -1;
  const tick = setInterval(() => {
    const revision = served.engine.revision;
    if (revision !== last) send({ type: 'revision', revision: (last = revision), at: Date.now() });
  }, 5);
  process.on('message', (m: { type?: string }) => {
    if (m?.type !== 'close') return;
    clearInterval(tick);
    void served.close().then(() => process.disconnect());
  });
}

if (process.argv[2] === '--dashboard-server') await serverChild(process.argv[3] as string, process.argv[4] as string);

interface Server {
  url: string;
  token: string;
  /** The server's revision over time, as it reported it: [wall-clock ms, revision], in order. */
  timeline: [number, number][];
  close(): Promise<void>;
}

async function startServer(dir: string): Promise<Server> {
  const cluster = join(dir, 'cluster.yaml');
  writeFileSync(cluster, CLUSTER_YAML);
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--dashboard-server', join(dir, 'web.db'), cluster], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const timeline: [number, number][] = [];
  child.on('message', (m: { type?: string; revision?: number; at?: number }) => {
    if (m.type === 'revision') timeline.push([m.at as number, m.revision as number]);
  });
  const ready = await new Promise<{ url: string; token: string }>((resolve, reject) => {
    child.on('message', (m: { type?: string; url?: string; token?: string }) => {
      if (m.type === 'ready') resolve({ url: m.url as string, token: m.token as string });
    });
    child.once('exit', (code) => reject(new Error(`dashboard bench: the server exited (${code}) before it was ready`)));
  });
  return {
    ...ready,
    timeline,
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'close' });
      await exited;
    },
  };
}

async function call(s: { url: string }, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(s.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`dashboard bench: ${method} ${path} answered ${res.status}: ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}

/** A group with a pool of the four nodes and one data scientist; their token. */
async function onboard(s: Server): Promise<string> {
  await call(s, s.token, 'POST', '/api/v1/pools', { poolId: 'team', name: 'team', gpuType: 'A100' });
  await call(s, s.token, 'POST', '/api/v1/pools/team/allocations', { count: 32 });
  await call(s, s.token, 'POST', '/api/v1/groups', { groupId: 'team', name: 'team' });
  await call(s, s.token, 'PUT', '/api/v1/groups/team/pool', { poolId: 'team' });
  await call(s, s.token, 'POST', '/api/v1/users', { userId: 'nina', name: 'Nina', role: 'data-scientist', groupId: 'team' });
  return (await call(s, s.token, 'POST', '/api/v1/users/nina/tokens', {})).token;
}

/** Submit `n` 0-GPU notebooks (none waits), 100 at a time. */
async function submit(s: Server, token: string, from: number, n: number): Promise<void> {
  for (let i = 0; i < n; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, n - i) }, (_, k) =>
        call(s, token, 'POST', '/api/v1/jobs', { jobId: `nb-${from + i + k}`, kind: 'notebook', gpus: 0, tags: ['bench'] }),
      ),
    );
  }
}

/** Submit one 0-GPU notebook; the revision the server answered with (x-revision). */
async function submitOne(s: Server, token: string, id: number): Promise<number> {
  const res = await fetch(`${s.url}/api/v1/jobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ jobId: `nb-${id}`, kind: 'notebook', gpus: 0, tags: ['bench'] }),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`dashboard bench: POST /api/v1/jobs answered ${res.status}: ${text}`);
  return Number(res.headers.get('x-revision'));
}

/** Wait until the server's revision has not moved for `quietMs` (the runtime's reports landed). */
async function settle(s: Server, quietMs = 1000): Promise<number> {
  for (;;) {
    const before = s.timeline.at(-1)?.[1];
    await sleep(quietMs);
    if (s.timeline.at(-1)?.[1] === before) return before ?? -1;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
}

// -- the browser -----------------------------------------------------------------------------------

async function launch(extra: string[] = []): Promise<Browser> {
  const path = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
    (p): p is string => typeof p === 'string' && p !== '' && existsSync(p),
  );
  if (!path) throw new Error('dashboard bench: chromium is not installed (apt-get install chromium)');
  return chromium.launch({ executablePath: path, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', ...extra] });
}

// The browser's side is written as source text, or typed through `InPage`: the project's
// type-checking knows Node, not the DOM. (Predicates given as text would be evaluated with eval,
// which the page's content security policy forbids.)

/** What the functions run in the page read of it. */
interface InPage {
  __firstRowFrame?: number;
  __seen?: [number, number, number][];
  document: { querySelector(selector: string): { textContent: string | null } | null };
}

/** Records when the first job row is in the page (__firstRow) and when the frame after it has run (__firstRowFrame). */
const FIRST_ROW = `new MutationObserver((_, observer) => {
  if (window.__firstRow !== undefined || !document.querySelector('.job-table tbody tr:not(.spacer)')) return;
  window.__firstRow = performance.now();
  requestAnimationFrame(() => setTimeout(() => (window.__firstRowFrame = performance.now())));
  observer.disconnect();
}).observe(document, { childList: true, subtree: true });`;

/**
 * Scroll the jobs list a screenful at a time, `steps` times, twice. First the work of a
 * screenful: the scroll event (the list renders synchronously in it), then style and layout of
 * the new rows, forced here; a frame between steps paints it. Then a screenful scrolled in every
 * frame, from the top again: each frame's length (from one animation frame to the next) is its
 * whole work, script, style, layout and paint, when the frame rate is not capped.
 */
const SCROLL = `async (steps) => {
  const box = document.querySelector('.job-scroll');
  const tbody = box.querySelector('tbody');
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())));
  const rows = box.querySelectorAll('tbody tr:not(.spacer)').length;
  const long = [];
  const observer = new PerformanceObserver((l) => long.push(...l.getEntries()));
  observer.observe({ type: 'long-animation-frame', buffered: false });
  const work = [];
  box.scrollTop = 0;
  await frame();
  for (let k = 0; k < steps; k++) {
    const t0 = performance.now();
    box.scrollTop += box.clientHeight;
    box.dispatchEvent(new Event('scroll'));
    void tbody.getBoundingClientRect().height;
    void tbody.lastElementChild?.offsetTop;
    work.push(performance.now() - t0);
    await frame();
  }
  box.scrollTop = 0;
  await frame();
  await frame();
  const frames = [];
  let last = await frame();
  for (let k = 0; k < steps; k++) {
    box.scrollTop += box.clientHeight;
    const now = await frame();
    frames.push(now - last);
    last = now;
  }
  observer.disconnect();
  return { rows, work, frames, longFrames: long.length };
}`;

/**
 * Records, as they change, the latest revision the time-travel control shows ("n / latest") and
 * the count the jobs list shows ("N jobs", or "n of N jobs loaded…"), with the wall clock.
 */
const WATCH = `(() => {
  window.__seen = [];
  const read = () => {
    const out = document.querySelector('output[for="time-travel-revision"]')?.textContent ?? '';
    const latest = Number(/\\/\\s*(\\d+)/.exec(out)?.[1] ?? -1);
    const text = document.querySelector('main p[aria-live]')?.textContent ?? '';
    const count = Number(/(\\d+) jobs/.exec(text)?.[1] ?? -1);
    const prev = window.__seen.at(-1);
    if (!prev || prev[1] !== latest || prev[2] !== count) window.__seen.push([performance.timeOrigin + performance.now(), latest, count]);
  };
  read();
  new MutationObserver(read).observe(document.body, { childList: true, subtree: true, characterData: true });
})()`;

/**
 * A fresh context (nothing cached) signed in as `token` (the key web/src/store/session.tsx reads),
 * recording when the first job row is in the page and when the frame after it runs. Any console
 * error or uncaught exception fails the run: a page that broke measures nothing.
 */
async function signedInPage(browser: Browser, token: string): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: DASHBOARD.viewport });
  await context.addInitScript({ content: `sessionStorage.setItem('gpupool.token', ${JSON.stringify(token)});\n${FIRST_ROW}` });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return { context, page, errors };
}

/** The page's JavaScript and CSS as index.html names them, raw, gzip -9 and brotli (quality 11). */
async function assetSizes(s: Server): Promise<DashboardRun['assets']> {
  const html = await (await fetch(s.url)).text();
  const files = [...html.matchAll(/(?:src|href)="\.?\/?(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1] as string);
  let rawBytes = 0;
  let gzipBytes = 0;
  let brotliBytes = 0;
  let encoding = 'identity';
  for (const f of files) {
    const res = await fetch(`${s.url}/${f}`, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    encoding = res.headers.get('content-encoding') ?? encoding;
    // The file as built (fetch would undo a compression the server applied).
    const body = readFileSync(join(projectRoot(), 'dist', 'web', f));
    rawBytes += body.length;
    gzipBytes += gzipSync(body, { level: 9 }).length;
    brotliBytes += brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    await res.arrayBuffer();
  }
  return { files, rawBytes, gzipBytes, brotliBytes, encoding };
}

/** Navigation to the first job row, median of several cold loads; and the files the first load fetched. */
async function firstLoads(browser: Browser, s: Server, token: string): Promise<{ ms: number; files: number }> {
  const times: number[] = [];
  let files = 0;
  for (let k = 0; k < DASHBOARD.loads; k++) {
    const { context, page, errors } = await signedInPage(browser, token);
    const fetched = new Set<string>();
    page.on('response', (r) => {
      if (/\/assets\/.+\.(js|css)$/.test(r.url())) fetched.add(r.url());
    });
    await page.goto(`${s.url}/#/jobs`);
    await page.waitForFunction(() => (globalThis as unknown as InPage).__firstRowFrame !== undefined, null, {
      timeout: 30_000,
      polling: 50,
    });
    times.push((await page.evaluate('window.__firstRowFrame')) as number);
    files = fetched.size;
    if (errors.length > 0) throw new Error(`dashboard bench: the page logged errors: ${errors.join('; ')}`);
    await context.close();
  }
  return { ms: quantile(times, 0.5), files };
}

/** Open the jobs list and wait until all `jobs` are loaded. */
async function openFullList(browser: Browser, s: Server, token: string, jobs: number) {
  const opened = await signedInPage(browser, token);
  await opened.page.goto(`${s.url}/#/jobs`);
  await opened.page.waitForFunction(
    (n) => (globalThis as unknown as InPage).document.querySelector('main p[aria-live]')?.textContent === `${n} jobs`,
    jobs,
    { timeout: 120_000, polling: 100 },
  );
  return opened;
}

async function scrolling(browser: Browser, s: Server, token: string): Promise<DashboardRun['scroll']> {
  const { context, page, errors } = await openFullList(browser, s, token, DASHBOARD.jobs);
  // GPUPOOL_BENCH_DASHBOARD_PROF=<file>: a CPU profile of the page while it scrolls, and the
  // renderer's time by kind (script, style, layout, all tasks) printed.
  const prof = process.env.GPUPOOL_BENCH_DASHBOARD_PROF;
  const cdp = prof ? await context.newCDPSession(page) : null;
  const metrics = async () =>
    Object.fromEntries(
      ((await cdp?.send('Performance.getMetrics'))?.metrics ?? []).map((m: { name: string; value: number }) => [m.name, m.value]),
    ) as Record<string, number>;
  if (cdp) {
    await cdp.send('Performance.enable');
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    await cdp.send('Profiler.start');
  }
  const before = await metrics();
  const figures = (await page.evaluate(`(${SCROLL})(${DASHBOARD.scrollSteps})`)) as {
    rows: number;
    work: number[];
    frames: number[];
    longFrames: number;
  };
  if (cdp && prof) {
    const after = await metrics();
    const { profile } = await cdp.send('Profiler.stop');
    writeFileSync(prof, JSON.stringify(profile));
    const ms = (k: string) => Math.round(((after[k] ?? 0) - (before[k] ?? 0)) * 1000);
    console.log(
      `  scrolling, the renderer's main thread: tasks ${ms('TaskDuration')} ms, script ${ms('ScriptDuration')} ms, style ${ms('RecalcStyleDuration')} ms, layout ${ms('LayoutDuration')} ms; profile in ${prof}`,
    );
  }
  if (errors.length > 0) throw new Error(`dashboard bench: the page logged errors: ${errors.join('; ')}`);
  await context.close();
  return {
    rows: figures.rows,
    steps: figures.work.length,
    workP50Ms: quantile(figures.work, 0.5),
    workP95Ms: quantile(figures.work, 0.95),
    frameP50Ms: quantile(figures.frames, 0.5),
    frameP95Ms: quantile(figures.frames, 0.95),
    longFrames: figures.longFrames,
  };
}

/**
 * The stream under load: the jobs list open on all jobs, notebooks submitted at a steady rate (the
 * rate that makes `eventsPerSecond` with the runtime's reports, measured first) for a warm-up and
 * then the measured seconds. The page's revision (time-travel control) and list count are
 * recorded as they change, with the wall clock.
 */
async function stream(browser: Browser, s: Server, token: string, jobs: number): Promise<DashboardRun['stream']> {
  // Events per notebook (submitted, allocated, started by the runtime): from a small batch.
  const r0 = await settle(s, 500);
  await submit(s, token, jobs, 50);
  const eventsPerJob = ((await settle(s, 2_500)) - r0) / 50;
  jobs += 50;
  const { context, page, errors } = await openFullList(browser, s, token, jobs);
  await page.evaluate(WATCH);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const taskTime = async () => {
    const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
    return metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0;
  };

  const perSecond = DASHBOARD.eventsPerSecond / eventsPerJob;
  // The revision each measured job's submission answered with (its events in the store).
  const landed: number[] = [];
  const run = async (seconds: number) => {
    const t0 = performance.now();
    let sent = 0;
    const inflight = new Set<Promise<unknown>>();
    while (performance.now() - t0 < seconds * 1000) {
      const due = Math.floor(((performance.now() - t0) / 1000) * perSecond);
      for (; sent < due; sent++) {
        const id = jobs++;
        const p = submitOne(s, token, id).then((revision) => {
          landed.push(revision);
          inflight.delete(p);
        });
        inflight.add(p);
      }
      await sleep(5);
    }
    await Promise.all(inflight);
  };
  await run(DASHBOARD.warmupSeconds);
  const base = jobs;
  landed.length = 0;
  const startAt = Date.now();
  const revStart = s.timeline.at(-1)?.[1] ?? 0;
  const busy0 = await taskTime();
  await run(DASHBOARD.streamSeconds);
  const stopAt = Date.now();
  const busy1 = await taskTime();
  const revStop = s.timeline.at(-1)?.[1] ?? 0;
  const submitted = jobs - base;
  // The runtime reports the last notebooks started two seconds later; then the page catches up.
  const final = await settle(s, 2_500);
  await page.waitForFunction(
    ([rev, n]) => {
      const last = (globalThis as unknown as InPage).__seen?.at(-1);
      return last !== undefined && last[1] >= rev && last[2] >= n;
    },
    [final, jobs] as const,
    { timeout: 60_000, polling: 50 },
  );
  const seen = (await page.evaluate('window.__seen')) as [number, number, number][];
  if (errors.length > 0) throw new Error(`dashboard bench: the page logged errors: ${errors.join('; ')}`);
  await context.close();

  // When the server reached each revision, and when each job was acknowledged, in order.
  const reached = (rev: number) => s.timeline.find(([, r]) => r >= rev)?.[0] ?? Number.POSITIVE_INFINITY;
  // When each job landed on the server (its submission's revision reached), in order.
  const acked = landed.map(reached).sort((a, b) => a - b);
  const shownAt = (t: number) => {
    let last: [number, number, number] | undefined;
    for (const x of seen) {
      if (x[0] > t) break;
      last = x;
    }
    return last ?? [t, -1, -1];
  };
  // At each sample time, how long the page has been missing the oldest event (job) it does not show.
  const revisionLag: number[] = [];
  const listLag: number[] = [];
  const ages = (t: number) => {
    const [, rev, count] = shownAt(t);
    const serverRev = [...s.timeline].reverse().find(([at]) => at <= t)?.[1] ?? -1;
    const revLag = rev >= serverRev ? 0 : Math.max(0, t - reached(rev + 1));
    const missing = count - base; // jobs of the measured load the page counts
    const ackedBy = acked.filter((a) => a <= t).length;
    const listLagNow = missing >= ackedBy ? 0 : Math.max(0, t - (acked[Math.max(0, missing)] as number));
    return [revLag, listLagNow] as const;
  };
  for (let t = startAt + 100; t <= stopAt; t += 100) {
    const [a, b] = ages(t);
    revisionLag.push(a);
    listLag.push(b);
  }
  // At the end: from the last event (job) to the page showing it.
  const lastEventAt = reached(final);
  const revisionShownAt = seen.find((x) => x[1] >= final)?.[0] as number;
  const lastAckAt = acked.at(-1) as number;
  const listShownAt = seen.find((x) => x[2] >= jobs)?.[0] as number;
  return {
    eventsPerSecond: (revStop - revStart) / ((stopAt - startAt) / 1000),
    jobsSubmitted: submitted,
    revisionLagP50Ms: quantile(revisionLag, 0.5),
    revisionLagMaxMs: Math.max(...revisionLag),
    revisionLagEndMs: revisionShownAt - lastEventAt,
    listLagP50Ms: quantile(listLag, 0.5),
    listLagMaxMs: Math.max(...listLag),
    listLagEndMs: listShownAt - lastAckAt,
    busyFraction: (busy1 - busy0) / ((stopAt - startAt) / 1000),
  };
}

/** One repetition: a fresh server and SQLite file, a browser for the loads and the stream, one uncapped for scrolling. */
export async function dashboardRun(): Promise<DashboardRun> {
  const root = projectRoot();
  if (!existsSync(join(root, 'dist', 'web', 'index.html')) || !existsSync(join(root, 'dist', 'app', 'serve.js')))
    throw new Error('dashboard bench: build first (npm run build)');
  const dir = mkdtempSync(join(tmpdir(), 'gpupool-bench-dashboard-'));
  const server = await startServer(dir);
  const browser = await launch();
  try {
    const token = await onboard(server);
    const assets = await assetSizes(server);
    await submit(server, token, 0, DASHBOARD.fewJobs);
    await settle(server);
    const few = await firstLoads(browser, server, token);
    await submit(server, token, DASHBOARD.fewJobs, DASHBOARD.jobs - DASHBOARD.fewJobs);
    await settle(server, 2_500);
    const many = await firstLoads(browser, server, token);
    const uncapped = await launch(['--disable-frame-rate-limit', '--disable-gpu-vsync']);
    let scroll: DashboardRun['scroll'];
    try {
      scroll = await scrolling(uncapped, server, token);
    } finally {
      await uncapped.close();
    }
    const streamed = await stream(browser, server, token, DASHBOARD.jobs);
    return {
      assets,
      loadedFiles: few.files,
      firstRowFewMs: few.ms,
      firstRowManyMs: many.ms,
      scroll,
      stream: streamed,
    };
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
