import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A merchant's UPI address (VPA, stored lower-case) and the payee name UPI apps show, for the payment
 * links and QR codes of bills and customer accounts. Both optional: a shop without a VPA has no links.
 */
export class MerchantUpi1796330000000 implements MigrationInterface {
  name = 'MerchantUpi1796330000000';

  // PostgreSQL's regular expressions repeat at most 255 times: the handle's 256 is a length check.
  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE merchants
         ADD COLUMN upi_vpa text CONSTRAINT merchants_upi_vpa_format
           CHECK (upi_vpa ~ '^[a-z0-9._-]{2,}@[a-z]{2,64}$' AND char_length(split_part(upi_vpa, '@', 1)) <= 256),
         ADD COLUMN upi_payee_name text CONSTRAINT merchants_upi_payee_name_length
           CHECK (char_length(upi_payee_name) BETWEEN 1 AND 100)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE merchants DROP COLUMN upi_payee_name, DROP COLUMN upi_vpa`);
  }
}
