// The transmission phase as pure code: a decoder that turns the client's byte stream into
// requests, and encoders for simple replies and structured reply chunks. The server feeds
// socket chunks to push(), executes each request against the vDisk, and writes the bytes
// the encoders return.
//
// Oversized writes. A WRITE whose length exceeds writePayloadBytesMax is not buffered. The
// spec lets a server drop the connection then, but says a length up to 2^25 bytes SHOULD
// NOT be treated as a denial of service, and a disconnect fails every request in flight on
// the connection, not just the bad one. So we read and discard the payload as it arrives
// (no memory held) and emit 'oversized-write' with the cookie; the server answers EINVAL
// and the connection stays usable. Only a length above writeDiscardBytesMax, which no
// honest client sends, is a fatal PAYLOAD_TOO_BIG.
import { ByteWriter, encodeString } from './bytes.ts';
import { ChunkType, Command, REQUEST_HEADER_BYTES, REQUEST_MAGIC, ReplyFlag, SIMPLE_REPLY_MAGIC, STRUCTURED_REPLY_MAGIC } from './constants.ts';
import type { ProtocolError } from './errors.ts';
import { assert, protocolError } from './errors.ts';
import { FrameReader } from './frame-reader.ts';

export interface TransmissionConfig {
  /** The largest WRITE payload buffered and handed to the server. */
  writePayloadBytesMax: number;
  /** WRITE payloads up to this are discarded and answered EINVAL; above it, disconnect. */
  writeDiscardBytesMax: number;
  /** Unparsed bytes held at most; must hold a header and the largest payload. */
  pendingBytesMax: number;
}

export const DEFAULT_TRANSMISSION_CONFIG: TransmissionConfig = {
  writePayloadBytesMax: 32 * 1024 * 1024,
  writeDiscardBytesMax: 0xffffffff,
  pendingBytesMax: 32 * 1024 * 1024 + REQUEST_HEADER_BYTES + 256 * 1024,
};

export interface NbdRequest {
  /** NBD_CMD_FLAG_* bits, unvalidated: which flags a command accepts is the server's rule. */
  flags: number;
  /** NBD_CMD_* code, possibly one we do not know (the server answers EINVAL). */
  type: number;
  /** The client's 8-byte handle, echoed in every reply. */
  cookie: bigint;
  offset: bigint;
  lengthBytes: number;
  /** The payload of a WRITE; absent for every other command. */
  data?: Uint8Array;
}

export type TransmissionEvent =
  | { kind: 'request'; request: NbdRequest }
  /** A WRITE above writePayloadBytesMax whose payload was discarded; answer EINVAL. */
  | { kind: 'oversized-write'; cookie: bigint; offset: bigint; lengthBytes: number }
  | ProtocolError;

export type TransmissionState = 'requests' | 'disconnected' | 'failed';

export class TransmissionDecoder {
  readonly config: TransmissionConfig;
  private readonly reader: FrameReader;
  private stateValue: TransmissionState = 'requests';
  /** A WRITE header whose payload has not fully arrived. */
  private pendingWrite: NbdRequest | undefined;
  private discarding: { cookie: bigint; offset: bigint; lengthBytes: number; remainingBytes: number } | undefined;

  constructor(config: TransmissionConfig = DEFAULT_TRANSMISSION_CONFIG) {
    assert(config.writeDiscardBytesMax >= config.writePayloadBytesMax, 'writeDiscardBytesMax must be at least writePayloadBytesMax');
    assert(config.pendingBytesMax >= config.writePayloadBytesMax + REQUEST_HEADER_BYTES, 'pendingBytesMax must hold a header and the largest write payload');
    this.config = config;
    this.reader = new FrameReader(config.pendingBytesMax);
  }

  get state(): TransmissionState {
    return this.stateValue;
  }

  /** True when the input, if it ended now, would end inside a request (a truncated frame). */
  get framePending(): boolean {
    return this.reader.pendingBytes > 0 || this.pendingWrite !== undefined || this.discarding !== undefined;
  }

  push(chunk: Uint8Array): TransmissionEvent[] {
    if (this.stateValue === 'failed') return [];
    if (this.stateValue === 'disconnected') {
      if (chunk.length === 0) return [];
      return [this.fail(protocolError('UNEXPECTED_DATA', 'the client sent data after NBD_CMD_DISC'))];
    }
    if (!this.reader.push(chunk)) {
      return [this.fail(protocolError('BUFFER_FULL', `more than ${this.reader.pendingBytesMax} unparsed request bytes`))];
    }
    const events: TransmissionEvent[] = [];
    for (;;) {
      const event = this.step();
      if (event === undefined) return events;
      events.push(event);
      // Bytes after DISC are an error however the stream was split, so check them here too.
      if (this.state === 'disconnected' && this.reader.pendingBytes > 0) {
        events.push(this.fail(protocolError('UNEXPECTED_DATA', 'the client sent data after NBD_CMD_DISC')));
      }
      if (this.stateValue !== 'requests') return events;
    }
  }

