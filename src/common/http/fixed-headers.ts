import type { IncomingMessage, ServerResponse } from 'node:http';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/**
 * What a middleware that sets the same headers on every response (helmet's defaults depend on nothing
 * in the request) does to a response, recorded once and replayed per response as one loop instead of
 * its chain of a dozen middlewares.
 */
export function fixedHeaders(middleware: Middleware): (res: ServerResponse) => void {
  const steps: [name: string, value?: string | number | readonly string[]][] = [];
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => steps.push([name, value]),
    removeHeader: (name: string) => steps.push([name]),
  };
  let passed = false;
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, (err) => (passed = !err));
  if (!passed) throw new Error('The header middleware did not pass the request on at once');
  return (res) => {
    for (const [name, value] of steps)
      if (value === undefined) res.removeHeader(name);
      else res.setHeader(name, value);
  };
}
