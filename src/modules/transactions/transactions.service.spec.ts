import { WriteLimits } from '../../common/rate-limit/write-limits.js';
import { MerchantWriteSlots } from './merchant-write-slots.js';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { DomainError } from '../../common/errors/domain-error.js';
import { AppConfig } from '../../config/app-config.js';
import { TransactionalConnection } from '../../database/transactional-connection.js';
import { MetricsService } from '../../common/metrics/metrics.service.js';
import { CustomerShopsRepository } from '../users/customer-shops.repository.js';
import type { CreateTransactionDto } from './dto/create-transaction.dto.js';
import { normalizeType } from './dto/create-transaction.dto.js';
import { IdempotencyService } from './idempotency.service.js';
import { TransactionExportRepository } from './transaction-export.repository.js';
import { TransactionsRepository, type NewSale, type TransactionRow } from './transactions.repository.js';
import { decodeCursor, encodeCursor, TransactionsService } from './transactions.service.js';
import { AccountsService } from '../khata/accounts.service.js';

/** A hand-written fake of the repository: records what the service asked to write. */
class FakeTransactions {
  sales: NewSale[] = [];
  duplicateOf: string | null = null;
  async insertSale(sale: NewSale): Promise<TransactionRow> {
    this.sales.push(sale);
    return {
      id: '1',
      merchant_id: sale.merchantId,
      merchant_name: 'Shop',
      user_id: sale.userId,
      guest_user_id: sale.newGuest ? 9 : sale.guestUserId,
      amount_paise: String(sale.amountPaise),
      type: sale.type,
      status: sale.type === 'paid' ? 'paid' : 'due',
      paid_paise: sale.type === 'paid' ? String(sale.amountPaise) : '0',
      description: sale.description,
      payment_method: sale.paymentMethod,
      reference_number: sale.referenceNumber,
      client_id: sale.clientId,
      seq: '5',
      occurred_at: sale.occurredAt ?? new Date('2026-11-24T04:00:00Z'),
      created_at: new Date('2026-11-24T04:00:01Z'),
      settled_at: null,
      items: sale.items,
      calculation: sale.calculation,
      possible_duplicate_of: this.duplicateOf,
      recorded_by: sale.recordedBy ?? null,
      voided_at: null,
      voided_by: null,
      void_reason: null,
      replaces: null,
    };
  }
}

const RICE = { name: 'Rice', quantity: 2, unit_price: 45 };

