import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

/** A column as PostgreSQL reports it (`information_schema.columns`). */
export interface ColumnShape {
  type: string;
  nullable: boolean;
}

/** The table's columns as they are in the migrated database. */
export async function tableColumns(
  dataSource: DataSource,
  table: string,
): Promise<Record<string, ColumnShape>> {
  const rows: { column_name: string; data_type: string; is_nullable: 'YES' | 'NO' }[] =
    await dataSource.query(
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
      [table],
    );
  return Object.fromEntries(
    rows.map((r) => [r.column_name, { type: r.data_type, nullable: r.is_nullable === 'YES' }]),
  );
}

/** The columns an entity maps, as the database should have them for the entity to read and write. */
export function entityColumns(
  dataSource: DataSource,
  entity: EntityTarget<ObjectLiteral>,
): Record<string, ColumnShape> {
  const metadata = dataSource.getMetadata(entity);
  return Object.fromEntries(
    metadata.columns.map((c) => [
      c.databaseName,
      {
        type: dataSource.driver.normalizeType(c).replace(/^timestamptz$/, 'timestamp with time zone'),
        nullable: c.isNullable,
      },
    ]),
  );
}
