import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { fromDataSource, SeedRepository } from './seed.repository.js';

/**
 * `npm start` on an empty database: loads the demo data set through the running application's own
 * services, in the background (the API is already serving), and logs the logins when done. Called by
 * main.ts after `listen` when SEED_ON_FIRST_START is on and the database is the embedded one. It never
 * throws: a failure is logged and the API keeps running.
 */
export async function seedOnFirstStart(app: INestApplicationContext, logger: LoggerService): Promise<void> {
  const context = 'DemoData';
  try {
    const repo = new SeedRepository(
      fromDataSource(app.get<DataSource>(getDataSourceToken(), { strict: false })),
    );
    if (!(await repo.isEmpty())) return;
    logger.log({ msg: 'first start on an empty database: loading the demo data in the background' }, context);
    // Loaded only now: the generator's name lists need not slow down every start.
    const { planDemoData } = await import('./demo-plan.js');
    const { seedDemoData } = await import('./demo-seeder.js');
    const result = await seedDemoData(app, planDemoData());
    const merchant = result.merchants[0];
    const user = result.users[0];
    logger.log(
      {
        msg:
          `demo data loaded: ${result.created.merchants} merchants, ${result.created.users} customers, ` +
          `${result.created.transactions} sales; log in as ${merchant?.email} / ${merchant?.password} ` +
          `(merchant) or ${user?.email} / ${user?.password} (customer)`,
        ms: result.ms,
      },
      context,
    );
  } catch (err) {
    logger.error({ msg: 'loading the demo data failed', error: String(err) }, undefined, context);
  }
}
