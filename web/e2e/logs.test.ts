/**
 * A job's log in a real browser (Debian's chromium, playwright-core), where there is one:
 * `gpupool serve --kubernetes` against the fake API server and its kubelet simulator (the
 * simulated runtime runs no processes, and its jobs' pages say so). A data scientist opens a
 * two-worker training job's page while it trains and reads each worker's log, its pod's; once the
 * job has ended and its pods are deleted, the page says the log went with them. Axe-core passes, no
 * console error; a screenshot.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeCluster, startFakeCluster } from '../../adapters/k8s/test-support/cluster.js';
import { type Served, serve } from '../../app/serve.js';
import { browserGate, launch, openPage, scientistPages } from './browser.js';

const missing = browserGate();
const dir = mkdtempSync(join(tmpdir(), 'gpupool-logs-'));

let cluster: FakeCluster;
let served: Served;
let browser: Browser;
let operator: string;
let ana: string;

const { ok, signIn, go, accessible, shoot, badge } = scientistPages(() => served.url);

describe.skipIf(missing !== null)('a job’s log in a browser, on Kubernetes', () => {
  beforeAll(async () => {
    cluster = await startFakeCluster({ nodes: ['gpu-1', 'gpu-2'].map((name) => ({ name, gpus: 4, product: 'A100' })) });
    served = await serve({
      port: 0,
      store: join(dir, 'logs.db'),
      leaderLeaseSeconds: 1,
      kubernetes: { kubeconfig: cluster.kubeconfigPath, rateLimit: { qps: 1000, burst: 1000 } },
    });
    operator = served.bootstrapToken?.token as string;
    for (let tries = 0; (await ok(operator, 'GET', '/api/v1/nodes')).length < 2; tries++) {
      if (tries > 200) throw new Error('the fake cluster’s nodes were never registered');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await ok(operator, 'POST', '/api/v1/pools', { poolId: 'a100', name: 'a100', gpuType: 'A100' });
    await ok(operator, 'POST', '/api/v1/pools/a100/allocations', { count: 8 });
    await ok(operator, 'POST', '/api/v1/groups', { groupId: 'nlp', name: 'NLP' });
    await ok(operator, 'PUT', '/api/v1/groups/nlp/pool', { poolId: 'a100' });
    await ok(operator, 'POST', '/api/v1/users', { userId: 'ana', name: 'Ana', role: 'data-scientist', groupId: 'nlp' });
    ana = (await ok(operator, 'POST', '/api/v1/users/ana/tokens', {})).token;
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await served?.close();
    await cluster?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows each worker’s log while the job trains, and says it is gone once its pods are', async () => {
    const lines = Array.from({ length: 40 }, (_, i) => `epoch ${i + 1}: loss ${(2 / (i + 1)).toFixed(3)}`).join('\n');
    await ok(ana, 'POST', '/api/v1/jobs', {
      jobId: 'bert',
      kind: 'training',
      gpus: 8,
      workers: 2,
      spec: {
        image: 'busybox:1.36',
        annotations: { 'sim.gpupool.io/run-for-ms': '6000', 'sim.gpupool.io/log': `${lines}\nsaved checkpoint\n` },
      },
    });
    const { page, errors } = await openPage(browser);
    await signIn(page, ana);
    await go(page, '/jobs/nlp/bert', 'bert');
    await expect.poll(() => badge(page), { timeout: 10_000 }).toBe('Training');
    const logs = page.getByRole('region', { name: 'Logs' });
    const log = logs.getByRole('log');
    const scroller = logs.getByRole('region', { name: /^Log of worker/ });
    await expect.poll(() => log.textContent(), { timeout: 10_000 }).toContain('saved checkpoint');
    expect(await log.textContent()).toContain('epoch 1: loss 2.000');
    // It shows the newest lines: scrolled to the end, as tail -f.
    const atEnd = () =>
      scroller.evaluate((el) => el.scrollHeight > el.clientHeight && el.scrollTop + el.clientHeight >= el.scrollHeight - 8);
    await expect.poll(atEnd).toBe(true);
    // The other worker's: its own pod's.
    await logs.getByRole('combobox', { name: /^Worker/ }).selectOption('1');
    await expect.poll(() => scroller.getAttribute('aria-label')).toBe('Log of worker 1, its last 500 lines at most');
    await expect.poll(() => log.textContent()).toContain('epoch 40: loss 0.050');
    await accessible(page, 'a training job with its log');
    await shoot(page, 'scientist-job-log-desktop');
    // Ended, its pods deleted: the log went with them.
    await expect.poll(() => badge(page), { timeout: 20_000 }).toBe('Complete');
    await expect.poll(() => logs.textContent(), { timeout: 20_000 }).toMatch(/its log is gone with it/);
    expect(errors).toEqual([]);
  });
});
