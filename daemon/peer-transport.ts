// The sending side of the peer protocol. Raft messages go on one TCP connection per peer to
// its `peer` address (daemon/peer-connection.ts; the receiving side is
// daemon/peer-listener.ts), like etcd's rafthttp streams on its peer URLs, kept apart from
// the client-facing gRPC port: a message costs a few microseconds of encoding and one
// socket write, where a message on a grpc-js stream cost HTTP/2 framing and proto-loader's
// object conversions. The messages of one Ready for one peer go out as one frame, cut at
// batchBytesMax.
//
// Raft tolerates lost messages, so nothing here retries: a frame that cannot be written
// (no connection yet within the reconnect interval, a write buffer over its bound, a peer
// with no known address) is dropped and the peer reported unreachable, which moves the
// leader's pipelining to that peer back to probing. Raft snapshots are the exception: they
// are large and rare, and travel on the gRPC RaftPeer.SendSnapshot stream of the peer's
// `grpc` address, in checked chunks, and their outcome is reported back.

import { credentials } from '@grpc/grpc-js';
import type { Message } from '../consensus/index.ts';
import { assert, MessageType } from '../consensus/index.ts';
import type { SnapshotChunk } from '../proto/gen/vstor/internal/SnapshotChunk.ts';
import { encodedMessageBytes, encodeFrame } from '../rpc/peer-frame.ts';
import { RaftPeerClient } from '../rpc/proto.ts';
import { raftSnapshotChunks } from '../rpc/raft-snapshot-stream.ts';
import { PeerConnection } from './peer-connection.ts';
import type { PeerTransport } from './raft-loop.ts';

export interface PeerTransportOptions {
  clusterId: string;
  selfId: number;
  /** A member's `peer` address, or undefined if unknown (its messages are dropped). */
  peerAddressOf(raftId: number): string | undefined;
  /** A member's gRPC address, for Raft snapshots. */
  grpcAddressOf(raftId: number): string | undefined;
  reportUnreachable(raftId: number): void;
  reportSnapshot(raftId: number, status: 'finish' | 'failure'): void;
  snapshotChunkBytes: number;
  /** The most bytes in one frame's body; larger Readys go out as several frames. */
  batchBytesMax: number;
  /** The largest frame body a peer accepts (its listener's frameBytesMax); a message that
   * alone is larger is dropped with a warning. */
  frameBytesMax: number;
  /** Bytes waiting in a peer's socket before frames for it are dropped. */
  writeBufferBytesMax: number;
  reconnectIntervalMs: number;
  connectTimeoutMs?: number;
  stallTimeoutMs?: number;
  /** The largest gRPC message (a snapshot chunk with its framing). */
  grpcMessageBytesMax: number;
  logger?: { warn(fields: object, message: string): void; debug(fields: object, message: string): void };
}

/** The frame body's own bytes (the message count) beside its messages. */
const FRAME_BODY_FIXED_BYTES = 4;

/** One peer: its connection for messages and, when one is needed, a gRPC client for snapshots. */
class PeerSender {
  readonly connection: PeerConnection;
  private snapshotClient: InstanceType<typeof RaftPeerClient> | undefined;
  private snapshotAddress: string | undefined;
  private snapshotsInFlight = 0;
  /** Whether the missing address was logged, so that it is logged once per absence. */
  private warnedNoAddress = false;

  constructor(
    private readonly peerId: number,
    private readonly options: PeerTransportOptions,
  ) {
    this.connection = new PeerConnection({
      clusterId: options.clusterId,
      selfId: options.selfId,
      peerId,
      reconnectIntervalMs: options.reconnectIntervalMs,
      writeBufferBytesMax: options.writeBufferBytesMax,
      connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
      stallTimeoutMs: options.stallTimeoutMs ?? 10_000,
      onDown: (reason) => {
        options.logger?.debug({ peer: peerId, reason }, 'raft peer connection down');
        options.reportUnreachable(peerId);
      },
    });
  }

  send(frame: Buffer): void {
    const address = this.options.peerAddressOf(this.peerId);
    if (address === undefined) {
      if (!this.warnedNoAddress) {
        this.warnedNoAddress = true;
        this.options.logger?.warn({ peer: this.peerId },
          'no peer address is known for this member, so Raft messages to it are dropped: its member record predates the peer port ' +
          '(give it a peer address in cluster.yaml, or remove and add it again)');
      }
      this.options.reportUnreachable(this.peerId);
      return;
    }
    this.warnedNoAddress = false;
    if (!this.connection.write(frame, address)) this.options.reportUnreachable(this.peerId);
  }

