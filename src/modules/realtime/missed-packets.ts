/**
 * What restored Socket.IO sessions missed while away, by private session id, from the moment the
 * adapter restores a session until the gateway has authenticated the returning socket (then it is
 * replayed) or refused it (then it is dropped). See `holdingMissedPackets`.
 */
export class MissedPackets {
  private readonly held = new Map<string, unknown[][]>();

  hold(pid: string, packets: unknown[][]): void {
    this.held.set(pid, packets);
  }

  /** The session's held packets, removed from the store; none when nothing is held. */
  take(pid: string): unknown[][] {
    const packets = this.held.get(pid) ?? [];
    this.held.delete(pid);
    return packets;
  }
}
