// A Raft snapshot on the wire (RaftPeer.SendSnapshot): the sender cuts the MsgSnap message
// into chunks, the receiver puts it back together and checks it. The first chunk carries
// the message with its snapshot's metadata (data left empty) and the total length; every
// chunk carries its offset and the CRC32C of its data. So the receiver knows the size
// before it allocates, sees a lost, repeated or reordered chunk by its offset, a corrupted
// one by its checksum, and a truncated stream by the total. gRPC already orders and frames
// the stream; the checks guard against a sender bug and corruption gRPC cannot see.
import type { Message } from '../consensus/index.ts';
import { assert, MessageType, messageTypeName } from '../consensus/index.ts';
import type { SnapshotChunk } from '../proto/gen/vstor/internal/SnapshotChunk.ts';
import { crc32c } from '../storage-engine/crc32c.ts';
import { VstorError } from './errors.ts';
import { decodeBytes, decodeMessage, encodeMessage } from './raft-codec.ts';

/**
 * The chunks of a MsgSnap message, in order; data chunks are views of the snapshot's data,
 * at most `chunkBytes` long. Lazy, so that a sender can stop early and write each chunk
 * only when the stream has room for it.
 */
export function* raftSnapshotChunks(clusterId: string, message: Message, chunkBytes: number): Generator<SnapshotChunk> {
  assert(message.type === MessageType.Snap && message.snapshot !== undefined, 'only a MsgSnap with its snapshot is sent in chunks');
  assert(Number.isSafeInteger(chunkBytes) && chunkBytes > 0, () => `chunkBytes must be a positive integer, got ${chunkBytes}`);
  const { data } = message.snapshot;
  const header = encodeMessage({ ...message, snapshot: { ...message.snapshot, data: new Uint8Array(0) } });
  const first = data.subarray(0, chunkBytes);
  yield { clusterId, message: header, totalBytes: data.length, offset: 0, data: first, crc32c: crc32c(first) };
  for (let offset = first.length; offset < data.length; offset += chunkBytes) {
    const piece = data.subarray(offset, offset + chunkBytes);
    yield { offset, data: piece, crc32c: crc32c(piece) };
  }
}

export interface RaftSnapshotLimits {
  /** The most snapshot data bytes a receiver accepts (it holds them all in memory). */
  snapshotBytesMax: number;
  /** The most data bytes in one chunk. */
  snapshotChunkBytes: number;
}

export interface ReceivedRaftSnapshot {
  clusterId: string;
  /** The MsgSnap message, its snapshot's data whole again. */
  message: Message;
}

function malformed(problem: string): never {
  throw new VstorError('INVALID_ARGUMENT', `malformed snapshot stream: ${problem}`);
}

/**
 * Reassembles one snapshot stream: push() every chunk as it arrives (it throws an VstorError
 * at the first bad one: INVALID_ARGUMENT, or DATA_LOSS for a checksum mismatch), then
 * finish() when the stream ends.
 */
export class RaftSnapshotAssembler {
  private readonly limits: RaftSnapshotLimits;
  private header: { clusterId: string; message: Message } | undefined;
  private data = new Uint8Array(0);
  private receivedBytes = 0;
  private chunkIndex = 0;

  constructor(limits: RaftSnapshotLimits) {
    for (const [name, value] of Object.entries(limits)) {
      assert(Number.isSafeInteger(value) && value > 0, () => `${name} must be a positive integer, got ${value}`);
    }
    this.limits = { ...limits };
  }

  get bytesReceived(): number {
    return this.receivedBytes;
  }

  /** `value` is what proto-loader decoded (a SnapshotChunk__Output), or anything else. */
  push(value: unknown): void {
    const path = `chunk ${this.chunkIndex}`;
    if (typeof value !== 'object' || value === null) malformed(`${path} is missing`);
    const chunk = value as Record<string, unknown>;
    if (this.header === undefined) this.readHeader(chunk, path);
    else if (chunk.message !== null && chunk.message !== undefined) malformed(`${path} repeats the message`);

    const data = decodeBytes(chunk.data, `${path}.data`);
    if (chunk.offset !== this.receivedBytes) {
      malformed(`${path} starts at offset ${String(chunk.offset)}, expected ${this.receivedBytes}`);
    }
    if (data.length > this.limits.snapshotChunkBytes) {
      malformed(`${path} holds ${data.length} bytes, more than snapshotChunkBytes ${this.limits.snapshotChunkBytes}`);
    }
    if (data.length === 0 && this.chunkIndex > 0) malformed(`${path} is empty`);
    if (this.receivedBytes + data.length > this.data.length) {
      malformed(`${path} goes past the announced ${this.data.length} bytes`);
    }
    const expected = crc32c(data);
    if (chunk.crc32c !== expected) {
      throw new VstorError('DATA_LOSS', `snapshot stream: ${path} at offset ${this.receivedBytes} fails its CRC32C ` +
        `(got ${String(chunk.crc32c)}, computed ${expected})`);
    }
    this.data.set(data, this.receivedBytes);
    this.receivedBytes += data.length;
    this.chunkIndex++;
  }

  /** The whole MsgSnap message; throws if the stream ended early or never began. */
  finish(): ReceivedRaftSnapshot {
    if (this.header === undefined) malformed('no chunk received');
    if (this.receivedBytes !== this.data.length) malformed(`ended at byte ${this.receivedBytes} of ${this.data.length}`);
    const { clusterId, message } = this.header;
    return { clusterId, message: { ...message, snapshot: { ...message.snapshot!, data: this.data } } };
  }

  private readHeader(chunk: Record<string, unknown>, path: string): void {
    if (typeof chunk.clusterId !== 'string') malformed(`${path}.clusterId is not a string`);
    const message = decodeMessage(chunk.message, `${path}.message`);
    if (message.type !== MessageType.Snap) malformed(`${path}.message is ${messageTypeName(message.type)}, not MsgSnap`);
    if (message.snapshot!.data.length !== 0) malformed(`${path}.message carries snapshot data; the chunks carry it`);
    const totalBytes = chunk.totalBytes;
    if (typeof totalBytes !== 'number' || !Number.isSafeInteger(totalBytes) || totalBytes < 0) {
      malformed(`${path}.totalBytes ${String(totalBytes)} is not an integer in [0, 2^53)`);
    }
    if (totalBytes > this.limits.snapshotBytesMax) {
      malformed(`${path}: a snapshot of ${totalBytes} bytes is over snapshotBytesMax ${this.limits.snapshotBytesMax}`);
    }
    this.header = { clusterId: chunk.clusterId, message };
    this.data = new Uint8Array(totalBytes);
  }
}
