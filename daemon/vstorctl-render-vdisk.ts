// What vstorctl prints for the vdisk and snapshot commands (the rest is in
// vstorctl-render.ts, which hands these results here). Sizes go out in bytes in JSON, for
// scripts, and in binary units in tables, for people; times are ISO 8601 in UTC.

import type { VDiskInfo, VDiskSnapshotInfo } from '../rpc/vdisk-api.ts';
import { formatBytes } from './vstorctl-progress.ts';
import { formatTable } from './vstorctl-table.ts';

export interface ByteRange {
  offsetBytes: number;
  lengthBytes: number;
}

export type VDiskResult =
  | { name: 'vdisk create' | 'vdisk show' | 'vdisk resize' | 'vdisk flatten'; vdisk: VDiskInfo }
  | { name: 'vdisk rollback'; vdisk: VDiskInfo; snapshot: string }
  | { name: 'vdisk clone'; vdisk: VDiskInfo }
  | { name: 'vdisk list'; vdisks: VDiskInfo[] }
  | { name: 'vdisk delete'; vdisk: string }
  | { name: 'vdisk export'; vdisk: string; snapshot: string | undefined; node: string; uri: string }
  | { name: 'vdisk import'; vdisk: VDiskInfo; file: string; fileBytes: number; writtenBytes: number }
  | { name: 'vdisk export-file'; vdisk: string; snapshot: string | undefined; file: string; sizeBytes: number; copiedBytes: number }
  | { name: 'vdisk diff'; vdisk: string; from: string; to: string | undefined; ranges: ByteRange[] }
  | { name: 'snapshot create'; vdisk: VDiskInfo; snapshot: VDiskSnapshotInfo }
  | { name: 'snapshot list'; vdisk: string; snapshots: VDiskSnapshotInfo[] }
  | { name: 'snapshot delete'; vdisk: string; snapshot: string };

type Json = Record<string, unknown>;

function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

function snapshotJson(snapshot: VDiskSnapshotInfo): Json {
  return { name: snapshot.name, epoch: snapshot.epoch, sizeBytes: snapshot.sizeBytes, createdAt: isoTime(snapshot.createdAtMs), clones: snapshot.clones };
}

export function vdiskJson(vdisk: VDiskInfo): Json {
  return {
    name: vdisk.name,
    id: vdisk.id,
    sizeBytes: vdisk.sizeBytes,
    owner: vdisk.owner,
    parent: vdisk.parent === undefined ? null : `${vdisk.parent.name}@${vdisk.parent.snapshot}`,
    headEpoch: vdisk.headEpoch,
    createdAt: isoTime(vdisk.createdAtMs),
    snapshots: vdisk.snapshots.map(snapshotJson),
  };
}

function parentText(vdisk: VDiskInfo): string {
  return vdisk.parent === undefined ? '-' : `${vdisk.parent.name}@${vdisk.parent.snapshot}`;
}

function vdisksTable(vdisks: readonly VDiskInfo[]): string {
  if (vdisks.length === 0) return 'no vdisks\n';
  const sorted = [...vdisks].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return formatTable(['NAME', 'SIZE', 'OWNER', 'PARENT', 'SNAPSHOTS', 'CREATED'], sorted.map((vdisk) => [
    vdisk.name, formatBytes(vdisk.sizeBytes), vdisk.owner, parentText(vdisk), String(vdisk.snapshots.length), isoTime(vdisk.createdAtMs),
  ]));
}

function snapshotsTable(snapshots: readonly VDiskSnapshotInfo[]): string {
  if (snapshots.length === 0) return 'no snapshots\n';
  return formatTable(['SNAPSHOT', 'SIZE', 'CREATED', 'CLONES'], snapshots.map((snapshot) => [
    snapshot.name, formatBytes(snapshot.sizeBytes), isoTime(snapshot.createdAtMs), snapshot.clones.length === 0 ? '-' : snapshot.clones.join(','),
  ]));
}

function vdiskDetail(vdisk: VDiskInfo): string {
  const lines = formatTable(['FIELD', 'VALUE'], [
    ['name', vdisk.name],
    ['id', String(vdisk.id)],
    ['size', `${formatBytes(vdisk.sizeBytes)} (${vdisk.sizeBytes} bytes)`],
    ['owner', vdisk.owner],
    ['parent', parentText(vdisk)],
    ['created', isoTime(vdisk.createdAtMs)],
  ]).split('\n').slice(1).join('\n');
  return `${lines}\n${snapshotsTable(vdisk.snapshots)}`;
}

