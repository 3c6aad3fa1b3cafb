// The one loop that drives a Raft group (DESIGN.md "The Raft loop"): take a Ready; persist
// hard state, entries and snapshot (fsync'd when mustSync); send messages; apply committed
// entries; advance(). Proposals and reads that arrive while a Ready is being persisted wait
// in a queue and go into the next Ready together: one fsync and one append message per
// follower for all of them (group commit). Concurrent linearizable reads likewise share one
// ReadIndex round.
//
// Applying overlaps persisting (as etcd's server does): a Ready's committed entries are
// handed to the state machine in order, on a queue of their own, and the loop goes on to
// advance() and the next Ready while they are applied, so that a follower's fsync and
// acknowledgement of new entries do not wait for the entries before them to be applied.
// A Ready that only moves the commit index is applied before that index is written (the
// entries are durable already; the commit index needs no fsync, and the core moves it up to
// the applied index after a restart), so the proposer's answer does not wait for the write.
// The loop waits for the queue when order demands it: before a Raft snapshot replaces the
// state, when a Ready commits a configuration change (the core must have it in force before
// it makes the next Ready), before taking a snapshot of the state, and when
// APPLYING_READYS_MAX Readys are queued. A proposal is answered, and a read released, only
// once the state machine has applied the entry.
//
// A proposal is wrapped in an envelope naming this process (node id and a random epoch) and
// a sequence number, so that when its entry is applied — on whichever node proposed it — the
// waiting caller gets the state machine's answer. Entries proposed by a previous run of the
// process carry another epoch and wake nobody.

import type { ConfChange, ConfState, Entry, HardState, LogStorage, Message, RaftConfig, RaftSnapshot, RaftStatus, Ready, SoftState } from '../consensus/index.ts';
import { assert, decodeConfChange, EntryType, isRaftError, MessageType, RawNode } from '../consensus/index.ts';
import { VstorError } from '../storage-engine/errors.ts';
import { CommitNotices } from './commit-notices.ts';

/** The durable log as the loop writes it; reads are LogStorage's. */
export interface DurableLogStorage extends LogStorage {
  save(update: { hardState?: HardState; entries: Entry[]; snapshot?: RaftSnapshot }, options: { sync: boolean }): Promise<void>;
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): Promise<RaftSnapshot>;
  compact(index: number): Promise<void>;
}

export interface AppliedEntry {
  index: number;
  /** The command of a normal entry; undefined for empty and configuration entries, which
   * only advance the applied index. */
  command: Uint8Array | undefined;
}

export interface ReplicatedStateMachine {
  /** The last applied index, durable together with the state it describes. */
  appliedIndex(): number;
  /** Applies entries in order, durably with the applied index; a result for each. It may
   * hand results to `decided` earlier, once they are final but before they are durable
   * (entries from `first` on), so that proposers are answered sooner; reads must then
   * still see those entries applied, and appliedIndex() must not pass them until durable. */
  apply(entries: AppliedEntry[], decided?: (first: number, results: unknown[]) => void): Promise<unknown[]>;
  /** Replaces the whole state with the image carried by a Raft snapshot. */
  restore(snapshot: RaftSnapshot): Promise<void>;
  /**
   * Pins an image of the state at appliedIndex(), for a Raft snapshot, and resolves once it
   * is pinned; its bytes come from read(), which may take long and may run while later
   * entries are applied (the image does not change).
   */
  snapshot(): Promise<SnapshotImage>;
}

/** A state machine's image pinned at one applied index. */
export interface SnapshotImage {
  read(): Promise<Uint8Array>;
}

/** A snapshot whose image is being read off the loop, and what to store once it is. */
interface SnapshotInProgress {
  index: number;
  /** The index of the snapshot before it: the log is never kept further back than that. */
  previousIndex: number;
  confState: ConfState;
  /** Set once read() resolved; the loop stores it at its next run. */
  data?: Uint8Array;
  failure?: { error: unknown };
}

export interface PeerTransport {
  /** Queues messages for their peers; never blocks. Failures come back through
   * RaftLoop.reportUnreachable and reportSnapshot. */
  send(messages: Message[]): void;
}

