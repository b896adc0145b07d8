import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Turns the LIST partitions of `transactions` into standalone tables `transaction_<merchant_id>`
 * (docs/architecture.md, "Per-merchant tables"). At ten thousand merchants the parent made every
 * routine operation touch every table: foreign-key checks planned on the parent locked all
 * partitions, a user delete checked the key from every partition, each registration's ATTACH
 * replanned every backend. After this migration:
 *
 * - `transaction_template` holds the shape of a merchant table; new tables are created from it
 *   (TransactionTableFactory) and each table's schema version is kept in `merchant_tables` (row 0:
 *   the template's).
 * - `transaction_index` is the one narrow cross-merchant table (merchant, id, buyer, amount, type, time),
 *   maintained by the same row trigger that keeps the dashboards' rollups, in the writing transaction.
 * - No foreign key leads from or to a merchant table: the application keeps integrity inside the
 *   writing transaction (a sale locks its customer and merchant rows with FOR KEY SHARE).
 *
 * It runs outside one big transaction: the partitions are detached in batches, each batch in its own
 * short transaction, so the lock table is never exhausted and an interrupted run resumes where it
 * stopped (every step checks what is already done).
 */
export class StandaloneMerchantTables1796200000000 implements MigrationInterface {
  name = 'StandaloneMerchantTables1796200000000';
  transaction = false as const;

  async up(q: QueryRunner): Promise<void> {
    const parent = await this.parentExists(q);
    await this.inTransaction(q, async () => {
      await q.query(`
        CREATE TABLE IF NOT EXISTS merchant_tables (
          merchant_id integer PRIMARY KEY,
          version     integer NOT NULL,
          updated_at  timestamptz NOT NULL DEFAULT now()
        )`);
      // Row 0 is the template's own version.
      await q.query(
        `INSERT INTO merchant_tables (merchant_id, version) VALUES (0, 1) ON CONFLICT DO NOTHING`,
      );
      await q.query(`
        CREATE TABLE IF NOT EXISTS transaction_index (
          merchant_id   integer NOT NULL,
          id            bigint NOT NULL PRIMARY KEY,
          user_id       integer,
          guest_user_id integer,
          amount_paise  bigint NOT NULL,
          type          text NOT NULL,
          occurred_at   timestamptz NOT NULL
        )`);
      // A customer's or guest's sales anywhere, the newest first; the admin's list by time.
      await q.query(
        `CREATE INDEX IF NOT EXISTS transaction_index_user_idx ON transaction_index (user_id, occurred_at DESC, id DESC) WHERE user_id IS NOT NULL`,
      );
      await q.query(
        `CREATE INDEX IF NOT EXISTS transaction_index_guest_idx ON transaction_index (guest_user_id) WHERE guest_user_id IS NOT NULL`,
      );
      await q.query(
        `CREATE INDEX IF NOT EXISTS transaction_index_time_idx ON transaction_index (occurred_at DESC, id DESC)`,
      );
      await q.query(
        `CREATE INDEX IF NOT EXISTS transaction_index_merchant_idx ON transaction_index (merchant_id, occurred_at DESC, id DESC)`,
      );
      if (parent) {
        await q.query(`CREATE TABLE IF NOT EXISTS transaction_template (LIKE transactions INCLUDING ALL)`);
        await q.query(`ALTER SEQUENCE transactions_id_seq OWNED BY NONE`);
        await q.query(`ALTER SEQUENCE transactions_change_seq OWNED BY NONE`);
        for (const fk of await this.foreignKeys(
          q,
          `confrelid = 'transactions'::regclass AND conparentid = 0`,
        ))
          await q.query(`ALTER TABLE ${fk.tbl} DROP CONSTRAINT ${fk.name}`);
      }
      await this.replaceFunctions(q);
    });

    if (parent) {
      for (;;) {
        const batch: { name: string; merchant_id: number }[] = await q.query(
          `SELECT c.relname AS name, substring(c.relname FROM 'transaction_(\\d+)')::int AS merchant_id
             FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'transactions'::regclass ORDER BY c.relname LIMIT 50`,
        );
        if (!batch.length) break;
        await this.inTransaction(q, async () => {
          for (const t of batch) await this.convert(q, t.name, t.merchant_id);
        });
      }
      await q.query(`DROP TABLE transactions`);
    }
  }

