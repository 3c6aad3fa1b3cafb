// The Raft state machine of one node, after etcd-io/raft's raft.go. It never performs I/O:
// everything it wants done (messages to send, entries to persist) is queued as data that
// RawNode hands out in a Ready. Time is a tick count and randomness is injected, so a whole
// cluster runs deterministically in one process.
//
// Role behaviour is swapped in as functions (stepRole, tickRole) by becomeFollower,
// becomeCandidate, becomePreCandidate and becomeLeader; illegal transitions are assertions.

import type { RaftLogger, ValidRaftConfig } from './config.ts';
import { validateRaftConfig } from './config.ts';
import type { RaftConfig } from './config.ts';
import type { ConfChange } from './confchange.ts';
import { Changer, decodeConfChange, entersJoint, isLeaveJoint, restoreConfig } from './confchange.ts';
import { assert, RaftError } from './errors.ts';
import { Inflights } from './inflights.ts';
import { Progress } from './progress.ts';
import { RaftLog } from './raft-log.ts';
import type { RandomSource } from './random.ts';
import { ReadOnly } from './read-only.ts';
import { stepCandidate, stepFollower, stepLeader } from './roles.ts';
import type { ProgressMap, TrackerConfig } from './tracker.ts';
import { ProgressTracker } from './tracker.ts';
import type { ConfState, Entry, HardState, Message, RaftSnapshot, ReadState, SoftState } from './types.ts';
import { EntryType, isEmptyHardState, message, MessageType, NONE, payloadBytes, StateType } from './types.ts';

export type CampaignType = 'pre-election' | 'election' | 'transfer';

/** The context of Vote messages in a campaign started by leadership transfer: receivers
 * then grant the vote even inside a leader lease. */
export const CAMPAIGN_TRANSFER_CONTEXT = new TextEncoder().encode('CampaignTransfer');

function isCampaignTransfer(context: Uint8Array): boolean {
  if (context.length !== CAMPAIGN_TRANSFER_CONTEXT.length) return false;
  for (let i = 0; i < context.length; i++) if (context[i] !== CAMPAIGN_TRANSFER_CONTEXT[i]) return false;
  return true;
}

export function voteResponseType(type: MessageType): MessageType {
  if (type === MessageType.Vote) return MessageType.VoteResp;
  assert(type === MessageType.PreVote, () => `not a vote message: ${type}`);
  return MessageType.PreVoteResp;
}

export type StepFunction = (r: Raft, m: Message) => void;

const EMPTY = new Uint8Array(0);

export class Raft {
  readonly id: number;
  term = 0;
  vote = NONE;
  lead = NONE;
  state: StateType = StateType.Follower;
  readonly log: RaftLog;
  readonly tracker: ProgressTracker;
  /** Messages to send once the Ready holding them has been persisted. */
  messages: Message[] = [];
  /**
   * Messages that may only be acted on after this node's own log and vote are durable:
   * responses to appends and votes, and acknowledgements addressed to itself (etcd's
   * msgsAfterAppend). RawNode sends the former with the Ready and steps the latter in
   * advance().
   */
  messagesAfterAppend: Message[] = [];
  readStates: ReadState[] = [];

  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;
  leadTransferee = NONE;
  /** A leader may have only one configuration change in flight: the log index of the last. */
  pendingConfIndex = 0;
  uncommittedBytes = 0;
  readOnly: ReadOnly;
  /**
   * Set once this leader sent TimeoutNow in this term: the target may win an election at
   * any moment (it campaigns past the followers' leases), so lease-based reads are no
   * longer safe until the next term.
   */
  leaseRevoked = false;
  /** ReadIndex requests that arrived before this leader committed an entry of its term. */
  pendingReadIndexMessages: Message[] = [];

  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly checkQuorum: boolean;
  readonly preVote: boolean;
  readonly messageBytesMax: number;
  readonly uncommittedBytesMax: number;
  readonly disableProposalForwarding: boolean;
  readonly stepDownOnRemoval: boolean;
  readonly random: RandomSource;
  readonly logger: RaftLogger;