export interface RaftLoopObserver {
  persisted?(durationMs: number, entries: number, synced: boolean): void;
  applied?(entries: number, appliedIndex: number): void;
  softStateChanged?(softState: SoftState, term: number): void;
  confChanged?(cc: ConfChange, confState: ConfState): void;
  proposalFailed?(reason: string): void;
  raftSnapshotTaken?(index: number): void;
}

export interface RaftLoopOptions {
  raft: Omit<RaftConfig, 'storage' | 'applied'>;
  storage: DurableLogStorage;
  stateMachine: ReplicatedStateMachine;
  transport: PeerTransport;
  tickIntervalMs: number;
  /** Take a Raft snapshot once this many entries were applied since the last one... */
  snapshotEntries: number;
  /** ... or once their data adds up to this many bytes (default: no such bound). */
  snapshotLogBytes?: number;
  /** Entries kept in the log behind a snapshot, so that a briefly lagging follower catches
   * up from the log rather than from a whole snapshot; never more than were applied since
   * the snapshot before it. */
  compactRetainEntries: number;
  /** Proposals and reads waiting for an answer before new ones are refused. */
  requestsPendingMax: number;
  requestTimeoutMs: number;
  /** How long a leader may hold a commit-only append (daemon/commit-notices.ts); 0: never. */
  commitNoticeDelayMs: number;
  observer?: RaftLoopObserver;
}

interface Waiter {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
  /** Answered or timed out; a done waiter is only pruned from the queues. */
  done: boolean;
}

/** What a follower forwards to the leader: it may leave before the Ready is durable. */
const FORWARDED_TYPES: ReadonlySet<MessageType> = new Set<MessageType>([MessageType.Prop, MessageType.ReadIndex]);

/** What a leader may send before its own Ready is durable. */
const LEADER_EARLY_TYPES: ReadonlySet<MessageType> = new Set<MessageType>([
  MessageType.App, MessageType.Heartbeat, MessageType.Snap, MessageType.TimeoutNow,
]);

/** Readys whose committed entries may wait to be applied while the loop goes on. */
const APPLYING_READYS_MAX = 4;

const ENVELOPE_VERSION = 1;
const ENVELOPE_BYTES = 1 + 8 + 4 + 8;

export type LoopState = 'new' | 'running' | 'stopping' | 'stopped';

/** The node that proposed a normal entry, from its envelope; undefined for anything else. */
function envelopeProposer(entry: Entry): number | undefined {
  const { data } = entry;
  if (entry.type !== EntryType.Normal || data.length < ENVELOPE_BYTES || data[0] !== ENVELOPE_VERSION) return undefined;
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getFloat64(1);
}

export class RaftLoop {
  readonly node: RawNode;
  private readonly id: number;
  private readonly epoch: number;
  private sequence = 0;
  private state: LoopState = 'new';
  private ticker: NodeJS.Timeout | undefined;
  private scheduled = false;
  private rerun = false;
  private running: Promise<void> | undefined;

  private proposalQueue: Uint8Array[] = [];
  private readonly proposals = new Map<number, Waiter>();
  /** Reads waiting for the next ReadIndex round. */
  private readQueue: Waiter[] = [];
  /** Reads whose ReadIndex round is under way, by its context. */
  private readonly readRounds = new Map<string, Waiter[]>();
  /** Reads that have a read index and wait for the state machine to reach it. */
  private readsAwaitingApply: { index: number; waiters: Waiter[] }[] = [];
  private readRoundSequence = 0;
  /** The leader as of the last Ready that said (0: none known). */
  private knownLeader = 0;
  /** Applies queued or running, oldest first; each starts when the one before it ended. */
  private readonly applying: Promise<void>[] = [];
  /**
   * A membership change was applied since the last Raft snapshot. A new member ignores a
   * snapshot whose configuration does not include it, so the next one is taken at once.
   */
  private membershipChangedSinceSnapshot = false;
  /** Data of the entries applied since the last snapshot (taken or received), in bytes. */
  private appliedBytesSinceSnapshot = 0;
  /** A snapshot whose image is being read off the loop (see maybeSnapshot). */
  private snapshotInProgress: SnapshotInProgress | undefined;
  /** What the loop sends while it leads. */
  private readonly notices: CommitNotices;

