// One NBD client connection: the socket, the two protocol phases, and flow control. The
// pure codec does the parsing (Handshake, TransmissionDecoder, both reading through a
// FrameReader, which copies a frame only when it spans socket chunks); Negotiation and
// RequestRunner do the work; this file moves bytes and decides when to read.
//
// Flow control. Requests are started in arrival order and run concurrently. The socket is
// paused (TCP pushes back on the client) while inflightRequestsMax requests or
// inflightBytesMax payload bytes are running, while parsed requests wait for a slot, or
// while the socket's send buffer is full (a client that does not read its replies). One
// socket chunk can hold many small requests, so those wait in a backlog; it never grows
// past what one chunk decodes to, since reading stops until it is empty.
//
// Writes. Replies are corked until the event loop's check phase (setImmediate), so that
// every reply finished by the I/O callbacks of one loop iteration (requests completed by
// the storage engine's thread pool arrive as one callback each) leaves in one writev: each
// writev is a system call that also wakes the client, and at queue depth 16 one per reply
// cost a third of the main thread. A READ's data is written as its own buffer after its
// header, never copied into a joined one.
//
// Ending. NBD_CMD_DISC, NBD_OPT_ABORT and server shutdown end the connection gracefully:
// requests already started finish and are answered, then the socket is ended (destroyed if
// the client does not take the last bytes within closeWaitMs). Bytes that break the
// protocol destroy it at once. The export is closed only after every request on it settled.
import type { Socket } from 'node:net';
import type { NbdBackend, NbdExport } from './backend.ts';
import { Command, Errno, REQUEST_HEADER_BYTES } from './constants.ts';
import { protocolMessage } from './errno.ts';
import type { NbdLimits } from './limits.ts';
import type { Agreement } from './negotiation.ts';
import { BASE_ALLOCATION_CONTEXT_ID, Negotiation, closeExport } from './negotiation.ts';
import type { HandshakeEvent } from './handshake.ts';
import { RequestRunner } from './request-runner.ts';
import type { NbdLogger, NbdServerStats } from './stats.ts';
import { commandName } from './stats.ts';
import { TransmissionDecoder } from './transmission.ts';
import type { NbdRequest } from './transmission.ts';

/** Room for one socket chunk on top of the largest frame (see docs/nbd.md "Limits"). */
const SOCKET_CHUNK_BYTES_MAX = 256 * 1024;
/** The largest WRITE length discarded and answered EINVAL instead of disconnecting. */
const WRITE_DISCARD_BYTES_MAX = 0xffffffff;

export interface ConnectionContext {
  id: number;
  backend: NbdBackend;
  limits: NbdLimits;
  stats: NbdServerStats;
  logger: NbdLogger;
}

type Phase = 'negotiating' | 'transmission' | 'ending' | 'closed';

type Pending = { kind: 'request'; request: NbdRequest } | { kind: 'oversized-write'; cookie: bigint; lengthBytes: number };

