import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Only a super-admin manages admins (creates them, changes their details, passwords or state). The
 * first admin (the one created from ADMIN_EMAIL) becomes the super-admin.
 */
export class SuperAdmin1796167479943 implements MigrationInterface {
  name = 'SuperAdmin1796167479943';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE admins ADD COLUMN is_super boolean NOT NULL DEFAULT false`);
    await q.query(`UPDATE admins SET is_super = true WHERE id = (SELECT min(id) FROM admins)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE admins DROP COLUMN is_super`);
  }
}
