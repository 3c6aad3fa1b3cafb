// The vDisk side of a member (issue 4, "Metadata, placement, API"): it serves the VDisks
// service's calls (rpc/vdisk-api.ts) wherever they arrive and decides where each runs.
//
// - Metadata lives in the Raft model (record.ts); changes are single txns (metadata.ts)
//   that any member proposes. A create without a chosen node runs on the leader, which
//   alone sees which members are reachable; placement (placement.ts) picks the owner.
// - A vDisk's blocks live on its owner, in this member's own block database
//   (dataDir/<member>/blocks). I/O, and the calls that move the head epoch or rewrite
//   blocks, run on the owner (owner.ts); any other member forwards them there over gRPC
//   (rpc/vdisk-peers.ts). A linked clone is owned by its parent's owner, because its
//   unwritten blocks are read from the parent's blocks, which live there.
// - The catalog (catalog.ts) is this member's view of the metadata, kept by a watch.
//
// Lifecycle: open() opens the block database and starts the catalog, the capacity
// publisher and the scrubber; then, in the background, once this member is caught up, it
// finishes rollbacks a crash interrupted and purges the blocks of vDisks the model no
// longer has (deleted while this member was down, or before their purge finished).
// close() stops all of it and waits for what is in flight. Both are safe twice.

import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { ClassicLevel } from 'classic-level';
import type { Logger } from 'pino';
import type { RaftStatus } from '../../consensus/index.ts';
import type { MemberInfo } from '../../rpc/node-api.ts';
import type {
  AllocationSpec,
  ChangeIdentity,
  CreateVDiskSpec,
  DiffPage,
  DiffSpec,
  Extent,
  RangeSpec,
  ReadSpec,
  VDiskCallContext,
  VDiskInfo,
  VDiskNode,
  VDiskSnapshotInfo,
  WriteSpec,
} from '../../rpc/vdisk-api.ts';
import { VDISK_RANGE_BYTES_MAX } from '../../rpc/vdisk-checks.ts';
import { VDiskPeers } from '../../rpc/vdisk-peers.ts';
import { isVstorError, VstorError } from '../../storage-engine/errors.ts';
import { BlockStore } from '../../storage-engine/vdisk/block-store.ts';
import type { BlockCache } from '../../storage-engine/vdisk/block-cache.ts';
import type { ScrubProgress } from '../../storage-engine/vdisk/scrubber.ts';
import type { BlockEngine } from './block-engine.ts';
import { CapacityPublisher, capacityKey, decodeCapacityRecord } from './capacity.ts';
import type { CatalogEntry } from './catalog.ts';
import { VDiskCatalog } from './catalog.ts';
import { VDiskGates } from './gate.ts';
import { VDiskMetadata } from './metadata.ts';
import type { VDiskObserver } from './owner.ts';
import { VDiskOwner } from './owner.ts';
import type { PlacementCandidate } from './placement.ts';
import { placeVDisk } from './placement.ts';
import { decodeVDiskRecord, nameOfKey, VDISK_PREFIX, vdiskInfo, vdiskKey } from './record.ts';
import type { SystemModel } from './system-model.ts';
import { ScrubLoop } from './scrub-loop.ts';

/** What the manager needs to know of the Raft group it runs in (VstorNode). */
export interface ClusterView {
  readonly name: string;
  readonly raftId: number;
  raftStatus(): RaftStatus;
  leader(): MemberInfo | undefined;
  members(): MemberInfo[];
}

export interface VDiskManagerOptions {
  model: SystemModel;
  cluster: ClusterView;
  /** This member's data directory (dataDir/<member>); blocks go under blocks/. */
  directory: string;
  /** The longest read or write, in bytes. */
  requestBytesMax: number;
  logger: Logger;
  observer?: VDiskObserver;
  /** The longest a call forwarded to another member may take. Default 10 s. */
  forwardTimeoutMs?: number;
  /** How often this member checks its free space. Default 30 s. */
  capacityIntervalMs?: number;
  /** How often the owner scrubs its vDisks. Default 10 min. */
  scrubIntervalMs?: number;
  /** Rows per scrub pass under a vDisk's lock. Default 4096. */
  scrubRowsPerPassMax?: number;
  /** Memory for the read cache of owned vDisks' blocks, in bytes. Default 0: none. */
  readCacheBytes?: number;
  /** The engine over the block store. Default: the BlockStore itself. */
  engine?: (store: BlockStore) => BlockEngine;
}

