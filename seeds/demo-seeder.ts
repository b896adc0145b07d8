import type { INestApplicationContext, Type } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ConflictError } from '../src/common/errors/domain-error.js';
import { createValidationPipe } from '../src/common/errors/validation.js';
import { RegisterMerchantDto, RegisterUserDto } from '../src/modules/auth/dto/register.dto.js';
import { MerchantsService } from '../src/modules/merchants/merchants.service.js';
import { CreateTransactionDto } from '../src/modules/transactions/dto/create-transaction.dto.js';
import { SettleTransactionDto } from '../src/modules/transactions/dto/settle-transaction.dto.js';
import { TransactionsService } from '../src/modules/transactions/transactions.service.js';
import { UsersService } from '../src/modules/users/users.service.js';
import { DAY_MS } from './india.js';
import type { DemoPlan, PlannedMerchant, PlannedUser } from './demo-plan.js';
import { Random } from './random.js';
import { fromDataSource, SeedRepository, type Backdating } from './seed.repository.js';

export interface DemoSeedResult {
  created: { merchants: number; users: number; transactions: number; settlements: number };
  /** The plan's merchants with their ids and how many sales each has now. */
  merchants: (PlannedMerchant & { id: number; transactions: number })[];
  users: (PlannedUser & { id: number })[];
  ms: number;
}

export interface DemoSeedOptions {
  /** Progress lines (one per merchant), for the CLI. */
  log?: (line: string) => void;
}

const rupees = (paise: number) => paise / 100;

/** The database already holds other sales for a demo merchant; the seeder will not mix data sets. */
export class ForeignDataError extends Error {
  constructor(readonly email: string) {
    super(
      `The merchant ${email} already has sales that are not this seed's demo data (another --seed, or ` +
        'sales recorded by hand). Run the seeder with --reset to rebuild the demo data, or use another database.',
    );
  }
}

/**
 * Writes a demo plan through the same services, DTOs and validation as the REST API:
 * MerchantsService.register (with its table provisioning), UsersService.register,
 * TransactionsService.create (guests are created with their sale) and TransactionsService.settle.
 *
 * Idempotent: accounts are looked up by email and sales by their planned offline `client_id`, so a
 * second run with the same seed writes nothing. Merchants are filled in parallel, each merchant's
 * sales in order. Afterwards the generated history is given its real dates (see SeedRepository.backdate).
 */
