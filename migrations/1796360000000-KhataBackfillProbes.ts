import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `khata_backfill_accounts(merchant)` (1796300000000-CustomerAccounts) took time that grew with the
 * whole database, not with the merchant: the new accounts' ids went through a temporary table the
 * planner had no statistics for (it guessed 2,260 rows), so it joined them to every merchant's
 * payments, settlements, entries and accounts by sequential scans, and it checked the buyers against
 * every user and guest by hash joins. At 2,000 merchants one call took 14 ms, at 10,000 about 80 ms
 * (docs/scaling.md). Here the ids are an array, each statement is planned for its own values, and the
 * buyer checks are index probes per account, so a call reads only the merchant's own rows.
 */
export class KhataBackfillProbes1796360000000 implements MigrationInterface {
  name = 'KhataBackfillProbes1796360000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(BACKFILL_FUNCTION);
  }

  async down(): Promise<void> {
    // The earlier body gave the same result, only slower: nothing to put back.
  }
}

/**
 * Accounts for the buyers of one merchant that have none yet, from their sales and settlements:
 * due from open bills, one payment per settlement (fully applied, so no advance), and the ledger in
 * time order with its running balance. For rows written without the API (migrations, bulk loads):
 * they have no voids.
 */
const BACKFILL_FUNCTION = `
  CREATE OR REPLACE FUNCTION khata_backfill_accounts(p_merchant integer) RETURNS void LANGUAGE plpgsql AS $fn$
  DECLARE
    v_table text := format('%I', 'transaction_' || p_merchant);
    v_accounts bigint[];
  BEGIN
    IF to_regclass(v_table) IS NULL THEN RETURN; END IF;
    -- A buyer who no longer exists gets no account; each check is one probe per buyer, after grouping.
    EXECUTE format($q$
      WITH g AS (
        SELECT t.user_id, t.guest_user_id, sum(t.amount_paise - t.paid_paise) AS due, max(t.occurred_at) AS last_sale
          FROM %s t
         GROUP BY t.user_id, t.guest_user_id
      ),
      a AS (
        INSERT INTO customer_accounts (merchant_id, user_id, guest_user_id, due_paise, last_sale_at)
        SELECT $1, g.user_id, g.guest_user_id, g.due, g.last_sale
          FROM g
         WHERE (g.user_id IS NULL OR (SELECT true FROM users u WHERE u.id = g.user_id))
           AND (g.guest_user_id IS NULL OR (SELECT true FROM guest_users x WHERE x.id = g.guest_user_id))
        ON CONFLICT DO NOTHING
        RETURNING id
      )
      SELECT coalesce(array_agg(id), '{}') FROM a$q$, v_table) INTO v_accounts USING p_merchant;
    IF cardinality(v_accounts) = 0 THEN RETURN; END IF;

    -- One payment per settlement of their bills, linked back to it.
    EXECUTE format($q$
      WITH src AS (
        SELECT s.id AS settlement_id, nextval(pg_get_serial_sequence('account_payments', 'id')) AS payment_id,
               a.id AS account_id, s.amount_paise, s.payment_method, s.reference_number, s.created_at
          FROM settlements s JOIN %s t ON t.id = s.transaction_id
          JOIN customer_accounts a ON a.merchant_id = $1
           AND (a.user_id = t.user_id OR a.guest_user_id = t.guest_user_id)
         WHERE s.merchant_id = $1 AND s.payment_id IS NULL AND a.id = ANY ($2)
      ),
      p AS (
        INSERT INTO account_payments (id, merchant_id, account_id, amount_paise, unallocated_paise,
                                      payment_method, reference_number, created_at)
        SELECT payment_id, $1, account_id, amount_paise, 0, payment_method, reference_number, created_at FROM src
      )
      UPDATE settlements s SET payment_id = src.payment_id FROM src WHERE s.id = src.settlement_id$q$, v_table)
      USING p_merchant, v_accounts;

    EXECUTE format($q$
      WITH e AS (
        SELECT a.id AS account_id, t.occurred_at AS at, 0 AS ord, t.id AS transaction_id, NULL::bigint AS payment_id,
               CASE WHEN t.type = 'pay_later' THEN 'sale_credit' ELSE 'sale_paid' END AS kind,
               CASE WHEN t.type = 'pay_later' THEN t.amount_paise ELSE 0 END AS amount, t.description
          FROM %s t JOIN customer_accounts a ON a.merchant_id = $1
           AND (a.user_id = t.user_id OR a.guest_user_id = t.guest_user_id)
         WHERE a.id = ANY ($2)
        UNION ALL
        SELECT p.account_id, p.created_at, 1, s.transaction_id, p.id, 'payment', -p.amount_paise, NULL
          FROM account_payments p JOIN settlements s ON s.payment_id = p.id
         WHERE p.account_id = ANY ($2)
      )
      INSERT INTO account_entries (account_id, entry_no, merchant_id, kind, occurred_at, recorded_at,
                                   transaction_id, payment_id, amount_paise, balance_paise, description)
      SELECT account_id, row_number() OVER w, $1, kind, at, at, transaction_id, payment_id, amount,
             sum(amount) OVER w, description
        FROM e
      WINDOW w AS (PARTITION BY account_id ORDER BY at, ord, transaction_id, payment_id
                   ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)$q$, v_table)
      USING p_merchant, v_accounts;

    EXECUTE $q$
      UPDATE customer_accounts a
         SET entry_count = x.n, last_payment_at = x.last_payment
        FROM (SELECT e.account_id, count(*) AS n, max(e.occurred_at) FILTER (WHERE e.kind = 'payment') AS last_payment
                FROM account_entries e
               WHERE e.account_id = ANY ($1)
               GROUP BY e.account_id) x
       WHERE a.id = x.account_id$q$
      USING v_accounts;
  END
  $fn$`;
