import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { freePort } from '../../src/database/embedded-postgres.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { merchantBody, unique } from '../support/factories.js';

/**
 * The admin panel in a real browser: Debian's Chromium, driven by playwright-core, against the built
 * server (`dist/`) started as in production (NODE_ENV=production: minified bundles served as static
 * files, Secure cookies), on a database of its own.
 */

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!existsSync(CHROMIUM))
  throw new Error(
    `The browser tests need Chromium, and there is none at ${CHROMIUM}.\n` +
      "Install Debian's package:  sudo apt-get update && sudo apt-get install -y chromium\n" +
      '(or set CHROMIUM_PATH to a Chromium binary), then run `npm run test:browser` again.',
  );

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACTS = join(ROOT, 'test', 'artifacts');
const ADMIN = { email: 'admin@graminstore.com', password: `browser-${randomBytes(6).toString('hex')}` };

let database: TestDatabase;
let db: pg.Pool;
let server: ChildProcess;
let serverLog = '';
let base: string;
let userDataDir: string;
let browser: BrowserContext;
let page: Page;
const merchants = [
  merchantBody({ business_name: `Annapurna Kirana ${unique()}` }),
  merchantBody({ business_name: `Ganga Sweets ${unique()}` }),
];
/** What went wrong in the page: script errors, CSP refusals, failed requests. */
const problems: string[] = [];

/** Starts `node dist/src/main.js` and resolves once it listens. */
async function startServer(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      PORT: String(port),
      DATABASE_URL: database.url,
      JWT_SECRET: randomBytes(32).toString('hex'),
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      ADMIN_PANEL: 'true',
      LOG_LEVEL: 'info',
      BCRYPT_ROUNDS: '4',
      // The browser stands behind a TLS-terminating proxy on this host (X-Forwarded-Proto below).
      TRUST_PROXY: 'loopback',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`The server did not start:\n${serverLog}`)), 60_000);
    const read = (chunk: Buffer) => {
      serverLog += String(chunk);
      if (serverLog.includes('GraminStore API listening')) {
        clearTimeout(timer);
        ok();
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => fail(new Error(`The server exited (${code}):\n${serverLog}`)));
  });
  return child;
}

async function registerMerchant(body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${base}/api/v2/auth/register/merchant`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${await res.text()}`);
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  database = await createTestDatabase();
  db = new pg.Pool({ connectionString: database.url, max: 2 });
  const port = await freePort();
  base = `http://localhost:${port}`;
  server = await startServer(port);
  for (const merchant of merchants) await registerMerchant(merchant);

  userDataDir = mkdtempSync(join(tmpdir(), 'graminstore-chromium-'));
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1440, height: 900 },
    // As a TLS-terminating proxy in front of the app would say: the session cookie is Secure.
    extraHTTPHeaders: { 'X-Forwarded-Proto': 'https' },
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('requestfailed', (req) =>
    problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`),
  );
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
});

afterAll(async () => {
  await browser?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  if (server && server.exitCode === null) {
    const exited = new Promise((ok) => server.once('exit', ok));
    server.kill('SIGTERM');
    await exited;
  }
  await db?.end();
  await database?.drop();
});

it('signs in, shows the dashboard and lists the merchants from the database', async () => {
  await page.goto(`${base}/admin`);
  await page.waitForURL(`${base}/admin/login`);
  await page.fill('input[name=email]', ADMIN.email);
  await page.fill('input[name=password]', ADMIN.password);
  await Promise.all([page.waitForURL(`${base}/admin`), page.click('form button')]);

  // (Listed unfiltered: a Secure cookie on /admin is not "for" http://localhost/.)
  const cookie = (await browser.cookies()).find((c) => c.name === 'graminstore_admin');
  expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/admin' });

  await page.getByTestId('total-merchants').getByText('2', { exact: true }).waitFor();
  await page.screenshot({ path: join(ARTIFACTS, 'admin-dashboard.png'), fullPage: true });

  await page.goto(`${base}/admin/resources/merchants`);
  for (const merchant of merchants) await page.getByText(String(merchant.business_name)).waitFor();
  await page.getByText(String(merchants[0].email)).waitFor();
  await page.screenshot({ path: join(ARTIFACTS, 'admin-merchants.png'), fullPage: true });

  // The page ran with its CSP and without errors: no refused script, no failed request.
  expect(problems).toEqual([]);
});

it('saves an edit made in the form to the database', async () => {
  const { rows } = await db.query(`SELECT id FROM merchants WHERE email = $1`, [merchants[1].email]);
  await page.goto(`${base}/admin/resources/merchants/records/${rows[0].id}/edit`);
  const city = page.locator('input[name=city]');
  await city.waitFor();
  await city.fill('Varanasi');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL(`${base}/admin/resources/merchants`);
  await page.getByText('Varanasi').waitFor();
  const saved = await db.query(`SELECT city, business_name, zip_code, address FROM merchants WHERE id = $1`, [
    rows[0].id,
  ]);
  // The form sends every field back; untouched ones (empty ones too) keep their values.
  expect(saved.rows[0]).toEqual({
    city: 'Varanasi',
    business_name: merchants[1].business_name,
    zip_code: merchants[1].zip_code,
    address: null,
  });
  expect(problems).toEqual([]);
});

it('signs out and the session is gone', async () => {
  await page.goto(`${base}/admin/logout`);
  await page.waitForURL(`${base}/admin/login`);
  await page.goto(`${base}/admin/resources/merchants`);
  await page.waitForURL(`${base}/admin/login`);
  expect(problems).toEqual([]);
});
