/**
 * The Data Scientist view in a real browser (Debian's chromium, playwright-core) against
 * `gpupool serve` on SQLite with the simulated runtime. The operator, the groups and the users are
 * set up through the API; then a data scientist clicks through: registers a workspace and a
 * dataset and records their versions, submits a training job that runs and one that waits (the
 * cluster has 4 GPUs), reads why it waits, watches it start live when the first completes, sees
 * the model version the first made with its lineage, filters mine / shared / all, reruns a failed
 * job, scrubs back in time, and never sees another group's items or the Operator view. Every page
 * passes axe-core (no serious or critical violation) with no console error; screenshots at
 * desktop and phone widths.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, serve } from '../../app/serve.js';
import { browserGate, DESKTOP, launch, openPage, PHONE, scientistPages } from './browser.js';

const missing = browserGate();

const dir = mkdtempSync(join(tmpdir(), 'gpupool-scientist-'));
const CLUSTER = join(dir, 'cluster.yaml');
// Four GPUs in all: a job of 4 takes them, and a job of 2 submitted meanwhile waits.
writeFileSync(CLUSTER, 'nodes:\n  - id: gpu-1\n    gpus: { type: A100, count: 4 }\n    labels: { zone: a }\n');

let served: Served;
let browser: Browser;
let operator: string;
const tokens: Record<string, string> = {};

const { ok, signIn, go, accessible, shoot, badge } = scientistPages(() => served.url);

async function onboard(userId: string, groupId?: string) {
  await ok(operator, 'POST', '/api/v1/users', {
    userId,
    name: userId[0]?.toUpperCase() + userId.slice(1),
    role: 'data-scientist',
    ...(groupId ? { groupId } : {}),
  });
  tokens[userId] = (await ok(operator, 'POST', `/api/v1/users/${userId}/tokens`, {})).token;
}

/**
 * A field of the submit form given an entry it cannot take (`what`): the problem is named under
 * it, the form cannot be sent, the page stays accessible and is shot, and the field is emptied.
 */
async function refusesEntry(
  page: Page,
  field: { label: RegExp; entry: string; id: string; problem: string; what: string; shot: string },
) {
  const input = page.getByLabel(field.label);
  await input.fill(field.entry);
  await expect.poll(() => page.locator(`#${field.id}-problem`).textContent()).toContain(field.problem);
  expect(await page.getByRole('button', { name: 'Submit' }).isDisabled()).toBe(true);
  await accessible(page, `submit with ${field.what}`);
  await shoot(page, field.shot);
  await input.fill('');
}

const jobRows = (page: Page) => page.locator('.job-table tbody th[scope="row"] a').allTextContents();

