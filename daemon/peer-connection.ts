// The sending side of one Raft peer stream: a TCP connection from this member to one peer's
// `peer` address, opened with the handshake of rpc/peer-frame.ts and then written with
// frames. It never retries and never blocks: a frame it cannot take now is refused, and the
// caller drops it and reports the peer unreachable (Raft resends what matters).
//
// - No connection: one is started, but no more often than once per reconnectIntervalMs,
//   so a dead peer costs no busy loop. Frames written while it is being set up wait in the
//   socket (the first vote to a peer after a restart is not lost for nothing), within the
//   same bound as an open connection's.
// - writeBufferBytesMax: past this many bytes waiting in the socket, frames are refused. A
//   connection that stays over the bound for stallTimeoutMs is closed and set up again.
// - connectTimeoutMs: a connection not set up by then is abandoned.
// - TCP_NODELAY (a frame is a whole batch; waiting for more would only add latency), and
//   TCP keepalive.
//
// Lifecycle: close() is safe twice; a closed connection refuses every frame.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { encodeHandshake } from '../rpc/peer-frame.ts';
import { PEER_KEEPALIVE_MS } from './peer-listener.ts';

export interface PeerConnectionOptions {
  clusterId: string;
  selfId: number;
  peerId: number;
  reconnectIntervalMs: number;
  writeBufferBytesMax: number;
  connectTimeoutMs: number;
  stallTimeoutMs: number;
  /** The connection went away (refused, reset, closed by the peer) with frames possibly lost. */
  onDown(reason: string): void;
}

type ConnectionState = 'idle' | 'connecting' | 'open' | 'closed';

/** Splits host:port, with IPv6 hosts in brackets. */
function splitHostPort(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  return { host: address.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(address.slice(colon + 1)) };
}

export class PeerConnection {
  private socket: Socket | undefined;
  private address: string | undefined;
  private state: ConnectionState = 'idle';
  private lastAttemptAt = -Infinity;
  private overBoundSince: number | undefined;
  framesWritten = 0;
  framesRefused = 0;

  constructor(private readonly options: PeerConnectionOptions) {}

  get status(): ConnectionState {
    return this.state;
  }

  /**
   * Writes one frame to the peer at `address` (connecting first if need be), or returns
   * false if it cannot take it now. A new address closes the connection to the old one.
   */
  write(frame: Buffer, address: string): boolean {
    if (this.state === 'closed') return false;
    if (address !== this.address) {
      this.drop();
      this.address = address;
    }
    if (this.socket === undefined && !this.open(address)) return this.refuse();
    const socket = this.socket!;
    if (socket.writableLength > this.options.writeBufferBytesMax) {
      const now = performance.now();
      this.overBoundSince ??= now;
      if (now - this.overBoundSince > this.options.stallTimeoutMs) this.fail(`over writeBufferBytesMax for ${this.options.stallTimeoutMs} ms`);
      return this.refuse();
    }
    this.overBoundSince = undefined;
    socket.write(frame);
    this.framesWritten++;
    return true;
  }

  private refuse(): false {
    this.framesRefused++;
    return false;
  }

  private open(address: string): boolean {
    const now = performance.now();
    if (now - this.lastAttemptAt < this.options.reconnectIntervalMs) return false;
    this.lastAttemptAt = now;
    const { host, port } = splitHostPort(address);
    const socket = connect({ host, port, noDelay: true, keepAlive: true, keepAliveInitialDelay: PEER_KEEPALIVE_MS });
    this.socket = socket;
    this.state = 'connecting';
    socket.setTimeout(this.options.connectTimeoutMs);
    socket.once('connect', () => {
      socket.setTimeout(0);
      if (this.socket === socket) this.state = 'open';
    });
    socket.on('timeout', () => {
      if (this.socket === socket) this.fail(`no connection within ${this.options.connectTimeoutMs} ms`);
    });
    socket.on('error', (error) => {
      if (this.socket === socket) this.fail(error.message);
    });
    socket.on('close', () => {
      if (this.socket === socket) this.fail('closed by the peer');
    });
    // The peer writes nothing; reading lets its close arrive as 'end'.
    socket.resume();
    socket.write(encodeHandshake({ clusterId: this.options.clusterId, from: this.options.selfId, to: this.options.peerId }));
    return true;
  }

  /** The connection is gone: forget it, so that the next write sets up another. */
  private fail(reason: string): void {
    this.drop();
    this.options.onDown(reason);
  }

  private drop(): void {
    const socket = this.socket;
    this.socket = undefined;
    this.overBoundSince = undefined;
    if (this.state !== 'closed') this.state = 'idle';
    socket?.destroy();
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
  }
}
