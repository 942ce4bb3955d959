import { test, expect, type Page, type Browser } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { openHydrated, expectNoAxeViolations } from './helpers';

// Every page of the app, as every role, at a desktop (1280 px) and a phone (390 px) width. A page
// must never be wider than the window, and a page that refuses someone (or does not exist) shows
// the not-found page alone, with its status, and none of the forms of the page it refused.
// This file runs after the other journeys (see playwright.config.ts): it makes a platform
// administrator on the command line, which would end the first-run set-up link they test.

const databaseURL = 'sqlite://../target/e2e/e2e.db';
const password = 'harbour quartz tangerine ledger 5';
const org = 'northfield';

function cli(args: string[], input?: string): string {
  return execFileSync('../target/debug/server', args, {
    env: { ...process.env, DATABASE_URL: databaseURL },
    encoding: 'utf8',
    input,
  });
}

async function snap(page: Page, name: string) {
  await page.screenshot({ path: `../target/screens/${name}.png`, fullPage: true });
}

/** The first screenful only, for pages too long to look at whole. */
async function snapTop(page: Page, name: string) {
  await page.screenshot({ path: `../target/screens/${name}.png` });
}

/** A browser context of its own with Chrome's virtual security key. */
async function personPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const client = await context.newCDPSession(page);
  await client.send('WebAuthn.enable');
  await client.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', transport: 'usb', hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, automaticPresenceSimulation: true,
    },
  });
  return page;
}

async function registerKey(page: Page, name: string) {
  await expect(page).toHaveURL(/\/signin\/register-key/);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByLabel('Name for this key').fill(`${name}'s key`);
  await page.getByRole('button', { name: 'Register security key' }).click();
  await expect(page.getByRole('heading', { name: 'Your security key is registered' })).toBeVisible();
}

