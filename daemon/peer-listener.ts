// The receiving side of the Raft peer stream: a TCP listener on the member's `peer`
// address (the sending side is daemon/peer-connection.ts; the bytes are rpc/peer-frame.ts).
// Each accepted connection gets a PeerStreamReader, which checks the handshake (magic,
// version, this cluster, this member) and decodes frames; whole, checked batches go to the
// Raft loop. Anything wrong — a refused handshake, a malformed or oversized frame, a stream
// cut inside a frame — closes that connection with a logged reason; the sender reconnects
// and Raft makes up for what was lost. Any exception that is not a coded error is a bug
// and is not caught.
//
// Limits: connectionsMax sockets at once (a cluster has a handful of members; one inbound
// connection each), handshakeTimeoutMs for a new connection to identify itself, and
// frameBytesMax per frame. A member that connects again replaces its older connection.
//
// Lifecycle (STYLE 12): 'new' → listen() → 'listening' → close() → 'closed'; close() is
// safe twice and destroys every connection (Raft tolerates the loss).
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { Message } from '../consensus/index.ts';
import { isVstorError, VstorError } from '../storage-engine/errors.ts';
import type { PeerHandshake } from '../rpc/peer-frame.ts';
import { PeerStreamReader } from '../rpc/peer-stream-reader.ts';
import { listenOn } from './listen.ts';

export interface PeerListenerOptions {
  clusterId: string;
  memberId: number;
  frameBytesMax: number;
  /** A whole, checked batch: every message from one member, for this one, in order. */
  receiveMessages(messages: Message[]): void;
  connectionsMax?: number;
  handshakeTimeoutMs?: number;
  /** A refusal with the same reason from the same host is logged once per this interval
   * (default 10 s), so that a misconfigured peer reconnecting does not flood the log. */
  refusalLogIntervalMs?: number;
  logger?: { warn(fields: object, message: string): void; debug(fields: object, message: string): void };
}

export type PeerListenerStatus = 'new' | 'listening' | 'closed';

/** TCP keepalive probes start after this long without traffic. */
export const PEER_KEEPALIVE_MS = 10_000;
const REFUSALS_REMEMBERED_MAX = 256;

export class PeerListener {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  /** The connection each sender last identified itself on. */
  private readonly bySender = new Map<number, Socket>();
  private readonly refusalsLoggedAt = new Map<string, number>();
  private state: PeerListenerStatus = 'new';
  private bound: AddressInfo | undefined;

  constructor(private readonly options: PeerListenerOptions) {
    this.server = createServer((socket) => this.accept(socket));
    this.server.maxConnections = options.connectionsMax ?? 64;
  }

  get status(): PeerListenerStatus {
    return this.state;
  }

  /** The address listened on (with the port the OS chose for port 0), once listening. */
  get address(): AddressInfo | undefined {
    return this.bound;
  }

  /** Connections open now, handshake done or not. */
  get connectionCount(): number {
    return this.sockets.size;
  }

  async listen(host: string, port: number): Promise<AddressInfo> {
    if (this.state !== 'new') throw new VstorError('FAILED_PRECONDITION', `the peer listener cannot listen: it is ${this.state}`);
    this.state = 'listening';
    try {
      await listenOn(this.server, host, port, `cannot listen for peers on ${host}:${port}`);
    } catch (error) {
      this.state = 'closed';
      throw error;
    }
    this.server.on('error', (error) => this.options.logger?.warn({ error: error.message }, 'peer listener error'));
    this.bound = this.server.address() as AddressInfo;
    return this.bound;
  }

  private accept(socket: Socket): void {
    if (this.state !== 'listening') {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, PEER_KEEPALIVE_MS);
    socket.setTimeout(this.options.handshakeTimeoutMs ?? 5_000);
    let sender: number | undefined;
    const reader = new PeerStreamReader({
      clusterId: this.options.clusterId,
      memberId: this.options.memberId,
      frameBytesMax: this.options.frameBytesMax,
      onHandshake: (handshake: PeerHandshake) => {
        socket.setTimeout(0);
        sender = handshake.from;
        const earlier = this.bySender.get(sender);
        if (earlier !== undefined && earlier !== socket) earlier.destroy();
        this.bySender.set(sender, socket);
        this.options.logger?.debug({ peer: sender, remote }, 'peer connected');
      },
      onBatch: (messages) => this.options.receiveMessages(messages),
    });
    const refuse = (error: unknown): void => {
      if (!isVstorError(error)) throw error;
      this.logRefusal(remote, sender, error.message);
      socket.destroy();
    };
    let bytesReceived = 0;
    socket.on('data', (chunk: Buffer) => {
      bytesReceived += chunk.length;
      try {
        reader.push(chunk);
      } catch (error) {
        refuse(error);
      }
    });
    socket.on('end', () => {
      // A connection closed without a byte (a port probe) is not worth a warning.
      if (bytesReceived === 0) {
        this.options.logger?.debug({ remote }, 'peer connection closed before its handshake');
        socket.end();
        return;
      }
      try {
        reader.end();
      } catch (error) {
        refuse(error);
        return;
      }
      socket.end();
    });
    socket.on('timeout', () => {
      this.logRefusal(remote, sender, `no handshake within ${this.options.handshakeTimeoutMs ?? 5_000} ms`);
      socket.destroy();
    });
    socket.on('error', (error) => this.options.logger?.debug({ peer: sender, remote, error: error.message }, 'peer connection error'));
    socket.on('close', () => {
      this.sockets.delete(socket);
      if (sender !== undefined && this.bySender.get(sender) === socket) this.bySender.delete(sender);
    });
  }

  /** A warning naming the connection and the reason, not repeated for a sender that keeps
   * reconnecting with the same problem. */
  private logRefusal(remote: string, sender: number | undefined, reason: string): void {
    const key = `${remote.replace(/:\d+$/, '')} ${reason}`;
    const now = performance.now();
    const last = this.refusalsLoggedAt.get(key);
    if (last !== undefined && now - last < (this.options.refusalLogIntervalMs ?? 10_000)) return;
    if (this.refusalsLoggedAt.size >= REFUSALS_REMEMBERED_MAX) this.refusalsLoggedAt.clear();
    this.refusalsLoggedAt.set(key, now);
    this.options.logger?.warn({ remote, peer: sender, reason }, 'peer connection closed');
  }

  /** Stops accepting and destroys every connection, and resolves once all are closed. Safe twice. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const wasListening = this.state === 'listening';
    this.state = 'closed';
    const closed = [...this.sockets].map((socket) => new Promise((resolve) => socket.once('close', resolve)));
    for (const socket of this.sockets) socket.destroy();
    if (wasListening) closed.push(new Promise<void>((resolve) => this.server.close(() => resolve())));
    await Promise.all(closed);
  }
}
