/**
 * The HTML report rendered: its page (report-page.ts) with each chart's Vega-Lite spec rendered to
 * SVG in Node by vega. This module loads vega and vega-lite, a large module graph: it is imported
 * only where a report is written.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { pageDocument, type ReportInput, type ReportPage, reportPage } from './report-page.js';

export type { ReportInput, ReportPage } from './report-page.js';

/** One chart as SVG. */
export async function chartSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * The page as HTML, its charts rendered in page order, one at a time; a chart handed ahead of the
 * page is `ahead`'s SVG of it, by its number. Vega tags the data values it reads (a symbol-keyed
 * id), so a page is rendered once or cloned first.
 */
export async function renderPage(page: ReportPage, ahead?: (chart: number) => Promise<string>): Promise<string> {
  let body = '';
  for (const block of page.blocks) {
    if ('html' in block) body += block.html;
    else if ('spec' in block) body += await chartSvg(block.spec);
    else if (ahead) body += await ahead(block.chart);
    else throw new Error(`report page: chart ${block.chart} was handed ahead, and no renderer has it`);
  }
  return pageDocument(page, body);
}

/** The report of these simulations as HTML. */
export async function renderReport(input: ReportInput): Promise<string> {
  return renderPage(reportPage(input));
}
