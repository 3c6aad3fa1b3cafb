// What the NBD server counts and how it logs. The daemon's metrics read the counters when
// Prometheus scrapes (prom-client collect callbacks), so the server only increments plain
// numbers on its hot path. The logger is the subset of pino the server uses.
import { Command } from './constants.ts';

export interface NbdLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  debug?(fields: object, message: string): void;
}

export const SILENT_LOGGER: NbdLogger = { info() {}, warn() {}, error() {} };

export type NbdCommandName = 'read' | 'write' | 'disc' | 'flush' | 'trim' | 'cache' | 'writeZeroes' | 'blockStatus' | 'other';

const COMMAND_NAMES = new Map<number, NbdCommandName>([
  [Command.READ, 'read'],
  [Command.WRITE, 'write'],
  [Command.DISC, 'disc'],
  [Command.FLUSH, 'flush'],
  [Command.TRIM, 'trim'],
  [Command.CACHE, 'cache'],
  [Command.WRITE_ZEROES, 'writeZeroes'],
  [Command.BLOCK_STATUS, 'blockStatus'],
]);

export function commandName(type: number): NbdCommandName {
  return COMMAND_NAMES.get(type) ?? 'other';
}

export interface NbdServerStats {
  /** Connections taken on, and refused because connectionsMax were open or the server closed. */
  connectionsAccepted: number;
  connectionsRefused: number;
  connectionsOpen: number;
  /** Requests received in the transmission phase, by command. */
  requests: Record<NbdCommandName, number>;
  /** Payload bytes served by READ and taken by WRITE. */
  bytesRead: number;
  bytesWritten: number;
  /** Requests answered with an error (refused, or failed in the backend). */
  errorReplies: number;
  /** Connections closed for bytes that break the protocol (bad magic, truncated frames, …). */
  protocolErrors: number;
}

export function emptyStats(): NbdServerStats {
  return {
    connectionsAccepted: 0,
    connectionsRefused: 0,
    connectionsOpen: 0,
    requests: { read: 0, write: 0, disc: 0, flush: 0, trim: 0, cache: 0, writeZeroes: 0, blockStatus: 0, other: 0 },
    bytesRead: 0,
    bytesWritten: 0,
    errorReplies: 0,
    protocolErrors: 0,
  };
}
