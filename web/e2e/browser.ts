/**
 * Browser tests' harness: Debian's chromium (`apt-get install chromium`; `.ci/run` installs it)
 * driven by playwright-core, no browser download. Without chromium the browser tests are skipped
 * with a message, unless GPUPOOL_BROWSER_TESTS=required (CI sets it), when they fail instead.
 * Each page fails its test on any console error or uncaught exception.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
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
