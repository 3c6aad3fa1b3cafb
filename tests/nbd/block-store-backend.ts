// An NbdBackend for the server tests, on the real block store (classic-level in a temp
// dir), shaped like the daemon's: `disk` is a 64 MiB vDisk whose epoch 1 was closed by a
// snapshot served read-only as `disk@snap`, and `thin` is a 1 TiB vDisk nothing was
// written to. It counts opens and closes, so tests can check the server releases exports.
import { ClassicLevel } from 'classic-level';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NbdAllocationExtent, NbdBackend, NbdExport, NbdExportInfo } from '../../daemon/nbd/backend.ts';
import { VstorError } from '../../storage-engine/errors.ts';
import type { VDiskLayout } from '../../storage-engine/vdisk/block-store.ts';
import { BlockStore } from '../../storage-engine/vdisk/block-store.ts';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
export const TiB = 1024 * GiB;

export const DISK_BYTES = 64 * MiB;
export const THIN_BYTES = 1 * TiB;
/** What `disk` holds at its snapshot: this byte in [0, SNAPSHOT_PATTERN_BYTES). */
export const SNAPSHOT_PATTERN = 0x5a;
export const SNAPSHOT_PATTERN_BYTES = 1 * MiB;

interface ExportSpec {
  layout: VDiskLayout;
  epoch: number;
  readOnly: boolean;
  description: string;
}

/** A promise a test opens when it likes, to hold export calls in flight. */
export class Gate {
  readonly promise: Promise<void>;
  release!: () => void;

  constructor() {
    this.promise = new Promise((resolve) => {
      this.release = resolve;
    });
  }
}

export class BlockStoreBackend implements NbdBackend {
  opened = 0;
  closed = 0;
  /** Set by a test to make every export method wait until it is released. */
  gate: Gate | undefined;
  /** Export calls waiting at the gate now, by export instance number. */
  readonly held = new Map<number, number>();
  /** Export calls running now, and the most that ever ran at once. */
  running = 0;
  runningMax = 0;
  private nextInstance = 1;

  constructor(readonly store: BlockStore, private readonly exports: ReadonlyMap<string, ExportSpec>) {}

  list(): Promise<NbdExportInfo[]> {
    return Promise.resolve([...this.exports].map(([name, spec]) => ({ name, description: spec.description, sizeBytes: spec.layout.sizeBytes, readOnly: spec.readOnly })));
  }

  open(name: string): Promise<NbdExport> {
    const spec = this.exports.get(name);
    if (spec === undefined) return Promise.reject(new VstorError('NOT_FOUND', `no vdisk or snapshot named '${name}'`));
    this.opened++;
    return Promise.resolve(new BlockStoreExport(this, this.nextInstance++, name, spec));
  }

  /** What a vDisk's head holds, read straight from the store. */
  async readHead(name: string, offsetBytes: number, lengthBytes: number): Promise<Uint8Array> {
    const spec = this.exports.get(name)!;
    return this.store.read(spec.layout, spec.epoch, offsetBytes, lengthBytes);
  }
}

class BlockStoreExport implements NbdExport {
  readonly sizeBytes: number;
  readonly readOnly: boolean;
  readonly description: string;
  private isClosed = false;

  constructor(private readonly backend: BlockStoreBackend, private readonly instance: number, readonly name: string, private readonly spec: ExportSpec) {
    this.sizeBytes = spec.layout.sizeBytes;
    this.readOnly = spec.readOnly;
    this.description = spec.description;
  }

  read(offsetBytes: number, lengthBytes: number): Promise<Uint8Array> {
    return this.call(false, () => this.backend.store.read(this.spec.layout, this.spec.epoch, offsetBytes, lengthBytes));
  }

  write(offsetBytes: number, bytes: Uint8Array, fua: boolean): Promise<void> {
    return this.call(true, () => this.backend.store.write(this.spec.layout, this.spec.epoch, offsetBytes, bytes, { sync: fua }));
  }

  trim(offsetBytes: number, lengthBytes: number, fua: boolean): Promise<void> {
    return this.call(true, () => this.backend.store.trim(this.spec.layout, this.spec.epoch, offsetBytes, lengthBytes, { sync: fua }));
  }

  writeZeroes(offsetBytes: number, lengthBytes: number, fua: boolean): Promise<void> {
    return this.call(true, () => this.backend.store.writeZeroes(this.spec.layout, this.spec.epoch, offsetBytes, lengthBytes, { sync: fua }));
  }

  flush(): Promise<void> {
    return this.call(false, () => this.backend.store.flush());
  }

  blockStatus(offsetBytes: number, lengthBytes: number): Promise<NbdAllocationExtent[]> {
    return this.call(false, () => this.backend.store.allocated(this.spec.layout, this.spec.epoch, offsetBytes, lengthBytes));
  }

  close(): void {
    if (this.isClosed) throw new Error(`export ${this.name} closed twice`);
    this.isClosed = true;
    this.backend.closed++;
  }

  /** Runs one export call, counted while it runs. */
  private async call<T>(writing: boolean, work: () => Promise<T>): Promise<T> {
    const backend = this.backend;
    backend.running++;
    backend.runningMax = Math.max(backend.runningMax, backend.running);
    try {
      await this.enter(writing);
      return await work();
    } finally {
      backend.running--;
    }
  }

  private async enter(writing: boolean): Promise<void> {
    if (this.isClosed) throw new VstorError('NOT_OPEN', `export ${this.name} is closed`);
    if (writing && this.readOnly) throw new VstorError('FAILED_PRECONDITION', `${this.name} is a read-only snapshot`);
    const gate = this.backend.gate;
    if (gate === undefined) return;
    const held = this.backend.held;
    held.set(this.instance, (held.get(this.instance) ?? 0) + 1);
    try {
      await gate.promise;
    } finally {
      const count = held.get(this.instance)! - 1;
      if (count === 0) held.delete(this.instance);
      else held.set(this.instance, count);
    }
  }
}

export interface TestBackend {
  backend: BlockStoreBackend;
  /** Closes the database and removes its directory. */
  dispose(): Promise<void>;
}

/** A fresh database with `disk` (a snapshot pattern at epoch 1, head at epoch 2), `disk@snap` and `thin`. */
export async function openTestBackend(): Promise<TestBackend> {
  const directory = await mkdtemp(join(tmpdir(), 'vstor-nbd-'));
  const db = new ClassicLevel<Uint8Array, Uint8Array>(directory, { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  const store = new BlockStore({ db, requestBytesMax: 32 * MiB, rangeBytesMax: 2 * TiB });
  const diskAtSnapshot: VDiskLayout = { id: 1, sizeBytes: DISK_BYTES, snapshotEpochs: [] };
  await store.write(diskAtSnapshot, 1, 0, new Uint8Array(SNAPSHOT_PATTERN_BYTES).fill(SNAPSHOT_PATTERN));
  const disk: VDiskLayout = { id: 1, sizeBytes: DISK_BYTES, snapshotEpochs: [1] };
  const thin: VDiskLayout = { id: 2, sizeBytes: THIN_BYTES, snapshotEpochs: [] };
  const backend = new BlockStoreBackend(store, new Map<string, ExportSpec>([
    ['disk', { layout: disk, epoch: 2, readOnly: false, description: 'a 64 MiB vDisk' }],
    ['disk@snap', { layout: disk, epoch: 1, readOnly: true, description: 'snapshot snap of disk' }],
    ['thin', { layout: thin, epoch: 1, readOnly: false, description: 'a thin 1 TiB vDisk' }],
  ]));
  return {
    backend,
    async dispose() {
      await db.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
