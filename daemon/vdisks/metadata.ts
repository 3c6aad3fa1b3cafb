// Every change to vDisk metadata, each as ONE model txn (DESIGN.md "The model"): read the
// records it depends on, decide, and write them back on condition that none of them
// changed since it read them (their modRevision, 0 for a key that must still be absent).
// So a change is atomic — a clone writes the child, the parent's clone list and the id
// counter together, or nothing — and two members changing one vDisk at once cannot lose
// either change: the loser reads again and decides again, a bounded number of times.
//
// Reads follow a read barrier, so what a change decides from (NOT_FOUND, ALREADY_EXISTS,
// a shrink) is linearizable whichever member runs it. A snapshot, on the latency path of
// every backup and replication round, skips that barrier on its first attempt: the owner
// decides from the model as applied here, which its own last change is part of. A write
// decided that way is safe whatever it read, since the txn's compares fail if any record
// it read was stale; a refusal or an "already done" is not trusted until decided again
// after a barrier.
//
// Retries of a client's call: a record keeps the (client_id, sequence) of its last change;
// a call that finds its own pair there was already applied (its answer was lost), and is
// answered with the state as it is instead of failing.

import type { ChangeIdentity, VDiskInfo, VDiskSnapshotInfo } from '../../rpc/vdisk-api.ts';
import { VstorError } from '../../storage-engine/errors.ts';
import type { Compare, TxnOperation } from '../../storage-engine/model/index.ts';
import { CLONE_DEPTH_MAX } from '../../storage-engine/vdisk/block-store.ts';
import { EPOCH_MAX, VDISK_ID_MAX } from '../../storage-engine/vdisk/keys.ts';
import type { SnapshotRecord, VDiskRecord } from './record.ts';
import {
  CLONES_PER_VDISK_MAX,
  decodeNextId,
  decodeVDiskRecord,
  encodeNextId,
  encodeVDiskRecord,
  isRetryOf,
  SNAPSHOTS_PER_VDISK_MAX,
  VDISK_NEXT_ID_KEY,
  vdiskInfo,
  vdiskKey,
} from './record.ts';
import type { SystemModel } from './system-model.ts';

export interface MetadataOptions {
  model: SystemModel;
  /** Attempts of one change before giving up with UNAVAILABLE. Default 8. */
  attemptsMax?: number;
  /** Wall-clock milliseconds for created-at times. Default Date.now. */
  now?: () => number;
}

type Plan<T> =
  /** Nothing to write: a retry of a change already made, or a change to the same state. */
  | { kind: 'done'; result: T }
  | { kind: 'write'; operations: TxnOperation[]; result: (revision: number) => T };

export interface ReadRecord {
  record: VDiskRecord;
  revision: number;
}

/** Reads for one attempt, each remembered as a compare of the txn that follows. */
class TxnReads {
  readonly compares: Compare[] = [];

  /** `known`: a record the caller holds at its revision, taken as read without a model read. */
  constructor(private readonly model: SystemModel, private readonly known?: ReadRecord) {}

  async record(name: string): Promise<ReadRecord | undefined> {
    const key = vdiskKey(name);
    if (this.known !== undefined && this.known.record.name === name) {
      this.compares.push({ target: 'modRevision', key, result: '=', modRevision: this.known.revision });
      return this.known;
    }
    const kv = await this.model.getSystem(key);
    this.compares.push({ target: 'modRevision', key, result: '=', modRevision: kv?.modRevision ?? 0 });
    return kv === undefined ? undefined : { record: decodeVDiskRecord(kv.value, name), revision: kv.modRevision };
  }

  async nextId(): Promise<number> {
    const kv = await this.model.getSystem(VDISK_NEXT_ID_KEY);
    this.compares.push({ target: 'modRevision', key: VDISK_NEXT_ID_KEY, result: '=', modRevision: kv?.modRevision ?? 0 });
    const id = decodeNextId(kv?.value);
    if (id > VDISK_ID_MAX) throw new VstorError('RESOURCE_EXHAUSTED', `every vdisk id up to ${VDISK_ID_MAX} has been used`);
    return id;
  }

  /** A record read without a compare: for facts the txn does not depend on. */
  async peek(name: string): Promise<VDiskRecord | undefined> {
    const kv = await this.model.getSystem(vdiskKey(name));
    return kv === undefined ? undefined : decodeVDiskRecord(kv.value, name);
  }
}

/** What addSnapshot() answers: the call's answer, and the record it wrote at `revision`. */
export interface SnapshotAdded {
  vdisk: VDiskInfo;
  snapshot: VDiskSnapshotInfo;
  record: VDiskRecord;
  revision: number;
  /** False when the snapshot was there already, made by an earlier attempt of this call. */
  changed: boolean;
}

