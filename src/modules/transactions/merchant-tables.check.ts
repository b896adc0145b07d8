import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { MerchantTableMigrator } from './merchant-table-migrator.js';

/**
 * At start-up, one indexed count says whether any merchant table is behind the code's version. In
 * development (where TypeORM migrations also run at start-up) the tables are brought up to date
 * here, since development databases are small; in production the app refuses to start and asks for
 * `npm run migration:run`, which migrates table by table without blocking the shops' writes.
 */
@Injectable()
export class MerchantTablesCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger(MerchantTablesCheck.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const migrator = new MerchantTableMigrator(this.dataSource);
    const behind = await migrator.behind();
    if (!behind) return;
    if (this.config.isProduction)
      throw new Error(
        `${behind} merchant tables are behind version ${migrator.version}: run npm run migration:run first.`,
      );
    const report = await migrator.run();
    this.logger.log({
      msg: 'merchant tables migrated',
      version: report.version,
      migrated: report.migrated.length,
    });
    if (report.failed.length) throw new Error(`${report.failed.length} merchant tables failed to migrate.`);
  }
}
