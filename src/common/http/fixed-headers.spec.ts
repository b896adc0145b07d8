import helmet from 'helmet';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { fixedHeaders } from './fixed-headers.js';

const response = () => new ServerResponse(new IncomingMessage(new Socket()));

describe('fixedHeaders', () => {
  it("gives a response exactly the headers helmet's defaults give it", () => {
    const byHelmet = response();
    byHelmet.setHeader('X-Powered-By', 'Express');
    let passed = false;
    helmet()(new IncomingMessage(new Socket()), byHelmet, () => (passed = true));
    expect(passed).toBe(true);

    const replayed = response();
    replayed.setHeader('X-Powered-By', 'Express');
    fixedHeaders(helmet())(replayed);

    expect(replayed.getHeaders()).toEqual(byHelmet.getHeaders());
    expect(Object.keys(replayed.getHeaders()).length).toBeGreaterThan(10);
    expect(replayed.getHeader('x-powered-by')).toBeUndefined();
  });

  it('refuses a middleware that does not pass the request on at once', () => {
    expect(() => fixedHeaders(() => undefined)).toThrow(/did not pass/);
    expect(() => fixedHeaders((_req, _res, next) => next(new Error('no')))).toThrow(/did not pass/);
  });
});
