// The application's handle on a Raft node (etcd's RawNode): feed it ticks, messages and
// proposals; take a Ready; persist, send and apply what it holds; call advance(). One Ready
// is outstanding at a time. Proposals made while a Ready is being persisted go into the
// next one, which is how the daemon batches many writes into one fsync.

import type { RaftConfig } from './config.ts';
import type { ConfChange } from './confchange.ts';
import { encodeConfChange } from './confchange.ts';
import { assert, RaftError } from './errors.ts';
import { Raft } from './raft.ts';
import { payloadBytes } from './types.ts';
import type { ProgressState } from './progress.ts';
import type { ConfState, Entry, HardState, Message, Ready, SoftState } from './types.ts';
import { EntryType, hardStateEqual, isEmptyHardState, isLocalMessage, isResponseMessage, message, MessageType, NONE, StateType } from './types.ts';

export interface ProgressStatus {
  match: number;
  next: number;
  state: ProgressState;
  isLearner: boolean;
  recentActive: boolean;
  inflightMessages: number;
}

export interface RaftStatus {
  id: number;
  hardState: HardState;
  softState: SoftState;
  applied: number;
  leadTransferee: number;
  /** Present on the leader only. */
  progress?: Map<number, ProgressStatus>;
  confState: ConfState;
}

/** What the outstanding Ready promised, so that advance() knows what became durable. */
interface Outstanding {
  lastEntry?: { index: number; term: number };
  snapshotIndex: number;
  appliedIndex: number;
  committedPayloadBytes: number;
  /** Self-addressed messages to step once the Ready is persisted. */
  stepsOnAdvance: Message[];
}

const EMPTY = new Uint8Array(0);

export class RawNode {
  readonly raft: Raft;
  private previousSoftState: SoftState;
  private previousHardState: HardState;
  private outstanding: Outstanding | undefined;

  constructor(config: RaftConfig) {
    this.raft = new Raft(config);
    this.previousSoftState = this.raft.softState();
    this.previousHardState = this.raft.hardState();
  }

  /**
   * Starts a brand-new cluster: its first entries add the initial voters, so that the log
   * alone, replayed from index 1, rebuilds the membership (a node that joins later learns it
   * that way). Every initial member must bootstrap with the same list.
   */
  bootstrap(voters: readonly number[]): void {
    const r = this.raft;
    assert(voters.length > 0, 'bootstrap needs at least one voter');
    assert(r.log.lastIndex() === 0 && isEmptyHardState(r.hardState()), 'bootstrap needs an empty log');
    r.becomeFollower(1, NONE);
    const entries: Entry[] = voters.map((nodeId, i) => ({
      term: 1,
      index: i + 1,
      type: EntryType.ConfChange,
      data: encodeConfChange({ transition: 'auto', changes: [{ type: 'add-node', nodeId }], context: EMPTY }),
    }));
    r.log.append(entries);
    r.log.committed = entries.length;
    for (const nodeId of voters) r.applyConfChange({ transition: 'auto', changes: [{ type: 'add-node', nodeId }], context: EMPTY });
  }

  tick(): void {
    this.raft.tick();
  }

  /** Starts an election now (pre-vote first if configured). */
  campaign(): void {
    this.raft.step(message({ type: MessageType.Hup, from: this.raft.id }));
  }

  /** Proposes one entry; throws RaftError PROPOSAL_DROPPED if it cannot be appended. */
  propose(data: Uint8Array): void {
    this.proposeMany([data]);
  }

  /** Proposes entries together: one append message per follower carries them all. */
  proposeMany(datas: readonly Uint8Array[]): void {
    assert(datas.length > 0, 'proposeMany() needs at least one entry');
    const entries: Entry[] = datas.map((data) => ({ term: 0, index: 0, type: EntryType.Normal, data }));
    this.raft.step(message({ type: MessageType.Prop, from: this.raft.id, entries }));
  }

  /**
   * Proposes a membership change. Refused at once with INVALID_CONF_CHANGE when the
   * configuration cannot take it, and with PROPOSAL_DROPPED while another change is in
   * flight or no leader is known.
   */
  proposeConfChange(cc: ConfChange): void {
    const data = encodeConfChange(cc);
    this.raft.step(message({
      type: MessageType.Prop, from: this.raft.id, entries: [{ term: 0, index: 0, type: EntryType.ConfChange, data }],
    }));
  }

  /** Applies a committed configuration change; call it when applying its entry. */
  applyConfChange(cc: ConfChange): ConfState {
    return this.raft.applyConfChange(cc);
  }

  /**
   * Steps a message received from a peer. Besides STEP_LOCAL_MESSAGE, STEP_PEER_NOT_FOUND
   * and INVALID_MESSAGE, a forwarded proposal may be refused here with PROPOSAL_DROPPED or
   * INVALID_CONF_CHANGE; a transport ignores all of these (Raft tolerates lost messages).
   * The message is never modified.
   */
  step(m: Message): void {
    if (isLocalMessage(m.type)) throw new RaftError('STEP_LOCAL_MESSAGE', `${m.type} cannot come from the network`);
    const id = this.raft.id;
    // A forwarded proposal, read request or transfer request names its origin, not its
    // sender, so it may come back to the node it started on (leadership moved meanwhile).
    const carriesOrigin = m.type === MessageType.Prop || m.type === MessageType.ReadIndex || m.type === MessageType.TransferLeader;
    if (m.from === NONE || (m.from === id && !carriesOrigin) || !Number.isSafeInteger(m.from)) {
      throw new RaftError('INVALID_MESSAGE', `message ${m.type} from ${m.from} to ${m.to}: the sender must be another node`);
    }
    if (m.to !== id) throw new RaftError('INVALID_MESSAGE', `message ${m.type} for ${m.to} arrived at ${id}`);
    if (isResponseMessage(m.type) && !this.raft.tracker.progress.has(m.from)) {
      throw new RaftError('STEP_PEER_NOT_FOUND', `response from ${m.from}, which is not a member`);
    }
    this.raft.step(m);
  }

