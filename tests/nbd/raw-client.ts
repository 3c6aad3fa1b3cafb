// A deliberately small NBD client for the server tests that real clients cannot write:
// requests out of range, truncated frames, unknown options, a byte stream of our choosing.
// It speaks through the codec's own ByteWriter and FrameReader; every read is bounded by a
// timeout so a server that stops answering fails the test instead of hanging it.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { ByteWriter, encodeString } from '../../daemon/nbd/bytes.ts';
import {
  ClientFlag, Command, IHAVEOPT_MAGIC, NBD_MAGIC, Option, OPTION_REPLY_MAGIC, Reply, ReplyFlag, REQUEST_MAGIC, SIMPLE_REPLY_MAGIC, STRUCTURED_REPLY_MAGIC, ChunkType,
} from '../../daemon/nbd/constants.ts';
import { FrameReader } from '../../daemon/nbd/frame-reader.ts';

const READ_TIMEOUT_MS = 15_000;

export interface OptionReply {
  option: number;
  type: number;
  data: Uint8Array;
}

export interface Granted {
  sizeBytes: number;
  transmissionFlags: number;
  replies: OptionReply[];
}

export interface RequestSpec {
  type: number;
  flags?: number;
  cookie: bigint;
  offset?: bigint | number;
  lengthBytes?: number;
  data?: Uint8Array;
}

export interface ReadSpec {
  offset: number;
  lengthBytes: number;
}

export interface ReplyResult {
  cookie: bigint;
  errno: number;
  /** READ data, reassembled from OFFSET_DATA/OFFSET_HOLE chunks or the simple reply. */
  data?: Uint8Array;
  /** BLOCK_STATUS descriptors: [lengthBytes, flags]. */
  extents?: [number, number][];
  contextId?: number;
  message?: string;
  structured: boolean;
}