export async function seedDemoData(
  app: INestApplicationContext,
  plan: DemoPlan,
  options: DemoSeedOptions = {},
): Promise<DemoSeedResult> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const get = <T>(type: Type<T>) => app.get(type, { strict: false });
  const merchantsService = get(MerchantsService);
  const usersService = get(UsersService);
  const transactions = get(TransactionsService);
  const repo = new SeedRepository(
    fromDataSource(app.get<DataSource>(getDataSourceToken(), { strict: false })),
  );
  const pipe = createValidationPipe();
  // The API's own validation and normalisation of each body (a bad plan fails here, not in the database).
  const validate = <T>(metatype: Type<T>, body: object): Promise<T> =>
    pipe.transform(body, { type: 'body', metatype }) as Promise<T>;
  const rng = Random.derive(plan.seed, 3);
  const touched: number[] = [];
  const backdating: Backdating = { merchants: [], users: [], guestSales: [], settlements: [] };
  const created = { merchants: 0, users: 0, transactions: 0, settlements: 0 };
  const nowMs = plan.now.getTime();

  // Accounts: registered unless their email is already there. A planned phone number that someone
  // else already holds gets a neighbouring number instead.
  const register = async <A extends { phone: string }>(
    account: A,
    save: (a: A) => Promise<{ id: number }>,
  ) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await save(account);
      } catch (err) {
        if (!(err instanceof ConflictError) || err.code !== 'phone-taken' || attempt >= 20) throw err;
        account = { ...account, phone: `${account.phone.slice(0, -4)}${rng.digits(4)}` };
      }
    }
  };

  const merchantIds = await repo.merchantIds(plan.merchants.map((m) => m.email));
  // A planned merchant that already has sales, none of them this plan's, holds another data set
  // (another seed, or sales recorded by hand): adding this plan's sales to it would mix the two.
  const existingSales = new Map<number, Set<string>>();
  for (const [m, planned] of plan.merchants.entries()) {
    const id = merchantIds.get(planned.email.toLowerCase());
    if (id === undefined) continue;
    const existing = await repo.existingClientIds(
      id,
      plan.sales[m].map((s) => s.clientId),
    );
    if (existing.size === 0 && (await repo.transactionCount(id)) > 0)
      throw new ForeignDataError(planned.email);
    existingSales.set(id, existing);
  }

  // The demo accounts keep their published passwords (merchant123, user123), which the rules for new
  // passwords would refuse: every other field is validated as the API does, the password is set after.
  const asNew = <T extends { password: string }>(body: T) => ({ ...body, password: 'demo-placeholder-4821' });
  const withDemoPassword = <T extends { password: string }>(dto: T, planned: { password: string }) =>
    Object.assign(dto, { password: planned.password });

  const merchants: DemoSeedResult['merchants'] = [];
  for (const planned of plan.merchants) {
    let id = merchantIds.get(planned.email.toLowerCase());
    if (id === undefined) {
      id = (
        await register(planned, async (m) =>
          merchantsService.register(withDemoPassword(await validate(RegisterMerchantDto, asNew(m)), m)),
        )
      ).id;
      created.merchants++;
      backdating.merchants.push({ id, createdAt: new Date(nowMs - (100 + rng.int(0, 200)) * DAY_MS) });
    }
    merchants.push({ ...planned, id, transactions: 0 });
  }

  const userIds = await repo.userIds(plan.users.map((u) => u.email));
  const users: DemoSeedResult['users'] = [];
  for (const planned of plan.users) {
    let id = userIds.get(planned.email.toLowerCase());
    if (id === undefined) {
      id = (
        await register(planned, async (u) =>
          usersService.register(withDemoPassword(await validate(RegisterUserDto, asNew(u)), u)),
        )
      ).id;
      created.users++;
      backdating.users.push({ id, createdAt: new Date(nowMs - (91 + rng.int(0, 300)) * DAY_MS) });
    }
    users.push({ ...planned, id });
  }

  // Every merchant's run finishes (or fails) before anything else happens: no write outlives the call.
  const runs = await Promise.allSettled(
    merchants.map(async (merchant, m) => {
      const sales = plan.sales[m];
      const existing = existingSales.get(merchant.id) ?? new Set<string>();
      let made = 0;
      for (const sale of sales) {
        if (existing.has(sale.clientId)) continue;
        const dto = await validate(CreateTransactionDto, {
          ...(sale.userIndex === null
            ? { is_guest_transaction: true }
            : { user_id: users[sale.userIndex].id }),
          amount: rupees(sale.amountPaise),
          type: sale.type,
          description: sale.description,
          payment_method: sale.paymentMethod,
          reference_number: sale.referenceNumber,
          occurred_at: new Date(sale.occurredAt).toISOString(),
          client_id: sale.clientId,
        });
        const { body: tx } = await transactions.create(merchant.id, dto);
        made++;
        if (sale.userIndex === null)
          backdating.guestSales.push({ merchantId: merchant.id, transactionId: tx.id });
        for (const payment of sale.settlements)
          await transactions.settle(
            merchant.id,
            tx.id,
            await validate(SettleTransactionDto, {
              amount: rupees(payment.amountPaise),
              payment_method: payment.paymentMethod,
              ...(payment.referenceNumber ? { reference_number: payment.referenceNumber } : {}),
            }),
          );
        if (sale.settlements.length) {
          created.settlements += sale.settlements.length;
          backdating.settlements.push({
            merchantId: merchant.id,
            transactionId: tx.id,
            at: sale.settlements.map((p) => new Date(p.at)),
          });
        }
      }
      created.transactions += made;
      if (made) touched.push(merchant.id);
      merchant.transactions = await repo.transactionCount(merchant.id);
      log(
        made
          ? `  ${merchant.business_name}: ${made} sales recorded`
          : `  ${merchant.business_name}: already has its ${sales.length} demo sales`,
      );
    }),
  );
  const failed = runs.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;

  await repo.backdate(backdating);
  if (touched.length) await repo.rebuildRollups(touched);
  return { created, merchants, users, ms: Date.now() - started };
}
