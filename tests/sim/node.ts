// One simulated node: a RawNode, a SimDisk and a hash-chain state machine, run by the Raft
// loop that DESIGN.md prescribes (take a Ready; persist, synced when mustSync; send; apply
// the snapshot and the committed entries; advance). The loop is cut into phases so that the
// simulator can crash the node between any two of them, and persisting may take a few ticks
// (disk latency) during which the node goes on stepping messages, as a real daemon does
// while its fsync is in flight.
//
// A crash drops everything volatile: the RawNode, the state machine and the unsynced tail
// of the disk. A restart builds a new RawNode on what the disk kept and restores the state
// machine from the Raft snapshot, passing its index as `applied`. By default the state
// machine image is only persisted as a Raft snapshot (with its ConfState). Two other modes
// keep the state machine durable with its applied index after every apply, as
// daemon/raft-loop.ts does: 'durable-applied' restarts with `applied` at that index, as the
// daemon does, and relies on the core re-applying the membership changes between the
// snapshot and `applied` (it does since d5e30ee; before, such a node restarted with a stale
// or empty membership and two leaders could win one term); 'durable-replay' restarts with
// `applied` at the Raft snapshot and, for entries the state machine already holds, applies
// only the membership changes (etcd's way).

import { decodeConfChange, isRaftError, RawNode } from '../../consensus/index.ts';
import type { ConfChange, RaftConfig } from '../../consensus/index.ts';
import type { SeededRandom } from '../../consensus/random.ts';
import type { ConfState, Entry, Message, Ready } from '../../consensus/types.ts';
import { EntryType, MessageType, StateType } from '../../consensus/types.ts';
import type { SafetyChecker } from './checkers.ts';
import { SimDisk } from './disk.ts';
import { HashChainStateMachine } from './state-machine.ts';
import type { Trace } from './trace.ts';
import { CrashPoint, TraceKind } from './trace.ts';

export type CrashPointValue = (typeof CrashPoint)[keyof typeof CrashPoint];

/** The RaftConfig fields a run chooses once for all its nodes. */
export type SimRaftOptions = Omit<RaftConfig, 'id' | 'storage' | 'random' | 'applied' | 'logger'>;

/** What a node needs from the cluster around it. */
export interface NodeEnvironment {
  readonly random: SeededRandom;
  readonly trace: Trace;
  readonly checker: SafetyChecker;
  readonly raftOptions: SimRaftOptions;
  /** Deliver the sender's (frozen) message object itself instead of a copy. */
  readonly freezeDeliveredMessages: boolean;
  /** Give every node a disk whose fsync does nothing (to prove the checkers catch it). */
  readonly fsyncLies: boolean;
  readonly stateMachineMode: StateMachineMode;
  /** Drop a forwarded request that the core refuses because it came back to its origin. */
  readonly dropForwardedToOrigin: boolean;
  /** Take a Raft snapshot (no compaction) after applying each membership change. */
  readonly snapshotAfterConfChange: boolean;
  now(): number;
  send(from: SimNode, message: Message): void;
  /** Whether to crash at this point of the Raft loop (the cluster applies its guards). */
  crashAt(node: SimNode, point: CrashPointValue): boolean;
  /** Ticks the disk takes to persist the next Ready; 0 persists at once. */
  diskLatencyTicks(): number;
  confChangeApplied(node: SimNode, index: number, confState: ConfState): void;
}

export type NodeState = 'up' | 'down' | 'decommissioned';

/** Where the state machine is durable and what a restart passes as `applied` (see above). */
export type StateMachineMode = 'in-snapshot' | 'durable-applied' | 'durable-replay';
export const stateMachineModes: readonly StateMachineMode[] = ['in-snapshot', 'durable-applied', 'durable-replay'];

/** Request ids travel as the 4-byte ReadIndex context. */
export function readContext(requestId: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, requestId);
  return bytes;
}

function readRequestId(context: Uint8Array): number {
  return context.length === 4 ? new DataView(context.buffer, context.byteOffset, 4).getUint32(0) : -1;
}

/** Requests a follower passes on to its leader unchanged, sender included. */
function isForwarded(m: Message): boolean {
  return m.type === MessageType.Prop || m.type === MessageType.ReadIndex || m.type === MessageType.TransferLeader;
}

function freezeMessage(m: Message): void {
  // Another node receives this very object: freezing it turns any mutation of a message or
  // of the log entries it shares with the sender into an exception instead of silent
  // corruption of a peer's log.
  for (const entry of m.entries) Object.freeze(entry);
  Object.freeze(m.entries);
  Object.freeze(m);
}

