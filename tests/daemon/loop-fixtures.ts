// In-process stand-ins for the Raft loop's collaborators: an async log over MemoryStorage
// that counts its writes, a tiny key-value state machine, and a transport that delivers
// between loops on the next turn of the event loop (with optional partitions).

import type { ConfState, Entry, HardState, Message, RaftSnapshot } from '../../consensus/index.ts';
import { MemoryStorage } from '../../consensus/index.ts';
import type { AppliedEntry, DurableLogStorage, PeerTransport, ReplicatedStateMachine, SnapshotImage } from '../../daemon/raft-loop.ts';
import type { RaftLoop } from '../../daemon/raft-loop.ts';

export class AsyncMemoryLog implements DurableLogStorage {
  readonly memory = new MemoryStorage();
  saves = 0;
  syncedSaves = 0;
  entriesSaved = 0;
  /** When set, a save that writes only a hard state, unsynced (a commit index), waits for it. */
  commitOnlyGate: Promise<void> | undefined;
  /** Every snapshot stored, in order, with the data it was stored with. */
  readonly snapshotsCreated: { index: number; data: Uint8Array }[] = [];

  initialState() { return this.memory.initialState(); }
  entries(lo: number, hi: number, bytesMax: number) { return this.memory.entries(lo, hi, bytesMax); }
  term(index: number) { return this.memory.term(index); }
  lastIndex() { return this.memory.lastIndex(); }
  firstIndex() { return this.memory.firstIndex(); }
  snapshot() { return this.memory.snapshot(); }

  async save(update: { hardState?: HardState; entries: Entry[]; snapshot?: RaftSnapshot }, options: { sync: boolean }): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve)); // a write takes a turn of the event loop
    if (!options.sync && update.entries.length === 0 && update.snapshot === undefined) await this.commitOnlyGate;
    if (update.snapshot !== undefined) this.memory.applySnapshot(update.snapshot);
    this.memory.append(update.entries);
    if (update.hardState !== undefined) this.memory.setHardState(update.hardState);
    this.saves++;
    this.entriesSaved += update.entries.length;
    if (options.sync) this.syncedSaves++;
  }

  async createSnapshot(index: number, confState: ConfState, data: Uint8Array): Promise<RaftSnapshot> {
    const created = this.memory.createSnapshot(index, confState, data);
    this.snapshotsCreated.push({ index, data });
    return created;
  }

  async compact(index: number): Promise<void> {
    this.memory.compact(index);
  }
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Commands are "key=value"; the result of applying one is the previous value. */
export class MapStateMachine implements ReplicatedStateMachine {
  readonly data = new Map<string, string>();
  private applied = 0;
  /** When set, a pinned image's read() waits for it (a slow image). */
  imageReadGate: Promise<void> | undefined;
  /** The applied index of each image pinned, in order. */
  readonly pinnedAt: number[] = [];

  appliedIndex(): number { return this.applied; }

  async apply(entries: AppliedEntry[]): Promise<unknown[]> {
    return entries.map((entry) => {
      this.applied = entry.index;
      if (entry.command === undefined) return undefined;
      const [key, value] = decoder.decode(entry.command).split('=') as [string, string];
      const previous = this.data.get(key);
      this.data.set(key, value);
      return previous ?? null;
    });
  }

  async restore(snapshot: RaftSnapshot): Promise<void> {
    this.data.clear();
    for (const [k, v] of JSON.parse(decoder.decode(snapshot.data)) as [string, string][]) this.data.set(k, v);
    this.applied = snapshot.metadata.index;
  }

  async snapshot(): Promise<SnapshotImage> {
    // Pinned now: later applies do not change what read() returns.
    const image = encoder.encode(JSON.stringify([...this.data]));
    this.pinnedAt.push(this.applied);
    const gate = this.imageReadGate;
    return {
      read: async () => {
        await gate;
        return image;
      },
    };
  }
}

export class LoopbackTransport implements PeerTransport {
  readonly loops = new Map<number, RaftLoop>();
  /** Pairs "from→to" that do not get through. */
  readonly blocked = new Set<string>();

  constructor(private readonly from: number, private readonly network: Map<number, LoopbackTransport>) {
    network.set(from, this);
  }

  send(messages: Message[]): void {
    setImmediate(() => {
      for (const m of messages) {
        const target = this.network.get(m.to);
        if (target === undefined || this.blocked.has(`${m.from}→${m.to}`) || target.blocked.has(`${m.from}→${m.to}`)) continue;
        target.loops.get(m.to)?.step(m);
        if (m.type === 7 /* Snap */) this.loops.get(this.from)?.reportSnapshot(m.to, 'finish');
      }
    });
  }
}

/** Polls `probe` until it returns a value, failing after `timeoutMs` with `what` named. */
export async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
