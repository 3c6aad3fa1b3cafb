// The deterministic simulator (TigerBeetle's VOPR, FoundationDB's simulation): N RawNodes
// in one process, one SeededRandom behind every choice: the run's configuration, the
// scheduler's next step, each message's fate, each crash and what the disk kept. A run is a
// pure function of its options (seed, nodeCount, steps and the modes), so a failing seed
// replays exactly.
//
// A run has three phases. Chaos: each step delivers one due message (or finishes one due
// disk write), or ticks every node, or does one fault or client action (proposals, crashes
// and restarts, partitions and healing, compaction, membership changes, leadership
// transfers, ReadIndex requests). Every seed also draws its own mix of those actions
// ("swarm testing"), so some runs are calm and others hostile. Heal: the network turns
// reliable, partitions heal, every crashed node restarts. Liveness: a new proposal must
// commit on every voter within LIVENESS_ELECTION_TIMEOUTS election timeouts.
//
// The checkers run as the nodes act (see checkers.ts); a violation, or any exception out of
// the core, stops the run with the seed, the step and the last trace lines.

import type { ConfChange, ConfChangeSingle, ConfChangeTransition } from '../../consensus/index.ts';
import { SeededRandom } from '../../consensus/random.ts';
import type { LogStorage } from '../../consensus/storage.ts';
import type { ConfState, Message } from '../../consensus/types.ts';
import { MessageType, StateType } from '../../consensus/types.ts';
import { checkLogsMatch, SafetyChecker, Violation } from './checkers.ts';
import type { ViolationKind } from './checkers.ts';
import type { NetworkFaults } from './network.ts';
import { calmFaults, NODE_ID_MAX, SimNetwork } from './network.ts';
import type { CrashPointValue, NodeEnvironment, SimRaftOptions, StateMachineMode } from './node.ts';
import { SimNode } from './node.ts';
import { CrashPoint, DropReason, maskOf, messageFlags, PartitionShape, ProposeOutcome, SimPhase, Trace, TraceKind } from './trace.ts';

export interface SimulationOptions {
  seed: number;
  /** Founding voters: 3 or 5. */
  nodeCount: number;
  /** Scheduler steps in the chaos phase. */
  steps: number;
  /** Receives every trace line as it is recorded (for --trace). */
  onTrace?: (line: string) => void;
  /**
   * Hand receivers the sender's frozen message object instead of a copy, so that a core
   * writing to a message it was given throws (a TypeError) at the write.
   */
  freezeDeliveredMessages?: boolean;
  /**
   * Every node takes a Raft snapshot right after applying a membership change (default
   * true); without it a member added after the leader's last snapshot may never catch up.
   */
  snapshotAfterConfChange?: boolean;
  /** A deliberately broken disk whose fsync makes nothing durable: a run must catch it. */
  fsyncLies?: boolean;
  /**
   * A proposal, read or transfer request forwarded twice can come back to the node it
   * started on, and the core refuses it as a message from itself (INVALID_MESSAGE). By
   * default the transport drops it; false lets the error stop the run.
   */
  dropForwardedToOrigin?: boolean;
  /**
   * Serve ReadIndex from the leader lease ('lease-based') in runs with check-quorum,
   * instead of confirming leadership with a heartbeat round ('safe', the default).
   */
  leaseReads?: boolean;
  /** Where the state machine is durable and how a restart sets `applied` (see node.ts);
   * default 'in-snapshot'. */
  stateMachineMode?: StateMachineMode;
  /** The liveness bound, in election timeouts after healing (default LIVENESS_ELECTION_TIMEOUTS). */
  livenessElectionTimeouts?: number;
}

export interface SimulationFailure {
  kind: ViolationKind;
  message: string;
  step: number;
  /** The last trace lines, oldest first. */
  trace: string[];
}

export interface SimulationResult {
  seed: number;
  nodeCount: number;
  steps: number;
  ticks: number;
  /** Entries applied by the cluster (the highest index any node applied). */
  committed: number;
  /** Client payloads among them. */
  payloadsCommitted: number;
  proposals: number;
  leadersElected: number;
  crashes: number;
  confChangesApplied: number;
  readsAnswered: number;
  messagesDelivered: number;
  /** Identifies the whole trace: equal for two runs of one seed. */
  traceDigest: string;
  /** Ticks the liveness proposal took to reach every voter after healing; -1 if it did not. */
  livenessTicks: number;
  failure?: SimulationFailure;
}

