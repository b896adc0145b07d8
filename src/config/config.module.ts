import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule as NestConfigModule } from '@nestjs/config';
import { AppConfig, loadConfig } from './app-config.js';

/**
 * Validates the environment once at boot (through `@nestjs/config`) and provides the typed
 * {@link AppConfig}. Tests and the composition root pass overrides instead of touching `process.env`.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      imports: [NestConfigModule.forRoot({ ignoreEnvFile: true, validate: () => ({ app: config }) })],
      providers: [{ provide: AppConfig, useValue: config }],
      exports: [AppConfig],
    };
  }

  /** Builds the configuration from a raw environment, for the composition root. */
  static load(raw: Record<string, string | undefined>): AppConfig {
    return loadConfig(raw);
  }
}
