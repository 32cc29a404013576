/**
 * Browser tests' harness: Debian's chromium (`apt-get install chromium`; `.ci/run` installs it)
 * driven by playwright-core, no browser download. Without chromium the browser tests are skipped
 * with a message, unless GPUPOOL_BROWSER_TESTS=required (CI sets it), when they fail instead.
 * Each page fails its test on any console error or uncaught exception.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axe from 'axe-core';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { builtDashboard } from '../../adapters/http/routes/dashboard.js';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(
  (p): p is string => typeof p === 'string' && p !== '',
);

export const chromiumPath = CANDIDATES.find((p) => existsSync(p)) ?? null;
export const browserRequired = process.env.GPUPOOL_BROWSER_TESTS === 'required';

/** Why the browser tests cannot run here, or null when they can. */
export function browserMissing(): string | null {
  if (!builtDashboard()) return 'the dashboard is not built (npm run build)';
  if (!chromiumPath) return 'chromium is not installed (apt-get install chromium)';
  return null;
}

/**
 * Why this file's browser tests cannot run here (they are then skipped, with a warning), or null.
 * Where they are required, a reason is an error instead.
 */
export function browserGate(): string | null {
  const missing = browserMissing();
  if (missing && browserRequired) throw new Error(`browser tests are required here, but ${missing}`);
  if (missing) console.warn(`browser tests skipped: ${missing}`);
  return missing;
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath as string,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** A page that records console errors and uncaught exceptions into `errors`. */
export async function openPage(browser: Browser, viewport = DESKTOP): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return { page, errors };
}

/** Where screenshots go: docs/images when GPUPOOL_SCREENSHOTS=1 (to refresh the README's), else a temp folder. */
export function screenshotDir(): string {
  const dir = process.env.GPUPOOL_SCREENSHOTS === '1' ? join(process.cwd(), 'docs', 'images') : join(tmpdir(), 'gpupool-screens');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Calls to the API of the server at `url` as the holder of a token, for what a test does not click through. */
export function apiAt(url: () => string) {
  return async (token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(url() + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    // biome-ignore lint/suspicious/noExplicitAny: tests read answers of every shape
    return { status: res.status, body: (text === '' ? undefined : JSON.parse(text)) as any };
  };
}

/** Sign in on the page of the server at `url` with a token, as a person does. */
export async function signInWith(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * axe-core's serious and critical violations on the page as it stands, in words. The page's
 * content security policy refuses inline scripts (a script tag with axe's source among them), so
 * axe is evaluated through the browser's debugging protocol, which the policy does not govern.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source);
  const result = await page.evaluate(() => (window as unknown as { axe: typeof axe }).axe.run());
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/**
 * What a data scientist's page tests do against the server at `url`: API calls that must succeed
 * (set-up not clicked through), signing in, going to a page by its hash and waiting for its
 * heading, axe-core on the page as it is (no serious or critical violation), a screenshot, and
 * the page header's badge.
 */
export function scientistPages(url: () => string) {
  const api = apiAt(url);
  return {
    api,
    async ok(token: string, method: string, path: string, body?: unknown) {
      const r = await api(token, method, path, body);
      if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    },
    async signIn(page: Page, token: string) {
      await signInWith(page, url(), token);
      await expect.poll(() => page.getByRole('navigation', { name: 'Data Scientist' }).count()).toBe(1);
    },
    async go(page: Page, hash: string, heading: string | RegExp) {
      await page.goto(`${url()}/#${hash}`);
      await expect.poll(() => page.getByRole('heading', { level: 1, name: heading }).count()).toBe(1);
    },
    async accessible(page: Page, what: string) {
      expect((await axeViolations(page)).map((v) => `${what}: ${v}`)).toEqual([]);
    },
    async shoot(page: Page, name: string) {
      await page.screenshot({ path: join(screenshotDir(), `${name}.png`), fullPage: true });
    },
    badge: (page: Page) => page.locator('.page-header .badge').first().textContent(),
  };
}