  /**
   * Asks for a linearizable read point. The answer comes as a ReadState in a later Ready
   * with the same context: reads are safe once the state machine has applied its index.
   */
  readIndex(context: Uint8Array): void {
    // The context identifies the request in heartbeat acknowledgements: it must be unique
    // and non-empty.
    assert(context.length > 0, 'readIndex() needs a non-empty request context');
    this.raft.step(message({ type: MessageType.ReadIndex, context }));
  }

  /** Asks the leader to hand leadership to `to` (forwarded if this node is not leader). */
  transferLeadership(to: number): void {
    this.raft.step(message({ type: MessageType.TransferLeader, from: to }));
  }

  reportUnreachable(id: number): void {
    this.raft.step(message({ type: MessageType.Unreachable, from: id }));
  }

  reportSnapshot(id: number, status: 'finish' | 'failure'): void {
    this.raft.step(message({ type: MessageType.SnapStatus, from: id, reject: status === 'failure' }));
  }

  hasReady(): boolean {
    if (this.outstanding !== undefined) return false;
    const r = this.raft;
    const softState = r.softState();
    if (softState.lead !== this.previousSoftState.lead || softState.state !== this.previousSoftState.state) return true;
    const hardState = r.hardState();
    if (!isEmptyHardState(hardState) && !hardStateEqual(hardState, this.previousHardState)) return true;
    if (r.log.hasPendingSnapshot()) return true;
    if (r.messages.length > 0 || r.messagesAfterAppend.length > 0) return true;
    if (r.log.unstableEntries().length > 0 || r.log.hasNextCommittedEntries()) return true;
    return r.readStates.length > 0;
  }

  /** Takes what must be persisted, sent and applied. advance() must follow before the next. */
  ready(): Ready {
    assert(this.outstanding === undefined, 'ready() called again before advance()');
    const r = this.raft;
    const entries = r.log.unstableEntries().slice();
    const snapshot = r.log.unstable.snapshot;
    const committedEntries = r.log.nextCommittedEntries();
    const messages = r.messages;
    const stepsOnAdvance: Message[] = [];
    for (const m of r.messagesAfterAppend) {
      if (m.to === r.id) stepsOnAdvance.push(m);
      else messages.push(m);
    }
    const ready: Ready = { entries, committedEntries, messages, readStates: r.readStates, mustSync: false };
    const softState = r.softState();
    if (softState.lead !== this.previousSoftState.lead || softState.state !== this.previousSoftState.state) {
      ready.softState = softState;
      this.previousSoftState = softState;
    }
    const hardState = r.hardState();
    if (!hardStateEqual(hardState, this.previousHardState)) {
      ready.hardState = hardState;
      // A changed term or vote, new entries or a snapshot must be on disk before any
      // message of this Ready is sent; a commit index alone may be lost and relearned.
      ready.mustSync = hardState.term !== this.previousHardState.term || hardState.vote !== this.previousHardState.vote;
      this.previousHardState = hardState;
    }
    if (snapshot !== undefined) ready.snapshot = snapshot;
    if (entries.length > 0 || snapshot !== undefined) ready.mustSync = true;

    const lastEntry = entries.length > 0 ? entries[entries.length - 1]! : undefined;
    const lastCommitted = committedEntries.length > 0 ? committedEntries[committedEntries.length - 1]! : undefined;
    this.outstanding = {
      lastEntry: lastEntry === undefined ? undefined : { index: lastEntry.index, term: lastEntry.term },
      snapshotIndex: snapshot?.metadata.index ?? 0,
      appliedIndex: lastCommitted?.index ?? 0,
      committedPayloadBytes: payloadBytes(committedEntries),
      stepsOnAdvance,
    };
    r.messages = [];
    r.messagesAfterAppend = [];
    r.readStates = [];
    return ready;
  }

  /** The last Ready was persisted, sent and applied. */
  advance(): void {
    const done = this.outstanding;
    assert(done !== undefined, 'advance() without an outstanding ready()');
    this.outstanding = undefined;
    const r = this.raft;
    if (done.lastEntry !== undefined) r.log.stableTo(done.lastEntry.index, done.lastEntry.term);
    if (done.snapshotIndex > 0) {
      r.log.stableSnapshotTo(done.snapshotIndex);
      r.appliedTo(done.snapshotIndex);
    }
    if (done.appliedIndex > 0) {
      r.appliedTo(done.appliedIndex);
      r.reduceUncommittedBytes(done.committedPayloadBytes);
    }
    // A stale self-acknowledgement (from a term since left) is dropped by the term rules.
    for (const m of done.stepsOnAdvance) r.step(m);
  }

  status(): RaftStatus {
    const r = this.raft;
    const status: RaftStatus = {
      id: r.id,
      hardState: r.hardState(),
      softState: r.softState(),
      applied: r.log.applied,
      leadTransferee: r.leadTransferee,
      confState: r.tracker.confState(),
    };
    if (r.state === StateType.Leader) {
      status.progress = new Map();
      for (const [id, progress] of r.tracker.progress) {
        status.progress.set(id, {
          match: progress.match, next: progress.next, state: progress.state, isLearner: progress.isLearner,
          recentActive: progress.recentActive, inflightMessages: progress.inflights.size(),
        });
      }
    }
    return status;
  }
}


