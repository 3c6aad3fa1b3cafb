// One vstor member: its storage (under dataDir/<node>: the Raft log as write-ahead log
// segments in wal/ — or, in a data directory made before the WAL, its raft/ database — and
// the model in its own database), its Raft loop and peer transport, and the ClusterNode the gRPC services
// call. The daemon's entry point (vstord.ts) adds the servers and process lifecycle.
//
// Lifecycle: open() opens storage and starts the loop; close() hands leadership to another
// voter if this node leads, stops the loop (failing what still waits), and closes storage.
// Both are safe to call twice.

import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { randomInt, randomUUID } from 'node:crypto';
import { ClassicLevel } from 'classic-level';
import type { Logger } from 'pino';
import type { ConfChange, ConfState, Message, RaftStatus } from '../consensus/index.ts';
import { SeededRandom } from '../consensus/index.ts';
import type { RaftPeerReceiver } from '../rpc/raft-peer-server.ts';
import type { ClusterNode, MemberAddresses, MemberInfo, WriteIdentity } from '../rpc/node-api.ts';
import type { Database } from '../storage-engine/engine.ts';
import { openDatabase } from '../storage-engine/engine.ts';
import { VstorError } from '../storage-engine/errors.ts';
import type { KeyValue, ModelDatabase, RangeRequest, RangeResponse, Watcher, WatchRequest, WriteCommand, WriteRequest, WriteResponse } from '../storage-engine/model/index.ts';
import { prefixEnd } from '../storage-engine/model/index.ts';
import { encodeWriteRequest, KvStateMachine, validateWriteRequest } from '../storage-engine/model/index.ts';
import type { ModelConfig } from '../storage-engine/model/index.ts';
import type { RaftLogBase } from '../storage-engine/raft-log-base.ts';
import { DurableLogStorage } from '../storage-engine/raft-log-storage.ts';
import { WalLogStorage } from '../storage-engine/wal/wal-log-storage.ts';
import type { ClusterConfig, NodeConfig } from './config.ts';
import type { MemberRecord } from './members.ts';
import { encodeMemberRecord, isSystemKey, memberKey, MemberTable, SYSTEM_PREFIX, systemPartOf, touchesSystemKeys } from './members.ts';
import type { Metrics } from './metrics.ts';
import { ModelStateMachine } from './model-machine.ts';
import { TcpPeerTransport } from './peer-transport.ts';
import { RaftLoop } from './raft-loop.ts';
import type { SystemModel } from './vdisks/system-model.ts';

export interface VstorNodeOptions {
  config: ClusterConfig;
  self: NodeConfig;
  /** Found a new cluster with the nodes of the config if the log is empty (default); a node
   * added with `member add` starts with join: true and waits to be contacted. */
  join: boolean;
  /** The root logger; the node logs through children named by component. */
  logger: Logger;
  metrics?: Metrics;
  requestTimeoutMs?: number;
}

type NodeState = 'new' | 'opening' | 'open' | 'closing' | 'closed';

/** Entries a learner may lag behind the commit index and still be promoted. */
const PROMOTE_LAG_ENTRIES_MAX = 1000;
const SNAPSHOT_BYTES_MAX = 256 << 20;
/** Bytes of frames waiting in the socket to one peer before more are dropped: many full
 * batches, which a healthy peer on a working network never lets pile up. */
const PEER_WRITE_BUFFER_BYTES_MAX = 16 << 20;

/** Attempts of one system write when the outcome is unknown or no leader is known. */
const SYSTEM_WRITE_ATTEMPTS_MAX = 3;
const SYSTEM_WRITE_RETRY_DELAY_MS = 200;

