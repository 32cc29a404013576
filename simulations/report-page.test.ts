/**
 * The report's page (report-page.ts) apart from its rendering (report.ts): the page is plain data
 * that crosses to another thread as it is, and rendering it is the report, byte for byte.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TopLevelSpec } from 'vega-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { runSimulateCommand } from './command.js';
import { chartSvg, renderPage, renderReport } from './report.js';
import { type ReportPage, reportPage } from './report-page.js';
import { type JobRecord, simulate } from './simulate.js';
import { summarize } from './summary.js';
import { tiresiasSample } from './test-support/tiresias.js';
import { traceJob } from './traces.js';

const dir = mkdtempSync(join(tmpdir(), 'gpupool-report-page-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cluster = join(dir, 'cluster.csv');
writeFileSync(cluster, 'pool,nodes,gpus_per_node\nmain,2,8\n');
/** The command both describes run: the fixture under two policies, nothing printed. */
const COMMAND = { ...tiresiasSample(cluster), policies: ['fifo', 'sjf'], progress: 'none', log: () => {} } as const;

describe('the report page of a simulate command', async () => {
  const out = join(dir, 'out');
  const handed: { page: ReportPage; file: string }[] = [];
  const { results, summaries } = await runSimulateCommand({
    ...COMMAND,
    out,
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

describe('charts handed ahead of the page (renderAhead)', async () => {
  const out = join(dir, 'ahead');
  const ahead: { spec: TopLevelSpec; summaryWritten: boolean; pageBuilt: boolean }[] = [];
  let page: ReportPage | undefined;
  await runSimulateCommand({
    ...COMMAND,
    out,
    renderAhead: (spec) => {
      ahead.push({ spec, summaryWritten: existsSync(join(out, 'summary.json')), pageBuilt: page !== undefined });
      return ahead.length - 1;
    },
    renderReport: async (p) => {
      page = p;
    },
  });
  const reference: ReportPage[] = [];
  await runSimulateCommand({
    ...COMMAND,
    out: join(dir, 'reference'),
    renderReport: async (p) => {
      reference.push(p);
    },
  });

  it("hands each simulation's charts over time at once, before its summary and the page", () => {
    expect(ahead.map((a) => a.spec.title)).toEqual([
      'GPUs in use over time',
      'Queue length over time',
      'GPUs in use over time',
      'Queue length over time',
    ]);
    expect(ahead.some((a) => a.summaryWritten || a.pageBuilt)).toBe(false);
  });

  it('the page refers to them by number where it held them, and holds the other charts', () => {
    const blocks = (page as ReportPage).blocks;
    expect(blocks.flatMap((b) => ('chart' in b ? [b.chart] : []))).toEqual([0, 1, 2, 3]);
    expect(blocks.filter((b) => 'spec' in b)).toHaveLength(5);
    // In the reference page, the same places hold those very specs.
    const referenceBlocks = (reference[0] as ReportPage).blocks;
    expect(referenceBlocks).toHaveLength(blocks.length);
    blocks.forEach((b, i) => {
      if ('chart' in b) expect((referenceBlocks[i] as { spec: TopLevelSpec }).spec).toEqual(ahead[b.chart]?.spec);
      else expect(b).toEqual(referenceBlocks[i]);
    });
  });

  it('renders, with the SVGs of the charts handed ahead, to the same report byte for byte', async () => {
    const svgs = ahead.map((a) => chartSvg(a.spec));
    const html = await renderPage(page as ReportPage, (chart) => svgs[chart] as Promise<string>);
    expect(html).toBe(await renderPage(reference[0] as ReportPage));
  });

  it('refuses to render a page that refers to charts without them, naming the chart', async () => {
    await expect(renderPage(page as ReportPage)).rejects.toThrow('report page: chart 0 was handed ahead, and no renderer has it');
  });
});

describe('jobs that can never run', async () => {
  const pools = [{ name: 'p', nodes: 1, gpusPerNode: 8, gpuType: 'GPU' }];
  const trace = [
    traceJob({ id: 'fits', gpus: 4, submit: 0, duration: 10 }),
    ...Array.from({ length: 22 }, (_, i) => traceJob({ id: `<big ${i}>`, gpus: 9 + i, submit: i, duration: 10 })),
  ];
  const result = await simulate({ pools, trace, policy: 'fifo', placement: 'count' });
  const html = (r: typeof result) =>
    reportPage({ title: 't', description: 'd', results: [r], summaries: [summarize(r)] })
      .blocks.flatMap((b) => ('html' in b ? [b.html] : []))
      .join('');

  it('are listed under the figures with the engine’s reason, the first 20, and how many more jobs.csv has', () => {
    const page = html(result);
    expect(page).toContain('<h3>Jobs that can never run (22)</h3>');
    const first = result.jobs[1] as JobRecord;
    expect(first.rejection).toMatch(/9 GPUs/);
    expect(page).toContain(
      `<tr><td>&lt;big 0&gt;</td><td class="text">p</td><td>9</td><td class="text">${first.rejection}</td></tr>`,
    );
    expect(page).toContain('&lt;big 19&gt;');
    expect(page).not.toContain('&lt;big 20&gt;');
    expect(page).toContain('and 2 more: the reason column of jobs.csv lists them all.');
    expect(page).not.toContain('<td>fits</td>');
  });

  it('are not mentioned when there are none', () => {
    const page = html({ ...result, jobs: result.jobs.slice(0, 1) });
    expect(page).not.toContain('never run');
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