/** Trace lines shown with a failure. */
export const FAILURE_TRACE_LINES = 200;
/**
 * The liveness bound after the network heals, in election timeouts. Ten is not always
 * enough without pre-vote: when the most up-to-date log is on a minority, every hopeless
 * candidate's higher term makes the nodes that could win reset their election timers
 * (becomeFollower), so a winner must draw the shortest timeout against all of them. 5-node
 * seed 173 needs 157 ticks, 13 election timeouts; twenty leave room for that tail.
 */
export const LIVENESS_ELECTION_TIMEOUTS = 20;
/** Deliveries and disk writes per settle() before the simulator calls it a message storm. */
const SETTLE_EVENTS_MAX = 200_000;
/** Nodes a run may add beyond its founders (each gets a fresh id; ids are never reused). */
const ADDED_NODES_MAX = 6;
const EMPTY = new Uint8Array(0);

interface ActionWeights {
  propose: number;
  crash: number;
  restart: number;
  partition: number;
  heal: number;
  compact: number;
  confChange: number;
  transfer: number;
  read: number;
}

/** Everything a run draws from its seed before the first step. */
interface RunProfile {
  raft: SimRaftOptions;
  faults: NetworkFaults;
  diskLatencyTicksMax: number;
  crashInLoopProbability: number;
  /** Per step: do a fault or client action rather than tick or deliver. */
  actionProbability: number;
  /** Per step with work due: tick anyway, letting the clock outrun delivery. */
  tickWhileBusyProbability: number;
  weights: ActionWeights;
}

function pick<T>(random: SeededRandom, items: readonly T[]): T {
  return items[random.nextInt(items.length)]!;
}

function drawProfile(random: SeededRandom, leaseReads: boolean): RunProfile {
  const electionTicks = 6 + random.nextInt(8);
  const checkQuorum = random.chance(0.5);
  const messageBytesMax = pick(random, [64, 512, 1 << 20]);
  const raft: SimRaftOptions = {
    electionTicks,
    heartbeatTicks: 1 + random.nextInt(2),
    preVote: random.chance(0.5),
    checkQuorum,
    messageBytesMax,
    inflightMessagesMax: pick(random, [1, 4, 256]),
    inflightBytesMax: random.chance(0.3) ? messageBytesMax * 4 : 0,
    committedBytesPerReadyMax: pick(random, [64, 1024, 1 << 20]),
    uncommittedBytesMax: pick(random, [0, 1024, 1 << 20]),
    // Lease-based reads need check-quorum; choosing them draws nothing, so that the option
    // leaves every seed's schedule as it was.
    readOnlyOption: leaseReads && checkQuorum ? 'lease-based' : 'safe',
  };
  const hostile = random.chance(0.7);
  const faults: NetworkFaults = {
    delayTicksMax: random.nextInt(4),
    dropProbability: hostile ? random.nextFloat() * 0.1 : 0,
    duplicateProbability: hostile ? random.nextFloat() * 0.05 : 0,
    reorderProbability: pick(random, [0, 0.02, 0.1, 1]),
    inFlightMessagesMax: 4096,
  };
  const scale = (active: number, max: number): number => (random.chance(active) ? random.nextFloat() * max : 0);
  return {
    raft,
    faults,
    diskLatencyTicksMax: random.chance(0.5) ? random.nextInt(3) : 0,
    crashInLoopProbability: hostile ? scale(0.5, 0.004) : 0,
    actionProbability: 0.04 + random.nextFloat() * 0.08,
    tickWhileBusyProbability: pick(random, [0.01, 0.05, 0.2]),
    weights: {
      propose: 0.5 + random.nextFloat() * 3,
      crash: hostile ? scale(0.8, 0.4) : 0,
      restart: 1,
      partition: hostile ? scale(0.7, 0.3) : 0,
      heal: 0.3,
      compact: scale(0.8, 0.5),
      confChange: scale(0.7, 0.5),
      transfer: scale(0.5, 0.2),
      read: scale(0.7, 1),
    },
  };
}

