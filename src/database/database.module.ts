import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { TimeZonesRepository } from '../common/time/time-zones.repository.js';
import { dataSourceOptions, initializeWithPoolCaps } from './data-source-options.js';
import { TransactionalConnection } from './transactional-connection.js';
import { ReadReplicas } from './read-replicas.js';
import { ReadYourWritesInterceptor } from './read-your-writes.interceptor.js';
import { WriteMarks } from './write-marks.js';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions({
          url: config.databaseUrl ?? '',
          poolSize: config.dbPoolSize,
          maxLifetimeSeconds: config.dbPoolMaxLifetimeSeconds,
          maxMerchantTables: config.dbPoolMaxMerchantTables,
        }),
        migrationsRun: !config.isProduction,
        // Retry briefly at boot so a database that is still starting does not fail the deploy.
        retryAttempts: 5,
        retryDelay: 1000,
      }),
      dataSourceFactory: async (options) => initializeWithPoolCaps(new DataSource(options!)),
    }),
  ],
  providers: [
    TimeZonesRepository,
    TransactionalConnection,
    WriteMarks,
    ReadReplicas,
    // Global only with replicas: `configureApp` installs it then (no interceptor, no per-request
    // Observable pipeline, when every read goes to the primary anyway).
    ReadYourWritesInterceptor,
  ],
  exports: [TransactionalConnection, ReadReplicas, ReadYourWritesInterceptor],
})
export class DatabaseModule {}
