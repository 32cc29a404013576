/**
 * The pipelines pages in a real browser (Debian's chromium, playwright-core) against `gpupool
 * serve` on SQLite with the simulated runtime, whose pipeline executor runs each step as a
 * `pipeline-step` job for as long as the run's simulation fixture says. A data scientist uploads
 * KFP's if/elif/else sample (a spoilt copy first, whose every issue is listed at its path), makes
 * a pipeline experiment, creates a run from the pipeline's page with the version's inputs and a
 * fixture, and watches its graph (laid out by dagre) fill in live until the run ends; expands the
 * loop, selects a step and reads its inputs, outputs and job; then schedules a recurring run,
 * triggers it, disables it and edits it. Every page passes axe-core (no serious or critical
 * violation) with no console error; screenshots at desktop and phone widths.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, serve } from '../../app/serve.js';
import { browserGate, DESKTOP, launch, openPage, PHONE, scientistPages } from './browser.js';

const missing = browserGate();

const dir = mkdtempSync(join(tmpdir(), 'gpupool-pipelines-'));
const CLUSTER = join(dir, 'cluster.yaml');
writeFileSync(CLUSTER, 'nodes:\n  - id: cpu-1\n    gpus: { type: A100, count: 4 }\n');
const SAMPLE_PATH = join(process.cwd(), 'core/pipelines/fixtures/kfp/compiled/if_elif_else_complex.yaml');
const SAMPLE = readFileSync(SAMPLE_PATH, 'utf8');
const TWO_STEP = readFileSync(join(process.cwd(), 'core/pipelines/fixtures/kfp/compiled/two_step_pipeline.yaml'), 'utf8');

let served: Served;
let browser: Browser;
let operator: string;
let ana: string;

const { ok, signIn, go, accessible, shoot, badge } = scientistPages(() => served.url);

/** The graph as drawn: each box's name and state words, and the arrows. */
const drawn = (page: Page) =>
  page.evaluate(() => ({
    boxes: [...document.querySelectorAll('.run-graph .run-node')].map((b) => b.textContent ?? ''),
    groups: [...document.querySelectorAll('.run-graph .run-group')].map((g) => g.getAttribute('aria-label') ?? ''),
    edges: document.querySelectorAll('.run-graph-edges polyline').length,
  }));