function membersOf(confState: ConfState): Set<number> {
  return new Set([...confState.voters, ...confState.votersOutgoing, ...confState.learners, ...confState.learnersNext]);
}

interface SnapshotFeedback {
  from: number;
  incarnation: number;
  to: number;
  status: 'finish' | 'failure';
}

export class Cluster implements NodeEnvironment {
  readonly random: SeededRandom;
  readonly trace: Trace;
  readonly checker = new SafetyChecker();
  readonly raftOptions: SimRaftOptions;
  readonly network: SimNetwork;
  readonly nodes = new Map<number, SimNode>();
  readonly options: SimulationOptions;
  readonly freezeDeliveredMessages: boolean;
  readonly snapshotAfterConfChange: boolean;
  readonly fsyncLies: boolean;
  readonly dropForwardedToOrigin: boolean;
  readonly stateMachineMode: StateMachineMode;
  private readonly profile: RunProfile;
  private phase: number = SimPhase.Chaos;
  private step = 0;
  private nextNodeId: number;
  private nextPayloadId = 1;
  private nextRequestId = 1;
  /** The newest membership any node applied, and the index it was applied at. */
  private clusterConfState: ConfState;
  private clusterConfIndex: number;
  private readonly everMembers = new Set<number>();
  private confChangeInFlightSinceTick = -1;
  private readonly snapshotIncarnation = new WeakMap<Message, number>();
  private readonly snapshotFeedback: SnapshotFeedback[] = [];
  private readonly decommissions: SimNode[] = [];
  private readonly weights: Float64Array;
  private readonly actions: Array<() => void>;
  private livenessTicks = -1;
  private stats = { proposals: 0, crashes: 0, confChangesApplied: 0, messagesDelivered: 0 };

