import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { TransactionalConnection } from '../../src/database/transactional-connection.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

export interface MediumDatabase {
  dataSource: DataSource;
  db: TransactionalConnection;
  close(): Promise<void>;
}

/** A migrated database of the test file's own (cloned from the run's template) and a connection to it. */
export async function migratedDatabase(): Promise<MediumDatabase> {
  const database: TestDatabase = await createTestDatabase();
  const dataSource = new DataSource(dataSourceOptions({ url: database.url, poolSize: 4 }));
  await dataSource.initialize();
  return {
    dataSource,
    db: new TransactionalConnection(dataSource),
    close: async () => {
      await dataSource.destroy();
      await database.drop();
    },
  };
}
