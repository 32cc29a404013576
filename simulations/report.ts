/**
 * The HTML report rendered: its page (report-page.ts) with each chart's Vega-Lite spec rendered to
 * SVG in Node by vega. This module loads vega and vega-lite, a large module graph: it is imported
 * only where a report is written.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { pageDocument, type ReportInput, type ReportPage, reportPage } from './report-page.js';

export type { ReportInput, ReportPage } from './report-page.js';

async function svg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * The page as HTML, its charts rendered in page order, one at a time. Vega tags the data values it
 * reads (a symbol-keyed id), so a page is rendered once or cloned first.
 */
export async function renderPage(page: ReportPage): Promise<string> {
  let body = '';
  for (const block of page.blocks) body += 'html' in block ? block.html : await svg(block.spec);
  return pageDocument(page, body);
}

/** The report of these simulations as HTML. */
export async function renderReport(input: ReportInput): Promise<string> {
  return renderPage(reportPage(input));
}