  constructor(options: SimulationOptions) {
    if (options.nodeCount < 1 || options.nodeCount + ADDED_NODES_MAX > NODE_ID_MAX) {
      throw new RangeError(`nodeCount must be in 1..${NODE_ID_MAX - ADDED_NODES_MAX}, got ${options.nodeCount}`);
    }
    this.options = options;
    this.freezeDeliveredMessages = options.freezeDeliveredMessages ?? true;
    this.snapshotAfterConfChange = options.snapshotAfterConfChange ?? true;
    this.fsyncLies = options.fsyncLies ?? false;
    this.dropForwardedToOrigin = options.dropForwardedToOrigin ?? false;
    this.stateMachineMode = options.stateMachineMode ?? 'in-snapshot';
    this.random = new SeededRandom(options.seed);
    this.trace = new Trace(256);
    this.trace.listener = options.onTrace;
    this.profile = drawProfile(this.random, options.leaseReads ?? false);
    this.raftOptions = this.profile.raft;
    this.network = new SimNetwork(this.random, this.profile.faults);
    const voters = Array.from({ length: options.nodeCount }, (_, i) => i + 1);
    this.nextNodeId = options.nodeCount + 1;
    this.clusterConfState = { voters, learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
    this.clusterConfIndex = options.nodeCount;
    const raft = this.raftOptions;
    this.trace.record(TraceKind.Config, options.nodeCount, raft.electionTicks, raft.heartbeatTicks,
      raft.preVote ? 1 : 0, raft.checkQuorum ? 1 : 0, options.steps);
    const { faults, diskLatencyTicksMax, crashInLoopProbability, tickWhileBusyProbability } = this.profile;
    this.trace.record(TraceKind.Faults, faults.delayTicksMax, Math.round(faults.dropProbability * 1000),
      Math.round(faults.duplicateProbability * 1000), Math.round(faults.reorderProbability * 100), diskLatencyTicksMax,
      Math.round(crashInLoopProbability * 10000), Math.round(tickWhileBusyProbability * 100));
    for (const id of voters) {
      const node = new SimNode(id, this);
      this.nodes.set(id, node);
      this.everMembers.add(id);
      node.start(voters);
    }
    const w = this.profile.weights;
    this.actions = [
      () => this.actPropose(), () => this.actCrash(), () => this.actRestart(), () => this.actPartition(),
      () => this.actHeal(), () => this.actCompact(), () => this.actConfChange(), () => this.actTransfer(),
      () => this.actRead(),
    ];
    this.weights = Float64Array.of(w.propose, w.crash, w.restart, w.partition, w.heal, w.compact, w.confChange, w.transfer, w.read);
  }

  // ------------------------------------------------------------ NodeEnvironment

  now(): number {
    return this.network.now;
  }

  send(from: SimNode, m: Message): void {
    const fate = this.network.send(m);
    if (fate === 'queued' || fate === 'duplicated') {
      if (m.type === MessageType.Snap) this.snapshotIncarnation.set(m, from.incarnation);
      return;
    }
    const reason = fate === 'blocked' ? DropReason.Partition : fate === 'full' ? DropReason.QueueFull : DropReason.Random;
    this.traceMessage(TraceKind.Drop, m, reason);
    // A transport learns that a snapshot stream failed; the leader retries later.
    if (m.type === MessageType.Snap) {
      this.snapshotFeedback.push({ from: from.id, incarnation: from.incarnation, to: m.to, status: 'failure' });
    }
  }

  crashAt(node: SimNode, _point: CrashPointValue): boolean {
    const p = this.profile.crashInLoopProbability;
    return this.phase === SimPhase.Chaos && p > 0 && this.random.chance(p) && this.canCrash(node);
  }

  diskLatencyTicks(): number {
    const max = this.profile.diskLatencyTicksMax;
    return this.phase === SimPhase.Chaos && max > 0 ? this.random.nextInt(max + 1) : 0;
  }

  confChangeApplied(node: SimNode, index: number, confState: ConfState): void {
    this.trace.record(TraceKind.ConfChangeApply, node.id, index, maskOf(confState.voters),
      maskOf(confState.votersOutgoing), maskOf(confState.learners));
    if (index <= this.clusterConfIndex) return;
    this.stats.confChangesApplied++;
    this.clusterConfIndex = index;
    this.clusterConfState = confState;
    this.confChangeInFlightSinceTick = -1;
    const members = membersOf(confState);
    for (const id of members) this.everMembers.add(id);
    // A node removed from the cluster is shut down, as an operator would (after this step:
    // it may be the very node applying the change); its id is never reused.
    for (const [id, other] of this.nodes) {
      if (!members.has(id) && this.everMembers.has(id) && other.state !== 'decommissioned') this.decommissions.push(other);
    }
  }

  // ------------------------------------------------------------ the run

  run(): SimulationResult {
    let failure: SimulationFailure | undefined;
    try {
      for (this.step = 1; this.step <= this.options.steps; this.step++) {
        this.trace.step = this.step;
        this.chaosStep();
        this.afterStep();
        if (this.step % 500 === 0) this.checkLogs();
      }
      this.heal();
      this.checkLiveness();
      this.checkLogs();
    } catch (error) {
      failure = this.describeFailure(error);
    }
    this.phase = SimPhase.Done;
    return {
      seed: this.options.seed,
      nodeCount: this.options.nodeCount,
      steps: Math.min(this.step, this.options.steps),
      ticks: this.network.now,
      committed: this.checker.appliedIndexMax,
      payloadsCommitted: this.payloadsCommitted(),
      proposals: this.stats.proposals,
      leadersElected: this.checker.leadersElected,
      crashes: this.stats.crashes,
      confChangesApplied: this.stats.confChangesApplied,
      readsAnswered: this.checker.readsAnswered,
      messagesDelivered: this.stats.messagesDelivered,
      traceDigest: this.trace.digest,
      livenessTicks: this.livenessTicks,
      ...(failure === undefined ? {} : { failure }),
    };
  }

  private describeFailure(error: unknown): SimulationFailure {
    const kind: ViolationKind = error instanceof Violation ? error.kind : 'core-error';
    let message = error instanceof Error ? error.message : String(error);
    if (!(error instanceof Violation) && error instanceof Error && error.stack !== undefined) {
      message = error.stack.split('\n').slice(0, 6).join('\n');
    }
    return { kind, message, step: this.step, trace: this.trace.tail(FAILURE_TRACE_LINES) };
  }

  private chaosStep(): void {
    const random = this.random;
    if (!random.chance(this.profile.actionProbability)) {
      // Mostly the network and the disks keep up with the clock; sometimes the clock runs
      // ahead of them, as on an overloaded host, and messages arrive late.
      if (random.chance(this.profile.tickWhileBusyProbability) || !this.deliverOrPersist()) this.tickAll();
      return;
    }
    const weights = this.weights;
    weights[2] = this.countNodes('down') > 0 ? this.profile.weights.restart : 0;
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i]!;
    let choice = random.nextFloat() * total;
    for (let i = 0; i < weights.length; i++) {
      choice -= weights[i]!;
      if (choice < 0) {
        this.actions[i]!();
        return;
      }
    }
    this.tickAll();
  }

