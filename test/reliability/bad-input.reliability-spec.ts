import fc from 'fast-check';
import { createTestApp, type TestApp } from '../support/app.js';
import { responseViolations } from './support/checks.js';
import { changedTables, listTables, snapshot, type Snapshot } from './support/db.js';
import { authHeader, createFixture, type Fixture } from './support/fixture.js';
import {
  bodyPayloads,
  encode,
  hostileHeaderValues,
  hostileIds,
  queryPayloads,
  queryString,
  type Payload,
} from './support/fuzz.js';
import {
  allDocumented,
  fillPath,
  operationsOf,
  type OpenApiDocument,
  type Operation,
} from './support/openapi.js';
import { fuzzRole, ROUTES, type RouteCall } from './support/routes.js';

/** Cases per route and kind of input (RELIABILITY_FUZZ_RUNS), and a fixed seed to replay a failure. */
const RUNS = Number(process.env.RELIABILITY_FUZZ_RUNS ?? 40);
const SEED = process.env.RELIABILITY_FUZZ_SEED ? Number(process.env.RELIABILITY_FUZZ_SEED) : undefined;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

interface Outcome {
  status: number;
  text: string;
  violations: string[];
}

describe('bad input: property-based fuzzing of every body, query and path parameter in the document', () => {
  let t: TestApp;
  let f: Fixture;
  let doc: OpenApiDocument;
  let operations: Operation[];
  let tables: string[];
  let current: Snapshot;
  const statuses = new Map<number, number>();
  let sent = 0;
  let snapMs = 0;

  beforeAll(async () => {
    // Requests come through a trusted proxy here, so each can carry its own client address.
    t = await createTestApp({ listen: true, env: { TRUST_PROXY: 'loopback' } });
    f = await createFixture(t);
    doc = await allDocumented((path) => t.http.get(path).expect(200));
    operations = operationsOf(doc).filter((o) => ROUTES[o.key]);
    tables = await listTables(t.db);
    current = await snapshot(t.db, tables);
  });
  afterAll(() => t.close());

  const headersFor = (op: Operation): Record<string, string> => {
    const role = fuzzRole(ROUTES[op.key]);
    // A fresh client address per request, so the login limiter's per-address window does not mask validation.
    const ip = `10.${(sent >> 16) & 255}.${(sent >> 8) & 255}.${sent & 255}`;
    return { ...(role ? authHeader(f, role) : {}), 'X-Forwarded-For': ip };
  };
  const baseOf = (op: Operation): Promise<RouteCall> => {
    const entry = ROUTES[op.key];
    return Promise.resolve((entry.fuzzBase ?? entry.call)(f));
  };

  /** Sends one request and checks the response and, when it was refused, that nothing was written. */
  async function exchange(
    op: Operation,
    url: string,
    payload?: Payload,
    extraHeaders: Record<string, string> = {},
  ): Promise<Outcome> {
    const method = op.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    let req = t.http[method](url).set(headersFor(op)).set(extraHeaders).timeout(15_000);
    if (payload?.kind === 'json')
      req = req.set('Content-Type', 'application/json').send(JSON.stringify(payload.value) ?? '');
    else if (payload?.kind === 'raw') req = req.set('Content-Type', payload.contentType).send(payload.text);
    sent++;
    type Answer = { status: number; text?: string; headers: Record<string, string> };
    const answer: Answer = await req.then(
      (res) => res as unknown as Answer,
      (err: { response?: Answer }) => err.response ?? { status: 0, text: String(err), headers: {} },
    );
    const { status } = answer;
    const text = answer.text ?? '';
    const type: string | undefined = answer.headers['content-type'];
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    const violations = responseViolations(status, type, text);
    const t0 = performance.now();
    const after = await snapshot(t.db, tables);
    snapMs += performance.now() - t0;
    if (status >= 400) {
      const changed = changedTables(current, after);
      if (changed.length) violations.push(`refused with ${status} but changed ${changed.join(', ')}`);
    }
    current = after;
    return { status, text, violations };
  }

  /** Runs a property over one route; returns a description of the first failing case, if any. */
  async function fuzz<T>(
    op: Operation,
    what: string,
    arb: fc.Arbitrary<T>,
    toRequest: (value: T) => { url: string; payload?: Payload; headers?: Record<string, string> },
    show: (value: T) => string,
  ): Promise<string | undefined> {
    let failure: string | undefined;
    try {
      await fc.assert(
        fc.asyncProperty(arb, async (value) => {
          const { url, payload, headers } = toRequest(value);
          const out = await exchange(op, url, payload, headers);
          if (!out.violations.length) return true;
          failure = `${op.key} [${what}] ${show(value).slice(0, 300)} → ${out.status}: ${out.violations.join('; ')} ${out.text.slice(0, 200)}`;
          return false;
        }),
        { numRuns: RUNS, endOnFailure: true, seed: SEED },
      );
    } catch (err) {
      return `${failure ?? String(err)} (${String(err).match(/seed: -?\d+/)?.[0] ?? ''})`;
    }
    return undefined;
  }

  const describePayload = (p: Payload) =>
    p.kind === 'json'
      ? `${p.note}: ${JSON.stringify(p.value)?.slice(0, 240)}`
      : `${p.note}: ${p.text.slice(0, 240)}`;

  it('accepts each route’s unmodified base request (so mutations start from something valid)', async () => {
    const refused: string[] = [];
    for (const op of operations) {
      const entry = ROUTES[op.key];
      if (entry.fuzzBase) continue;
      const base = await baseOf(op);
      const url = fillPath(op.path, base.params) + queryString(Object.entries(base.query ?? {}));
      const out = await exchange(
        op,
        url,
        base.body !== undefined ? { kind: 'json', value: base.body, note: 'base' } : undefined,
      );
      if (out.status >= 300) refused.push(`${op.key}: ${out.status} ${out.text.slice(0, 200)}`);
    }
    expect(refused).toEqual([]);
  });

  it('survives hostile request bodies on every route that takes one', async () => {
    const failures: string[] = [];
    const targets = operations.filter((o) => o.body || BODY_METHODS.has(o.method));
    expect(targets.length).toBeGreaterThan(5);
    for (const op of targets) {
      const base = await baseOf(op);
      const url = fillPath(op.path, base.params) + queryString(Object.entries(base.query ?? {}));
      const failure = await fuzz(
        op,
        'body',
        bodyPayloads(doc, op.body, (base.body ?? {}) as Record<string, unknown>),
        (payload) => ({ url, payload }),
        describePayload,
      );
      if (failure) failures.push(failure);
    }
    expect(failures).toEqual([]);
  });

  it('survives hostile query strings on every route', async () => {
    const failures: string[] = [];
    for (const op of operations) {
      const base = await baseOf(op);
      const path = fillPath(op.path, base.params);
      const body =
        base.body !== undefined ? ({ kind: 'json', value: base.body, note: 'base' } as const) : undefined;
      const failure = await fuzz(
        op,
        'query',
        queryPayloads(op.parameters, base.query ?? {}),
        (pairs) => ({ url: path + queryString(pairs), payload: body }),
        (pairs) => queryString(pairs),
      );
      if (failure) failures.push(failure);
    }
    expect(failures).toEqual([]);
  });

  it('survives hostile path parameters', async () => {
    const failures: string[] = [];
    const targets = operations.filter((o) => o.path.includes('{'));
    expect(targets.length).toBeGreaterThan(0);
    for (const op of targets) {
      const base = await baseOf(op);
      const body =
        base.body !== undefined ? ({ kind: 'json', value: base.body, note: 'base' } as const) : undefined;
      const failure = await fuzz(
        op,
        'path',
        hostileIds,
        (id) => ({ url: op.path.replace(/\{[^}]+\}/g, encode(id)), payload: body }),
        (id) => JSON.stringify(id),
      );
      if (failure) failures.push(failure);
    }
    expect(failures).toEqual([]);
  });

  it('survives hostile header parameters (Idempotency-Key)', async () => {
    const failures: string[] = [];
    const targets = operations.filter((o) => o.parameters.some((p) => p.in === 'header'));
    expect(targets.length).toBeGreaterThan(0);
    for (const op of targets) {
      const base = await baseOf(op);
      const url = fillPath(op.path, base.params) + queryString(Object.entries(base.query ?? {}));
      const body =
        base.body !== undefined ? ({ kind: 'json', value: base.body, note: 'base' } as const) : undefined;
      for (const name of op.parameters.filter((p) => p.in === 'header').map((p) => p.name)) {
        const failure = await fuzz(
          op,
          `header ${name}`,
          hostileHeaderValues,
          (value) => ({ url, payload: body, headers: { [name]: value } }),
          (value) => JSON.stringify(value),
        );
        if (failure) failures.push(failure);
      }
    }
    expect(failures).toEqual([]);
  });

  afterAll(() => {
    if (process.env.RELIABILITY_VERBOSE)
      console.log(
        `fuzz: ${sent} requests, snapshots ${Math.round(snapMs)} ms, statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
      );
  });

  it('exercised every route with both accepted and refused requests', () => {
    expect(sent).toBeGreaterThan(operations.length * RUNS);
    expect([...statuses.keys()].some((s) => s >= 200 && s < 300)).toBe(true);
    expect([...statuses.keys()].some((s) => s >= 400 && s < 500)).toBe(true);
  });
});
