import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export const SHOP_RELATIONS = ['pending', 'accepted', 'blocked'] as const;
/** A customer's say over one shop: billed but not confirmed, accepted, or blocked. */
export type ShopRelation = (typeof SHOP_RELATIONS)[number];

/**
 * The shops whose entries a customer may see, as a SELECT to use in a CTE or subquery:
 * every merchant linked to the customer whose id is `userParam` (a bind placeholder such as `$2`),
 * except the ones the customer has blocked. Columns: `merchant_id`, `relation` ('pending' | 'accepted').
 *
 *   WITH visible AS (${visibleShopsSql('$1')})
 *   SELECT … FROM customer_merchant_totals c JOIN visible v ON v.merchant_id = c.merchant_id
 *    WHERE c.user_id = $1
 *
 * Every customer view (v1 and v2: dashboards, bills, history, one transaction, realtime history)
 * reads through this, so a blocked shop's entries vanish from the customer's side only.
 */
export function visibleShopsSql(userParam: string): string {
  return `SELECT merchant_id, relation FROM customer_merchants
           WHERE user_id = ${userParam} AND relation <> 'blocked'`;
}

/**
 * True unless the customer `userExpr` has blocked the merchant `merchantExpr` (SQL expressions or
 * placeholders). For merchant-side reads of a customer: lookups by phone answer "not found" when false.
 */
export function notBlockedSql(userExpr: string, merchantExpr: string): string {
  return `NOT EXISTS (SELECT 1 FROM customer_merchants b
                       WHERE b.user_id = ${userExpr} AND b.merchant_id = ${merchantExpr} AND b.relation = 'blocked')`;
}

export interface CustomerShopRow {
  merchant_id: number;
  business_name: string;
  business_type: string | null;
  city: string | null;
  relation: ShopRelation;
  first_transaction_at: Date;
  last_transaction_at: Date;
  relation_changed_at: Date | null;
}

/** The customer's khata account at a shop (all null at a blocked shop). */
export interface ShopBalanceRow {
  account_id: string | null;
  due_paise: string | null;
  advance_paise: string | null;
}

export interface VisibleShop {
  merchant_id: number;
  relation: Exclude<ShopRelation, 'blocked'>;
}

function requireId(id: number, what: string): number {
  if (!Number.isSafeInteger(id) || id <= 0)
    throw new TypeError(`A ${what} id is required, got ${String(id)}`);
  return id;
}

const SHOP_COLUMNS = `c.merchant_id, m.business_name, m.business_type, m.city, c.relation,
  c.first_transaction_at, c.last_transaction_at, c.relation_changed_at`;

/** The only code that reads and writes a customer's relation to the shops that billed them. */
@Injectable()
export class CustomerShopsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Every shop that has billed the customer, blocked ones included (so they can be unblocked). */
  listForCustomer(userId: number): Promise<(CustomerShopRow & ShopBalanceRow)[]> {
    // The khata account's balance, except at a blocked shop (its entries leave the customer's views).
    return this.dataSource.query(
      `SELECT ${SHOP_COLUMNS},
              CASE WHEN c.relation <> 'blocked' THEN a.id END AS account_id,
              CASE WHEN c.relation <> 'blocked' THEN a.due_paise END AS due_paise,
              CASE WHEN c.relation <> 'blocked' THEN a.advance_paise END AS advance_paise
         FROM customer_merchants c JOIN merchants m ON m.id = c.merchant_id
         LEFT JOIN customer_accounts a ON a.merchant_id = c.merchant_id AND a.user_id = c.user_id
        WHERE c.user_id = $1
        ORDER BY c.last_transaction_at DESC, c.merchant_id`,
      [requireId(userId, 'user')],
    );
  }

  /** The shops whose entries the customer sees (see {@link visibleShopsSql}). */
  visibleShops(userId: number): Promise<VisibleShop[]> {
    return this.dataSource.query(`${visibleShopsSql('$1')} ORDER BY merchant_id`, [
      requireId(userId, 'user'),
    ]);
  }

  /** Sets the relation of an existing link; undefined when this shop never billed the customer. */
  async setRelation(
    userId: number,
    merchantId: number,
    relation: ShopRelation,
  ): Promise<CustomerShopRow | undefined> {
    const rows: CustomerShopRow[] = await this.dataSource.query(
      `WITH c AS (
         UPDATE customer_merchants
            SET relation = $3,
                relation_changed_at = CASE WHEN relation = $3 THEN relation_changed_at ELSE now() END
          WHERE user_id = $1 AND merchant_id = $2
          RETURNING *
       )
       SELECT ${SHOP_COLUMNS} FROM c JOIN merchants m ON m.id = c.merchant_id`,
      [requireId(userId, 'user'), requireId(merchantId, 'merchant'), relation],
    );
    return rows[0];
  }

  /** The customer's relation to one shop, or undefined when there is none. */
  async relation(userId: number, merchantId: number): Promise<ShopRelation | undefined> {
    const rows: { relation: ShopRelation }[] = await this.dataSource.query(
      `SELECT relation FROM customer_merchants WHERE user_id = $1 AND merchant_id = $2`,
      [requireId(userId, 'user'), requireId(merchantId, 'merchant')],
    );
    return rows[0]?.relation;
  }
}
