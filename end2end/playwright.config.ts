import { defineConfig } from '@playwright/test';

// The server binary is built by scripts/build.sh; each run starts it on a fresh SQLite database.
const port = Number(process.env.E2E_PORT ?? 3100);
// WebAuthn needs a secure context: localhost counts as one, and the relying party is its host.
const baseURL = `http://localhost:${port}`;
export const databaseURL = 'sqlite://../target/e2e/e2e.db';
process.env.CAF_PUBLIC_URL = baseURL;

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run',
      ],
    },
  },
  // The journeys run first; every-page.spec.ts creates a platform administrator on the command
  // line, which would end the first-run set-up link that the sign-in journey tests.
  projects: [
    { name: 'journeys', testIgnore: /every-page\.spec\.ts/ },
    { name: 'every page', testMatch: /every-page\.spec\.ts/, dependencies: ['journeys'] },
  ],
  webServer: {
    command:
      `rm -rf ../target/e2e && mkdir -p ../target/e2e && ` +
      `../target/debug/server --database-url ${databaseURL} --public-url ${baseURL} ` +
      `serve --addr 127.0.0.1:${port} --site-root ../target/site`,
    url: `${baseURL}/frameworks`,
    timeout: 60_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