describe.skipIf(missing !== null)('the pipelines pages in a browser', () => {
  beforeAll(async () => {
    served = await serve({
      port: 0,
      store: join(dir, 'pipelines.db'),
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

  it('uploads a pipeline, runs it from its page and watches its graph live to the end', async () => {
    const { page, errors } = await openPage(browser, DESKTOP);
    await signIn(page, ana);
    await page.getByRole('navigation', { name: 'Data Scientist' }).getByRole('link', { name: 'Pipelines' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1, name: 'Pipelines' }).count()).toBe(1);
    // The example a fresh installation offers, the operator's, shared with the group; none of Ana's own.
    await expect
      .poll(() => page.locator('.pipeline-table tbody tr').allTextContents())
      .toEqual([expect.stringMatching(/^train-and-evaluate.*admin/)]);
    await page.getByText('Mine', { exact: true }).click();
    await expect.poll(() => page.getByText('No pipelines here.').count()).toBe(1);
    await accessible(page, 'empty list');
    await page.getByText('All', { exact: true }).click();

    // A spoilt copy: a task names a component that is not there; every issue at its path.
    await page.getByRole('link', { name: 'Upload pipeline' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1, name: 'Upload a pipeline' }).count()).toBe(1);
    const spoilt = SAMPLE.replace('name: comp-print-ints\n', 'name: comp-print-nothing\n').replace(
      'parameterType: LIST\nschemaVersion',
      'parameterType: LOTS\nschemaVersion',
    );
    await page.getByLabel('Its text').fill(spoilt);
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    const issues = page.locator('.issues li');
    await expect.poll(() => issues.count()).toBeGreaterThanOrEqual(2);
    const listed = (await issues.allTextContents()).join('\n');
    expect(listed).toContain('body.root.dag.tasks.print-ints.componentRef.name');
    expect(listed).toContain('body.root.inputDefinitions.parameters.trials.parameterType');
    // Each as the parser says it, not forced into "expected ..., got ...".
    expect(listed).toContain("body.root.dag.tasks.print-ints.componentRef.name: no component 'comp-print-nothing' in components");
    expect(listed).not.toMatch(/expected (no component|unknown parameter type)/);
    await accessible(page, 'upload with issues');
    await shoot(page, 'pipelines-upload-issues-desktop');

    // The file itself, chosen from disk, with a description.
    await page.getByLabel('Description (optional)').fill('If, elif and else in a loop');
    await page.getByLabel('Pipeline file (YAML or JSON, as the KFP SDK compiles it)').setInputFiles(SAMPLE_PATH);
    await expect.poll(() => page.getByLabel('Its text').inputValue()).toContain('lucky-number-pipeline');
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1, name: 'lucky-number-pipeline' }).count()).toBe(1);
    expect(await page.locator('.pipeline-table').first().textContent()).toContain('(latest)');

    // A pipeline experiment to hold the run, made on its page.
    await page.getByRole('navigation', { name: 'Pipelines' }).getByRole('link', { name: 'Pipeline experiments' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1, name: 'Pipeline experiments' }).count()).toBe(1);
    await page.getByLabel('Name', { exact: true }).fill('lucky');
    await page.getByLabel('Description', { exact: true }).fill('Lucky numbers, every day');
    await page.getByRole('button', { name: 'Create pipeline experiment' }).click();
    await expect.poll(() => page.locator('.pipeline-table tbody tr').count()).toBe(1);
    await accessible(page, 'pipeline experiments');
    await shoot(page, 'pipelines-experiments-desktop');

    // Create a run from the pipeline's page: its inputs with their types and defaults, a fixture.
    await go(page, '/pipelines', 'Pipelines');
    await page.getByRole('link', { name: 'lucky-number-pipeline' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1, name: 'lucky-number-pipeline' }).count()).toBe(1);
    await page.getByText('Create run', { exact: true }).click();
    const trials = page.getByLabel(/^trials/);
    await expect.poll(() => trials.inputValue()).toBe('[1,2,3]');
    expect(await page.getByLabel(/^add_drumroll/).inputValue()).toBe('true');
    await page.getByLabel('Run name').fill('lucky-1');
    await page.getByLabel('Pipeline experiment').selectOption({ label: 'lucky' });
    await trials.fill('[1, 2, 3, 4]');
    await page.getByText('Simulation fixture (simulated runtime)').click();
    await page.getByLabel(/^Per task/).fill(JSON.stringify({ 'int-0-to-9999': { seconds: 2, outputs: { Output: 8 } } }));
    await accessible(page, 'create run form');
    await shoot(page, 'pipelines-create-run-desktop');
    await page.getByRole('button', { name: 'Start run' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1, name: 'lucky-1' }).count()).toBe(1);

    // The graph, whole from the start: the loop (collapsed) and the step after it, with their arrow.
    await expect.poll(async () => (await drawn(page)).boxes.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    const first = await drawn(page);
    expect(first.boxes.some((b) => b.startsWith('for-loop-1'))).toBe(true);
    expect(first.boxes.some((b) => b.startsWith('print-ints'))).toBe(true);
    expect(first.edges).toBe(1);
    // Expanded, the loop shows its four iterations, each a DAG drawn open around its tasks.
    await page.getByRole('button', { name: 'Expand for-loop-1' }).click();
    await expect.poll(async () => (await drawn(page)).groups.filter((g) => /for-loop-1 #\d/.test(g)).length).toBe(4);
    // Live: a step runs, later every box has ended, and the run with them.
    await expect.poll(async () => (await drawn(page)).boxes.some((b) => b.includes('Running')), { timeout: 15_000 }).toBe(true);
    await accessible(page, 'running run');
    await page.locator('.run-graph-scroll').evaluate((e) => e.scrollTo(0, 0));
    await shoot(page, 'pipelines-run-running-desktop');
    await expect.poll(() => badge(page), { timeout: 60_000 }).toBe('Succeeded');
    const last = await drawn(page);
    expect(last.boxes.filter((b) => /Running|Pending/.test(b))).toEqual([]);
    expect(last.boxes.find((b) => b.startsWith('print-ints'))).toContain('Succeeded');

    // Select a step: its inputs, outputs and the job that ran it.
    await page.locator('.run-graph .run-node', { hasText: 'print-ints' }).click();
    const panel = page.getByRole('complementary', { name: 'Selected step' });
    await expect.poll(() => panel.getByRole('heading', { name: 'print-ints' }).count()).toBe(1);
    expect(await panel.textContent()).toMatch(/Inputs.*ints.*Outputs/s);
    const job = panel.getByRole('link', { name: /^lucky-1:/ });
    expect(await job.count()).toBe(1);
    await accessible(page, 'ended run with a step selected');
    await page.getByRole('button', { name: 'Fit' }).click();
    await page.locator('.run-graph-scroll').evaluate((e) => e.scrollTo(0, 0));
    await shoot(page, 'pipelines-run-desktop');
    await job.click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toMatch(/^lucky-1:/);
    expect(await page.locator('.facts').first().textContent()).toContain('pipeline-step');

    // The pipeline experiment's page: its runs, counted by state and listed.
    await go(page, '/pipelines/runs/default/lucky-1', 'lucky-1');
    await page.locator('.run-facts').getByRole('link', { name: 'lucky', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1, name: 'lucky' }).count()).toBe(1);
    await expect.poll(() => page.locator('.run-table tbody tr').count()).toBe(1);
    expect(await page.locator('.facts').first().textContent()).toContain('1 succeeded');
    await accessible(page, 'pipeline experiment');
    await shoot(page, 'pipelines-experiment-desktop');
    // The pipeline's page: its version and its run.
    await page.locator('.run-table').getByRole('link', { name: 'lucky-number-pipeline' }).click();
    await expect.poll(() => page.locator('.run-table tbody tr').count()).toBe(1);
    await accessible(page, 'pipeline');
    await shoot(page, 'pipelines-pipeline-desktop');

    // The runs list: by state and by pipeline experiment.
    await go(page, '/pipelines/runs', 'Runs');
    expect(await page.locator('.run-table tbody tr').first().textContent()).toMatch(
      /lucky-1.*Succeeded.*lucky-number-pipeline.*lucky/,
    );
    await page.getByLabel('State').selectOption('FAILED');
    await expect.poll(() => page.getByText('No runs here.').count()).toBe(1);
    await page.getByLabel('State').selectOption('SUCCEEDED');
    await expect.poll(() => page.locator('.run-table tbody tr').count()).toBe(1);
    // By pipeline experiment: lucky holds it; a run of none would not be listed.
    await ok(ana, 'POST', '/api/v1/pipeline-runs', { name: 'loose', pipeline: 'default/train-and-evaluate' });
    await page.getByLabel('State').selectOption('');
    await expect.poll(() => page.locator('.run-table tbody tr').count()).toBe(2);
    await page.getByLabel('Pipeline experiment').selectOption({ label: 'lucky' });
    await expect.poll(() => page.locator('.run-table tbody tr').allTextContents()).toEqual([expect.stringMatching(/^lucky-1/)]);
    await page.getByLabel('Pipeline experiment').selectOption('');
    await page.getByLabel('State').selectOption('SUCCEEDED');
    await expect.poll(() => page.locator('.run-table tbody tr').count()).toBe(1);
    await accessible(page, 'runs list');
    await shoot(page, 'pipelines-runs-desktop');
    // Archived: the run leaves the list, and is found among the archived.
    await page.getByRole('link', { name: 'lucky-1' }).click();
    await page.getByRole('button', { name: 'Archive' }).click();
    await expect.poll(() => page.locator('.page-header').textContent()).toContain('Archived');
    await go(page, '/pipelines/runs', 'Runs');
    await expect.poll(() => page.locator('.run-table tbody tr').allTextContents()).toEqual([expect.stringMatching(/^loose/)]);
    await page.getByLabel('Archived runs').check();
    await expect
      .poll(() => page.locator('.run-table tbody tr').allTextContents())
      .toEqual([expect.stringMatching(/^lucky-1 \(archived\)/)]);
    expect(errors).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
    await page.context().close();
  }, 120_000);

  it('schedules a recurring run, triggers it, disables it and edits it', async () => {
    // The pipeline it runs, uploaded through the API as YAML.
    const uploaded = await fetch(`${served.url}/api/v1/pipelines?name=two-step`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ana}`, 'content-type': 'application/yaml' },
      body: TWO_STEP,
    });
    expect(uploaded.status).toBe(201);
    const { page, errors } = await openPage(browser, DESKTOP);
    await signIn(page, ana);
    await go(page, '/pipelines/recurring', 'Recurring runs');
    await expect.poll(() => page.getByText('No recurring runs here.').count()).toBe(1);
    await page.getByRole('link', { name: 'New recurring run' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1, name: 'New recurring run' }).count()).toBe(1);
    await page.getByLabel('Name', { exact: true }).fill('nightly');
    await page.getByLabel('Pipeline', { exact: true }).selectOption({ label: 'two-step' });
    await expect.poll(() => page.getByLabel(/^text/).inputValue()).toBe('Hello KFP!');
    await page.getByLabel(/^Cron expression/).fill('0 30 2 * * *');
    await page.getByLabel('Time zone').fill('Europe/Paris');
    await page.getByLabel(/^Maximum concurrent runs/).fill('2');
    await page.getByLabel(/^Missed runs/).selectOption('latest');
    await accessible(page, 'recurring run form');
    await shoot(page, 'pipelines-recurring-new-desktop');
    await page.getByRole('button', { name: 'Create recurring run' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1, name: 'nightly' }).count()).toBe(1);
    expect(await badge(page)).toBe('Enabled');
    const facts = () => page.locator('.facts').first().textContent();
    expect(await facts()).toContain('cron 0 30 2 * * * (Europe/Paris)');
    expect(await facts()).toContain('at most 2 at once; catch up only the latest missed run');

    // Trigger now: a run starts, and its page opens.
    await page.getByRole('button', { name: 'Trigger now' }).click();
    await expect.poll(() => page.locator('.run-facts').count()).toBe(1);
    expect(await page.locator('.run-facts').textContent()).toContain('nightly');
    await expect.poll(() => badge(page), { timeout: 30_000 }).toBe('Succeeded');
    await page.locator('.run-facts').getByRole('link', { name: 'nightly' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1, name: 'nightly' }).count()).toBe(1);
    await expect.poll(() => page.locator('.run-table tbody tr').count()).toBe(1);

    // Disable, then edit: every 6 hours, a new version of it.
    await page.getByRole('button', { name: 'Disable' }).click();
    await expect.poll(() => badge(page)).toBe('Disabled');
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Periodic').check();
    await page.getByLabel('Every').fill('6');
    await page.getByLabel('Unit').selectOption({ label: 'hours' });
    await page.getByRole('button', { name: 'Save as a new version' }).click();
    await expect.poll(facts).toContain('every 6 h');
    expect(await page.locator('.page-header').textContent()).toContain('version 2');
    await accessible(page, 'recurring run');
    await shoot(page, 'pipelines-recurring-desktop');
    await go(page, '/pipelines/recurring', 'Recurring runs');
    expect(await page.locator('.pipeline-table tbody tr').first().textContent()).toMatch(
      /nightly.*Disabled.*every 6 h.*two-step/,
    );
    // Shared: others' only, and nobody else has one.
    await page.getByText('Shared', { exact: true }).click();
    await expect.poll(() => page.getByText('No recurring runs here.').count()).toBe(1);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('uploads a new version, terminates a run, retries a failed one, archives a pipeline experiment', async () => {
    const { page, errors } = await openPage(browser, DESKTOP);
    await signIn(page, ana);
    // A second version of two-step, uploaded on its page, is its latest.
    await go(page, '/pipelines/default/two-step', 'two-step');
    await page.getByText('Upload a new version').click();
    await page.getByLabel('Version name (optional)').fill('v2');
    await page.getByLabel('Description (optional)').fill('the same steps, again');
    await page.getByLabel('Its text').fill(TWO_STEP);
    await page.getByRole('button', { name: 'Upload version' }).click();
    const versions = page.getByRole('region', { name: 'Versions' }).locator('tbody tr');
    await expect.poll(() => versions.first().textContent()).toMatch(/^v2 \(latest\)v2the same steps, again/);
    expect(await versions.count()).toBe(2);

    // A run whose first step takes a minute: terminated from its page.
    await page.getByText('Create run', { exact: true }).click();
    await page.getByLabel('Run name').fill('slow');
    await page.getByLabel('Version', { exact: true }).selectOption('v1');
    await expect.poll(() => page.getByLabel(/^text/).inputValue()).toBe('Hello KFP!');
    // Other inputs than the runs before: no step's outputs are taken from the cache.
    await page.getByLabel(/^text/).fill('Hello, slowly');
    await page.getByText('Simulation fixture (simulated runtime)').click();
    await page.getByLabel(/^Per task/).fill(JSON.stringify({ 'write-to-gcs': { seconds: 60 } }));
    await page.getByRole('button', { name: 'Start run' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1, name: 'slow' }).count()).toBe(1);
    expect(await page.locator('.run-facts').textContent()).toContain('version v1');
    const step = page.locator('.run-graph .run-node', { hasText: 'Producer' });
    await expect.poll(() => step.textContent(), { timeout: 15_000 }).toContain('Running');
    await page.getByRole('button', { name: 'Terminate' }).click();
    await expect.poll(() => badge(page), { timeout: 15_000 }).toBe('Canceled');
    expect(await step.textContent()).toContain('Canceled');

    // A run whose second step fails until the run is retried once: retried, it succeeds.
    await ok(ana, 'POST', '/api/v1/pipeline-runs', {
      name: 'flaky',
      pipeline: 'default/two-step',
      parameters: { text: 'Hello, flakily' },
      simulation: { 'read-from-gcs': { failRuns: 1 } },
    });
    await go(page, '/pipelines/runs/default/flaky', 'flaky');
    await expect.poll(() => badge(page), { timeout: 20_000 }).toBe('Failed');
    const failed = page.locator('.run-graph .run-node', { hasText: 'Consumer' });
    expect(await failed.textContent()).toContain('Failed');
    await failed.click();
    expect(await page.getByRole('complementary', { name: 'Selected step' }).textContent()).toContain('the simulation fails it');
    await accessible(page, 'failed run');
    await shoot(page, 'pipelines-run-failed-desktop');
    await page.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => badge(page), { timeout: 20_000 }).toBe('Succeeded');
    expect(await page.locator('.run-facts').textContent()).toContain('Retriedonce');
    expect(await page.locator('.run-graph .run-node', { hasText: 'Producer' }).textContent()).toContain('Succeeded');

    // A pipeline experiment archived leaves the list, and comes back restored.
    await ok(ana, 'POST', '/api/v1/pipeline-experiments', { name: 'old' });
    await go(page, '/pipelines/experiments/default/old', 'old');
    await page.getByRole('button', { name: 'Archive' }).click();
    await expect.poll(() => page.locator('.page-header').textContent()).toContain('Archived');
    await go(page, '/pipelines/experiments', 'Pipeline experiments');
    await expect
      .poll(() => page.locator('.pipeline-table tbody tr').allTextContents())
      .not.toContain(expect.stringMatching(/^old/));
    await page.getByLabel('Archived experiments').check();
    await expect.poll(() => page.locator('.pipeline-table tbody tr').count()).toBe(1);
    await page.getByRole('link', { name: 'old' }).click();
    await page.getByRole('button', { name: 'Restore' }).click();
    await expect.poll(() => page.locator('.page-header').textContent()).not.toContain('Archived');
    expect(errors).toEqual([]);
    await page.context().close();
  }, 90_000);

  it("shows why a step's job waits for GPUs, and the step running once they are free", async () => {
    // Every GPU of the cluster held by a notebook; a pipeline whose step asks for one.
    await ok(ana, 'POST', '/api/v1/jobs', { jobId: 'hog', kind: 'notebook', gpus: 4 });
    const gpu = await fetch(`${served.url}/api/v1/pipelines`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ana}`, 'content-type': 'application/yaml' },
      body: readFileSync(
        join(process.cwd(), 'core/pipelines/fixtures/kfp/compiled/gpu-scheduling_nvidia_gpu_scheduling_check.yaml'),
        'utf8',
      ),
    });
    expect(gpu.status).toBe(201);
    const pipeline = (await gpu.json()).id;
    await ok(ana, 'POST', '/api/v1/pipeline-runs', { name: 'gpu-check', pipeline });
    const { page, errors } = await openPage(browser, DESKTOP);
    await signIn(page, ana);
    await go(page, '/pipelines/runs/default/gpu-check', 'gpu-check');
    const step = page.locator('.run-graph .run-node').first();
    await expect.poll(() => step.textContent(), { timeout: 10_000 }).toMatch(/Pending|Running/);
    await step.click();
    const panel = page.getByRole('complementary', { name: 'Selected step' });
    await expect.poll(() => panel.locator('.step-wait').count(), { timeout: 10_000 }).toBe(1);
    expect(await panel.locator('.step-wait').textContent()).toMatch(/^Why it waits: .*GPU/);
    expect(await panel.locator('.badge').allTextContents()).toContain('Waiting For GPUs');
    await accessible(page, 'waiting step');
    await shoot(page, 'pipelines-run-waiting-desktop');
    // The notebook stopped, the step's job starts and the run ends.
    await ok(ana, 'POST', '/api/v1/jobs/hog/stop');
    await expect.poll(() => badge(page), { timeout: 30_000 }).toBe('Succeeded');
    await expect.poll(() => panel.locator('.step-wait').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('keeps a loop of many iterations readable: collapsed with its count, open as tiles', async () => {
    const trials = Array.from({ length: 20 }, (_, i) => i + 1);
    await ok(ana, 'POST', '/api/v1/pipeline-runs', {
      name: 'lucky-many',
      pipeline: 'default/lucky-number-pipeline',
      parameters: { trials },
    });
    const { page, errors } = await openPage(browser, DESKTOP);
    await signIn(page, ana);
    await go(page, '/pipelines/runs/default/lucky-many', 'lucky-many');
    const loop = page.locator('.run-graph .run-node', { hasText: 'for-loop-1' });
    await expect.poll(() => loop.textContent(), { timeout: 10_000 }).toContain('20 iterations');
    await page.getByRole('button', { name: 'Expand for-loop-1' }).click();
    const tiles = page.locator('.run-graph .run-tile');
    await expect.poll(() => tiles.count()).toBe(20);
    expect(await tiles.allTextContents()).toEqual(trials.map((_, i) => `#${i}`));
    // A tile is an iteration: selected, its details; opened, its tasks.
    await tiles.nth(5).click();
    const panel = page.getByRole('complementary', { name: 'Selected step' });
    await expect.poll(() => panel.getByRole('heading', { name: 'for-loop-1 #5' }).count()).toBe(1);
    expect(await panel.textContent()).toContain('DAG');
    // Opened from its panel, the iteration is drawn around its tasks among the tiles.
    await panel.getByRole('button', { name: 'Show its tasks in the graph' }).click();
    await expect.poll(async () => (await drawn(page)).groups).toContain('DAG for-loop-1 #5');
    expect(await tiles.count()).toBe(19);
    await panel.getByRole('button', { name: 'Collapse it in the graph' }).click();
    await expect.poll(() => tiles.count()).toBe(20);
    await expect.poll(() => badge(page), { timeout: 60_000 }).toBe('Succeeded');
    await expect.poll(async () => (await tiles.allTextContents()).length).toBe(20);
    expect(await page.locator('.run-graph .run-tile.tone-good').count()).toBe(20);
    await accessible(page, 'many iterations');
    await page.locator('.run-graph-scroll').evaluate((e) => e.scrollTo(0, 0));
    await shoot(page, 'pipelines-run-loop-desktop');
    expect(errors).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('fits a phone', async () => {
    const { page, errors } = await openPage(browser, PHONE);
    await signIn(page, ana);
    await go(page, '/pipelines/runs/default/lucky-1', 'lucky-1');
    await expect.poll(async () => (await drawn(page)).boxes.length).toBeGreaterThan(1);
    // The open loop is wider than a phone: fitted, the whole graph shows at once.
    await page.getByRole('button', { name: 'Expand for-loop-1' }).click();
    await page.getByRole('button', { name: 'Fit' }).click();
    const zoom = Number.parseInt((await page.getByRole('status', { name: 'Zoom' }).textContent()) ?? '', 10);
    expect(zoom).toBeLessThan(100);
    const fits = await page.locator('.run-graph-scroll').evaluate((e) => e.scrollWidth <= e.clientWidth + 1);
    expect(fits).toBe(true);
    await page.locator('.run-graph .run-node', { hasText: 'print-ints' }).click();
    await accessible(page, 'run on a phone');
    await shoot(page, 'pipelines-run-phone');
    // Nothing wider than the screen but the scrolling boxes' insides.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await go(page, '/pipelines', 'Pipelines');
    await accessible(page, 'pipelines on a phone');
    await shoot(page, 'pipelines-list-phone');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
