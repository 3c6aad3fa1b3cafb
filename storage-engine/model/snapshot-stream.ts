// The byte stream of a model snapshot, cut into chunks of at most snapshotChunkBytes:
//
//   "VSKS" version                                  magic, unframed
//   frame: header   appliedIndex revision historyStartRevision
//   frame: record   relative key, value              (one per stored record, in key order)
//   frame: end      record count
//   crc32c                                           of every byte before it, 4 bytes BE
//
// A frame is a 4-byte big-endian length and that many bytes. Records are the model's
// stored keys without their generation (layout.ts), so the stream is the image itself.
// Chunk boundaries carry no meaning: a frame may span chunks. The reader bounds every
// frame before buffering it and checks the checksum before it reports the end, so a
// restore that has seen the end has seen every byte intact.

import { ByteReader, ByteWriter, utf8Bytes } from './bytes.ts';
import { crc32c } from '../crc32c.ts';
import { VstorError } from './errors.ts';

const MAGIC = utf8Bytes('VSKS');
/** 2: the records of model layout version 2 (layout.ts). */
export const SNAPSHOT_FORMAT_VERSION = 2;

const FrameKind = { end: 0, record: 1, header: 2 } as const;
const FRAME_LENGTH_BYTES = 4;
const CHECKSUM_BYTES = 4;

export interface SnapshotHeader {
  appliedIndex: number;
  revision: number;
  historyStartRevision: number;
}

export interface SnapshotRecord {
  /** A stored key without its generation: section byte and suffix. */
  relativeKey: Uint8Array;
  value: Uint8Array;
}

/** Chunks of the stream for `header` and `records`, each at most `chunkBytes` long. */
export async function* encodeSnapshot(
  header: SnapshotHeader,
  records: AsyncIterable<SnapshotRecord>,
  chunkBytes: number,
): AsyncGenerator<Uint8Array> {
  const chunks = new ChunkAssembler(chunkBytes);
  yield* chunks.write(new ByteWriter(8).raw(MAGIC).uint8(SNAPSHOT_FORMAT_VERSION).finish());
  const headerFrame = new ByteWriter(32).uint8(FrameKind.header);
  headerFrame.varint(header.appliedIndex).varint(header.revision).varint(header.historyStartRevision);
  yield* chunks.write(frame(headerFrame.finish()));
  let recordCount = 0;
  for await (const record of records) {
    const payload = new ByteWriter(16 + record.relativeKey.length + record.value.length);
    payload.uint8(FrameKind.record).bytes(record.relativeKey).raw(record.value);
    yield* chunks.write(frame(payload.finish()));
    recordCount++;
  }
  yield* chunks.write(frame(new ByteWriter(16).uint8(FrameKind.end).varint(recordCount).finish()));
  yield* chunks.write(new ByteWriter(4).uint32BigEndian(chunks.checksum).finish(), false);
  const last = chunks.flush();
  if (last !== undefined) yield last;
}

function frame(payload: Uint8Array): Uint8Array {
  return new ByteWriter(FRAME_LENGTH_BYTES + payload.length).uint32BigEndian(payload.length).raw(payload).finish();
}

/** Cuts a byte stream into chunks of exactly `chunkBytes` (the last may be shorter). */
class ChunkAssembler {
  private buffer: Uint8Array;
  private length = 0;
  checksum = 0;

  constructor(private readonly chunkBytes: number) {
    this.buffer = new Uint8Array(chunkBytes);
  }

  *write(bytes: Uint8Array, checksummed = true): Generator<Uint8Array> {
    if (checksummed) this.checksum = crc32c(bytes, this.checksum);
    let offset = 0;
    while (offset < bytes.length) {
      const count = Math.min(this.chunkBytes - this.length, bytes.length - offset);
      this.buffer.set(bytes.subarray(offset, offset + count), this.length);
      this.length += count;
      offset += count;
      if (this.length === this.chunkBytes) {
        yield this.buffer;
        this.buffer = new Uint8Array(this.chunkBytes);
        this.length = 0;
      }
    }
  }

  flush(): Uint8Array | undefined {
    return this.length === 0 ? undefined : this.buffer.slice(0, this.length);
  }
}

export type SnapshotItem = { type: 'header'; header: SnapshotHeader } | { type: 'record'; record: SnapshotRecord };

/**
 * The header, then every record, of a snapshot stream. Throws INVALID_ARGUMENT for anything
 * wrong: a bad magic, a frame longer than `frameBytesMax`, a truncated stream, a record
 * count or checksum that does not match, bytes after the end. Returns only after the
 * checksum has been verified.
 */