  private step(): TransmissionEvent | undefined {
    if (this.discarding !== undefined) {
      const discarding = this.discarding;
      discarding.remainingBytes -= this.reader.discard(discarding.remainingBytes);
      if (discarding.remainingBytes > 0) return undefined;
      this.discarding = undefined;
      return { kind: 'oversized-write', cookie: discarding.cookie, offset: discarding.offset, lengthBytes: discarding.lengthBytes };
    }
    if (this.pendingWrite !== undefined) {
      const data = this.reader.take(this.pendingWrite.lengthBytes);
      if (data === undefined) return undefined;
      const request = { ...this.pendingWrite, data };
      this.pendingWrite = undefined;
      return { kind: 'request', request };
    }
    const header = this.reader.take(REQUEST_HEADER_BYTES);
    if (header === undefined) return undefined;
    const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
    if (view.getUint32(0) !== REQUEST_MAGIC) return this.fail(protocolError('BAD_MAGIC', 'a request does not start with NBD_REQUEST_MAGIC'));
    const request: NbdRequest = {
      flags: view.getUint16(4),
      type: view.getUint16(6),
      cookie: view.getBigUint64(8),
      offset: view.getBigUint64(16),
      lengthBytes: view.getUint32(24),
    };
    if (request.type === Command.DISC) {
      this.stateValue = 'disconnected';
      return { kind: 'request', request };
    }
    if (request.type !== Command.WRITE) return { kind: 'request', request };
    if (request.lengthBytes > this.config.writeDiscardBytesMax) {
      return this.fail(protocolError('PAYLOAD_TOO_BIG', `a WRITE of ${request.lengthBytes} bytes exceeds ${this.config.writeDiscardBytesMax}`));
    }
    if (request.lengthBytes > this.config.writePayloadBytesMax) {
      this.discarding = { cookie: request.cookie, offset: request.offset, lengthBytes: request.lengthBytes, remainingBytes: request.lengthBytes };
      return this.step();
    }
    this.pendingWrite = request;
    return this.step();
  }

  private fail(error: ProtocolError): ProtocolError {
    this.stateValue = 'failed';
    return error;
  }
}

const SIMPLE_REPLY_HEADER_BYTES = 16;
const CHUNK_HEADER_BYTES = 20;
/** A structured chunk's payload length is a u32. */
const CHUNK_PAYLOAD_BYTES_MAX = 0xffffffff;
/** An error chunk's message length is a u16, and the spec caps strings at 4096 bytes. */
const ERROR_MESSAGE_BYTES_MAX = 4096;

/**
 * A simple reply: magic, error, cookie. For a successful READ without structured replies
 * the data follows; pass it here, or write it yourself after this header to avoid a copy.
 */
export function encodeSimpleReply(cookie: bigint, errno: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  assert(errno === 0 || data.length === 0, 'a simple reply with an error carries no data');
  return new ByteWriter(SIMPLE_REPLY_HEADER_BYTES + data.length).u32(SIMPLE_REPLY_MAGIC).u32(errno).u64(cookie).raw(data).done();
}

/** The 20-byte header of a structured reply chunk; payloadBytes of payload must follow. */
export function encodeChunkHeader(cookie: bigint, flags: number, type: number, payloadBytes: number): Uint8Array {
  assert(payloadBytes <= CHUNK_PAYLOAD_BYTES_MAX, `chunk payload of ${payloadBytes} bytes does not fit a u32`);
  return new ByteWriter(CHUNK_HEADER_BYTES).u32(STRUCTURED_REPLY_MAGIC).u16(flags).u16(type).u64(cookie).u32(payloadBytes).done();
}

/** NBD_REPLY_TYPE_NONE: the final chunk of a reply whose other chunks said everything. */
export function encodeNoneChunk(cookie: bigint): Uint8Array {
  return encodeChunkHeader(cookie, ReplyFlag.DONE, ChunkType.NONE, 0);
}

/**
 * The header and offset of an NBD_REPLY_TYPE_OFFSET_DATA chunk (28 bytes); dataBytes of
 * data must follow. Splitting the header off lets the server write a large read without
 * copying it.
 */
