import { test, expect } from '@playwright/test';
import { openHydrated } from './helpers';

test('the list shows both bundled versions with their counts', async ({ page }) => {
  await openHydrated(page, '/frameworks');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Framework versions');
  const row32 = page.getByRole('row', { name: /CAF 3\.2/ });
  await expect(row32.getByRole('cell').nth(1)).toHaveText('39');
  await expect(row32.getByRole('cell').nth(2)).toHaveText('449');
  const row40 = page.getByRole('row', { name: /CAF 4\.0/ });
  await expect(row40.getByRole('cell').nth(1)).toHaveText('41');
  await expect(row40.getByRole('cell').nth(2)).toHaveText('557');
});

test('a version lists objectives, principles and outcomes, and the filter responds', async ({ page }) => {
  const errors = await openHydrated(page, '/frameworks/4.0');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('CAF 4.0');
  await expect(page.getByRole('heading', { level: 2, name: /^Objective [A-D]:/ })).toHaveCount(4);
  await expect(page.locator('[data-outcome]:visible')).toHaveCount(41);
  await expect(page.locator('#filter-count')).toHaveText('Showing 41 of 41 outcomes');

  await page.getByLabel('Find an outcome').fill('threat');
  await expect(page.locator('#filter-count')).not.toHaveText('Showing 41 of 41 outcomes');
  const shown = await page.locator('[data-outcome]:visible').count();
  expect(shown).toBeGreaterThan(0);
  expect(shown).toBeLessThan(41);
  await expect(page.locator('#filter-count')).toHaveText(`Showing ${shown} of 41 outcomes`);
  await expect(page.locator('[data-outcome="A2.b"]')).toBeVisible();
  await expect(page.locator('[data-outcome="A1.a"]')).toBeHidden();

  await page.getByLabel('Find an outcome').fill('');
  await expect(page.locator('[data-outcome]:visible')).toHaveCount(41);
  expect(errors).toEqual([]);
});

test('choosing a profile shows each outcome\'s target, and 4.0 profiles are marked less certain', async ({ page }) => {
  await openHydrated(page, '/frameworks/4.0');
  await expect(page.locator('.target')).toHaveCount(0);
  const select = page.getByLabel('Show targets from a profile');
  const baseline = await select.locator('option', { hasText: /Basic|Baseline/ }).first().getAttribute('value');
  await select.selectOption(baseline!);
  await expect(page.locator('.target')).toHaveCount(41);
  await expect(page.getByText('Less certain:')).toBeVisible();
});

test('an outcome shows the NCSC table in columns and the rule suggests a status live', async ({ page }) => {
  const errors = await openHydrated(page, '/frameworks/4.0/outcomes/A1.a');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('A1.a Board Direction');
  await expect(page.getByRole('heading', { level: 3 })).toHaveText(['Not achieved', 'Achieved']);
  await expect(page.getByText('At least one of the following statements is true')).toBeVisible();
  const status = page.locator('#suggestion');
  await expect(status).toContainText('Suggested status: Not achieved');

  // Every achieved statement true and no not-achieved one: Achieved.
  const achieved = page.getByRole('region', { name: 'Achieved', exact: true }).getByRole('checkbox');
  const count = await achieved.count();
  expect(count).toBe(6);
  for (let i = 0; i < count; i++) await achieved.nth(i).check();
  await expect(status).toContainText('Suggested status: Achieved');

  // One not-achieved statement true: Not achieved, naming it.
  await page.getByRole('region', { name: 'Not achieved', exact: true }).getByRole('checkbox').first().check();
  await expect(status).toContainText('Suggested status: Not achieved');
  await expect(status).toContainText('A1.a.NA1');
  expect(errors).toEqual([]);
});

test('the NCSC guidance on using the indicators opens from the outcome page', async ({ page }) => {
  await openHydrated(page, '/frameworks/3.2/outcomes/B2.a');
  const summary = page.getByText('How the NCSC says to use the indicators');
  await summary.click();
  await expect(page.getByText(/primarily a matter of expert judgement/)).toBeVisible();
});

test('an outcome with a partially achieved column can be rated Partially achieved', async ({ page }) => {
  await openHydrated(page, '/frameworks/4.0/outcomes/A2.a');
  await expect(page.getByRole('heading', { level: 3 })).toHaveText(['Not achieved', 'Partially achieved', 'Achieved']);
  const partial = page.getByRole('region', { name: 'Partially achieved', exact: true }).getByRole('checkbox');
  for (let i = 0; i < (await partial.count()); i++) await partial.nth(i).check();
  await expect(page.locator('#suggestion')).toContainText('Suggested status: Partially achieved');
});

test('the pager moves between outcomes', async ({ page }) => {
  await openHydrated(page, '/frameworks/3.2/outcomes/A1.a');
  await page.getByRole('link', { name: /^Next: A1\.b/ }).click();
  await expect(page).toHaveURL(/\/frameworks\/3\.2\/outcomes\/A1\.b$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('A1.b');
});

test('what changed from 3.2 to 4.0', async ({ page }) => {
  await openHydrated(page, '/changes/3.2/4.0');
  const added = page.getByRole('heading', { name: 'New outcomes' }).locator('xpath=following-sibling::ul[1]');
  await expect(added.getByRole('listitem')).toHaveCount(3);
  await expect(added).toContainText('A2.b');
  await expect(added).toContainText('A4.b');
  await expect(added).toContainText('C1.f');
  const removed = page.getByRole('heading', { name: 'Removed outcomes' }).locator('xpath=following-sibling::ul[1]');
  await expect(removed).toContainText('C2.b');
  const renumbered = page.getByRole('heading', { name: 'Renumbered outcomes' }).locator('xpath=following-sibling::ul[1]');
  await expect(renumbered).toContainText('A2.b');
  await expect(renumbered).toContainText('A2.c');
});

test('unknown versions and outcomes answer 404 with a helpful page', async ({ page }) => {
  for (const path of ['/frameworks/9.9', '/frameworks/4.0/outcomes/Z9.z', '/changes/4.0/3.2']) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
  }
  // Outside the public framework pages, a visitor who is not signed in is sent to sign in
  // first, whether or not the page exists: the route table is not revealed.
  await page.goto('/no-such-page');
  await expect(page).toHaveURL(/\/signin\?next=\/no-such-page$/);
});

test('the keyboard reaches the skip link first and it moves focus to the content', async ({ page }) => {
  await openHydrated(page, '/frameworks');
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to main content' });
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#main-content$/);
});

test('responses carry the security headers and the hydration script carries the CSP nonce', async ({ page }) => {
  const response = await page.goto('/frameworks');
  const headers = response!.headers();
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('no-referrer');
  const csp = headers['content-security-policy'];
  expect(csp).toContain("frame-ancestors 'none'");
  const nonce = /'nonce-([^']+)'/.exec(csp)![1];
  // Chromium hides the nonce attribute from the DOM; the property keeps it.
  const scriptNonce = await page.locator('script[type="module"]').first().evaluate((s) => (s as HTMLScriptElement).nonce);
  expect(scriptNonce).toBe(nonce);
  // The policy let the module script and the wasm run: the page hydrated.
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
});