  private tickAll(): void {
    this.network.now++;
    this.trace.record(TraceKind.Tick, this.network.now);
    for (const node of this.nodes.values()) if (node.isUp) node.tick();
  }

  /** Delivers one due message or finishes one due disk write; false if nothing is due. */
  private deliverOrPersist(): boolean {
    const diskFirst = this.random.chance(0.5);
    if (diskFirst && this.persistOne()) return true;
    if (this.deliverOne()) return true;
    return !diskFirst && this.persistOne();
  }

  private persistOne(): boolean {
    for (const node of this.nodes.values()) {
      if (node.isUp && node.isPersistDue) {
        node.completePersist();
        return true;
      }
    }
    return false;
  }

  private deliverOne(): boolean {
    const parcel = this.network.popDue();
    if (parcel === undefined) return false;
    const m = parcel.message;
    const target = this.nodes.get(m.to);
    const linkUp = this.network.isLinkUp(m.from, m.to);
    if (!linkUp || target === undefined || !target.isUp) {
      this.traceMessage(TraceKind.Drop, m, linkUp ? DropReason.NodeDown : DropReason.Partition);
      this.messageLost(m);
      return true;
    }
    this.stats.messagesDelivered++;
    this.traceMessage(TraceKind.Deliver, m, 0);
    target.step(m);
    if (m.type === MessageType.Snap) this.snapshotDone(m, 'finish');
    return true;
  }

  private traceMessage(kind: TraceKind, m: Message, reason: number): void {
    this.trace.record(kind, m.from, m.to, m.type, m.term, m.index, messageFlags(m.entries.length, m.reject), m.logTerm, reason);
  }

  private messageLost(m: Message): void {
    if (m.type === MessageType.Snap) {
      this.snapshotDone(m, 'failure');
      return;
    }
    // Sometimes the transport notices the peer is gone, and says so.
    if (m.type === MessageType.App && this.random.chance(0.3)) {
      const sender = this.nodes.get(m.from);
      if (sender !== undefined && sender.isUp) sender.reportUnreachable(m.to);
    }
  }

  private snapshotDone(m: Message, status: 'finish' | 'failure'): void {
    const incarnation = this.snapshotIncarnation.get(m);
    if (incarnation !== undefined) this.snapshotFeedback.push({ from: m.from, incarnation, to: m.to, status });
  }

  /** Work deferred to the end of a step, so that no node is re-entered in its Raft loop. */
  private afterStep(): void {
    // Leaders are also seen in Ready.softState, but a node may lead briefly while its last
    // Ready waits for the disk and step down before the next: look at every node's role
    // directly after each step as well (the core's fields, to avoid status()'s allocations).
    for (const node of this.nodes.values()) {
      const raft = node.raw?.raft;
      if (raft === undefined) continue;
      this.checker.termObserved(raft.term);
      if (raft.state === StateType.Leader) this.checker.leader(node.id, raft.term);
    }
    this.drainSnapshotFeedback();
    for (const node of this.decommissions) if (node.state !== 'decommissioned') node.decommission();
    this.decommissions.length = 0;
  }

