// What the owner of a vDisk does with its blocks: I/O against the local block engine, and
// the calls that move the head epoch or rewrite blocks (snapshot, rollback, flatten,
// delete). The manager (manager.ts) routes a call here once it knows this member owns the
// vDisk; everything here is local.
//
// The head epoch: each write reads it from the catalog inside the vDisk's gate (gate.ts),
// so it is the head at that moment, never one cached from before a snapshot. The calls
// that move it hold the gate exclusively until the model change is applied on this member
// and the catalog has it.
//
// Stale views: another member may have grown or created a vDisk a moment ago, and this
// member's catalog may not have it yet. A request that looks out of range, or names a vDisk
// not known here, is checked again after a read barrier before it is refused.
//
// Write errors: an error raised before the engine was called is left as it is (retryable
// if its code is), since nothing was touched; one raised by the engine is marked not
// retryable, since part of the change may have been made.

import type { Logger } from 'pino';
import type { ChangeIdentity, DiffPage, DiffSpec, Extent, RangeSpec, ReadSpec, VDiskInfo, VDiskSnapshotInfo, WriteSpec, AllocationSpec } from '../../rpc/vdisk-api.ts';
import { checkWithinSize } from '../../rpc/vdisk-checks.ts';
import { isVstorError, VstorError } from '../../storage-engine/errors.ts';
import type { VDiskLayout } from '../../storage-engine/vdisk/block-store.ts';
import { CLONE_DEPTH_MAX } from '../../storage-engine/vdisk/block-store.ts';
import type { BlockEngine } from './block-engine.ts';
import type { CatalogEntry, VDiskCatalog } from './catalog.ts';
import type { VDiskGates } from './gate.ts';
import type { SnapshotAdded, VDiskMetadata } from './metadata.ts';
import type { SnapshotRecord, VDiskRecord } from './record.ts';
import { isRetryOf, layoutOf, liveEpochsOf, vdiskInfo } from './record.ts';
import type { SystemModel } from './system-model.ts';

export type VDiskIoOperation = 'read' | 'write' | 'trim' | 'write_zeroes';

export interface VDiskObserver {
  /** Bytes a successful I/O call covered. */
  ioBytes(operation: VDiskIoOperation, bytes: number): void;
  /** How long a snapshot's flush and metadata change took together (the O(1) part), in seconds. */
  snapshotCreated?(durationSeconds: number): void;
}

export interface VDiskOwnerOptions {
  memberName: string;
  model: SystemModel;
  catalog: VDiskCatalog;
  metadata: VDiskMetadata;
  engine: BlockEngine;
  gates: VDiskGates;
  logger: Logger;
  observer?: VDiskObserver;
}

function snapshotOf(record: VDiskRecord, snapshot: string): SnapshotRecord {
  const found = record.snapshots.find((candidate) => candidate.name === snapshot);
  if (found === undefined) throw new VstorError('NOT_FOUND', `vdisk ${record.name} has no snapshot ${snapshot}`);
  return found;
}

/** An error from inside the engine: the change may be partly made, so no blind retry. */
function afterTouching(error: unknown): unknown {
  if (error instanceof VstorError && error.retryable) return new VstorError(error.code, error.message, { retryable: false, cause: error });
  return error;
}

export class VDiskOwner {
  /**
   * vDisks with a snapshot recorded or being recorded whose flush has not landed: what
   * reads through their epochs waits on (layout()). Settles once the create is done.
   */
  private readonly unflushedSnapshots = new Map<string, Promise<void>>();

  constructor(private readonly options: VDiskOwnerOptions) {}

  // ---- I/O ----

  read(spec: ReadSpec, id: number): Promise<Uint8Array> {
    return this.readingHead(id, spec.snapshot === undefined, async () => {
      const record = await this.current(spec.name, id, (candidate) => {
        const sizeBytes = spec.snapshot === undefined ? candidate.sizeBytes : snapshotOf(candidate, spec.snapshot).sizeBytes;
        checkWithinSize(`read of vdisk ${spec.name}`, spec.offsetBytes, spec.lengthBytes, sizeBytes);
      });
      const epoch = spec.snapshot === undefined ? record.headEpoch : snapshotOf(record, spec.snapshot).epoch;
      const data = await this.options.engine.read(await this.layout(record), epoch, spec.offsetBytes, spec.lengthBytes);
      this.options.observer?.ioBytes('read', spec.lengthBytes);
      return data;
    });
  }