  stepRole: StepFunction = stepFollower;
  private tickRole: () => void = () => this.tickElection();

  constructor(input: RaftConfig) {
    const config: ValidRaftConfig = validateRaftConfig(input);
    this.id = config.id;
    this.electionTicks = config.electionTicks;
    this.heartbeatTicks = config.heartbeatTicks;
    this.checkQuorum = config.checkQuorum;
    this.preVote = config.preVote;
    this.messageBytesMax = config.messageBytesMax;
    this.uncommittedBytesMax = config.uncommittedBytesMax;
    this.disableProposalForwarding = config.disableProposalForwarding;
    this.stepDownOnRemoval = config.stepDownOnRemoval;
    this.random = config.random;
    this.logger = config.logger;
    this.log = new RaftLog(config.storage, config.committedBytesPerReadyMax);
    this.tracker = new ProgressTracker(config.inflightMessagesMax, config.inflightBytesMax);
    this.readOnly = new ReadOnly(config.readOnlyOption);

    const { hardState, confState } = config.storage.initialState();
    const restored = restoreConfig(confState, this.log.lastIndex(), config.inflightMessagesMax, config.inflightBytesMax);
    this.switchToConfig(restored.config, restored.progress);
    if (!isEmptyHardState(hardState)) this.loadState(hardState);
    if (config.applied > this.log.committed) {
      // The commit index is written without fsync when nothing else changed, so after a crash
      // the application may have applied (durably) past the commit index on disk. An applied
      // entry was committed, so the commit index safely moves up to it.
      assert(config.applied <= this.log.lastIndex(),
        () => `applied ${config.applied} is past the last index ${this.log.lastIndex()}: the log lost entries it had applied`);
      this.log.commitTo(config.applied);
    }
    if (config.applied > 0) this.log.appliedTo(config.applied);
    this.replayAppliedConfChanges(config.storage.snapshot().metadata.index, config.applied);
    this.becomeFollower(this.term, NONE);
    this.logger.info('raft node started', {
      id: this.id, term: this.term, commit: this.log.committed, applied: this.log.applied,
      lastIndex: this.log.lastIndex(), lastTerm: this.log.lastTerm(),
    });
  }

  /**
   * The storage's ConfState is the membership as of its snapshot. Entries after it up to
   * `applied` will not be handed out again, so the configuration changes among them (the
   * application applied them before the restart) are applied here, in order, as every
   * replica applied them.
   */
  private replayAppliedConfChanges(snapshotIndex: number, applied: number): void {
    if (applied <= snapshotIndex) return;
    const firstIndex = this.log.firstIndex();
    assert(firstIndex <= snapshotIndex + 1,
      () => `entries ${snapshotIndex + 1}..${firstIndex - 1} after the snapshot were compacted: their configuration changes are lost`);
    let index = snapshotIndex + 1;
    while (index <= applied) {
      const page = this.log.slice(index, applied + 1, 1 << 20);
      for (const entry of page) {
        if (entry.type !== EntryType.ConfChange) continue;
        try {
          this.applyConfChange(decodeConfChange(entry.data));
        } catch (error) {
          // Refused identically everywhere when it was first applied; skipped again.
          if (!(error instanceof RaftError && error.code === 'INVALID_CONF_CHANGE')) throw error;
        }
      }
      index += page.length;
    }
  }

  private loadState(hardState: HardState): void {
    assert(hardState.commit >= this.log.committed && hardState.commit <= this.log.lastIndex(),
      () => `hard state commit ${hardState.commit} is outside [${this.log.committed}, ${this.log.lastIndex()}]`);
    this.log.committed = hardState.commit;
    this.term = hardState.term;
    this.vote = hardState.vote;
  }

