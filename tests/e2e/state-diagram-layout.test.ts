import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { builtWorkbench, openWorkbench, pageErrors, runFromPalette } from '../kit/browser.ts';
import { injectSession } from './injected-session.ts';

const workbench = builtWorkbench(test);

test('the state diagram labels every edge legibly, apart from each other, and highlights the live state and the last transition', async () => {
  const page = await openWorkbench(workbench.browser, workbench.url);
  await injectSession(page);
  await page.locator('[data-symbol="USDCHF"] button.row').click();
  const svg = page.locator('[data-symbol-editor="USDCHF"] svg[data-current-state]');
  await svg.waitFor();
  assert.is(await svg.getAttribute('data-current-state'), 'in-trade');
  assert.is(await svg.locator('.node.current').getAttribute('data-state'), 'in-trade');
  // The injected session's last transition: scanning -> in-trade.
  assert.is(await svg.locator('.edge.hot').getAttribute('data-edge'), 'scanning->in-trade');
  const labels = await svg.locator('.edge text').evaluateAll((els) => els.map((el) => {
    const r = el.getBoundingClientRect();
    return { text: el.textContent ?? '', x: r.x, y: r.y, w: r.width, h: r.height, px: parseFloat(getComputedStyle(el).fontSize) * (r.height > 0 ? 1 : 0) };
  }));
  assert.is(labels.length, await svg.locator('.edge').count());
  for (const l of labels) assert.ok(l.text.trim().length > 0 && l.w > 0, `an edge without a visible label: ${JSON.stringify(l)}`);
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      const a = labels[i];
      const b = labels[j];
      assert.not.ok(a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h, `"${a.text}" overlaps "${b.text}"`);
    }
  }
  // Drawn at no less than 9 px on screen at this size.
  const scale = await svg.evaluate((el) => (el as SVGSVGElement).getScreenCTM()?.a ?? 0);
  assert.ok(scale * 12 >= 9, `labels at ${(scale * 12).toFixed(1)} px`);
});

test('the State machines tab gives each symbol\'s diagram its share of the space', async () => {
  const page = await openWorkbench(workbench.browser, workbench.url);
  await injectSession(page);
  await runFromPalette(page, 'Show State Machines');
  const diagrams = page.locator('[data-editor-type="state-machines"] svg, .grid svg[data-current-state]');
  await diagrams.first().waitFor();
  const area = await page.locator('.content').first().boundingBox();
  const boxes = await diagrams.evaluateAll((els) => els.map((el) => el.getBoundingClientRect().height));
  assert.is(boxes.length, 2);
  const used = boxes.reduce((a, b) => Math.max(a, b), 0);
  assert.ok(used >= area!.height * 0.6, `diagram ${used}px tall in a ${area!.height}px editor`);
  assert.equal(pageErrors(page), []);
});

test.run();
