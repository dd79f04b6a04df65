import { defineConfig, type PlaywrightTestConfig } from '@playwright/test';
import { existsSync } from 'node:fs';

/** Debian's Chromium; never a downloaded browser (it cannot work here). */
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PORT = Number(process.env.E2E_PORT ?? 8181);
/** Splunk mode (e2e/splunk.spec.ts): the Splunk-protocol test server and `lineage serve --splunk` on it. */
const SPLUNKD_PORT = Number(process.env.E2E_SPLUNKD_PORT ?? 8189);
const SPLUNK_PORT = Number(process.env.E2E_SPLUNK_PORT ?? 8182);
const SPLUNK_DATA = '../shared/datasets/splunk-attack_data/xmlwineventlog/T1202_atomic_red_team__windows-sysmon.log';
/**
 * The Splunk-mode spec serves a real capture from ../shared/datasets. In a clone without that folder it is
 * skipped with a visible message; under CI=true its absence is an error (the suite must not silently shrink).
 */
const splunkData = existsSync(SPLUNK_DATA);
/** Splunk Web's address for "Open in Splunk" links (never contacted: the spec checks the link only). */
const SPLUNK_WEB = 'https://splunk-web.example:8000';
if (!splunkData) {
  if (process.env.CI === 'true') throw new Error(`e2e: ${SPLUNK_DATA} is absent while CI=true`);
  console.warn(`\n*** SKIPPING the Splunk-mode e2e project: ${SPLUNK_DATA} not found (clone elsewhere) ***\n`);
}

type WebServer = Extract<NonNullable<PlaywrightTestConfig["webServer"]>, unknown[]>[number];
const SPLUNK_SERVERS: WebServer[] = [
  {
    command: `npm run splunkd -- --data ${SPLUNK_DATA} --notables e2e/splunk-notables.json --host-mode short --user quota-full:changeme --disk-quota-mb quota-full:0 --port ${SPLUNKD_PORT}`,
    url: `http://127.0.0.1:${SPLUNKD_PORT}/services/server/info`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
  },
  {
    // Uses the build made by the first web server's command.
    command: `node server/bin/lineage.js serve --splunk http://127.0.0.1:${SPLUNKD_PORT} --web ${SPLUNK_WEB} --port ${SPLUNK_PORT}`,
    url: `http://127.0.0.1:${SPLUNK_PORT}/api/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
  },
];

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  projects: [
    { name: 'embedded', testIgnore: /splunk(-app)?\.spec\.ts$/ },
    ...(splunkData ? [{ name: 'splunk', testMatch: /splunk(-app)?\.spec\.ts$/, use: { baseURL: `http://127.0.0.1:${SPLUNK_PORT}` } }] : []),
  ],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    screenshot: 'only-on-failure',
    trace: 'off',
    launchOptions: {
      executablePath: chromium,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
    },
  },
  webServer: [
    {
      // Builds first (incremental) so the specs always run the current server and client; the client in
      // e2e mode, the only build with the test probes (client/src/lib/probes.ts).
      command: `npx tsc -b shared server && npm run build:e2e -w client && node server/bin/lineage.js demo --db .tmp/e2e-demo.duckdb --force && node server/bin/lineage.js serve --db .tmp/e2e-demo.duckdb --port ${PORT}`,
      url: `http://127.0.0.1:${PORT}/api/health`,
      timeout: 180_000,
      reuseExistingServer: false,
      stdout: 'pipe',
      stderr: 'pipe',
    },
    ...(splunkData ? SPLUNK_SERVERS : []),
  ],
});
