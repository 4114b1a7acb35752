/** The HTML report renders in headless Chromium (skipped, with the reason, where it is absent). */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { renderHtml } from '../src/report/html.js';
import { sampleResult } from '../src/report/sample-result.js';
import { summariseRepeats } from '../src/report/stats.js';

const CHROMIUM = '/usr/bin/chromium';
const missing = !existsSync(CHROMIUM);
if (missing) process.stdout.write(`report render test skipped: ${CHROMIUM} is not installed (CI installs it)\n`);

describe.skipIf(missing)('HTML report in Chromium', () => {
  it('renders the summary and a timeline with one marker per notable event, fetching nothing', async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      const partition = { fault: 'partition', host: 's1', at: 400, affected: ['alice'], healedMs: 700, intervals: 7 };
      const runs = [sampleResult(), sampleResult({ status: 'failed', scenario: 'second' }), sampleResult({ failovers: [partition] })];
      await page.setContent(renderHtml(runs, [summariseRepeats(runs)]), { waitUntil: 'load' });
      expect(await page.textContent('#totals')).toBe('3 runs: 2 passed, 1 failed, 0 pending, 0 skipped');
      expect(await page.locator('svg.timeline').count()).toBe(3);
      expect(await page.locator('#run-0 svg.timeline .mark').count()).toBe(5);
      const box = await page.locator('#run-0 svg.timeline').boundingBox();
      expect(box?.width).toBeGreaterThan(100);
      // Zoomed on the fault: the start-up band is narrow, the failover window is drawn and labelled.
      const collapsed = await page.locator('#run-0 svg.timeline .collapsed rect').boundingBox();
      expect(collapsed?.width).toBeLessThan(0.1 * (box?.width ?? 0));
      expect(await page.locator('#run-0 svg.timeline .window').textContent()).toContain('kill → 250 ms');
      // The kill marker sits in the right part of the lane, not squeezed into its last tenth.
      const kill = await page.locator('#run-0 svg.timeline .mark >> nth=3').boundingBox();
      expect((kill?.x ?? 0) - (box?.x ?? 0)).toBeLessThan(0.6 * (box?.width ?? 0));
      // A legend that names the markers, and checks named by what they assert, with their line.
      expect(await page.locator('ul.legend li').count()).toBeGreaterThanOrEqual(6);
      expect(await page.locator('ul.legend').textContent()).toContain('kill netsim killed it (SIGKILL)');
      expect(await page.locator('#run-0 td.check-name').first().textContent()).toBe('exactly once, in order');
      expect(await page.locator('#run-0 td.line').first().textContent()).toBe('line 3');
      // The failover spread over the repeated runs, and one chart of the suite by fault kind.
      expect(await page.locator('.repeat svg.dist circle').count()).toBe(3);
      expect(await page.locator('.repeat figcaption').textContent()).toContain('min 250 · median 250 · p95 700 · max 700 ms over 3 runs');
      const overview = page.locator('svg.overview');
      expect(await overview.count()).toBe(1);
      expect(await overview.locator('text.lane').allTextContents()).toEqual(['kill (2)', 'partition (1)']);
      expect((await overview.boundingBox())?.height).toBeGreaterThan(40);
      expect(requests.filter((u) => !u.startsWith('about:') && !u.startsWith('data:'))).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
