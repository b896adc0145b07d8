import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config.js';

/**
 * Provides the typed {@link AppConfig} everywhere. It validates nothing itself: the entry point builds
 * the configuration with `loadConfig` (which validates the environment and refuses to start on a
 * problem), and tests pass one of their own instead of touching `process.env`.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: AppConfig, useValue: config }],
      exports: [AppConfig],
    };
  }
}
