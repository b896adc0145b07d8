import type { Response } from 'supertest';

/** Asserts a response is the documented problem+json shape with this status. */
export function expectProblem(res: Response, status: number): void {
  expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { status } });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(typeof res.body.type).toBe('string');
  expect(typeof res.body.title).toBe('string');
  expect(typeof res.body.detail).toBe('string');
  expect(typeof res.body.instance).toBe('string');
  expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(js|ts):\d+|QueryFailedError|node_modules/);
}