/** What deleteSnapshot() answers: the call's answer, and the record as it now is at `revision`. */
export interface SnapshotDeleted {
  vdisk: VDiskInfo;
  record: VDiskRecord;
  revision: number;
}

function put(record: VDiskRecord): TxnOperation {
  return { type: 'put', key: vdiskKey(record.name), value: encodeVDiskRecord(record) };
}

function notFound(name: string): VstorError {
  return new VstorError('NOT_FOUND', `vdisk ${name} does not exist`);
}

function snapshotNotFound(name: string, snapshot: string): VstorError {
  return new VstorError('NOT_FOUND', `vdisk ${name} has no snapshot ${snapshot}`);
}

/** The vDisk under `name` is not the one the caller resolved (deleted and created again). */
function replaced(name: string, id: number): VstorError {
  return new VstorError('UNAVAILABLE', `vdisk ${name} is no longer vdisk id ${id}; retry`);
}

function withChange(record: VDiskRecord, identity: ChangeIdentity | undefined): VDiskRecord {
  const changed = { ...record };
  if (identity === undefined) delete changed.lastChange;
  else changed.lastChange = { ...identity };
  return changed;
}

function withoutClone(record: VDiskRecord, snapshotName: string, clone: string): VDiskRecord {
  return {
    ...record,
    snapshots: record.snapshots.map((snapshot) => (snapshot.name === snapshotName ? { ...snapshot, clones: snapshot.clones.filter((name) => name !== clone) } : snapshot)),
  };
}

function describeClones(record: VDiskRecord): string {
  return record.snapshots.filter((snapshot) => snapshot.clones.length > 0).map((snapshot) => `${snapshot.name}: ${snapshot.clones.join(', ')}`).join('; ');
}

export class VDiskMetadata {
  private readonly model: SystemModel;
  private readonly attemptsMax: number;
  private readonly now: () => number;

  constructor(options: MetadataOptions) {
    this.model = options.model;
    this.attemptsMax = options.attemptsMax ?? 8;
    this.now = options.now ?? Date.now;
  }

  create(spec: { name: string; sizeBytes: number; owner: string }, identity: ChangeIdentity | undefined): Promise<VDiskInfo> {
    return this.change(`create vdisk ${spec.name}`, async (reads) => {
      const existing = await reads.record(spec.name);
      if (existing !== undefined) {
        if (isRetryOf(existing.record, identity)) return { kind: 'done', result: vdiskInfo(existing.record, existing.revision) };
        throw new VstorError('ALREADY_EXISTS', `vdisk ${spec.name} already exists`);
      }
      const id = await reads.nextId();
      const record = withChange({
        id, name: spec.name, sizeBytes: spec.sizeBytes, owner: spec.owner, headEpoch: 1, snapshots: [], createdAtMs: this.now(),
      }, identity);
      return {
        kind: 'write',
        operations: [put(record), { type: 'put', key: VDISK_NEXT_ID_KEY, value: encodeNextId(id + 1) }],
        result: (revision) => vdiskInfo(record, revision),
      };
    });
  }

  resize(name: string, sizeBytes: number, identity: ChangeIdentity | undefined): Promise<VDiskInfo> {
    return this.change(`resize vdisk ${name}`, async (reads) => {
      const existing = await reads.record(name);
      if (existing === undefined) throw notFound(name);
      const { record, revision } = existing;
      if (isRetryOf(record, identity) || record.sizeBytes === sizeBytes) return { kind: 'done', result: vdiskInfo(record, revision) };
      if (sizeBytes < record.sizeBytes) {
        throw new VstorError('FAILED_PRECONDITION', `vdisk ${name} is ${record.sizeBytes} bytes; shrinking it to ${sizeBytes} bytes would destroy data and is refused`);
      }
      const resized = withChange({ ...record, sizeBytes }, identity);
      return { kind: 'write', operations: [put(resized)], result: (at) => vdiskInfo(resized, at) };
    });
  }

