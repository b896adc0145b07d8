import { createTestApp, type TestApp } from '../support/app.js';
import { responseViolations } from './support/checks.js';
import {
  authHeader,
  CALLERS,
  createFixture,
  STAFF_CALLERS,
  type Caller,
  type Fixture,
} from './support/fixture.js';
import { allDocumented, fillPath, operationsOf, type Operation } from './support/openapi.js';
import { expectedStatus, ROUTES } from './support/routes.js';

describe('authorization matrix: every documented route × every kind of caller', () => {
  let t: TestApp;
  let f: Fixture;
  let operations: Operation[];

  beforeAll(async () => {
    // Behind a trusted local proxy, so each route can come from a client address of its own.
    t = await createTestApp({ env: { TRUST_PROXY: 'loopback' } });
    f = await createFixture(t);
    operations = operationsOf(await allDocumented((path) => t.http.get(path).expect(200)));
  });
  afterAll(() => t.close());

  it('has an entry for every route of the OpenAPI document, and no entry for a route it lacks', () => {
    const documented = operations.map((o) => o.key);
    expect(operations.length).toBeGreaterThan(20);
    expect({ withoutEntry: documented.filter((k) => !ROUTES[k]) }).toEqual({ withoutEntry: [] });
    expect({ notDocumented: Object.keys(ROUTES).filter((k) => !documented.includes(k)) }).toEqual({
      notDocumented: [],
    });
  });

  it('documents bearer security exactly on the routes that need a token', () => {
    const wrong = operations
      .filter((o) => ROUTES[o.key] && o.secured !== (ROUTES[o.key].public === undefined))
      .map((o) => `${o.key}: secured=${o.secured}`);
    expect(wrong).toEqual([]);
  });

  /** Calls every route as each of `callers` and returns what differs from the table. */
  async function mismatchesFor(callers: readonly Caller[], skipPublic: boolean) {
    const mismatches: string[] = [];
    let cells = 0;
    for (const [index, op] of operations.entries()) {
      const entry = ROUTES[op.key];
      if (!entry) continue; // reported by the first test
      if (skipPublic && entry.public !== undefined) continue;
      // Each route from a client address of its own: per-address limits (logins, phone lookups) then
      // count one route's calls, however many routes share the limit.
      const address = `10.77.${index >> 8}.${(index & 255) + 1}`;
      for (const caller of callers) {
        const call = await entry.call(f);
        const method = op.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
        let req = t.http[method](fillPath(op.path, call.params))
          .set(authHeader(f, caller))
          .set('X-Forwarded-For', address);
        if (call.query) req = req.query(call.query);
        const res = await (call.body !== undefined ? req.send(call.body as object) : req);
        cells++;
        const want = expectedStatus(entry, caller);
        const problems: string[] = [];
        if (res.status !== want) problems.push(`got ${res.status}, want ${want}`);
        problems.push(...responseViolations(res.status, res.headers['content-type'], res.text ?? ''));
        if (caller === 'otherMerchant' && (res.text ?? '').includes(f.marker))
          problems.push("leaks the other merchant's data");
        if (problems.length)
          mismatches.push(`${op.key} as ${caller}: ${problems.join('; ')} ${(res.text ?? '').slice(0, 160)}`);
      }
    }
    return { mismatches, cells };
  }

  it('answers each caller with the expected status, problem+json errors and no other merchant’s data', async () => {
    const { mismatches, cells } = await mismatchesFor(CALLERS, false);
    expect(mismatches).toEqual([]);
    expect(cells).toBe(operations.length * CALLERS.length);
  });

  it("answers the shop's cashier and manager on every route that needs a token as the table says", async () => {
    const { mismatches, cells } = await mismatchesFor(STAFF_CALLERS, true);
    expect(mismatches).toEqual([]);
    const secured = operations.filter((o) => ROUTES[o.key]?.public === undefined).length;
    expect(cells).toBe(secured * STAFF_CALLERS.length);
  });
});
