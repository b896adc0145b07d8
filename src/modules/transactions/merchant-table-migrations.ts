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

/** Version 2 (the khata): who recorded a sale, voids and replacements, a guest's open bill by index. */
const KHATA_COLUMNS = [
  'ADD COLUMN IF NOT EXISTS recorded_by integer',
  'ADD COLUMN IF NOT EXISTS voided_at timestamptz',
  'ADD COLUMN IF NOT EXISTS voided_by integer',
  'ADD COLUMN IF NOT EXISTS void_reason text',
  'ADD COLUMN IF NOT EXISTS replaces bigint',
].join(', ');

/** The MyManager calculator's lines and arithmetic, stored with the sale (null when not used). */
const saleItemsColumns = (table: string) => [
  `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS items jsonb, ADD COLUMN IF NOT EXISTS calculation text`,
];

/**
 * Version 4: drops `(merchant_id, user_id, occurred_at DESC) WHERE user_id IS NOT NULL`, which the
 * partitions inherited. In a table of one merchant, `merchant_id` is the same in every row, so
 * `(user_id, occurred_at DESC, id DESC) WHERE user_id IS NOT NULL` serves every query it served; each
 * sale paid for both, and a connection meeting a shop builds a cache entry for each of its indexes.
 * Index names differ between tables converted from partitions and tables made from the template, so
 * the index is found by its definition.
 */
const dropRedundantBuyerIndex = (table: string) => [
  `DO $$ DECLARE r record; BEGIN
     FOR r IN SELECT i.indexrelid::regclass AS name FROM pg_index i
               WHERE i.indrelid = '${table}'::regclass
                 AND pg_get_indexdef(i.indexrelid) LIKE '% USING btree (merchant_id, user_id, occurred_at DESC) WHERE (user_id IS NOT NULL)'
     LOOP EXECUTE 'DROP INDEX ' || r.name; END LOOP;
   END $$`,
];

export const MERCHANT_TABLE_MIGRATIONS: readonly MerchantTableMigration[] = [
  {
    version: 2,
    description: 'khata: recorded_by, voided_at, voided_by, void_reason, replaces; guest open-bill index',
    template: [
      `ALTER TABLE transaction_template ${KHATA_COLUMNS}`,
      `CREATE INDEX IF NOT EXISTS transaction_template_guest_open_idx ON transaction_template (guest_user_id, occurred_at, id)
         WHERE guest_user_id IS NOT NULL AND status <> 'paid'`,
    ],
    table: (table) => [
      `ALTER TABLE ${table} ${KHATA_COLUMNS}`,
      `CREATE INDEX IF NOT EXISTS ${table.slice(0, -1)}_guest_open_idx" ON ${table} (guest_user_id, occurred_at, id)
         WHERE guest_user_id IS NOT NULL AND status <> 'paid'`,
    ],
  },
  {
    version: 3,
    description: 'sale items and calculation',
    template: saleItemsColumns('transaction_template'),
    table: saleItemsColumns,
  },
  {
    version: 4,
    description: 'drop the buyer index that (user_id, occurred_at, id) makes redundant',
    template: dropRedundantBuyerIndex('transaction_template'),
    table: dropRedundantBuyerIndex,
  },
];

/** The version every merchant table must be at for this code to run. */
export const MERCHANT_TABLE_VERSION = latestVersion(MERCHANT_TABLE_MIGRATIONS);

export function latestVersion(migrations: readonly MerchantTableMigration[]): number {
  return migrations.reduce((v, m) => Math.max(v, m.version), 1);
}
