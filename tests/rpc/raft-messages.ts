// Random Raft messages for codec and transport tests, drawn from a seeded generator so a
// failure replays from its seed. Every field of consensus/types.ts gets exercised,
// including the edges of the number range (0 and 2^53 - 1) and byte views that do not
// start at offset 0 of their buffer.
import type { ExecutionContext } from 'ava';
import type { ConfState, Entry, Message, MessageType, RaftSnapshot } from '../../consensus/index.ts';
import { EntryType, isLocalMessage, message, MessageType as MessageTypes, SeededRandom } from '../../consensus/index.ts';

export const wireMessageTypes: MessageType[] = Object.values(MessageTypes).filter((type) => !isLocalMessage(type));

/**
 * 100 seeds × 20 random messages through `roundTrip` (a codec's encode and decode): each
 * comes back deep-equal, in order.
 */
export function checkSeededRoundTrips(t: ExecutionContext, roundTrip: (messages: Message[]) => Message[]): void {
  for (let seed = 1; seed <= 100; seed++) {
    const generator = new MessageGenerator(seed);
    const messages = Array.from({ length: 20 }, () => generator.message());
    const received = roundTrip(messages);
    if (received.length !== messages.length) t.fail(`seed ${seed}: lengths differ`);
    for (let i = 0; i < messages.length; i++) t.deepEqual(received[i], messages[i], `seed ${seed}, message ${i}`);
  }
}

export class MessageGenerator {
  readonly random: SeededRandom;

  constructor(readonly seed: number) {
    this.random = new SeededRandom(seed);
  }

  /** An integer in [0, 2^53), often small, sometimes at the top of the range. */
  uint64(): number {
    const r = this.random;
    if (r.chance(0.1)) return Number.MAX_SAFE_INTEGER - r.nextInt(3);
    if (r.chance(0.2)) return 0;
    if (r.chance(0.5)) return r.nextInt(1000);
    return r.nextUint32() * 0x200000 + (r.nextUint32() & 0x1fffff); // up to 2^53 - 1
  }

  nodeId(): number {
    return this.random.chance(0.9) ? 1 + this.random.nextInt(7) : Math.max(1, this.uint64());
  }

  bytes(maxLength: number): Uint8Array {
    const r = this.random;
    const length = r.nextInt(maxLength + 1);
    const offset = r.chance(0.3) ? 1 + r.nextInt(8) : 0;
    const buffer = new Uint8Array(offset + length);
    for (let i = 0; i < buffer.length; i++) buffer[i] = r.nextUint32() & 0xff;
    return offset === 0 ? buffer : buffer.subarray(offset);
  }

  nodeIds(): number[] {
    return Array.from({ length: this.random.nextInt(4) }, () => this.nodeId());
  }

  confState(): ConfState {
    return {
      voters: this.nodeIds(),
      learners: this.nodeIds(),
      votersOutgoing: this.nodeIds(),
      learnersNext: this.nodeIds(),
      autoLeave: this.random.chance(0.5),
    };
  }

  raftSnapshot(dataBytesMax = 256): RaftSnapshot {
    return {
      metadata: { index: this.uint64(), term: this.uint64(), confState: this.confState() },
      data: this.bytes(dataBytesMax),
    };
  }

  entry(dataBytesMax = 64): Entry {
    return {
      term: this.uint64(),
      index: this.uint64(),
      type: this.random.chance(0.8) ? EntryType.Normal : EntryType.ConfChange,
      data: this.bytes(dataBytesMax),
    };
  }

  message(type?: MessageType): Message {
    const r = this.random;
    const messageType = type ?? wireMessageTypes[r.nextInt(wireMessageTypes.length)]!;
    const fields: Partial<Message> & Pick<Message, 'type'> = {
      type: messageType,
      to: this.nodeId(),
      from: this.nodeId(),
      term: this.uint64(),
      logTerm: this.uint64(),
      index: this.uint64(),
      entries: Array.from({ length: r.chance(0.5) ? r.nextInt(6) : 0 }, () => this.entry()),
      commit: this.uint64(),
      reject: r.chance(0.3),
      rejectHint: this.uint64(),
    };
    if (r.chance(0.4)) fields.context = this.bytes(16);
    if (messageType === MessageTypes.Snap) fields.snapshot = this.raftSnapshot();
    return message(fields);
  }

  /** Messages from one sender to one receiver, as a Ready hands them to the transport. */
  batch(length: number, from = 1, to = 2): Message[] {
    return Array.from({ length }, () => ({ ...this.message(), from, to }));
  }
}
