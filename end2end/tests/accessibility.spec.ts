import { test } from '@playwright/test';
import { expectNoAxeViolations, openHydrated } from './helpers';

// Every page of the app, and every kind of outcome page (with and without a partially achieved
// column, without a description).
const pages = [
  '/',
  '/frameworks',
  '/frameworks/3.2',
  '/frameworks/4.0',
  '/frameworks/3.2/outcomes/A1.a',
  '/frameworks/3.2/outcomes/C2.b',
  '/frameworks/4.0/outcomes/A2.a',
  '/frameworks/4.0/outcomes/A3.a',
  '/frameworks/4.0/outcomes/C1.f',
  '/changes/3.2/4.0',
];

for (const path of pages) {
  test(`axe finds no violations on ${path}`, async ({ page }) => {
    await openHydrated(page, path);
    await expectNoAxeViolations(page);
  });
}

test('axe finds no violations on the not-found page', async ({ page }) => {
  await page.goto('/frameworks/9.9');
  await expectNoAxeViolations(page);
});

test('axe finds no violations with a profile chosen and the filter in use', async ({ page }) => {
  await openHydrated(page, '/frameworks/4.0');
  const select = page.getByLabel('Show targets from a profile');
  await select.selectOption({ index: 1 });
  await page.getByLabel('Find an outcome').fill('data');
  await expectNoAxeViolations(page);
});
