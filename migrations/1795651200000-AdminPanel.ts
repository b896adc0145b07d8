import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The admin panel's own tables: its login sessions (the layout `connect-pg-simple` expects, created
 * here rather than by the store at run time) and the audit trail of every admin action.
 */
export class AdminPanel1795651200000 implements MigrationInterface {
  name = 'AdminPanel1795651200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE admin_sessions (
        sid     varchar PRIMARY KEY,
        sess    json NOT NULL,
        expire  timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX admin_sessions_expire_idx ON admin_sessions (expire)`);

    // The admin's email is copied into each row, so the trail still says who after an admin changes.
    await q.query(`
      CREATE TABLE admin_audit_log (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        occurred_at  timestamptz NOT NULL DEFAULT now(),
        admin_id     integer REFERENCES admins (id) ON DELETE SET NULL,
        admin_email  text,
        action       text NOT NULL,
        resource     text,
        record_id    text,
        outcome      text NOT NULL DEFAULT 'ok' CHECK (outcome IN ('ok', 'rejected', 'failed')),
        details      jsonb NOT NULL DEFAULT '{}',
        ip           text,
        request_id   text
      )`);
    await q.query(`CREATE INDEX admin_audit_log_time_idx ON admin_audit_log (occurred_at DESC)`);
    await q.query(`CREATE INDEX admin_audit_log_admin_idx ON admin_audit_log (admin_id, occurred_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS admin_audit_log`);
    await q.query(`DROP TABLE IF EXISTS admin_sessions`);
  }
}