  write(spec: WriteSpec, id: number): Promise<void> {
    return this.options.gates.shared(id, async () => {
      const record = await this.current(spec.name, id, (candidate) => checkWithinSize(`write to vdisk ${spec.name}`, spec.offsetBytes, spec.data.length, candidate.sizeBytes));
      const layout = await this.layout(record);
      try {
        await this.options.engine.write(layout, record.headEpoch, spec.offsetBytes, spec.data, { sync: spec.fua });
      } catch (error) {
        throw afterTouching(error);
      }
      this.options.observer?.ioBytes('write', spec.data.length);
    });
  }

  zero(spec: RangeSpec, id: number, operation: 'trim' | 'write_zeroes'): Promise<void> {
    return this.options.gates.shared(id, async () => {
      const record = await this.current(spec.name, id, (candidate) => checkWithinSize(`${operation} of vdisk ${spec.name}`, spec.offsetBytes, spec.lengthBytes, candidate.sizeBytes));
      const layout = await this.layout(record);
      try {
        if (operation === 'trim') await this.options.engine.trim(layout, record.headEpoch, spec.offsetBytes, spec.lengthBytes, { sync: spec.fua });
        else await this.options.engine.writeZeroes(layout, record.headEpoch, spec.offsetBytes, spec.lengthBytes, { sync: spec.fua });
      } catch (error) {
        throw afterTouching(error);
      }
      this.options.observer?.ioBytes(operation, spec.lengthBytes);
    });
  }

  async flush(name: string, id: number): Promise<void> {
    await this.current(name, id);
    await this.options.engine.flush();
  }

  allocationMap(spec: AllocationSpec, id: number): Promise<Extent[]> {
    return this.readingHead(id, spec.snapshot === undefined, async () => {
      const record = await this.current(spec.name, id, (candidate) => {
        const sizeBytes = spec.snapshot === undefined ? candidate.sizeBytes : snapshotOf(candidate, spec.snapshot).sizeBytes;
        checkWithinSize(`allocation map of vdisk ${spec.name}`, spec.offsetBytes, spec.lengthBytes, sizeBytes);
      });
      const epoch = spec.snapshot === undefined ? record.headEpoch : snapshotOf(record, spec.snapshot).epoch;
      return this.options.engine.allocated(await this.layout(record), epoch, spec.offsetBytes, spec.lengthBytes);
    });
  }

  diff(spec: DiffSpec, id: number): Promise<DiffPage> {
    return this.readingHead(id, spec.toSnapshot === undefined, async () => {
      const record = await this.current(spec.name, id, (candidate) => {
        if (spec.fromSnapshot !== undefined) snapshotOf(candidate, spec.fromSnapshot);
        if (spec.toSnapshot !== undefined) snapshotOf(candidate, spec.toSnapshot);
      });
      const fromEpoch = spec.fromSnapshot === undefined ? 0 : snapshotOf(record, spec.fromSnapshot).epoch;
      const toEpoch = spec.toSnapshot === undefined ? record.headEpoch : snapshotOf(record, spec.toSnapshot).epoch;
      if (fromEpoch > toEpoch) {
        throw new VstorError('INVALID_ARGUMENT', `from_snapshot: ${spec.fromSnapshot} is newer than ${spec.toSnapshot ?? 'the head'}; swap them`);
      }
      const page = await this.options.engine.diffPage(await this.layout(record), fromEpoch, toEpoch, {
        startBlockIndex: spec.startBlockIndex, rangesMax: spec.rangesMax,
      });
      const more = page.nextStartBlockIndex !== undefined;
      return { ranges: page.ranges, more, nextStartBlockIndex: page.nextStartBlockIndex ?? 0 };
    });
  }

  // ---- epoch and block changes ----