  /**
   * Closes the head epoch under `snapshot`. Runs on the owner, under the vDisk's gate.
   * Also answers with the record as written and its revision, for the owner's catalog.
   * `known`: the record as the owner's catalog has it, at its revision; the first attempt
   * plans on it rather than on a model read (the txn's compare catches a stale one).
   */
  addSnapshot(name: string, id: number, snapshot: string, identity: ChangeIdentity | undefined, known?: ReadRecord): Promise<SnapshotAdded> {
    return this.change<SnapshotAdded>(`snapshot vdisk ${name}`, async (reads) => {
      const existing = await reads.record(name);
      if (existing === undefined) throw notFound(name);
      const { record, revision } = existing;
      if (record.id !== id) throw replaced(name, id);
      const taken = record.snapshots.find((candidate) => candidate.name === snapshot);
      if (taken !== undefined) {
        if (isRetryOf(record, identity)) return { kind: 'done', result: { vdisk: vdiskInfo(record, revision), snapshot: { ...taken, clones: [...taken.clones] }, record, revision, changed: false } };
        throw new VstorError('ALREADY_EXISTS', `vdisk ${name} already has a snapshot ${snapshot}`);
      }
      if (record.snapshots.length >= SNAPSHOTS_PER_VDISK_MAX) {
        throw new VstorError('FAILED_PRECONDITION', `vdisk ${name} has ${record.snapshots.length} snapshots, the most it may have; delete one first`);
      }
      if (record.headEpoch + 1 > EPOCH_MAX) throw new VstorError('RESOURCE_EXHAUSTED', `vdisk ${name} has used every epoch`);
      const created: SnapshotRecord = { name: snapshot, epoch: record.headEpoch, sizeBytes: record.sizeBytes, createdAtMs: this.now(), clones: [] };
      const changed = withChange({ ...record, headEpoch: record.headEpoch + 1, snapshots: [...record.snapshots, created] }, identity);
      return { kind: 'write', operations: [put(changed)], result: (at) => ({ vdisk: vdiskInfo(changed, at), snapshot: { ...created, clones: [] }, record: changed, revision: at, changed: true }) };
    }, { optimistic: true, known });
  }

  /**
   * Removes `snapshot` from the vDisk's record. Also answers with the record as written (or
   * as found, for a retry) and its revision, for the catalog. `known`: the record as this
   * member's catalog has it, at its revision; the first attempt plans on it without a read
   * barrier or a model read (the txn's compare catches a stale one, and a refusal from it
   * is decided again after a barrier).
   */
  deleteSnapshot(name: string, snapshot: string, identity: ChangeIdentity | undefined, known?: ReadRecord): Promise<SnapshotDeleted> {
    return this.change<SnapshotDeleted>(`delete snapshot ${name}@${snapshot}`, async (reads) => {
      const existing = await reads.record(name);
      if (existing === undefined) throw notFound(name);
      const { record, revision } = existing;
      const found = record.snapshots.find((candidate) => candidate.name === snapshot);
      if (found === undefined) {
        if (isRetryOf(record, identity)) return { kind: 'done', result: { vdisk: vdiskInfo(record, revision), record, revision } };
        throw snapshotNotFound(name, snapshot);
      }
      if (found.clones.length > 0) {
        throw new VstorError('FAILED_PRECONDITION', `snapshot ${name}@${snapshot} has clones (${found.clones.join(', ')}); delete or flatten them first`);
      }
      const changed = withChange({ ...record, snapshots: record.snapshots.filter((candidate) => candidate !== found) }, identity);
      return { kind: 'write', operations: [put(changed)], result: (at) => ({ vdisk: vdiskInfo(changed, at), record: changed, revision: at }) };
    }, { optimistic: true, known });
  }

  clone(name: string, snapshot: string, cloneName: string, identity: ChangeIdentity | undefined): Promise<VDiskInfo> {
    return this.change(`clone ${name}@${snapshot} to ${cloneName}`, async (reads) => {
      const existingClone = await reads.record(cloneName);
      if (existingClone !== undefined) {
        if (isRetryOf(existingClone.record, identity)) return { kind: 'done', result: vdiskInfo(existingClone.record, existingClone.revision) };
        throw new VstorError('ALREADY_EXISTS', `vdisk ${cloneName} already exists`);
      }
      const source = await reads.record(name);
      if (source === undefined) throw notFound(name);
      const parent = source.record;
      const found = parent.snapshots.find((candidate) => candidate.name === snapshot);
      if (found === undefined) throw snapshotNotFound(name, snapshot);
      const cloneCount = parent.snapshots.reduce((sum, candidate) => sum + candidate.clones.length, 0);
      if (cloneCount >= CLONES_PER_VDISK_MAX) {
        throw new VstorError('FAILED_PRECONDITION', `vdisk ${name} already has ${cloneCount} clones, the most it may have`);
      }
      // The chain above the parent only ever gets shorter (flatten), so it needs no compare.
      let depth = 2;
      for (let link = parent.parent; link !== undefined; link = (await reads.peek(link.name))?.parent) {
        if (++depth > CLONE_DEPTH_MAX) {
          throw new VstorError('FAILED_PRECONDITION', `a clone of ${name} would be ${depth} vdisks deep, more than ${CLONE_DEPTH_MAX}; flatten ${name} first`);
        }
      }
      const id = await reads.nextId();
      const child = withChange({
        id, name: cloneName, sizeBytes: found.sizeBytes, owner: parent.owner, headEpoch: 1,
        parent: { name, id: parent.id, snapshot, epoch: found.epoch }, snapshots: [], createdAtMs: this.now(),
      }, identity);
      const changedParent: VDiskRecord = {
        ...parent,
        snapshots: parent.snapshots.map((candidate) => (candidate === found ? { ...candidate, clones: [...candidate.clones, cloneName] } : candidate)),
      };
      return {
        kind: 'write',
        operations: [put(child), put(changedParent), { type: 'put', key: VDISK_NEXT_ID_KEY, value: encodeNextId(id + 1) }],
        result: (at) => vdiskInfo(child, at),
      };
    });
  }

