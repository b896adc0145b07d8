import { jest } from '@jest/globals';
import { ADMIN_PANEL_LOADER, type AdminPanelLoader } from '../../src/modules/admin/admin-panel.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { registerMerchant } from '../support/factories.js';
import { expectProblem } from '../support/problem.js';

jest.setTimeout(60_000);

/** The failure a platform without rollup's native binary gives when the panel's bundler loads. */
const missingBinary: AdminPanelLoader = () =>
  Promise.reject(new Error('Cannot find module @rollup/rollup-linux-x64-gnu'));

describe('an admin panel that cannot load', () => {
  let t: TestApp;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    t = await createTestApp({
      env: { ADMIN_PANEL: 'true' },
      listen: true,
      override: (b) => b.overrideProvider(ADMIN_PANEL_LOADER).useValue(missingBinary),
    });
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await t?.close();
  });

  it('answers /admin with 503 problem+json while the API keeps serving', async () => {
    const admin = await t.http.get('/admin/login');
    expectProblem(admin, 503);
    expect(admin.body.code).toBe('admin-panel-unavailable');
    expect(admin.headers['retry-after']).toBeDefined();
    expectProblem(await t.http.get('/admin'), 503);

    await t.http.get('/health/ready').expect(200);
    const merchant = await registerMerchant(t);
    await t.http.get('/api/v2/dashboard/merchant').set(merchant.auth).expect(200);
    // Give a rejection nobody handles the time to surface: none may.
    await new Promise((r) => setTimeout(r, 200));
    expect(unhandled).toEqual([]);
  });
});