/** Distinct corrupt blocks logged at most; the metric keeps counting past it. */
const CORRUPT_LOCATIONS_LOGGED_MAX = 1000;

type ManagerState = 'new' | 'opening' | 'open' | 'closing' | 'closed';

const RECOVERY_RETRY_MS = 1000;

/**
 * The block database's memtable. LevelDB's default (4 MiB) fills every thousand 4 KiB
 * writes, and random writes then pile up level-0 files faster than compaction merges them,
 * until LevelDB slows every write down. A larger one flushes less often, in larger files.
 * LevelDB may hold two of them (one being flushed).
 */
export const BLOCK_WRITE_BUFFER_BYTES = 32 * 1024 * 1024;

/**
 * The block database's table layout. LevelDB's defaults (4 KiB table blocks, 2 MiB files)
 * suit small values; a block record is 4 KiB, so each table block held one record and an
 * index entry of its own, and compaction worked through hundreds of small files. With 16
 * KiB blocks and 16 MiB files, `profile-vdisk --workload 1m-seqwrite` (20 s over a
 * prefilled 1 GiB vDisk, two runs each) moved from 15-27 to 29-41 MiB/s, the owner's CPU
 * per MiB from 56-79 to 32-44 ms (most of it the compaction thread) and the write p99 from
 * 7.5-17 s to 0.3-5.3 s; 4 KiB random reads and writes were unchanged. Existing tables stay
 * readable as they are: the layout applies to the files compaction writes from then on.
 */
export const BLOCK_TABLE_BLOCK_BYTES = 16 * 1024;
export const BLOCK_TABLE_FILE_BYTES = 16 * 1024 * 1024;

export class VDiskManager implements VDiskNode {
  private state: ManagerState = 'new';
  private database: ClassicLevel<Uint8Array, Uint8Array> | undefined;
  private store: BlockStore | undefined;
  private blockEngine: BlockEngine | undefined;
  private ownerOps: VDiskOwner | undefined;
  private scrubLoop: ScrubLoop | undefined;
  private capacity: CapacityPublisher | undefined;
  readonly catalog: VDiskCatalog;
  private readonly metadata: VDiskMetadata;
  private readonly gates = new VDiskGates();
  private readonly peers: VDiskPeers;
  private readonly background = new Set<Promise<unknown>>();
  private readonly logger: Logger;

  constructor(private readonly options: VDiskManagerOptions) {
    this.logger = options.logger.child({ component: 'vdisks' });
    this.catalog = new VDiskCatalog(options.model, this.logger);
    this.metadata = new VDiskMetadata({ model: options.model });
    this.peers = new VDiskPeers({ memberName: options.cluster.name, requestBytesMax: options.requestBytesMax, forwardTimeoutMs: options.forwardTimeoutMs ?? 10_000 });
  }

  get status(): ManagerState {
    return this.state;
  }

  /** The block engine in use (for metrics and tests). */
  get engine(): BlockEngine {
    if (this.blockEngine === undefined) throw new VstorError('NOT_OPEN', 'the vdisk manager is not open');
    return this.blockEngine;
  }

  /** The block store's read cache, if it has one (for metrics). */
  get readCache(): BlockCache | undefined {
    return this.store?.cache;
  }

  /** Each corrupt block is logged once per process: a client retrying a read must not flood the log. */
  private readonly corruptLogged = new Set<string>();

  private logCorruption(location: { vdiskId: number; blockIndex: number; epoch: number }): void {
    const key = `${location.vdiskId}/${location.blockIndex}/${location.epoch}`;
    if (this.corruptLogged.has(key) || this.corruptLogged.size >= CORRUPT_LOCATIONS_LOGGED_MAX) return;
    this.corruptLogged.add(key);
    const vdisk = this.catalog.entries().find((entry) => entry.record.id === location.vdiskId)?.record.name;
    this.logger.error({ vdisk, vdiskId: location.vdiskId, block: location.blockIndex, offsetBytes: location.blockIndex * 4096, epoch: location.epoch },
      'block checksum mismatch: the read failed with an I/O error; restore the vdisk from a replica or a snapshot copy');
  }

