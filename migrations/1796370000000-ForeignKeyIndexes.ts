import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An index for every foreign key that had none. PostgreSQL checks or cascades a delete of the
 * referenced row with `DELETE FROM … WHERE <column> = $1` on the referencing table, which without an
 * index is a scan of the whole table: deleting one merchant scanned every merchant's payments on
 * account (5.5 ms at 4,000 merchants, and growing with them), and every account deleted with a
 * guest or a merchant scanned all reminders and their schedules. A test (test/medium/schema) keeps
 * every later foreign key indexed.
 *
 * Online: each index is built CONCURRENTLY (writes go on while it builds), so this migration runs
 * outside a transaction; an index left invalid by an interrupted build is dropped and built again.
 */
export class ForeignKeyIndexes1796370000000 implements MigrationInterface {
  name = 'ForeignKeyIndexes1796370000000';
  transaction = false as const;

  async up(q: QueryRunner): Promise<void> {
    for (const [name, definition] of INDEXES) {
      const [state]: { valid: boolean }[] = await q.query(
        `SELECT i.indisvalid AS valid FROM pg_index i WHERE i.indexrelid = to_regclass($1)`,
        [name],
      );
      if (state?.valid) continue;
      if (state) await q.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
      await q.query(`CREATE INDEX CONCURRENTLY ${name} ON ${definition}`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [name] of INDEXES) await q.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
  }
}

const INDEXES: readonly (readonly [name: string, definition: string])[] = [
  ['account_payments_merchant_idx', 'account_payments (merchant_id, created_at)'],
  ['staff_merchant_idx', 'staff (merchant_id)'],
  ['staff_created_by_idx', 'staff (created_by) WHERE created_by IS NOT NULL'],
  ['reminder_preferences_merchant_idx', 'reminder_preferences (merchant_id)'],
  ['reminder_schedules_account_idx', 'reminder_schedules (account_id) WHERE account_id IS NOT NULL'],
  ['reminders_account_idx', 'reminders (account_id) WHERE account_id IS NOT NULL'],
  ['reminders_schedule_idx', 'reminders (schedule_id) WHERE schedule_id IS NOT NULL'],
];
