// `vstorctl vdisk import` and `vdisk export-file`: copying between a raw image file and a
// vDisk through the client library, a few calls in flight at once, with a progress bar.
//
// Both keep holes holes. Import reads the file a chunk at a time and writes only the runs
// of 4 KiB blocks that are not all zeros: a new vDisk reads zeros wherever nothing was
// written, so the zeros need not travel or be stored. Export-file asks the cluster for the
// allocation map and copies only the data extents into a sparse file of the vDisk's size.
//
// Neither leaves half a result behind. A failed import deletes the vDisk it created; an
// export writes `FILE.partial` beside FILE and renames it over FILE only once everything is
// written and synced.

import { open, rename, rm, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { VDiskClient } from '../rpc/client.ts';
import { isVstorError, VstorError } from '../rpc/errors.ts';
import type { VDiskInfo } from '../rpc/vdisk-api.ts';
import type { ProgressSink } from './vstorctl-progress.ts';
import { ProgressBar } from './vstorctl-progress.ts';
import { UsageError } from './vstorctl-args.ts';

/** Bytes per read or write call: well under the cluster's default requestBytesMax (4 MiB). */
export const TRANSFER_CHUNK_BYTES = 1 << 20;
/** Calls in flight at once: enough to hide a round trip, few enough to stay gentle. */
const TRANSFER_CALLS_IN_FLIGHT = 4;
const BLOCK_BYTES = 4096;
const SECTOR_BYTES = 512;

/** The runs of `chunk` (relative offsets) that hold a non-zero byte, in whole 4 KiB blocks. */
export function nonZeroRuns(chunk: Uint8Array): Array<{ start: number; end: number }> {
  const runs: Array<{ start: number; end: number }> = [];
  const words = chunk.byteOffset % 4 === 0 ? new Uint32Array(chunk.buffer, chunk.byteOffset, chunk.length >>> 2) : undefined;
  for (let start = 0; start < chunk.length; start += BLOCK_BYTES) {
    const end = Math.min(start + BLOCK_BYTES, chunk.length);
    if (isZero(chunk, words, start, end)) continue;
    const last = runs.at(-1);
    if (last !== undefined && last.end === start) last.end = end;
    else runs.push({ start, end });
  }
  return runs;
}

function isZero(chunk: Uint8Array, words: Uint32Array | undefined, start: number, end: number): boolean {
  let index = start;
  if (words !== undefined) {
    const wordEnd = end >>> 2;
    for (let word = start >>> 2; word < wordEnd; word++) if (words[word] !== 0) return false;
    index = wordEnd << 2;
  }
  for (; index < end; index++) if (chunk[index] !== 0) return false;
  return true;
}

/** Runs `work(item)` over `items` with at most `limit` in flight; the first failure wins. */
async function forEachLimited<T>(items: AsyncIterable<T> | Iterable<T>, limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  for await (const item of items) {
    if (failure !== undefined) break;
    const task: Promise<void> = work(item).then(
      () => { running.delete(task); },
      (error: unknown) => { running.delete(task); failure ??= { error }; },
    );
    running.add(task);
    if (running.size >= limit) await Promise.race(running);
  }
  await Promise.all(running);
  if (failure !== undefined) throw failure.error;
}

async function openOrUsage(path: string, flags: string, what: string): Promise<FileHandle> {
  try {
    return await open(path, flags);
  } catch (error) {
    throw new UsageError(`${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export interface ImportSpec {
  vdisk: string;
  file: string;
  sizeBytes: number | undefined;
  node: string | undefined;
}

export interface ImportOutcome {
  vdisk: VDiskInfo;
  fileBytes: number;
  writtenBytes: number;
}

/** Creates vDisk `spec.vdisk` and fills it from `spec.file`. */
export async function importFile(client: VDiskClient, spec: ImportSpec, progress: ProgressSink | undefined): Promise<ImportOutcome> {
  const handle = await openOrUsage(spec.file, 'r', 'cannot read');
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new UsageError(`cannot import ${spec.file}: not a regular file`);
    const fileBytes = info.size;
    const sizeBytes = spec.sizeBytes ?? Math.max(BLOCK_BYTES, Math.ceil(fileBytes / SECTOR_BYTES) * SECTOR_BYTES);
    if (sizeBytes < fileBytes) throw new UsageError(`--size ${sizeBytes} is smaller than ${spec.file} (${fileBytes} bytes)`);
    const created = await client.create(spec.vdisk, sizeBytes, spec.node === undefined ? {} : { node: spec.node });
    try {
      const bar = new ProgressBar(progress, fileBytes);
      let writtenBytes = 0;
      const offsets = function* (): Generator<number> {
        for (let offset = 0; offset < fileBytes; offset += TRANSFER_CHUNK_BYTES) yield offset;
      };
      await forEachLimited(offsets(), TRANSFER_CALLS_IN_FLIGHT, async (offset) => {
        const length = Math.min(TRANSFER_CHUNK_BYTES, fileBytes - offset);
        const chunk = new Uint8Array(length);
        const { bytesRead } = await handle.read(chunk, 0, length, offset);
        if (bytesRead !== length) throw new UsageError(`${spec.file} changed while it was imported (short read at ${offset})`);
        for (const run of nonZeroRuns(chunk)) {
          await client.write(spec.vdisk, offset + run.start, chunk.subarray(run.start, run.end));
          writtenBytes += run.end - run.start;
        }
        bar.advance(length);
      });
      await client.flush(spec.vdisk);
      bar.finish();
      return { vdisk: created, fileBytes, writtenBytes };
    } catch (error) {
      // Nothing half-imported stays behind: the vDisk is this command's own creation.
      await client.delete(spec.vdisk).catch(() => undefined);
      throw error;
    }
  } finally {
    await handle.close();
  }
}

export interface ExportSpec {
  vdisk: string;
  snapshot: string | undefined;
  file: string;
}

export interface ExportOutcome {
  sizeBytes: number;
  copiedBytes: number;
}

/** Copies the vDisk (or snapshot) into `spec.file`, replacing it only once complete. */
export async function exportFile(client: VDiskClient, spec: ExportSpec, progress: ProgressSink | undefined): Promise<ExportOutcome> {
  const vdisk = await client.get(spec.vdisk);
  const snapshot = spec.snapshot === undefined ? undefined : vdisk.snapshots.find((candidate) => candidate.name === spec.snapshot);
  if (spec.snapshot !== undefined && snapshot === undefined) throw new VstorError('NOT_FOUND', `vdisk ${spec.vdisk} has no snapshot ${spec.snapshot}`);
  const sizeBytes = snapshot?.sizeBytes ?? vdisk.sizeBytes;
  const existing = await stat(spec.file).catch(() => undefined);
  if (existing !== undefined && !existing.isFile()) throw new UsageError(`cannot export to ${spec.file}: not a regular file`);
  const partial = `${spec.file}.partial`;
  const handle = await openOrUsage(partial, 'w', 'cannot write');
  let done = false;
  try {
    await handle.truncate(sizeBytes);
    const bar = new ProgressBar(progress, sizeBytes);
    let copiedBytes = 0;
    const readOptions = spec.snapshot === undefined ? {} : { snapshot: spec.snapshot };
    const pieces = async function* (): AsyncGenerator<{ offset: number; length: number; kind: 'data' | 'hole' }> {
      for await (const extent of client.extents(spec.vdisk, readOptions)) {
        if (extent.kind === 'hole') {
          yield { offset: extent.offsetBytes, length: extent.lengthBytes, kind: 'hole' };
          continue;
        }
        const end = extent.offsetBytes + extent.lengthBytes;
        for (let offset = extent.offsetBytes; offset < end; offset += TRANSFER_CHUNK_BYTES) {
          yield { offset, length: Math.min(TRANSFER_CHUNK_BYTES, end - offset), kind: 'data' };
        }
      }
    };
    await forEachLimited(pieces(), TRANSFER_CALLS_IN_FLIGHT, async (piece) => {
      if (piece.kind === 'data') {
        const bytes = await client.read(spec.vdisk, piece.offset, piece.length, readOptions);
        await handle.write(bytes, 0, bytes.length, piece.offset);
        copiedBytes += bytes.length;
      }
      bar.advance(piece.length);
    });
    await handle.sync();
    await handle.close();
    await rename(partial, spec.file);
    done = true;
    bar.finish();
    return { sizeBytes, copiedBytes };
  } catch (error) {
    if (isVstorError(error) || error instanceof UsageError) throw error;
    throw new UsageError(`cannot write ${spec.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  } finally {
    if (!done) {
      await handle.close().catch(() => undefined);
      await rm(partial, { force: true });
    }
  }
}