  async open(): Promise<void> {
    if (this.state !== 'new') return;
    this.state = 'opening';
    const { options } = this;
    const blocksDirectory = join(options.directory, 'blocks');
    await mkdir(blocksDirectory, { recursive: true });
    this.database = new ClassicLevel<Uint8Array, Uint8Array>(blocksDirectory, {
      keyEncoding: 'view', valueEncoding: 'view', writeBufferSize: BLOCK_WRITE_BUFFER_BYTES, blockSize: BLOCK_TABLE_BLOCK_BYTES, maxFileSize: BLOCK_TABLE_FILE_BYTES,
    });
    await this.database.open();
    this.store = new BlockStore({
      db: this.database, requestBytesMax: options.requestBytesMax, rangeBytesMax: VDISK_RANGE_BYTES_MAX,
      // The read fails with CORRUPTION (an I/O error to NBD clients) and the engine counts it
      // (vstor_vdisk_corrupt_blocks_total); the log line says where, for the operator.
      onCorruption: (location) => this.logCorruption(location),
      readCacheBytes: options.readCacheBytes ?? 0,
    });
    this.blockEngine = options.engine?.(this.store) ?? this.store;
    this.ownerOps = new VDiskOwner({
      memberName: options.cluster.name, model: options.model, catalog: this.catalog, metadata: this.metadata,
      engine: this.blockEngine, gates: this.gates, logger: this.logger, observer: options.observer,
    });
    await this.catalog.open();
    this.capacity = new CapacityPublisher({
      model: options.model, memberName: options.cluster.name, directory: options.directory,
      intervalMs: options.capacityIntervalMs ?? 30_000, retryIntervalMs: 1000, logger: this.logger,
    });
    this.capacity.start();
    const owner = this.ownerOps;
    this.scrubLoop = new ScrubLoop({
      store: this.store, intervalMs: options.scrubIntervalMs ?? 600_000, rowsPerPassMax: options.scrubRowsPerPassMax ?? 4096,
      owned: () => this.owned().map((entry) => entry.record.id),
      live: (id) => owner.liveState(id),
      logger: this.logger,
    });
    this.scrubLoop.start();
    this.state = 'open';
    this.track(this.recover());
    this.logger.info({ blocks: blocksDirectory, vdisks: this.catalog.entries().length, owned: this.owned().length }, 'vdisks open');
  }

  /** Stops the background work, waits for it, and closes the block database. Safe twice.
   * Close the servers that call in first. */
  async close(): Promise<void> {
    if (this.state === 'new' || this.state === 'closing' || this.state === 'closed') return;
    this.state = 'closing';
    await this.scrubLoop?.close();
    await this.capacity?.close();
    await this.catalog.close();
    await Promise.allSettled([...this.background]);
    this.peers.close();
    await this.database?.close();
    this.state = 'closed';
  }

  /** The vDisks this member owns. */
  owned(): CatalogEntry[] {
    return this.catalog.entries().filter((entry) => entry.record.owner === this.options.cluster.name);
  }

  /** The scrubber's running counts and state, for metrics. */
  scrubStatus(): { progress: ScrubProgress; runsCompleted: number; active: boolean } {
    const loop = this.scrubLoop;
    if (loop === undefined) return { progress: { blocksScanned: 0, versionsScanned: 0, versionsReclaimed: 0, corruptVersions: 0, passes: 0 }, runsCompleted: 0, active: false };
    return { progress: { ...loop.progress }, runsCompleted: loop.runsCompleted, active: loop.active };
  }

  /** Runs one scrub over the owned vDisks now (tests, operators). */
  scrubNow(): Promise<void> {
    if (this.scrubLoop === undefined) throw new VstorError('NOT_OPEN', 'the vdisk manager is not open');
    return this.scrubLoop.runOnce();
  }

  // ---- metadata: any member ----