  softState(): SoftState {
    return { lead: this.lead, state: this.state };
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  // ---------------------------------------------------------------- sending

  /** Queues a message. Vote messages carry their own term; others get the current one,
   * except proposals and read requests, which are forwarded without a term. */
  send(m: Message): void {
    if (m.from === NONE) m.from = this.id;
    if (m.type === MessageType.Vote || m.type === MessageType.VoteResp || m.type === MessageType.PreVote || m.type === MessageType.PreVoteResp) {
      assert(m.term !== 0, () => `term must be set on ${m.type}`);
    } else {
      assert(m.term === 0, () => `term must not be set on ${m.type}, got ${m.term}`);
      if (m.type !== MessageType.Prop && m.type !== MessageType.ReadIndex) m.term = this.term;
    }
    if (m.type === MessageType.AppResp || m.type === MessageType.VoteResp || m.type === MessageType.PreVoteResp) {
      this.messagesAfterAppend.push(m);
    } else {
      assert(m.to !== this.id, () => `message ${m.type} must not be addressed to self`);
      this.messages.push(m);
    }
  }

  /** Sends an append (or a snapshot) to `to` if its progress allows. */
  sendAppend(to: number): void {
    this.maybeSendAppend(to, true);
  }

  /**
   * Sends what `to` needs next. With `sendIfEmpty` false, nothing is sent when there are no
   * new entries: the pipelining loop uses that to fill the inflight window.
   */
  maybeSendAppend(to: number, sendIfEmpty: boolean): boolean {
    const progress = this.tracker.progress.get(to);
    if (progress === undefined || progress.isPaused()) return false;
    const prevIndex = progress.next - 1;
    const prevTerm = this.log.maybeTerm(prevIndex);
    // The entries the follower needs are compacted away: only a snapshot can catch it up.
    if (prevTerm === undefined) return this.maybeSendSnapshot(to, progress);
    let entries: Entry[] = [];
    // A throttled follower in replicate gets only empty appends, so that acknowledgements or
    // rejections can free its window even if every message in it was lost.
    if (progress.state !== 'replicate' || !progress.inflights.full()) {
      try {
        entries = this.log.entriesFrom(progress.next, this.messageBytesMax);
      } catch (error) {
        if (error instanceof RaftError && error.code === 'COMPACTED') return this.maybeSendSnapshot(to, progress);
        throw error;
      }
    }
    if (entries.length === 0 && !sendIfEmpty) return false;
    this.send(message({
      type: MessageType.App, to, index: prevIndex, logTerm: prevTerm, entries, commit: this.log.committed,
    }));
    progress.sentEntries(entries.length, payloadBytes(entries));
    progress.sentCommitTo(this.log.committed);
    return true;
  }

  private maybeSendSnapshot(to: number, progress: Progress): boolean {
    if (!progress.recentActive) {
      this.logger.debug('not sending a raft snapshot to an inactive follower', { to });
      return false;
    }
    let snapshot: RaftSnapshot;
    try {
      snapshot = this.log.snapshot();
    } catch (error) {
      if (error instanceof RaftError && error.code === 'SNAPSHOT_TEMPORARILY_UNAVAILABLE') return false;
      throw error;
    }
    assert(snapshot.metadata.index > 0, 'need a non-empty raft snapshot to catch a follower up');
    progress.becomeSnapshot(snapshot.metadata.index);
    this.logger.info('sending raft snapshot', { to, index: snapshot.metadata.index, term: snapshot.metadata.term });
    this.send(message({ type: MessageType.Snap, to, snapshot }));
    return true;
  }

  sendHeartbeat(to: number, context: Uint8Array): void {
    const progress = this.tracker.progress.get(to)!;
    // A follower never learns a commit index past what it is known to have: it might not
    // have those entries yet.
    const commit = Math.min(progress.match, this.log.committed);
    this.send(message({ type: MessageType.Heartbeat, to, commit, context }));
    progress.sentCommitTo(commit);
  }

  bcastAppend(): void {
    for (const id of this.tracker.progress.keys()) if (id !== this.id) this.sendAppend(id);
  }

  bcastHeartbeat(): void {
    this.bcastHeartbeatWithContext(this.readOnly.lastPendingContext() ?? EMPTY);
  }

  bcastHeartbeatWithContext(context: Uint8Array): void {
    for (const id of this.tracker.progress.keys()) if (id !== this.id) this.sendHeartbeat(id, context);
  }

  sendTimeoutNow(to: number): void {
    this.leaseRevoked = true;
    this.send(message({ type: MessageType.TimeoutNow, to }));
  }

  // ---------------------------------------------------------------- log and commit

  /** Commits what a quorum has acknowledged, if it is of the current term. */
  maybeCommit(): boolean {
    return this.log.maybeCommit(this.tracker.committed(), this.term);
  }

  /**
   * The leader appends entries of its term. Returns false, appending nothing, when they
   * would take the uncommitted bytes over their limit.
   */
  appendEntry(entries: readonly Entry[]): boolean {
    const lastIndex = this.log.lastIndex();
    const stamped: Entry[] = new Array<Entry>(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      stamped[i] = { term: this.term, index: lastIndex + 1 + i, type: entry.type, data: entry.data };
    }
    if (!this.increaseUncommittedBytes(stamped)) {
      this.logger.warn('dropping proposal: uncommitted bytes would exceed their limit', {
        uncommittedBytes: this.uncommittedBytes, uncommittedBytesMax: this.uncommittedBytesMax,
      });
      return false;
    }
    const newLastIndex = this.log.append(stamped);
    // The leader acknowledges its own entries only once they are durable: the message is
    // stepped in RawNode.advance(), after the Ready holding them was persisted.
    this.send(message({ type: MessageType.AppResp, to: this.id, index: newLastIndex }));
    return true;
  }

  private increaseUncommittedBytes(entries: readonly Entry[]): boolean {
    const bytes = payloadBytes(entries);
    // One proposal is always admitted when nothing is uncommitted, however large, so that a
    // single entry larger than the limit cannot wedge the leader.
    if (this.uncommittedBytesMax > 0 && this.uncommittedBytes > 0 && bytes > 0 &&
      this.uncommittedBytes + bytes > this.uncommittedBytesMax) {
      return false;
    }
    this.uncommittedBytes += bytes;
    return true;
  }

  /** Called with the committed entries handed to the application. */
  reduceUncommittedBytes(bytes: number): void {
    if (this.state !== StateType.Leader) return;
    this.uncommittedBytes = Math.max(0, this.uncommittedBytes - bytes);
  }

  committedEntryInCurrentTerm(): boolean {
    return this.log.maybeTerm(this.log.committed) === this.term;
  }

  /** The application has applied up to `index`. A leader in a joint configuration that is
   * to be left automatically proposes leaving it once the change that entered it is applied. */
  appliedTo(index: number): void {
    const newApplied = Math.max(index, this.log.applied);
    this.log.appliedTo(newApplied);
    if (this.tracker.config.autoLeave && newApplied >= this.pendingConfIndex && this.state === StateType.Leader) {
      try {
        this.step(message({ type: MessageType.Prop, from: this.id, entries: [{ term: 0, index: 0, type: EntryType.ConfChange, data: EMPTY }] }));
        this.logger.info('leaving the joint configuration automatically');
      } catch (error) {
        // Refused during a leadership transfer: retried after the next applied entry.
        this.logger.debug('not leaving the joint configuration yet', { reason: String(error) });
      }
    }
  }

  // ---------------------------------------------------------------- roles

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    this.abortLeaderTransfer();
    this.tracker.resetVotes();
    const lastIndex = this.log.lastIndex();
    for (const [id, progress] of this.tracker.progress) {
      const fresh = new Progress(lastIndex + 1, new Inflights(this.tracker.inflightMessagesMax, this.tracker.inflightBytesMax), progress.isLearner);
      if (id === this.id) fresh.match = lastIndex;
      this.tracker.progress.set(id, fresh);
    }
    this.pendingConfIndex = 0;
    this.uncommittedBytes = 0;
    this.leaseRevoked = false;
    this.readOnly = new ReadOnly(this.readOnly.option);
    this.pendingReadIndexMessages = [];
  }

