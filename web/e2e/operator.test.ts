/**
 * The Operator view in a real browser (Debian's chromium, playwright-core) against `gpupool serve`
 * on SQLite with the simulated runtime: an operator signs in, creates a pool, allocates GPUs to
 * it, creates a group with that pool, onboards a data scientist into it and issues them a token
 * (read off the page, and it works), is refused in words for a bad action, cordons a node, and
 * watches the pool's use over time drawn as a chart. Each page passes axe-core with no serious or
 * critical violation, at desktop and phone widths, without a console error; screenshots of both.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, serve } from '../../app/serve.js';
import { apiAt, axeViolations, browserGate, DESKTOP, launch, openPage, PHONE, screenshotDir, signInWith } from './browser.js';

const missing = browserGate();

const dir = mkdtempSync(join(tmpdir(), 'gpupool-operator-'));
const CLUSTER = join(dir, 'cluster.yaml');
writeFileSync(
  CLUSTER,
  [
    'nodes:',
    '  - id: gpu-1',
    '    gpus: { type: A100, count: 4 }',
    '  - id: gpu-2',
    '    gpus: { type: A100, count: 4 }',
    '    labels: { zone: b, disk: ssd }',
    '  - id: gpu-3',
    '    gpus: { type: A100, count: 4 }',
    '',
  ].join('\n'),
);

let served: Served;
let browser: Browser;
let operatorToken: string;
/** The data scientist's token, as the Users page showed it. */
let ninasToken = '';

const api = apiAt(() => served.url);

async function signIn(page: Page, token: string) {
  await signInWith(page, served.url, token);
  await expect.poll(() => page.getByRole('navigation', { name: 'Operator' }).count()).toBe(1);
}

async function go(page: Page, link: string) {
  await page.getByRole('navigation', { name: 'Operator' }).getByRole('link', { name: link, exact: true }).click();
  await expect.poll(() => page.getByRole('heading', { level: 1, name: link }).count()).toBe(1);
}

/** The page's width as laid out: wider than the window means the page scrolls sideways. */
const pageWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

const shot = (page: Page, name: string) => page.screenshot({ path: join(screenshotDir(), name), fullPage: true });

