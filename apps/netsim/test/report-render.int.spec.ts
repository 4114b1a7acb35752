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
      const runs = [sampleResult(), sampleResult({ status: 'failed', scenario: 'second' })];
      await page.setContent(renderHtml(runs, [summariseRepeats(runs)]), { waitUntil: 'load' });
      expect(await page.textContent('#totals')).toBe('2 runs: 1 passed, 1 failed, 0 pending, 0 skipped');
      expect(await page.locator('svg.timeline').count()).toBe(2);
      expect(await page.locator('#run-0 svg.timeline rect, #run-0 svg.timeline circle').count()).toBe(5);
      const box = await page.locator('#run-0 svg.timeline').boundingBox();
      expect(box?.width).toBeGreaterThan(100);
      expect(requests.filter((u) => !u.startsWith('about:') && !u.startsWith('data:'))).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