  async createVDisk(spec: CreateVDiskSpec, identity: ChangeIdentity | undefined, context: VDiskCallContext): Promise<VDiskInfo> {
    this.checkOpen();
    const { cluster } = this.options;
    if (spec.node === undefined && cluster.raftStatus().softState.state !== 'leader') {
      // Placement needs the leader's view of who is reachable.
      const leader = cluster.leader();
      const known = leader !== undefined && leader.raftId !== cluster.raftId ? leader : undefined;
      if (context.forwardedBy !== undefined) {
        throw new VstorError('NOT_LEADER', `${cluster.name} does not lead and does not forward a call that ${context.forwardedBy} forwarded`, {
          leader: known === undefined ? undefined : { leaderId: known.raftId, leaderAddress: known.grpc },
        });
      }
      if (known === undefined) throw new VstorError('UNAVAILABLE', 'no leader is known to place the vdisk (an election is under way); retry');
      return this.peers.createVDisk(known, spec, identity, context);
    }
    const owner = placeVDisk(await this.placementCandidates(), spec.node);
    const created = await this.metadata.create({ name: spec.name, sizeBytes: spec.sizeBytes, owner }, identity);
    await this.catalog.refresh(spec.name);
    this.logger.info({ vdisk: spec.name, id: created.id, sizeBytes: spec.sizeBytes, owner }, 'vdisk created');
    return created;
  }

  async listVDisks(options: { serializable: boolean }): Promise<VDiskInfo[]> {
    this.checkOpen();
    if (options.serializable) return this.catalog.entries().map((entry) => vdiskInfo(entry.record, entry.revision));
    await this.options.model.readBarrier();
    const { kvs } = await this.options.model.rangeSystem(VDISK_PREFIX);
    const listed: VDiskInfo[] = [];
    for (const kv of kvs) {
      const name = nameOfKey(kv.key);
      if (name !== undefined) listed.push(vdiskInfo(decodeVDiskRecord(kv.value, name), kv.modRevision));
    }
    return listed;
  }

  async getVDisk(name: string, options: { serializable: boolean }): Promise<VDiskInfo> {
    this.checkOpen();
    if (options.serializable) {
      const entry = this.catalog.get(name);
      if (entry === undefined) throw new VstorError('NOT_FOUND', `vdisk ${name} does not exist`);
      return vdiskInfo(entry.record, entry.revision);
    }
    await this.options.model.readBarrier();
    const kv = await this.options.model.getSystem(vdiskKey(name));
    if (kv === undefined) throw new VstorError('NOT_FOUND', `vdisk ${name} does not exist`);
    return vdiskInfo(decodeVDiskRecord(kv.value, name), kv.modRevision);
  }

  async resizeVDisk(name: string, sizeBytes: number, identity: ChangeIdentity | undefined): Promise<VDiskInfo> {
    this.checkOpen();
    const resized = await this.metadata.resize(name, sizeBytes, identity);
    await this.catalog.refresh(name);
    return resized;
  }

  async deleteSnapshot(name: string, snapshot: string, identity: ChangeIdentity | undefined): Promise<VDiskInfo> {
    this.checkOpen();
    // The catalog's record and revision stand in for the txn's read barrier and model read;
    // the catalog then takes the record the txn wrote rather than reading it back.
    const deleted = await this.metadata.deleteSnapshot(name, snapshot, identity, this.catalog.get(name));
    this.catalog.learn(deleted.record, deleted.revision);
    return deleted.vdisk;
  }

  async clone(name: string, snapshot: string, cloneName: string, identity: ChangeIdentity | undefined): Promise<VDiskInfo> {
    this.checkOpen();
    const cloned = await this.metadata.clone(name, snapshot, cloneName, identity);
    await this.catalog.refresh(cloneName);
    await this.catalog.refresh(name);
    return cloned;
  }

  // ---- on the owner ----

  async deleteVDisk(name: string, identity: ChangeIdentity | undefined, context: VDiskCallContext): Promise<void> {
    this.checkOpen();
    const located = await this.locate(name);
    if (located.owner === undefined) {
      const removed = await this.owner.delete(name, located.entry.record.id);
      this.logger.info({ vdisk: name, id: removed.id }, 'vdisk deleted');
      this.purgeLater(removed.id);
      return;
    }
    if (located.ownerGone) {
      // Its owner left the cluster, and its blocks with it: only the metadata remains.
      await this.metadata.delete(name, located.entry.record.id);
      await this.catalog.refresh(name);
      return;
    }
    this.checkNotForwarded(name, located.owner, context);
    await this.peers.deleteVDisk(located.owner, name, identity, context);
  }

  read(spec: ReadSpec, context: VDiskCallContext): Promise<Uint8Array> {
    return this.onOwner(spec.name, context, (id) => this.owner.read(spec, id), (member) => this.peers.read(member, spec, context));
  }

