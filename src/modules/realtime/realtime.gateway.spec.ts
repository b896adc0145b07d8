import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import type { Namespace, Socket } from 'socket.io';
import { fakeRepository } from '../../../test/support/fakes.js';
import { AccessTokenService } from '../../common/auth/access-token.js';
import { accessTokenKey } from '../../common/auth/access-token-key.js';
import type { Principal } from '../../common/auth/role.js';
import type { SessionRevocations } from '../../common/auth/session-revocations.js';
import type { SessionState } from '../../common/auth/session-state.js';
import { loadConfig } from '../../config/app-config.js';
import type { LegacyWebSocketBridge } from './legacy-websocket.bridge.js';
import type { MissedPackets } from './missed-packets.js';
import type { RealtimeHistoryService } from './realtime-history.service.js';
import type { RealtimeRedis } from './realtime-redis.js';
import type { RealtimeSession } from './realtime-session.js';
import { RealtimeGateway } from './realtime.gateway.js';
import { RealtimeOptions } from './realtime.options.js';

type Middleware = (socket: Socket, next: (err?: Error & { data?: unknown }) => void) => void;

/** The error the handshake answers with (what a Socket.IO client receives as `connect_error`). */
interface HandshakeError {
  message: string;
  data: { status: number; code: string; title: string; detail: string };
}

describe('RealtimeGateway: authentication at the handshake', () => {
  const config = loadConfig({ NODE_ENV: 'test' });
  const jwt = new JwtService({ secret: accessTokenKey(config.jwtSecret) });
  const tokens = new AccessTokenService(jwt, config);
  let live: boolean;
  let asked: Principal[];
  let middleware: Middleware;

  beforeEach(() => {
    live = true;
    asked = [];
    const gateway = new RealtimeGateway(
      tokens,
      fakeRepository<RealtimeHistoryService>({}, 'RealtimeHistoryService'),
      fakeRepository<LegacyWebSocketBridge>({}, 'LegacyWebSocketBridge'),
      { clustered: false, unavailable: false } as RealtimeRedis,
      RealtimeOptions.with(),
      fakeRepository<SessionState>(
        {
          isLive: async (principal) => {
            asked.push(principal);
            return live;
          },
        },
        'SessionState',
      ),
      fakeRepository<SessionRevocations>({ onRevoked: () => undefined }, 'SessionRevocations'),
      fakeRepository<MissedPackets>({ take: () => [] }, 'MissedPackets'),
    );
    const nsp = {
      use: (fn: Middleware) => (middleware = fn),
      on: () => undefined,
    };
    gateway.afterInit(nsp as unknown as Namespace);
  });

  /** Runs the namespace middleware as Socket.IO does before accepting the connection. */
  async function handshake(
    auth: Record<string, unknown>,
    previous?: { principal: Principal },
  ): Promise<{ error?: HandshakeError; session?: RealtimeSession }> {
    const socket = {
      handshake: { auth },
      data: previous ? { session: { ...previous, expiresAt: Date.now() + 60_000 } } : {},
      recovered: previous !== undefined,
    };
    const error = await new Promise<Error | undefined>((resolve) => middleware(socket as never, resolve));
    return {
      error: error as unknown as HandshakeError | undefined,
      session: (socket.data as { session?: RealtimeSession }).session,
    };
  }

  const signed = (principal: Principal, expiresIn = 600) =>
    jwt.sign(
      {
        sub: String(principal.id),
        role: principal.role,
        typ: 'access',
        ...(principal.sid && { sid: principal.sid }),
      },
      { algorithm: 'HS256', expiresIn },
    );

  it('accepts a merchant’s live token and keeps who it is and until when', async () => {
    const sid = randomUUID();
    const { token } = tokens.sign({ id: 3, role: 'merchant', sid });
    const { error, session } = await handshake({ token });
    expect(error).toBeUndefined();
    expect(session).toEqual({ principal: { id: 3, role: 'merchant', sid }, expiresAt: expect.any(Number) });
    expect(session!.expiresAt).toBeGreaterThan(Date.now());
    expect(asked).toEqual([{ id: 3, role: 'merchant', sid }]);
  });

  it('accepts a customer’s token', async () => {
    const { session } = await handshake({ token: tokens.sign({ id: 17, role: 'user' }).token });
    expect(session?.principal).toEqual({ id: 17, role: 'user' });
  });

  it.each([
    ['no token', {}],
    ['an empty token', { token: '' }],
    ['a token that is not a string', { token: 42 }],
    ['a garbled token', { token: 'not.a.jwt' }],
  ])('refuses %s with a 401 problem', async (_label, auth) => {
    const { error, session } = await handshake(auth);
    expect(error?.data).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(session).toBeUndefined();
    expect(asked).toEqual([]);
  });

  it('refuses an expired token', async () => {
    const { error } = await handshake({ token: signed({ id: 3, role: 'merchant' }, -10) });
    expect(error?.data).toMatchObject({ status: 401 });
  });

  it('refuses a token signed with another secret, or with another algorithm', async () => {
    const foreign = new JwtService({ secret: 'another-secret-of-32-characters-xx' });
    const claims = { sub: '3', role: 'merchant', typ: 'access' };
    for (const token of [
      foreign.sign(claims, { algorithm: 'HS256', expiresIn: 600 }),
      jwt.sign(claims, { algorithm: 'HS512', expiresIn: 600 }),
    ])
      expect((await handshake({ token })).error?.data).toMatchObject({ status: 401 });
  });

  it('refuses anything but an access token (a refresh-typed claim set)', async () => {
    const token = jwt.sign(
      { sub: '3', role: 'merchant', typ: 'refresh' },
      { algorithm: 'HS256', expiresIn: 600 },
    );
    expect((await handshake({ token })).error?.data).toMatchObject({ status: 401 });
  });

  it('refuses an admin: live updates are for merchants and customers (403)', async () => {
    const { error } = await handshake({ token: tokens.sign({ id: 1, role: 'admin' }).token });
    expect(error?.data).toMatchObject({ status: 403, code: 'forbidden' });
  });

  it('refuses a valid token of an account or session that has ended', async () => {
    live = false;
    const { error, session } = await handshake({ token: tokens.sign({ id: 3, role: 'merchant' }).token });
    expect(error).toMatchObject({
      message: 'This session has ended. Please sign in again.',
      data: { status: 401, detail: 'This session has ended. Please sign in again.' },
    });
    expect(session).toBeUndefined();
  });

  it('refuses a recovered connection that comes back as another account', async () => {
    const token = tokens.sign({ id: 4, role: 'merchant' }).token;
    const { error } = await handshake({ token }, { principal: { id: 3, role: 'merchant' } });
    expect(error?.data).toMatchObject({ status: 401, detail: 'This session belongs to another account.' });
    // The same account coming back is fine.
    expect((await handshake({ token }, { principal: { id: 4, role: 'merchant' } })).error).toBeUndefined();
  });
});
