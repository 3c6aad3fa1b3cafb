// The files of a write-ahead log directory and the few file-system steps they need, each
// made durable the way ext4 and XFS require: data with fdatasync, a new, renamed or
// deleted name with an fsync of the directory.

import type { FileHandle } from 'node:fs/promises';
import { open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { VstorError } from '../errors.ts';

const NUMBER_DIGITS = 16;
const SEGMENT_PATTERN = /^([0-9a-f]{16})-([0-9a-f]{16})\.wal$/;
const SNAPSHOT_PATTERN = /^([0-9a-f]{16})\.snap$/;
export const TEMPORARY_SUFFIX = '.tmp';
const ZERO_CHUNK_BYTES = 1024 * 1024;
const zeros = new Uint8Array(ZERO_CHUNK_BYTES);

function hex(value: number): string {
  return value.toString(16).padStart(NUMBER_DIGITS, '0');
}

export interface SegmentName {
  sequence: number;
  /** The index the segment's first entry would have: lastIndex() + 1 when it was started. */
  firstIndex: number;
  name: string;
}

export function segmentName(sequence: number, firstIndex: number): SegmentName {
  return { sequence, firstIndex, name: `${hex(sequence)}-${hex(firstIndex)}.wal` };
}

export function snapshotFileName(index: number): string {
  return `${hex(index)}.snap`;
}

export interface DirectoryListing {
  /** In sequence order, checked to have no gap. */
  segments: SegmentName[];
  /** Snapshot data files by the index they hold. */
  snapshots: Map<number, string>;
  /** Files a crash left half made; never named by any record. */
  temporaries: string[];
}

export async function listDirectory(directory: string): Promise<DirectoryListing> {
  const segments: SegmentName[] = [];
  const snapshots = new Map<number, string>();
  const temporaries: string[] = [];
  for (const name of await readdir(directory)) {
    const segment = SEGMENT_PATTERN.exec(name);
    const snapshot = SNAPSHOT_PATTERN.exec(name);
    if (segment !== null) segments.push({ sequence: parseInt(segment[1]!, 16), firstIndex: parseInt(segment[2]!, 16), name });
    else if (snapshot !== null) snapshots.set(parseInt(snapshot[1]!, 16), name);
    else if (name.endsWith(TEMPORARY_SUFFIX)) temporaries.push(name);
  }
  segments.sort((a, b) => a.sequence - b.sequence);
  for (let at = 1; at < segments.length; at++) {
    if (segments[at]!.sequence !== segments[at - 1]!.sequence + 1) {
      throw new VstorError('CORRUPTION', `the WAL in ${directory} has a gap: segment ${segments[at - 1]!.name} is followed by ${segments[at]!.name}`);
    }
  }
  return { segments, snapshots, temporaries };
}

/** Makes the names in `directory` (created, renamed, deleted files) durable. */
export async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes all of `bytes` at `position`, however many write calls it takes. */
export async function writeFully(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

/**
 * Writes zeros over [from, to) and makes them and the file size durable. Zeros written, not
 * a hole left by ftruncate: appending into allocated blocks is what spares every later
 * fdatasync a journal commit for the file's size and extents.
 */
export async function writeZeros(handle: FileHandle, from: number, to: number): Promise<void> {
  for (let at = from; at < to; at += ZERO_CHUNK_BYTES) {
    await writeFully(handle, zeros.subarray(0, Math.min(ZERO_CHUNK_BYTES, to - at)), at);
  }
  await handle.sync();
}

/** Creates `path` as `bytes` zeros on stable storage (not its name: the caller renames it). */
export async function createZeroFilledFile(path: string, bytes: number): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await writeZeros(handle, 0, bytes);
  } finally {
    await handle.close();
  }
}

/** Writes `bytes` as the file `name` in `directory`: to a temporary name, synced, renamed, the directory synced. */
export async function writeFileDurably(directory: string, name: string, bytes: Uint8Array): Promise<void> {
  const temporary = join(directory, name + TEMPORARY_SUFFIX);
  const handle = await open(temporary, 'w');
  try {
    await writeFully(handle, bytes, 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, join(directory, name));
  await syncDirectory(directory);
}

export async function removeFiles(directory: string, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  for (const name of names) await rm(join(directory, name), { force: true });
  await syncDirectory(directory);
}
