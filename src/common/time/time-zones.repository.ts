import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { useDatabaseTimeZones } from './time-zone.js';

/** Reads PostgreSQL's time zone names once at start, so validation accepts only zones it knows. */
@Injectable()
export class TimeZonesRepository implements OnApplicationBootstrap {
  private readonly logger = new Logger('TimeZones');

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async names(): Promise<string[]> {
    const rows: { name: string }[] = await this.dataSource.query(`SELECT name FROM pg_timezone_names`);
    return rows.map((r) => r.name);
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      useDatabaseTimeZones(await this.names());
    } catch (err) {
      // Without the list the runtime's own knowledge decides, as before.
      this.logger.warn({ msg: 'could not load pg_timezone_names', err: String(err) });
    }
  }
}
