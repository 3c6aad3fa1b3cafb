// A simulated network on a virtual clock. It delays each message by a random number of
// ticks, drops some, duplicates some, and reorders some. Each link is FIFO, as a stream
// transport is, except for the messages picked for reordering: those take their own delay
// and may overtake earlier ones. (A network that reorders everything makes a leader's
// pipelined appends arrive out of order at a lagging follower, and the reject/probe cycles
// that follow can flood it; seeds that draw reorderProbability 1 still test that.) Links
// can be cut one way or both ways to make partitions; a message is checked against the links
// when it arrives, so cutting a link also loses what was in flight on it. Nothing here reads
// a clock or a global random source: the scheduler advances `now` and the run's one seeded
// generator decides every fault, so a seed replays exactly.

import type { Message } from '../../consensus/types.ts';
import type { SeededRandom } from '../../consensus/random.ts';

/** Node ids are 1..NODE_ID_MAX; the link matrix is sized for them. */
export const NODE_ID_MAX = 32;

export interface NetworkFaults {
  /** Each message waits 0..delayTicksMax ticks, uniformly. */
  delayTicksMax: number;
  dropProbability: number;
  duplicateProbability: number;
  /** A message ignores its link's FIFO order (and may overtake earlier ones) with this probability. */
  reorderProbability: number;
  /** Messages in flight at once; past it a send is dropped, as by a full socket buffer. */
  inFlightMessagesMax: number;
}

export const calmFaults: Readonly<NetworkFaults> = Object.freeze({
  delayTicksMax: 0,
  dropProbability: 0,
  duplicateProbability: 0,
  reorderProbability: 0,
  inFlightMessagesMax: 4096,
});

export interface Parcel {
  /** The tick at which the message arrives. */
  deliverAt: number;
  /** A random key that orders arrivals within one tick. */
  order: number;
  /** Send order, a tie-breaker that keeps the heap's order total. */
  sequence: number;
  message: Message;
}

export type SendFate = 'queued' | 'duplicated' | 'dropped' | 'blocked' | 'full';

function before(a: Parcel, b: Parcel): boolean {
  if (a.deliverAt !== b.deliverAt) return a.deliverAt < b.deliverAt;
  if (a.order !== b.order) return a.order < b.order;
  return a.sequence < b.sequence;
}

export class SimNetwork {
  /** The virtual clock, in ticks. */
  now = 0;
  faults: NetworkFaults;
  private readonly random: SeededRandom;
  private readonly heap: Parcel[] = [];
  private sequence = 0;
  /** blocked[from * (NODE_ID_MAX + 1) + to] is 1 when messages from → to are lost. */
  private readonly blocked = new Uint8Array((NODE_ID_MAX + 1) * (NODE_ID_MAX + 1));
  private blockedCount = 0;
  /** Per link, the (deliverAt, order) of the last message queued in FIFO order. */
  private readonly lastDeliverAt = new Float64Array((NODE_ID_MAX + 1) * (NODE_ID_MAX + 1));
  private readonly lastOrder = new Float64Array((NODE_ID_MAX + 1) * (NODE_ID_MAX + 1));

  constructor(random: SeededRandom, faults: NetworkFaults) {
    this.random = random;
    this.faults = { ...faults };
  }

  get inFlight(): number {
    return this.heap.length;
  }

  /** Whether a message from → to would currently arrive (ignoring random drops). */
  isLinkUp(from: number, to: number): boolean {
    return this.blocked[from * (NODE_ID_MAX + 1) + to] === 0;
  }

  get isPartitioned(): boolean {
    return this.blockedCount > 0;
  }

  send(message: Message): SendFate {
    if (!this.isLinkUp(message.from, message.to)) return 'blocked';
    const faults = this.faults;
    if (faults.dropProbability > 0 && this.random.chance(faults.dropProbability)) return 'dropped';
    if (this.heap.length >= faults.inFlightMessagesMax) return 'full';
    this.enqueue(message);
    if (faults.duplicateProbability > 0 && this.random.chance(faults.duplicateProbability)
      && this.heap.length < faults.inFlightMessagesMax) {
      this.enqueue(message);
      return 'duplicated';
    }
    return 'queued';
  }

  /** Whether a message is due at the current tick. */
  hasDue(): boolean {
    return this.heap.length > 0 && this.heap[0]!.deliverAt <= this.now;
  }

  /**
   * Takes the next due message off the wire, or undefined. The caller checks isLinkUp():
   * a link cut while the message was in flight loses it.
   */
  popDue(): Parcel | undefined {
    if (!this.hasDue()) return undefined;
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  /** Cuts every link between the two groups, both ways. */
  split(groupA: readonly number[], groupB: readonly number[]): void {
    for (const a of groupA) {
      for (const b of groupB) {
        this.setBlocked(a, b, true);
        this.setBlocked(b, a, true);
      }
    }
  }

  /** Cuts the node off from every other node id. */
  isolate(id: number): void {
    for (let other = 1; other <= NODE_ID_MAX; other++) {
      if (other === id) continue;
      this.setBlocked(id, other, true);
      this.setBlocked(other, id, true);
    }
  }

  /** Cuts the link from → to only: `to` stops hearing `from`, `from` still hears `to`. */
  cutOneWay(from: number, to: number): void {
    this.setBlocked(from, to, true);
  }

  heal(): void {
    this.blocked.fill(0);
    this.blockedCount = 0;
  }

  private setBlocked(from: number, to: number, value: boolean): void {
    const at = from * (NODE_ID_MAX + 1) + to;
    const was = this.blocked[at] === 1;
    if (was === value) return;
    this.blocked[at] = value ? 1 : 0;
    this.blockedCount += value ? 1 : -1;
  }

  private enqueue(message: Message): void {
    const faults = this.faults;
    const random = this.random;
    let deliverAt = this.now + (faults.delayTicksMax > 0 ? random.nextInt(faults.delayTicksMax + 1) : 0);
    let order = random.nextUint32();
    const link = message.from * (NODE_ID_MAX + 1) + message.to;
    const reordered = faults.reorderProbability > 0 && random.chance(faults.reorderProbability);
    if (!reordered) {
      // Not before the link's last message: wait for it, and leave after it within a tick.
      const lastAt = this.lastDeliverAt[link]!;
      if (deliverAt <= lastAt) {
        deliverAt = lastAt;
        if (order <= this.lastOrder[link]!) order = this.lastOrder[link]! + 1 + random.nextInt(1 << 16);
      }
      this.lastDeliverAt[link] = deliverAt;
      this.lastOrder[link] = order;
    }
    const parcel: Parcel = { deliverAt, order, sequence: this.sequence++, message };
    const heap = this.heap;
    heap.push(parcel);
    let at = heap.length - 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!before(parcel, heap[parent]!)) break;
      heap[at] = heap[parent]!;
      at = parent;
    }
    heap[at] = parcel;
  }

  private siftDown(at: number): void {
    const heap = this.heap;
    const parcel = heap[at]!;
    const length = heap.length;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= length) break;
      if (child + 1 < length && before(heap[child + 1]!, heap[child]!)) child++;
      if (!before(heap[child]!, parcel)) break;
      heap[at] = heap[child]!;
      at = child;
    }
    heap[at] = parcel;
  }
}