  /**
   * Removes a vDisk's record (and its name from its parent's clone list), and answers with
   * the record as it was. Runs on the owner under the vDisk's gate; the blocks go
   * afterwards. A gone record is NOT_FOUND: the client library knows whether an earlier
   * attempt of its own may have deleted it.
   */
  delete(name: string, id: number): Promise<VDiskRecord> {
    return this.change(`delete vdisk ${name}`, async (reads) => {
      const existing = await reads.record(name);
      if (existing === undefined) throw notFound(name);
      const { record } = existing;
      if (record.id !== id) throw replaced(name, id);
      const clones = describeClones(record);
      if (clones !== '') throw new VstorError('FAILED_PRECONDITION', `vdisk ${name} has snapshots with clones (${clones}); delete or flatten them first`);
      const operations: TxnOperation[] = [{ type: 'deleteRange', key: vdiskKey(name) }];
      if (record.parent !== undefined) {
        const parent = await reads.record(record.parent.name);
        if (parent !== undefined) operations.push(put(withoutClone(parent.record, record.parent.snapshot, name)));
      }
      return { kind: 'write', operations, result: () => record };
    });
  }

  /** After the engine flattened a clone: it no longer has a parent. Runs on the owner. */
  unlinkParent(name: string, id: number, identity: ChangeIdentity | undefined): Promise<VDiskInfo> {
    return this.change(`flatten vdisk ${name}`, async (reads) => {
      const existing = await reads.record(name);
      if (existing === undefined) throw notFound(name);
      const { record, revision } = existing;
      if (record.id !== id) throw replaced(name, id);
      if (record.parent === undefined) return { kind: 'done', result: vdiskInfo(record, revision) };
      const operations: TxnOperation[] = [];
      const parent = await reads.record(record.parent.name);
      if (parent !== undefined) operations.push(put(withoutClone(parent.record, record.parent.snapshot, name)));
      const unlinked = withChange({ ...record }, identity);
      delete unlinked.parent;
      operations.push(put(unlinked));
      return { kind: 'write', operations, result: (at) => vdiskInfo(unlinked, at) };
    });
  }

  /**
   * Plans on fresh reads until the txn applies with every read unchanged. `optimistic`: the
   * first attempt plans on this member's model without a read barrier (and on `known`, if
   * given); a refusal or a "done" from that plan is only believed after a barrier.
   */
  private async change<T>(what: string, plan: (reads: TxnReads) => Promise<Plan<T>>, options: { optimistic?: boolean; known?: ReadRecord } = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const afterBarrier = attempt > 1 || options.optimistic !== true;
      if (afterBarrier) await this.model.readBarrier();
      const reads = new TxnReads(this.model, afterBarrier ? undefined : options.known);
      let planned: Plan<T>;
      try {
        planned = await plan(reads);
      } catch (error) {
        if (afterBarrier) throw error;
        continue;
      }
      if (planned.kind === 'done') {
        if (afterBarrier) return planned.result;
        continue;
      }
      const response = await this.model.writeSystem({ type: 'txn', compare: reads.compares, success: planned.operations, failure: [] });
      if (response.type === 'error') throw new VstorError(response.code, `${what}: ${response.message}`);
      if (response.type !== 'txn') throw new VstorError('INTERNAL', `${what}: the model answered a txn with ${response.type}`);
      if (response.succeeded) return planned.result(response.header.revision);
      if (attempt >= this.attemptsMax) {
        throw new VstorError('UNAVAILABLE', `${what}: the metadata changed under each of ${this.attemptsMax} attempts; retry`);
      }
    }
  }
}