export async function* decodeSnapshot(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  frameBytesMax: number,
): AsyncGenerator<SnapshotItem> {
  const input = new StreamReader(chunks);
  try {
    yield* decodeFrames(input, frameBytesMax);
  } finally {
    await input.close();
  }
}

async function* decodeFrames(input: StreamReader, frameBytesMax: number): AsyncGenerator<SnapshotItem> {
  const magic = await input.read(MAGIC.length + 1, 'magic');
  if (magic.subarray(0, MAGIC.length).some((byte, index) => byte !== MAGIC[index])) {
    throw malformed('magic', 'not a model snapshot');
  }
  if (magic[MAGIC.length] !== SNAPSHOT_FORMAT_VERSION) {
    throw new VstorError(
      'UNSUPPORTED_FORMAT',
      `snapshot: format version ${magic[MAGIC.length]} is not known to this replica (knows ${SNAPSHOT_FORMAT_VERSION})`,
    );
  }
  let reader = await readFrame(input, frameBytesMax, 'header');
  if (reader.uint8('header.kind') !== FrameKind.header) throw malformed('header', 'the stream does not start with a header');
  const header = {
    appliedIndex: reader.varint('header.appliedIndex'),
    revision: reader.varint('header.revision'),
    historyStartRevision: reader.varint('header.historyStartRevision'),
  };
  reader.expectEnd();
  yield { type: 'header', header };
  let recordCount = 0;
  for (;;) {
    reader = await readFrame(input, frameBytesMax, `record ${recordCount}`);
    const kind = reader.uint8('kind');
    if (kind === FrameKind.end) break;
    if (kind !== FrameKind.record) throw reader.malformed('kind', `unknown frame kind ${kind}`);
    const relativeKey = reader.bytes('relativeKey', frameBytesMax);
    yield { type: 'record', record: { relativeKey, value: reader.rest() } };
    recordCount++;
  }
  const expectedCount = reader.varint('end.recordCount');
  reader.expectEnd();
  if (expectedCount !== recordCount) throw malformed('end', `the stream holds ${recordCount} records, its end says ${expectedCount}`);
  const computed = input.checksum;
  const stored = new ByteReader(await input.read(CHECKSUM_BYTES, 'checksum'), 'snapshot').uint32BigEndian('checksum');
  if (stored !== computed) {
    throw malformed('checksum', `crc32c 0x${computed.toString(16)} does not match the stream's 0x${stored.toString(16)}`);
  }
  if (!(await input.atEnd())) throw malformed('end', 'bytes after the checksum');
}

async function readFrame(input: StreamReader, frameBytesMax: number, what: string): Promise<ByteReader> {
  const length = new ByteReader(await input.read(FRAME_LENGTH_BYTES, what), 'snapshot').uint32BigEndian(what);
  if (length > frameBytesMax) throw malformed(what, `frame of ${length} bytes exceeds the limit of ${frameBytesMax}`);
  return new ByteReader(await input.read(length, what), `snapshot ${what}`);
}

function malformed(field: string, problem: string): VstorError {
  return new VstorError('INVALID_ARGUMENT', `snapshot: ${field}: ${problem}`);
}

/** Exact-length reads across chunk boundaries, with a running checksum of what was read. */
class StreamReader {
  private readonly iterator: AsyncIterator<Uint8Array> | Iterator<Uint8Array>;
  private chunk: Uint8Array = new Uint8Array(0);
  private offset = 0;
  private done = false;
  checksum = 0;

  constructor(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>) {
    this.iterator = Symbol.asyncIterator in chunks ? chunks[Symbol.asyncIterator]() : chunks[Symbol.iterator]();
  }

  async read(length: number, what: string): Promise<Uint8Array> {
    const result = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      if (this.offset === this.chunk.length && !(await this.nextChunk())) {
        throw malformed(what, `truncated: the stream ended ${length - filled} bytes early`);
      }
      const count = Math.min(length - filled, this.chunk.length - this.offset);
      result.set(this.chunk.subarray(this.offset, this.offset + count), filled);
      this.offset += count;
      filled += count;
    }
    this.checksum = crc32c(result, this.checksum);
    return result;
  }

  /** Lets the source release what it holds when the stream is abandoned early. */
  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.iterator.return?.();
  }

  async atEnd(): Promise<boolean> {
    while (this.offset === this.chunk.length) {
      if (!(await this.nextChunk())) return true;
    }
    return false;
  }

  private async nextChunk(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.iterator.next();
    if (next.done === true) {
      this.done = true;
      return false;
    }
    if (!(next.value instanceof Uint8Array)) throw malformed('chunk', 'a chunk is not a Uint8Array');
    this.chunk = next.value;
    this.offset = 0;
    return true;
  }
}
