import { fakeRepository } from '../../../test/support/fakes.js';
import type { ShopRelation } from '../users/customer-shops.repository.js';
import type { TransactionResponseDto } from '../transactions/dto/transaction-response.dto.js';
import type { TransactionEnvelope } from './dto/realtime-event.dto.js';
import type { LegacyWebSocketBridge } from './legacy-websocket.bridge.js';
import type { RealtimeGateway } from './realtime.gateway.js';
import { RealtimeService } from './realtime.service.js';

type Transport = 'socket.io' | 'legacy' | 'legacy on other instances';

const sale = (patch: Partial<TransactionResponseDto> = {}): TransactionResponseDto => ({
  id: 1042,
  transaction_id: 1042,
  merchant_id: 3,
  merchant_name: 'Sharma Kirana',
  user_id: 17,
  guest_user_id: null,
  is_guest_transaction: false,
  amount: 25.5,
  amount_paise: 2550,
  paid_amount: 0,
  paid_paise: 0,
  due_amount: 25.5,
  due_paise: 2550,
  type: 'pay_later',
  status: 'due',
  description: 'Rice',
  payment_method: null,
  reference_number: null,
  client_id: null,
  seq: 88,
  occurred_at: '2026-11-24T04:30:00.000Z',
  timestamp: '2026-11-24T04:30:00.000Z',
  created_at: '2026-11-24T04:30:01.000Z',
  settled_at: null,
  items: null,
  calculation: null,
  recorded_by: null,
  voided: null,
  replaces: null,
  ...patch,
});

describe('RealtimeService', () => {
  /** What each room received, per transport. */
  let received: Map<string, { transport: Transport; envelope: TransactionEnvelope }[]>;
  let service: RealtimeService;

  const deliver = (transport: Transport) => (rooms: string[], envelope: TransactionEnvelope) => {
    for (const room of rooms) received.set(room, [...(received.get(room) ?? []), { transport, envelope }]);
  };

  beforeEach(() => {
    received = new Map();
    service = new RealtimeService(
      fakeRepository<RealtimeGateway>(
        { broadcast: deliver('socket.io'), relay: deliver('legacy on other instances') },
        'RealtimeGateway',
      ),
      fakeRepository<LegacyWebSocketBridge>({ deliver: deliver('legacy') }, 'LegacyWebSocketBridge'),
    );
  });

  /** The one envelope a room got, after checking it came over every transport. */
  function envelopeFor(room: string): TransactionEnvelope {
    const got = received.get(room) ?? [];
    expect(got.map((g) => g.transport).sort()).toEqual(['legacy', 'legacy on other instances', 'socket.io']);
    expect(new Set(got.map((g) => JSON.stringify(g.envelope))).size).toBe(1);
    return got[0].envelope;
  }

  it('delivers a new sale to exactly the merchant and the customer, over every transport', () => {
    const transaction = sale();
    service.onCreated({ transaction, customerRelation: 'accepted' });
    expect([...received.keys()].sort()).toEqual(['merchant:3', 'user:17']);
    const expected = {
      id: 1042,
      seq: 88,
      type: 'new_transaction',
      occurred_at: '2026-11-24T04:30:00.000Z',
      data: transaction,
    };
    expect(envelopeFor('merchant:3')).toEqual(expected);
    expect(envelopeFor('user:17')).toEqual(expected);
  });

  it('delivers a settlement as transaction_updated', () => {
    service.onUpdated({ transaction: sale({ status: 'paid' }), customerRelation: 'accepted' });
    expect(envelopeFor('merchant:3')).toMatchObject({
      type: 'transaction_updated',
      data: { status: 'paid' },
    });
    expect(envelopeFor('user:17')).toMatchObject({ type: 'transaction_updated' });
  });

  it('sends a guest sale to the merchant only', () => {
    service.onCreated({ transaction: sale({ user_id: null, guest_user_id: 9, is_guest_transaction: true }) });
    expect([...received.keys()]).toEqual(['merchant:3']);
    envelopeFor('merchant:3');
  });

  it('flags the customer’s copy as unconfirmed while the shop is pending, and only theirs', () => {
    service.onCreated({ transaction: sale(), customerRelation: 'pending' });
    expect(envelopeFor('user:17').data).toMatchObject({ unconfirmed: true });
    expect(envelopeFor('merchant:3').data).not.toHaveProperty('unconfirmed');
  });

  it('withholds the sale from a customer who has blocked the shop; the merchant still gets it', () => {
    service.onCreated({ transaction: sale(), customerRelation: 'blocked' });
    expect([...received.keys()]).toEqual(['merchant:3']);
    envelopeFor('merchant:3');
  });

  it.each<[string, ShopRelation | null | undefined]>([
    ['accepted', 'accepted'],
    ['not given', undefined],
  ])('sends the customer the plain copy when the relation is %s', (_label, customerRelation) => {
    service.onCreated({ transaction: sale(), customerRelation });
    expect(envelopeFor('user:17').data).not.toHaveProperty('unconfirmed');
  });

  it('leaves out the create response’s `message`: events carry the transaction only', () => {
    const withMessage = { ...sale(), message: 'Transaction created successfully' };
    service.onCreated({ transaction: withMessage, customerRelation: 'accepted' });
    expect(envelopeFor('merchant:3').data).not.toHaveProperty('message');
    expect(envelopeFor('user:17').data).toEqual(sale());
  });
});