describe.skipIf(missing !== null)('the Data Scientist view in a browser', () => {
  beforeAll(async () => {
    served = await serve({
      port: 0,
      store: join(dir, 'scientist.db'),
      cluster: CLUSTER,
      launchDelaySeconds: 0.2,
      leaderLeaseSeconds: 1,
    });
    operator = served.bootstrapToken?.token as string;
    // Ana and Ben share the Default Group (and its pool); Zed is in another group.
    await onboard('ana');
    await onboard('ben');
    await ok(operator, 'POST', '/api/v1/groups', { groupId: 'rivals', name: 'Rivals' });
    await onboard('zed', 'rivals');
    await ok(tokens.zed as string, 'POST', '/api/v1/datasets', {
      name: 'secret-data',
      source: { kind: 'object', uri: 's3://rivals/secret' },
    });
    await ok(tokens.zed as string, 'POST', '/api/v1/jobs', { jobId: 'rival-job', kind: 'training', gpus: 1 });
    // A model for the training job to record its product in.
    await ok(tokens.ana as string, 'POST', '/api/v1/models', { name: 'catnet', description: 'Cats or not', tags: ['vision'] });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await served?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers assets, runs one job while another waits and starts live, and shows lineage and metrics', async () => {
    const { page, errors } = await openPage(browser, DESKTOP);
    await signIn(page, tokens.ana as string);

    // A workspace with a git source, and its first version.
    await go(page, '/workspaces', 'Workspaces');
    await accessible(page, 'workspaces');
    await page.getByRole('link', { name: 'New workspace' }).click();
    await page.getByLabel('Name', { exact: true }).fill('vision-code');
    await page.getByLabel('Description').fill('Training code for the cat classifier');
    await page.getByLabel('Tags (comma-separated)').fill('vision, pytorch');
    await page.getByLabel('URL').fill('https://github.com/example/vision.git');
    await page.getByLabel('Branch, tag or commit').fill('main');
    await accessible(page, 'new workspace');
    await shoot(page, 'scientist-new-workspace-desktop');
    await page.getByRole('button', { name: 'Register' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1, name: 'vision-code' }).count()).toBe(1);
    await page.getByLabel('Pin', { exact: true }).fill('3f2a9c1');
    await page.getByRole('button', { name: 'Record version' }).click();
    await expect.poll(() => page.getByRole('link', { name: 'v1', exact: true }).count()).toBe(1);

    // A dataset in an object store, and its first version.
    await go(page, '/datasets/new', 'New dataset');
    await page.getByLabel('Name', { exact: true }).fill('cats');
    await page.getByLabel('URI').fill('s3://pets/cats');
    await page.getByRole('button', { name: 'Register' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1, name: 'cats' }).count()).toBe(1);
    await page.getByLabel('Pin', { exact: true }).fill('sha256:9b1c');
    await page.getByRole('button', { name: 'Record version' }).click();
    await expect.poll(() => page.getByRole('link', { name: 'v1', exact: true }).count()).toBe(1);
    await accessible(page, 'dataset');

    // A training job on both that takes all four GPUs, its assets chosen from the lists.
    await go(page, '/jobs', 'Jobs');
    await page.getByRole('link', { name: 'New job' }).click();
    await page.getByLabel('Name', { exact: true }).fill('train-big');
    await page.getByLabel('GPUs', { exact: true }).fill('4');
    await page.getByLabel('Expected duration (seconds)').fill('8');
    await page.getByLabel('Tags (comma-separated, each up to 256 characters)').fill('cats, baseline');
    await page.getByLabel('Workspace (its latest version)').selectOption('vision-code');
    await page.getByLabel('Dataset (its latest version)').selectOption('cats');
    await page.getByLabel('Model it trains (gets a version when it completes)').selectOption('catnet');
    await page.getByText('Advanced').click();
    await accessible(page, 'submit');
    await shoot(page, 'scientist-submit-desktop');
    // A node label typed without its value is named, and the form cannot be sent until it is
    // mended; so is an entry of the node rules that is not one. (Checked here, before the first job
    // runs: the second must be seen waiting while the first still runs.)
    await refusesEntry(page, {
      label: /^Node labels/,
      entry: 'zone',
      id: 'job-node-labels',
      problem: '“zone” is not a label',
      what: 'a bad node label',
      shot: 'scientist-submit-labels-desktop',
    });
    await refusesEntry(page, {
      label: /^Node rules/,
      entry: 'zone in (a, b), spot no',
      id: 'job-node-rules',
      problem: '“spot no” is not a node rule',
      what: 'a bad node rule',
      shot: 'scientist-submit-rules-desktop',
    });
    await page.getByRole('button', { name: 'Submit' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1, name: 'train-big' }).count()).toBe(1);
    await expect.poll(() => badge(page), { timeout: 10_000 }).toBe('Training');
    // The runtime reports its metrics as it trains (here through the API, as the runtime would).
    await ok(tokens.ana as string, 'POST', '/api/v1/jobs/train-big/metrics', {
      points: [0.9, 0.6, 0.45, 0.33, 0.3, 0.27].flatMap((loss, step) => [
        { name: 'loss', value: loss, step },
        { name: 'accuracy', value: 0.5 + step * 0.08, step },
      ]),
    });
    const lineage = page.getByRole('list', { name: 'Lineage of train-big' });
    await expect.poll(() => lineage.getByRole('link').allTextContents()).toEqual(['vision-code v1', 'cats v1', 'catnet']);
    await expect.poll(() => page.locator('.metric-plot canvas').count(), { timeout: 5_000 }).toBe(2);
    expect(await page.getByRole('img', { name: /^loss over 6 steps, last 0\.27/ }).count()).toBe(1);

    // A second job of 2 GPUs waits: why, and the pool's queue.
    await go(page, '/jobs/new/training', 'New job');
    await page.getByLabel('Name', { exact: true }).fill('train-wait');
    await page.getByLabel('GPUs', { exact: true }).fill('2');
    await page.getByLabel('Expected duration (seconds)').fill('600');
    // Only on nodes in zone a (the one node is), and by node rules in Kubernetes' label selector words.
    await page.getByText('Advanced').click();
    await page.getByLabel(/^Node labels/).fill('zone=a');
    await page.getByLabel(/^Node rules/).fill('zone in (a, b), !spot');
    await page.getByRole('button', { name: 'Submit' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1, name: 'train-wait' }).count()).toBe(1);
    await expect.poll(() => badge(page)).toBe('Waiting For GPUs');
    expect(await page.locator('.facts dt:has-text("On nodes labelled") + dd').textContent()).toBe('zone=a');
    expect(await page.locator('.facts dt:has-text("On nodes matching") + dd').textContent()).toBe(
      'zone In (a, b), spot DoesNotExist',
    );
    await expect.poll(() => page.getByRole('heading', { name: 'Why is it waiting?' }).count()).toBe(1);
    expect(await page.locator('.reason').textContent()).toMatch(/GPU/);
    // Beside the reason, when it should start: a forecast, marked as an estimate.
    await expect
      .poll(() => page.getByRole('region', { name: 'Predicted start' }).textContent(), { timeout: 10_000 })
      .toMatch(/Predicted start: .*estimate/);
    expect(await page.locator('.queue li[aria-current]').textContent()).toContain('train-wait (this job)');
    expect(await page.getByRole('heading', { name: 'Logs' }).locator('xpath=following-sibling::*[1]').textContent()).toBe(
      'No log until it starts.',
    );
    await accessible(page, 'waiting job');
    await shoot(page, 'scientist-job-waiting-desktop');

    // It starts on its own, live, once train-big completes.
    await expect.poll(() => badge(page), { timeout: 20_000 }).toBe('Training');
    expect(await page.getByRole('heading', { name: 'Why is it waiting?' }).count()).toBe(0);
    // Its log: the simulated runtime runs no processes, and says so where the log would be.
    await expect
      .poll(() => page.getByRole('region', { name: 'Logs' }).textContent())
      .toMatch(/the simulated runtime runs no processes, so its jobs have no logs/);

    // train-big made catnet v1: its lineage from code and data through the job.
    await go(page, '/models/default/catnet', 'catnet');
    await expect.poll(() => page.getByRole('link', { name: 'v1', exact: true }).count(), { timeout: 10_000 }).toBe(1);
    await page.getByRole('link', { name: 'v1', exact: true }).click();
    const graph = page.getByRole('list', { name: 'Lineage of catnet version 1' });
    await expect.poll(() => graph.getByRole('link').allTextContents()).toEqual(['vision-code v1', 'cats v1', 'train-big']);
    expect(await page.getByRole('cell', { name: /accuracy 0\.9/ }).count()).toBe(1);
    await accessible(page, 'model');
    await shoot(page, 'scientist-model-desktop');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('filters mine / shared / all, and reruns a failed job', async () => {
    await ok(tokens.ben as string, 'POST', '/api/v1/jobs', { jobId: 'ben-shared', kind: 'notebook', gpus: 0, tags: ['cats'] });
    await ok(tokens.ben as string, 'POST', '/api/v1/jobs', { jobId: 'ben-private', kind: 'training', gpus: 0, private: true });
    // A job that crashes: the runtime reports it failed (here through the engine, as the runtime does).
    await ok(tokens.ana as string, 'POST', '/api/v1/jobs', {
      jobId: 'doomed',
      kind: 'training',
      gpus: 0,
      nodeSelector: { zone: 'a' },
      nodeAffinity: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }],
    });
    await expect.poll(async () => (await ok(tokens.ana as string, 'GET', '/api/v1/jobs/doomed')).status).toBe('Training');
    const failed = await served.engine.execute({
      type: 'ReportJobFailed',
      jobId: 'default/doomed',
      reason: 'OOMKilled',
      message: 'the container ran out of memory',
    });
    expect(failed.ok).toBe(true);

    const { page, errors } = await openPage(browser, DESKTOP);
    await signIn(page, tokens.ana as string);
    await go(page, '/jobs', 'Jobs');
    await expect.poll(() => jobRows(page)).toEqual(['train-big', 'train-wait', 'ben-shared', 'doomed']);
    await page.getByText('Mine', { exact: true }).click();
    await expect.poll(() => jobRows(page)).toEqual(['train-big', 'train-wait', 'doomed']);
    await page.getByText('Shared', { exact: true }).click();
    await expect.poll(() => jobRows(page)).toContain('ben-shared');
    expect(await jobRows(page)).not.toContain('ben-private');
    await page.getByText('All', { exact: true }).click();
    await page.getByLabel('Status').selectOption('Error');
    await expect.poll(() => jobRows(page)).toEqual(['doomed']);
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Search').fill('cats');
    await expect.poll(() => jobRows(page)).toEqual(['train-big', 'ben-shared']);
    await page.getByLabel('Search').fill('');
    await accessible(page, 'jobs');
    await shoot(page, 'scientist-jobs-desktop');

    // Notebooks have a page of their own; Ben's is shared, and only Ben may stop it.
    await page.getByRole('link', { name: 'Notebooks' }).click();
    await expect.poll(() => jobRows(page)).toEqual(['ben-shared']);
    await page.getByRole('link', { name: 'ben-shared' }).click();
    await expect.poll(() => page.getByText('ben owns this job').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Stop' }).count()).toBe(0);

    // The failed job, rerun: a new job with the same request.
    await go(page, '/jobs/default/doomed', 'doomed');
    await expect.poll(() => badge(page)).toBe('Error');
    expect(await page.locator('.facts').textContent()).toContain('OOMKilled: the container ran out of memory');
    expect(await page.locator('.facts dt:has-text("On nodes labelled") + dd').textContent()).toBe('zone=a');
    expect(await page.locator('.facts dt:has-text("On nodes matching") + dd').textContent()).toBe('zone In (a, b)');
    await accessible(page, 'failed job');
    await shoot(page, 'scientist-job-failed-desktop');
    await page.getByRole('button', { name: 'Rerun' }).click();
    await expect.poll(() => page.getByRole('link', { name: 'doomed' }).count()).toBe(1);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).not.toBe('doomed');
    await expect.poll(() => badge(page), { timeout: 10_000 }).toBe('Training');
    // The rerun keeps the node selector and affinity.
    expect(await page.locator('.facts dt:has-text("On nodes labelled") + dd').textContent()).toBe('zone=a');
    expect(await page.locator('.facts dt:has-text("On nodes matching") + dd').textContent()).toBe('zone In (a, b)');
    // A clone with changes may drop it: its labels start as the source's; a bad entry is named.
    await page.getByText('Clone with changes').click();
    const cloneLabels = page.locator('.clone-form').getByLabel('Node labels');
    expect(await cloneLabels.inputValue()).toBe('zone=a');
    await cloneLabels.fill('zone');
    await expect.poll(() => page.locator('#clone-node-labels-problem').textContent()).toContain('“zone” is not a label');
    await cloneLabels.fill('');
    // Its node rules start as the source's affinity, in the words the page shows it.
    const cloneRules = page.locator('.clone-form').getByLabel('Node rules');
    expect(await cloneRules.inputValue()).toBe('zone In (a, b)');
    await cloneRules.fill('zone In (a, b');
    await expect.poll(() => page.locator('#clone-node-rules-problem').textContent()).toContain('is not a node rule');
    expect(await page.locator('.clone-form').getByRole('button', { name: 'Clone' }).isDisabled()).toBe(true);
    await accessible(page, 'clone with a bad node rule');
    await shoot(page, 'scientist-clone-rules-desktop');
    await cloneRules.fill('(zone In (a, b)) or (zone notin (c))');
    await page.locator('.clone-form').getByRole('button', { name: 'Clone' }).click();
    await expect.poll(() => page.getByRole('link', { name: 'doomed' }).count()).toBe(0);
    await expect.poll(() => page.locator('.facts').textContent()).toContain('Kind');
    expect(await page.locator('.facts dt:has-text("On nodes labelled")').count()).toBe(0);
    expect(await page.locator('.facts dt:has-text("On nodes matching") + dd').textContent()).toBe(
      '(zone In (a, b)) or (zone NotIn (c))',
    );
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('scrubs back in time to see a job waiting that runs now', async () => {
    const { page, errors } = await openPage(browser, DESKTOP);
    await signIn(page, tokens.ana as string);
    const job = await ok(tokens.ana as string, 'GET', '/api/v1/jobs/train-wait');
    const waited = job.history.find((h: { status: string }) => h.status === 'WaitingForGPUs').revision as number;
    await go(page, '/jobs/default/train-wait', 'train-wait');
    await expect.poll(() => badge(page)).toBe('Training');
    // The slider by keyboard, as a person would: to the start, then forward to the event.
    const slider = page.getByLabel('Time travel to event');
    await slider.focus();
    await page.keyboard.press('Home');
    for (let i = -1; i < waited; i++) await page.keyboard.press('ArrowRight');
    expect(await page.locator('output[for="time-travel-revision"]').textContent()).toMatch(new RegExp(`^${waited} /`));
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => badge(page)).toBe('Waiting For GPUs');
    expect(await page.getByRole('heading', { name: 'Why is it waiting?' }).count()).toBe(1);
    await accessible(page, 'the past');
    await shoot(page, 'scientist-time-travel-desktop');
    // The assets as of the same moment (their own stream, read as of that event's time): catnet
    // had no version yet; back to now, it has.
    await go(page, '/models/default/catnet', 'catnet');
    await expect.poll(() => page.getByRole('link', { name: 'v1', exact: true }).count()).toBe(0);
    await page.getByRole('button', { name: 'Back to now' }).click();
    await expect.poll(() => page.getByRole('link', { name: 'v1', exact: true }).count()).toBe(1);
    await go(page, '/jobs/default/train-wait', 'train-wait');
    await expect.poll(() => badge(page)).toBe('Training');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("never shows another group's items or the Operator view", async () => {
    const { page, errors } = await openPage(browser, DESKTOP);
    await signIn(page, tokens.ana as string);
    expect(await page.getByRole('navigation', { name: 'Data Scientist' }).getByRole('link').allTextContents()).toEqual([
      'Jobs',
      'Notebooks',
      'Inferences',
      'Experiments',
      'Pipelines',
      'Workspaces',
      'Datasets',
      'Models',
    ]);
    await page.getByRole('button', { name: /Ana/ }).click();
    expect(await page.getByRole('menuitem', { name: /Operator view/ }).count()).toBe(0);
    await page.keyboard.press('Escape');
    await page.goto(`${served.url}/#/cluster`);
    await expect.poll(() => page.getByText('There is no such page here.').count()).toBe(1);
    await go(page, '/datasets', 'Datasets');
    await expect.poll(() => page.getByRole('link', { name: 'cats' }).count()).toBe(1);
    expect(await page.getByText('secret-data').count()).toBe(0);
    await go(page, '/jobs', 'Jobs');
    await expect.poll(() => jobRows(page)).toContain('train-big');
    expect(await jobRows(page)).not.toContain('rival-job');
    // Named directly, another group's dataset is not found, as one that does not exist.
    await page.goto(`${served.url}/#/datasets/rivals/secret-data`);
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/not found|secret-data/i);
    expect(await page.getByText('s3://rivals/secret').count()).toBe(0);
    // The API's 404 for it is the one console error this makes.
    expect(errors.filter((e) => !/404/.test(e))).toEqual([]);
    await page.context().close();
  });

  it('works on a phone', async () => {
    const { page, errors } = await openPage(browser, PHONE);
    await signIn(page, tokens.ana as string);
    await go(page, '/jobs', 'Jobs');
    await expect.poll(() => jobRows(page)).toContain('train-big');
    await accessible(page, 'jobs (phone)');
    await shoot(page, 'scientist-jobs-phone');
    await go(page, '/jobs/default/train-big', 'train-big');
    await expect.poll(() => page.locator('.metric-plot canvas').count()).toBe(2);
    await accessible(page, 'job (phone)');
    await shoot(page, 'scientist-job-phone');
    await go(page, '/models/default/catnet/1', 'catnet');
    await expect.poll(() => page.getByRole('list', { name: 'Lineage of catnet version 1' }).count()).toBe(1);
    await accessible(page, 'model (phone)');
    await shoot(page, 'scientist-model-phone');
    await go(page, '/jobs/new', 'New job');
    await accessible(page, 'submit (phone)');
    await shoot(page, 'scientist-submit-phone');
    await go(page, '/workspaces', 'Workspaces');
    await expect.poll(() => page.getByRole('link', { name: 'vision-code' }).count()).toBe(1);
    await accessible(page, 'workspaces (phone)');
    await shoot(page, 'scientist-workspaces-phone');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('lists 10,000 jobs, read page by page, and scrolls to the last', async () => {
    // A group of its own, without a pool: its jobs wait, and nobody else's lists change.
    await ok(operator, 'POST', '/api/v1/groups', { groupId: 'bulk', name: 'Bulk' });
    await onboard('bo', 'bulk');
    const COUNT = 10_000;
    let next = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < COUNT) {
          const i = next++;
          await ok(tokens.bo as string, 'POST', '/api/v1/jobs', {
            jobId: `sweep-${String(i).padStart(5, '0')}`,
            kind: 'training',
            gpus: 1,
          });
        }
      }),
    );
    const { page, errors } = await openPage(browser, DESKTOP);
    await signIn(page, tokens.bo as string);
    await go(page, '/jobs', 'Jobs');
    await expect.poll(() => page.getByText(`${COUNT} jobs`, { exact: true }).count(), { timeout: 30_000 }).toBe(1);
    const rendered = await page.locator('.job-table tbody tr:not(.spacer)').count();
    expect(rendered).toBeLessThan(60);
    // To the bottom: the last job is there, and still only a screenful of rows is in the page.
    await page.locator('.job-scroll').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await expect.poll(() => page.getByRole('link', { name: 'sweep-09999' }).count()).toBe(1);
    expect(await page.locator('.job-table tbody tr:not(.spacer)').count()).toBeLessThan(60);
    await shoot(page, 'scientist-jobs-10000-desktop');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
