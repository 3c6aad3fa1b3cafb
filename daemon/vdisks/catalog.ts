// This member's picture of every vDisk's metadata, name → record and id → record, kept
// current by a watch on `\0vstor/vdisk/` (DESIGN.md: controllers watch the model). The I/O
// path reads it instead of the model, so a write costs no model read.
//
// Updates are ordered by model revision, per name: whichever arrives — a watch event, a
// reload, or refresh() after this member's own change — only ever moves a name forward,
// so a late event cannot bring back an older record or a deleted vDisk. A deletion is
// remembered as a tombstone at its revision for that purpose (bounded: the oldest go
// first; a watch event is never that late).
//
// The watch can end: a consumer too slow, a Raft snapshot that replaced the model, the
// model closing. The catalog then reloads the whole prefix and watches again from there.
//
// A change the watch brings to a record already known is kept as bytes and decoded when the
// record is next asked for. A record holds every snapshot of its vDisk (JSON, 9 KB at 100
// snapshots), each snapshot create or delete rewrites it, and every member's catalog sees
// every change: decoded at once, each member not owning the vDisk parsed it on every
// snapshot, right when the owner was answering. The id under a name does not change while
// the name stays (a vDisk deleted and created again under it shows the deletion first, in
// order), so the id map stays right meanwhile; a name not known yet is decoded at once.

import type { Logger } from 'pino';
import type { KeyValue, Watcher } from '../../storage-engine/model/index.ts';
import type { SystemModel } from './system-model.ts';
import type { VDiskRecord } from './record.ts';
import { decodeVDiskRecord, nameOfKey, VDISK_PREFIX, vdiskKey } from './record.ts';

export interface CatalogEntry {
  record: VDiskRecord;
  /** The model revision of the record's last change. */
  revision: number;
}

interface Slot {
  /** Until `pending` is decoded, the record as of an earlier revision, with the same id. */
  record: VDiskRecord | undefined;
  revision: number;
  /** The record's bytes at `revision`, not decoded yet. */
  pending?: Uint8Array;
}

/** Deleted names remembered, to refuse events older than their deletion. */
const TOMBSTONES_MAX = 4096;
const REWATCH_DELAY_MS = 500;

export class VDiskCatalog {
  private readonly slots = new Map<string, Slot>();
  private readonly names = new Map<number, string>();
  private readonly tombstones: string[] = [];
  /** Records that could not be decoded, by name: while any exists, nobody may conclude
   * that an id is unknown to the model. */
  private readonly unreadable = new Set<string>();
  private state: 'new' | 'open' | 'closed' = 'new';
  private watcher: Watcher | undefined;
  private watching: Promise<void> | undefined;

  constructor(
    private readonly model: SystemModel,
    private readonly logger: Logger,
  ) {}

  /** Loads every record and starts watching. */
  async open(): Promise<void> {
    if (this.state !== 'new') return;
    const revision = await this.reload();
    this.state = 'open';
    this.watching = this.watchFrom(revision + 1);
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.watcher?.cancel();
    await this.watching;
  }

  get(name: string): CatalogEntry | undefined {
    let slot = this.slots.get(name);
    if (slot?.pending !== undefined) slot = this.decodePending(name, slot);
    return slot?.record === undefined ? undefined : { record: slot.record, revision: slot.revision };
  }

  getById(id: number): CatalogEntry | undefined {
    const name = this.names.get(id);
    return name === undefined ? undefined : this.get(name);
  }

  /** Every vDisk, by name. */
  entries(): CatalogEntry[] {
    this.decodeAllPending();
    const entries: CatalogEntry[] = [];
    for (const slot of this.slots.values()) if (slot.record !== undefined) entries.push({ record: slot.record, revision: slot.revision });
    return entries.sort((a, b) => (a.record.name < b.record.name ? -1 : a.record.name > b.record.name ? 1 : 0));
  }

  /** True when every record in the model could be read, so the known ids are all of them. */
  get complete(): boolean {
    this.decodeAllPending();
    return this.unreadable.size === 0;
  }

  /**
   * Takes a record this member has just written and seen applied at `revision` (the answer
   * of its own txn), without reading it back from the model. Like every update, it only
   * moves the name forward: a later change seen by the watch in the meantime stays.
   */
  learn(record: VDiskRecord, revision: number): CatalogEntry | undefined {
    this.update(record.name, record, revision);
    return this.get(record.name);
  }

  /** Re-reads one record from this member's model (after a change made here). */
  async refresh(name: string): Promise<CatalogEntry | undefined> {
    // The revision first: a deletion seen by the read happened at or before it, and a put
    // after it carries a later revision that will still be taken.
    const revision = this.model.modelRevision();
    const kv = await this.model.getSystem(vdiskKey(name));
    if (kv === undefined) this.update(name, undefined, revision);
    else this.updateFrom(kv);
    return this.get(name);
  }

