/**
 * The dashboard in a real browser (Debian's chromium, playwright-core) against `gpupool serve` on
 * SQLite with the simulated runtime: an operator signs in and sees the cluster; a data scientist
 * signs in, never sees the Operator view, submits a job through the form and watches it start
 * live. No console error anywhere; screenshots at desktop and phone widths.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, serve } from '../../app/serve.js';
import { apiAt, browserGate, DESKTOP, launch, openPage, PHONE, screenshotDir, signInWith } from './browser.js';

const missing = browserGate();

const dir = mkdtempSync(join(tmpdir(), 'gpupool-web-'));
const CLUSTER = join(dir, 'cluster.yaml');
writeFileSync(
  CLUSTER,
  'nodes:\n  - id: gpu-1\n    gpus: { type: A100, count: 4 }\n  - id: gpu-2\n    gpus: { type: A100, count: 4 }\n',
);

let served: Served;
let browser: Browser;
let operatorToken: string;

/** A call to the API as someone, for the set-up the test does not click through. */
const api = apiAt(() => served.url);

const signIn = (page: Page, token: string) => signInWith(page, served.url, token);

describe.skipIf(missing !== null)('the dashboard in a browser', () => {
  beforeAll(async () => {
    served = await serve({
      port: 0,
      store: join(dir, 'web.db'),
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

  it('an operator signs in with the printed token and sees every node’s GPUs and the pools', async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, operatorToken);
    await expect.poll(() => page.getByRole('heading', { name: 'Cluster' }).count()).toBe(1);
    await expect.poll(() => page.getByRole('img', { name: /^GPU gpu-\d\/\d/ }).count()).toBe(8);
    expect(await page.getByRole('navigation', { name: 'Operator' }).getByRole('link').allTextContents()).toEqual([
      'Cluster',
      'Pools',
      'Groups',
      'Users',
    ]);
    // The token is in this tab's session storage, never in the address.
    expect(page.url()).not.toContain(operatorToken);
    await page.screenshot({ path: join(screenshotDir(), 'operator-cluster-desktop.png') });
    expect(errors).toEqual([]);
  });

  it('a wrong token is refused in words, and nothing else is shown', async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, 'not-a-token');
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/not valid/);
    expect(await page.getByRole('navigation').count()).toBe(0);
    // The API's 401 for the bad token is the one console error a refused sign-in makes.
    expect(errors.filter((e) => !/401/.test(e))).toEqual([]);
  });

  it('a data scientist sees only their view, submits a job, and watches it start live', async () => {
    expect(
      (await api(operatorToken, 'POST', '/api/v1/users', { userId: 'nina', name: 'Nina', role: 'data-scientist' })).status,
    ).toBe(201);
    const issued = await api(operatorToken, 'POST', '/api/v1/users/nina/tokens', {});
    expect(issued.status).toBe(201);
    const { page, errors } = await openPage(browser, PHONE);
    await signIn(page, issued.body.token);
    await expect.poll(() => page.getByRole('heading', { name: 'Jobs' }).count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Cluster' }).count()).toBe(0);
    await page.getByRole('button', { name: /Nina/ }).click();
    expect(await page.getByRole('menuitem', { name: /Operator view/ }).count()).toBe(0);
    await page.keyboard.press('Escape');
    await page.getByRole('link', { name: 'New job' }).click();
    await page.getByLabel('Name', { exact: true }).fill('first-run');
    await page.getByLabel('GPUs', { exact: true }).fill('2');
    await page.getByLabel('Expected duration (seconds)').fill('600');
    await page.getByRole('button', { name: 'Submit' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'first-run' }).count()).toBe(1);
    // Starting at once (the pool has the GPUs), then Training when the runtime reports it: live, no reload.
    await expect.poll(() => page.locator('.badge').first().textContent(), { timeout: 10_000 }).toBe('Training');
    await page.screenshot({ path: join(screenshotDir(), 'scientist-job-phone.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('serves the page with a content security policy and the assets cached for a year', async () => {
    const page = await fetch(served.url);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(await page.text())?.[1];
    const asset = await fetch(`${served.url}/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toMatch(/max-age=31536000.*immutable/);
  });
});

export { DESKTOP };
