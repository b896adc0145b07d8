import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config.js';
import { TimeZonesRepository } from '../common/time/time-zones.repository.js';
import { dataSourceOptions } from './data-source-options.js';
import { TransactionalConnection } from './transactional-connection.js';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions({ url: config.databaseUrl ?? '', poolSize: config.dbPoolSize }),
        migrationsRun: !config.isProduction,
        // Retry briefly at boot so a database that is still starting does not fail the deploy.
        retryAttempts: 5,
        retryDelay: 1000,
      }),
    }),
  ],
  providers: [TimeZonesRepository, TransactionalConnection],
  exports: [TransactionalConnection],
})
export class DatabaseModule {}