  /**
   * The engine's flush and the model change run together. The flush makes every write
   * acknowledged before the snapshot durable; the change closes the head epoch. Neither
   * needs the other: the gate holds writes back until both are done, so the epoch the
   * change closes has no writes after the ones the flush covers, and the call is answered
   * only once both have landed. Until then no I/O here reads through the vDisk's epochs
   * (layout() waits), so nothing reads the new snapshot's blocks before they are durable,
   * even if a watch has already shown it to the catalog. A flush that fails withdraws the
   * snapshot. A machine crash between the two leaves the snapshot holding what the block
   * database kept of the writes before it (a prefix of them, as the head does); the call
   * was not answered, and a retry with the same identity finds it made.
   */
  createSnapshot(name: string, id: number, snapshot: string, identity: ChangeIdentity | undefined): Promise<{ vdisk: VDiskInfo; snapshot: VDiskSnapshotInfo }> {
    const { gates, engine, metadata, catalog } = this.options;
    // The gate stops writes; the engine's lock stops a scrub pass from deciding with the
    // epochs of before (scrub-loop.ts). Both are held until the catalog has the new head.
    return gates.exclusive(id, () => engine.exclusive(id, async () => {
      await this.current(name, id);
      const startedMs = performance.now();
      let landed: () => void = () => {};
      this.unflushedSnapshots.set(name, new Promise<void>((resolve) => { landed = resolve; }));
      try {
        // Settles with the flush's error rather than rejecting, so that it is awaited on
        // every path and never left as an unhandled rejection.
        const flushed = engine.flush().then(() => undefined, (error: unknown) => error ?? new Error('the flush failed'));
        let added: SnapshotAdded;
        try {
          // The catalog's record and revision stand in for the txn's read of the model.
          added = await metadata.addSnapshot(name, id, snapshot, identity, catalog.get(name));
        } catch (error) {
          await flushed;
          throw error;
        }
        const flushError = await flushed;
        if (flushError !== undefined) throw await this.withdrawSnapshot(name, snapshot, added, flushError);
        const { vdisk, snapshot: created, record, revision } = added;
        // The txn's answer is the record as applied here: the catalog takes it as it is,
        // rather than reading it back from the model.
        catalog.learn(record, revision);
        const durationMs = performance.now() - startedMs;
        this.options.observer?.snapshotCreated?.(durationMs / 1000);
        this.options.logger.info({ vdisk: name, snapshot, epoch: created.epoch, durationMs: Math.round(durationMs * 1000) / 1000 }, 'snapshot created');
        return { vdisk, snapshot: created };
      } finally {
        this.unflushedSnapshots.delete(name);
        landed();
      }
    }));
  }

  /**
   * After a flush failed: takes the snapshot `added` out of the model again if this call
   * made it, and answers the error the caller gets. If the model refuses (a clone of it was
   * made meanwhile, no leader), the snapshot stays and the error says so.
   */
  private async withdrawSnapshot(name: string, snapshot: string, added: SnapshotAdded, flushError: unknown): Promise<VstorError> {
    const reason = flushError instanceof Error ? flushError.message : String(flushError);
    const code = isVstorError(flushError) ? flushError.code : 'INTERNAL';
    if (!added.changed) {
      return new VstorError(code, `snapshot ${name}@${snapshot}: the block engine's flush failed: ${reason}`, { cause: flushError });
    }
    let refusal: unknown;
    try {
      await this.options.metadata.deleteSnapshot(name, snapshot, undefined);
    } catch (error) {
      if (!isVstorError(error, 'NOT_FOUND')) refusal = error;
    }
    await this.options.catalog.refresh(name).catch(() => undefined);
    if (refusal !== undefined) {
      this.options.logger.error({ vdisk: name, snapshot, err: refusal }, 'a snapshot whose flush failed could not be withdrawn');
      return new VstorError(code, `snapshot ${name}@${snapshot}: the block engine's flush failed (${reason}), and the snapshot, ` +
        `already recorded, could not be withdrawn (${refusal instanceof Error ? refusal.message : String(refusal)}); delete it`, { cause: flushError });
    }
    this.options.logger.error({ vdisk: name, snapshot, err: flushError }, 'snapshot withdrawn: the block engine\'s flush failed');
    return new VstorError(code, `snapshot ${name}@${snapshot} not created: the block engine's flush failed: ${reason}`, { cause: flushError });
  }

  rollback(name: string, id: number, snapshot: string): Promise<VDiskInfo> {
    return this.options.gates.exclusive(id, async () => {
      const record = await this.current(name, id, (candidate) => snapshotOf(candidate, snapshot));
      const target = snapshotOf(record, snapshot);
      await this.options.engine.rollback(await this.layout(record), record.headEpoch, target.epoch);
      this.options.logger.info({ vdisk: name, snapshot, headEpoch: record.headEpoch, snapshotEpoch: target.epoch }, 'rolled back');
      return vdiskInfo(record, this.options.catalog.get(name)?.revision ?? 0);
    });
  }

  flatten(name: string, id: number, identity: ChangeIdentity | undefined): Promise<VDiskInfo> {
    return this.options.gates.exclusive(id, async () => {
      const record = await this.current(name, id);
      if (record.parent === undefined) {
        if (isRetryOf(record, identity)) return vdiskInfo(record, this.options.catalog.get(name)?.revision ?? 0);
        throw new VstorError('FAILED_PRECONDITION', `vdisk ${name} is not a clone; there is nothing to flatten`);
      }
      const parentName = record.parent.name;
      await this.options.engine.flatten(await this.layout(record));
      const flattened = await this.options.metadata.unlinkParent(name, id, identity);
      await this.options.catalog.refresh(name);
      await this.options.catalog.refresh(parentName);
      return flattened;
    });
  }