function diffSpan(result: { from: string; to: string | undefined }): string {
  return `between ${result.from} and ${result.to ?? 'the head'}`;
}

export function vdiskResultJson(result: VDiskResult): Json {
  switch (result.name) {
    case 'vdisk create':
    case 'vdisk show':
    case 'vdisk resize':
    case 'vdisk flatten':
    case 'vdisk clone':
      return vdiskJson(result.vdisk);
    case 'vdisk rollback':
      return { ...vdiskJson(result.vdisk), rolledBackTo: result.snapshot };
    case 'vdisk list':
      return { vdisks: result.vdisks.map(vdiskJson) };
    case 'vdisk delete':
      return { deleted: result.vdisk };
    case 'vdisk export':
      return { vdisk: result.vdisk, snapshot: result.snapshot ?? null, node: result.node, readOnly: result.snapshot !== undefined, uri: result.uri };
    case 'vdisk import':
      return { vdisk: vdiskJson(result.vdisk), file: result.file, fileBytes: result.fileBytes, writtenBytes: result.writtenBytes };
    case 'vdisk export-file':
      return { vdisk: result.vdisk, snapshot: result.snapshot ?? null, file: result.file, sizeBytes: result.sizeBytes, copiedBytes: result.copiedBytes };
    case 'vdisk diff':
      return {
        vdisk: result.vdisk,
        from: result.from,
        to: result.to ?? null,
        changedBytes: result.ranges.reduce((sum, range) => sum + range.lengthBytes, 0),
        ranges: result.ranges,
      };
    case 'snapshot create':
      return { vdisk: result.vdisk.name, snapshot: snapshotJson(result.snapshot) };
    case 'snapshot list':
      return { vdisk: result.vdisk, snapshots: result.snapshots.map(snapshotJson) };
    case 'snapshot delete':
      return { vdisk: result.vdisk, deleted: result.snapshot };
  }
}

export function vdiskResultTable(result: VDiskResult): string {
  switch (result.name) {
    case 'vdisk create':
      return `created vdisk ${result.vdisk.name} (${formatBytes(result.vdisk.sizeBytes)}) on ${result.vdisk.owner}\n`;
    case 'vdisk show':
      return vdiskDetail(result.vdisk);
    case 'vdisk resize':
      return `vdisk ${result.vdisk.name} is ${formatBytes(result.vdisk.sizeBytes)} (${result.vdisk.sizeBytes} bytes) now\n`;
    case 'vdisk flatten':
      return `vdisk ${result.vdisk.name} is flattened: it no longer reads from a parent\n`;
    case 'vdisk clone':
      return `created clone ${result.vdisk.name} of ${parentText(result.vdisk)} on ${result.vdisk.owner}\n`;
    case 'vdisk rollback':
      return `vdisk ${result.vdisk.name} rolled back to snapshot ${result.snapshot}\n`;
    case 'vdisk list':
      return vdisksTable(result.vdisks);
    case 'vdisk delete':
      return `deleted vdisk ${result.vdisk}\n`;
    case 'vdisk export':
      return `${result.uri}\n`;
    case 'vdisk import':
      return `imported ${result.file} (${formatBytes(result.fileBytes)}) into vdisk ${result.vdisk.name} on ${result.vdisk.owner}: ${formatBytes(result.writtenBytes)} written, the rest left as holes\n`;
    case 'vdisk export-file': {
      const source = result.snapshot === undefined ? result.vdisk : `${result.vdisk}@${result.snapshot}`;
      return `exported ${source} (${formatBytes(result.sizeBytes)}) to ${result.file}: ${formatBytes(result.copiedBytes)} copied, the rest left as holes\n`;
    }
    case 'vdisk diff': {
      if (result.ranges.length === 0) return `nothing changed ${diffSpan(result)}\n`;
      const changed = result.ranges.reduce((sum, range) => sum + range.lengthBytes, 0);
      const table = formatTable(['OFFSET', 'LENGTH'], result.ranges.map((range) => [String(range.offsetBytes), String(range.lengthBytes)]));
      return `${table}${formatBytes(changed)} in ${result.ranges.length} range${result.ranges.length === 1 ? '' : 's'} changed ${diffSpan(result)}\n`;
    }
    case 'snapshot create':
      return `created snapshot ${result.vdisk.name}@${result.snapshot.name}\n`;
    case 'snapshot list':
      return snapshotsTable(result.snapshots);
    case 'snapshot delete':
      return `deleted snapshot ${result.vdisk}@${result.snapshot}\n`;
  }
}