  constructor(private readonly options: RaftLoopOptions) {
    const applied = options.stateMachine.appliedIndex();
    this.node = new RawNode({ ...options.raft, storage: options.storage, applied });
    this.id = options.raft.id;
    this.epoch = options.raft.random.nextInt(0x1_0000_0000);
    this.notices = new CommitNotices(options.commitNoticeDelayMs, options.transport);
  }

  /** Writes the initial membership of a brand-new cluster; every founding member calls it
   * with the same voters before start(). A node that joins later does not. */
  bootstrap(voters: readonly number[]): void {
    this.node.bootstrap(voters);
  }

  /** Starts ticking and processing. */
  start(): void {
    if (this.state !== 'new') return;
    this.state = 'running';
    this.ticker = setInterval(() => {
      this.node.tick();
      this.pruneTimedOutReads();
      this.schedule();
    }, this.options.tickIntervalMs);
    this.schedule();
  }

  /** Stops ticking, lets the Ready in progress finish, and fails what still waits. Safe twice. */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return this.running;
    this.state = 'stopping';
    clearInterval(this.ticker);
    await this.running;
    this.notices.reset();
    const applyFailure = await this.appliedAll().then(() => undefined, (error: unknown) => ({ error }));
    const closing = new VstorError('UNAVAILABLE', 'the node is shutting down');
    for (const waiter of this.proposals.values()) settle(waiter, closing);
    this.proposals.clear();
    for (const waiter of this.readQueue) settle(waiter, closing);
    for (const round of this.readRounds.values()) for (const waiter of round) settle(waiter, closing);
    for (const pending of this.readsAwaitingApply) for (const waiter of pending.waiters) settle(waiter, closing);
    this.readQueue = [];
    this.readRounds.clear();
    this.readsAwaitingApply = [];
    this.proposalQueue = [];
    this.state = 'stopped';
    if (applyFailure !== undefined) throw applyFailure.error;
  }

  /**
   * Proposes a command and resolves with the state machine's result for it once applied.
   * Fails with UNAVAILABLE when there is no leader, RESOURCE_EXHAUSTED when too many
   * requests wait, DEADLINE_EXCEEDED when no answer came in time (the command may still be
   * applied: callers retry with the same client id and sequence).
   */
  propose(command: Uint8Array): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const refusal = this.admit();
      if (refusal !== undefined) return reject(refusal);
      const sequence = ++this.sequence;
      const data = new Uint8Array(ENVELOPE_BYTES + command.length);
      const view = new DataView(data.buffer);
      view.setUint8(0, ENVELOPE_VERSION);
      view.setFloat64(1, this.id);
      view.setUint32(9, this.epoch);
      view.setFloat64(13, sequence);
      data.set(command, ENVELOPE_BYTES);
      this.proposals.set(sequence, this.waiter(resolve, reject, () => this.proposals.delete(sequence), 'proposal'));
      this.proposalQueue.push(data);
      this.schedule();
    });
  }

  /** Resolves once this node's state machine reflects every write committed before the call. */
  readBarrier(): Promise<void> {
    return new Promise((resolve, reject) => {
      const refusal = this.admit();
      if (refusal !== undefined) return reject(refusal);
      this.readQueue.push(this.waiter(() => resolve(), reject, () => this.pruneTimedOutReads(), 'linearizable read'));
      this.schedule();
    });
  }

  proposeConfChange(cc: ConfChange): void {
    this.wrapRaftErrors(() => this.node.proposeConfChange(cc));
    this.schedule();
  }

  transferLeadership(to: number): void {
    this.wrapRaftErrors(() => this.node.transferLeadership(to));
    this.schedule();
  }

  /** A message from a peer. */
  step(m: Message): void {
    if (this.state !== 'running') return;
    try {
      this.node.step(m);
    } catch (error) {
      // Stale responses from removed peers and proposals a leader drops are normal traffic.
      if (!isRaftError(error)) throw error;
    }
    this.schedule();
  }

  reportUnreachable(id: number): void {
    this.node.reportUnreachable(id);
    this.schedule();
  }

  reportSnapshot(id: number, status: 'finish' | 'failure'): void {
    this.node.reportSnapshot(id, status);
    this.schedule();
  }

  status(): RaftStatus {
    return this.node.status();
  }

  /** The current term, without building a status. */
  get term(): number {
    return this.node.raft.term;
  }

  pendingRequests(): number {
    let reads = this.readQueue.length;
    for (const round of this.readRounds.values()) reads += round.length;
    for (const pending of this.readsAwaitingApply) reads += pending.waiters.length;
    return this.proposals.size + reads;
  }

  /** Drops timed-out reads: a round whose answer never comes (the leader was lost) must
   * not hold its waiters, or their count, forever. */
  private pruneTimedOutReads(): void {
    const live = (waiters: Waiter[]): Waiter[] => waiters.filter((waiter) => !waiter.done);
    this.readQueue = live(this.readQueue);
    for (const [key, round] of this.readRounds) {
      const remaining = live(round);
      if (remaining.length === 0) this.readRounds.delete(key);
      else this.readRounds.set(key, remaining);
    }
    this.readsAwaitingApply = this.readsAwaitingApply
      .map((pending) => ({ index: pending.index, waiters: live(pending.waiters) }))
      .filter((pending) => pending.waiters.length > 0);
  }

  private admit(): VstorError | undefined {
    if (this.state !== 'running') return new VstorError('UNAVAILABLE', 'the node is not running');
    if (this.pendingRequests() >= this.options.requestsPendingMax) {
      return new VstorError('RESOURCE_EXHAUSTED', `${this.options.requestsPendingMax} requests are already waiting; retry later`);
    }
    return undefined;
  }

  private waiter(resolve: (value: unknown) => void, reject: (error: Error) => void, forget: () => void, what: string): Waiter {
    const waiter: Waiter = {
      resolve, reject, done: false,
      timer: setTimeout(() => {
        waiter.done = true;
        forget();
        reject(new VstorError('DEADLINE_EXCEEDED', `${what} not answered within ${this.options.requestTimeoutMs} ms; it may still take effect`));
      }, this.options.requestTimeoutMs),
    };
    return waiter;
  }

  private wrapRaftErrors(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      if (isRaftError(error, 'PROPOSAL_DROPPED')) throw new VstorError('UNAVAILABLE', error.message, { cause: error });
      if (isRaftError(error, 'INVALID_CONF_CHANGE')) throw new VstorError('FAILED_PRECONDITION', error.message, { cause: error });
      throw error;
    }
  }

  /** Runs the loop soon, once, however many events asked for it. */
  private schedule(): void {
    if (this.scheduled || this.state !== 'running') return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      // A run scheduled just before stop() must not start: storage may be closing.
      if (this.state !== 'running') return;
      if (this.running !== undefined) {
        // The run in progress may already be past its last check: run again after it.
        this.rerun = true;
        return;
      }
      this.running = this.run().finally(() => {
        this.running = undefined;
        if (this.rerun) {
          this.rerun = false;
          this.schedule();
        }
      });
    });
  }

  private async run(): Promise<void> {
    await this.storeSnapshot();
    this.flushRequests();
    // Once stopping, the Ready in hand is finished and no other is taken.
    while (this.state === 'running' && this.node.hasReady()) {
      await this.handleReady(this.node.ready());
      this.node.advance();
      // What arrived while this Ready was persisted joins the next one.
      this.flushRequests();
    }
  }

  private flushRequests(): void {
    if (this.proposalQueue.length > 0) {
      const batch = this.proposalQueue;
      this.proposalQueue = [];
      try {
        this.node.proposeMany(batch);
      } catch (error) {
        if (!isRaftError(error, 'PROPOSAL_DROPPED')) throw error;
        this.options.observer?.proposalFailed?.(error.message);
        const refusal = new VstorError('UNAVAILABLE', `proposal not accepted: ${error.message}; retry`, { cause: error });
        for (const data of batch) {
          const sequence = new DataView(data.buffer, data.byteOffset).getFloat64(13);
          const waiter = this.proposals.get(sequence);
          this.proposals.delete(sequence);
          if (waiter !== undefined) settle(waiter, refusal);
        }
      }
    }
    if (this.readQueue.length > 0) {
      const round = this.readQueue;
      this.readQueue = [];
      const context = new Uint8Array(12);
      const view = new DataView(context.buffer);
      view.setUint32(0, this.epoch);
      view.setFloat64(4, ++this.readRoundSequence);
      try {
        this.node.readIndex(context);
        this.readRounds.set(contextKey(context), round);
      } catch (error) {
        if (!isRaftError(error, 'PROPOSAL_DROPPED')) throw error;
        const refusal = new VstorError('UNAVAILABLE', `linearizable read not possible: ${error.message}; retry`, { cause: error });
        for (const waiter of round) settle(waiter, refusal);
      }
    }
  }

  private async handleReady(rd: Ready): Promise<void> {
    const { storage, stateMachine, observer } = this.options;
    const leading = this.node.raft.state === 'leader';
    // Every follower learns at once of a committed configuration change.
    const urgent = rd.committedEntries.some((entry) => entry.type === EntryType.ConfChange);
    // Only held notices need to know who forwarded what.
    if (leading && this.options.commitNoticeDelayMs > 0) this.noteForwarded(rd.entries);
    // A leader's appends and heartbeats may leave before its own write is durable, so that
    // its fsync and the followers' overlap (Raft thesis §10.2.1): the core counts the
    // leader's own copy only after advance(). A follower's forwarded proposals and reads
    // promise nothing about its disk, so they leave at once too. Everything else
    // (acknowledgements, votes) waits for the disk.
    let afterPersist = rd.messages;
    if (rd.messages.length > 0) {
      const earlyTypes = leading ? LEADER_EARLY_TYPES : FORWARDED_TYPES;
      const early: Message[] = [];
      afterPersist = [];
      for (const m of rd.messages) (earlyTypes.has(m.type) ? early : afterPersist).push(m);
      if (early.length > 0) this.send(early, urgent);
    }
    // A Ready that only moves the commit index (no entries, snapshot, term or vote) applies
    // before its hard state is written: what it applies is already durable, the commit index
    // needs no fsync (the core moves it up to the applied index on a restart), and its
    // unsynced write, where a storage makes one at once (the WAL defers it to its next
    // batch), can wait behind other processes' journal commits. Configuration changes keep
    // the usual order.
    let applied: Promise<void> | undefined;
    if (!rd.mustSync && rd.entries.length === 0 && rd.snapshot === undefined && rd.committedEntries.length > 0 && !urgent) {
      applied = this.queueApply(rd.committedEntries);
    }
    const persistStarted = performance.now();
    if (rd.hardState !== undefined || rd.entries.length > 0 || rd.snapshot !== undefined) {
      await storage.save({ hardState: rd.hardState, entries: rd.entries, snapshot: rd.snapshot }, { sync: rd.mustSync });
      observer?.persisted?.(performance.now() - persistStarted, rd.entries.length, rd.mustSync);
    }
    if (afterPersist.length > 0) this.send(afterPersist, urgent);
    if (rd.softState !== undefined) {
      observer?.softStateChanged?.(rd.softState, this.node.raft.term);
      if (rd.softState.lead !== this.knownLeader) this.leaderChanged(rd.softState.lead);
    }

    if (rd.snapshot !== undefined) {
      // The snapshot replaces everything applied before it.
      await this.appliedAll();
      await stateMachine.restore(rd.snapshot);
      this.appliedBytesSinceSnapshot = 0;
    }
    for (const readState of rd.readStates) {
      const round = this.readRounds.get(contextKey(readState.requestContext));
      if (round === undefined) continue;
      this.readRounds.delete(contextKey(readState.requestContext));
      this.readsAwaitingApply.push({ index: readState.index, waiters: round });
    }
    if (rd.committedEntries.length > 0) {
      applied ??= this.queueApply(rd.committedEntries);
      if (urgent) await applied;
      else if (this.applying.length > APPLYING_READYS_MAX) await this.applying[0];
    }
    this.releaseReads();
    await this.maybeSnapshot();
  }

  /** A leader's messages go through its commit notices; anyone else's straight out. */
  private send(messages: Message[], urgent: boolean): void {
    if (this.node.raft.state === 'leader') this.notices.send(messages, urgent);
    else this.options.transport.send(messages);
  }

  /** Tells the commit notices which of the entries the leader appended followers forwarded. */
  private noteForwarded(entries: readonly Entry[]): void {
    for (const entry of entries) {
      const proposer = envelopeProposer(entry);
      if (proposer !== undefined && proposer !== this.id) this.notices.forwarded(proposer, entry.index);
    }
  }

  /**
   * A new leader (or none) drops what the old one had not yet appended, and a ReadIndex
   * round asked of the old one is never answered: the callers would wait for
   * requestTimeoutMs. They are failed now with UNAVAILABLE, which clients retry at once; a
   * write retried with its (client id, sequence) is applied at most once even if the first
   * attempt does commit under the new leader.
   */
  private leaderChanged(leader: number): void {
    this.notices.reset();
    const hadLeader = this.knownLeader !== 0;
    this.knownLeader = leader;
    if (!hadLeader) return;
    const changed = new VstorError('UNAVAILABLE', 'the leader changed while the request was in flight; retry (a write retried with the same sequence is applied once)');
    for (const waiter of this.proposals.values()) settle(waiter, changed);
    this.proposals.clear();
    for (const round of this.readRounds.values()) for (const waiter of round) settle(waiter, changed);
    this.readRounds.clear();
  }

  /** Applies `entries` after everything queued before them; resolves once they are. */
  private queueApply(entries: Entry[]): Promise<void> {
    const previous = this.applying[this.applying.length - 1] ?? Promise.resolve();
    const applied = previous.then(() => this.apply(entries));
    this.applying.push(applied);
    // A failed apply stays unhandled here on purpose: the daemon stops on it (vstord.ts), as
    // it stopped when the loop itself failed, since the state machine no longer matches the log.
    void applied.finally(() => {
      // Applies end in the order they were queued, each after the one before it.
      const oldest = this.applying.shift();
      assert(oldest === applied, 'applies ended out of order');
      this.releaseReads();
    });
    return applied;
  }

  /** Resolves when every queued apply has ended; rejects if one failed. */
  private async appliedAll(): Promise<void> {
    while (this.applying.length > 0) await this.applying[this.applying.length - 1];
  }

  private async apply(entries: Entry[]): Promise<void> {
    const { stateMachine, observer } = this.options;
    const batch: AppliedEntry[] = [];
    const mine: (number | undefined)[] = [];
    for (const entry of entries) {
      this.appliedBytesSinceSnapshot += entry.data.length;
      if (entry.type === EntryType.ConfChange) {
        // Configuration entries are applied by the core, in order with the commands around them.
        await this.flushApply(batch, mine);
        this.applyConfChange(entry);
        batch.push({ index: entry.index, command: undefined });
        mine.push(undefined);
        continue;
      }
      const opened = this.openEnvelope(entry.data);
      batch.push({ index: entry.index, command: opened?.command });
      mine.push(opened !== undefined && opened.proposer === this.id && opened.epoch === this.epoch ? opened.sequence : undefined);
    }
    await this.flushApply(batch, mine);
    observer?.applied?.(entries.length, stateMachine.appliedIndex());
  }

  private async flushApply(batch: AppliedEntry[], mine: (number | undefined)[]): Promise<void> {
    if (batch.length === 0) return;
    // Answers the proposers of entries first.. (a waiter is answered once: the rest skip it).
    const answer = (first: number, results: unknown[]): void => {
      for (let i = 0; i < results.length; i++) {
        const sequence = mine[first + i];
        if (sequence === undefined) continue;
        const waiter = this.proposals.get(sequence);
        if (waiter === undefined) continue;
        this.proposals.delete(sequence);
        settle(waiter, undefined, results[i]);
      }
    };
    answer(0, await this.options.stateMachine.apply(batch.slice(), answer));
    batch.length = 0;
    mine.length = 0;
  }

  private applyConfChange(entry: Entry): void {
    const cc = decodeConfChange(entry.data);
    try {
      const confState = this.node.applyConfChange(cc);
      this.membershipChangedSinceSnapshot = true;
      this.options.observer?.confChanged?.(cc, confState);
    } catch (error) {
      // Every replica refuses the same change the same way: skipping it keeps them equal.
      if (!isRaftError(error, 'INVALID_CONF_CHANGE')) throw error;
      this.options.observer?.proposalFailed?.(`configuration change at ${entry.index} skipped: ${error.message}`);
    }
  }

  private openEnvelope(data: Uint8Array): { proposer: number; epoch: number; sequence: number; command: Uint8Array } | undefined {
    // The empty entry of a new leader carries no command.
    if (data.length === 0) return undefined;
    if (data.length < ENVELOPE_BYTES || data[0] !== ENVELOPE_VERSION) {
      throw new VstorError('CORRUPTION', `committed entry has no valid proposal envelope (${data.length} bytes)`);
    }
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    return {
      proposer: view.getFloat64(1),
      epoch: view.getUint32(9),
      sequence: view.getFloat64(13),
      command: data.subarray(ENVELOPE_BYTES),
    };
  }

  private releaseReads(): void {
    if (this.readsAwaitingApply.length === 0) return;
    const applied = this.options.stateMachine.appliedIndex();
    const stillWaiting: typeof this.readsAwaitingApply = [];
    for (const pending of this.readsAwaitingApply) {
      if (pending.index <= applied) for (const waiter of pending.waiters) settle(waiter, undefined, undefined);
      else stillWaiting.push(pending);
    }
    this.readsAwaitingApply = stillWaiting;
  }

  /**
   * Takes a Raft snapshot when snapshotEntries entries, or snapshotLogBytes of entry data,
   * were applied since the last one.
   * Only the pinning of the image holds the loop (it waits for the applies in flight); the
   * image is read off the loop, while Readys go on being persisted, sent and applied, and
   * stored by the loop's next run after it is read (storeSnapshot). Reading a large model
   * inside the loop held heartbeats back for as long, long enough under load for the
   * followers to start an election.
   */
  private async maybeSnapshot(): Promise<void> {
    if (this.snapshotInProgress !== undefined) return;
    const { stateMachine, storage, snapshotEntries } = this.options;
    const applied = stateMachine.appliedIndex();
    // The stored snapshot is the last one, taken here or received from the leader.
    const lastSnapshotIndex = storage.snapshot().metadata.index;
    if (applied <= lastSnapshotIndex) return;
    const bytesDue = this.appliedBytesSinceSnapshot >= (this.options.snapshotLogBytes ?? Number.POSITIVE_INFINITY);
    if (applied - lastSnapshotIndex < snapshotEntries && !bytesDue && !this.membershipChangedSinceSnapshot) return;
    this.membershipChangedSinceSnapshot = false;
    this.appliedBytesSinceSnapshot = 0;
    // The image is of everything handed out so far, and no apply may run while it is pinned.
    await this.appliedAll();
    const progress: SnapshotInProgress = { index: stateMachine.appliedIndex(), previousIndex: lastSnapshotIndex, confState: this.node.status().confState };
    const image = await stateMachine.snapshot();
    this.snapshotInProgress = progress;
    image.read().then(
      (data) => {
        progress.data = data;
        this.schedule();
      },
      (error: unknown) => {
        progress.failure = { error };
        this.schedule();
      },
    );
  }

  /** Stores the snapshot whose image has been read, and compacts the log behind it. */
  private async storeSnapshot(): Promise<void> {
    const progress = this.snapshotInProgress;
    if (progress === undefined || (progress.data === undefined && progress.failure === undefined)) return;
    this.snapshotInProgress = undefined;
    // The loop fails on it, as it did when the image was read inside it.
    if (progress.failure !== undefined) throw progress.failure.error;
    const { storage, compactRetainEntries, observer } = this.options;
    // A snapshot received from the leader meanwhile may have passed this one.
    if (progress.index <= storage.snapshot().metadata.index) return;
    await storage.createSnapshot(progress.index, progress.confState, progress.data!);
    // At most one snapshot interval stays behind it: when snapshotLogBytes took the snapshot,
    // compactRetainEntries large entries could hold far more memory than the bound allows.
    const compactTo = Math.max(progress.index - compactRetainEntries, progress.previousIndex);
    if (compactTo >= storage.firstIndex()) await storage.compact(compactTo);
    observer?.raftSnapshotTaken?.(progress.index);
  }
}

function settle(waiter: Waiter, error: Error | undefined, value?: unknown): void {
  if (waiter.done) return;
  waiter.done = true;
  clearTimeout(waiter.timer);
  if (error !== undefined) waiter.reject(error);
  else waiter.resolve(value);
}

function contextKey(context: Uint8Array): string {
  return Buffer.from(context.buffer, context.byteOffset, context.byteLength).toString('hex');
}
