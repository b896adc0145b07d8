import { startServer } from './server.js';

/**
 * `node dist/src/main.js`: the server, as production runs it. `npm start` runs `seeds/start.ts`,
 * which adds the demo data on the first start of an empty embedded database.
 */
startServer().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
