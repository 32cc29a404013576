/**
 * The report's page (report-page.ts) apart from its rendering (report.ts): the page is plain data
 * that crosses to another thread as it is, and rendering it is the report, byte for byte.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runSimulateCommand } from './command.js';
import { renderPage, renderReport } from './report.js';
import { type ReportPage, reportPage } from './report-page.js';

const TRACE = fileURLToPath(new URL('./fixtures/tiresias-60/trace.csv', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gpupool-report-page-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cluster = join(dir, 'cluster.csv');
writeFileSync(cluster, 'pool,nodes,gpus_per_node\nmain,2,8\n');

describe('the report page of a simulate command', async () => {
  const out = join(dir, 'out');
  const handed: { page: ReportPage; file: string }[] = [];
  const { results, summaries } = await runSimulateCommand({
    trace: TRACE,
    format: 'tiresias',
    cluster,
    policies: ['fifo', 'sjf'],
    placement: 'count',
    capacityScale: 1,
    seed: 1,
    out,
    progress: 'none',
    log: () => {},
    renderReport: async (page, file) => {
      // Handed over before the command writes its files: whoever renders works meanwhile.
      expect(existsSync(join(out, 'summary.json'))).toBe(false);
      handed.push({ page, file });
    },
  });
  const { page, file } = handed[0] as { page: ReportPage; file: string };
  // Before any rendering: vega tags the data values it reads (a symbol-keyed id) as it renders.
  const pristine = structuredClone(page);

  it('is handed to the caller once, for DIR/report.html, which the command then leaves to it', () => {
    expect(handed).toHaveLength(1);
    expect(file).toBe(join(out, 'report.html'));
    expect(existsSync(file)).toBe(false);
    expect(readFileSync(join(out, 'summary.json'), 'utf8')).toContain('"policies"');
  });

  it('is plain data: a structured clone is equal and renders the same page', async () => {
    const clone = structuredClone(page);
    expect(clone).toEqual(page);
    expect(await renderPage(clone)).toBe(await renderPage(page));
  });

  it('holds every chart as a spec, in page order, and the tables as HTML', () => {
    const specs = page.blocks.flatMap((b) => ('spec' in b ? [b.spec] : []));
    // The comparison's 3, then 3 per policy (the wait by size is in the comparison).
    expect(specs.map((s) => s.title)).toEqual([
      'Policies side by side (all pools)',
      'Job completion time distribution by policy',
      'Average wait by job size',
      'GPUs in use over time',
      'Queue length over time',
      'Job completion time distribution',
      'GPUs in use over time',
      'Queue length over time',
      'Job completion time distribution',
    ]);
    const html = page.blocks.flatMap((b) => ('html' in b ? [b.html] : [])).join('');
    expect(html).toContain('<h2>Comparison</h2>');
    expect(html).toContain('<h2>Policy sjf (count placement)</h2>');
    expect(html).not.toContain('<svg');
  });

  it('renders to what renderReport makes of the same results', async () => {
    const input = { title: page.title, description: page.description, results, summaries };
    expect(reportPage(input)).toEqual(pristine);
    const html = await renderPage(page);
    expect(html).toBe(await renderReport(input));
    expect(html.match(/<svg[\s\S]*?<\/svg>/g)).toHaveLength(9);
    expect(html).toMatch(/^<!doctype html>[\s\S]*<\/html>\n$/);
  });

  it('a single policy has its wait by size in its own section', async () => {
    const input = { title: 't', description: 'd', results: results.slice(0, 1), summaries: summaries.slice(0, 1) };
    const one = reportPage(input);
    expect(one.blocks.flatMap((b) => ('spec' in b ? [b.spec.title] : []))).toEqual([
      'GPUs in use over time',
      'Queue length over time',
      'Job completion time distribution',
      'Average wait by job size',
    ]);
    expect(await renderPage(structuredClone(one))).toBe(await renderReport(input));
  });
});

describe('report-page.ts', () => {
  it('imports vega and vega-lite for their types only (the page is built without loading them)', () => {
    const source = readFileSync(fileURLToPath(new URL('./report-page.ts', import.meta.url)), 'utf8');
    const imports = source.match(/^import .*$/gm) ?? [];
    const charting = imports.filter((l) => /['"]vega(-lite)?['"]/.test(l));
    expect(charting.length).toBeGreaterThan(0);
    for (const line of charting) expect(line).toMatch(/^import type /);
  });
});
