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

export class ReadOnly {
  private readonly pending = new Map<string, ReadIndexStatus>();
  private readonly queue: string[] = [];

  constructor(readonly option: ReadOnlyOption) {}

  /** Records a request that arrived when the leader's commit index was `index`. */
  addRequest(index: number, request: Message): void {
    const key = contextKey(request.context);
    if (this.pending.has(key)) return;
    this.pending.set(key, { request, index, acks: new Set() });
    this.queue.push(key);
  }

  /** Records a heartbeat acknowledgement; returns who has acknowledged the context so far. */
  receiveAck(id: number, context: Uint8Array): ReadonlySet<number> | undefined {
    const status = this.pending.get(contextKey(context));
    if (status === undefined) return undefined;
    status.acks.add(id);
    return status.acks;
  }

  /**
   * Releases the request with `context` and every request queued before it: a quorum that
   * acknowledged a later heartbeat also vouches for the earlier requests.
   */
  advance(context: Uint8Array): { request: Message; index: number }[] {
    const key = contextKey(context);
    const at = this.queue.indexOf(key);
    if (at < 0) return [];
    const released = this.queue.splice(0, at + 1).map((queued) => {
      const status = this.pending.get(queued)!;
      this.pending.delete(queued);
      return { request: status.request, index: status.index };
    });
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