  private drainSnapshotFeedback(): void {
    // Reports are stepped between steps, never inside another node's Raft loop.
    for (let i = 0; i < this.snapshotFeedback.length && i < 1000; i++) {
      const { from, incarnation, to, status } = this.snapshotFeedback[i]!;
      const sender = this.nodes.get(from);
      if (sender !== undefined && sender.isUp && sender.incarnation === incarnation) sender.reportSnapshot(to, status);
    }
    this.snapshotFeedback.length = 0;
  }

  // ------------------------------------------------------------ actions

  private upNodes(): SimNode[] {
    const up: SimNode[] = [];
    for (const node of this.nodes.values()) if (node.isUp) up.push(node);
    return up;
  }

  private countNodes(state: SimNode['state']): number {
    let count = 0;
    for (const node of this.nodes.values()) if (node.state === state) count++;
    return count;
  }

  /** The up node that leads the highest term, if any. */
  private leader(): SimNode | undefined {
    let best: SimNode | undefined;
    for (const node of this.nodes.values()) {
      if (node.isUp && node.isLeader && (best === undefined || node.term > best.term)) best = node;
    }
    return best;
  }

  /** Whether the cluster keeps a quorum of every voter set up if `node` goes down. */
  private canCrash(node: SimNode): boolean {
    const conf = this.clusterConfState;
    const quorumUp = (voters: readonly number[]): boolean => {
      if (voters.length === 0) return true;
      let up = 0;
      for (const id of voters) if (id !== node.id && this.nodes.get(id)?.isUp === true) up++;
      return up > voters.length / 2;
    };
    return quorumUp(conf.voters) && quorumUp(conf.votersOutgoing);
  }

  private payload(): Uint8Array {
    const id = this.nextPayloadId++;
    const bytes = new Uint8Array(4 + this.random.nextInt(60));
    new DataView(bytes.buffer).setUint32(0, id);
    bytes.fill(id & 0xff, 4);
    return bytes;
  }

  private actPropose(): void {
    const up = this.upNodes();
    if (up.length === 0) return;
    const leader = this.leader();
    const node = leader !== undefined && this.random.chance(0.6) ? leader : pick(this.random, up);
    const data = this.payload();
    this.stats.proposals++;
    const accepted = node.propose(data);
    this.trace.record(TraceKind.Propose, node.id, this.nextPayloadId - 1, accepted ? ProposeOutcome.Accepted : ProposeOutcome.Dropped);
  }

  private actCrash(): void {
    const candidates = this.upNodes().filter((node) => this.canCrash(node));
    if (candidates.length === 0) return;
    this.stats.crashes++;
    pick(this.random, candidates).crash(CrashPoint.Idle);
  }

  private actRestart(): void {
    const down = [...this.nodes.values()].filter((node) => node.state === 'down');
    if (down.length > 0) pick(this.random, down).restart();
  }

  private actPartition(): void {
    const live = this.upNodes().map((node) => node.id);
    if (live.length < 2) return;
    const shape = this.random.nextInt(3);
    if (shape === PartitionShape.IsolateLeader) {
      const leader = this.leader();
      if (leader === undefined) return;
      this.network.isolate(leader.id);
      this.trace.record(TraceKind.Partition, shape, maskOf([leader.id]), maskOf(live.filter((id) => id !== leader.id)));
    } else if (shape === PartitionShape.OneWay) {
      const from = pick(this.random, live);
      const to = pick(this.random, live.filter((id) => id !== from));
      this.network.cutOneWay(from, to);
      this.trace.record(TraceKind.Partition, shape, from, to);
    } else {
      const groupA = live.filter(() => this.random.chance(0.5));
      const groupB = live.filter((id) => !groupA.includes(id));
      if (groupA.length === 0 || groupB.length === 0) return;
      this.network.split(groupA, groupB);
      this.trace.record(TraceKind.Partition, shape, maskOf(groupA), maskOf(groupB));
    }
  }

  private actHeal(): void {
    if (!this.network.isPartitioned) return;
    this.network.heal();
    this.trace.record(TraceKind.Heal);
  }

  private actCompact(): void {
    const up = this.upNodes();
    if (up.length === 0) return;
    // Sometimes keep a few entries for slow followers; sometimes keep the whole log (a
    // checkpoint only), so that restarts replay from a snapshot with a log before it.
    const retain = pick(this.random, [0, 0, 2, 10, Number.POSITIVE_INFINITY]);
    pick(this.random, up).compact(retain);
  }