export class RawNbdClient {
  /** Resolves when the server (or we) closed the socket. */
  readonly closed: Promise<void>;
  private readonly reader = new FrameReader(256 * 1024 * 1024);
  private waiter: (() => void) | undefined;
  private isClosed = false;
  structuredReplies = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.reader.push(chunk);
      this.waiter?.();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.on('close', () => {
      this.isClosed = true;
      this.waiter?.();
      resolve();
    }));
  }

  static connect(port: number): Promise<RawNbdClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.off('error', reject);
        resolve(new RawNbdClient(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Exactly n bytes from the server; rejects if it closes first or takes too long. */
  async read(lengthBytes: number, timeoutMs = READ_TIMEOUT_MS): Promise<Uint8Array> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const bytes = this.reader.take(lengthBytes);
      if (bytes !== undefined) return bytes;
      if (this.isClosed) throw new Error(`the server closed the connection with ${this.reader.pendingBytes} of ${lengthBytes} bytes read`);
      const remainingMs = deadline - Date.now();
      if (remainingMs <= 0) throw new Error(`no ${lengthBytes} bytes from the server within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remainingMs);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Waits for the server to close the connection; false if it did not within the time. */
  async waitClosed(timeoutMs = READ_TIMEOUT_MS): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const result = await Promise.race([this.closed.then(() => true), timeout]);
    clearTimeout(timer);
    return result;
  }

  // ---- negotiation -------------------------------------------------------------------------

  /** Reads the greeting and answers with fixed newstyle and no-zeroes. */
  async greet(clientFlags = ClientFlag.FIXED_NEWSTYLE | ClientFlag.NO_ZEROES): Promise<number> {
    const greeting = await this.read(18);
    const view = view16(greeting);
    if (view.getBigUint64(0) !== NBD_MAGIC || view.getBigUint64(8) !== IHAVEOPT_MAGIC) throw new Error('not an NBD newstyle greeting');
    this.write(new ByteWriter(4).u32(clientFlags).done());
    return view.getUint16(16);
  }

  sendOption(option: number, data: Uint8Array = new Uint8Array(0)): void {
    this.write(new ByteWriter(16 + data.length).u64(IHAVEOPT_MAGIC).u32(option).u32(data.length).raw(data).done());
  }

  async readOptionReply(): Promise<OptionReply> {
    const header = await this.read(20);
    const view = view16(header);
    if (view.getBigUint64(0) !== OPTION_REPLY_MAGIC) throw new Error('bad option reply magic');
    const lengthBytes = view.getUint32(16);
    return { option: view.getUint32(8), type: view.getUint32(12), data: await this.read(lengthBytes) };
  }

  /** Option replies up to and including the final one (ACK or an error). */
  async readOptionReplies(): Promise<OptionReply[]> {
    const replies: OptionReply[] = [];
    for (;;) {
      const reply = await this.readOptionReply();
      replies.push(reply);
      if (reply.type === Reply.ACK || reply.type >= 0x80000000) return replies;
    }
  }

  async negotiateStructuredReplies(): Promise<void> {
    this.sendOption(Option.STRUCTURED_REPLY);
    const [reply] = await this.readOptionReplies();
    if (reply?.type !== Reply.ACK) throw new Error(`STRUCTURED_REPLY answered ${reply?.type}`);
    this.structuredReplies = true;
  }

  async setMetaContexts(exportName: string, queries: readonly string[]): Promise<OptionReply[]> {
    this.sendOption(Option.SET_META_CONTEXT, metaContextData(exportName, queries));
    return this.readOptionReplies();
  }

  /** NBD_OPT_GO; resolves with the export's size and flags, or rejects with the error reply. */
  async go(exportName: string, infoRequests: readonly number[] = []): Promise<Granted> {
    this.sendOption(Option.GO, goData(exportName, infoRequests));
    const replies = await this.readOptionReplies();
    const last = replies[replies.length - 1]!;
    if (last.type !== Reply.ACK) throw new OptionError(last.type, new TextDecoder().decode(last.data));
    const exportInfo = replies.find((reply) => reply.type === Reply.INFO && view16(reply.data).getUint16(0) === 0)!;
    const view = view16(exportInfo.data);
    return { sizeBytes: Number(view.getBigUint64(2)), transmissionFlags: view.getUint16(10), replies };
  }

  /** The common case: greet, structured replies, base:allocation, GO. */
  async open(exportName: string, options: { structured?: boolean } = {}): Promise<Granted> {
    await this.greet();
    if (options.structured !== false) {
      await this.negotiateStructuredReplies();
      await this.setMetaContexts(exportName, ['base:allocation']);
    }
    return this.go(exportName);
  }

  // ---- transmission ------------------------------------------------------------------------

  sendRequest(spec: RequestSpec): void {
    this.write(encodeRequest(spec));
  }

  /**
   * Reads replies until `count` requests are complete, in whatever order they come. reads
   * names the cookies that are READs and their ranges (a simple reply's data has no length
   * of its own).
   */
  async readReplies(count: number, reads: ReadonlyMap<bigint, ReadSpec> = new Map()): Promise<Map<bigint, ReplyResult>> {
    const done = new Map<bigint, ReplyResult>();
    const partial = new Map<bigint, ReplyResult>();
    while (done.size < count) {
      const magic = view16(await this.read(4)).getUint32(0);
      if (magic === SIMPLE_REPLY_MAGIC) {
        const rest = view16(await this.read(12));
        const cookie = rest.getBigUint64(4);
        const errno = rest.getUint32(0);
        const read = reads.get(cookie);
        const data = errno === 0 && read !== undefined ? Uint8Array.from(await this.read(read.lengthBytes)) : undefined;
        done.set(cookie, { cookie, errno, data, structured: false });
      } else if (magic === STRUCTURED_REPLY_MAGIC) {
        const header = view16(await this.read(16));
        const flags = header.getUint16(0);
        const type = header.getUint16(2);
        const cookie = header.getBigUint64(4);
        const payload = await this.read(header.getUint32(12));
        const result = partial.get(cookie) ?? { cookie, errno: 0, structured: true };
        partial.set(cookie, result);
        applyChunk(result, type, payload, reads.get(cookie));
        if ((flags & ReplyFlag.DONE) !== 0) {
          partial.delete(cookie);
          done.set(cookie, result);
        }
      } else {
        throw new Error(`bad reply magic 0x${magic.toString(16)}`);
      }
    }
    return done;
  }

  async request(spec: RequestSpec): Promise<ReplyResult> {
    this.sendRequest(spec);
    const reads = new Map<bigint, ReadSpec>();
    if (spec.type === Command.READ) reads.set(spec.cookie, { offset: Number(spec.offset ?? 0), lengthBytes: spec.lengthBytes ?? 0 });
    const replies = await this.readReplies(1, reads);
    const reply = replies.get(spec.cookie);
    if (reply === undefined) throw new Error(`no reply for cookie ${spec.cookie}`);
    return reply;
  }

  disconnect(): void {
    this.sendRequest({ type: Command.DISC, cookie: 0n });
    this.end();
  }
}

export class OptionError extends Error {
  constructor(readonly replyType: number, message: string) {
    super(`option error 0x${replyType.toString(16)}: ${message}`);
  }
}

export function encodeRequest(spec: RequestSpec): Uint8Array {
  const data = spec.data ?? new Uint8Array(0);
  const lengthBytes = spec.lengthBytes ?? data.length;
  return new ByteWriter(28 + data.length)
    .u32(REQUEST_MAGIC).u16(spec.flags ?? 0).u16(spec.type).u64(spec.cookie).u64(spec.offset ?? 0).u32(lengthBytes).raw(data).done();
}

export function goData(exportName: string, infoRequests: readonly number[]): Uint8Array {
  const name = encodeString(exportName);
  const writer = new ByteWriter(4 + name.length + 2 + 2 * infoRequests.length).u32(name.length).raw(name).u16(infoRequests.length);
  for (const request of infoRequests) writer.u16(request);
  return writer.done();
}

export function metaContextData(exportName: string, queries: readonly string[]): Uint8Array {
  const name = encodeString(exportName);
  const encoded = queries.map(encodeString);
  const writer = new ByteWriter(4 + name.length + 4 + encoded.reduce((sum, query) => sum + 4 + query.length, 0)).u32(name.length).raw(name).u32(encoded.length);
  for (const query of encoded) writer.u32(query.length).raw(query);
  return writer.done();
}

function applyChunk(result: ReplyResult, type: number, payload: Uint8Array, read: ReadSpec | undefined): void {
  const view = view16(payload);
  switch (type) {
    case ChunkType.NONE:
      if (read !== undefined) result.data ??= new Uint8Array(read.lengthBytes);
      return;
    case ChunkType.OFFSET_DATA:
    case ChunkType.OFFSET_HOLE: {
      if (read === undefined) throw new Error(`a data chunk for cookie ${result.cookie}, which is not a READ`);
      result.data ??= new Uint8Array(read.lengthBytes);
      const at = Number(view.getBigUint64(0)) - read.offset;
      // Holes read as the zeroes the buffer starts with.
      if (type === ChunkType.OFFSET_DATA) result.data.set(payload.subarray(8), at);
      return;
    }
    case ChunkType.BLOCK_STATUS: {
      result.contextId = view.getUint32(0);
      result.extents = [];
      for (let position = 4; position < payload.length; position += 8) result.extents.push([view.getUint32(position), view.getUint32(position + 4)]);
      return;
    }
    case ChunkType.ERROR:
    case ChunkType.ERROR_OFFSET: {
      result.errno = view.getUint32(0);
      const messageBytes = view.getUint16(4);
      result.message = new TextDecoder().decode(payload.subarray(6, 6 + messageBytes));
      return;
    }
    default:
      throw new Error(`unknown structured chunk type ${type}`);
  }
}

function view16(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
