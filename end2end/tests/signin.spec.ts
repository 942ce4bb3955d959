import { test, expect, type Page, type BrowserContext, type Browser } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { openHydrated, expectNoAxeViolations } from './helpers';

// One journey through first-run set-up, invitations and sign-in, in order: each step builds on
// the accounts the previous ones created. Keys are Chrome's virtual authenticators (DevTools).

const password = 'correct horse battery staple 42';
const bobPassword = 'lantern orchard velvet mosaic 7';
const carolPassword = 'granite pelican thimble aurora 3';

/** Adds a virtual FIDO2 authenticator to every page of this context's first page. */
async function withAuthenticator(page: Page) {
  const client = await page.context().newCDPSession(page);
  await client.send('WebAuthn.enable');
  const { authenticatorId } = await client.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'usb',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { client, authenticatorId };
}

/** A fresh set-up link from the command line (it replaces the one `serve` printed). */
function setupLink(): string {
  const out = execFileSync('../target/debug/server', ['admin', 'setup-link'], {
    env: { ...process.env, DATABASE_URL: 'sqlite://../target/e2e/e2e.db' },
    encoding: 'utf8',
  });
  const match = out.match(/https?:\/\/\S+\/setup\/\S+/);
  if (!match) throw new Error(`no set-up link in: ${out}`);
  return new URL(match[0]).pathname;
}

async function signInWithPassword(page: Page, email: string, pw: string) {
  await openHydrated(page, '/signin');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(pw);
  await page.getByRole('button', { name: 'Continue' }).click();
}

async function registerFirstKey(page: Page, name: string): Promise<string[]> {
  await expect(page).toHaveURL(/\/signin\/register-key/);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByLabel('Name for this key').fill(name);
  await page.getByRole('button', { name: 'Register security key' }).click();
  await expect(page.getByRole('heading', { name: 'Your security key is registered' })).toBeVisible();
  const codes = await page.locator('#recovery-codes code').allTextContents();
  expect(codes).toHaveLength(10);
  return codes;
}

/** Keeps a picture of the page for people to look at (target/screens/). */
async function snap(page: Page, name: string) {
  await page.screenshot({ path: `../target/screens/${name}.png`, fullPage: true });
}

async function newPage(browser: Browser): Promise<[BrowserContext, Page]> {
  const context = await browser.newContext();
  return [context, await context.newPage()];
}