export class VstorNode implements ClusterNode, SystemModel {
  readonly clusterId: string;
  readonly name: string;
  readonly raftId: number;
  private state: NodeState = 'new';
  private raftDatabase: Database | undefined;
  private modelDatabase: ClassicLevel<Uint8Array, Uint8Array> | undefined;
  private log: RaftLogBase | undefined;
  private modelMachine: KvStateMachine | undefined;
  private raftLoop: RaftLoop | undefined;
  private transport: TcpPeerTransport | undefined;
  readonly memberTable: MemberTable;
  /** The last removal per client, so that a retried removal is answered, not refused (bounded). */
  private readonly completedRemovals = new Map<string, { sequence: number; raftId: number }>();
  private readonly logger: Logger;
  private readonly raftLogger: Logger;
  private readonly transportLogger: Logger;
  /**
   * The at-most-once identity of this member's own writes (vDisk metadata, capacity). New
   * for every run of the process, and one write outstanding at a time, so the model sees
   * its sequences in order.
   */
  private readonly systemClientId = `vstor-member:${randomUUID()}`;
  private systemSequence = 0;
  private systemWriteTail: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: VstorNodeOptions) {
    this.clusterId = options.config.cluster;
    this.name = options.self.id;
    this.raftId = options.self.raftId;
    this.memberTable = new MemberTable(options.config.nodes);
    this.logger = options.logger.child({ component: 'node' });
    this.raftLogger = options.logger.child({ component: 'raft' });
    this.transportLogger = options.logger.child({ component: 'transport' });
  }

  get status(): NodeState {
    return this.state;
  }

  private get loop(): RaftLoop {
    if (this.raftLoop === undefined || this.state !== 'open') throw new VstorError('UNAVAILABLE', `node ${this.name} is ${this.state}`);
    return this.raftLoop;
  }

  private get model(): KvStateMachine {
    if (this.modelMachine === undefined || this.state !== 'open') throw new VstorError('UNAVAILABLE', `node ${this.name} is ${this.state}`);
    return this.modelMachine;
  }

  /** The model's full limits, for the gRPC edge to check requests exactly as the model will. */
  modelLimits(): ModelConfig {
    return { ...this.model.config };
  }

  raftLogIndexes(): { firstIndex: number; lastIndex: number } {
    if (this.log === undefined || this.log.status === 'closed') return { firstIndex: 0, lastIndex: 0 };
    return { firstIndex: this.log.firstIndex(), lastIndex: this.log.lastIndex() };
  }

  modelRevision(): number {
    return this.modelMachine?.revision ?? 0;
  }

  modelConfig(): Partial<ModelConfig> {
    const { limits } = this.options.config;
    return { keyBytesMax: limits.keyBytesMax, valueBytesMax: limits.valueBytesMax, snapshotChunkBytes: limits.snapshotChunkBytes };
  }

  async open(): Promise<void> {
    if (this.state !== 'new') return;
    this.state = 'opening';
    const { config, self } = this.options;
    const directory = join(config.dataDir, self.id);
    await mkdir(directory, { recursive: true });

    this.log = await this.openRaftLog(directory);
    // The model needs abstract-level 3 (snapshot iterators), which classic-level provides.
    this.modelDatabase = new ClassicLevel<Uint8Array, Uint8Array>(join(directory, 'model'), { keyEncoding: 'view', valueEncoding: 'view' });
    await this.modelDatabase.open();
    this.modelMachine = new KvStateMachine({ db: this.modelDatabase as unknown as ModelDatabase, config: this.modelConfig() });
    await this.modelMachine.open();

    // A follower that saved a Raft snapshot but crashed before its model took it: take it now,
    // or the entries it covers (compacted away) would never reach the model.
    const raftSnapshot = this.log.snapshot();
    if (raftSnapshot.metadata.index > this.modelMachine.appliedIndex && raftSnapshot.data.length > 0) {
      this.logger.info({ index: raftSnapshot.metadata.index }, 'restoring the model from the stored Raft snapshot');
      await this.modelMachine.restore([raftSnapshot.data]);
    }
    await this.memberTable.refresh(this.modelMachine);

    const { raft, limits } = config;
    const metrics = this.options.metrics;
    const observer = metrics?.raftObserver() ?? {};
    this.raftLoop = new RaftLoop({
      raft: {
        id: self.raftId, electionTicks: raft.electionTimeoutTicks, heartbeatTicks: raft.heartbeatIntervalTicks,
        random: new SeededRandom(randomInt(0x7fffffff)), preVote: raft.preVote, checkQuorum: raft.checkQuorum,
        readOnlyOption: raft.readOnly, messageBytesMax: limits.messageBytesMax, inflightMessagesMax: limits.inflightMessagesMax,
        uncommittedBytesMax: limits.uncommittedBytesMax,
        logger: {
          debug: (message, fields) => this.raftLogger.debug(fields ?? {}, message),
          info: (message, fields) => this.raftLogger.info(fields ?? {}, message),
          warn: (message, fields) => this.raftLogger.warn(fields ?? {}, message),
        },
      },
      storage: this.log,
      stateMachine: new ModelStateMachine(this.modelMachine),
      transport: {
        send: (messages: Message[]) => this.transport?.send(messages),
      },
      tickIntervalMs: raft.tickIntervalMs,
      snapshotEntries: raft.snapshotEntries,
      snapshotLogBytes: raft.snapshotLogBytes,
      commitNoticeDelayMs: raft.commitNoticeDelayMs,
      compactRetainEntries: Math.min(5000, Math.floor(raft.snapshotEntries / 2)),
      requestsPendingMax: 10_000,
      requestTimeoutMs: this.options.requestTimeoutMs ?? 10_000,
      observer: {
        ...observer,
        confChanged: (cc, confState) => {
          this.raftLogger.info({ changes: cc.changes, confState }, 'membership changed');
          void this.memberTable.refresh(this.model).catch((error: unknown) => this.logger.warn({ error: String(error) }, 'member refresh failed'));
        },
      },
    });
    this.transport = new TcpPeerTransport({
      clusterId: this.clusterId,
      selfId: self.raftId,
      peerAddressOf: (raftId) => this.memberTable.peerAddress(raftId),
      grpcAddressOf: (raftId) => this.memberTable.grpcAddress(raftId),
      reportUnreachable: (raftId) => this.raftLoop?.reportUnreachable(raftId),
      reportSnapshot: (raftId, status) => this.raftLoop?.reportSnapshot(raftId, status),
      snapshotChunkBytes: limits.snapshotChunkBytes,
      batchBytesMax: Math.max(limits.messageBytesMax, 1 << 20),
      frameBytesMax: peerMessageBytesMax(config),
      writeBufferBytesMax: PEER_WRITE_BUFFER_BYTES_MAX,
      reconnectIntervalMs: Math.max(100, raft.tickIntervalMs),
      grpcMessageBytesMax: peerMessageBytesMax(config),
      logger: {
        warn: (fields, message) => this.transportLogger.warn(fields, message),
        debug: (fields, message) => this.transportLogger.debug(fields, message),
      },
    });

    const empty = this.log.lastIndex() === 0 && this.log.initialState().hardState.term === 0;
    if (empty && !this.options.join) {
      const founders = config.nodes.map((node) => node.raftId);
      this.logger.info({ founders }, 'founding a new cluster');
      this.raftLoop.bootstrap(founders);
    }
    this.raftLoop.start();
    this.state = 'open';
    this.logger.info({ dataDir: directory, lastIndex: this.log.lastIndex(), applied: this.modelMachine.appliedIndex }, 'node open');
  }

  /**
   * The Raft log: write-ahead log segments in <node dir>/wal for a new node; a node directory
   * made before the WAL existed keeps its raft/ database (on the configured engine), so that
   * an existing cluster starts as it was. Which one is chosen by what is on disk.
   */
  private async openRaftLog(directory: string): Promise<RaftLogBase> {
    const { config } = this.options;
    const limits = { entryBytesMax: config.limits.entryBytesMax, snapshotBytesMax: SNAPSHOT_BYTES_MAX };
    const databasePath = join(directory, 'raft');
    const hasDatabase = await access(databasePath).then(() => true, () => false);
    if (hasDatabase) {
      this.raftDatabase = await openDatabase({ path: databasePath, engine: config.engine });
      this.logger.info({ path: databasePath, engine: config.engine }, 'the Raft log is the database of this older data directory');
      return DurableLogStorage.open(this.raftDatabase, limits);
    }
    const walPath = join(directory, 'wal');
    this.logger.info({ path: walPath }, 'the Raft log is a write-ahead log of segment files');
    return WalLogStorage.open(walPath, limits);
  }

  /** Stops the loop (failing what still waits) and closes storage. Safe twice. Call
   * handOverLeadership() first while peers can still reach this node. */
  async close(): Promise<void> {
    if (this.state === 'closed' || this.state === 'closing' || this.state === 'new') return;
    this.state = 'closing';
    await this.raftLoop?.stop();
    this.transport?.close();
    await this.log?.close();
    await this.modelMachine?.close();
    await this.modelDatabase?.close();
    await this.raftDatabase?.close();
    this.state = 'closed';
    this.logger.info('node closed');
  }

  /** If this node leads, hands leadership to the most caught-up other voter (bounded wait). */
  async handOverLeadership(timeoutMs: number): Promise<void> {
    if (this.state !== 'open') return;
    const status = this.raftStatus();
    if (status.softState.state !== 'leader' || status.progress === undefined) return;
    // The most caught-up other voter takes over with the least delay.
    let target: number | undefined;
    let best = -1;
    for (const [id, progress] of status.progress) {
      if (id === this.raftId || progress.isLearner || !status.confState.voters.includes(id)) continue;
      if (progress.match > best) {
        best = progress.match;
        target = id;
      }
    }
    if (target === undefined) return;
    this.logger.info({ to: target }, 'handing leadership over before shutdown');
    try {
      await this.transferLeadership(target, timeoutMs);
    } catch (error) {
      this.logger.warn({ error: String(error) }, 'leadership hand-over did not complete; shutting down anyway');
    }
  }

  raftPeerReceiver(): RaftPeerReceiver {
    return {
      clusterId: this.clusterId,
      memberId: this.raftId,
      snapshotLimits: { snapshotBytesMax: SNAPSHOT_BYTES_MAX, snapshotChunkBytes: this.options.config.limits.snapshotChunkBytes },
      receiveMessages: (messages) => {
        for (const message of messages) this.raftLoop?.step(message);
      },
      receiveSnapshot: (message) => {
        this.raftLoop?.step(message);
      },
    };
  }

  logEntries(): number {
    return this.log === undefined || this.log.status === 'closed' ? 0 : this.log.lastIndex() - this.log.firstIndex() + 1;
  }

  // ------------------------------------------------------------------ ClusterNode

  raftStatus(): RaftStatus {
    if (this.raftLoop === undefined) {
      return {
        id: this.raftId, hardState: { term: 0, vote: 0, commit: 0 }, softState: { lead: 0, state: 'follower' }, applied: 0,
        leadTransferee: 0, confState: { voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false },
      };
    }
    return this.raftLoop.status();
  }

  raftTerm(): number {
    return this.raftLoop?.term ?? 0;
  }

  leader(): MemberInfo | undefined {
    const { softState, confState } = this.raftStatus();
    if (softState.lead === 0) return undefined;
    return this.memberTable.list(confState).find((member) => member.raftId === softState.lead);
  }

  members(): MemberInfo[] {
    return this.memberTable.list(this.raftStatus().confState);
  }

  async write(request: WriteRequest): Promise<WriteResponse> {
    for (const key of keysOf(request)) {
      if (touchesSystemKeys(key.key, key.rangeEnd)) {
        throw new VstorError('INVALID_ARGUMENT', 'key: keys starting with the byte 0x00 followed by "vstor/" are reserved for the cluster');
      }
    }
    return this.writeUnchecked(request);
  }

  private async writeUnchecked(request: WriteRequest): Promise<WriteResponse> {
    validateWriteRequest(request, this.model.config);
    this.options.metrics?.proposalsTotal.inc();
    const result = (await this.loop.propose(encodeWriteRequest(request))) as Awaited<ReturnType<KvStateMachine['apply']>>;
    if (result.kind === 'response') return result.response;
    if (result.kind === 'rejected') throw result.error;
    throw new VstorError('INTERNAL', `write applied as ${result.kind}`);
  }

  readBarrier(): Promise<void> {
    return this.loop.readBarrier();
  }

  // ------------------------------------------------------------------ SystemModel

  /**
   * Writes keys under the reserved prefix (and only those) for the daemon's controllers.
   * Writes wait their turn; each gets the next sequence of this member's identity, and is
   * retried with the same sequence, so it is applied at most once, while the outcome is
   * unknown or no leader is known, a bounded number of times.
   */
  writeSystem(command: WriteCommand): Promise<WriteResponse> {
    for (const key of keysOf({ clientId: this.systemClientId, sequence: 1, command })) {
      if (!isSystemKey(key.key) || (key.rangeEnd !== undefined && key.rangeEnd.length > 0 && !isSystemKey(key.rangeEnd))) {
        throw new VstorError('INTERNAL', 'a system write may only touch keys under the reserved prefix');
      }
    }
    const turn = this.systemWriteTail.then(async () => {
      const request: WriteRequest = { clientId: this.systemClientId, sequence: ++this.systemSequence, command };
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.writeUnchecked(request);
        } catch (error) {
          const unsure = error instanceof VstorError && (error.code === 'DEADLINE_EXCEEDED' || error.code === 'UNAVAILABLE');
          if (!unsure || attempt >= SYSTEM_WRITE_ATTEMPTS_MAX || this.state !== 'open') throw error;
          await new Promise((resolve) => setTimeout(resolve, SYSTEM_WRITE_RETRY_DELAY_MS));
        }
      }
    });
    this.systemWriteTail = turn.catch(() => undefined);
    return turn;
  }

  getSystem(key: Uint8Array): Promise<KeyValue | undefined> {
    if (!isSystemKey(key)) throw new VstorError('INTERNAL', 'getSystem reads keys under the reserved prefix only');
    return this.model.get(key);
  }

  /** Every key under `prefix`, paged through the model's range limit. */
  async rangeSystem(prefix: Uint8Array): Promise<{ kvs: KeyValue[]; revision: number }> {
    if (!isSystemKey(prefix)) throw new VstorError('INTERNAL', 'rangeSystem reads keys under the reserved prefix only');
    const end = prefixEnd(prefix);
    const kvs: KeyValue[] = [];
    let from = prefix;
    let revision: number | undefined;
    let restarts = 0;
    for (;;) {
      const page = await this.model.range({ key: from, rangeEnd: end });
      // A page from a later revision than the first would mix two states: start over.
      if (revision !== undefined && page.header.revision !== revision) {
        if (++restarts > 3) throw new VstorError('UNAVAILABLE', 'the model kept changing while its system keys were read; retry');
        kvs.length = 0;
        from = prefix;
        revision = undefined;
        continue;
      }
      revision = page.header.revision;
      kvs.push(...page.kvs);
      if (!page.more || page.kvs.length === 0) return { kvs, revision };
      const last = page.kvs[page.kvs.length - 1]!.key;
      from = Uint8Array.of(...last, 0);
    }
  }

  watchSystem(request: WatchRequest): Watcher {
    if (!isSystemKey(request.key)) throw new VstorError('INTERNAL', 'watchSystem watches keys under the reserved prefix only');
    return this.model.watch(request);
  }

  get(key: Uint8Array): Promise<KeyValue | undefined> {
    return this.model.get(key);
  }

  /**
   * A range over user keys: the cluster's own records (under the reserved prefix) are left
   * out of what a range covering them returns, and out of its count.
   */
  async range(request: RangeRequest): Promise<RangeResponse> {
    const end = userRangeEnd(request);
    if (!touchesSystemKeys(request.key, end)) return this.model.range(request);
    const response = await this.model.range(request);
    const kvs = response.kvs.filter((kv) => !isSystemKey(kv.key));
    // Only the records the range covers come off its count.
    const hidden = await this.model.range({ ...systemPartOf(request.key, end), countOnly: true });
    return { ...response, kvs, count: Math.max(0, response.count - hidden.count) };
  }

  /**
   * A watch over user keys: the cluster's own records (under the reserved prefix) are left
   * out of a watch whose range covers them, as they are out of a range read.
   */
  watch(request: WatchRequest): Watcher {
    if (!touchesSystemKeys(request.key, userRangeEnd(request))) return this.model.watch(request);
    return this.model.watch({ ...request, excludePrefix: SYSTEM_PREFIX });
  }

  private requireLeader(): void {
    const status = this.raftStatus();
    if (status.softState.state === 'leader') return;
    const leader = this.leader();
    throw new VstorError('NOT_LEADER', leader === undefined ? 'no leader is known; retry' : `${leader.name} is the leader`, {
      leader: leader === undefined ? undefined : { leaderId: leader.raftId, leaderAddress: leader.grpc },
    });
  }

  async addLearner(name: string, raftId: number, addresses: MemberAddresses, identity: WriteIdentity): Promise<ConfState> {
    this.requireLeader();
    const status = this.raftStatus();
    const known = [...status.confState.voters, ...status.confState.learners, ...status.confState.votersOutgoing];
    const existing = this.memberTable.record(raftId);
    if (known.includes(raftId)) {
      const same = existing !== undefined && existing.name === name && existing.grpc === addresses.grpc && existing.admin === addresses.admin && existing.nbd === addresses.nbd;
      // A retry of an add that succeeded (its answer was lost) finds the same member.
      if (same && existing.peer === addresses.peer) return status.confState;
      // A member recorded before the peer port existed is given its peer address by adding
      // it again with the same name and addresses.
      if (same && existing.peer === '') {
        await this.writeMemberRecord({ name, raftId, ...addresses }, identity);
        return status.confState;
      }
      throw new VstorError('ALREADY_EXISTS', `raft id ${raftId} is already a member`);
    }
    const sameName = this.memberTable.byName(name);
    if (sameName !== undefined && known.includes(sameName.raftId)) throw new VstorError('ALREADY_EXISTS', `a member named ${name} exists`);
    // The record first: by the time any member applies the change, it can resolve the address.
    await this.writeMemberRecord({ name, raftId, ...addresses }, identity);
    return this.changeMembership({ transition: 'auto', changes: [{ type: 'add-learner', nodeId: raftId }], context: new Uint8Array(0) },
      (cs) => cs.learners.includes(raftId));
  }

  private async writeMemberRecord(record: MemberRecord, identity: WriteIdentity): Promise<void> {
    await this.writeUnchecked({
      clientId: identity.clientId, sequence: identity.sequence,
      command: { type: 'put', key: memberKey(record.raftId), value: encodeMemberRecord(record), prevKv: false },
    } as WriteRequest);
    await this.memberTable.refresh(this.model);
  }

  async promote(raftId: number, _identity: WriteIdentity): Promise<ConfState> {
    this.requireLeader();
    const status = this.raftStatus();
    // Promoting a voter is what a retried promotion finds: done already.
    if (status.confState.voters.includes(raftId)) return status.confState;
    if (!status.confState.learners.includes(raftId)) {
      throw new VstorError(status.confState.voters.includes(raftId) ? 'ALREADY_EXISTS' : 'NOT_FOUND',
        `raft id ${raftId} is ${status.confState.voters.includes(raftId) ? 'already a voter' : 'not a learner'}`);
    }
    const match = status.progress?.get(raftId)?.match ?? 0;
    const lag = status.hardState.commit - match;
    if (lag > PROMOTE_LAG_ENTRIES_MAX) {
      throw new VstorError('FAILED_PRECONDITION', `learner ${raftId} is ${lag} entries behind (at most ${PROMOTE_LAG_ENTRIES_MAX} to be promoted); retry once it caught up`);
    }
    return this.changeMembership({ transition: 'auto', changes: [{ type: 'add-node', nodeId: raftId }], context: new Uint8Array(0) },
      (cs) => cs.voters.includes(raftId));
  }

  async remove(raftId: number, identity: WriteIdentity): Promise<ConfState> {
    this.requireLeader();
    const status = this.raftStatus();
    if (![...status.confState.voters, ...status.confState.learners].includes(raftId)) {
      // A retry of a removal that went through is answered as the first attempt was.
      const done = this.completedRemovals.get(identity.clientId);
      if (done !== undefined && done.sequence === identity.sequence && done.raftId === raftId) return status.confState;
      throw new VstorError('NOT_FOUND', `raft id ${raftId} is not a member`);
    }
    const confState = await this.changeMembership(
      { transition: 'auto', changes: [{ type: 'remove-node', nodeId: raftId }], context: new Uint8Array(0) },
      (cs) => !cs.voters.includes(raftId) && !cs.learners.includes(raftId));
    if (this.completedRemovals.size >= 1024) this.completedRemovals.delete(this.completedRemovals.keys().next().value!);
    this.completedRemovals.set(identity.clientId, { sequence: identity.sequence, raftId });
    return confState;
  }

  private async changeMembership(cc: ConfChange, done: (confState: ConfState) => boolean): Promise<ConfState> {
    this.loop.proposeConfChange(cc);
    return waitUntil(() => {
      const confState = this.raftStatus().confState;
      return done(confState) ? confState : undefined;
    }, this.options.requestTimeoutMs ?? 10_000, 'the membership change to apply');
  }

  async transferLeadership(raftId: number, timeoutMs = this.options.requestTimeoutMs ?? 10_000): Promise<void> {
    const status = this.raftStatus();
    if (!status.confState.voters.includes(raftId)) throw new VstorError('INVALID_ARGUMENT', `raft id ${raftId} is not a voter`);
    if (status.softState.lead === raftId) return;
    this.loop.transferLeadership(raftId);
    await waitUntil(() => (this.raftStatus().softState.lead === raftId ? true : undefined), timeoutMs, `leadership to move to ${raftId}`);
  }
}

/** The bytes a peer frame (a batch of Raft messages) or a snapshot chunk may take on the
 * wire, with room for framing: what a member accepts, and so what a member sends. */
export function peerMessageBytesMax(config: ClusterConfig): number {
  return Math.max(config.limits.messageBytesMax, config.limits.snapshotChunkBytes, 1 << 20) * 4 + (1 << 20);
}

function keysOf(request: WriteRequest): { key: Uint8Array; rangeEnd?: Uint8Array }[] {
  const command = request.command;
  switch (command.type) {
    case 'put':
      return [{ key: command.key }];
    case 'deleteRange':
      return [{ key: command.key, rangeEnd: command.rangeEnd }];
    case 'txn':
      return [...command.success, ...command.failure].map((op) => (op.type === 'put' ? { key: op.key } : { key: op.key, rangeEnd: op.rangeEnd }));
  }
}

async function waitUntil<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new VstorError('DEADLINE_EXCEEDED', `timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The end of a user's range or watch request, its prefix spelled out as a range end. */
function userRangeEnd(request: { key: Uint8Array; rangeEnd?: Uint8Array; prefix?: boolean }): Uint8Array | undefined {
  return request.prefix === true ? prefixEnd(request.key) : request.rangeEnd;
}
