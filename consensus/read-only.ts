// Linearizable reads without writing to the log (Raft thesis §6.4). In 'safe' mode the
// leader records its commit index for each ReadIndex request and answers once a quorum has
// acknowledged a heartbeat carrying the request's context, proving it was still leader
// when the read arrived. 'lease-based' mode answers at once, trusting that check-quorum
// makes the leader step down before another can be elected; it relies on bounded clock
// drift, which is why it is an option and not the default.

import type { Message } from './types.ts';

export type ReadOnlyOption = 'safe' | 'lease-based';

interface ReadIndexStatus {
  request: Message;
  index: number;
  acks: Set<number>;
}

/** The request context as a map key; contexts are small (a request id). */
function contextKey(context: Uint8Array): string {
  let key = '';
  for (let i = 0; i < context.length; i++) key += String.fromCharCode(context[i]!);
  return key;
}

/**
 * Pending requests are keyed by requester and context: two followers may well use the same
 * context, and each must be answered at the commit index of its own arrival. Heartbeats
 * carry only the context, so an acknowledgement counts for every pending request with it.
 */
export class ReadOnly {
  private readonly pending = new Map<string, ReadIndexStatus>();
  /** Keys in arrival order. */
  private queue: string[] = [];

  constructor(readonly option: ReadOnlyOption) {}

  /** Records a request that arrived when the leader's commit index was `index`. */
  addRequest(index: number, request: Message): void {
    const key = `${request.from}:${contextKey(request.context)}`;
    if (this.pending.has(key)) return; // a retransmission of the same request
    this.pending.set(key, { request, index, acks: new Set() });
    this.queue.push(key);
  }

  /**
   * Records `id`'s acknowledgement of `context`. Releases, and returns, the newest request
   * with that context that a quorum has now acknowledged, together with every request queued
   * before it: a quorum that acknowledged a later heartbeat vouches for the earlier requests.
   */
  receiveAck(id: number, context: Uint8Array, hasQuorum: (acks: ReadonlySet<number>) => boolean): { request: Message; index: number }[] {
    const ctx = contextKey(context);
    let releaseThrough = -1;
    for (let i = 0; i < this.queue.length; i++) {
      const status = this.pending.get(this.queue[i]!)!;
      if (contextKey(status.request.context) !== ctx) continue;
      status.acks.add(id);
      if (hasQuorum(status.acks)) releaseThrough = i;
    }
    if (releaseThrough < 0) return [];
    const released = this.queue.slice(0, releaseThrough + 1).map((key) => {
      const status = this.pending.get(key)!;
      this.pending.delete(key);
      return { request: status.request, index: status.index };
    });
    this.queue = this.queue.slice(releaseThrough + 1);
    return released;
  }

  lastPendingContext(): Uint8Array | undefined {
    if (this.queue.length === 0) return undefined;
    return this.pending.get(this.queue[this.queue.length - 1]!)!.request.context;
  }

  pendingCount(): number {
    return this.queue.length;
  }
}