export class SimNode {
  readonly id: number;
  readonly disk = new SimDisk();
  readonly machine = new HashChainStateMachine();
  raw: RawNode | undefined;
  state: NodeState = 'down';
  incarnation = 0;
  /** From the Ready stream: the node's current term, commit index, leader and role. */
  term = 0;
  commit = 0;
  lead = 0;
  isLeader = false;
  /**
   * The last index the core handed out for applying. It trails the state machine's applied
   * index while a 'durable-replay' restart replays entries for their membership changes;
   * until it catches up, `confState` is older than the state machine.
   */
  private raftAppliedIndex = 0;
  /** The membership as of raftAppliedIndex. */
  confState: ConfState = { voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
  private pendingReady: Ready | undefined;
  private pendingReadyDueAt = 0;
  private readonly env: NodeEnvironment;

  constructor(id: number, env: NodeEnvironment) {
    this.id = id;
    this.env = env;
    this.disk.fsyncLies = env.fsyncLies;
  }

  get isUp(): boolean {
    return this.state === 'up';
  }

  /** Whether a Ready is waiting for the disk and its write is due. */
  get isPersistDue(): boolean {
    return this.pendingReady !== undefined && this.pendingReadyDueAt <= this.env.now();
  }

  /** Starts a fresh node; with `voters`, as a founding member of a new cluster. */
  start(voters?: readonly number[]): void {
    this.raw = this.newRawNode(0);
    this.state = 'up';
    this.incarnation++;
    if (voters !== undefined) {
      this.raw.bootstrap(voters);
      // Installation is not a step the simulator crashes in: the bootstrap entries are
      // written and synced before the node serves.
      const ready = this.raw.ready();
      this.observeReady(ready);
      this.finishReady(ready, false);
    }
    this.pump();
  }

  restart(): void {
    const storage = this.disk.storage;
    const image = this.disk.stateMachineImage();
    this.machine.restore(image.data);
    if (image.index > 0) this.env.checker.restored(this.id, this.machine.appliedIndex, this.machine.hash, image.index);
    const initial = storage.initialState();
    this.confState = initial.confState;
    this.term = initial.hardState.term;
    this.commit = initial.hardState.commit;
    this.lead = 0;
    this.isLeader = false;
    this.raftAppliedIndex = this.env.stateMachineMode === 'durable-applied' ? image.index : storage.snapshot().metadata.index;
    this.raw = this.newRawNode(this.raftAppliedIndex);
    // With `applied` past the snapshot the core re-applies the membership changes in between
    // itself; its configuration, not the snapshot's, is the one as of `applied`.
    this.confState = this.raw.status().confState;
    this.state = 'up';
    this.incarnation++;
    this.env.trace.record(TraceKind.Restart, this.id, this.term, this.commit, this.machine.appliedIndex, storage.lastIndex());
    this.pump();
  }

  crash(point: CrashPointValue): void {
    const outcome = this.disk.crash(this.env.random, false);
    this.env.trace.record(TraceKind.Crash, this.id, point, outcome.unsyncedWrites, outcome.keptWrites);
    this.raw = undefined;
    this.pendingReady = undefined;
    this.state = 'down';
    this.isLeader = false;
    this.lead = 0;
  }

  /** Stops the node for good: it was removed from the cluster. */
  decommission(): void {
    this.raw = undefined;
    this.pendingReady = undefined;
    this.state = 'decommissioned';
    this.isLeader = false;
    this.env.trace.record(TraceKind.Decommission, this.id);
  }

  tick(): void {
    this.raw!.tick();
    this.pump();
  }

  /**
   * Steps a message from the network; errors a real transport would ignore are ignored: a
   * response from a non-member, and a forwarded proposal, read or membership change that
   * this node refuses (no leader here, or a change the configuration cannot take).
   * A real transport hands each receiver its own decoded copy; so does this one, unless the
   * run freezes messages to catch a core that writes to what it was given.
   */
  step(m: Message): void {
    try {
      this.raw!.step(this.env.freezeDeliveredMessages ? m : { ...m });
    } catch (error) {
      if (isRaftError(error, 'INVALID_MESSAGE') && m.from === this.id && this.env.dropForwardedToOrigin && isForwarded(m)) {
        // A request forwarded twice came back to the node it started on (its leader moved);
        // the core refuses a message "from itself", and the request is lost like a drop.
        return this.pump();
      }
      if (!isRaftError(error, 'STEP_PEER_NOT_FOUND') && !isRaftError(error, 'STEP_LOCAL_MESSAGE') &&
        !isRaftError(error, 'PROPOSAL_DROPPED') && !isRaftError(error, 'INVALID_CONF_CHANGE')) throw error;
    }
    this.pump();
  }

  /** Proposes a payload; false if the core dropped it (no leader, transfer, limits). */
  propose(data: Uint8Array): boolean {
    return this.tryCall(() => this.raw!.propose(data));
  }

  proposeConfChange(cc: ConfChange): boolean {
    return this.tryCall(() => this.raw!.proposeConfChange(cc), 'INVALID_CONF_CHANGE');
  }

  readIndex(requestId: number): boolean {
    return this.tryCall(() => this.raw!.readIndex(readContext(requestId)));
  }

  transferLeadership(to: number): boolean {
    return this.tryCall(() => this.raw!.transferLeadership(to));
  }

  reportSnapshot(to: number, status: 'finish' | 'failure'): void {
    this.raw!.reportSnapshot(to, status);
    this.pump();
  }

  reportUnreachable(to: number): void {
    this.raw!.reportUnreachable(to);
    this.pump();
  }

  /**
   * Takes a Raft snapshot of the state machine at its applied index and drops the log up to
   * `retainEntries` before it (retainEntries = Infinity: a checkpoint that keeps the log).
   */
  compact(retainEntries: number): boolean {
    const storage = this.disk.storage;
    const applied = this.machine.appliedIndex;
    if (applied <= storage.snapshot().metadata.index || applied > storage.lastIndex()) return false;
    // The snapshot's ConfState must be the membership at `applied`: not while a replay is
    // still re-applying the membership changes before it.
    if (this.raftAppliedIndex < applied) return false;
    const compactIndex = applied - retainEntries >= storage.firstIndex() ? applied - retainEntries : 0;
    this.disk.compact(applied, this.confState, this.machine.encode(), compactIndex);
    this.env.trace.record(TraceKind.Compact, this.id, applied, compactIndex);
    return true;
  }

  /** Finishes the Ready waiting for the disk. */
  completePersist(): void {
    const ready = this.pendingReady!;
    this.pendingReady = undefined;
    this.finishReady(ready, true);
    this.pump();
  }

  /** Drains Ready after Ready, until one waits for the disk or the node crashes. */
  pump(): void {
    for (;;) {
      const raw = this.raw;
      if (raw === undefined || this.pendingReady !== undefined || !raw.hasReady()) return;
      const ready = raw.ready();
      this.observeReady(ready);
      const latency = this.env.diskLatencyTicks();
      if (latency > 0) {
        this.pendingReady = ready;
        this.pendingReadyDueAt = this.env.now() + latency;
        return;
      }
      this.finishReady(ready, true);
    }
  }

  private tryCall(call: () => void, alsoExpected?: 'INVALID_CONF_CHANGE'): boolean {
    try {
      call();
    } catch (error) {
      if (!isRaftError(error, 'PROPOSAL_DROPPED') && !(alsoExpected !== undefined && isRaftError(error, alsoExpected))) throw error;
      return false;
    } finally {
      this.pump();
    }
    return true;
  }

  private newRawNode(applied: number): RawNode {
    return new RawNode({ ...this.env.raftOptions, id: this.id, storage: this.disk.storage, random: this.env.random, applied });
  }

  /** What a Ready says about the node, recorded when it is taken. */
  private observeReady(ready: Ready): void {
    if (ready.hardState !== undefined) {
      this.term = ready.hardState.term;
      this.commit = ready.hardState.commit;
      this.env.checker.termObserved(this.term);
    }
    if (ready.softState !== undefined) {
      this.lead = ready.softState.lead;
      this.isLeader = ready.softState.state === StateType.Leader;
      if (this.isLeader) this.env.checker.leader(this.id, this.term);
    }
  }

  /** Persist, send, apply, advance; returns false if the node crashed on the way. */
  private finishReady(ready: Ready, mayCrash: boolean): boolean {
    const env = this.env;
    if (mayCrash && env.crashAt(this, CrashPoint.BeforePersist)) return this.crashed(CrashPoint.BeforePersist);
    this.persist(ready);
    if (mayCrash && env.crashAt(this, CrashPoint.BeforeSend)) return this.crashed(CrashPoint.BeforeSend);
    for (const m of ready.messages) {
      freezeMessage(m);
      if (m.type === MessageType.VoteResp && !m.reject) env.checker.voteGranted(m.from, m.term, m.to);
      env.send(this, m);
    }
    if (mayCrash && env.crashAt(this, CrashPoint.BeforeApply)) return this.crashed(CrashPoint.BeforeApply);
    this.apply(ready);
    if (mayCrash && env.crashAt(this, CrashPoint.BeforeAdvance)) return this.crashed(CrashPoint.BeforeAdvance);
    this.raw!.advance();
    return true;
  }

  private crashed(point: CrashPointValue): false {
    this.crash(point);
    return false;
  }

  private persist(ready: Ready): void {
    const env = this.env;
    const raftSnapshot = ready.snapshot !== undefined && ready.snapshot.metadata.index > 0 ? ready.snapshot : undefined;
    this.disk.writeReady(ready.hardState, ready.entries, raftSnapshot, ready.mustSync);
    if (ready.hardState !== undefined) env.checker.commitObserved(ready.hardState.commit);
    const storage = this.disk.storage;
    const first = storage.firstIndex();
    for (const entry of ready.entries) {
      if (entry.index < first) continue;
      env.checker.persistedEntry(this.id, entry, storage.term(entry.index - 1));
    }
    if (ready.hardState !== undefined || ready.entries.length > 0 || raftSnapshot !== undefined) {
      env.trace.record(TraceKind.Persist, this.id, this.term, this.commit, ready.entries.length,
        raftSnapshot?.metadata.index ?? 0, ready.mustSync ? 1 : 0);
    }
    if (ready.softState?.state === StateType.Leader) {
      env.trace.record(TraceKind.Leader, this.id, this.term, storage.lastIndex());
      env.checker.leaderLog(this.id, this.term, storage);
    }
  }

  private apply(ready: Ready): void {
    const env = this.env;
    const raftSnapshot = ready.snapshot;
    if (raftSnapshot !== undefined && raftSnapshot.metadata.index > 0) {
      this.machine.restore(raftSnapshot.data);
      env.checker.restored(this.id, this.machine.appliedIndex, this.machine.hash, raftSnapshot.metadata.index);
      this.confState = raftSnapshot.metadata.confState;
      this.raftAppliedIndex = raftSnapshot.metadata.index;
      env.trace.record(TraceKind.Snapshot, this.id, raftSnapshot.metadata.index, raftSnapshot.metadata.term);
    }
    const entries = ready.committedEntries;
    if (entries.length > 0) {
      const from = entries[0]!.index;
      for (const entry of entries) this.applyEntry(entry);
      env.trace.record(TraceKind.Commit, this.id, from, entries[entries.length - 1]!.index);
      if (env.stateMachineMode !== 'in-snapshot') this.disk.checkpoint({ index: this.machine.appliedIndex, data: this.machine.encode() });
    }
    for (const readState of ready.readStates) {
      const requestId = readRequestId(readState.requestContext);
      env.trace.record(TraceKind.ReadState, this.id, requestId, readState.index);
      env.checker.readAnswered(this.id, requestId, readState.index);
    }
  }

  private applyEntry(entry: Entry): void {
    if (entry.index <= this.machine.appliedIndex && this.env.stateMachineMode === 'durable-replay') {
      this.env.checker.replayedEntry(this.id, entry);
    } else {
      this.env.checker.appliedEntry(this.id, this.machine.appliedIndex, entry);
      this.machine.apply(entry);
    }
    this.raftAppliedIndex = entry.index;
    if (entry.type !== EntryType.ConfChange) return;
    const cc = decodeConfChange(entry.data);
    try {
      this.confState = this.raw!.applyConfChange(cc);
    } catch (error) {
      // Every replica refuses the same committed change the same way: skip it.
      if (!isRaftError(error, 'INVALID_CONF_CHANGE')) throw error;
      return;
    }
    this.env.confChangeApplied(this, entry.index, this.confState);
    // A leader catches a new member up from its latest Raft snapshot once the entries the
    // member needs are compacted; a snapshot older than the member's addition does not list
    // it, the member refuses it, and the leader would resend it forever. Taking a snapshot
    // right after every membership change keeps the latest one's ConfState current.
    if (this.env.snapshotAfterConfChange) this.compact(Number.POSITIVE_INFINITY);
  }
}