  /** Removes the metadata; the caller purges the blocks afterwards. */
  delete(name: string, id: number): Promise<VDiskRecord> {
    return this.options.gates.exclusive(id, async () => {
      const removed = await this.options.metadata.delete(name, id);
      await this.options.catalog.refresh(name);
      if (removed.parent !== undefined) await this.options.catalog.refresh(removed.parent.name);
      return removed;
    });
  }

  // ---- helpers ----

  /** Waits for the snapshots being made of `record`'s vDisk and of those it is cloned from. */
  private async snapshotsFlushed(record: VDiskRecord): Promise<void> {
    let name: string | undefined = record.name;
    let parent = record.parent;
    for (let depth = 1; name !== undefined && depth <= CLONE_DEPTH_MAX; depth++) {
      const pending = this.unflushedSnapshots.get(name);
      if (pending !== undefined) await pending;
      name = parent?.name;
      parent = name === undefined ? undefined : this.lookup(name)?.parent;
    }
  }

  /**
   * Runs a read of the head (`head`) inside the vDisk's gate, shared: a rollback rewrites
   * the head in batches and, between them, the head reads as neither before nor after it
   * (for a block a later snapshot changed, as that snapshot). Holding the gate, a read sees
   * the head before the rollback or after it. Snapshot epochs are never rewritten, so their
   * reads need no gate and go on during a rollback.
   */
  private readingHead<T>(id: number, head: boolean, work: () => Promise<T>): Promise<T> {
    return head ? this.options.gates.shared(id, work) : work();
  }

  /**
   * The vDisk's record now, after `check` passed on it; if the catalog does not know the
   * vDisk or `check` fails, once more after a read barrier, so that a change another member
   * just made (a create, a resize) is not refused for being unknown here yet.
   */
  async current(name: string, id: number, check?: (record: VDiskRecord) => void): Promise<VDiskRecord> {
    try {
      return this.checked(this.options.catalog.get(name), name, id, check);
    } catch (error) {
      if (!isVstorError(error, 'NOT_FOUND') && !isVstorError(error, 'OUT_OF_RANGE') && !isVstorError(error, 'UNAVAILABLE')) throw error;
    }
    await this.options.model.readBarrier();
    return this.checked(await this.options.catalog.refresh(name), name, id, check);
  }

  /**
   * The record of `entry` if it is still vDisk `id`, owned here, and passes `check`. A
   * method rather than a closure inside current(): that runs on every I/O, and each named
   * closure made there costs a call to set its name (tsx keeps function names).
   */
  private checked(entry: CatalogEntry | undefined, name: string, id: number, check: ((record: VDiskRecord) => void) | undefined): VDiskRecord {
    if (entry === undefined) throw new VstorError('NOT_FOUND', `vdisk ${name} does not exist`);
    if (entry.record.id !== id) throw new VstorError('UNAVAILABLE', `vdisk ${name} is no longer vdisk id ${id}; retry`);
    if (entry.record.owner !== this.options.memberName) throw new VstorError('UNAVAILABLE', `vdisk ${name} is owned by ${entry.record.owner}, not ${this.options.memberName}; retry`);
    check?.(entry.record);
    return entry.record;
  }

  /** A catalog record by name, for layoutOf(); made once, not per I/O (see checked()). */
  private readonly lookup = (name: string): VDiskRecord | undefined => this.options.catalog.get(name)?.record;

  /**
   * The engine's layout of a record; a parent the catalog lacks is read from the model.
   * While a snapshot of the vDisk or of a vDisk it is cloned from is being made, first
   * waits until that snapshot's flush has landed (createSnapshot()).
   */
  async layout(record: VDiskRecord): Promise<VDiskLayout> {
    if (this.unflushedSnapshots.size > 0) await this.snapshotsFlushed(record);
    try {
      return layoutOf(record, this.lookup);
    } catch (error) {
      if (!isVstorError(error, 'CORRUPTION') || record.parent === undefined) throw error;
    }
    let link: VDiskRecord['parent'] = record.parent;
    for (let depth = 1; link !== undefined && depth <= CLONE_DEPTH_MAX; depth++) {
      await this.options.catalog.refresh(link.name);
      link = this.lookup(link.name)?.parent;
    }
    return layoutOf(record, this.lookup);
  }

  /** The layout and live epochs of an owned vDisk, for the scrubber; undefined once gone. */
  liveState(id: number): { layout: VDiskLayout; liveEpochs: number[] } | undefined {
    const entry = this.options.catalog.getById(id);
    if (entry === undefined || entry.record.owner !== this.options.memberName) return undefined;
    try {
      return { layout: layoutOf(entry.record, this.lookup), liveEpochs: liveEpochsOf(entry.record) };
    } catch {
      return undefined;
    }
  }
}
