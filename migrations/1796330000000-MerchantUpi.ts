import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A merchant's UPI address (VPA, stored lower-case) and the payee name UPI apps show, for the payment
 * links and QR codes of bills and customer accounts. Both optional: a shop without a VPA has no links.
 */
export class MerchantUpi1796330000000 implements MigrationInterface {
  name = 'MerchantUpi1796330000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE merchants
         ADD COLUMN upi_vpa text CONSTRAINT merchants_upi_vpa_format
           CHECK (upi_vpa ~ '^[a-z0-9._-]{2,256}@[a-z]{2,64}$'),
         ADD COLUMN upi_payee_name text CONSTRAINT merchants_upi_payee_name_length
           CHECK (char_length(upi_payee_name) BETWEEN 1 AND 100)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE merchants DROP COLUMN upi_payee_name, DROP COLUMN upi_vpa`);
  }
}
