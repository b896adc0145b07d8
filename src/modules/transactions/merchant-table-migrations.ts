/**
 * Schema changes to every merchant table `transaction_<id>`, applied by MerchantTableMigrator after
 * the TypeORM migrations. Version 1 is the table as StandaloneMerchantTables1796200000000 left it
 * (and as TransactionTableFactory creates it from the template). A change is appended here with the
 * next version: `template` runs once against `transaction_template` (new tables are created from it,
 * so they start at the current version), `table` runs for each merchant table in its own short
 * transaction. Never edit or reorder a released entry.
 */
export interface MerchantTableMigration {
  version: number;
  description: string;
  /** Statements for `transaction_template`. */
  template: readonly string[];
  /** Statements for one merchant's table, given its quoted name. */
  table: (table: string) => readonly string[];
}

/** The MyManager calculator's lines and arithmetic, stored with the sale (null when not used). */
const saleItemsColumns = (table: string) => [
  `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS items jsonb, ADD COLUMN IF NOT EXISTS calculation text`,
];

export const MERCHANT_TABLE_MIGRATIONS: readonly MerchantTableMigration[] = [
  {
    version: 3,
    description: 'sale items and calculation',
    template: saleItemsColumns('transaction_template'),
    table: saleItemsColumns,
  },
];

/** The version every merchant table must be at for this code to run. */
export const MERCHANT_TABLE_VERSION = latestVersion(MERCHANT_TABLE_MIGRATIONS);

export function latestVersion(migrations: readonly MerchantTableMigration[]): number {
  return migrations.reduce((v, m) => Math.max(v, m.version), 1);
}
