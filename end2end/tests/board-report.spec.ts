import { test, expect } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { openHydrated, expectNoAxeViolations, demoOutput, demoPerson, signInWithNewKey } from './helpers';

// The board report as a board viewer reads it: the demo council's signed-off assessments, made
// by `server demo` on the running server's database, then sign-in with a password and a new
// security key, the Board reports page, the HTML report and the PDF.

test('a board viewer reads the signed-off board report and downloads the PDF', async ({ browser }) => {
  test.setTimeout(180_000);
  const { email, password } = demoPerson(await demoOutput(), 'peter.hughes@borsetshire.example');

  const page = await signInWithNewKey(browser, email, password, 'Peter’s key');

  await openHydrated(page, '/org/demo');
  await page.locator('#board-reports-link').click();
  await expect(page.getByRole('heading', { level: 1, name: 'Board reports' })).toBeVisible();
  const rows = page.locator('#report-list tbody tr');
  await expect(rows).toHaveCount(2);
  await expectNoAxeViolations(page);

  await rows.filter({ hasText: '2026/27' }).getByRole('link', { name: /Read the report/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'CAF self-assessment 2026/27' })).toBeVisible();
  await expect(page.locator('.marking')).toContainText('OFFICIAL-SENSITIVE');
  await expect(page.locator('.draft-banner')).toHaveCount(0);
  await expect(page.locator('table.heat tbody th[scope="row"]')).toHaveCount(41);
  const hashes = page.locator('#sign-off code');
  await expect(hashes).toHaveCount(4); // the command named in the text, then one hash per scope
  for (const i of [1, 2, 3]) {
    await expect(hashes.nth(i)).toHaveText(/^[0-9a-f]{64}$/);
  }
  await expect(page.locator('#chart svg title')).toHaveText('Outcomes by objective');
  await expectNoAxeViolations(page);
  mkdirSync('../target/screens', { recursive: true });
  await page.screenshot({ path: '../target/screens/board-report.png', fullPage: false });

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download the PDF' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('caf-board-report-2026-27.pdf');
  const bytes = readFileSync(await download.path());
  expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
  expect(bytes.length).toBeLessThan(1_000_000);

  // On a phone the report does not scroll sideways; the heat map scrolls in its own region.
  await page.setViewportSize({ width: 390, height: 800 });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  expect(wide).toBe(false);
});
