// The vDisks as NBD exports: what the NBD server (daemon/nbd/server.ts) serves on each
// member's nbd address. Export `NAME` is the vDisk, read-write; `NAME@SNAP` one of its
// snapshots, read-only. The export's size is the size when it was opened (NBD tells the
// client once, in the handshake).
//
// I/O goes through the VDiskNode, like a gRPC call: served here if this member owns the
// vDisk, forwarded to its owner otherwise. A write reads the head epoch on the owner at
// each request, so writes after a snapshot land after it, whenever the export was opened.
// Every request is pinned to the vDisk id found at open: if the vDisk is deleted and
// another is created under its name, a client still connected to the old one gets errors
// (EIO) rather than reading or writing the new one.
// Ranges longer than the per-call limit (trim, write-zeroes, block status: NBD allows
// 4 GiB) are split into calls of at most VDISK_RANGE_BYTES_MAX.

import type { VDiskCallContext, VDiskNode } from '../../rpc/vdisk-api.ts';
import { parseExportName, VDISK_RANGE_BYTES_MAX } from '../../rpc/vdisk-checks.ts';
import { VstorError } from '../../storage-engine/errors.ts';
import type { NbdAllocationExtent, NbdBackend, NbdExport, NbdExportInfo } from '../nbd/backend.ts';

/** Splits [offsetBytes, offsetBytes + lengthBytes) into pieces of at most `pieceBytesMax`. */
function pieces(offsetBytes: number, lengthBytes: number, pieceBytesMax: number): Array<{ offsetBytes: number; lengthBytes: number }> {
  const result: Array<{ offsetBytes: number; lengthBytes: number }> = [];
  for (let start = offsetBytes; start < offsetBytes + lengthBytes; start += pieceBytesMax) {
    result.push({ offsetBytes: start, lengthBytes: Math.min(pieceBytesMax, offsetBytes + lengthBytes - start) });
  }
  return result;
}

class VDiskExport implements NbdExport {
  private closed = false;
  /** Every call names the vDisk that was opened, not whatever has its name later. */
  private readonly pinned: VDiskCallContext;

  constructor(
    private readonly vdisks: VDiskNode,
    readonly name: string,
    private readonly vdisk: string,
    vdiskId: number,
    private readonly snapshot: string | undefined,
    readonly sizeBytes: number,
    private readonly rangeBytesMax: number,
  ) {
    this.pinned = { vdiskId };
  }

  get readOnly(): boolean {
    return this.snapshot !== undefined;
  }

  async read(offsetBytes: number, lengthBytes: number): Promise<Uint8Array> {
    this.checkOpen();
    return this.vdisks.read({ name: this.vdisk, ...(this.snapshot === undefined ? {} : { snapshot: this.snapshot }), offsetBytes, lengthBytes }, this.pinned);
  }

  async write(offsetBytes: number, bytes: Uint8Array, fua: boolean): Promise<void> {
    this.checkWritable();
    return this.vdisks.write({ name: this.vdisk, offsetBytes, data: bytes, fua }, this.pinned);
  }

  async trim(offsetBytes: number, lengthBytes: number, fua: boolean): Promise<void> {
    this.checkWritable();
    for (const piece of pieces(offsetBytes, lengthBytes, this.rangeBytesMax)) await this.vdisks.trim({ name: this.vdisk, ...piece, fua }, this.pinned);
  }

  async writeZeroes(offsetBytes: number, lengthBytes: number, fua: boolean): Promise<void> {
    this.checkWritable();
    for (const piece of pieces(offsetBytes, lengthBytes, this.rangeBytesMax)) await this.vdisks.writeZeroes({ name: this.vdisk, ...piece, fua }, this.pinned);
  }

  async flush(): Promise<void> {
    this.checkOpen();
    // A snapshot's blocks never change; nothing to make durable.
    if (this.snapshot === undefined) await this.vdisks.flush(this.vdisk, this.pinned);
  }

  async blockStatus(offsetBytes: number, lengthBytes: number): Promise<NbdAllocationExtent[]> {
    this.checkOpen();
    const extents: NbdAllocationExtent[] = [];
    for (const piece of pieces(offsetBytes, lengthBytes, this.rangeBytesMax)) {
      const map = await this.vdisks.allocationMap({ name: this.vdisk, ...(this.snapshot === undefined ? {} : { snapshot: this.snapshot }), ...piece }, this.pinned);
      for (const extent of map) {
        const last = extents[extents.length - 1];
        if (last !== undefined && last.kind === extent.kind && last.offsetBytes + last.lengthBytes === extent.offsetBytes) last.lengthBytes += extent.lengthBytes;
        else extents.push({ offsetBytes: extent.offsetBytes, lengthBytes: extent.lengthBytes, kind: extent.kind });
      }
    }
    return extents;
  }

  close(): void {
    this.closed = true;
  }

  private checkOpen(): void {
    if (this.closed) throw new VstorError('NOT_OPEN', `export ${this.name} is closed`);
  }

  private checkWritable(): void {
    this.checkOpen();
    if (this.snapshot !== undefined) throw new VstorError('FAILED_PRECONDITION', `export ${this.name} is a snapshot and read-only`);
  }
}

export class VDiskNbdBackend implements NbdBackend {
  constructor(
    private readonly vdisks: VDiskNode,
    private readonly rangeBytesMax = VDISK_RANGE_BYTES_MAX,
  ) {}

  /** Every vDisk, and every snapshot as NAME@SNAP, as this member knows them. */
  async list(): Promise<NbdExportInfo[]> {
    const exports: NbdExportInfo[] = [];
    for (const vdisk of await this.vdisks.listVDisks({ serializable: true })) {
      exports.push({ name: vdisk.name, description: `vdisk ${vdisk.name} on ${vdisk.owner}`, sizeBytes: vdisk.sizeBytes, readOnly: false });
      for (const snapshot of vdisk.snapshots) {
        exports.push({ name: `${vdisk.name}@${snapshot.name}`, description: `snapshot ${snapshot.name} of vdisk ${vdisk.name}`, sizeBytes: snapshot.sizeBytes, readOnly: true });
      }
    }
    return exports;
  }

  async open(exportName: string): Promise<NbdExport> {
    let parsed: { vdisk: string; snapshot?: string };
    try {
      parsed = parseExportName(exportName);
    } catch (error) {
      // A name that cannot exist is an unknown export to an NBD client.
      throw new VstorError('NOT_FOUND', `no export ${JSON.stringify(exportName)}: ${(error as Error).message}`);
    }
    const vdisk = await this.vdisks.getVDisk(parsed.vdisk, { serializable: false });
    if (parsed.snapshot === undefined) return new VDiskExport(this.vdisks, exportName, vdisk.name, vdisk.id, undefined, vdisk.sizeBytes, this.rangeBytesMax);
    const snapshot = vdisk.snapshots.find((candidate) => candidate.name === parsed.snapshot);
    if (snapshot === undefined) throw new VstorError('NOT_FOUND', `vdisk ${vdisk.name} has no snapshot ${parsed.snapshot}`);
    return new VDiskExport(this.vdisks, exportName, vdisk.name, vdisk.id, snapshot.name, snapshot.sizeBytes, this.rangeBytesMax);
  }
}
