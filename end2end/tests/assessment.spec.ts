import { test, expect, type Page, type Browser } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { openHydrated, expectNoAxeViolations } from './helpers';

// One council's assessment from creation to sign-off, in order: a CAF lead creates it and answers,
// a reviewer returns it with a comment, the lead resubmits, the reviewer accepts, the external
// assurer assures and the approver signs off; then nothing can change. Finally the signed-off
// assessment is exported and imported as a copy, after a damaged file is refused. People join through
// invitations made on the command line and sign in with Chrome's virtual authenticator.

const databaseURL = 'sqlite://../target/e2e/e2e.db';
const password = 'meadow lantern copper violin 9';

function cli(args: string[]): string {
  return execFileSync('../target/debug/server', args, {
    env: { ...process.env, DATABASE_URL: databaseURL },
    encoding: 'utf8',
  });
}

async function snap(page: Page, name: string) {
  await page.screenshot({ path: `../target/screens/${name}.png`, fullPage: true });
}

/** A person who accepted an invitation: their own browser context and virtual key. */
async function join(browser: Browser, role: string, email: string, name: string): Promise<Page> {
  const out = cli(['admin', 'invite', '--org', 'riverside', '--role', role, '--email', email, '--name', name]);
  const match = out.match(/https?:\/\/\S+\/invite\/\S+/);
  if (!match) throw new Error(`no invitation in: ${out}`);
  const context = await browser.newContext();
  const page = await context.newPage();
  const client = await context.newCDPSession(page);
  await client.send('WebAuthn.enable');
  await client.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'usb',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  await openHydrated(page, new URL(match[0]).pathname);
  await page.getByLabel('Choose a password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/signin\/register-key/);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByLabel('Name for this key').fill(`${name}'s key`);
  await page.getByRole('button', { name: 'Register security key' }).click();
  await expect(page.getByRole('heading', { name: 'Your security key is registered' })).toBeVisible();
  await page.locator('#continue').click();
  await expect(page.locator('#my-organisations')).toContainText('Riverside');
  return page;
}

async function waitSaved(page: Page) {
  await expect(page.locator('#save-state')).toContainText('All changes saved', { timeout: 15_000 });
}

test.describe.serial('an assessment from creation to sign-off', () => {
  test.setTimeout(180_000);
  let lead: Page;
  let reviewer: Page;
  let assurer: Page;
  let approver: Page;
  let dashboard = '';
  let systemScope = '';
  let outcomes: string[] = [];

  test.beforeAll(async ({ browser }) => {
    // Six people join, each registering a key: more than the default 30 s on a busy machine.
    test.setTimeout(180_000);
    mkdirSync('../target/screens', { recursive: true });
    cli(['admin', 'organisation', '--slug', 'riverside', '--name', 'Riverside Borough Council']);
    lead = await join(browser, 'caf_lead', 'lead@riverside.gov.uk', 'Lena Lead');
    reviewer = await join(browser, 'reviewer', 'review@riverside.gov.uk', 'Ravi Reviewer');
    assurer = await join(browser, 'external_assurer', 'assure@assurance.example', 'Asha Assurer');
    approver = await join(browser, 'approver', 'sro@riverside.gov.uk', 'Sam Owner');
  });

  test('the CAF lead creates an assessment with the organisation and two critical systems', async () => {
    await openHydrated(lead, '/org/riverside/assessments');
    await expectNoAxeViolations(lead);
    await lead.locator('#a-title').fill('CAF self-assessment 2026/27');
    await lead.locator('#a-period').fill('2026/27');
    await lead.locator('#a-framework').selectOption('4.0');
    await lead.locator('#a-profile').selectOption('govassure-baseline-caf4.0');
    await lead.locator('#a-org-desc').fill('Council-wide governance, risk, people and incident response.');
    await lead.locator('#sys-name-0').fill('Revenues and benefits');
    await lead.locator('#sys-desc-0').fill('Council tax and housing benefit processing.');
    await lead.locator('#sys-name-1').fill('Adult social care case management');
    await lead.getByRole('button', { name: 'Create assessment' }).click();
    await expect(lead).toHaveURL(/\/org\/riverside\/assessments\/\d+$/);
    dashboard = new URL(lead.url()).pathname;
    await expect(lead.locator('h1')).toHaveText('CAF self-assessment 2026/27');
    await expect(lead.getByRole('heading', { name: 'Revenues and benefits' })).toBeVisible();
    await expect(lead.getByRole('heading', { name: 'Adult social care case management' })).toBeVisible();
    await expect(lead.getByRole('heading', { name: 'Riverside Borough Council', level: 2 })).toBeVisible();
    const tiles = lead.locator('section.scope').nth(1).locator('a.tile__link');
    outcomes = await tiles.evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).pathname));
    expect(outcomes.length).toBeGreaterThan(15);
    expect(outcomes[0]).toMatch(/\/outcomes\/B1\.a$/);
    systemScope = outcomes[0].replace(/\/outcomes\/.*$/, '');
    await expectNoAxeViolations(lead);
    await snap(lead, 'assessment-dashboard-new');

    // The lead assigns an outcome with a due date already past: the dashboard flags it.
    await expect(lead.locator('body')).toHaveAttribute('data-hydrated', 'true');
    const scopeId = systemScope.split('/').pop();
    await lead.locator('#assign-outcome').selectOption(`${scopeId}|B1.b`);
    await lead.locator('#assign-to').selectOption({ label: 'Lena Lead' });
    await lead.locator('#assign-due').fill('2026-01-31');
    await lead.getByRole('button', { name: 'Assign', exact: true }).click();
    await expect(lead.locator('#overdue')).toContainText('B1.b');
    await expect(lead.locator('#overdue')).toContainText('due 2026-01-31, assigned to Lena Lead');
    await expect(lead.locator(`a.tile__link[href="${outcomes[1]}"]`)).toContainText("Overdue");
    await openHydrated(lead, outcomes[1]);
    await expect(lead.locator('h1')).toContainText('B1.b');
    await expect(lead.locator('dt:has-text("Assigned to") + dd')).toHaveText('Lena Lead');
  });

  test('answering an outcome updates the suggested status live and autosaves', async () => {
    await openHydrated(lead, outcomes[0]);
    await expect(lead.locator('h1')).toContainText('B1.a');
    const suggestion = lead.locator('#suggestion');
    const achieved = lead.locator('section.column--green input[value="true"]');
    const count = await achieved.count();
    expect(count).toBeGreaterThan(0);
    for (let i = 0; i < count; i++) await achieved.nth(i).check();
    await lead.locator('section.column--red input[value="false"]').first().check();
    await expect(suggestion).toContainText('Achieved');
    await lead.locator('section.column--red input[value="true"]').first().check();
    await expect(suggestion).toContainText('Not achieved');
    await lead.locator('section.column--red input[value="false"]').first().check();
    // Not applicable needs a justification naming the compensating measure.
    await achieved.nth(0).uncheck().catch(() => undefined);
    await lead.locator('section.column--green input[value="not_applicable"]').first().check();
    await lead.locator('section.column--green .igp__na input').first().fill('Covered by the shared-service policy set');
    await lead.locator('#confirm-partially_achieved').check();
    await expect(lead.locator('#differs')).toBeVisible();
    await lead.locator('#status-justification').fill('Two policies are overdue for review.');
    await lead.locator('#narrative').fill('Policies are approved by the board; two are overdue for review.');
    await waitSaved(lead);
    await lead.reload();
    await expect(lead.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await expect(lead.locator('#narrative')).toHaveValue('Policies are approved by the board; two are overdue for review.');
    await expect(lead.locator('#confirm-partially_achieved')).toBeChecked();
    await expectNoAxeViolations(lead);
    await snap(lead, 'outcome-answered');
  });

  test('a file and a link are attached as evidence', async () => {
    await openHydrated(lead, outcomes[0]);
    await lead.locator('#add-link summary').click();
    await lead.locator('#ev-title').fill('Information security policy');
    await lead.locator('#ev-owner').fill('ICT security team');
    await lead.locator('#ev-review').fill('2027-06-30');
    await lead.locator('#ev-url').fill('https://riverside.sharepoint.example/policies/infosec');
    await lead.getByRole('button', { name: 'Add and link' }).click();
    await expect(lead.locator('#linked-evidence')).toContainText('Information security policy');

    // A text file renamed as a PDF is refused with the reason, and the form stays open.
    mkdirSync('../target/e2e', { recursive: true });
    writeFileSync('../target/e2e/renamed.pdf', 'plain text pretending to be a PDF\n');
    await lead.locator('#add-file summary').click();
    await expect(lead.locator('#up-file')).toHaveAttribute('accept', /\.pdf,.*\.csv/);
    await lead.locator('#up-title').fill('Renamed document');
    await lead.locator('#up-owner').fill('Nobody');
    await lead.locator('#up-file').setInputFiles('../target/e2e/renamed.pdf');
    await lead.getByRole('button', { name: 'Upload and link' }).click();
    await expect(lead.locator('#upload-error')).toContainText("The file's contents are not a PDF file");
    await expect(lead.locator('#linked-evidence')).not.toContainText('Renamed document');
    await expect(lead.locator('#add-file')).toHaveAttribute('open', '');
    await expectNoAxeViolations(lead);
    await lead.locator('#add-file').scrollIntoViewIfNeeded();
    await lead.locator('section[aria-labelledby="evidence-heading"]').screenshot({ path: '../target/screens/outcome-upload-refused.png' });

    writeFileSync('../target/e2e/asset-register.csv', 'asset,owner\nrevenues,finance\n');
    await lead.locator('#up-title').fill('Asset register extract');
    await lead.locator('#up-owner').fill('Finance systems');
    await lead.locator('#up-file').setInputFiles('../target/e2e/asset-register.csv');
    await lead.getByRole('button', { name: 'Upload and link' }).click();
    await expect(lead.locator('#linked-evidence')).toContainText('Asset register extract');
    await expect(lead.locator('#upload-added')).toBeVisible();
    await expect(lead.locator('#upload-error')).toHaveCount(0);
    const [download] = await Promise.all([
      lead.waitForEvent('download'),
      lead.locator('#linked-evidence').getByRole('link', { name: 'Asset register extract' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('asset-register.csv');
    await expectNoAxeViolations(lead);
  });

  test('two people saving the same outcome conflict instead of overwriting', async ({ browser }) => {
    const second = await lead.context().newPage();
    await openHydrated(lead, outcomes[1]);
    await openHydrated(second, outcomes[1]);
    await lead.locator('#narrative').fill('First version from the first tab.');
    await waitSaved(lead);
    await second.locator('#narrative').fill('Second version typed without seeing the first.');
    await expect(second.locator('#conflict')).toBeVisible({ timeout: 15_000 });
    await expect(second.locator('#conflict')).toContainText('First version from the first tab.');
    await expect(second.locator('#narrative')).toHaveValue('Second version typed without seeing the first.');
    await expectNoAxeViolations(second);
    await snap(second, 'outcome-conflict');
    await second.locator('#keep-mine').click();
    await waitSaved(second);
    await second.close();
    await openHydrated(lead, outcomes[1]);
    await expect(lead.locator('#narrative')).toHaveValue('Second version typed without seeing the first.');
    void browser;
  });

  test('every outcome is confirmed and the scope goes for review', async () => {
    for (const path of outcomes.slice(1)) {
      await openHydrated(lead, path);
      await lead.locator('#confirm-not_achieved').check();
      await waitSaved(lead);
    }
    await lead.locator('#workflow-submit').click();
    await expect(lead.locator('#scope-state')).toHaveText('In review');
    await expect(lead.locator('#narrative')).toBeDisabled();
  });

  test('the reviewer returns the scope with a comment; the lead resubmits', async () => {
    await openHydrated(reviewer, outcomes[0]);
    await expect(reviewer.locator('#narrative')).toBeDisabled();
    await expectNoAxeViolations(reviewer);
    await reviewer.locator('#workflow-comment').fill('Say which two policies are overdue and when they will be reviewed.');
    await reviewer.locator('#workflow-return').click();
    await expect(reviewer.locator('#scope-state')).toHaveText('Returned with comments');
    await openHydrated(lead, outcomes[0]);
    await expect(lead.locator('#comments')).toContainText('Say which two policies are overdue');
    await lead.locator('#narrative').fill('Policies are approved by the board; the access control and backup policies are overdue and will be reviewed by March.');
    await waitSaved(lead);
    await lead.locator('#workflow-submit').click();
    await expect(lead.locator('#scope-state')).toHaveText('In review');
    await openHydrated(reviewer, outcomes[0]);
    await reviewer.locator('#workflow-accept').click();
    await expect(reviewer.locator('#scope-state')).toHaveText('With the assurer');
  });

  test('the assurer assures and proposes an action; the approver signs off', async () => {
    await openHydrated(assurer, outcomes[0]);
    await assurer.getByText('Propose an action').click();
    await assurer.locator('#action-description').fill('Review the access control and backup policies.');
    await assurer.locator('#action-owner').fill('Head of ICT');
    await assurer.getByRole('button', { name: 'Propose action' }).click();
    await expect(assurer.locator('#outcome-actions')).toContainText('Review the access control and backup policies.');
    await assurer.locator('#workflow-assure').click();
    await expect(assurer.locator('#scope-state')).toHaveText('Assured');
    await expectNoAxeViolations(assurer);

    await openHydrated(approver, outcomes[0]);
    await approver.locator('#workflow-sign_off').click();
    await expect(approver.locator('#scope-state')).toHaveText('Signed off');
    await openHydrated(approver, dashboard);
    await expect(approver.locator('.scope').nth(1)).toContainText('Snapshot SHA-256');
    await expect(approver.locator('.scope').nth(1).locator('code.hash')).toHaveText(/^[0-9a-f]{64}$/);
    await expectNoAxeViolations(approver);
    await snap(approver, 'assessment-signed-off');
  });

  test('after sign-off every edit control is gone and the server refuses writes', async () => {
    await openHydrated(lead, outcomes[0]);
    // A read-only view: the sign-off above, the answers as text, nothing to edit or save.
    await expect(lead.locator('#sign-off')).toContainText('Revenues and benefits is signed off');
    await expect(lead.locator('#sign-off-approver')).toHaveText('Sam Owner');
    await expect(lead.locator('#sign-off-at')).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
    await expect(lead.locator('#sign-off-hash')).toHaveText(/^[0-9a-f]{64}$/);
    await expect(lead.locator('#signed-answers')).toContainText('Answer: True');
    await expect(lead.locator('main input[type="radio"]')).toHaveCount(0);
    await expect(lead.locator('#save-state')).toHaveCount(0);
    await expect(lead.locator('main')).not.toContainText('All changes saved');
    await expect(lead.getByRole('button', { name: /^Clear/ })).toHaveCount(0);
    await expect(lead.locator('#read-only-note')).toHaveCount(0);
    await expect(lead.locator('#workflow-heading')).toHaveCount(0);
    await expect(lead.locator('#add-file')).toHaveCount(0);
    await expect(lead.getByRole('button', { name: 'Unlink' })).toHaveCount(0);
    const scopeId = systemScope.split('/').pop();
    const status = await lead.evaluate(async (scope) => {
      const body = new URLSearchParams({
        slug: 'riverside', scope_id: String(scope), outcome: 'B1.a', version: '99',
        'draft[justification]': '', 'draft[narrative]': 'changed after sign-off',
      });
      const r = await fetch('/api/assess/save', { method: 'POST', body });
      return r.status;
    }, scopeId);
    expect(status).toBe(409);
    await openHydrated(lead, outcomes[0]);
    await expect(lead.locator('#signed-narrative')).toContainText(/access control and backup policies/);
    await expectNoAxeViolations(lead);
    await snap(lead, 'outcome-signed-off');
    await lead.setViewportSize({ width: 390, height: 800 });
    await openHydrated(lead, outcomes[0]);
    const width = await lead.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    await snap(lead, 'outcome-signed-off-phone');
    await lead.setViewportSize({ width: 1280, height: 720 });
    await openHydrated(lead, `${dashboard}/plan`);
    await expect(lead.locator('#plan')).toContainText('Review the access control and backup policies.');
    await expectNoAxeViolations(lead);
    await openHydrated(lead, '/org/riverside/evidence');
    await expect(lead.locator('#register')).toContainText('Asset register extract');
    await expect(lead.locator('#register')).toContainText('Information security policy');
    await expectNoAxeViolations(lead);

    // The register stays alive after sign-off (the snapshot keeps what was signed): the policy's
    // review-by date has passed and its owner changed, and the register says so.
    const policy = lead.locator('#register tbody tr', { hasText: 'Information security policy' });
    await policy.getByRole('link', { name: 'Change details of Information security policy' }).click();
    await expect(lead.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await expect(lead.locator('#edit-title')).toHaveValue('Information security policy');
    await expect(lead.locator('#edit-review')).toHaveValue('2027-06-30');
    await expect(lead.locator('#edit-text')).toHaveValue('https://riverside.sharepoint.example/policies/infosec');
    await expectNoAxeViolations(lead);
    await lead.locator('#edit-owner').fill('Head of ICT');
    await lead.locator('#edit-review').fill('2026-01-31');
    await lead.getByRole('button', { name: 'Save changes' }).click();
    await expect(lead.locator('#evidence-updated')).toBeVisible();
    await expect(policy).toContainText('Head of ICT');
    await expect(policy).toContainText('Review overdue');
    await expect(lead.locator('#edit-item')).toHaveCount(0);
    await snap(lead, 'evidence-register');

    // A file that supports a signed-off outcome cannot be removed: the reason is given, it stays.
    const extract = lead.locator('#register tbody tr', { hasText: 'Asset register extract' });
    await extract.getByRole('link', { name: 'Change details of Asset register extract' }).click();
    await lead.locator('#remove-item summary').click();
    await lead.getByRole('button', { name: 'Remove “Asset register extract”' }).click();
    await expect(lead.locator('#remove-error')).toContainText('signed off, so it stays in the register');
    await expect(lead.locator('#register')).toContainText('Asset register extract');
    await expectNoAxeViolations(lead);

    // A note added by mistake goes.
    await openHydrated(lead, '/org/riverside/evidence');
    await lead.locator('#reg-kind').selectOption('note');
    await lead.locator('#reg-title').fill('Meeting notes filed in the wrong council');
    await lead.locator('#reg-owner').fill('Nobody');
    await lead.locator('#reg-note').fill('These belong to another council.');
    await lead.getByRole('button', { name: 'Add to the register' }).click();
    const mistake = lead.locator('#register tbody tr', { hasText: 'Meeting notes filed in the wrong council' });
    await expect(mistake).toHaveCount(1);
    await mistake.getByRole('link', { name: /^Change details/ }).click();
    await lead.locator('#remove-item summary').click();
    await lead.getByRole('button', { name: 'Remove “Meeting notes filed in the wrong council”' }).click();
    await expect(lead.locator('#evidence-removed')).toBeVisible();
    await expect(lead.locator('#register')).not.toContainText('Meeting notes filed in the wrong council');
    await expect(lead.locator('#register')).toContainText('Asset register extract');

    // On a phone the wide progress table scrolls inside its own region; the page does not.
    await lead.setViewportSize({ width: 390, height: 844 });
    await openHydrated(lead, dashboard);
    const widths = await lead.evaluate(() => {
      const region = document.querySelector('#progress')!.closest('.table-scroll')!;
      return {
        page: document.documentElement.scrollWidth,
        viewport: window.innerWidth,
        table: region.scrollWidth,
        region: region.clientWidth,
      };
    });
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    expect(widths.table).toBeGreaterThan(widths.region);
    await expectNoAxeViolations(lead);
    await lead.setViewportSize({ width: 1280, height: 720 });
  });

  test('the signed-off assessment is exported and imported again as a copy; a damaged file changes nothing', async () => {
    await openHydrated(lead, dashboard);
    const [download] = await Promise.all([
      lead.waitForEvent('download'),
      lead.getByRole('link', { name: 'Export (JSON)' }).click(),
    ]);
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
    expect(exported.format).toBe(1);
    expect(exported.scopes).toHaveLength(3);
    // The signed-off scope carries its sign-off: the approver, the time and the dashboard's hash.
    const hash = await lead.locator('.scope').nth(1).locator('code.hash').textContent();
    expect(exported.scopes[1].state).toBe('signed_off');
    expect(exported.scopes[1].sign_off.approver).toBe('Sam Owner');
    expect(exported.scopes[1].sign_off.sha256).toBe(hash);
    expect(exported.scopes[1].sign_off.signed_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(exported.scopes[0].sign_off).toBeNull();
    const [csvDownload] = await Promise.all([
      lead.waitForEvent('download'),
      lead.getByRole('link', { name: 'Outcome statuses (CSV)' }).click(),
    ]);
    const csv = readFileSync(await csvDownload.path(), 'utf8');
    expect(csv.split('\r\n')[0]).toContain('signed off by,signed off at,snapshot sha256');
    expect(csv).toContain(`Sam Owner,${exported.scopes[1].sign_off.signed_at},${hash}`);

    // Two mistakes in the file, and its title is taken here: all three are listed, nothing is added.
    const damaged = structuredClone(exported);
    damaged.scopes[1].outcomes[0].confirmed = 'excellent';
    damaged.assessment.period = '';
    writeFileSync('../target/e2e/damaged-export.json', JSON.stringify(damaged));
    await openHydrated(lead, '/org/riverside/assessments');
    const before = await lead.locator('main a[href*="/assessments/"]').count();
    await lead.locator('#import-file').setInputFiles('../target/e2e/damaged-export.json');
    await lead.getByRole('button', { name: 'Import' }).click();
    await expect(lead.locator('#import-error li')).toHaveCount(3);
    await expect(lead.locator('#import-error')).toContainText('already an assessment called "CAF self-assessment 2026/27"');
    await expect(lead.locator('#import-error')).toContainText('assessment.period: enter the period');
    await expect(lead.locator('#import-error')).toContainText('scopes[1].outcomes[0]: The confirmed status is not one of the three.');
    await expect(lead.locator('main a[href*="/assessments/"]')).toHaveCount(before);
    await expectNoAxeViolations(lead);
    await snap(lead, 'import-refused');

    // The file as exported comes back as a new assessment under a new title.
    writeFileSync('../target/e2e/export.json', JSON.stringify(exported));
    await lead.locator('#import-title').fill('Restored copy 2026/27');
    await lead.locator('#import-file').setInputFiles('../target/e2e/export.json');
    await lead.getByRole('button', { name: 'Import' }).click();
    await expect(lead).toHaveURL(/\/org\/riverside\/assessments\/\d+$/);
    expect(new URL(lead.url()).pathname).not.toBe(dashboard);
    await expect(lead.locator('h1')).toHaveText('Restored copy 2026/27');
    await expect(lead.getByRole('heading', { name: 'Revenues and benefits' })).toBeVisible();
  });
});
