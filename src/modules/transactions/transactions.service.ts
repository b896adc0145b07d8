import { forwardRef, Inject, Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { Readable } from 'node:stream';
import type { Principal } from '../../common/auth/role.js';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  TooManyRequestsError,
  UnprocessableError,
} from '../../common/errors/domain-error.js';
import { AppConfig } from '../../config/app-config.js';
import { TransactionalConnection } from '../../database/transactional-connection.js';
import { pgErrorFields } from '../../common/errors/pg-error.js';
import { MAX_AMOUNT_PAISE, paiseToRupees, rupeesToPaise } from '../../common/money/money.js';
import { evaluateCalculation, itemsTotal, rupeesText, toPaise, type LineItem } from './calculation.js';
import { parseInstant } from '../../common/time/instant.js';
import { MetricsService } from '../../common/metrics/metrics.service.js';
import { CustomerShopsRepository, type ShopRelation } from '../users/customer-shops.repository.js';
import { AnalyticsDto } from './dto/analytics.dto.js';
import type { CreateTransactionDto } from './dto/create-transaction.dto.js';
import type { AnalyticsQueryDto, ExportQueryDto, HistoryQueryDto } from './dto/history-query.dto.js';
import type { SettleTransactionDto } from './dto/settle-transaction.dto.js';
import type { EditTransactionDto } from './dto/edit-transaction.dto.js';
import type {
  CreateTransactionResponseDto,
  HistoryPage,
  TransactionResponseDto,
} from './dto/transaction-response.dto.js';
import { IdempotencyService, type Replayable } from './idempotency.service.js';
import { toTransactionDto } from './transaction.mapper.js';
import { TransactionEvents, type TransactionEvent } from './transaction.events.js';
import {
  TransactionsRepository,
  type HistoryFilter,
  type NewSale,
  type TransactionRow,
} from './transactions.repository.js';
import { TransactionExportRepository } from './transaction-export.repository.js';
import { WriteLimits } from '../../common/rate-limit/write-limits.js';
import { MerchantWriteSlots } from './merchant-write-slots.js';
import { StaffErrorCode, TransactionErrorCode } from '../../common/errors/error-codes.js';
import { AccountsService } from '../khata/accounts.service.js';

const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;
/** The longest statement one export may cover (a leap year). */
export const MAX_EXPORT_DAYS = 366;
const EXPORT_RETRY_MS = 10_000;
const EARLIEST = Date.UTC(2000, 0, 1);
const DEFAULT_LIMIT = 50;
const CREATED_MESSAGE = 'Transaction created successfully';
const CASHIER_TODAY_ONLY = "Cashiers see today's sales only; ask the owner or a manager for older ones.";

/** What a write learnt that belongs to its event rather than to its response. */
interface Written {
  customerRelation?: ShopRelation | null;
}

/** The one answer for a customer the merchant may not bill: unknown id, or a customer who blocked them. */
const customerNotFound = (userId: number) =>
  new UnprocessableError(
    TransactionErrorCode.UserNotFound,
    `No customer with user_id ${userId} exists.`,
    'user_id',
  );

