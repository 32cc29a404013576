/**
 * The tuning experiments pages in a real browser (Debian's chromium, playwright-core) against
 * `gpupool serve` on SQLite with the simulated runtime, which runs each trial a few seconds and
 * reports its objective. A data scientist pastes Katib's random-search sample into the form: a
 * spoilt copy first, whose every issue is listed at its path, then the sample itself. The
 * experiment's page shows its trials appear live, their objective over trials and their parallel
 * coordinates (one line per trial with an objective), edits a count, and stops it from the page.
 * Every page passes axe-core (no serious or critical violation) with no console error;
 * screenshots at desktop and phone widths.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, serve } from '../../app/serve.js';
import { browserGate, DESKTOP, launch, openPage, PHONE, scientistPages } from './browser.js';

const missing = browserGate();

const dir = mkdtempSync(join(tmpdir(), 'gpupool-experiments-'));
const CLUSTER = join(dir, 'cluster.yaml');
writeFileSync(CLUSTER, 'nodes:\n  - id: gpu-1\n    gpus: { type: A100, count: 4 }\n');
const SAMPLE = readFileSync(join(process.cwd(), 'core/experiments/fixtures/katib/hp-tuning_random.yaml'), 'utf8');

let served: Served;
let browser: Browser;
let operator: string;
let ana: string;

const { ok, signIn, go, accessible, shoot, badge } = scientistPages(() => served.url);

/** What the page shows at one moment: trial rows, those with an objective, and parallel-coordinates lines. */
const shown = (page: Page) =>
  page.evaluate(() => {
    const rows = [...document.querySelectorAll('.trial-table tbody tr')];
    const objectiveColumn = [...document.querySelectorAll('.trial-table thead th')].findIndex((th) => th.textContent === 'loss');
    const measured = rows.filter((r) => r.children[objectiveColumn]?.textContent !== '–').length;
    return { rows: rows.length, measured, lines: document.querySelectorAll('svg.parallel-coords path.pc-line').length };
  });