  private actTransfer(): void {
    const leader = this.leader();
    if (leader === undefined) return;
    const voters = this.clusterConfState.voters.filter((id) => id !== leader.id);
    if (voters.length === 0) return;
    const to = pick(this.random, voters);
    this.trace.record(TraceKind.Transfer, leader.id, to);
    leader.transferLeadership(to);
  }

  private actRead(): void {
    const up = this.upNodes();
    if (up.length === 0) return;
    const node = pick(this.random, up);
    const requestId = this.nextRequestId++;
    this.checker.readIssued(requestId, node.id);
    this.trace.record(TraceKind.ReadIssue, node.id, requestId, this.checker.clusterCommitIndex);
    node.readIndex(requestId);
  }

  private actConfChange(): void {
    const tick = this.network.now;
    const inFlightTicksMax = 4 * this.raftOptions.electionTicks;
    if (this.confChangeInFlightSinceTick >= 0 && tick - this.confChangeInFlightSinceTick < inFlightTicksMax) return;
    const cc = this.chooseConfChange();
    if (cc === undefined) return;
    const leader = this.leader();
    const proposer = leader ?? this.upNodes().find((node) => this.clusterConfState.voters.includes(node.id));
    if (proposer === undefined) return;
    const first = cc.changes[0];
    const typeCode = first === undefined ? 3 : ['add-node', 'add-learner', 'remove-node'].indexOf(first.type);
    this.trace.record(TraceKind.ConfChangePropose, proposer.id, this.clusterConfIndex, typeCode, first?.nodeId ?? 0,
      Math.max(0, cc.changes.length - 1), ['auto', 'implicit', 'explicit'].indexOf(cc.transition));
    if (proposer.proposeConfChange(cc)) this.confChangeInFlightSinceTick = tick;
  }

  /** A change the current membership can take, keeping at least three voters. */
  private chooseConfChange(): ConfChange | undefined {
    const random = this.random;
    const conf = this.clusterConfState;
    if (conf.votersOutgoing.length > 0) {
      // Joint: only leaving it is allowed, and only the application leaves an explicit one.
      return conf.autoLeave ? undefined : { transition: 'auto', changes: [], context: EMPTY };
    }
    const voters = [...conf.voters];
    const learners = [...conf.learners];
    const changes: ConfChangeSingle[] = [];
    const touched = new Set<number>();
    const count = random.chance(0.3) ? 2 : 1;
    let voterCount = voters.length;
    for (let i = 0; i < count; i++) {
      const options: Array<() => ConfChangeSingle | undefined> = [];
      const freeLearners = learners.filter((id) => !touched.has(id));
      const freeVoters = voters.filter((id) => !touched.has(id));
      if (this.nextNodeId <= this.options.nodeCount + ADDED_NODES_MAX) {
        options.push(() => ({ type: 'add-learner', nodeId: this.addNode() }));
      }
      if (freeLearners.length > 0) {
        options.push(() => {
          voterCount++;
          return { type: 'add-node', nodeId: pick(random, freeLearners) };
        });
        options.push(() => ({ type: 'remove-node', nodeId: pick(random, freeLearners) }));
      }
      if (voterCount > 3 && freeVoters.length > 0) {
        options.push(() => {
          voterCount--;
          return { type: 'remove-node', nodeId: pick(random, freeVoters) };
        });
        options.push(() => {
          voterCount--;
          return { type: 'add-learner', nodeId: pick(random, freeVoters) };
        });
      }
      if (options.length === 0) break;
      const change = pick(random, options)();
      if (change === undefined) break;
      touched.add(change.nodeId);
      changes.push(change);
    }
    if (changes.length === 0) return undefined;
    const transition: ConfChangeTransition = pick(random, ['auto', 'auto', 'implicit', 'explicit']);
    return { transition, changes, context: EMPTY };
  }

  /** Starts a node with an empty disk and a fresh id, to be added as a learner. */
  private addNode(): number {
    const id = this.nextNodeId++;
    const node = new SimNode(id, this);
    this.nodes.set(id, node);
    node.start();
    return id;
  }

