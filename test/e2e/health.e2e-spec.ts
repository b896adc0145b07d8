import { createTestApp, type TestApp } from '../support/app.js';
import { expectProblem } from '../support/problem.js';

describe('health, docs and operations (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('serves the seed health summary at /', async () => {
    const res = await t.http.get('/').expect(200);
    expect(res.body).toMatchObject({ status: 'healthy', docs: '/docs' });
  });

  it('keeps idle connections open for 65 s, longer than a load balancer keeps its own', async () => {
    const live = await createTestApp({ listen: true });
    try {
      const res = await fetch(`${live.baseUrl}/health/live`);
      expect(res.status).toBe(200);
      expect(res.headers.get('keep-alive')).toBe('timeout=65');
    } finally {
      await live.close();
    }
  });

  it('answers live and ready', async () => {
    await t.http.get('/health/live').expect(200, { status: 'ok' });
    const res = await t.http.get('/health/ready').expect(200);
    expect(res.body.checks.database).toBe('up');
  });

  it('exposes Prometheus metrics', async () => {
    await t.http.get('/health/live');
    const res = await t.http.get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toContain('http_request_duration_seconds_bucket');
    expect(res.text).toContain('process_cpu_user_seconds_total');
  });

  it('serves Swagger UI and an OpenAPI document with bearer auth and every API route', async () => {
    const ui = await t.http.get('/docs/').expect(200);
    expect(ui.text).toContain('swagger');
    const doc = await t.http.get('/docs-json').expect(200);
    expect(doc.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const path of [
      '/api/v2/auth/register/merchant',
      '/api/v2/auth/login/admin',
      '/api/v2/auth/refresh',
      '/api/v2/auth/profile/user',
      '/api/v2/users/lookup',
    ])
      expect(Object.keys(doc.body.paths)).toContain(path);
    // Every operation documents at least one error response.
    for (const [path, ops] of Object.entries<Record<string, { responses: Record<string, unknown> }>>(
      doc.body.paths,
    ))
      for (const [method, op] of Object.entries(ops))
        if (path.startsWith('/api/v2'))
          expect({
            route: `${method} ${path}`,
            errors: Object.keys(op.responses).some((s) => Number(s) >= 400),
          }).toEqual({
            route: `${method} ${path}`,
            errors: true,
          });
  });

  it('echoes a request id, or makes one', async () => {
    const mine = await t.http.get('/health/live').set('x-request-id', 'req-abc-123');
    expect(mine.headers['x-request-id']).toBe('req-abc-123');
    const made = await t.http.get('/health/live');
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sets security headers and CORS', async () => {
    const res = await t.http.get('/health/live').set('Origin', 'https://pwa.example.com');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['access-control-allow-origin']).toBeDefined();
  });

  it('answers unknown routes with a problem+json 404', async () => {
    expectProblem(await t.http.get('/api/v2/does-not-exist'), 404);
  });
});