  private snapshotClientFor(): InstanceType<typeof RaftPeerClient> | undefined {
    const address = this.options.grpcAddressOf(this.peerId);
    if (address === undefined) return undefined;
    if (this.snapshotClient === undefined || this.snapshotAddress !== address) {
      this.snapshotClient?.close();
      this.snapshotAddress = address;
      this.snapshotClient = new RaftPeerClient(address, credentials.createInsecure(), {
        'grpc.max_send_message_length': this.options.grpcMessageBytesMax,
        'grpc.max_receive_message_length': this.options.grpcMessageBytesMax,
        'grpc.keepalive_time_ms': 10_000,
        'grpc.keepalive_timeout_ms': 5_000,
        'grpc.initial_reconnect_backoff_ms': this.options.reconnectIntervalMs,
        'grpc.max_reconnect_backoff_ms': Math.max(this.options.reconnectIntervalMs, 2_000),
      });
    }
    return this.snapshotClient;
  }

  sendSnapshot(message: Message): void {
    const client = this.snapshotClientFor();
    if (client === undefined || this.snapshotsInFlight > 0) {
      this.options.reportSnapshot(this.peerId, 'failure');
      return;
    }
    this.snapshotsInFlight++;
    let finished = false;
    const finish = (status: 'finish' | 'failure', reason?: string): void => {
      if (finished) return;
      finished = true;
      this.snapshotsInFlight--;
      if (reason !== undefined) this.options.logger?.warn({ peer: this.peerId, reason }, 'raft snapshot not delivered');
      this.options.reportSnapshot(this.peerId, status);
    };
    const call = client.SendSnapshot((error) => finish(error ? 'failure' : 'finish', error?.message));
    call.on('error', () => {
      // Delivered to the callback as well.
    });
    const chunks: Iterator<SnapshotChunk> = raftSnapshotChunks(this.options.clusterId, message, this.options.snapshotChunkBytes);
    const pump = (): void => {
      for (;;) {
        const next = chunks.next();
        if (next.done === true) {
          call.end();
          return;
        }
        // Write only as fast as the stream drains: a large snapshot never sits in memory twice.
        if (!call.write(next.value)) {
          call.once('drain', pump);
          return;
        }
      }
    };
    pump();
  }

  close(): void {
    this.connection.close();
    this.snapshotClient?.close();
    this.snapshotClient = undefined;
  }
}

export class TcpPeerTransport implements PeerTransport {
  private readonly peers = new Map<number, PeerSender>();
  private closed = false;

  constructor(private readonly options: PeerTransportOptions) {
    assert(options.batchBytesMax <= options.frameBytesMax, 'batchBytesMax must not exceed frameBytesMax');
  }

  send(messages: Message[]): void {
    if (this.closed) return;
    // A Ready's messages mostly go to one or two peers: group them without a map for the
    // common case of a single peer.
    let byPeer: Map<number, Message[]> | undefined;
    for (const message of messages) {
      if (message.type === MessageType.Snap) {
        this.peer(message.to).sendSnapshot(message);
        continue;
      }
      byPeer ??= new Map();
      let list = byPeer.get(message.to);
      if (list === undefined) byPeer.set(message.to, (list = []));
      list.push(message);
    }
    if (byPeer === undefined) return;
    for (const [peerId, list] of byPeer) this.sendFrames(peerId, list);
  }

  /** One frame per batchBytesMax of a peer's messages; a message too large for any frame
   * the peer accepts is dropped. */
  private sendFrames(peerId: number, messages: Message[]): void {
    const sender = this.peer(peerId);
    let start = 0;
    let bodyBytes = FRAME_BODY_FIXED_BYTES;
    for (let i = 0; i < messages.length; i++) {
      const size = encodedMessageBytes(messages[i]!);
      if (FRAME_BODY_FIXED_BYTES + size > this.options.frameBytesMax) {
        if (i > start) sender.send(encodeFrame(messages.slice(start, i), bodyBytes));
        this.options.logger?.warn({ peer: peerId, bytes: size, frameBytesMax: this.options.frameBytesMax }, 'raft message too large for a peer frame; dropped');
        this.options.reportUnreachable(peerId);
        start = i + 1;
        bodyBytes = FRAME_BODY_FIXED_BYTES;
        continue;
      }
      if (i > start && bodyBytes + size > this.options.batchBytesMax) {
        sender.send(encodeFrame(messages.slice(start, i), bodyBytes));
        start = i;
        bodyBytes = FRAME_BODY_FIXED_BYTES;
      }
      bodyBytes += size;
    }
    if (start < messages.length) sender.send(encodeFrame(start === 0 ? messages : messages.slice(start), bodyBytes));
  }

  private peer(peerId: number): PeerSender {
    let sender = this.peers.get(peerId);
    if (sender === undefined) {
      sender = new PeerSender(peerId, this.options);
      this.peers.set(peerId, sender);
    }
    return sender;
  }

  /** Closes every connection and client. Safe twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const sender of this.peers.values()) sender.close();
    this.peers.clear();
  }
}
