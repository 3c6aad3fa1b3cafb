// A leader's commit notices, coalesced. When an acknowledgement commits entries, the Raft
// core (like etcd's) sends every follower an append without entries at once, only to carry
// the new commit index; the follower persists nothing, applies, and acknowledges. At one
// write in flight that is four of a write's eight peer messages and a wake-up of every
// member, on machines where a loopback send costs more CPU than the append's own work.
//
// CommitNotices holds such an append for up to `delayMs`. An append to the same follower in
// that time carries a commit index at least as high and replaces it (a busy leader sends
// one with the next write); any other message to that follower (a heartbeat, a read index
// answer, TimeoutNow) takes it along in the same write; the rest go when the delay ends.
// A follower that waits on the commit index gets it at once: one that forwarded entries it
// has not yet been told are committed (it answers their clients when it applies them), and
// every follower when the Ready commits a configuration change.
//
// The price: when the leader goes idle, followers apply its last writes up to `delayMs`
// later than they would, which is what serializable reads and watches on a follower see.
// Linearizable reads go through ReadIndex and are unaffected. `delayMs` 0 sends every
// notice at once, as etcd does.

import type { Message } from '../consensus/types.ts';
import { MessageType } from '../consensus/types.ts';

export class CommitNotices {
  /** Per follower, the commit-only append waiting to go. */
  private readonly held = new Map<number, Message>();
  private timer: NodeJS.Timeout | undefined;
  /** Per follower, the highest commit index any message sent to it carried. */
  private readonly toldCommit = new Map<number, number>();
  /** Per follower, the index of the last entry it forwarded that the leader appended. */
  private readonly forwardedUpTo = new Map<number, number>();

  constructor(
    private readonly delayMs: number,
    private readonly transport: { send(messages: Message[]): void },
  ) {}

  /** The leader appended an entry at `index` that follower `from` forwarded. */
  forwarded(from: number, index: number): void {
    if (index > (this.forwardedUpTo.get(from) ?? 0)) this.forwardedUpTo.set(from, index);
  }

  /** Number of notices waiting. */
  get heldCount(): number {
    return this.held.size;
  }

  /**
   * Sends a leader's messages, holding commit notices that nobody waits on. `urgent`: this
   * batch commits something every follower must learn of at once; nothing is held.
   */
  send(messages: readonly Message[], urgent: boolean): void {
    const out: Message[] = [];
    for (const m of messages) {
      const held = this.held.get(m.to);
      if (m.type === MessageType.App && m.entries.length === 0 && this.delayMs > 0 && !urgent && !this.waitsOnCommit(m.to)) {
        // The newer notice carries the higher commit index.
        this.held.set(m.to, m);
        continue;
      }
      if (held !== undefined) {
        this.held.delete(m.to);
        // Another append carries a commit index at least as high; anything else takes the
        // notice along.
        if (m.type !== MessageType.App) this.record(held, out);
      }
      this.record(m, out);
    }
    if (urgent) this.flushInto(out);
    if (out.length > 0) this.transport.send(out);
    if (this.held.size > 0 && this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        const due: Message[] = [];
        this.flushInto(due);
        if (due.length > 0) this.transport.send(due);
      }, this.delayMs);
    }
  }

  /** Forgets everything: held notices are dropped (a new leader, or the loop stopping). */
  reset(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.held.clear();
    this.toldCommit.clear();
    this.forwardedUpTo.clear();
  }

  private waitsOnCommit(to: number): boolean {
    return (this.forwardedUpTo.get(to) ?? 0) > (this.toldCommit.get(to) ?? 0);
  }

  private flushInto(out: Message[]): void {
    for (const m of this.held.values()) this.record(m, out);
    this.held.clear();
  }

  private record(m: Message, out: Message[]): void {
    if ((m.type === MessageType.App || m.type === MessageType.Heartbeat) && m.commit > (this.toldCommit.get(m.to) ?? 0)) {
      this.toldCommit.set(m.to, m.commit);
    }
    out.push(m);
  }
}