  // ------------------------------------------------------------ heal and liveness

  private heal(): void {
    this.phase = SimPhase.Heal;
    this.step = this.options.steps + 1;
    this.trace.step = this.step;
    this.trace.record(TraceKind.Phase, SimPhase.Heal);
    this.network.heal();
    this.network.faults = { ...calmFaults };
    for (const node of this.nodes.values()) if (node.state === 'down') node.restart();
    this.settle();
  }

  /** Delivers and persists until nothing is due. */
  private settle(): void {
    for (let events = 0; events < SETTLE_EVENTS_MAX; events++) {
      if (!this.persistOne() && !this.deliverOne()) {
        if (this.snapshotFeedback.length === 0 && this.decommissions.length === 0) return;
        this.afterStep();
      }
    }
    throw new Violation('liveness', `the cluster was still exchanging messages after ${SETTLE_EVENTS_MAX} deliveries in one tick`);
  }

  private checkLiveness(): void {
    this.phase = SimPhase.Liveness;
    this.trace.record(TraceKind.Phase, SimPhase.Liveness);
    const ticksMax = (this.options.livenessElectionTimeouts ?? LIVENESS_ELECTION_TIMEOUTS) * this.raftOptions.electionTicks;
    const data = this.payload();
    const payloadId = this.nextPayloadId - 1;
    let scannedTo = 0;
    let appliedAt = 0;
    for (let tick = 0; tick <= ticksMax; tick++) {
      if (appliedAt === 0) {
        for (let index = scannedTo + 1; index <= this.checker.appliedIndexMax; index++) {
          const entry = this.checker.appliedAt(index)!;
          if (entry.data.length >= 4 && new DataView(entry.data.buffer, entry.data.byteOffset, 4).getUint32(0) === payloadId) {
            appliedAt = index;
            break;
          }
        }
        scannedTo = this.checker.appliedIndexMax;
      }
      const voters = new Set([...this.clusterConfState.voters, ...this.clusterConfState.votersOutgoing]);
      if (appliedAt > 0 && [...voters].every((id) => (this.nodes.get(id)?.machine.appliedIndex ?? 0) >= appliedAt)) {
        this.livenessTicks = tick;
        return;
      }
      // A client retries until its write is in: at the leader if there is one, else anywhere.
      if (appliedAt === 0 && tick % this.raftOptions.electionTicks === 0) {
        const leader = this.leader();
        const up = this.upNodes();
        const node = leader ?? pick(this.random, up);
        const accepted = node.propose(data);
        this.trace.record(TraceKind.Propose, node.id, payloadId, accepted ? ProposeOutcome.Accepted : ProposeOutcome.Dropped);
      }
      this.settle();
      this.tickAll();
      this.settle();
      this.afterStep();
    }
    const states = [...this.nodes.values()].map((node) =>
      `n${node.id}:${node.state}${node.isLeader ? '(leader)' : ''} term=${node.term} applied=${node.machine.appliedIndex}`).join(', ');
    throw new Violation('liveness', `payload ${payloadId} was not applied by every voter of {${[...this.clusterConfState.voters]}} within ${ticksMax} ticks after healing` +
      `${appliedAt > 0 ? ` (applied at index ${appliedAt} by some)` : ''}; ${states}; config index ${this.clusterConfIndex}` +
      `${this.clusterConfState.votersOutgoing.length > 0 ? ` joint with {${this.clusterConfState.votersOutgoing}} autoLeave=${this.clusterConfState.autoLeave}` : ''}`);
  }

  private checkLogs(): void {
    const logs = new Map<number, LogStorage>();
    for (const node of this.nodes.values()) if (node.state !== 'decommissioned') logs.set(node.id, node.disk.storage);
    checkLogsMatch(logs);
  }

  private payloadsCommitted(): number {
    let best = 0;
    for (const node of this.nodes.values()) best = Math.max(best, node.machine.payloadCount);
    return best;
  }
}

export function runSimulation(options: SimulationOptions): SimulationResult {
  return new Cluster(options).run();
}
