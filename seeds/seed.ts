import { existsSync } from 'node:fs';
import { ConfigValidationError } from '../src/config/app-config.js';
import { ForeignDataError } from './demo-seeder.js';
import { runSeed, UsageError } from './seeder.js';

/** `npm run seed` (see seeder.ts; `npm run seed -- --help` lists the options). */
if (existsSync('.env')) process.loadEnvFile('.env');
runSeed(process.argv.slice(2), process.env).catch((err: unknown) => {
  if (err instanceof UsageError || err instanceof ConfigValidationError || err instanceof ForeignDataError)
    console.error(err.message);
  else console.error(err);
  process.exitCode = 1;
});
