import { Module } from '@nestjs/common';
import { TransactionsModule } from '../transactions/transactions.module.js';
import { LegacyWebSocketBridge } from './legacy-websocket.bridge.js';
import { MissedPackets } from './missed-packets.js';
import { OrdersSocketProtocol } from './orders-socket.protocol.js';
import { RealtimeHistoryService } from './realtime-history.service.js';
import { RealtimeGateway } from './realtime.gateway.js';
import { RealtimeOptions } from './realtime.options.js';
import { realtimeRedisProvider } from './realtime-redis.js';
import { RealtimeService } from './realtime.service.js';
import { TransactionHistoryProtocol } from './transaction-history.protocol.js';

/**
 * Live updates: the Socket.IO gateway (`/realtime`), the original API's plain WebSocket paths, and, with
 * `REDIS_URL`, delivery across instances. The Socket.IO server itself is built by
 * `RealtimeIoAdapter`, which `configureApp` installs.
 */
@Module({
  imports: [TransactionsModule],
  providers: [
    RealtimeGateway,
    RealtimeService,
    RealtimeHistoryService,
    LegacyWebSocketBridge,
    TransactionHistoryProtocol,
    OrdersSocketProtocol,
    MissedPackets,
    realtimeRedisProvider,
    { provide: RealtimeOptions, useValue: RealtimeOptions.with() },
  ],
})
export class RealtimeModule {}
