import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A customer's say over each shop that bills them. The relation lives on the customer→merchant link
 * (`customer_merchants`), which the sale that creates it already writes in the same statement:
 * `pending` (billed, not yet confirmed), `accepted`, or `blocked`. A live sale writes `pending`
 * explicitly; links that existed before (and bulk-loaded history) are established relations.
 */
export class CustomerShopRelations1796163519407 implements MigrationInterface {
  name = 'CustomerShopRelations1796163519407';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE customer_merchants
        ADD COLUMN relation text NOT NULL DEFAULT 'accepted'
          CHECK (relation IN ('pending', 'accepted', 'blocked')),
        ADD COLUMN relation_changed_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customer_merchants DROP COLUMN relation_changed_at, DROP COLUMN relation`);
  }
}