/** The opaque history cursor: the last row's exact (occurred_at µs, id). */
export function encodeCursor(occurredUs: string, id: number): string {
  return Buffer.from(`${occurredUs}.${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { occurredUs: string; id: number } {
  const match = /^(-?\d{1,17})\.(\d{1,18})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match)
    throw new UnprocessableError(
      TransactionErrorCode.InvalidCursor,
      'The cursor is not valid; start again without it.',
      'cursor',
    );
  return { occurredUs: match[1], id: Number(match[2]) };
}

/**
 * The sale's amount in paise: the items' total and/or the calculation's (each exact, rounded once to
 * the paisa), which must agree with each other and with `amount` when that is given too; or `amount`
 * alone.
 */
export function saleAmount(
  amount: number | null,
  items: LineItem[] | null,
  calculation: string | null,
): number {
  const given = amount === null ? undefined : rupeesToPaise(amount)!;
  const itemsPaise = items ? toPaise(itemsTotal(items)) : undefined;
  const calculationPaise = calculation === null ? undefined : toPaise(evaluateCalculation(calculation));
  if (itemsPaise !== undefined && calculationPaise !== undefined && itemsPaise !== calculationPaise)
    throw new UnprocessableError(
      TransactionErrorCode.TotalsDisagree,
      `The items come to ${rupeesText(itemsPaise)} but the calculation comes to ${rupeesText(calculationPaise)}; ` +
        'they must agree.',
      'calculation',
    );
  const computed = calculationPaise ?? itemsPaise;
  if (computed === undefined) return given!;
  const what = calculationPaise === undefined ? 'items come' : 'calculation comes';
  if (computed <= 0n || computed > BigInt(MAX_AMOUNT_PAISE))
    throw new UnprocessableError(
      TransactionErrorCode.InvalidTotal,
      `The ${what} to ${rupeesText(computed)}; a sale must be more than ₹0 and at most ${rupeesText(BigInt(MAX_AMOUNT_PAISE))}.`,
      calculationPaise === undefined ? 'items' : 'calculation',
    );
  if (given !== undefined && BigInt(given) !== computed)
    throw new UnprocessableError(
      TransactionErrorCode.AmountMismatch,
      `amount is ${rupeesText(BigInt(given))} but the ${what} to ${rupeesText(computed)}; ` +
        'send the same total, or leave amount out.',
      'amount',
    );
  return Number(computed);
}

@Injectable()
export class TransactionsService {
  constructor(
    private readonly db: TransactionalConnection,
    private readonly transactions: TransactionsRepository,
    private readonly exports: TransactionExportRepository,
    private readonly idempotency: IdempotencyService,
    private readonly events: EventEmitter2,
    private readonly metrics: MetricsService,
    private readonly shops: CustomerShopsRepository,
    private readonly config: AppConfig,
    private readonly writeLimits: WriteLimits,
    private readonly slots: MerchantWriteSlots,
    @Inject(forwardRef(() => AccountsService)) private readonly accounts: AccountsService,
  ) {}

  /**
   * Records a sale: for a registered customer (who must exist: 422) or a guest (created with the sale,
   * or an unused guest of this merchant bound to it). The guest, the sale and the customer→merchant
   * link are written in one database transaction; the `transaction.created` event is published only
   * after the commit. An `Idempotency-Key` or a repeated offline `client_id` returns the earlier
   * response without writing (`replayed`).
   */
  async create(
    merchantId: number,
    dto: CreateTransactionDto,
    idempotencyKey?: string,
    recordedBy: number | null = null,
  ): Promise<Replayable<CreateTransactionResponseDto>> {
    await this.writeLimits.merchantWrite(merchantId);
    return this.slots.run(merchantId, () => this.record(merchantId, dto, idempotencyKey, recordedBy));
  }

  private async record(
    merchantId: number,
    dto: CreateTransactionDto,
    idempotencyKey: string | undefined,
    recordedBy: number | null,
  ): Promise<Replayable<CreateTransactionResponseDto>> {
    const sale = { ...this.planSale(merchantId, dto), recordedBy };
    const written: Written = {};
    const result = await this.db.transaction(() =>
      idempotencyKey
        ? this.idempotency.run(`merchant:${merchantId}:create`, idempotencyKey, dto, () =>
            this.insert(sale, written),
          )
        : this.insert(sale, written),
    );
    if (!result.replayed) {
      this.metrics.transactionsCreated.inc({ type: result.body.type });
      this.publish(TransactionEvents.created, result.body, written.customerRelation);
    }
    return result;
  }

  /**
   * Pays a due bill in full (amount omitted) or in part. The bill row is locked, so concurrent
   * payments are applied one after another and can never exceed what is owed.
   */
  async settle(
    merchantId: number,
    transactionId: number,
    dto: SettleTransactionDto,
    idempotencyKey?: string,
    recordedBy: number | null = null,
  ): Promise<Replayable<TransactionResponseDto>> {
    const written: Written = {};
    await this.writeLimits.merchantWrite(merchantId);
    const result = await this.slots.run(merchantId, () =>
      this.db.transaction(async () => {
        const work = async () => ({
          body: await this.applySettlement(merchantId, transactionId, dto, written, recordedBy),
          replayed: false,
        });
        return idempotencyKey
          ? this.idempotency.run(
              `merchant:${merchantId}:settle:${transactionId}`,
              idempotencyKey,
              dto,
              work,
              200,
            )
          : work();
      }),
    );
    if (!result.replayed) this.publish(TransactionEvents.updated, result.body, written.customerRelation);
    return result;
  }

  /**
   * A page of history, newest first: a merchant's own sales, or a customer's purchases across the
   * merchants they bought from (or at `merchantId` only). With `since_seq`, the changes after that seq,
   * oldest first.
   */
  async history(principal: Principal, query: HistoryQueryDto, merchantId?: number): Promise<HistoryPage> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const from = parseInstant(query.from);
    const filter: HistoryFilter = {
      limit: limit + 1,
      offset: query.cursor ? undefined : query.offset,
      from: await this.cashierFrom(principal, from),
      to: parseInstant(query.to),
      type: query.type,
      status: query.status,
      userId: query.user_id,
      sinceSeq: query.since_seq,
      before: query.cursor ? decodeCursor(query.cursor) : undefined,
    };
    let rows;
    if (principal.role === 'merchant')
      rows = await this.transactions.historyForMerchant(principal.id, filter);
    else if (principal.role === 'user')
      rows = await this.transactions.historyForUser(principal.id, filter, merchantId);
    else throw new ForbiddenError('Transaction history is for merchants and customers.');
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const last = page[page.length - 1];
    return {
      items: page.map(toTransactionDto),
      nextCursor:
        more && last && query.since_seq === undefined
          ? encodeCursor(last.occurred_us, Number(last.id))
          : null,
    };
  }

  /** Name and phone of these registered buyers, for the merchant who sold to them (unknown ids absent). */
  buyersOf(userIds: number[]): Promise<Map<number, { name: string; phone: string }>> {
    return this.transactions.buyers(userIds);
  }

  /** A page of the merchant's history with the name and phone of each registered buyer on it. */
  async historyWithBuyers(
    principal: Principal,
    query: HistoryQueryDto,
  ): Promise<HistoryPage & { buyers: Map<number, { name: string; phone: string }> }> {
    const page = await this.history(principal, query);
    const ids = page.items.flatMap((t) => (t.user_id === null ? [] : [t.user_id]));
    return { ...page, buyers: await this.transactions.buyers(ids) };
  }

  /** One transaction, for the merchant who recorded it or the customer who bought; 404 for anyone else. */
  async findOne(principal: Principal, id: number): Promise<TransactionResponseDto> {
    const row = await this.findRow(principal, id);
    const allocations = await this.accounts.allocationsOf(row.merchant_id, [Number(row.id)]);
    return {
      ...toTransactionDto(row),
      allocations: allocations.map((a) => ({
        payment_id: a.payment_id,
        amount: paiseToRupees(a.amount_paise),
        amount_paise: a.amount_paise,
        at: a.at.toISOString(),
      })),
    };
  }

  /**
   * The stored sale behind `findOne` (same access rule), for documents that show more of it than the
   * response does (a receipt's items). Not for responses: map it with `toTransactionDto`.
   */
  async findRow(principal: Principal, id: number): Promise<TransactionRow> {
    const row =
      principal.role === 'merchant'
        ? await this.transactions.findForMerchant(principal.id, id)
        : principal.role === 'user'
          ? await this.transactions.findForUser(principal.id, id)
          : undefined;
    if (!row) throw new NotFoundError('Transaction');
    if (principal.staff?.role === 'cashier' && row.occurred_at < (await this.todayStart(principal.id)))
      throw new DomainError(StaffErrorCode.CashierTodayOnly, CASHIER_TODAY_ONLY);
    return row;
  }

  /**
   * A cashier sees today's sales only (the shop's local day): their history starts at the later of
   * `from` and the start of today. Everyone else's `from` is theirs.
   */
  private async cashierFrom(principal: Principal, from: Date | undefined): Promise<Date | undefined> {
    if (principal.staff?.role !== 'cashier') return from;
    const today = await this.todayStart(principal.id);
    return from && from > today ? from : today;
  }

  private todayStart(merchantId: number): Promise<Date> {
    return this.transactions.localDayStart(merchantId, new Date());
  }

  /**
   * Voids a sale: it stays, marked voided (who, when, why), and leaves every sum and balance; its
   * payments go to the customer's advance (and on to their oldest open bills); the ledger gets a
   * reversal entry and the audit trail a line. Emits `transaction.updated` for each changed sale.
   */
  async voidSale(
    merchantId: number,
    transactionId: number,
    reason: string,
    recordedBy: number | null,
  ): Promise<TransactionResponseDto> {
    await this.writeLimits.merchantWrite(merchantId);
    const result = await this.slots.run(merchantId, () =>
      this.db.transaction(() => this.accounts.voidSale(merchantId, transactionId, reason, recordedBy)),
    );
    this.accounts.publishUpdated([result.sale, ...result.touched]);
    return toTransactionDto(result.sale);
  }

  /**
   * Corrects a sale: in one database transaction the old sale is voided and a new one recorded with
   * `replaces: <old id>` (an edit never rewrites a stored sale). Both land in the audit trail.
   */
  async edit(
    merchantId: number,
    transactionId: number,
    dto: EditTransactionDto,
    recordedBy: number | null,
  ): Promise<{ voided: TransactionResponseDto; transaction: TransactionResponseDto }> {
    const { reason, ...fields } = dto;
    const sale = {
      ...this.planSale(merchantId, fields),
      recordedBy,
      replaces: transactionId,
      clientId: null,
    };
    await this.writeLimits.merchantWrite(merchantId);
    const written: Written = {};
    const result = await this.slots.run(merchantId, () =>
      this.db.transaction(async () => {
        const old = await this.accounts.voidSale(merchantId, transactionId, reason, recordedBy);
        const created = await this.insert(sale, written);
        const row = (await this.transactions.findForMerchant(merchantId, created.body.id))!;
        await this.accounts.recordEdit(merchantId, old.sale, row, reason, recordedBy);
        return { old, created };
      }),
    );
    this.accounts.publishUpdated([result.old.sale, ...result.old.touched]);
    this.metrics.transactionsCreated.inc({ type: result.created.body.type });
    this.publish(TransactionEvents.created, result.created.body, written.customerRelation);
    const { message: _message, ...transaction } = result.created.body;
    return { voided: toTransactionDto(result.old.sale), transaction };
  }

  /** The sale's corrections (void, edit, replacement), oldest first; 404 unless it is the merchant's. */
  async audit(merchantId: number, transactionId: number) {
    const row = await this.transactions.findForMerchant(merchantId, transactionId);
    if (!row) throw new NotFoundError('Transaction');
    return this.accounts.audit(merchantId, transactionId);
  }

  /** The seed's analytics over the last `days`: money received, still owed, count and average sale. */
  async analytics(merchantId: number, query: AnalyticsQueryDto): Promise<AnalyticsDto> {
    const days = query.days ?? 30;
    const to = new Date();
    const from = new Date(to.getTime() - days * 86_400_000);
    const { count, amountPaise, paidPaise } = await this.transactions.analytics(merchantId, from);
    const avg = count ? Math.round(amountPaise / count) : 0;
    return {
      total_sales: paiseToRupees(paidPaise),
      total_sales_paise: paidPaise,
      total_transactions: count,
      total_pending: paiseToRupees(amountPaise - paidPaise),
      total_pending_paise: amountPaise - paidPaise,
      avg_transaction: paiseToRupees(avg),
      avg_transaction_paise: avg,
      days,
      from: from.toISOString(),
      to: to.toISOString(),
    };
  }

  /** The merchant's statement for [from, to) as CSV, streamed from the database in constant memory. */
  async exportCsv(
    merchantId: number,
    query: ExportQueryDto,
  ): Promise<{ stream: Readable; filename: string }> {
    const to = parseInstant(query.to) ?? new Date();
    const from = parseInstant(query.from) ?? new Date(to.getTime() - 30 * 86_400_000);
    if (from >= to)
      throw new UnprocessableError(TransactionErrorCode.InvalidRange, '`from` must be before `to`.', 'from');
    if (to.getTime() - from.getTime() > MAX_EXPORT_DAYS * 86_400_000)
      throw new UnprocessableError(
        TransactionErrorCode.RangeTooLong,
        `An export covers at most ${MAX_EXPORT_DAYS} days; ask for several shorter ranges.`,
        'from',
      );
    const started = await this.exports.streamCsv(merchantId, from, to, this.config.exportStallTimeoutMs);
    if ('refused' in started) {
      if (started.refused === 'merchant-busy')
        throw new TooManyRequestsError(
          EXPORT_RETRY_MS,
          'An export of yours is still running; wait for it to finish before starting another.',
        );
      throw new DomainError(
        TransactionErrorCode.ExportsBusy,
        'Too many exports are running right now; please retry shortly.',
      );
    }
    const { stream } = started;
    const day = (d: Date) => d.toISOString().slice(0, 10);
    return { stream, filename: `graminstore-statement-${merchantId}-${day(from)}-to-${day(to)}.csv` };
  }

  private planSale(merchantId: number, dto: CreateTransactionDto): NewSale {
    const guestRequested = dto.is_guest_transaction === true || (dto.guest_user_id ?? null) !== null;
    if (dto.is_guest_transaction === false && dto.guest_user_id)
      throw new UnprocessableError(
        TransactionErrorCode.BuyerConflict,
        'guest_user_id was given but is_guest_transaction is false.',
        'guest_user_id',
      );
    if (guestRequested && dto.user_id)
      throw new UnprocessableError(
        TransactionErrorCode.BuyerConflict,
        'A sale is for a registered customer (user_id) or a guest, not both.',
        'user_id',
      );
    if (!guestRequested && !dto.user_id)
      throw new UnprocessableError(
        TransactionErrorCode.BuyerRequired,
        'user_id is required unless is_guest_transaction is true.',
        'user_id',
      ).inV1('Either user_id or is_guest_transaction=true must be provided', 400);
    let occurredAt: Date | null = null;
    if (dto.occurred_at) {
      occurredAt = parseInstant(dto.occurred_at)!;
      if (occurredAt.getTime() > Date.now() + FUTURE_TOLERANCE_MS)
        throw new UnprocessableError(
          TransactionErrorCode.OccurredInFuture,
          'occurred_at may be at most 5 minutes in the future.',
          'occurred_at',
        );
      if (occurredAt.getTime() < EARLIEST)
        throw new UnprocessableError(
          TransactionErrorCode.OccurredTooEarly,
          'occurred_at is implausibly old.',
          'occurred_at',
        );
    }
    // The calculator's lines in one field order, so equal bills store (and compare) equal.
    const items =
      dto.items?.map(({ name, quantity, unit_price }): LineItem => ({ name, quantity, unit_price })) ?? null;
    const calculation = dto.calculation ?? null;
    return {
      merchantId,
      userId: guestRequested ? null : (dto.user_id ?? null),
      guestUserId: dto.guest_user_id ?? null,
      newGuest: guestRequested && !dto.guest_user_id,
      amountPaise: saleAmount(dto.amount ?? null, items, calculation),
      items,
      calculation,
      type: dto.type,
      description: dto.description ?? null,
      paymentMethod: dto.payment_method ?? null,
      referenceNumber: dto.reference_number ?? null,
      clientId: dto.client_id ? dto.client_id.toLowerCase() : null,
      occurredAt,
    };
  }

  /** Inside the create's transaction: the sale, or the earlier one with the same offline `client_id`. */
  private async insert(sale: NewSale, written: Written): Promise<Replayable<CreateTransactionResponseDto>> {
    if (sale.clientId) {
      // Offline retries of one sale arrive together: one at a time, the later ones find the first.
      await this.transactions.lockClientId(sale.merchantId, sale.clientId);
      const existing = await this.transactions.findByClientId(sale.merchantId, sale.clientId);
      if (existing) return { body: this.createdResponse(toTransactionDto(existing), null), replayed: true };
    }
    let row;
    try {
      row = await this.transactions.insertSale(sale);
    } catch (err) {
      // A merchant deleted while its token is still valid has no table any more.
      if (pgErrorFields(err).code === '42P01') throw new NotFoundError('Merchant');
      throw err;
    }
    if (!row) {
      // A customer who blocked this shop is, to the shop, a customer who does not exist: the same
      // answer, so blocking cannot be told apart from a wrong id (and ids cannot be probed).
      if (sale.userId && (await this.shops.relation(sale.userId, sale.merchantId)) === 'blocked')
        throw customerNotFound(sale.userId);
      if (sale.userId && !(await this.transactions.customerExists(sale.userId)))
        throw customerNotFound(sale.userId);
      if (sale.guestUserId) {
        const state = await this.transactions.guestState(sale.merchantId, sale.guestUserId);
        if (state === 'missing')
          throw new NotFoundError('Guest user', 'No such guest user for this merchant.');
        if (state === 'used')
          throw new ConflictError(
            TransactionErrorCode.GuestAlreadyUsed,
            'This guest user already has a transaction.',
          );
      }
      // Only a concurrent sale with the same offline client_id leaves nothing inserted; it has
      // committed by now (the insert waited for it), so this statement sees it.
      const existing = sale.clientId
        ? await this.transactions.findByClientId(sale.merchantId, sale.clientId)
        : undefined;
      if (!existing) throw new Error('A sale wrote nothing and no earlier sale explains it');
      return { body: this.createdResponse(toTransactionDto(existing), null), replayed: true };
    }
    written.customerRelation = row.customer_relation ?? null;
    const duplicateOf = row.possible_duplicate_of ? Number(row.possible_duplicate_of) : null;
    // The sale's statement put it on the buyer's khata account; an advance held there pays it now.
    const onAccount = await this.accounts.onSale(row);
    return { body: this.createdResponse(toTransactionDto(onAccount), duplicateOf), replayed: false };
  }

  /** A payment on the bill's khata account targeted at this bill (the one allocation routine). */
  private async applySettlement(
    merchantId: number,
    transactionId: number,
    dto: SettleTransactionDto,
    written: Written,
    recordedBy: number | null,
  ): Promise<TransactionResponseDto> {
    const row = await this.accounts.settleBill(
      merchantId,
      transactionId,
      dto.amount == null ? null : rupeesToPaise(dto.amount)!,
      dto.payment_method,
      dto.reference_number ?? null,
      recordedBy,
    );
    written.customerRelation = row.customer_relation ?? null;
    return toTransactionDto(row);
  }

  private createdResponse(
    dto: TransactionResponseDto,
    possibleDuplicateOf: number | null,
  ): CreateTransactionResponseDto {
    return { message: CREATED_MESSAGE, ...dto, possible_duplicate_of: possibleDuplicateOf };
  }

  /** Hands the committed change to the in-process bus; delivery problems never fail the write. */
  private publish(
    event: string,
    transaction: TransactionResponseDto,
    customerRelation: ShopRelation | null | undefined,
  ): void {
    const payload: TransactionEvent = { transaction, customerRelation };
    this.events.emit(event, payload);
  }
}