  /** Re-reads every record; returns the revision read at. */
  async reload(): Promise<number> {
    const { kvs, revision } = await this.model.rangeSystem(VDISK_PREFIX);
    const present = new Set<string>();
    for (const kv of kvs) {
      const name = this.updateFrom(kv);
      if (name !== undefined) present.add(name);
    }
    for (const name of [...this.slots.keys()]) if (!present.has(name)) this.update(name, undefined, revision);
    return revision;
  }

  private async watchFrom(startRevision: number): Promise<void> {
    let next = startRevision;
    while (this.state === 'open') {
      try {
        const watcher = this.model.watchSystem({ key: VDISK_PREFIX, prefix: true, startRevision: next });
        this.watcher = watcher;
        for await (const events of watcher) {
          for (const event of events) {
            if (event.type === 'put') this.updateFrom(event.kv, true);
            else {
              const name = nameOfKey(event.kv.key);
              if (name !== undefined) this.update(name, undefined, event.kv.modRevision);
            }
            next = event.kv.modRevision + 1;
          }
        }
        if (this.state !== 'open') return;
        this.logger.info('the vdisk watch ended; reloading');
      } catch (error) {
        if (this.state !== 'open') return;
        this.logger.info({ error: String(error) }, 'the vdisk watch failed; reloading');
      }
      await new Promise((resolve) => setTimeout(resolve, REWATCH_DELAY_MS));
      if (this.state !== 'open') return;
      try {
        next = (await this.reload()) + 1;
      } catch (error) {
        this.logger.warn({ error: String(error) }, 'reloading the vdisks failed; retrying');
      }
    }
  }

  /**
   * Takes one record's key-value; returns its name, or undefined for a foreign key.
   * `later`: from the watch, so a change to a record already known may be decoded later.
   */
  private updateFrom(kv: KeyValue, later = false): string | undefined {
    const name = nameOfKey(kv.key);
    if (name === undefined) return undefined;
    // Known at this revision or later already (the watch echoing a change this member made
    // and learned): update() would keep what it has, so the record is not decoded, which
    // costs O(snapshots) for each of the owner's own changes.
    const slot = this.slots.get(name);
    if (slot !== undefined && slot.revision >= kv.modRevision) return name;
    if (later && slot?.record !== undefined) {
      this.slots.set(name, { record: slot.record, revision: kv.modRevision, pending: kv.value });
      return name;
    }
    this.decodeInto(name, kv.value, kv.modRevision);
    return name;
  }

  /** Decodes a slot's pending bytes into its record; returns the slot as it now is. */
  private decodePending(name: string, slot: Slot): Slot | undefined {
    this.decodeInto(name, slot.pending!, slot.revision);
    return this.slots.get(name);
  }

  private decodeAllPending(): void {
    for (const [name, slot] of this.slots) if (slot.pending !== undefined) this.decodePending(name, slot);
  }

  /** Decodes `bytes` as the record of `name` at `revision` and takes it (or its failure). */
  private decodeInto(name: string, bytes: Uint8Array, revision: number): void {
    let record: VDiskRecord;
    try {
      record = decodeVDiskRecord(bytes, name);
    } catch (error) {
      this.logger.error({ vdisk: name, error: String(error) }, 'a vdisk record cannot be read; it is left out');
      this.update(name, undefined, revision, true);
      return;
    }
    this.update(name, record, revision);
  }

  private update(name: string, record: VDiskRecord | undefined, revision: number, unreadable = false): void {
    const slot = this.slots.get(name);
    if (slot !== undefined && slot.revision > revision) return;
    // (A slot with pending bytes always holds an earlier record, so its own bytes, decoded,
    // pass here at the same revision.)
    if (slot !== undefined && slot.revision === revision && slot.record === undefined && record !== undefined) return;
    if (unreadable) this.unreadable.add(name);
    else this.unreadable.delete(name);
    if (slot?.record !== undefined && this.names.get(slot.record.id) === name) this.names.delete(slot.record.id);
    if (record === undefined) {
      if (slot === undefined) return;
      if (slot.record !== undefined) this.rememberDeletion(name);
      this.slots.set(name, { record: undefined, revision });
      return;
    }
    this.slots.set(name, { record, revision });
    this.names.set(record.id, name);
  }

  private rememberDeletion(name: string): void {
    this.tombstones.push(name);
    while (this.tombstones.length > TOMBSTONES_MAX) {
      const oldest = this.tombstones.shift()!;
      if (this.slots.get(oldest)?.record === undefined) this.slots.delete(oldest);
    }
  }
}
