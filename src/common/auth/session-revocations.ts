import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { AppConfig } from '../../config/app-config.js';
import type { Principal, Role } from './role.js';

/**
 * Sessions that have just ended: one sign-in session (`sid`, a logout or a reused refresh token), or
 * every session of an account but `exceptSid` (deactivation, deletion, a password change). With
 * `staff`, the sessions are those of that staff member of shop `id` (role `merchant`): disabled, or
 * given another role.
 */
export interface SessionsEnded {
  role: Role;
  id: number;
  sid?: string;
  exceptSid?: string;
  staff?: number;
}

/**
 * Whether the session of `principal` is among those ended. The shop's own end (deactivation,
 * deletion: every session, no `exceptSid`) ends its staff's sessions too; the owner's password change
 * or logout does not touch them.
 */
export function endsSession(
  event: SessionsEnded,
  principal: Omit<Principal, 'sid'> & { sid?: string },
): boolean {
  if (event.role !== principal.role || event.id !== principal.id) return false;
  const staffId = principal.staff?.id;
  if (event.staff !== undefined && event.staff !== staffId) return false;
  if (event.sid !== undefined) return principal.sid === event.sid;
  if (staffId !== undefined && event.staff === undefined) return event.exceptSid === undefined;
  return event.exceptSid === undefined || principal.sid !== event.exceptSid;
}

const newClient = (url: string) =>
  createClient({
    url,
    socket: { reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000) },
  });
type Redis = ReturnType<typeof newClient>;

/**
 * Tells every part of every instance that sessions have ended, after the database says so: the
 * session cache forgets them and the real-time transports close their sockets. Listeners on this
 * instance hear it at once; with `REDIS_URL` the news goes to the other instances by Redis pub/sub
 * (if Redis is down, they still refuse the session when their short cache expires).
 */
@Injectable()
export class SessionRevocations implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Sessions');
  private readonly listeners: ((event: SessionsEnded) => void)[] = [];
  private readonly instance = randomUUID();
  private publisher: Redis | null = null;
  private subscriber: Redis | null = null;

  constructor(private readonly config: AppConfig) {}

  private get channel(): string {
    return `${this.config.redisKeyPrefix}:sessions-ended`;
  }

  async onModuleInit(): Promise<void> {
    if (!this.config.redisUrl) return;
    this.publisher = newClient(this.config.redisUrl);
    this.subscriber = this.publisher.duplicate();
    for (const client of [this.publisher, this.subscriber])
      client.on('error', (err: Error) => this.logger.warn({ msg: 'Redis error', err: err.message }));
    await Promise.all([this.publisher.connect(), this.subscriber.connect()]);
    await this.subscriber.subscribe(this.channel, (message) => {
      const { from, event } = JSON.parse(message) as { from: string; event: SessionsEnded };
      if (from !== this.instance) this.dispatch(event);
    });
  }

  onRevoked(listener: (event: SessionsEnded) => void): void {
    this.listeners.push(listener);
  }

  /** Announces ended sessions; call it after the transaction that ended them has committed. */
  publish(event: SessionsEnded): void {
    this.dispatch(event);
    if (this.publisher?.isReady)
      this.publisher
        .publish(this.channel, JSON.stringify({ from: this.instance, event }))
        .catch((err: unknown) =>
          this.logger.warn({ msg: 'could not announce ended sessions', err: String(err) }),
        );
  }

  async onApplicationShutdown(): Promise<void> {
    for (const client of [this.subscriber, this.publisher])
      if (client?.isReady) await client.close();
      else if (client?.isOpen) client.destroy();
  }

  private dispatch(event: SessionsEnded): void {
    for (const listener of this.listeners)
      try {
        listener(event);
      } catch (err) {
        this.logger.error({ msg: 'a listener of ended sessions failed', err });
      }
  }
}
