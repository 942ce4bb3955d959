import { expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

/** Opens a page and waits until the wasm bundle has hydrated it. */
export async function openHydrated(page: Page, path: string) {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(path);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  return errors;
}

/** Runs axe-core (WCAG 2.2 A and AA rules) and fails on any violation, naming each. */
export async function expectNoAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .analyze();
  const summary = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  expect(summary, summary.join('\n')).toEqual([]);
}

/**
 * What `server demo` printed for the running server's database. The demo council can be made
 * once per database, and spec files run in parallel: the first caller makes it (holding a lock
 * directory), the others wait for its output.
 */
export async function demoOutput(): Promise<string> {
  const { execFileSync } = await import('node:child_process');
  const { existsSync, mkdirSync, readFileSync, writeFileSync } = await import('node:fs');
  const saved = '../target/e2e/demo-output.txt';
  try {
    mkdirSync('../target/e2e/demo.lock');
  } catch {
    for (let i = 0; i < 600 && !existsSync(saved); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    return readFileSync(saved, 'utf8');
  }
  const out = execFileSync('../target/debug/server', ['demo'], {
    env: {
      ...process.env,
      DATABASE_URL: 'sqlite://../target/e2e/e2e.db',
      CAF_EVIDENCE_DIR: '../target/e2e/demo-evidence',
    },
    encoding: 'utf8',
  });
  writeFileSync(saved, out);
  return out;
}

/** A demo person's email and password, by email. */
export function demoPerson(out: string, email: string): { email: string; password: string } {
  const found = out.match(new RegExp(`email (${email.replace(/\./g, '\\.')})\\s+password (\\S+)`));
  if (!found) throw new Error(`no ${email} in: ${out}`);
  return { email: found[1], password: found[2] };
}

/**
 * A new browser context with Chrome's virtual authenticator, signed in as a person who has no
 * key yet: the password, then registering a key under `keyName`.
 */
export async function signInWithNewKey(
  browser: import('@playwright/test').Browser,
  email: string,
  password: string,
  keyName: string,
): Promise<Page> {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const client = await context.newCDPSession(page);
  await client.send('WebAuthn.enable');
  await client.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, automaticPresenceSimulation: true,
    },
  });
  await openHydrated(page, '/signin');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/signin\/register-key/);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByLabel('Name for this key').fill(keyName);
  await page.getByRole('button', { name: 'Register security key' }).click();
  await expect(page.getByRole('heading', { name: 'Your security key is registered' })).toBeVisible();
  return page;
}
