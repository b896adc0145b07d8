import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rollups that keep the dashboards' cost independent of history and of the number of merchants.
 *
 * - `merchant_daily_totals`: per merchant, per LOCAL day (the merchant's `timezone` at write time), the
 *   sales recorded that day (count, amount, still due, guest share) and the money collected that day
 *   (paid at sale + settlements), split by payment method. Rows are striped: a sale adds to stripe
 *   `pg_backend_pid() % 8` and a settlement to stripe `8 + pg_backend_pid() % 8`, so concurrent writers
 *   of one merchant rarely wait on the same row, one database session never touches two stripes of
 *   one day (no lock cycles inside a batch), and settlement rows are never locked by a create (no lock
 *   cycle between a settle and a create). Readers sum over stripes.
 * - `merchant_outstanding`: per merchant (striped the same way), everything still owed, all time.
 * - `customer_merchant_totals`: per customer and merchant, purchases, amount, paid, bills and the
 *   latest transaction: the customer's views and the merchants' top customers read only these rows.
 *
 * They are maintained by row triggers on the `transactions` parent (cloned onto every partition,
 * present and future) and on `settlements`, inside the writing transaction. A bulk loader may
 * `SET graminstore.rollups = 'off'` for its session and call `dashboard_rebuild_rollups()` afterwards.
 */
const METHODS = ['cash', 'upi', 'card', 'online', 'bank_transfer', 'other', 'unspecified'] as const;

const methodColumns = METHODS.map(
  (m) => `${m}_count integer NOT NULL DEFAULT 0, ${m}_paise bigint NOT NULL DEFAULT 0`,
).join(',\n        ');
const methodNames = METHODS.map((m) => `${m}_count, ${m}_paise`).join(', ');
const methodAdd = METHODS.map(
  (m) => `${m}_count = d.${m}_count + EXCLUDED.${m}_count, ${m}_paise = d.${m}_paise + EXCLUDED.${m}_paise`,
).join(',\n          ');
/** Values for the method columns: `count`/`paise` go to the column of `method`, zero elsewhere. */
const methodValues = (method: string, count: string, paise: string) =>
  METHODS.map(
    (m) =>
      `CASE WHEN ${method} = '${m}' THEN ${count} ELSE 0 END, CASE WHEN ${method} = '${m}' THEN ${paise} ELSE 0 END`,
  ).join(',\n            ');
/** Aggregates for the method columns in a rebuild (text inside a quoted EXECUTE string, hence ''). */
const methodAggregates = (method: string, cond: string, paise: string) =>
  METHODS.map(
    (m) =>
      `count(*) FILTER (WHERE ${cond} AND ${method} = ''${m}''), coalesce(sum(${paise}) FILTER (WHERE ${cond} AND ${method} = ''${m}''), 0)`,
  ).join(',\n               ');

export class DashboardRollups1795564800000 implements MigrationInterface {
  name = 'DashboardRollups1795564800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE merchant_daily_totals (
        merchant_id      integer NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
        day              date NOT NULL,
        stripe           smallint NOT NULL,
        sales_count      integer NOT NULL DEFAULT 0,
        sales_paise      bigint NOT NULL DEFAULT 0,
        due_paise        bigint NOT NULL DEFAULT 0,
        collected_paise  bigint NOT NULL DEFAULT 0,
        guest_count      integer NOT NULL DEFAULT 0,
        guest_paise      bigint NOT NULL DEFAULT 0,
        ${methodColumns},
        PRIMARY KEY (merchant_id, day, stripe)
      ) WITH (fillfactor = 70)`);

    await q.query(`
      CREATE TABLE merchant_outstanding (
        merchant_id  integer NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
        stripe       smallint NOT NULL,
        due_paise    bigint NOT NULL DEFAULT 0,
        open_bills   integer NOT NULL DEFAULT 0,
        PRIMARY KEY (merchant_id, stripe)
      ) WITH (fillfactor = 70)`);

    await q.query(`
      CREATE TABLE customer_merchant_totals (
        user_id              integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        merchant_id          integer NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
        purchases            integer NOT NULL DEFAULT 0,
        amount_paise         bigint NOT NULL DEFAULT 0,
        paid_paise           bigint NOT NULL DEFAULT 0,
        bills                integer NOT NULL DEFAULT 0,
        open_bills           integer NOT NULL DEFAULT 0,
        last_transaction_id  bigint,
        last_transaction_at  timestamptz,
        PRIMARY KEY (user_id, merchant_id)
      )`);
    // A merchant's best customers, all time.
    await q.query(
      `CREATE INDEX customer_merchant_totals_rank_idx ON customer_merchant_totals (merchant_id, amount_paise DESC, user_id)`,
    );

    // Indexes for the dashboards' remaining reads of raw rows (they reach every partition).
    await q.query(
      `CREATE INDEX transactions_guest_amount_idx ON transactions (merchant_id, amount_paise DESC, id DESC) WHERE guest_user_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX transactions_user_open_idx ON transactions (merchant_id, user_id, occurred_at DESC, id DESC) WHERE user_id IS NOT NULL AND status <> 'paid'`,
    );
    await q.query(
      `CREATE INDEX transactions_user_bills_idx ON transactions (merchant_id, user_id, occurred_at DESC, id DESC) WHERE user_id IS NOT NULL AND type = 'pay_later'`,
    );

    // One sale's contribution (sign +1 or -1). Scalars, not a row: a trigger on a partition sees the
    // partition's row type, not the parent's.
    await q.query(`
      CREATE FUNCTION dashboard_apply_sale(
        p_merchant integer, p_id bigint, p_user integer, p_guest integer, p_amount bigint, p_type text,
        p_status text, p_paid bigint, p_method text, p_at timestamptz, p_sign integer)
      RETURNS void LANGUAGE plpgsql AS $fn$
      DECLARE
        v_tz        text;
        v_day       date;
        v_stripe    smallint := pg_backend_pid() % 8;
        v_collected bigint := CASE WHEN p_type = 'paid' THEN p_amount ELSE 0 END;
        v_payments  integer := CASE WHEN p_type = 'paid' THEN p_sign ELSE 0 END;
        v_method    text := coalesce(p_method, 'unspecified');
        v_due       bigint := p_amount - p_paid;
        v_open      integer := CASE WHEN p_status <> 'paid' THEN 1 ELSE 0 END;
        v_guest     boolean := p_guest IS NOT NULL;
        v_left      integer;
        v_last      bigint;
      BEGIN
        SELECT timezone INTO v_tz FROM merchants WHERE id = p_merchant;
        IF v_tz IS NULL THEN RETURN; END IF; -- the merchant is being deleted: its rollups go with it
        v_day := (p_at AT TIME ZONE v_tz)::date;

        INSERT INTO merchant_daily_totals AS d (merchant_id, day, stripe, sales_count, sales_paise, due_paise,
            collected_paise, guest_count, guest_paise, ${methodNames})
          VALUES (p_merchant, v_day, v_stripe, p_sign, p_sign * p_amount, p_sign * v_due, p_sign * v_collected,
            CASE WHEN v_guest THEN p_sign ELSE 0 END, CASE WHEN v_guest THEN p_sign * p_amount ELSE 0 END,
            ${methodValues('v_method', 'v_payments', 'p_sign * v_collected')})
        ON CONFLICT (merchant_id, day, stripe) DO UPDATE SET
          sales_count = d.sales_count + EXCLUDED.sales_count, sales_paise = d.sales_paise + EXCLUDED.sales_paise,
          due_paise = d.due_paise + EXCLUDED.due_paise, collected_paise = d.collected_paise + EXCLUDED.collected_paise,
          guest_count = d.guest_count + EXCLUDED.guest_count, guest_paise = d.guest_paise + EXCLUDED.guest_paise,
          ${methodAdd};

        IF v_due <> 0 OR v_open <> 0 THEN
          INSERT INTO merchant_outstanding AS o (merchant_id, stripe, due_paise, open_bills)
            VALUES (p_merchant, v_stripe, p_sign * v_due, p_sign * v_open)
          ON CONFLICT (merchant_id, stripe) DO UPDATE SET
            due_paise = o.due_paise + EXCLUDED.due_paise, open_bills = o.open_bills + EXCLUDED.open_bills;
        END IF;

        IF p_user IS NULL THEN RETURN; END IF;
        IF p_sign > 0 THEN
          INSERT INTO customer_merchant_totals AS c (user_id, merchant_id, purchases, amount_paise, paid_paise,
              bills, open_bills, last_transaction_id, last_transaction_at)
            VALUES (p_user, p_merchant, 1, p_amount, p_paid, CASE WHEN p_type = 'pay_later' THEN 1 ELSE 0 END,
              v_open, p_id, p_at)
          ON CONFLICT (user_id, merchant_id) DO UPDATE SET
            purchases = c.purchases + 1, amount_paise = c.amount_paise + EXCLUDED.amount_paise,
            paid_paise = c.paid_paise + EXCLUDED.paid_paise, bills = c.bills + EXCLUDED.bills,
            open_bills = c.open_bills + EXCLUDED.open_bills,
            last_transaction_id = CASE WHEN c.last_transaction_at IS NULL
                OR (EXCLUDED.last_transaction_at, EXCLUDED.last_transaction_id) > (c.last_transaction_at, c.last_transaction_id)
              THEN EXCLUDED.last_transaction_id ELSE c.last_transaction_id END,
            last_transaction_at = CASE WHEN c.last_transaction_at IS NULL
                OR (EXCLUDED.last_transaction_at, EXCLUDED.last_transaction_id) > (c.last_transaction_at, c.last_transaction_id)
              THEN EXCLUDED.last_transaction_at ELSE c.last_transaction_at END;
        ELSE
          UPDATE customer_merchant_totals SET purchases = purchases - 1, amount_paise = amount_paise - p_amount,
              paid_paise = paid_paise - p_paid, bills = bills - CASE WHEN p_type = 'pay_later' THEN 1 ELSE 0 END,
              open_bills = open_bills - v_open
            WHERE user_id = p_user AND merchant_id = p_merchant
            RETURNING purchases, last_transaction_id INTO v_left, v_last;
          IF v_left IS NOT NULL AND v_left <= 0 THEN
            DELETE FROM customer_merchant_totals WHERE user_id = p_user AND merchant_id = p_merchant;
          ELSIF v_last = p_id THEN
            -- The removed or moved sale was the latest: find the latest again (rare: edits and deletes).
            UPDATE customer_merchant_totals c SET last_transaction_id = l.id, last_transaction_at = l.occurred_at
              FROM (SELECT t.id, t.occurred_at FROM transactions t
                     WHERE t.merchant_id = p_merchant AND t.user_id = p_user
                     ORDER BY t.occurred_at DESC, t.id DESC LIMIT 1) l
             WHERE c.user_id = p_user AND c.merchant_id = p_merchant;
          END IF;
        END IF;
      END
      $fn$`);

    await q.query(`
      CREATE FUNCTION dashboard_transactions_trg() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE
        v_tz     text;
        v_stripe smallint := pg_backend_pid() % 8;
        v_paid   bigint;
        v_open   integer;
      BEGIN
        IF current_setting('graminstore.rollups', true) = 'off' THEN RETURN NULL; END IF;
        IF TG_OP = 'INSERT' THEN
          PERFORM dashboard_apply_sale(NEW.merchant_id, NEW.id, NEW.user_id, NEW.guest_user_id, NEW.amount_paise,
            NEW.type, NEW.status, NEW.paid_paise, NEW.payment_method, NEW.occurred_at, 1);
          RETURN NULL;
        ELSIF TG_OP = 'DELETE' THEN
          PERFORM dashboard_apply_sale(OLD.merchant_id, OLD.id, OLD.user_id, OLD.guest_user_id, OLD.amount_paise,
            OLD.type, OLD.status, OLD.paid_paise, OLD.payment_method, OLD.occurred_at, -1);
          RETURN NULL;
        END IF;

        IF NEW.merchant_id = OLD.merchant_id AND NEW.amount_paise = OLD.amount_paise AND NEW.type = OLD.type
           AND NEW.occurred_at = OLD.occurred_at AND NEW.user_id IS NOT DISTINCT FROM OLD.user_id
           AND NEW.guest_user_id IS NOT DISTINCT FROM OLD.guest_user_id
           AND (NEW.type = 'pay_later' OR NEW.payment_method IS NOT DISTINCT FROM OLD.payment_method) THEN
          -- A payment against the bill (the settle path): only what is still owed moves. The money
          -- collected is counted by the settlements trigger, on the day it was received.
          v_paid := NEW.paid_paise - OLD.paid_paise;
          v_open := (NEW.status <> 'paid')::integer - (OLD.status <> 'paid')::integer;
          SELECT timezone INTO v_tz FROM merchants WHERE id = NEW.merchant_id;
          IF v_tz IS NULL THEN RETURN NULL; END IF;
          IF v_paid <> 0 THEN
            INSERT INTO merchant_daily_totals AS d (merchant_id, day, stripe, due_paise)
              VALUES (NEW.merchant_id, (NEW.occurred_at AT TIME ZONE v_tz)::date, v_stripe, -v_paid)
            ON CONFLICT (merchant_id, day, stripe) DO UPDATE SET due_paise = d.due_paise + EXCLUDED.due_paise;
          END IF;
          INSERT INTO merchant_outstanding AS o (merchant_id, stripe, due_paise, open_bills)
            VALUES (NEW.merchant_id, v_stripe, -v_paid, v_open)
          ON CONFLICT (merchant_id, stripe) DO UPDATE SET
            due_paise = o.due_paise + EXCLUDED.due_paise, open_bills = o.open_bills + EXCLUDED.open_bills;
          IF NEW.user_id IS NOT NULL THEN
            UPDATE customer_merchant_totals SET paid_paise = paid_paise + v_paid, open_bills = open_bills + v_open
             WHERE user_id = NEW.user_id AND merchant_id = NEW.merchant_id;
          END IF;
        ELSE
          PERFORM dashboard_apply_sale(OLD.merchant_id, OLD.id, OLD.user_id, OLD.guest_user_id, OLD.amount_paise,
            OLD.type, OLD.status, OLD.paid_paise, OLD.payment_method, OLD.occurred_at, -1);
          PERFORM dashboard_apply_sale(NEW.merchant_id, NEW.id, NEW.user_id, NEW.guest_user_id, NEW.amount_paise,
            NEW.type, NEW.status, NEW.paid_paise, NEW.payment_method, NEW.occurred_at, 1);
        END IF;
        RETURN NULL;
      END
      $fn$`);

    await q.query(`
      CREATE FUNCTION dashboard_settlements_trg() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE
        r        settlements;
        v_sign   integer;
        v_tz     text;
        v_method text;
      BEGIN
        IF current_setting('graminstore.rollups', true) = 'off' THEN RETURN NULL; END IF;
        IF TG_OP = 'INSERT' THEN r := NEW; v_sign := 1; ELSE r := OLD; v_sign := -1; END IF;
        SELECT timezone INTO v_tz FROM merchants WHERE id = r.merchant_id;
        IF v_tz IS NULL THEN RETURN NULL; END IF;
        v_method := coalesce(r.payment_method, 'unspecified');
        INSERT INTO merchant_daily_totals AS d (merchant_id, day, stripe, collected_paise, ${methodNames})
          VALUES (r.merchant_id, (r.created_at AT TIME ZONE v_tz)::date, 8 + pg_backend_pid() % 8,
            v_sign * r.amount_paise,
            ${methodValues('v_method', 'v_sign', 'v_sign * r.amount_paise')})
        ON CONFLICT (merchant_id, day, stripe) DO UPDATE SET
          collected_paise = d.collected_paise + EXCLUDED.collected_paise,
          ${methodAdd};
        RETURN NULL;
      END
      $fn$`);

    // Recomputes the rollups of one merchant (or all) from the rows. The EXCLUSIVE locks make writers
    // wait in their triggers until the rebuild commits, so no sale is counted twice or missed.
    const where = (alias: string) =>
      `' || CASE WHEN p_merchant IS NULL THEN '' ELSE 'WHERE ${alias}.merchant_id = $1' END || '`;
    await q.query(`
      CREATE FUNCTION dashboard_rebuild_rollups(p_merchant integer DEFAULT NULL) RETURNS void
      LANGUAGE plpgsql AS $fn$
      BEGIN
        LOCK TABLE merchant_daily_totals, merchant_outstanding, customer_merchant_totals IN EXCLUSIVE MODE;
        DELETE FROM merchant_daily_totals WHERE p_merchant IS NULL OR merchant_id = p_merchant;
        DELETE FROM merchant_outstanding WHERE p_merchant IS NULL OR merchant_id = p_merchant;
        DELETE FROM customer_merchant_totals WHERE p_merchant IS NULL OR merchant_id = p_merchant;
        EXECUTE '
          INSERT INTO merchant_daily_totals (merchant_id, day, stripe, sales_count, sales_paise, due_paise,
              collected_paise, guest_count, guest_paise, ${methodNames})
          SELECT t.merchant_id, (t.occurred_at AT TIME ZONE m.timezone)::date, 0, count(*), sum(t.amount_paise),
                 sum(t.amount_paise - t.paid_paise),
                 coalesce(sum(t.amount_paise) FILTER (WHERE t.type = ''paid''), 0),
                 count(*) FILTER (WHERE t.guest_user_id IS NOT NULL),
                 coalesce(sum(t.amount_paise) FILTER (WHERE t.guest_user_id IS NOT NULL), 0),
                 ${methodAggregates("coalesce(t.payment_method, ''unspecified'')", "t.type = ''paid''", 't.amount_paise')}
            FROM transactions t JOIN merchants m ON m.id = t.merchant_id ${where('t')}
           GROUP BY 1, 2' USING p_merchant;
        EXECUTE '
          INSERT INTO merchant_daily_totals (merchant_id, day, stripe, collected_paise, ${methodNames})
          SELECT s.merchant_id, (s.created_at AT TIME ZONE m.timezone)::date, 8, sum(s.amount_paise),
                 ${methodAggregates("coalesce(s.payment_method, ''unspecified'')", 'true', 's.amount_paise')}
            FROM settlements s JOIN merchants m ON m.id = s.merchant_id ${where('s')}
           GROUP BY 1, 2' USING p_merchant;
        EXECUTE '
          INSERT INTO merchant_outstanding (merchant_id, stripe, due_paise, open_bills)
          SELECT t.merchant_id, 0, sum(t.amount_paise - t.paid_paise), count(*) FILTER (WHERE t.status <> ''paid'')
            FROM transactions t ${where('t')}
           GROUP BY 1' USING p_merchant;
        EXECUTE '
          INSERT INTO customer_merchant_totals (user_id, merchant_id, purchases, amount_paise, paid_paise, bills,
              open_bills, last_transaction_id, last_transaction_at)
          SELECT t.user_id, t.merchant_id, count(*), sum(t.amount_paise), sum(t.paid_paise),
                 count(*) FILTER (WHERE t.type = ''pay_later''), count(*) FILTER (WHERE t.status <> ''paid''),
                 (array_agg(t.id ORDER BY t.occurred_at DESC, t.id DESC))[1], max(t.occurred_at)
            FROM transactions t
           WHERE t.user_id IS NOT NULL ' || CASE WHEN p_merchant IS NULL THEN '' ELSE 'AND t.merchant_id = $1' END || '
           GROUP BY 1, 2' USING p_merchant;
      END
      $fn$`);

    await q.query(`
      CREATE TRIGGER dashboard_rollups_ins AFTER INSERT ON transactions
        FOR EACH ROW EXECUTE FUNCTION dashboard_transactions_trg()`);
    await q.query(`
      CREATE TRIGGER dashboard_rollups_upd AFTER UPDATE ON transactions
        FOR EACH ROW
        WHEN ((OLD.merchant_id, OLD.amount_paise, OLD.paid_paise, OLD.status, OLD.type, OLD.occurred_at,
               OLD.user_id, OLD.guest_user_id, OLD.payment_method)
              IS DISTINCT FROM
              (NEW.merchant_id, NEW.amount_paise, NEW.paid_paise, NEW.status, NEW.type, NEW.occurred_at,
               NEW.user_id, NEW.guest_user_id, NEW.payment_method))
        EXECUTE FUNCTION dashboard_transactions_trg()`);
    await q.query(`
      CREATE TRIGGER dashboard_rollups_del AFTER DELETE ON transactions
        FOR EACH ROW EXECUTE FUNCTION dashboard_transactions_trg()`);
    await q.query(`
      CREATE TRIGGER dashboard_rollups_settlements AFTER INSERT OR DELETE ON settlements
        FOR EACH ROW EXECUTE FUNCTION dashboard_settlements_trg()`);

    // Rows written before this migration.
    await q.query(`SELECT dashboard_rebuild_rollups()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS dashboard_rollups_settlements ON settlements`);
    await q.query(`DROP TRIGGER IF EXISTS dashboard_rollups_del ON transactions`);
    await q.query(`DROP TRIGGER IF EXISTS dashboard_rollups_upd ON transactions`);
    await q.query(`DROP TRIGGER IF EXISTS dashboard_rollups_ins ON transactions`);
    await q.query(`DROP FUNCTION IF EXISTS dashboard_rebuild_rollups(integer)`);
    await q.query(`DROP FUNCTION IF EXISTS dashboard_settlements_trg()`);
    await q.query(`DROP FUNCTION IF EXISTS dashboard_transactions_trg()`);
    await q.query(
      `DROP FUNCTION IF EXISTS dashboard_apply_sale(integer, bigint, integer, integer, bigint, text, text, bigint, text, timestamptz, integer)`,
    );
    await q.query(`DROP INDEX IF EXISTS transactions_user_bills_idx`);
    await q.query(`DROP INDEX IF EXISTS transactions_user_open_idx`);
    await q.query(`DROP INDEX IF EXISTS transactions_guest_amount_idx`);
    await q.query(`DROP TABLE IF EXISTS customer_merchant_totals`);
    await q.query(`DROP TABLE IF EXISTS merchant_outstanding`);
    await q.query(`DROP TABLE IF EXISTS merchant_daily_totals`);
  }
}