export function encodeOffsetDataHeader(cookie: bigint, offset: bigint, dataBytes: number, done: boolean): Uint8Array {
  // Every READ's reply starts with this, so it is written field by field into one small
  // buffer from Node's pool, not through ByteWriter (two allocations, and each field's
  // check formats its message whether it fails or not).
  assert(dataBytes > 0 && 8 + dataBytes <= CHUNK_PAYLOAD_BYTES_MAX, 'an OFFSET_DATA chunk describes at least one byte and fits a u32 length');
  const header = Buffer.allocUnsafe(CHUNK_HEADER_BYTES + 8);
  header.writeUInt32BE(STRUCTURED_REPLY_MAGIC, 0);
  header.writeUInt16BE(done ? ReplyFlag.DONE : 0, 4);
  header.writeUInt16BE(ChunkType.OFFSET_DATA, 6);
  header.writeBigUInt64BE(cookie, 8);
  header.writeUInt32BE(8 + dataBytes, 16);
  header.writeBigUInt64BE(offset, 20);
  return header;
}

export function encodeOffsetDataChunk(cookie: bigint, offset: bigint, data: Uint8Array, done: boolean): Uint8Array {
  const header = encodeOffsetDataHeader(cookie, offset, data.length, done);
  return new ByteWriter(header.length + data.length).raw(header).raw(data).done();
}

/** NBD_REPLY_TYPE_OFFSET_HOLE: holeBytes of zeroes at offset, sent as 12 bytes. */
export function encodeOffsetHoleChunk(cookie: bigint, offset: bigint, holeBytes: number, done: boolean): Uint8Array {
  assert(holeBytes > 0, 'an OFFSET_HOLE chunk describes at least one byte');
  const header = encodeChunkHeader(cookie, done ? ReplyFlag.DONE : 0, ChunkType.OFFSET_HOLE, 12);
  return new ByteWriter(CHUNK_HEADER_BYTES + 12).raw(header).u64(offset).u32(holeBytes).done();
}

/** NBD_REPLY_TYPE_ERROR: errno, u16 message length, message. */
export function encodeErrorChunk(cookie: bigint, errno: number, message: string, done = true): Uint8Array {
  assert(errno !== 0, 'an error chunk carries a non-zero error');
  const text = encodeString(message);
  assert(text.length <= ERROR_MESSAGE_BYTES_MAX, `error message is ${text.length} bytes`);
  const header = encodeChunkHeader(cookie, done ? ReplyFlag.DONE : 0, ChunkType.ERROR, 6 + text.length);
  return new ByteWriter(CHUNK_HEADER_BYTES + 6 + text.length).raw(header).u32(errno).u16(text.length).raw(text).done();
}

/** NBD_REPLY_TYPE_ERROR_OFFSET: as ERROR, then the u64 offset where the error happened. */
export function encodeErrorOffsetChunk(cookie: bigint, errno: number, message: string, offset: bigint, done: boolean): Uint8Array {
  assert(errno !== 0, 'an error chunk carries a non-zero error');
  const text = encodeString(message);
  assert(text.length <= ERROR_MESSAGE_BYTES_MAX, `error message is ${text.length} bytes`);
  const header = encodeChunkHeader(cookie, done ? ReplyFlag.DONE : 0, ChunkType.ERROR_OFFSET, 14 + text.length);
  return new ByteWriter(CHUNK_HEADER_BYTES + 14 + text.length).raw(header).u32(errno).u16(text.length).raw(text).u64(offset).done();
}

export interface Extent {
  lengthBytes: number;
  /** NBD_STATE_* bits of the context, e.g. HOLE | ZERO for base:allocation. */
  flags: number;
}

/** NBD_REPLY_TYPE_BLOCK_STATUS: context id, then (u32 length, u32 flags) per extent. */
export function encodeBlockStatusChunk(cookie: bigint, contextId: number, extents: readonly Extent[], done: boolean): Uint8Array {
  assert(extents.length > 0, 'a block status chunk carries at least one extent');
  const payloadBytes = 4 + extents.length * 8;
  const writer = new ByteWriter(CHUNK_HEADER_BYTES + payloadBytes)
    .raw(encodeChunkHeader(cookie, done ? ReplyFlag.DONE : 0, ChunkType.BLOCK_STATUS, payloadBytes))
    .u32(contextId);
  for (const extent of extents) {
    assert(extent.lengthBytes > 0, 'an extent has a non-zero length');
    writer.u32(extent.lengthBytes).u32(extent.flags);
  }
  return writer.done();
}