test.describe.serial('sign-in journey', () => {
  // Each step hashes passwords (argon2id) and the assessment journey runs beside it on two cores.
  test.setTimeout(90_000);
  let admin: Page;
  let bob: Page;
  let bobKey: Awaited<ReturnType<typeof withAuthenticator>>;
  let bobCodes: string[] = [];
  let bobInvite = '';
  let carolInvite = '';

  test.beforeAll(async ({ browser }) => {
    [, admin] = await newPage(browser);
    await withAuthenticator(admin);
    [, bob] = await newPage(browser);
    bobKey = await withAuthenticator(bob);
  });

  test('first run: the set-up link creates the administrator, who must register a key', async () => {
    const link = setupLink();
    await openHydrated(admin, link);
    await expect(admin.getByRole('heading', { name: 'Set up the first administrator' })).toBeVisible();
    await expectNoAxeViolations(admin);
    await admin.getByLabel('Email address').fill('ada@council.gov.uk');
    await admin.getByLabel('Your name').fill('Ada Admin');
    await admin.getByLabel('Choose a password').fill('password1234');
    await admin.getByRole('button', { name: 'Create account' }).click();
    await expect(admin.getByRole('alert')).toContainText(/password/i);
    await admin.getByLabel('Choose a password').fill(password);
    await admin.getByRole('button', { name: 'Create account' }).click();
    await expect(admin).toHaveURL(/\/signin\/register-key/);
    await expectNoAxeViolations(admin);
    // With a password but no key, nothing else opens.
    for (const path of ['/account', '/admin', '/frameworks']) {
      await admin.goto(path);
      await expect(admin).toHaveURL(/\/signin\/register-key/);
    }
    const codes = await registerFirstKey(admin, 'Admin key');
    expect(new Set(codes).size).toBe(10);
    await expectNoAxeViolations(admin);
    await snap(admin, 'recovery-codes');
    await admin.locator('#continue').click();
    await expect(admin.getByRole('link', { name: 'Manage organisations and users' })).toBeVisible();
    // The link worked once.
    await openHydrated(admin, link);
    await expect(admin.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  });

  test('the administrator adds a council and invites people', async () => {
    await openHydrated(admin, '/admin');
    await admin.locator('#org-name').fill('London Borough of Hackney');
    await admin.getByLabel('Short name').fill('hackney');
    await admin.getByRole('button', { name: 'Add organisation' }).click();
    await expect(admin.locator('#organisations')).toContainText('London Borough of Hackney');
    await expectNoAxeViolations(admin);
    await snap(admin, 'admin');

    const invite = async (email: string, name: string, role: string) => {
      const link = admin.locator('#invite-link');
      // The previous invitation's link stays on the page until the new one replaces it.
      const previous = (await link.count()) > 0 ? await link.textContent() : null;
      await admin.getByLabel('Email address').fill(email);
      await admin.locator('#invite-name').fill(name);
      await admin.getByLabel('Organisation (optional)').selectOption('hackney');
      await admin.getByLabel('Role').selectOption(role);
      await admin.getByRole('button', { name: 'Create invitation' }).click();
      await expect(link).toContainText('/invite/');
      if (previous) await expect(link).not.toHaveText(previous);
      return new URL((await link.textContent())!).pathname;
    };
    bobInvite = await invite('bob@council.gov.uk', 'Bob Lead', 'caf_lead');
    carolInvite = await invite('carol@council.gov.uk', 'Carol Assessor', 'assessor');
    await openHydrated(admin, '/admin/audit');
    await expect(admin.locator('#audit')).toContainText('link.invite');
    await expect(admin.locator('#audit')).toContainText('sign_in.success');
    await expectNoAxeViolations(admin);
  });

  test('invite -> set password -> register key -> sign in with password and key', async () => {
    await openHydrated(bob, bobInvite);
    await expect(bob.getByText('You are invited to London Borough of Hackney as CAF lead.')).toBeVisible();
    await expectNoAxeViolations(bob);
    await bob.getByLabel('Choose a password').fill(bobPassword);
    await bob.getByRole('button', { name: 'Create account' }).click();
    bobCodes = await registerFirstKey(bob, 'Blue key');
    await bob.locator('#continue').click();
    await expect(bob.locator('#my-organisations')).toContainText('London Borough of Hackney');

    await bob.getByRole('button', { name: 'Sign out' }).click();
    await expect(bob).toHaveURL(/\/signin/);
    await openHydrated(bob, '/account');
    await expect(bob).toHaveURL(/\/signin\?next=%2Faccount|\/signin\?next=\/account/);

    await signInWithPassword(bob, 'bob@council.gov.uk', bobPassword);
    await expect(bob).toHaveURL(/\/signin\/key/);
    await expect(bob.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await expectNoAxeViolations(bob);
    await snap(bob, 'key-step');
    await bob.getByRole('button', { name: 'Use security key' }).click();
    await expect(bob).toHaveURL(/localhost:\d+\/$/);
    await expect(bob.locator('#my-organisations')).toContainText('London Borough of Hackney');
    await openHydrated(bob, '/account');
    await expect(bob.locator('#keys')).toContainText('Blue key');
    await expectNoAxeViolations(bob);
    await snap(bob, 'account');
  });

  test('removing the last key is refused; a second key can be added and removed', async () => {
    await openHydrated(bob, '/account');
    await bob.getByRole('button', { name: 'Remove Blue key' }).click();
    await expect(bob.getByRole('alert')).toContainText('You cannot remove your only security key');
    await expect(bob.locator('#keys')).toContainText('Blue key');
    // The same authenticator cannot hold two credentials for one account: the browser refuses.
    await bob.getByLabel('Name for this key').fill('Spare key');
    await bob.getByRole('button', { name: 'Add security key' }).click();
    await expect(bob.getByRole('alert').filter({ hasText: 'already registered' })).toBeVisible();
    // A second authenticator (the first one is unplugged meanwhile, and plugged back later).
    const saved = await bob.context().newCDPSession(bob);
    const { credentials } = await bobKey.client.send('WebAuthn.getCredentials', { authenticatorId: bobKey.authenticatorId });
    await bobKey.client.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: bobKey.authenticatorId });
    const spare = await withAuthenticator(bob);
    await bob.getByRole('button', { name: 'Add security key' }).click();
    await expect(bob.locator('#keys')).toContainText('Spare key');
    await spare.client.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: spare.authenticatorId });
    bobKey = await withAuthenticator(bob);
    for (const credential of credentials) {
      await bobKey.client.send('WebAuthn.addCredential', { authenticatorId: bobKey.authenticatorId, credential });
    }
    await saved.detach();
    await bob.getByRole('button', { name: 'Remove Spare key' }).click();
    await expect(bob.locator('#keys')).not.toContainText('Spare key');
    await expect(bob.locator('#keys')).toContainText('Blue key');
  });

  test('the sessions page lists sessions and signs out everywhere else', async ({ browser }) => {
    const [context, other] = await newPage(browser);
    await signInWithPassword(other, 'bob@council.gov.uk', bobPassword);
    await expect(other).toHaveURL(/\/signin\/key/);
    await openHydrated(bob, '/account/sessions');
    await expect(bob.locator('#sessions tbody tr')).toHaveCount(2);
    await expect(bob.locator('#sessions')).toContainText('This browser');
    await expectNoAxeViolations(bob);
    await bob.getByRole('button', { name: 'Sign out everywhere else' }).click();
    await expect(bob.getByText('Signed out of 1 other session')).toBeVisible();
    await expect(bob.locator('#sessions tbody tr')).toHaveCount(1);
    await other.goto('/signin/key');
    await expect(other).toHaveURL(/\/signin\/key/);
    const answer = await other.evaluate(async () => (await fetch('/api/auth/me', { method: 'POST' })).text());
    expect(answer).toBe('null');
    await context.close();
  });

  test('a correct password without the key reaches nothing', async ({ browser }) => {
    const [context, page] = await newPage(browser);
    await signInWithPassword(page, 'bob@council.gov.uk', bobPassword);
    await expect(page).toHaveURL(/\/signin\/key/);
    for (const path of ['/', '/account', '/account/sessions', '/admin', '/org/hackney', '/frameworks/4.0']) {
      await page.goto(path);
      await expect(page).toHaveURL(/\/signin\/key/);
    }
    const status = await page.evaluate(async () => {
      const r = await fetch('/api/account/overview', { method: 'POST' });
      return r.status;
    });
    expect(status).toBe(401);
    await context.close();
  });

  test('a recovery code works once, and asks for a new key', async ({ browser }) => {
    const [context, page] = await newPage(browser);
    await signInWithPassword(page, 'bob@council.gov.uk', bobPassword);
    await expect(page).toHaveURL(/\/signin\/key/);
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await page.getByText('I do not have my security key').click();
    await page.getByLabel('Recovery code').fill(bobCodes[0]);
    await page.getByRole('button', { name: 'Use recovery code' }).click();
    await expect(page).toHaveURL(/\/account/);
    await expect(page.getByText('You signed in with a recovery code.')).toBeVisible();
    await expect(page.locator('#codes-left')).toContainText('9 unused');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/signin/);

    await signInWithPassword(page, 'bob@council.gov.uk', bobPassword);
    await expect(page).toHaveURL(/\/signin\/key/);
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await page.getByText('I do not have my security key').click();
    await page.getByLabel('Recovery code').fill(bobCodes[0]);
    await page.getByRole('button', { name: 'Use recovery code' }).click();
    await expect(page.getByRole('alert')).toContainText('not right, or it has been used already');
    await expect(page).toHaveURL(/\/signin\/key/);
    await context.close();
  });

  test('an invited person with a password but no key can only register a key', async ({ browser }) => {
    const [context, page] = await newPage(browser);
    await openHydrated(page, carolInvite);
    await page.getByLabel('Choose a password').fill(carolPassword);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page).toHaveURL(/\/signin\/register-key/);
    await context.close();
    const [context2, later] = await newPage(browser);
    await signInWithPassword(later, 'carol@council.gov.uk', carolPassword);
    await expect(later).toHaveURL(/\/signin\/register-key/);
    for (const path of ['/', '/org/hackney', '/account']) {
      await later.goto(path);
      await expect(later).toHaveURL(/\/signin\/register-key/);
    }
    await context2.close();
  });

  test('organisation pages: members, roles and the audit log, and nothing for outsiders', async () => {
    await openHydrated(bob, '/org/hackney');
    await expect(bob.getByRole('heading', { name: 'London Borough of Hackney' })).toBeVisible();
    await expect(bob.getByText('Your role: CAF lead.')).toBeVisible();
    await expectNoAxeViolations(bob);
    // A CAF lead does not manage members.
    await openHydrated(bob, '/org/hackney/members');
    await expect(bob.getByRole('heading', { name: 'Page not found' })).toBeVisible();
    // The platform administrator manages people but is no member: the organisation is hidden.
    await openHydrated(admin, '/org/hackney');
    await expect(admin.getByRole('heading', { name: 'Page not found' })).toBeVisible();
    await openHydrated(admin, '/admin');
    await admin.getByLabel('Email address').fill('bob@council.gov.uk');
    await admin.locator('#invite-name').fill('Bob Lead');
    await admin.getByLabel('Organisation (optional)').selectOption('hackney');
    await admin.getByLabel('Role').selectOption('org_admin');
    await admin.getByRole('button', { name: 'Create invitation' }).click();
    // An invitation never changes an existing member's role: that is done in the member list,
    // or by the operator on the command line.
    await expect(admin.getByText('is already a member: change their role in the list of members')).toBeVisible();
    execFileSync('../target/debug/server', ['admin', 'invite', '--org', 'hackney', '--role', 'org_admin',
      '--email', 'bob@council.gov.uk', '--name', 'Bob Lead'], {
      env: { ...process.env, DATABASE_URL: 'sqlite://../target/e2e/e2e.db' },
      encoding: 'utf8',
    });
    await openHydrated(bob, '/org/hackney/members');
    await expect(bob.locator('#members')).toContainText('Carol Assessor');
    await expectNoAxeViolations(bob);
    await bob.getByLabel('Role of Carol Assessor').selectOption('reviewer');
    await bob.getByRole('button', { name: 'Change' }).nth(1).click();
    await openHydrated(bob, '/org/hackney/audit');
    await expect(bob.locator('#audit')).toContainText('membership.set');
    await expectNoAxeViolations(bob);
    await snap(bob, 'org-audit');
  });
});