/** Someone invited into Northfield with a role, signed in with their own key. */
async function join(browser: Browser, role: string, name: string): Promise<Page> {
  const email = `${role.replace('_', '.')}@northfield.gov.uk`;
  const args = ['admin', 'invite', '--org', org, '--role', role, '--email', email, '--name', name];
  const out = cli(args);
  const match = out.match(/https?:\/\/\S+\/invite\/\S+/);
  if (!match) throw new Error(`no invitation in: ${out}`);
  const page = await personPage(browser);
  await openHydrated(page, new URL(match[0]).pathname);
  await page.getByLabel('Choose a password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await registerKey(page, name);
  return page;
}

/** A platform administrator made on the command line, who registers a key at first sign-in. */
async function platformAdmin(browser: Browser): Promise<Page> {
  const email = 'platform@northfield-it.example';
  cli(['admin', 'create', '--email', email, '--name', 'Priya Platform'], `${password}\n`);
  const page = await personPage(browser);
  await openHydrated(page, '/signin');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await registerKey(page, 'Priya Platform');
  return page;
}

/** What is wrong with the page shown now: wider than the window, or (for a refusal) more than it. */
async function problemsOf(page: Page, what: string, refused: boolean): Promise<string[]> {
  const found = await page.evaluate(() => {
    const win = window.innerWidth;
    // The first element (in document order) that reaches past the window, to name in the failure.
    const spills = (e: Element) => e.getBoundingClientRect().right > win + 1
      || (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible' && e.clientWidth > 0);
    const past = [...document.querySelectorAll('body *')].filter((e) => spills(e)
      && !e.parentElement?.closest('.table-scroll')).pop();
    const culprit = past ? `${past.tagName.toLowerCase()}${past.id ? '#' + past.id : ''}.${[...past.classList].join('.')}` : '';
    return {
      doc: document.documentElement.scrollWidth, win, culprit,
      forms: document.querySelectorAll('main form').length,
      headings: [...document.querySelectorAll('main h1')].map((h) => h.textContent ?? ''),
    };
  });
  const problems: string[] = [];
  if (found.doc > found.win) {
    problems.push(`${what}: the document is ${found.doc} px wide in a ${found.win} px window (${found.culprit})`);
  }
  if (refused) {
    if (found.forms > 0) problems.push(`${what}: the refusal renders ${found.forms} form(s)`);
    const alone = found.headings.length === 1
      && ['Page not found', 'You cannot see this page'].includes(found.headings[0]);
    if (!alone) problems.push(`${what}: the refusal shows more than the not-found page: ${found.headings.join(' / ')}`);
  }
  return problems;
}

/** Opens a page as someone at a width, waits for hydration, and lists what is wrong with it. */
async function visit(page: Page, path: string, width: number, who: string): Promise<{ status: number; problems: string[] }> {
  await page.setViewportSize({ width, height: 900 });
  const response = await page.goto(path);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  const status = response?.status() ?? 0;
  const what = `${path} as ${who} at ${width} px (${status})`;
  return { status, problems: await problemsOf(page, what, status === 404 || status === 403) };
}

test.describe.serial('every page, every role, two widths', () => {
  test.setTimeout(300_000);
  const people = new Map<string, Page>();
  let pages: string[] = [];
  let dashboardPath = '';
  let orgOutcomePath = '';
  let anonymous: Page;

  test.beforeAll(async ({ browser }) => {
    test.setTimeout(300_000);
    mkdirSync('../target/screens', { recursive: true });
    cli(['admin', 'organisation', '--slug', org, '--name', 'Northfield District Council']);
    const roles: [string, string][] = [
      ['caf_lead', 'Lucía Lead'], ['org_admin', 'Omar Admin'], ['assessor', 'Aisha Assessor'],
      ['reviewer', 'Rhys Reviewer'], ['approver', 'Aoife Approver'], ['board_viewer', 'Bea Board'],
      ['external_assurer', 'Ezra Assurer'],
    ];
    for (const [role, name] of roles) people.set(role, await join(browser, role, name));
    people.set('platform_admin', await platformAdmin(browser));
    anonymous = await (await browser.newContext()).newPage();

    // The CAF lead creates an assessment with one critical system, answers an outcome and attaches
    // a long link, so the outcome page has evidence and history lines that must wrap on a phone.
    const lead = people.get('caf_lead')!;
    await openHydrated(lead, `/org/${org}/assessments`);
    await lead.locator('#a-title').fill('Northfield CAF 2026/27');
    await lead.locator('#a-period').fill('2026/27');
    await lead.locator('#a-framework').selectOption('4.0');
    await lead.locator('#a-org-desc').fill('The council as a whole.');
    await lead.locator('#sys-name-0').fill('Council tax and business rates collection system');
    await lead.getByRole('button', { name: 'Create assessment' }).click();
    await expect(lead).toHaveURL(/\/org\/northfield\/assessments\/\d+$/);
    const dashboard = new URL(lead.url()).pathname;
    const tiles = await lead.locator('a.tile__link').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).pathname));
    const orgOutcome = tiles.find((t) => t.endsWith('/outcomes/A1.a'))!;
    dashboardPath = dashboard;
    orgOutcomePath = orgOutcome;
    const systemOutcome = tiles.find((t) => t.endsWith('/outcomes/B1.a'))!;
    await openHydrated(lead, orgOutcome);
    await lead.locator('section.column--red input[value="false"]').first().check();
    await expect(lead.locator('#save-state')).toContainText('All changes saved', { timeout: 15_000 });
    await lead.locator('#add-link summary').click();
    await lead.locator('#ev-title').fill('Board minutes approving the information risk appetite statement');
    await lead.locator('#ev-owner').fill('Democratic services');
    await lead.locator('#ev-url').fill('https://northfield.sharepoint.example/sites/governance/Shared%20Documents/Board/2026/Minutes-of-the-meeting-of-the-audit-and-governance-committee-2026-09-14.pdf');
    await lead.getByRole('button', { name: 'Add and link' }).click();
    await expect(lead.locator('#linked-evidence')).toContainText('Board minutes');
    pages = [
      '/', '/frameworks', '/frameworks/4.0', '/frameworks/4.0/outcomes/A1.a', '/changes/3.2/4.0',
      '/signin', '/account', '/account/sessions', `/org/${org}`, `/org/${org}/members`,
      `/org/${org}/audit`, `/org/${org}/assessments`, `/org/${org}/systems`, dashboard, `${dashboard}/plan`,
      `${dashboard}/compare`, `${dashboard}/reconfirm`, `${dashboard}/not-carried`, `${dashboard}/next`, orgOutcome,
      systemOutcome, `/org/${org}/evidence`, '/admin', '/admin/audit', '/no/such/page',
    ];
  });

  test('no page scrolls sideways and no refusal shows a form, for any role at 1280 and 390 px', async () => {
    test.setTimeout(900_000);
    const everyone = ['anonymous', 'caf_lead', 'org_admin', 'assessor', 'reviewer', 'approver',
      'board_viewer', 'external_assurer', 'platform_admin'];
    const problems: string[] = [];
    let refusals = 0;
    for (const who of everyone) {
      const page = who === 'anonymous' ? anonymous : people.get(who)!;
      for (const width of [1280, 390]) {
        for (const path of pages) {
          const seen = await visit(page, path, width, who.replace('_', ' '));
          if (seen.status === 404 || seen.status === 403) refusals += 1;
          problems.push(...seen.problems);
        }
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
    // The table did reach refused pages (members, audit, admin, another role's pages).
    expect(refusals).toBeGreaterThan(40);
  });

  test('every page the CAF lead can open passes the accessibility scan, at both widths', async () => {
    test.setTimeout(600_000);
    const lead = people.get('caf_lead')!;
    for (const width of [1280, 390]) {
      for (const path of pages.filter((p) => !p.startsWith('/admin'))) {
        await visit(lead, path, width, 'CAF lead');
        await expectNoAxeViolations(lead);
      }
    }
  });

  test('refusals are the not-found page alone, with 404', async () => {
    const assessor = people.get('assessor')!;
    for (const path of ['/admin', '/admin/audit', `/org/${org}/members`, `/org/${org}/audit`]) {
      const { status, problems } = await visit(assessor, path, 1280, 'assessor');
      expect(status, path).toBe(404);
      expect(problems).toEqual([]);
      await expect(assessor.locator('main h1')).toHaveText('Page not found');
      await expect(assessor.locator('main')).not.toContainText('Invite someone');
      await expect(assessor.locator('main')).not.toContainText('Add an organisation');
    }
    await snap(assessor, 'refused-org-audit');
    const board = people.get('board_viewer')!;
    const { status, problems } = await visit(board, `/org/${org}/evidence`, 390, 'board viewer');
    expect(status).toBe(404);
    expect(problems).toEqual([]);
    await expect(board.locator('main')).not.toContainText('Upload a file');
  });

  test('the audit log names people in plain sentences, filters and pages', async () => {
    const admin = people.get('org_admin')!;
    await admin.setViewportSize({ width: 1280, height: 900 });
    await openHydrated(admin, `/org/${org}/audit`);
    const log = admin.locator('#audit');
    await expect(log).toContainText(/Aisha Assessor was refused access to organisation northfield\./);
    await openHydrated(admin, `/org/${org}/audit?action=outcome`);
    await expect(log).toContainText('Lucía Lead saved answers to outcome A1.a of scope');
    await expect(log).not.toContainText('user:' + '1 ');
    await expect(admin.locator('main')).not.toContainText('`');
    // Before and after as a small table, on demand.
    const save = log.locator('li', { hasText: 'saved answers to outcome A1.a' }).first();
    await expect(save.locator('table').first()).toBeHidden();
    await save.locator('summary').click();
    await expect(save.locator('table').first()).toBeVisible();
    await expect(save.locator('table').first()).toContainText('Before');
    await expectNoAxeViolations(admin);
    await snap(admin, 'audit-log');

    // By person.
    await admin.locator('#audit-who').selectOption({ label: 'Lucía Lead' });
    await admin.getByRole('button', { name: 'Filter' }).click();
    await expect(admin).toHaveURL(/who=\d+/);
    const lines = await admin.locator('#audit .audit-entry__line').allTextContents();
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toContain('Lucía Lead');
    // By action and day: nothing before 2000.
    await openHydrated(admin, `/org/${org}/audit?action=evidence&to=2000-01-01`);
    await expect(admin.locator('#audit-none')).toHaveText('No records match.');
    await openHydrated(admin, `/org/${org}/audit?action=evidence`);
    await expect(admin.locator('#audit')).toContainText('to the evidence register');
    await expect(admin.locator('#audit-action')).toHaveValue('evidence');

    // The platform's log pages 50 at a time.
    const platform = people.get('platform_admin')!;
    await openHydrated(platform, '/admin/audit');
    await expect(platform.locator('#audit > li')).toHaveCount(50);
    await platform.locator('#audit-older').click();
    await expect(platform).toHaveURL(/page=1/);
    await expect(platform.getByRole('link', { name: 'Newer records' })).toBeVisible();
    await expectNoAxeViolations(platform);
    await platform.setViewportSize({ width: 390, height: 900 });
    await openHydrated(platform, '/admin/audit');
    await snapTop(platform, 'audit-log-phone');
  });

  test('administration leads with the form to add an organisation; the favicon is served', async () => {
    const platform = people.get('platform_admin')!;
    await platform.setViewportSize({ width: 1280, height: 900 });
    await openHydrated(platform, '/admin');
    const headings = await platform.locator('main h2').allTextContents();
    expect(headings.indexOf('Add an organisation')).toBeLessThan(headings.indexOf('Organisations'));
    await expectNoAxeViolations(platform);
    await snap(platform, 'administration');
    const icon = await platform.request.get('/favicon.ico');
    expect(icon.status()).toBe(200);
    expect((await icon.body()).length).toBeGreaterThan(100);
  });

  test('the evidence register lists, linked, the outcomes each item supports', async () => {
    const lead = people.get('caf_lead')!;
    await lead.setViewportSize({ width: 1280, height: 900 });
    await openHydrated(lead, `/org/${org}/evidence`);
    const row = lead.locator('#register tbody tr', { hasText: 'Board minutes' });
    await expect(row.getByRole('link', { name: /^A1\.a \(Northfield District Council, Northfield CAF 2026\/27\)$/ })).toBeVisible();
    const titleWidth = await row.locator('td').first().evaluate((td) => td.getBoundingClientRect().width);
    expect(titleWidth).toBeGreaterThan(200);
    await expectNoAxeViolations(lead);
    await snap(lead, 'evidence-register-used-by');
    await lead.setViewportSize({ width: 390, height: 900 });
    await openHydrated(lead, orgOutcomePath);
    await lead.locator('#history summary').click();
    await lead.locator('#linked-evidence').scrollIntoViewIfNeeded();
    await snapTop(lead, 'outcome-phone-evidence');
    await lead.locator('#history').scrollIntoViewIfNeeded();
    await snapTop(lead, 'outcome-phone-history');
  });

  test('the create form names profiles as people say them, with the source a click away', async () => {
    const lead = people.get('caf_lead')!;
    await lead.setViewportSize({ width: 1280, height: 900 });
    await openHydrated(lead, `/org/${org}/assessments`);
    await lead.locator('#a-framework').selectOption('4.0');
    const names = await lead.locator('#a-profile option').allTextContents();
    expect(names).toContain('CAF 4.0 Baseline (Basic profile) — less certain');
    expect(names).toContain('CAF 4.0 Enhanced — less certain');
    await lead.locator('#profile-sources summary').click();
    await expect(lead.locator('#profile-sources')).toContainText("The source calls it “Government CAF profile for CAF v4.0 - column 'Basic Profile'”");
    await lead.locator('#a-framework').selectOption('3.2');
    await expect(lead.locator('#a-profile option')).toContainText(['CAF 3.2 Baseline', 'CAF 3.2 Enhanced']);
  });

  test('the CAF lead adds a critical system to the running assessment and removes it by typing its name', async () => {
    const lead = people.get('caf_lead')!;
    await lead.setViewportSize({ width: 1280, height: 900 });
    await openHydrated(lead, dashboardPath);
    await lead.locator('#add-system-name').fill('Parking permits');
    await lead.locator('#add-system-desc').fill('Residents’ and visitors’ permits.');
    await lead.getByRole('button', { name: 'Add the system' }).click();
    await expect(lead.getByRole('heading', { level: 2, name: 'Parking permits' })).toBeVisible();
    await expect(lead.locator('body')).toHaveAttribute('data-hydrated', 'true');
    // A name already in the assessment is refused with a reason.
    await lead.locator('#add-system-name').fill('parking permits');
    await lead.getByRole('button', { name: 'Add the system' }).click();
    await expect(lead.getByRole('alert')).toContainText('already has a scope called parking permits');
    await expectNoAxeViolations(lead);
    await snap(lead, 'assessment-systems');

    // Removing asks for the name; a wrong one changes nothing.
    await openHydrated(lead, dashboardPath);
    const remove = lead.locator('details', { has: lead.locator('summary', { hasText: 'Remove Parking permits' }) });
    await remove.locator('summary').click();
    await remove.getByLabel('Type Parking permits to confirm').fill('Parking');
    await remove.getByRole('button', { name: 'Remove the system' }).click();
    await expect(lead.getByRole('alert')).toContainText("Type the system's name, Parking permits");
    await expect(lead.getByRole('heading', { level: 2, name: 'Parking permits' })).toBeVisible();
    await remove.getByLabel('Type Parking permits to confirm').fill('Parking permits');
    await remove.getByRole('button', { name: 'Remove the system' }).click();
    await expect(lead.getByRole('heading', { level: 2, name: 'Parking permits' })).toHaveCount(0);

    // The organisation keeps the system, with its history.
    await openHydrated(lead, `/org/${org}/systems`);
    await expect(lead.locator('#systems')).toContainText('Parking permits');
    await expect(lead.locator('#systems')).toContainText('Council tax and business rates collection system');
    await expectNoAxeViolations(lead);
    await snap(lead, 'critical-systems');
  });
});