  write(spec: WriteSpec, context: VDiskCallContext): Promise<void> {
    return this.onOwner(spec.name, context, (id) => this.owner.write(spec, id), (member) => this.peers.write(member, spec, context));
  }

  trim(spec: RangeSpec, context: VDiskCallContext): Promise<void> {
    return this.onOwner(spec.name, context, (id) => this.owner.zero(spec, id, 'trim'), (member) => this.peers.trim(member, spec, context));
  }

  writeZeroes(spec: RangeSpec, context: VDiskCallContext): Promise<void> {
    return this.onOwner(spec.name, context, (id) => this.owner.zero(spec, id, 'write_zeroes'), (member) => this.peers.writeZeroes(member, spec, context));
  }

  flush(name: string, context: VDiskCallContext): Promise<void> {
    return this.onOwner(name, context, (id) => this.owner.flush(name, id), (member) => this.peers.flush(member, name, context));
  }

  allocationMap(spec: AllocationSpec, context: VDiskCallContext): Promise<Extent[]> {
    return this.onOwner(spec.name, context, (id) => this.owner.allocationMap(spec, id), (member) => this.peers.allocationMap(member, spec, context));
  }

  diff(spec: DiffSpec, context: VDiskCallContext): Promise<DiffPage> {
    return this.onOwner(spec.name, context, (id) => this.owner.diff(spec, id), (member) => this.peers.diff(member, spec, context));
  }

  createSnapshot(name: string, snapshot: string, identity: ChangeIdentity | undefined, context: VDiskCallContext): Promise<{ vdisk: VDiskInfo; snapshot: VDiskSnapshotInfo }> {
    return this.onOwner(name, context, (id) => this.owner.createSnapshot(name, id, snapshot, identity), (member) => this.peers.createSnapshot(member, name, snapshot, identity, context));
  }

  rollback(name: string, snapshot: string, context: VDiskCallContext): Promise<VDiskInfo> {
    return this.onOwner(name, context, (id) => this.owner.rollback(name, id, snapshot), (member) => this.peers.rollback(member, name, snapshot, context));
  }

  flatten(name: string, identity: ChangeIdentity | undefined, context: VDiskCallContext): Promise<VDiskInfo> {
    return this.onOwner(name, context, (id) => this.owner.flatten(name, id, identity), (member) => this.peers.flatten(member, name, identity, context));
  }

  // ---- routing ----

  private get owner(): VDiskOwner {
    if (this.ownerOps === undefined) throw new VstorError('NOT_OPEN', 'the vdisk manager is not open');
    return this.ownerOps;
  }

  /** Runs `local` if this member owns the vDisk, else `remote` on its owner. */
  private async onOwner<T>(name: string, context: VDiskCallContext, local: (id: number) => Promise<T>, remote: (owner: MemberInfo) => Promise<T>): Promise<T> {
    this.checkOpen();
    const located = await this.locate(name, context.vdiskId);
    if (located.owner === undefined) return local(located.entry.record.id);
    if (located.ownerGone) throw new VstorError('UNAVAILABLE', `vdisk ${name}'s owner ${located.owner.name} is not a member of the cluster`);
    this.checkNotForwarded(name, located.owner, context);
    return remote(located.owner);
  }

  /**
   * The vDisk's record and, unless this member owns it, its owner. With `vdiskId`, only
   * that vDisk will do: a name that now names another one is NOT_FOUND.
   */
  private async locate(name: string, vdiskId?: number): Promise<{ entry: CatalogEntry; owner?: MemberInfo; ownerGone?: boolean }> {
    let entry = this.catalog.get(name);
    if (entry === undefined || (vdiskId !== undefined && entry.record.id !== vdiskId)) {
      // Created (or deleted and created again) a moment ago through another member,
      // perhaps: look again, up to date.
      await this.options.model.readBarrier();
      entry = await this.catalog.refresh(name);
    }
    if (entry === undefined) throw new VstorError('NOT_FOUND', `vdisk ${name} does not exist`);
    if (vdiskId !== undefined && entry.record.id !== vdiskId) {
      throw new VstorError('NOT_FOUND', `vdisk ${name} (id ${vdiskId}) was deleted; the name now names vdisk id ${entry.record.id}`);
    }
    const ownerName = entry.record.owner;
    if (ownerName === this.options.cluster.name) return { entry };
    const member = this.options.cluster.members().find((candidate) => candidate.name === ownerName);
    if (member === undefined) return { entry, owner: { name: ownerName, raftId: 0, voter: false, grpc: '', peer: '', admin: '', nbd: '' }, ownerGone: true };
    return { entry, owner: member };
  }

