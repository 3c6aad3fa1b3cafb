// The sending side of the Raft peer protocol (rpc/raft-peer-server.ts is the receiving
// side). Each peer gets one long-lived RaftPeer.Send client stream; the messages of one
// Ready for that peer go out as one batch. Raft tolerates lost messages, so nothing here
// retries: a batch that cannot be written (no connection, a full queue) is dropped and the
// peer reported unreachable, which moves the leader's pipelining to that peer back to
// probing. A failed stream is reopened on the next send, but not more often than once per
// reconnect interval, so a dead peer costs no busy loop. Raft snapshots travel on their own
// RaftPeer.SendSnapshot stream, in checked chunks, and their outcome is reported back.

import { credentials } from '@grpc/grpc-js';
import type { ClientWritableStream } from '@grpc/grpc-js';
import type { Message } from '../consensus/index.ts';
import { entryBytes, MessageType } from '../consensus/index.ts';
import type { MessageBatch } from '../proto/gen/vstor/internal/MessageBatch.ts';
import type { SnapshotChunk } from '../proto/gen/vstor/internal/SnapshotChunk.ts';
import { RaftPeerClient } from '../rpc/proto.ts';
import { encodeMessageBatch } from '../rpc/raft-codec.ts';
import { raftSnapshotChunks } from '../rpc/raft-snapshot-stream.ts';
import type { PeerTransport } from './raft-loop.ts';

export interface PeerTransportOptions {
  clusterId: string;
  selfId: number;
  /** The gRPC address of a member, or undefined if unknown (the message is dropped). */
  addressOf(raftId: number): string | undefined;
  reportUnreachable(raftId: number): void;
  reportSnapshot(raftId: number, status: 'finish' | 'failure'): void;
  snapshotChunkBytes: number;
  /** The most entry bytes in one batch; larger Readys go out as several batches. */
  batchBytesMax: number;
  /** Batches waiting for a stream to drain before new ones are dropped. */
  queuedBatchesMax: number;
  reconnectIntervalMs: number;
  /** Maximum size of a message the client accepts and sends. */
  messageBytesMax: number;
  logger?: { warn(fields: object, message: string): void; debug(fields: object, message: string): void };
}

/** One peer: its client, its Send stream and the batches waiting for the stream to drain. */
class PeerSender {
  private client: InstanceType<typeof RaftPeerClient> | undefined;
  private address: string | undefined;
  private stream: ClientWritableStream<MessageBatch> | undefined;
  private waiting: MessageBatch[] = [];
  private draining = false;
  private failedAt = -Infinity;
  private snapshotsInFlight = 0;

  constructor(
    private readonly peerId: number,
    private readonly options: PeerTransportOptions,
  ) {}

  send(batch: MessageBatch): void {
    const stream = this.openStream();
    if (stream === undefined) {
      this.options.reportUnreachable(this.peerId);
      return;
    }
    if (this.draining) {
      if (this.waiting.length >= this.options.queuedBatchesMax) {
        this.options.reportUnreachable(this.peerId);
        return;
      }
      this.waiting.push(batch);
      return;
    }
    this.write(stream, batch);
  }

  private write(stream: ClientWritableStream<MessageBatch>, batch: MessageBatch): void {
    if (!stream.write(batch)) {
      this.draining = true;
      stream.once('drain', () => {
        this.draining = false;
        const waiting = this.waiting;
        this.waiting = [];
        for (const queued of waiting) {
          if (this.stream !== stream) return;
          if (this.draining) this.waiting.push(queued);
          else this.write(stream, queued);
        }
      });
    }
  }

  private connect(): InstanceType<typeof RaftPeerClient> | undefined {
    const address = this.options.addressOf(this.peerId);
    if (address === undefined) return undefined;
    if (this.client === undefined || this.address !== address) {
      this.client?.close();
      this.address = address;
      this.client = new RaftPeerClient(address, credentials.createInsecure(), {
        'grpc.max_send_message_length': this.options.messageBytesMax,
        'grpc.max_receive_message_length': this.options.messageBytesMax,
        // Raft heartbeats keep the connection busy; keepalive finds a dead peer between them.
        'grpc.keepalive_time_ms': 10_000,
        'grpc.keepalive_timeout_ms': 5_000,
        'grpc.initial_reconnect_backoff_ms': this.options.reconnectIntervalMs,
        'grpc.max_reconnect_backoff_ms': Math.max(this.options.reconnectIntervalMs, 2_000),
      });
    }
    return this.client;
  }

  private openStream(): ClientWritableStream<MessageBatch> | undefined {
    if (this.stream !== undefined) return this.stream;
    if (performance.now() - this.failedAt < this.options.reconnectIntervalMs) return undefined;
    const client = this.connect();
    if (client === undefined) return undefined;
    const stream = client.Send((error) => {
      // The stream ended: the peer went away or refused a batch. Reopen on a later send.
      if (this.stream === stream) this.resetStream();
      if (error !== null && error !== undefined) {
        this.failedAt = performance.now();
        this.options.logger?.debug({ peer: this.peerId, error: error.message }, 'raft peer stream ended');
        this.options.reportUnreachable(this.peerId);
      }
    });
    stream.on('error', () => {
      // Also delivered to the callback above; handled there.
    });
    this.stream = stream;
    return stream;
  }

  private resetStream(): void {
    this.stream = undefined;
    this.waiting = [];
    this.draining = false;
  }

  sendSnapshot(message: Message): void {
    const client = this.connect();
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
    this.stream?.end();
    this.resetStream();
    this.client?.close();
    this.client = undefined;
  }
}

export class GrpcPeerTransport implements PeerTransport {
  private readonly peers = new Map<number, PeerSender>();
  private closed = false;

  constructor(private readonly options: PeerTransportOptions) {}

  send(messages: Message[]): void {
    if (this.closed) return;
    const byPeer = new Map<number, Message[]>();
    for (const message of messages) {
      if (message.type === MessageType.Snap) {
        this.peer(message.to).sendSnapshot(message);
        continue;
      }
      let list = byPeer.get(message.to);
      if (list === undefined) byPeer.set(message.to, (list = []));
      list.push(message);
    }
    for (const [peerId, list] of byPeer) {
      const sender = this.peer(peerId);
      for (const batch of this.split(list)) sender.send(encodeMessageBatch(this.options.clusterId, batch));
    }
  }

  /** Cuts a peer's messages into batches of at most batchBytesMax entry bytes. */
  private split(messages: Message[]): Message[][] {
    const batches: Message[][] = [];
    let current: Message[] = [];
    let bytes = 0;
    for (const message of messages) {
      let size = 64;
      for (const entry of message.entries) size += entryBytes(entry);
      if (current.length > 0 && bytes + size > this.options.batchBytesMax) {
        batches.push(current);
        current = [];
        bytes = 0;
      }
      current.push(message);
      bytes += size;
    }
    if (current.length > 0) batches.push(current);
    return batches;
  }

  private peer(peerId: number): PeerSender {
    let sender = this.peers.get(peerId);
    if (sender === undefined) {
      sender = new PeerSender(peerId, this.options);
      this.peers.set(peerId, sender);
    }
    return sender;
  }

  /** Ends every stream and closes every client. Safe twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const sender of this.peers.values()) sender.close();
    this.peers.clear();
  }
}