describe.skipIf(missing !== null)('the tuning experiments pages in a browser', () => {
  beforeAll(async () => {
    served = await serve({
      port: 0,
      store: join(dir, 'experiments.db'),
      cluster: CLUSTER,
      launchDelaySeconds: 0.2,
      leaderLeaseSeconds: 1,
    });
    operator = served.bootstrapToken?.token as string;
    await ok(operator, 'POST', '/api/v1/users', { userId: 'ana', name: 'Ana', role: 'data-scientist' });
    ana = (await ok(operator, 'POST', '/api/v1/users/ana/tokens', {})).token;
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await served?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the random-search sample from the form, watches its trials live, and stops it', async () => {
    const { page, errors } = await openPage(browser, DESKTOP);
    await signIn(page, ana);
    await page.getByRole('navigation', { name: 'Data Scientist' }).getByRole('link', { name: 'Experiments' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1, name: 'Experiments' }).count()).toBe(1);
    // The heading comes at once, the list once its answer is in.
    await expect.poll(() => page.getByText('No experiments here.').count()).toBe(1);
    await accessible(page, 'empty list');

    // A spoilt copy: every issue listed, each at its path.
    await page.getByRole('link', { name: 'New experiment' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1, name: 'New experiment' }).count()).toBe(1);
    const spoilt = SAMPLE.replace('min: "0.01"', 'min: "lots"').replace('parallelTrialCount: 3', 'parallelTrialCount: -1');
    await page.getByLabel('Katib Experiment (YAML or JSON)').fill(spoilt);
    await page.getByRole('button', { name: 'Create' }).click();
    const issues = page.locator('.issues li');
    await expect.poll(() => issues.count()).toBeGreaterThanOrEqual(2);
    const listed = (await issues.allTextContents()).join('\n');
    expect(listed).toContain('body.spec.parameters[0].feasibleSpace.min');
    expect(listed).toContain('body.spec.parallelTrialCount');
    await accessible(page, 'create form with issues');
    await shoot(page, 'experiments-create-issues-desktop');

    // The sample as Katib ships it (3 in parallel, 12 at most).
    await page.getByLabel('Katib Experiment (YAML or JSON)').fill(SAMPLE);
    await page.getByRole('button', { name: 'Create' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1, name: 'random' }).count()).toBe(1);
    expect(await badge(page)).toBe('Running');

    // Trials appear live, then their objectives: one line per trial with one.
    await expect.poll(async () => (await shown(page)).rows, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    await expect.poll(async () => (await shown(page)).measured, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
    await expect
      .poll(async () => {
        const s = await shown(page);
        return s.lines === s.measured;
      })
      .toBe(true);
    expect(await page.locator('.objective-chart canvas').count()).toBe(1);
    expect(await page.getByRole('img', { name: /^loss of \d+ trials by trial number, best so far / }).count()).toBe(1);
    expect(await page.locator('.best-trial').textContent()).toMatch(/lr.*momentum/);
    // Each trial links to the job that runs it.
    const firstTrial = page.locator('.trial-table tbody th a').first();
    expect(await firstTrial.getAttribute('href')).toMatch(/^#\/jobs\/default\/random-/);
    await accessible(page, 'running experiment');
    await shoot(page, 'experiments-running-desktop');

    // Edit a count: at most 9 trials.
    await page.getByText('Edit the counts').click();
    await page.getByLabel('Max trials').fill('9');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('.facts').first().textContent()).toContain('at most 9 trials');

    // Stop it, and its running trials, from the page.
    await page.getByRole('button', { name: 'Stop, and its running trials' }).click();
    await expect.poll(() => badge(page), { timeout: 15_000 }).toBe('Stopped');
    await expect.poll(() => page.locator('.facts').first().textContent()).toContain('ExperimentStopped');
    expect(await page.getByRole('button', { name: 'Restart' }).count()).toBe(1);
    const read = await ok(ana, 'GET', '/api/v1/tuning/experiments/random');
    const withObjective = read.trials.filter((t: { objective: number | null }) => t.objective !== null).length;
    await expect.poll(async () => (await shown(page)).lines).toBe(withObjective);
    expect((await shown(page)).rows).toBe(read.trials.length);
    await accessible(page, 'stopped experiment');
    await shoot(page, 'experiments-stopped-desktop');

    // The list: its status, progress and best objective.
    await go(page, '/experiments', 'Experiments');
    const row = page.locator('.experiment-table tbody tr').first();
    expect(await row.textContent()).toMatch(/random.*Stopped.*random.*minimize loss.*succeeded/);
    await page.getByLabel('Status').selectOption('Running');
    await expect.poll(() => page.getByText('No experiments here.').count()).toBe(1);
    await page.getByLabel('Status').selectOption('Stopped');
    await expect.poll(() => page.locator('.experiment-table tbody tr').count()).toBe(1);
    await accessible(page, 'list');
    await shoot(page, 'experiments-list-desktop');
    // The spoilt copy's refusal is the only error the browser logs (it logs every 4xx).
    expect(errors).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
    await page.context().close();
  }, 90_000);

  it('lets running trials finish when stopped, restarts, and links each trial to its job', async () => {
    // Created through the API, as YAML: a resumePolicy that lets it restart, a budget with room.
    const yaml = SAMPLE.replace('name: random', 'name: resumable')
      .replace('parallelTrialCount: 3', 'parallelTrialCount: 2\n  resumePolicy: LongRunning')
      .replace('maxTrialCount: 12', 'maxTrialCount: 6');
    const created = await fetch(`${served.url}/api/v1/tuning/experiments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ana}`, 'content-type': 'application/yaml' },
      body: yaml,
    });
    expect(created.status).toBe(201);
    const { page, errors } = await openPage(browser, DESKTOP);
    await signIn(page, ana);
    await go(page, '/experiments/default/resumable', 'resumable');
    await expect.poll(async () => (await shown(page)).rows, { timeout: 10_000 }).toBe(2);
    await page.getByRole('button', { name: 'Stop, letting running trials finish' }).click();
    await expect.poll(() => badge(page)).toBe('Stopping');
    expect(await page.locator('.facts').first().textContent()).toContain('running trials finish first');
    await expect.poll(() => badge(page), { timeout: 15_000 }).toBe('Stopped');
    // Both trials ran to their end: each has its objective and its line.
    expect(await shown(page)).toEqual({ rows: 2, measured: 2, lines: 2 });
    await page.getByRole('button', { name: 'Restart' }).click();
    await expect.poll(() => badge(page)).toBe('Running');
    await expect.poll(async () => (await shown(page)).rows, { timeout: 10_000 }).toBe(4);
    // A trial's link opens the job that runs it.
    const first = page.locator('.trial-table tbody th a').first();
    const trial = await first.textContent();
    await first.click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toMatch(/^resumable-/);
    expect(await page.locator('.facts').first().textContent()).toContain('trial');
    expect(trial).toBe('trial-1');
    expect(errors).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('fits a phone', async () => {
    const { page, errors } = await openPage(browser, PHONE);
    await signIn(page, ana);
    await go(page, '/experiments/default/random', 'random');
    await expect.poll(async () => (await shown(page)).lines).toBeGreaterThan(0);
    await accessible(page, 'experiment on a phone');
    await shoot(page, 'experiments-experiment-phone');
    // Nothing wider than the screen but the scrolling boxes' insides.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await go(page, '/experiments', 'Experiments');
    await accessible(page, 'list on a phone');
    await shoot(page, 'experiments-list-phone');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
