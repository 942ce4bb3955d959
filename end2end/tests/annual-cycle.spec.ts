import { test, expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { openHydrated, expectNoAxeViolations, demoOutput, demoPerson, signInWithNewKey } from './helpers';

// The annual cycle as the demo council's CAF lead lives it: last year's signed-off CAF 3.2
// assessment carried forward into CAF 4.0 for a light review; an outcome shows what carried, a
// statement whose wording changed with both texts, and new statements unanswered; submission
// waits until every carried outcome is re-confirmed; then the comparison with last year.

// An organisation-scope outcome whose 4.0 statements include changed wording and new ones.
const OUTCOME = 'A1.a';

async function organisationScopeOutcomes(page: Page) {
  return page.locator('section.scope').first().locator('a.tile__link');
}

test('the CAF lead carries last year forward into CAF 4.0 and re-confirms it', async ({ browser }) => {
  test.setTimeout(420_000);
  const { email, password } = demoPerson(await demoOutput(), 'helen.okafor@borsetshire.example');
  const page = await signInWithNewKey(browser, email, password, 'Helen’s key');

  await openHydrated(page, '/org/demo/assessments');
  await page.getByRole('link', { name: 'CAF self-assessment 2025/26' }).click();
  await page.locator('#start-next-link').click();
  await expect(page.getByRole('heading', { level: 1, name: /Start next year.s assessment/ })).toBeVisible();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.locator('#n-period')).toHaveValue('2026/27');
  await expectNoAxeViolations(page);
  await page.locator('#n-title').fill('CAF 2026/27 carried forward');
  await page.locator('#n-framework').selectOption('4.0');
  await expect(page.locator('#approach-0-light')).toBeChecked();
  await page.locator('#next-submit').click();
  await expect(page).toHaveURL(/\/org\/demo\/assessments\/\d+$/);
  const dashboard = page.url();
  await expect(page.locator('#carry-summary')).toContainText('wait to be re-confirmed');
  await expectNoAxeViolations(page);

  // The outcome page: carried answers, changed wording beside last year's, new statements blank.
  await (await organisationScopeOutcomes(page)).filter({ hasText: OUTCOME }).first().click();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.locator('#carry-note')).toContainText('Carried forward, not yet re-confirmed');
  await expect(page.locator('#carry-note')).toContainText('CAF 3.2');
  const changed = page.locator('.carried-flag', { hasText: 'Wording changed' }).first();
  await expect(changed).toBeVisible();
  await expect(changed.locator('q')).not.toBeEmpty();
  const fresh = page.locator('li.igp', { has: page.locator('.carried-flag', { hasText: 'New statement' }) }).first();
  await expect(fresh).toBeVisible();
  await expect(fresh.locator('input[type=radio]:checked')).toHaveCount(0);
  await expect(page.locator('li.igp input[type=radio]:checked').first()).toBeVisible();
  await expectNoAxeViolations(page);
  mkdirSync('../target/screens', { recursive: true });
  await changed.scrollIntoViewIfNeeded();
  await page.screenshot({ path: '../target/screens/carried-outcome.png' });

  // Submitting is refused while carried outcomes wait.
  await page.locator('#workflow-submit').click();
  await expect(page.getByRole('alert')).toContainText('not yet re-confirmed');

  // Re-confirm: unchanged outcomes an objective at a time, the rest one by one.
  await openHydrated(page, `${new URL(dashboard).pathname}/reconfirm`);
  await expect(page.getByRole('heading', { level: 1, name: 'Re-confirm carried outcomes' })).toBeVisible();
  await expectNoAxeViolations(page);
  await page.screenshot({ path: '../target/screens/reconfirm.png', fullPage: true });
  await openHydrated(page, `${new URL(dashboard).pathname}/not-carried`);
  await expect(page.getByRole('heading', { level: 1, name: 'What did not carry from last year' })).toBeVisible();
  await expect(page.locator('table.not-carried tbody tr').first()).toBeVisible();
  await expectNoAxeViolations(page);
  await page.screenshot({ path: '../target/screens/not-carried.png', fullPage: true });
  await openHydrated(page, `${new URL(dashboard).pathname}/reconfirm`);
  for (const objective of ['A', 'D']) {
    const bulk = page.locator(`button[id^="bulk-"][id$="-${objective}"]`).first();
    if (await bulk.count()) {
      await bulk.click();
      await expect(page.locator('#bulk-result')).toContainText('Re-confirmed');
    }
  }
  const scopeSection = page.locator('section.section').first();
  for (let i = 0; i < 60; i++) {
    await openHydrated(page, `${new URL(dashboard).pathname}/reconfirm`);
    const next = page.locator('section.section').first().locator('li a').first();
    if ((await next.count()) === 0) break;
    await next.click();
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await page.locator('#reconfirm').click();
    await expect(page.locator('#carry-note h2')).toHaveText('Re-confirmed');
  }
  await expect(scopeSection.locator('li a')).toHaveCount(0);

  // Outcomes new in CAF 4.0 need a status of their own; then the scope can be submitted.
  await openHydrated(page, dashboard.replace(/^https?:\/\/[^/]+/, ''));
  for (const id of ['A2.b', 'A4.b']) {
    await (await organisationScopeOutcomes(page)).filter({ hasText: id }).first().click();
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await page.locator('#confirm-not_achieved').check();
    await expect(page.locator('#save-state')).toContainText('All changes saved');
    await page.goBack();
  }
  await (await organisationScopeOutcomes(page)).first().click();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.locator('#workflow-submit').click();
  await expect(page.locator('#scope-state')).toHaveText('In review');

  // The comparison with last year: through the crosswalk, with arrows and words.
  await openHydrated(page, dashboard.replace(/^https?:\/\/[^/]+/, ''));
  await page.locator('#compare-link').click();
  await expect(page.getByRole('heading', { level: 1, name: 'Year on year' })).toBeVisible();
  await expect(page.locator('#compare-intro')).toContainText('CAF self-assessment 2025/26');
  await expect(page.locator('#compare-intro')).toContainText('this assessment was started from it');
  await expect(page.locator('#compare-matching')).toContainText('through the CAF 3.2 to 4.0 crosswalk');
  const orgTable = page.locator('table.year-on-year').first();
  await expect(orgTable.locator('tr[data-outcome="A2.b"] td.change')).toHaveText('New this year');
  const same = orgTable.locator('tr[data-change="same"]').first();
  await expect(same.locator('td.change')).toContainText('→ Same');
  // 4.0's A2.c is 3.2's A2.b: the row names last year's outcome.
  await expect(orgTable.locator('tr[data-outcome="A2.c"] td').first()).toHaveText('A2.b');
  await expect(page.locator('#objective-changes tbody tr')).toHaveCount(4);
  await expect(page.locator('figure.trend-chart svg')).toBeVisible();
  expect(await page.locator('#trend-table tbody tr').count()).toBeGreaterThanOrEqual(2);
  await expect(page.locator('#trend-table')).toContainText('(this one)');
  await expectNoAxeViolations(page);
  await page.screenshot({ path: '../target/screens/year-on-year.png', fullPage: true });
});
