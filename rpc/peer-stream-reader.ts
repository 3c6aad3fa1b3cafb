// The receiving end of one Raft peer connection, without the socket: it takes the chunks
// TCP delivers, in whatever sizes they come, and hands back whole, checked batches (see
// rpc/peer-frame.ts for the bytes). The socket's owner (daemon/peer-listener.ts) closes the
// connection on the first error it throws; nothing of a frame that fails reaches Raft, and
// every frame before it was whole and checked when it was delivered.
//
// A frame that lies within one chunk is decoded where it lies, so entry data are views into
// the socket's own buffer; only a frame split across chunks is copied, once, into a buffer
// of its exact size. What the reader holds is bounded by one frame (frameBytesMax, checked
// as soon as its length prefix is read) plus one chunk.
import type { Message } from '../consensus/index.ts';
import { VstorError } from './errors.ts';
import type { PeerHandshake } from './peer-frame.ts';
import { decodeClusterId, decodeFrameBody, decodeHandshakeFixed, FRAME_HEADER_BYTES, HANDSHAKE_FIXED_BYTES } from './peer-frame.ts';

export interface PeerStreamReaderOptions {
  /** This member's cluster and Raft id: a connection for another is refused. */
  clusterId: string;
  memberId: number;
  /** The largest frame body accepted. */
  frameBytesMax: number;
  /** The handshake, once checked. */
  onHandshake?(handshake: PeerHandshake): void;
  /** The messages of one frame, all from the handshake's sender and for this member. */
  onBatch(messages: Message[], handshake: PeerHandshake): void;
}

type Expecting =
  | { part: 'handshake' }
  | { part: 'cluster id'; from: number; to: number; bytes: number }
  | { part: 'frame header' }
  | { part: 'frame body'; bytes: number }
  | { part: 'failed' };

export class PeerStreamReader {
  private readonly chunks: Buffer[] = [];
  /** Where the unread bytes of chunks[0] start. */
  private head = 0;
  private buffered = 0;
  private expecting: Expecting = { part: 'handshake' };
  private peer: PeerHandshake | undefined;
  framesReceived = 0;
  messagesReceived = 0;

  constructor(private readonly options: PeerStreamReaderOptions) {}

  /** The sender, once its handshake was accepted. */
  get handshake(): PeerHandshake | undefined {
    return this.peer;
  }

  /** Bytes received and not yet decoded. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /**
   * Takes the next chunk of the stream and delivers every batch it completes. Throws a
   * VstorError for a refused handshake or a bad frame; the reader then refuses everything.
   */
  push(chunk: Buffer): void {
    if (this.expecting.part === 'failed') throw new VstorError('FAILED_PRECONDITION', 'the peer stream already failed');
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    try {
      this.drain();
    } catch (error) {
      this.expecting = { part: 'failed' };
      this.chunks.length = 0;
      this.buffered = 0;
      throw error;
    }
  }

  /** The stream ended: throws if it ended inside the handshake or a frame. */
  end(): void {
    const part = this.expecting.part;
    if (part === 'failed') return;
    if (part === 'frame header' && this.buffered === 0) return;
    this.expecting = { part: 'failed' };
    throw new VstorError('INVALID_ARGUMENT', `the peer stream ended inside a ${part === 'cluster id' ? 'handshake' : part} (${this.buffered} bytes of it received)`);
  }

  private drain(): void {
    for (;;) {
      const expecting = this.expecting;
      switch (expecting.part) {
        case 'handshake': {
          if (this.buffered < HANDSHAKE_FIXED_BYTES) return;
          const { from, to, clusterIdBytes } = decodeHandshakeFixed(this.take(HANDSHAKE_FIXED_BYTES));
          this.expecting = { part: 'cluster id', from, to, bytes: clusterIdBytes };
          break;
        }
        case 'cluster id': {
          if (this.buffered < expecting.bytes) return;
          const handshake = { clusterId: decodeClusterId(this.take(expecting.bytes)), from: expecting.from, to: expecting.to };
          this.check(handshake);
          this.peer = handshake;
          this.expecting = { part: 'frame header' };
          this.options.onHandshake?.(handshake);
          break;
        }
        case 'frame header': {
          if (this.buffered < FRAME_HEADER_BYTES) return;
          const bytes = this.take(FRAME_HEADER_BYTES).readUInt32BE(0);
          if (bytes > this.options.frameBytesMax) {
            throw new VstorError('RESOURCE_EXHAUSTED', `a peer frame of ${bytes} bytes is over frameBytesMax (${this.options.frameBytesMax})`);
          }
          this.expecting = { part: 'frame body', bytes };
          break;
        }
        case 'frame body': {
          if (this.buffered < expecting.bytes) return;
          const messages = decodeFrameBody(this.take(expecting.bytes));
          const peer = this.peer!;
          for (const message of messages) {
            if (message.to !== peer.to) throw new VstorError('FAILED_PRECONDITION', `a message for member ${message.to} on a connection for member ${peer.to}`);
            if (message.from !== peer.from) throw new VstorError('INVALID_ARGUMENT', `a message from member ${message.from} on a connection from member ${peer.from}`);
          }
          this.expecting = { part: 'frame header' };
          this.framesReceived++;
          this.messagesReceived += messages.length;
          if (messages.length > 0) this.options.onBatch(messages, peer);
          break;
        }
        case 'failed':
          return;
      }
    }
  }

  private check(handshake: PeerHandshake): void {
    const { clusterId, memberId } = this.options;
    if (handshake.clusterId !== clusterId) {
      throw new VstorError('FAILED_PRECONDITION', `member ${handshake.from} of cluster "${handshake.clusterId}" reached cluster "${clusterId}"`);
    }
    if (handshake.to !== memberId) {
      throw new VstorError('FAILED_PRECONDITION', `member ${handshake.from} meant to reach member ${handshake.to}, and reached member ${memberId} (a stale address?)`);
    }
    if (handshake.from === memberId) throw new VstorError('INVALID_ARGUMENT', `member ${memberId} connected to itself`);
  }

  /** The next `count` buffered bytes (count <= buffered): a view when they lie in one
   * chunk, else a copy into a buffer of their own. */
  private take(count: number): Buffer {
    if (count === 0) return Buffer.alloc(0);
    this.buffered -= count;
    const first = this.chunks[0]!;
    if (first.length - this.head >= count) {
      const view = first.subarray(this.head, this.head + count);
      this.advance(first, count);
      return view;
    }
    const joined = Buffer.allocUnsafe(count);
    let filled = 0;
    while (filled < count) {
      const chunk = this.chunks[0]!;
      const part = Math.min(chunk.length - this.head, count - filled);
      chunk.copy(joined, filled, this.head, this.head + part);
      filled += part;
      this.advance(chunk, part);
    }
    return joined;
  }

  private advance(chunk: Buffer, count: number): void {
    this.head += count;
    if (this.head === chunk.length) {
      this.chunks.shift();
      this.head = 0;
    }
  }
}
