import { startServer } from '../src/server.js';
import { seedOnFirstStart } from './seed-on-start.js';

/**
 * `npm start`: the server of `src/main.ts`, plus the demo data on the first start of an empty
 * embedded database (loaded in the background; the API is already serving).
 */
startServer((app, logger, { config, embedded }) => {
  if (embedded && config.seedOnFirstStart) void seedOnFirstStart(app, logger);
}).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