  async down(): Promise<void> {
    throw new Error('The per-merchant tables cannot be turned back into partitions by a migration.');
  }

  /** One partition: detached, its keys dropped, its triggers and index rows made, its version set. */
  private async convert(q: QueryRunner, name: string, merchantId: number): Promise<void> {
    if (!/^transaction_\d+$/.test(name)) throw new Error(`Unexpected partition ${name}`);
    const table = `"${name}"`;
    await q.query(`ALTER TABLE transactions DETACH PARTITION ${table}`);
    for (const fk of await this.foreignKeys(q, `conrelid = '${table}'::regclass`))
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${fk.name}`);
    await q.query(`DROP TRIGGER IF EXISTS dashboard_rollups_ins ON ${table}`);
    await q.query(`DROP TRIGGER IF EXISTS dashboard_rollups_upd ON ${table}`);
    await q.query(`DROP TRIGGER IF EXISTS dashboard_rollups_del ON ${table}`);
    for (const sql of MERCHANT_TABLE_TRIGGERS_V1(table)) await q.query(sql);
    await q.query(
      `INSERT INTO transaction_index (merchant_id, id, user_id, guest_user_id, amount_paise, type, occurred_at)
       SELECT merchant_id, id, user_id, guest_user_id, amount_paise, type, occurred_at FROM ${table}
       ON CONFLICT (id) DO NOTHING`,
    );
    await q.query(
      `INSERT INTO merchant_tables (merchant_id, version) VALUES ($1, 1) ON CONFLICT (merchant_id) DO NOTHING`,
      [merchantId],
    );
  }

  /**
   * The rollup functions read merchant rows through the parent in two places: the customer's latest
   * sale (now from the index) and the rebuild (now the merchant's own table, merchant by merchant).
   * The row trigger also keeps `transaction_index`, before its rollups-off switch (a bulk load
   * skips rollups, never the index).
   */
  private async replaceFunctions(q: QueryRunner): Promise<void> {
    const [apply]: { def: string }[] = await q.query(
      `SELECT pg_get_functiondef('dashboard_apply_sale(integer, bigint, integer, integer, bigint, text, text, bigint, text, timestamptz, integer)'::regprocedure) AS def`,
    );
    if (apply.def.includes('FROM transactions t'))
      await q.query(
        replaceOnce(
          apply.def,
          /FROM \(SELECT t\.id, t\.occurred_at FROM transactions t\s+WHERE t\.merchant_id = p_merchant AND t\.user_id = p_user\s+ORDER BY t\.occurred_at DESC, t\.id DESC LIMIT 1\) l/,
          `FROM (SELECT t.id, t.occurred_at FROM transaction_index t
                     WHERE t.user_id = p_user AND t.merchant_id = p_merchant
                     ORDER BY t.occurred_at DESC, t.id DESC LIMIT 1) l`,
        ),
      );

    const [rebuild]: { def: string }[] = await q.query(
      `SELECT pg_get_functiondef('dashboard_rebuild_rollups(integer)'::regprocedure) AS def`,
    );
    let def = rebuild.def;
    if (!def.includes('merchant_tables')) {
      def = replaceOnce(
        def,
        /BEGIN\s+LOCK TABLE/,
        `BEGIN
        IF p_merchant IS NULL THEN
          PERFORM dashboard_rebuild_rollups(m.merchant_id) FROM merchant_tables m WHERE m.merchant_id > 0 ORDER BY m.merchant_id;
          RETURN;
        END IF;
        LOCK TABLE`,
      );
      const parts = def.split('FROM transactions t');
      if (parts.length !== 4) throw new Error('dashboard_rebuild_rollups is not the expected function');
      def = parts.join(`FROM ' || format('%I', 'transaction_' || p_merchant) || ' t`);
      await q.query(def);
    }

    const [trigger]: { def: string }[] = await q.query(
      `SELECT pg_get_functiondef('dashboard_transactions_trg()'::regprocedure) AS def`,
    );
    if (!trigger.def.includes('transaction_index'))
      await q.query(
        replaceOnce(
          trigger.def,
          /BEGIN\s+IF current_setting\('graminstore\.rollups', true\) = 'off' THEN RETURN NULL; END IF;/,
          `BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO transaction_index (merchant_id, id, user_id, guest_user_id, amount_paise, type, occurred_at)
          VALUES (NEW.merchant_id, NEW.id, NEW.user_id, NEW.guest_user_id, NEW.amount_paise, NEW.type, NEW.occurred_at);
        ELSIF TG_OP = 'DELETE' THEN
          DELETE FROM transaction_index WHERE id = OLD.id;
        ELSIF (NEW.id, NEW.merchant_id, NEW.user_id, NEW.guest_user_id, NEW.amount_paise, NEW.type, NEW.occurred_at)
              IS DISTINCT FROM (OLD.id, OLD.merchant_id, OLD.user_id, OLD.guest_user_id, OLD.amount_paise, OLD.type, OLD.occurred_at) THEN
          UPDATE transaction_index SET id = NEW.id, merchant_id = NEW.merchant_id, user_id = NEW.user_id,
                 guest_user_id = NEW.guest_user_id, amount_paise = NEW.amount_paise, type = NEW.type,
                 occurred_at = NEW.occurred_at
           WHERE id = OLD.id;
        END IF;
        IF current_setting('graminstore.rollups', true) = 'off' THEN RETURN NULL; END IF;`,
        ),
      );
  }

  private async foreignKeys(q: QueryRunner, where: string): Promise<{ tbl: string; name: string }[]> {
    return q.query(
      `SELECT conrelid::regclass::text AS tbl, quote_ident(conname) AS name FROM pg_constraint
        WHERE contype = 'f' AND ${where}`,
    );
  }

  private async parentExists(q: QueryRunner): Promise<boolean> {
    const [row]: { exists: boolean }[] = await q.query(
      `SELECT to_regclass('transactions') IS NOT NULL AS exists`,
    );
    return row.exists;
  }

  private async inTransaction(q: QueryRunner, work: () => Promise<void>): Promise<void> {
    await q.startTransaction();
    try {
      await work();
      await q.commitTransaction();
    } catch (err) {
      await q.rollbackTransaction();
      throw err;
    }
  }
}

function replaceOnce(text: string, pattern: RegExp, replacement: string): string {
  if (!pattern.test(text)) throw new Error(`A function does not have the expected text: ${pattern.source}`);
  return text.replace(pattern, () => replacement);
}

/**
 * The row triggers of a merchant table at version 1 (the dashboards' rollups and the index). Frozen
 * here: later versions are merchant-table migrations in the transactions module.
 */
export const MERCHANT_TABLE_TRIGGERS_V1 = (table: string): string[] => [
  `CREATE TRIGGER dashboard_rollups_ins AFTER INSERT ON ${table}
     FOR EACH ROW EXECUTE FUNCTION dashboard_transactions_trg()`,
  `CREATE TRIGGER dashboard_rollups_upd AFTER UPDATE ON ${table}
     FOR EACH ROW
     WHEN ((OLD.merchant_id, OLD.amount_paise, OLD.paid_paise, OLD.status, OLD.type, OLD.occurred_at,
            OLD.user_id, OLD.guest_user_id, OLD.payment_method)
           IS DISTINCT FROM
           (NEW.merchant_id, NEW.amount_paise, NEW.paid_paise, NEW.status, NEW.type, NEW.occurred_at,
            NEW.user_id, NEW.guest_user_id, NEW.payment_method))
     EXECUTE FUNCTION dashboard_transactions_trg()`,
  `CREATE TRIGGER dashboard_rollups_del AFTER DELETE ON ${table}
     FOR EACH ROW EXECUTE FUNCTION dashboard_transactions_trg()`,
];