export class NbdConnection {
  /** Resolves once the socket is closed, every request settled and the export closed. */
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;
  private phase: Phase = 'negotiating';
  private readonly fields: { connection: number; remote: string; export?: string };
  private readonly negotiation: Negotiation;
  private negotiationWork: Promise<void> = Promise.resolve();
  /** Chunks that arrived after the handshake finished but before the decoder took over. */
  private readonly earlyChunks: Uint8Array[] = [];
  private decoder: TransmissionDecoder | undefined;
  private runner: RequestRunner | undefined;
  private exported: NbdExport | undefined;
  private readonly backlog: Pending[] = [];
  private backlogHead = 0;
  private inflightRequests = 0;
  private inflightBytes = 0;
  private readonly running = new Set<Promise<void>>();
  private readingPaused = false;
  private disconnectReceived = false;
  private shuttingDown = false;
  private corked = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly socket: Socket, private readonly context: ConnectionContext) {
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.fields = { connection: context.id, remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}` };
    this.negotiation = new Negotiation({
      backend: context.backend,
      send: (parts) => this.send(parts),
      requestBytesMax: context.limits.requestBytesMax,
      logger: context.logger,
      fields: this.fields,
      shuttingDown: () => this.shuttingDown,
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('drain', () => this.pump());
    socket.on('error', (error) => context.logger.debug?.({ ...this.fields, error: error.message }, 'nbd: socket error'));
    socket.on('close', () => this.onClose());
    this.timer = setTimeout(() => this.onHandshakeTimeout(), context.limits.handshakeTimeoutMs).unref();
    this.send([this.negotiation.greeting()]);
  }

  /** Server shutdown: refuse new requests with ESHUTDOWN, answer the running ones, end. */
  shutdown(): void {
    this.shuttingDown = true;
    if (this.phase === 'negotiating') this.end('the server is shutting down');
    else if (this.phase === 'transmission') this.pump();
  }

  destroy(): void {
    this.socket.destroy();
  }

  // ---- input ----------------------------------------------------------------------------

  private onData(chunk: Uint8Array): void {
    if (this.phase === 'transmission') {
      this.decode(chunk);
    } else if (this.phase === 'negotiating') {
      if (this.negotiation.handshake.state === 'transmission') {
        this.earlyChunks.push(chunk);
        return;
      }
      const events = this.negotiation.handshake.push(chunk);
      if (events.length > 0) this.negotiationWork = this.negotiationWork.then(() => this.negotiate(events));
    }
  }

  private onEnd(): void {
    const decoder = this.phase === 'transmission' ? this.decoder : undefined;
    const midFrame = this.phase === 'negotiating' ? this.negotiation.handshake.framePending : decoder?.framePending === true;
    if (midFrame) {
      this.context.stats.protocolErrors++;
      this.context.logger.warn(this.fields, `nbd: the client closed the connection in the middle of ${decoder === undefined ? 'an option' : 'a request'} (truncated frame)`);
    } else if (this.phase === 'transmission' && !this.disconnectReceived) {
      this.context.logger.info(this.fields, 'nbd: the client closed the connection without NBD_CMD_DISC');
    }
  }

  private async negotiate(events: readonly HandshakeEvent[]): Promise<void> {
    if (this.phase !== 'negotiating') return;
    let outcome;
    try {
      outcome = await this.negotiation.handle(events);
    } catch (error) {
      this.context.logger.error({ ...this.fields, error: protocolMessage(error) }, 'nbd: negotiation failed');
      this.destroy();
      return;
    }
    if (outcome === undefined) return;
    if (outcome.kind === 'transmission') {
      this.beginTransmission(outcome.agreement);
    } else if (outcome.protocolError) {
      this.protocolFailure(outcome.reason);
    } else {
      this.end(outcome.reason);
    }
  }

  private beginTransmission(agreement: Agreement): void {
    const exported = agreement.export;
    if (this.phase !== 'negotiating') {
      // The socket closed while the export was being opened.
      closeExport(exported, { logger: this.context.logger, fields: this.fields });
      return;
    }
    clearTimeout(this.timer);
    const limits = this.context.limits;
    this.exported = exported;
    this.fields.export = exported.name;
    this.decoder = new TransmissionDecoder({
      writePayloadBytesMax: limits.requestBytesMax,
      writeDiscardBytesMax: WRITE_DISCARD_BYTES_MAX,
      pendingBytesMax: limits.requestBytesMax + REQUEST_HEADER_BYTES + SOCKET_CHUNK_BYTES_MAX,
    });
    this.runner = new RequestRunner({
      export: exported,
      session: {
        exportBytes: BigInt(exported.sizeBytes),
        transmissionFlags: agreement.transmissionFlags,
        structuredReplies: agreement.structuredReplies,
        metaContextCount: agreement.baseAllocation ? 1 : 0,
        readBytesMax: limits.requestBytesMax,
      },
      metaContextId: BASE_ALLOCATION_CONTEXT_ID,
      requestBytesMax: limits.requestBytesMax,
      blockStatusBytesMax: limits.blockStatusBytesMax,
      stats: this.context.stats,
      logger: this.context.logger,
      fields: this.fields,
    });
    this.phase = 'transmission';
    this.context.logger.info({
      ...this.fields, sizeBytes: exported.sizeBytes, readOnly: exported.readOnly,
      structuredReplies: agreement.structuredReplies, baseAllocation: agreement.baseAllocation,
    }, 'nbd: export in use');
    this.decode(agreement.leftover);
    for (const chunk of this.earlyChunks.splice(0)) {
      if (this.phase === 'transmission') this.decode(chunk);
    }
    this.pump();
  }

  private decode(chunk: Uint8Array): void {
    const decoder = this.decoder!;
    const stats = this.context.stats;
    for (const event of decoder.push(chunk)) {
      if (event.kind === 'protocol-error') {
        this.protocolFailure(`${event.code}: ${event.message}`);
        return;
      }
      if (event.kind === 'request') {
        stats.requests[commandName(event.request.type)]++;
        this.backlog.push({ kind: 'request', request: event.request });
      } else {
        stats.requests.write++;
        this.backlog.push({ kind: 'oversized-write', cookie: event.cookie, lengthBytes: event.lengthBytes });
      }
    }
    this.pump();
  }

  // ---- running requests ------------------------------------------------------------------

  /** Starts what the bounds allow, then decides whether to read on and whether to end. */
  private pump(): void {
    const limits = this.context.limits;
    while (this.phase === 'transmission' && this.backlogHead < this.backlog.length) {
      const next = this.backlog[this.backlogHead]!;
      if (next.kind === 'request' && next.request.type === Command.DISC) {
        // Everything before it has started; the decoder refuses anything after it.
        this.backlogHead++;
        this.disconnectReceived = true;
        continue;
      }
      const costBytes = payloadBytes(next, limits.requestBytesMax);
      const full = this.inflightRequests >= limits.inflightRequestsMax
        || (this.inflightRequests > 0 && this.inflightBytes + costBytes > limits.inflightBytesMax)
        || this.socket.writableNeedDrain;
      if (full) break;
      this.backlogHead++;
      this.start(next, costBytes);
    }
    if (this.backlogHead === this.backlog.length) {
      this.backlog.length = 0;
      this.backlogHead = 0;
    }
    this.updateReading();
    if (this.phase === 'transmission' && (this.disconnectReceived || this.shuttingDown) && this.inflightRequests === 0 && this.backlog.length === 0) {
      this.end(this.disconnectReceived ? 'the client sent NBD_CMD_DISC' : 'the server is shutting down');
    }
  }

  private start(pending: Pending, costBytes: number): void {
    const runner = this.runner!;
    this.inflightRequests++;
    this.inflightBytes += costBytes;
    let reply: Promise<Uint8Array[]>;
    if (pending.kind === 'oversized-write') {
      const message = `a WRITE of ${pending.lengthBytes} bytes is above the ${this.context.limits.requestBytesMax}-byte maximum`;
      reply = Promise.resolve(runner.refuse(pending.cookie, Errno.EINVAL, message));
    } else if (this.shuttingDown) {
      reply = Promise.resolve(runner.refuse(pending.request.cookie, Errno.ESHUTDOWN, 'the server is shutting down'));
    } else {
      reply = runner.run(pending.request);
    }
    const settled: Promise<void> = reply
      .then((parts) => this.send(parts), (error: unknown) => {
        // run() answers every failure itself; getting here is a bug in this server.
        this.context.logger.error({ ...this.fields, error: protocolMessage(error) }, 'nbd: a request failed without a reply');
        this.destroy();
      })
      .finally(() => {
        this.inflightRequests--;
        this.inflightBytes -= costBytes;
        this.running.delete(settled);
        this.pump();
      });
    this.running.add(settled);
  }

  private updateReading(): void {
    // Negotiation reads freely: the client waits for each reply, and the handshake's
    // buffer is bounded. A 'drain' during it must not pause the socket for good.
    if (this.phase === 'negotiating') return;
    const limits = this.context.limits;
    const blocked = this.phase !== 'transmission'
      || this.disconnectReceived
      || this.shuttingDown
      || this.backlogHead < this.backlog.length
      || this.inflightRequests >= limits.inflightRequestsMax
      || this.inflightBytes >= limits.inflightBytesMax
      || this.socket.writableNeedDrain;
    if (blocked === this.readingPaused) return;
    this.readingPaused = blocked;
    if (blocked) this.socket.pause();
    else this.socket.resume();
  }

  // ---- output and ending -------------------------------------------------------------------

  private send(parts: readonly Uint8Array[]): void {
    if (this.socket.destroyed || this.socket.writableEnded) return;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      setImmediate(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    for (const part of parts) this.socket.write(part);
  }

  private end(reason: string): void {
    if (this.phase === 'ending' || this.phase === 'closed') return;
    this.phase = 'ending';
    this.context.logger.debug?.({ ...this.fields, reason }, 'nbd: ending the connection');
    clearTimeout(this.timer);
    // The last replies go out first; a client that does not take them is cut off.
    this.socket.end(() => this.socket.destroy());
    this.timer = setTimeout(() => this.socket.destroy(), this.context.limits.closeWaitMs).unref();
  }

  private protocolFailure(reason: string): void {
    this.context.stats.protocolErrors++;
    this.context.logger.warn({ ...this.fields, reason }, 'nbd: closing the connection: the client broke the protocol');
    this.destroy();
  }

  private onHandshakeTimeout(): void {
    if (this.phase !== 'negotiating') return;
    this.context.logger.warn({ ...this.fields, timeoutMs: this.context.limits.handshakeTimeoutMs }, 'nbd: closing the connection: negotiation took too long');
    this.destroy();
  }

  private onClose(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    clearTimeout(this.timer);
    // Requests still running finish against the export before it is released.
    void Promise.allSettled([this.negotiationWork, ...this.running]).then(() => {
      if (this.exported !== undefined) closeExport(this.exported, { logger: this.context.logger, fields: this.fields });
      this.context.logger.debug?.(this.fields, 'nbd: connection closed');
      this.resolveClosed();
    });
  }
}

/** The payload memory a request holds while it runs: its READ data or WRITE payload. */
function payloadBytes(pending: Pending, requestBytesMax: number): number {
  if (pending.kind !== 'request') return 0;
  if (pending.request.type === Command.WRITE) return pending.request.data?.length ?? 0;
  if (pending.request.type === Command.READ) return Math.min(pending.request.lengthBytes, requestBytesMax);
  return 0;
}
