import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/** What a medium spec reaches its database through, once `beforeAll` has run. */
export interface MediumDatabase {
  readonly dataSource: DataSource;
}

/**
 * A migrated database of this test file's own (a clone of the template the global setup migrated),
 * with a DataSource on it for the repositories under test; destroyed and dropped after the file.
 */
export function useMediumDatabase(): MediumDatabase {
  let database: TestDatabase | undefined;
  let dataSource: DataSource | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = new DataSource(dataSourceOptions({ url: database.url, poolSize: 4 }));
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });
  return {
    get dataSource(): DataSource {
      if (!dataSource) throw new Error('The medium database is set up in beforeAll: use it inside a test.');
      return dataSource;
    },
  };
}
