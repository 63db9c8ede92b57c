import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
// axe-core's own build, read once per process and put into each page once: the workbench is one
// document (no frames), so axe.run there checks what @axe-core/playwright's analyze() checks,
// without parsing the 500 KB script again for every view (that was most of each check's ~2.5 s).
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeNode { target: string[] }
interface AxeViolation { id: string; impact?: string | null; help: string; nodes: AxeNode[] }

/** axe-core's WCAG 2.1 A/AA rules over the page as it is; only serious and critical findings count. */
export async function seriousViolations(page: Page, view: string): Promise<string[]> {
  const frames = page.frames().length;
  if (frames > 1) throw new Error(`seriousViolations checks one document; the page has ${frames} frames`);
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target.map(String) })) }));
  }, TAGS);
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${view}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}