  private resetRandomizedElectionTimeout(): void {
    this.randomizedElectionTimeout = this.electionTicks + this.random.nextInt(this.electionTicks);
  }

  becomeFollower(term: number, lead: number): void {
    this.stepRole = stepFollower;
    this.reset(term);
    this.tickRole = () => this.tickElection();
    this.lead = lead;
    this.state = StateType.Follower;
    this.logger.info('became follower', { id: this.id, term: this.term, lead });
  }

  becomeCandidate(): void {
    assert(this.state !== StateType.Leader, 'invalid transition: leader → candidate');
    this.stepRole = stepCandidate;
    this.reset(this.term + 1);
    this.tickRole = () => this.tickElection();
    this.vote = this.id;
    this.state = StateType.Candidate;
    this.logger.info('became candidate', { id: this.id, term: this.term });
  }

  /** A pre-candidate changes neither its term nor its vote: it only asks whether it could win. */
  becomePreCandidate(): void {
    assert(this.state !== StateType.Leader, 'invalid transition: leader → pre-candidate');
    this.stepRole = stepCandidate;
    this.tracker.resetVotes();
    this.tickRole = () => this.tickElection();
    this.lead = NONE;
    this.state = StateType.PreCandidate;
    this.logger.info('became pre-candidate', { id: this.id, term: this.term });
  }

