import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A customer's views (dashboard, spending, bills, history) read the customer's own rows of
 * `transaction_index` instead of a `UNION ALL` over the table of every shop the customer bought from,
 * whose planning cost grew with the number of shops (docs/scaling.md). For that the index also carries
 * what those views filter and sum on: `status`, `paid_paise`, `seq` (the change sequence that the
 * customer's `since_seq` history pages on) and `voided_at` (set by the void itself, and only
 * by it: no sale was voided before voids existed, so there is nothing to fill). A page of bills or history still takes its rows from the
 * merchants' tables, for that page's keys only.
 *
 * The index row is written by one function, `transaction_index_write`, called from one line of the
 * merchant tables' row trigger (`dashboard_transactions_trg`), in the writing transaction. The
 * trigger's UPDATE condition already lists `status` and `paid_paise`, which a settlement changes
 * along with `seq`, so no merchant table's trigger changes.
 *
 * Online: the columns are added nullable (no rewrite), the function and the trigger's line replaced
 * in one short transaction, then the existing rows are filled merchant by merchant, each in its own
 * transaction (one merchant's table locked at a time, never all of them); NOT NULL is then a
 * validated CHECK, which does not block writes while it scans.
 */
export class CustomerViewsFromIndex1796350000000 implements MigrationInterface {
  name = 'CustomerViewsFromIndex1796350000000';
  transaction = false as const;

  async up(q: QueryRunner): Promise<void> {
    await inTransaction(q, async () => {
      await q.query(`ALTER TABLE transaction_index ADD COLUMN IF NOT EXISTS status text,
                       ADD COLUMN IF NOT EXISTS paid_paise bigint, ADD COLUMN IF NOT EXISTS seq bigint,
                       ADD COLUMN IF NOT EXISTS voided_at timestamptz`);
      await q.query(INDEX_WRITE_FUNCTION);
      const def = await triggerDef(q);
      if (!def.includes('transaction_index_write('))
        await q.query(replaceOnce(def, OLD_INDEX_BLOCK, INDEX_WRITE_CALL));
      // A customer's bills, newest first: the open ones, and all of them.
      await q.query(`CREATE INDEX IF NOT EXISTS transaction_index_user_open_idx
                       ON transaction_index (user_id, occurred_at DESC, id DESC)
                       WHERE user_id IS NOT NULL AND type = 'pay_later' AND status <> 'paid'`);
      await q.query(`CREATE INDEX IF NOT EXISTS transaction_index_user_bills_idx
                       ON transaction_index (user_id, occurred_at DESC, id DESC)
                       WHERE user_id IS NOT NULL AND type = 'pay_later'`);
    });

    // Rows written before the trigger wrote the new columns, one merchant's table at a time.
    let after = 0;
    for (;;) {
      const batch: { merchant_id: number }[] = await q.query(
        `SELECT merchant_id FROM merchant_tables WHERE merchant_id > $1 ORDER BY merchant_id LIMIT 100`,
        [after],
      );
      if (!batch.length) break;
      for (const { merchant_id: id } of batch) {
        after = id;
        if (!Number.isSafeInteger(id) || id <= 0) continue;
        await inTransaction(q, () =>
          q.query(
            `UPDATE transaction_index i SET status = t.status, paid_paise = t.paid_paise, seq = t.seq
               FROM "transaction_${id}" t
              WHERE i.merchant_id = $1 AND i.id = t.id AND i.status IS NULL`,
            [id],
          ),
        );
      }
    }

    await q.query(`ALTER TABLE transaction_index
                     ADD CONSTRAINT transaction_index_filled
                     CHECK (status IS NOT NULL AND paid_paise IS NOT NULL AND seq IS NOT NULL) NOT VALID`);
    await q.query(`ALTER TABLE transaction_index VALIDATE CONSTRAINT transaction_index_filled`);
  }

  async down(q: QueryRunner): Promise<void> {
    await inTransaction(q, async () => {
      const def = await triggerDef(q);
      if (def.includes('transaction_index_write('))
        await q.query(replaceOnce(def, /PERFORM transaction_index_write\([^;]*\);/, PREVIOUS_INDEX_BLOCK));
      await q.query(
        `DROP FUNCTION IF EXISTS transaction_index_write(bigint, integer, bigint, integer, integer, bigint, text, text, bigint, bigint, timestamptz)`,
      );
      await q.query(`DROP INDEX IF EXISTS transaction_index_user_bills_idx`);
      await q.query(`DROP INDEX IF EXISTS transaction_index_user_open_idx`);
      await q.query(`ALTER TABLE transaction_index DROP CONSTRAINT IF EXISTS transaction_index_filled,
                       DROP COLUMN IF EXISTS seq, DROP COLUMN IF EXISTS paid_paise, DROP COLUMN IF EXISTS status`);
    });
  }
}

/**
 * The one writer of `transaction_index`, called by the merchant tables' row trigger with the old row's
 * id (null on INSERT) and the new row's fields (null on DELETE). An UPDATE that changes none of the
 * index's columns writes nothing.
 */
const INDEX_WRITE_FUNCTION = `
  CREATE OR REPLACE FUNCTION transaction_index_write(
    p_old_id bigint, p_merchant integer, p_id bigint, p_user integer, p_guest integer, p_amount bigint,
    p_type text, p_status text, p_paid bigint, p_seq bigint, p_at timestamptz)
  RETURNS void LANGUAGE plpgsql AS $fn$
  BEGIN
    IF p_old_id IS NULL THEN
      INSERT INTO transaction_index (merchant_id, id, user_id, guest_user_id, amount_paise, type, status,
                                     paid_paise, seq, occurred_at)
      VALUES (p_merchant, p_id, p_user, p_guest, p_amount, p_type, p_status, p_paid, p_seq, p_at);
    ELSIF p_id IS NULL THEN
      DELETE FROM transaction_index WHERE id = p_old_id;
    ELSE
      UPDATE transaction_index SET id = p_id, merchant_id = p_merchant, user_id = p_user, guest_user_id = p_guest,
             amount_paise = p_amount, type = p_type, status = p_status, paid_paise = p_paid, seq = p_seq,
             occurred_at = p_at
       WHERE id = p_old_id
         AND (id, merchant_id, user_id, guest_user_id, amount_paise, type, status, paid_paise, seq, occurred_at)
             IS DISTINCT FROM (p_id, p_merchant, p_user, p_guest, p_amount, p_type, p_status, p_paid, p_seq, p_at);
    END IF;
  END
  $fn$`;

/** The trigger's line that keeps the index (OLD is null on INSERT, NEW on DELETE). */
const INDEX_WRITE_CALL = `PERFORM transaction_index_write(OLD.id, NEW.merchant_id, NEW.id, NEW.user_id, NEW.guest_user_id,
          NEW.amount_paise, NEW.type, NEW.status, NEW.paid_paise, NEW.seq, NEW.occurred_at);
        `;

/** The index block that StandaloneMerchantTables1796200000000 put at the top of the trigger. */
const OLD_INDEX_BLOCK =
  /IF TG_OP = 'INSERT' THEN\s+INSERT INTO transaction_index[\s\S]*?END IF;\s+(?=IF current_setting\('graminstore\.rollups', true\) = 'off')/;

const PREVIOUS_INDEX_BLOCK = `IF TG_OP = 'INSERT' THEN
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
        END IF;`;

async function triggerDef(q: QueryRunner): Promise<string> {
  const [row]: { def: string }[] = await q.query(
    `SELECT pg_get_functiondef('dashboard_transactions_trg()'::regprocedure) AS def`,
  );
  return row.def;
}

function replaceOnce(text: string, pattern: RegExp, replacement: string): string {
  if (!pattern.test(text))
    throw new Error(`dashboard_transactions_trg does not have the expected text: ${pattern.source}`);
  return text.replace(pattern, () => replacement);
}

async function inTransaction<T>(q: QueryRunner, work: () => Promise<T>): Promise<void> {
  await q.startTransaction();
  try {
    await work();
    await q.commitTransaction();
  } catch (err) {
    await q.rollbackTransaction();
    throw err;
  }
}
