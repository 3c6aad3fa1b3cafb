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
  record: VDiskRecord | undefined;
  revision: number;
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
    const slot = this.slots.get(name);
    return slot?.record === undefined ? undefined : { record: slot.record, revision: slot.revision };
  }

  getById(id: number): CatalogEntry | undefined {
    const name = this.names.get(id);
    return name === undefined ? undefined : this.get(name);
  }

  /** Every vDisk, by name. */
  entries(): CatalogEntry[] {
    const entries: CatalogEntry[] = [];
    for (const slot of this.slots.values()) if (slot.record !== undefined) entries.push({ record: slot.record, revision: slot.revision });
    return entries.sort((a, b) => (a.record.name < b.record.name ? -1 : a.record.name > b.record.name ? 1 : 0));
  }

  /** True when every record in the model could be read, so the known ids are all of them. */
  get complete(): boolean {
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
            if (event.type === 'put') this.updateFrom(event.kv);
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

  /** Takes one record's key-value; returns its name, or undefined for a foreign key. */
  private updateFrom(kv: KeyValue): string | undefined {
    const name = nameOfKey(kv.key);
    if (name === undefined) return undefined;
    // Known at this revision or later already (the watch echoing a change this member made
    // and learned): update() would keep what it has, so the record is not decoded, which
    // costs O(snapshots) for each of the owner's own changes.
    const slot = this.slots.get(name);
    if (slot !== undefined && slot.revision >= kv.modRevision) return name;
    let record: VDiskRecord;
    try {
      record = decodeVDiskRecord(kv.value, name);
    } catch (error) {
      this.logger.error({ vdisk: name, error: String(error) }, 'a vdisk record cannot be read; it is left out');
      this.update(name, undefined, kv.modRevision, true);
      return name;
    }
    this.update(name, record, kv.modRevision);
    return name;
  }

  private update(name: string, record: VDiskRecord | undefined, revision: number, unreadable = false): void {
    const slot = this.slots.get(name);
    if (slot !== undefined && slot.revision > revision) return;
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