  /** A call forwarded here that this member does not own was sent on a stale view. */
  private checkNotForwarded(name: string, owner: MemberInfo, context: VDiskCallContext): void {
    if (context.forwardedBy === undefined) return;
    throw new VstorError('UNAVAILABLE', `${context.forwardedBy} forwarded a call on vdisk ${name} to ${this.options.cluster.name}, but ${owner.name} owns it; retry`);
  }

  private async placementCandidates(): Promise<PlacementCandidate[]> {
    const { cluster, model } = this.options;
    const status = cluster.raftStatus();
    const counts = new Map<string, number>();
    for (const entry of this.catalog.entries()) counts.set(entry.record.owner, (counts.get(entry.record.owner) ?? 0) + 1);
    const candidates: PlacementCandidate[] = [];
    for (const member of cluster.members()) {
      const kv = await model.getSystem(capacityKey(member.name));
      const capacity = kv === undefined ? undefined : decodeCapacityRecord(kv.value);
      // Only the leader tracks who answers; a member placing on request trusts the caller.
      const reachable = member.raftId === cluster.raftId || (status.progress?.get(member.raftId)?.recentActive ?? status.progress === undefined);
      candidates.push({ name: member.name, freeBytes: capacity?.freeBytes ?? 0, vdiskCount: counts.get(member.name) ?? 0, reachable });
    }
    return candidates;
  }

  // ---- background ----

  private track(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) => this.logger.warn({ error: String(error) }, 'vdisk background work failed'));
    this.background.add(tracked);
    void tracked.finally(() => this.background.delete(tracked));
  }

  private purgeLater(id: number): void {
    this.track((async () => {
      try {
        const keys = await this.engine.purge(id);
        this.logger.info({ id, keys }, 'purged the blocks of a deleted vdisk');
      } catch (error) {
        const level = isVstorError(error, 'UNIMPLEMENTED') ? 'info' : 'warn';
        this.logger[level]({ id, error: String(error) }, 'the blocks of a deleted vdisk stay until the next start');
      }
    })());
  }

  /** At start: finish interrupted rollbacks, purge vDisks the model no longer has. */
  private async recover(): Promise<void> {
    const engine = this.engine;
    const ask = async <T>(what: string, call: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await call();
      } catch (error) {
        const level = isVstorError(error, 'UNIMPLEMENTED') ? 'info' : 'warn';
        this.logger[level]({ error: String(error) }, `cannot list ${what} at start`);
        return undefined;
      }
    };
    // Listed before the barrier: an id with blocks had its record applied here before its
    // first write, so after the barrier the model knows it unless it was deleted.
    const storedIds = await ask('stored vdisks', () => engine.vdiskIds());
    const rollbacks = await ask('interrupted rollbacks', () => engine.interruptedRollbacks());
    if ((storedIds?.length ?? 0) === 0 && (rollbacks?.length ?? 0) === 0) return;
    while (this.state === 'open') {
      try {
        await this.options.model.readBarrier();
        await this.catalog.reload();
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, RECOVERY_RETRY_MS));
      }
    }
    if (this.state !== 'open') return;
    if (!this.catalog.complete) {
      this.logger.warn('some vdisk records cannot be read; no blocks are purged at this start');
      return;
    }
    for (const rollback of rollbacks ?? []) {
      const entry = this.catalog.getById(rollback.vdiskId);
      if (entry === undefined || entry.record.owner !== this.options.cluster.name) continue;
      await this.gates.exclusive(rollback.vdiskId, async () => {
        await engine.rollback(await this.owner.layout(entry.record), rollback.headEpoch, rollback.snapshotEpoch);
      });
      this.logger.info({ vdisk: entry.record.name, ...rollback }, 'finished an interrupted rollback');
    }
    for (const id of storedIds ?? []) {
      if (this.state !== 'open') return;
      if (this.catalog.getById(id) === undefined) this.purgeLater(id);
    }
  }

  private checkOpen(): void {
    if (this.state !== 'open') throw new VstorError('UNAVAILABLE', `the vdisks of ${this.options.cluster.name} are ${this.state}`);
  }
}
