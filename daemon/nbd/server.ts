// The NBD server: a TCP listener that hands each accepted socket to an NbdConnection and
// keeps the connection count under connectionsMax. Lifecycle (STYLE 12): 'new' → start()
// → 'listening' → close() → 'closed'; close() is safe to call twice and at any time, stops
// accepting, lets connections answer what they have started for up to closeWaitMs, then
// destroys what is left.
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { VstorError } from '../../storage-engine/errors.ts';
import { listenOn } from '../listen.ts';
import type { NbdBackend } from './backend.ts';
import { NbdConnection } from './connection.ts';
import type { NbdLimits } from './limits.ts';
import { resolveLimits } from './limits.ts';
import type { NbdLogger, NbdServerStats } from './stats.ts';
import { SILENT_LOGGER, emptyStats } from './stats.ts';

export interface NbdServerOptions extends Partial<NbdLimits> {
  backend: NbdBackend;
  logger?: NbdLogger;
}

export type NbdServerStatus = 'new' | 'listening' | 'closing' | 'closed';

export interface NbdServerAddress {
  host: string;
  port: number;
}

export class NbdServer {
  readonly limits: NbdLimits;
  /** Live counters; the daemon's metrics read them on scrape. */
  readonly stats: NbdServerStats = emptyStats();
  private readonly backend: NbdBackend;
  private readonly logger: NbdLogger;
  private readonly server: Server;
  private readonly connections = new Set<NbdConnection>();
  private statusValue: NbdServerStatus = 'new';
  private nextConnectionId = 1;
  private boundAddress: NbdServerAddress | undefined;
  private closing: Promise<void> | undefined;

  /** Throws INVALID_ARGUMENT for a limit out of range. */
  constructor(options: NbdServerOptions) {
    const { backend, logger, ...limits } = options;
    this.limits = resolveLimits(limits);
    this.backend = backend;
    this.logger = logger ?? SILENT_LOGGER;
    this.server = createServer((socket) => this.accept(socket));
  }

  get status(): NbdServerStatus {
    return this.statusValue;
  }

  /** The address listened on (with the port the OS chose for port 0), once started. */
  get address(): NbdServerAddress | undefined {
    return this.boundAddress;
  }

  async start(host: string, port: number): Promise<NbdServerAddress> {
    if (this.statusValue !== 'new') throw new VstorError('FAILED_PRECONDITION', `the NBD server cannot start: it is ${this.statusValue}`);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new VstorError('INVALID_ARGUMENT', `nbd port must be an integer in [0, 65535], got ${port}`);
    this.statusValue = 'listening';
    try {
      await listenOn(this.server, host, port, `the NBD server cannot listen on ${host}:${port}`);
    } catch (error) {
      this.statusValue = 'closed';
      throw error;
    }
    this.server.on('error', (error) => this.logger.error({ error: error.message }, 'nbd: listener error'));
    const bound = this.server.address();
    this.boundAddress = typeof bound === 'object' && bound !== null ? { host: bound.address, port: bound.port } : { host, port };
    this.logger.info({ ...this.boundAddress, ...this.limits }, 'nbd: listening');
    return this.boundAddress;
  }

  /** Stops accepting, ends connections gracefully within closeWaitMs, then destroys the rest. */
  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    const wasListening = this.statusValue === 'listening';
    this.statusValue = 'closing';
    const listenerClosed = wasListening ? new Promise<void>((resolve) => this.server.close(() => resolve())) : Promise.resolve();
    const open = [...this.connections];
    for (const connection of open) connection.shutdown();
    const allClosed = Promise.all(open.map((connection) => connection.closed));
    if (!(await settlesWithin(allClosed, this.limits.closeWaitMs))) {
      const left = [...this.connections];
      this.logger.warn({ connections: left.length, closeWaitMs: this.limits.closeWaitMs }, 'nbd: destroying connections that did not end in time');
      for (const connection of left) connection.destroy();
      // A destroyed connection still waits for its backend calls before closing its export.
      if (!(await settlesWithin(allClosed, this.limits.closeWaitMs))) {
        this.logger.warn({ closeWaitMs: this.limits.closeWaitMs }, 'nbd: backend calls still running after close');
      }
    }
    await listenerClosed;
    this.statusValue = 'closed';
    this.logger.info({}, 'nbd: closed');
  }

  private accept(socket: Socket): void {
    if (this.statusValue !== 'listening' || this.connections.size >= this.limits.connectionsMax) {
      this.stats.connectionsRefused++;
      this.logger.warn({ remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`, connectionsMax: this.limits.connectionsMax, status: this.statusValue }, 'nbd: connection refused');
      socket.destroy();
      return;
    }
    this.stats.connectionsAccepted++;
    this.stats.connectionsOpen++;
    const connection = new NbdConnection(socket, {
      id: this.nextConnectionId++,
      backend: this.backend,
      limits: this.limits,
      stats: this.stats,
      logger: this.logger,
    });
    this.connections.add(connection);
    void connection.closed.then(() => {
      this.connections.delete(connection);
      this.stats.connectionsOpen--;
    });
  }
}

/** Whether the promise settled within ms (its rejection counts as settled). */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