describe.skipIf(missing !== null)('the Operator view in a browser', () => {
  beforeAll(async () => {
    served = await serve({
      port: 0,
      store: join(dir, 'operator.db'),
      cluster: CLUSTER,
      launchDelaySeconds: 0.2,
      leaderLeaseSeconds: 1,
    });
    operatorToken = served.bootstrapToken?.token as string;
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await served?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an operator creates a pool, gives it GPUs and a group, onboards a data scientist and issues their token', async () => {
    const { page, errors } = await openPage(browser, DESKTOP);
    await signIn(page, operatorToken);
    await go(page, 'Pools');

    // Create a pool.
    const create = page.getByRole('form', { name: 'Create a pool' });
    await create.getByLabel('Pool id').fill('vision');
    await create.getByLabel('GPU type').fill('A100');
    await create.getByRole('button', { name: 'Create pool' }).click();
    const poolRow = page.getByRole('row', { name: /^vision A100/ });
    await expect.poll(() => poolRow.count()).toBe(1);

    // The same again is refused, in words, where the form is.
    await create.getByLabel('Pool id').fill('vision');
    await create.getByLabel('GPU type').fill('A100');
    await create.getByRole('button', { name: 'Create pool' }).click();
    await expect.poll(() => create.getByRole('alert').textContent()).toMatch(/vision.*(exists|taken)/i);

    // Allocate by count, then one more GPU by picking the device.
    const allocate = page.getByRole('form', { name: 'Allocate GPUs to a pool' });
    await allocate.getByLabel('Pool', { exact: true }).selectOption('vision');
    await allocate.getByLabel('Number of GPUs').fill('4');
    await allocate.getByRole('button', { name: 'Allocate' }).click();
    await expect.poll(() => poolRow.locator('td').nth(3).textContent()).toBe('4');
    await allocate.getByLabel('By picking devices').check();
    await allocate.getByRole('checkbox', { name: /^gpu-3\/0/ }).check();
    await allocate.getByRole('button', { name: 'Allocate' }).click();
    await expect.poll(() => poolRow.locator('td').nth(3).textContent()).toBe('5');
    // More GPUs than the Default Pool holds: refused, in words.
    await allocate.getByLabel('By count').check();
    await allocate.getByLabel('Number of GPUs').fill('100');
    await allocate.getByRole('button', { name: 'Allocate' }).click();
    await expect.poll(() => allocate.getByRole('alert').textContent()).toMatch(/\w+ \w+ \w+/);
    const refusal = await allocate.getByRole('alert').textContent();
    expect(refusal).not.toMatch(/^\d{3}$|Conflict$/);

    // Policy and maximum wait.
    const settings = page.getByRole('form', { name: 'Pool settings' });
    await settings.getByLabel('Pool', { exact: true }).selectOption('vision');
    await settings.getByLabel('Policy').selectOption('backfill');
    await settings.getByLabel('Maximum wait (seconds)').fill('3600');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => poolRow.locator('td').nth(2).textContent()).toBe('backfill');
    await expect.poll(() => poolRow.locator('td').last().textContent()).toBe('1 h 0 min');

    // A group with that pool.
    await go(page, 'Groups');
    const group = page.getByRole('form', { name: 'Create a group' });
    await group.getByLabel('Group id').fill('cv');
    await group.getByLabel('Display name').fill('Computer vision');
    await group.getByLabel('Its pool').selectOption('vision');
    await group.getByRole('button', { name: 'Create group' }).click();
    await expect
      .poll(() =>
        page
          .getByRole('row', { name: /Computer vision/ })
          .locator('td')
          .first()
          .textContent(),
      )
      .toBe('vision');

    // A data scientist in it, with a token.
    await go(page, 'Users');
    const onboard = page.getByRole('form', { name: 'Onboard a user' });
    await onboard.getByLabel('User id').fill('nina');
    await onboard.getByLabel('Full name').fill('Nina Simone');
    await onboard.getByLabel('Role').selectOption('data-scientist');
    await onboard.getByLabel('Group').selectOption('cv');
    await onboard.getByRole('button', { name: 'Onboard' }).click();
    await expect.poll(() => page.getByRole('row', { name: /^nina Nina Simone data scientist Computer vision/ }).count()).toBe(1);
    const tokens = page.getByRole('form', { name: 'Tokens' });
    await tokens.getByLabel('User', { exact: true }).selectOption('nina');
    await tokens.getByLabel('Label of a new token').fill('laptop');
    await tokens.getByRole('button', { name: 'Issue a token' }).click();
    await expect.poll(() => tokens.getByLabel('New token', { exact: true }).inputValue()).not.toBe('');
    ninasToken = await tokens.getByLabel('New token', { exact: true }).inputValue();
    // The copy button copies, or says to copy by hand where the browser will not let it.
    await tokens.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => tokens.getByText(/^Copied\.$|copy it yourself/).count()).toBe(1);
    await expect.poll(() => tokens.getByRole('list', { name: 'Live tokens of nina' }).textContent()).toContain('laptop');
    const me = await api(ninasToken, 'GET', '/api/v1/me');
    expect(me.body).toMatchObject({ id: 'nina', group: 'cv', role: 'data-scientist' });
    await shot(page, 'operator-token-desktop.png');
    // The two refusals asked for above are the only errors the browser logs (it logs every 4xx).
    expect(errors.filter((e) => !/status of 409/.test(e))).toEqual([]);
    expect(errors).toHaveLength(2);
    await page.context().close();
  });

  it('shows a node’s labels (what node selectors match), and cordons and uncordons it from its tile', async () => {
    const { page, errors } = await openPage(browser, DESKTOP);
    await signIn(page, operatorToken);
    const tile = page.getByRole('listitem').filter({ hasText: 'gpu-2' }).first();
    await expect.poll(() => tile.locator('.node-labels').textContent()).toBe('Labels: zone=b, disk=ssd');
    expect(await page.getByRole('listitem').filter({ hasText: 'gpu-1' }).first().locator('.node-labels').count()).toBe(0);
    await shot(page, 'operator-node-labels-desktop.png');
    await page.getByRole('button', { name: 'Cordon gpu-2' }).click();
    await expect.poll(() => page.getByRole('listitem').filter({ hasText: 'gpu-2' }).first().textContent()).toContain('cordoned');
    expect((await api(operatorToken, 'GET', '/api/v1/nodes/gpu-2')).body.cordoned).toBe(true);
    await page.getByRole('button', { name: 'Uncordon gpu-2' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Cordon gpu-2' }).count()).toBe(1);
    expect((await api(operatorToken, 'GET', '/api/v1/nodes/gpu-2')).body.cordoned).toBe(false);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('draws the pool’s use and queue over time as jobs start and wait', async () => {
    expect(ninasToken).not.toBe('');
    for (const [jobId, gpus] of [
      ['a', 4],
      ['b', 1],
      ['c', 3],
    ] as const) {
      const r = await api(ninasToken, 'POST', '/api/v1/jobs', { jobId, kind: 'training', gpus, expectedDuration: 3600 });
      expect(r.status).toBe(201);
    }
    const { page, errors } = await openPage(browser, DESKTOP);
    await signIn(page, operatorToken);
    await go(page, 'Pools');
    await page.getByLabel('Pool to chart').selectOption('vision');
    const figure = page.getByRole('figure');
    await expect.poll(() => figure.locator('canvas').count()).toBeGreaterThan(0);
    const box = await figure.locator('canvas').first().boundingBox();
    expect(box?.width).toBeGreaterThan(300);
    expect(box?.height).toBeGreaterThan(100);
    // 5 GPUs in use (4 + 1), the 3-GPU job waiting: the sentence under the chart says so.
    await expect
      .poll(() => figure.locator('.chart-summary').textContent(), { timeout: 10_000 })
      .toMatch(/5 of 5 GPUs in use and 1 job waiting now/);
    // The queue and its oldest wait are in the pool's row.
    const row = page.getByRole('row', { name: /^vision A100/ });
    await expect.poll(() => row.locator('td').nth(7).textContent()).toBe('1');
    await expect.poll(() => row.locator('td').nth(8).textContent()).toMatch(/\d+ s/);
    // What if three idle GPUs of the Default Pool moved to vision: the waiting 3-GPU job would start at once.
    const whatIf = page.getByRole('region', { name: 'What if…' });
    await whatIf.getByLabel('Planned change').selectOption('MovePoolDevices');
    await whatIf.getByLabel('GPUs', { exact: true }).fill('3');
    await whatIf.getByLabel('From pool').selectOption('default');
    await whatIf.getByLabel('To pool').selectOption('vision');
    await whatIf.getByRole('button', { name: 'Add to the plan' }).click();
    await whatIf.getByRole('button', { name: 'Forecast' }).click();
    const table = whatIf.getByRole('region', { name: 'Predicted waits before and after' });
    await expect.poll(() => table.textContent(), { timeout: 10_000 }).toMatch(/1 waiting jobs: 1 sooner, 0 later/);
    // Nothing changed in the cluster: c still waits.
    expect((await api(ninasToken, 'GET', '/api/v1/jobs/c')).body.status).toBe('WaitingForGPUs');
    await shot(page, 'operator-pools-desktop.png');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('moves a device and a user, revokes a token and removes a user', async () => {
    expect(
      (await api(operatorToken, 'POST', '/api/v1/users', { userId: 'temp', name: 'Temp', role: 'data-scientist' })).status,
    ).toBe(201);
    const ci = await api(operatorToken, 'POST', '/api/v1/users/temp/tokens', { label: 'ci' });
    const { page, errors } = await openPage(browser, DESKTOP);
    await signIn(page, operatorToken);

    await go(page, 'Pools');
    const move = page.getByRole('form', { name: 'Move devices between pools' });
    await move.getByLabel('Move into pool').selectOption('vision');
    await move.getByRole('checkbox', { name: /^gpu-2\/0/ }).check();
    await move.getByRole('button', { name: 'Move devices' }).click();
    await expect.poll(async () => (await api(operatorToken, 'GET', '/api/v1/nodes/gpu-2')).body.devices[0].pool).toBe('vision');

    await go(page, 'Users');
    const moveUser = page.getByRole('form', { name: 'Move a user to another group' });
    await moveUser.getByLabel('User', { exact: true }).selectOption('temp');
    await moveUser.getByLabel('New group').selectOption('cv');
    await moveUser.getByRole('button', { name: 'Move user' }).click();
    await expect.poll(() => page.getByRole('row', { name: /^temp Temp data scientist Computer vision/ }).count()).toBe(1);

    const tokens = page.getByRole('form', { name: 'Tokens' });
    await tokens.getByLabel('User', { exact: true }).selectOption('temp');
    await tokens.getByRole('button', { name: 'Revoke token ci' }).click();
    await expect.poll(() => tokens.getByText('No live tokens.').count()).toBe(1);
    expect((await api(ci.body.token, 'GET', '/api/v1/me')).status).toBe(401);

    await page.getByRole('button', { name: 'Remove temp' }).click();
    await page.getByRole('button', { name: 'Yes, remove temp' }).click();
    await expect.poll(() => page.getByRole('row', { name: /^temp / }).count()).toBe(0);
    expect((await api(operatorToken, 'GET', '/api/v1/users/temp')).status).toBe(404);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  for (const [viewport, width] of [
    [DESKTOP, 'desktop'],
    [PHONE, 'phone'],
  ] as const) {
    it(`every operator page passes axe-core and fits the ${width} width (${viewport.width}x${viewport.height})`, async () => {
      const { page, errors } = await openPage(browser, viewport);
      await signIn(page, operatorToken);
      for (const name of ['Cluster', 'Pools', 'Groups', 'Users']) {
        await go(page, name);
        if (name === 'Pools') await expect.poll(() => page.locator('.usage-plot canvas').count()).toBeGreaterThan(0);
        if (name === 'Users') await page.getByRole('button', { name: 'Remove nina' }).click();
        await expect.poll(() => page.getByText('Loading…').count()).toBe(0);
        await shot(page, `operator-${name.toLowerCase()}-${width}.png`);
        expect(await axeViolations(page), `${name} at ${width}`).toEqual([]);
        expect(await pageWidth(page), `${name} at ${width}: no sideways scrolling`).toBeLessThanOrEqual(viewport.width);
      }
      // Keyboard: the pool form is reached and filled without a mouse.
      await go(page, 'Pools');
      await page.getByLabel('Pool id').focus();
      await page.keyboard.type('kb');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      await page.keyboard.type('A100');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByRole('row', { name: /^kb A100/ }).count()).toBe(1);
      await api(operatorToken, 'DELETE', '/api/v1/pools/kb');
      expect(errors).toEqual([]);
      await page.context().close();
    });
  }
});