describe('TransactionsService.create', () => {
  let service: TransactionsService;
  let repo: FakeTransactions;
  let published: unknown[];

  beforeEach(async () => {
    repo = new FakeTransactions();
    published = [];
    const moduleRef = await Test.createTestingModule({
      providers: [
        TransactionsService,
        { provide: TransactionsRepository, useValue: repo },
        { provide: TransactionExportRepository, useValue: {} },
        // The khata keeps the sale as it is (no advance to apply).
        { provide: AccountsService, useValue: { onSale: async (row: TransactionRow) => row } },
        { provide: CustomerShopsRepository, useValue: {} },
        { provide: AppConfig, useValue: {} },
        { provide: IdempotencyService, useValue: {} },
        { provide: WriteLimits, useValue: { merchantWrite: async () => undefined } },
        MerchantWriteSlots,
        { provide: TransactionalConnection, useValue: { transaction: (work: () => unknown) => work() } },
        {
          provide: EventEmitter2,
          useValue: { emit: (name: string, payload: unknown) => published.push({ name, payload }) },
        },
        MetricsService,
      ],
    }).compile();
    service = moduleRef.get(TransactionsService);
  });

  const dto = (patch: Partial<CreateTransactionDto>): CreateTransactionDto => ({
    amount: 25.5,
    type: 'paid',
    ...patch,
  });

  it('converts rupees to paise exactly and publishes after writing', async () => {
    const { body } = await service.create(3, dto({ user_id: 7, amount: 0.29 }));
    expect(repo.sales[0]).toMatchObject({ merchantId: 3, userId: 7, amountPaise: 29, newGuest: false });
    expect(body).toMatchObject({
      message: 'Transaction created successfully',
      amount: 0.29,
      amount_paise: 29,
    });
    expect(published).toEqual([
      {
        name: 'transaction.created',
        payload: { transaction: expect.objectContaining({ id: 1 }), customerRelation: null },
      },
    ]);
  });

  it('computes the amount from items and calculation, stores both, and passes on the double-tap hint', async () => {
    repo.duplicateOf = '41';
    const { body } = await service.create(
      3,
      dto({
        user_id: 7,
        amount: undefined,
        items: [RICE, { ...RICE, name: 'Dal' }],
        calculation: '2*45 + 2*45',
      }),
    );
    expect(repo.sales[0]).toMatchObject({
      amountPaise: 18000,
      items: [RICE, { ...RICE, name: 'Dal' }],
      calculation: '2*45 + 2*45',
    });
    expect(body).toMatchObject({
      amount_paise: 18000,
      items: [RICE, { ...RICE, name: 'Dal' }],
      possible_duplicate_of: 41,
    });
  });

  it('creates a guest for a guest sale, and never a customer link', async () => {
    await service.create(3, dto({ is_guest_transaction: true, type: 'pay_later' }));
    expect(repo.sales[0]).toMatchObject({ userId: null, newGuest: true, guestUserId: null });
  });

  it.each([
    ['no buyer', {}, 'buyer-required'],
    ['both buyers', { user_id: 1, is_guest_transaction: true }, 'buyer-conflict'],
    [
      'a guest id with is_guest_transaction false',
      { guest_user_id: 4, is_guest_transaction: false },
      'buyer-conflict',
    ],
    [
      'a sale in the future',
      { user_id: 1, occurred_at: new Date(Date.now() + 3_600_000).toISOString() },
      'occurred-in-future',
    ],
    ['a sale before 2000', { user_id: 1, occurred_at: '1999-12-31T00:00:00Z' }, 'occurred-too-early'],
    ['an amount other than the items’', { user_id: 1, amount: 5, items: [RICE] }, 'amount-mismatch'],
    [
      'items and calculation apart',
      { user_id: 1, amount: null, items: [RICE], calculation: '2*40' },
      'totals-disagree',
    ],
    [
      'a calculation dividing by zero',
      { user_id: 1, amount: null, calculation: '1/(1-1)' },
      'division-by-zero',
    ],
    ['a total below a paisa', { user_id: 1, amount: null, calculation: '0.004' }, 'invalid-total'],
    ['a total over ₹1 crore', { user_id: 1, amount: null, calculation: '10000000.01' }, 'invalid-total'],
  ])('refuses %s without writing', async (_label, patch, code) => {
    await expect(service.create(3, dto(patch))).rejects.toMatchObject({ status: 422, code });
    await expect(service.create(3, dto(patch))).rejects.toBeInstanceOf(DomainError);
    expect(repo.sales).toHaveLength(0);
    expect(published).toHaveLength(0);
  });
});

describe('history cursors and type spellings', () => {
  it('round-trips a cursor and refuses a forged one', () => {
    expect(decodeCursor(encodeCursor('1795500000123456', 42))).toEqual({
      occurredUs: '1795500000123456',
      id: 42,
    });
    expect(() => decodeCursor('bm9wZQ')).toThrow(DomainError);
    expect(() => decodeCursor(Buffer.from("1.1' OR 1=1").toString('base64url'))).toThrow(DomainError);
  });

  it.each([
    ['payed', 'paid'],
    ['PAID', 'paid'],
    ['pending', 'pay_later'],
    ['Pay Later', 'pay_later'],
    ['pay-later', 'pay_later'],
  ])('%p means %p', (input, expected) => {
    expect(normalizeType(input)).toBe(expected);
  });
});
