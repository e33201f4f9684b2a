/**
 * `npm run screenshots`: regenerates docs/screenshots/dashboard.png and docs/screenshots/claim.png
 * from a throwaway instance (scripts/demo-web.ts) in Debian's chromium (playwright-core), and prints
 * the dashboard's first paint (navigation start → KPI tiles painted, measured in the browser).
 */
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { startDemoWeb } from './demo-web';

async function main() {
  const demo = await startDemoWeb();
  const out = path.resolve(__dirname, '..', 'docs', 'screenshots');
  mkdirSync(out, { recursive: true });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.goto(`${demo.base}/`);
    await page.getByLabel('Token').fill(demo.tokens.biller);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Days in AR', exact: true }).waitFor();

    // First paint of the dashboard, signed in, cold page load (new document, cached assets).
    const paints: number[] = [];
    for (let i = 0; i < 5; i++) {
      await page.goto(`${demo.base}/`);
      await page.getByRole('heading', { name: 'Days in AR', exact: true }).waitFor();
      paints.push(Number(await page.evaluate('performance.now()')));
    }
    paints.sort((a, b) => a - b);
    process.stdout.write(`dashboard: KPI tiles shown ${paints[Math.floor(paints.length / 2)].toFixed(0)} ms after navigation start (median of ${paints.length}; min ${paints[0].toFixed(0)}, max ${paints[paints.length - 1].toFixed(0)})\n`);

    // The charts load after the tiles: wait for them (and the audit's families) before the picture.
    await page.getByRole('heading', { name: '12-month trends', exact: true }).waitFor();
    await page.getByRole('heading', { name: 'Revenue-gap audit', exact: true }).waitFor();
    await page.locator('.gap-families, #revenue-gap ~ p').first().waitFor();
    await page.screenshot({ path: path.join(out, 'dashboard.png'), fullPage: true });
    const claimId = demo.claimIds.find((c) => c.startsWith('DEMO-MPR'))!;
    await page.goto(`${demo.base}/claims/${encodeURIComponent(claimId)}`);
    await page.getByRole('heading', { name: `Claim ${claimId}` }).waitFor();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    await page.screenshot({ path: path.join(out, 'claim.png'), fullPage: true });
    process.stdout.write(`screenshots: ${path.relative(process.cwd(), path.join(out, 'dashboard.png'))}, ${path.relative(process.cwd(), path.join(out, 'claim.png'))}\n`);
  } finally {
    await browser.close();
    await demo.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`screenshots: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