  becomeLeader(): void {
    assert(this.state !== StateType.Follower, 'invalid transition: follower → leader');
    this.stepRole = stepLeader;
    this.reset(this.term);
    this.tickRole = () => this.tickHeartbeat();
    this.lead = this.id;
    this.state = StateType.Leader;
    // The leader's own progress is always replicating; it is active by definition.
    const own = this.tracker.progress.get(this.id);
    if (own !== undefined) {
      own.becomeReplicate();
      own.recentActive = true;
    }
    // Entries of earlier terms in the log may include a configuration change not yet
    // applied; conservatively treat all of them as pending.
    this.pendingConfIndex = this.log.lastIndex();
    // An empty entry of the new term: once it commits, everything before it is committed
    // too (Raft §5.4.2), and ReadIndex may be served.
    const appended = this.appendEntry([{ term: 0, index: 0, type: EntryType.Normal, data: EMPTY }]);
    assert(appended, 'the empty entry of a new leader was refused');
    this.logger.info('became leader', { id: this.id, term: this.term });
  }

  // ---------------------------------------------------------------- ticks

  tick(): void {
    this.tickRole();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.step(message({ type: MessageType.Hup, from: this.id }));
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.electionTicks) {
      this.electionElapsed = 0;
      if (this.checkQuorum) this.step(message({ type: MessageType.CheckQuorum, from: this.id }));
      // A transfer that did not finish within an election timeout is abandoned.
      if (this.state === StateType.Leader && this.leadTransferee !== NONE) this.abortLeaderTransfer();
    }
    if (this.state !== StateType.Leader) return;
    if (this.heartbeatElapsed >= this.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.step(message({ type: MessageType.Beat, from: this.id }));
    }
  }

  // ---------------------------------------------------------------- elections

  /** Whether this node may become leader: a voter, not in the middle of taking a snapshot. */
  promotable(): boolean {
    const own = this.tracker.progress.get(this.id);
    return own !== undefined && !own.isLearner && !this.log.hasPendingSnapshot();
  }

  hup(type: CampaignType): void {
    if (this.state === StateType.Leader) return;
    if (!this.promotable()) {
      this.logger.warn('not campaigning: not promotable', { id: this.id });
      return;
    }
    // A configuration change committed but not applied may change who votes: wait for it.
    if (this.log.hasUnappliedConfChanges()) {
      this.logger.warn('not campaigning: a configuration change is not yet applied', { id: this.id, term: this.term });
      return;
    }
    this.campaign(type);
  }

  campaign(type: CampaignType): void {
    let term: number;
    let voteType: MessageType;
    if (type === 'pre-election') {
      this.becomePreCandidate();
      voteType = MessageType.PreVote;
      // A pre-vote asks for the term the real campaign would use.
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      voteType = MessageType.Vote;
      term = this.term;
    }
    const voters = [...this.tracker.voterIds()].sort((a, b) => a - b);
    const lastIndex = this.log.lastIndex();
    const lastTerm = this.log.lastTerm();
    for (const id of voters) {
      if (id === this.id) {
        // Our own vote counts once it is durable: stepped in advance().
        this.send(message({ type: voteResponseType(voteType), to: id, term }));
        continue;
      }
      this.send(message({
        type: voteType, to: id, term, index: lastIndex, logTerm: lastTerm,
        context: type === 'transfer' ? CAMPAIGN_TRANSFER_CONTEXT : EMPTY,
      }));
    }
  }

  poll(id: number, granted: boolean): ReturnType<ProgressTracker['tallyVotes']> {
    this.tracker.recordVote(id, granted);
    return this.tracker.tallyVotes();
  }

  // ---------------------------------------------------------------- stepping

  /**
   * Steps a message. Term rules common to every role are here (Raft §5.1: a higher term
   * makes any node a follower, a lower one is stale); role behaviour is in stepRole.
   */
  step(m: Message): void {
    if (m.term === 0) {
      // Local messages, forwarded proposals and read requests carry no term.
    } else if (m.term > this.term) {
      if (m.type === MessageType.Vote || m.type === MessageType.PreVote) {
        const force = isCampaignTransfer(m.context);
        const inLease = this.checkQuorum && this.lead !== NONE && this.electionElapsed < this.electionTicks;
        // A node that heard from a live leader within the election timeout does not let a
        // disruptive candidate (one partitioned away, say) depose it.
        if (!force && inLease) {
          this.logger.debug('ignoring a vote request inside the leader lease', { id: this.id, from: m.from, term: m.term });
          return;
        }
      }
      if (m.type === MessageType.PreVote) {
        // Never change term in response to a pre-vote.
      } else if (m.type === MessageType.PreVoteResp && !m.reject) {
        // Granted pre-votes carry the future term; the term moves only if the campaign wins.
      } else if (m.type === MessageType.App || m.type === MessageType.Heartbeat || m.type === MessageType.Snap) {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, NONE);
      }
    } else if (m.term < this.term) {
      if ((this.checkQuorum || this.preVote) && (m.type === MessageType.Heartbeat || m.type === MessageType.App)) {
        // A stale leader (one whose term was overtaken while it was partitioned) learns of
        // the new term from this response and steps down; without it, check-quorum or
        // pre-vote could leave it unable to ever hear the new term.
        this.send(message({ type: MessageType.AppResp, to: m.from }));
      } else if (m.type === MessageType.PreVote) {
        this.send(message({ type: MessageType.PreVoteResp, to: m.from, term: this.term, reject: true }));
      }
      return;
    }

    switch (m.type) {
      case MessageType.Hup:
        this.hup(this.preVote ? 'pre-election' : 'election');
        return;
      case MessageType.Vote:
      case MessageType.PreVote: {
        // We may vote again for the node we voted for; or vote if we have neither voted
        // nor heard from a leader this term; or grant a pre-vote for a future term.
        const canVote = this.vote === m.from ||
          (this.vote === NONE && this.lead === NONE) ||
          (m.type === MessageType.PreVote && m.term > this.term);
        if (canVote && this.log.isUpToDate(m.index, m.logTerm)) {
          this.send(message({ type: voteResponseType(m.type), to: m.from, term: m.term }));
          if (m.type === MessageType.Vote) {
            this.electionElapsed = 0;
            this.vote = m.from;
          }
        } else {
          this.send(message({ type: voteResponseType(m.type), to: m.from, term: this.term, reject: true }));
        }
        return;
      }
      default:
        this.stepRole(this, m);
    }
  }

  // ---------------------------------------------------------------- follower handlers

  handleAppendEntries(m: Message): void {
    if (m.index < this.log.committed) {
      this.send(message({ type: MessageType.AppResp, to: m.from, index: this.log.committed }));
      return;
    }
    const lastNewIndex = this.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (lastNewIndex !== undefined) {
      this.send(message({ type: MessageType.AppResp, to: m.from, index: lastNewIndex }));
      return;
    }
    // Reject, with a hint of where our logs might match so that the leader can skip a
    // whole divergent term at once.
    const hint = this.log.findConflictByTerm(Math.min(m.index, this.log.lastIndex()), m.logTerm);
    this.send(message({
      type: MessageType.AppResp, to: m.from, index: m.index, reject: true, rejectHint: hint.index, logTerm: hint.term,
    }));
  }

  handleHeartbeat(m: Message): void {
    this.log.commitTo(m.commit);
    this.send(message({ type: MessageType.HeartbeatResp, to: m.from, context: m.context }));
  }

  handleSnapshot(m: Message): void {
    const snapshot = m.snapshot;
    assert(snapshot !== undefined, 'MsgSnap without a snapshot');
    if (this.restore(snapshot)) {
      this.logger.info('restored raft snapshot', { id: this.id, index: snapshot.metadata.index, term: snapshot.metadata.term });
      this.send(message({ type: MessageType.AppResp, to: m.from, index: this.log.lastIndex() }));
    } else {
      this.send(message({ type: MessageType.AppResp, to: m.from, index: this.log.committed }));
    }
  }

  /** Replaces the log with a snapshot. Returns false if the snapshot was ignored. */
  restore(snapshot: RaftSnapshot): boolean {
    const { index, term, confState } = snapshot.metadata;
    if (index <= this.log.committed) return false;
    if (this.state !== StateType.Follower) {
      // Defence in depth: only followers receive snapshots. Move on to a new term rather
      // than apply it.
      this.logger.warn('non-follower received a raft snapshot; stepping to a new term', { id: this.id, term: this.term });
      this.becomeFollower(this.term + 1, NONE);
      return false;
    }
    const members = [...confState.voters, ...confState.learners, ...confState.votersOutgoing];
    if (!members.includes(this.id)) {
      this.logger.warn('ignoring a raft snapshot whose configuration does not include this node', { id: this.id, index });
      return false;
    }
    // The log already has the snapshot's last entry: only the commit index moves.
    if (this.log.matchTerm(index, term)) {
      this.log.commitTo(index);
      return false;
    }
    this.log.restore(snapshot);
    const restored = restoreConfig(confState, this.log.lastIndex(), this.tracker.inflightMessagesMax, this.tracker.inflightBytesMax);
    this.tracker.progress.clear();
    this.switchToConfig(restored.config, restored.progress);
    return true;
  }

  // ---------------------------------------------------------------- configuration

  /** Rejects, before anything is appended, a change the current configuration cannot take. */
  checkConfChangeProposal(cc: ConfChange): void {
    const joint = this.tracker.config.voters.outgoing.size > 0;
    if (this.pendingConfIndex > this.log.applied) {
      throw new RaftError('PROPOSAL_DROPPED',
        `a configuration change at index ${this.pendingConfIndex} is not yet applied (applied ${this.log.applied})`);
    }
    if (joint && !isLeaveJoint(cc)) throw new RaftError('INVALID_CONF_CHANGE', 'must leave the joint configuration first');
    if (!joint && isLeaveJoint(cc)) throw new RaftError('INVALID_CONF_CHANGE', 'not in a joint configuration: nothing to leave');
    this.computeConfChange(cc); // throws INVALID_CONF_CHANGE for what the changer refuses
  }

  private computeConfChange(cc: ConfChange): { config: TrackerConfig; progress: ProgressMap } {
    const changer = new Changer(this.tracker.config, this.tracker.progress, this.log.lastIndex(),
      this.tracker.inflightMessagesMax, this.tracker.inflightBytesMax);
    if (isLeaveJoint(cc)) return changer.leaveJoint();
    const { joint, autoLeave } = entersJoint(cc);
    if (joint) return changer.enterJoint(autoLeave, cc.changes);
    return changer.simple(cc.changes);
  }

  /**
   * Applies a committed configuration change. Every replica applies the same changes in the
   * same order to the same configuration, so a change refused here is refused everywhere
   * and the application may skip it (the error says why).
   */
  applyConfChange(cc: ConfChange): ConfState {
    const { config, progress } = this.computeConfChange(cc);
    return this.switchToConfig(config, progress);
  }

  switchToConfig(config: TrackerConfig, progress: ProgressMap): ConfState {
    this.tracker.config = config;
    this.tracker.progress = progress;
    const confState = this.tracker.confState();
    const own = progress.get(this.id);
    const isLearner = own?.isLearner === true;
    if ((own === undefined || isLearner) && this.state === StateType.Leader) {
      // Removed or demoted: this leader must not go on deciding for a group it is not a
      // voter of. Stepping down hands the group to the remaining voters.
      if (this.stepDownOnRemoval) {
        this.logger.info('stepping down: removed from the voters', { id: this.id, term: this.term });
        this.becomeFollower(this.term, NONE);
      }
      return confState;
    }
    if (this.state !== StateType.Leader || confState.voters.length === 0) return confState;
    // The quorum may have shrunk: entries may now be committed.
    if (this.maybeCommit()) {
      this.bcastAppend();
    } else {
      for (const id of this.tracker.progress.keys()) if (id !== this.id) this.maybeSendAppend(id, false);
    }
    if (this.leadTransferee !== NONE && !this.tracker.isVoter(this.leadTransferee)) this.abortLeaderTransfer();
    return confState;
  }

  abortLeaderTransfer(): void {
    this.leadTransferee = NONE;
  }

  // ---------------------------------------------------------------- reads

  /** Answers a ReadIndex request at `index`: locally, or to the follower that forwarded it. */
  respondToReadIndex(request: Message, index: number): void {
    if (request.from === NONE || request.from === this.id) {
      this.readStates.push({ index, requestContext: request.context });
      return;
    }
    this.send(message({ type: MessageType.ReadIndexResp, to: request.from, index, context: request.context }));
  }

  sendReadIndexResponse(request: Message): void {
    // The lease holds only while a quorum has answered within the current check-quorum
    // window (check-quorum alone would notice a lost quorum up to two timeouts late) and no
    // transfer has handed the election to another node. Otherwise fall back to the safe path.
    if (this.readOnly.option === 'lease-based' && !this.leaseRevoked && this.tracker.quorumActive(this.id)) {
      this.respondToReadIndex(request, this.log.committed);
      return;
    }
    this.readOnly.addRequest(this.log.committed, request);
    // The leader acknowledges itself; a single voter is answered by the singleton path.
    this.readOnly.receiveAck(this.id, request.context, () => false);
    this.bcastHeartbeatWithContext(request.context);
  }

  releasePendingReadIndexMessages(): void {
    if (this.pendingReadIndexMessages.length === 0 || !this.committedEntryInCurrentTerm()) return;
    const pending = this.pendingReadIndexMessages;
    this.pendingReadIndexMessages = [];
    for (const request of pending) this.sendReadIndexResponse(request);
  }
}
