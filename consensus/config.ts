// The core's configuration, validated once when a node is created (etcd's Config.validate).
// Every limit has a unit in its name and a default that suits a small cluster on one host.

import { RaftError } from './errors.ts';
import type { RandomSource } from './random.ts';
import type { ReadOnlyOption } from './read-only.ts';
import type { LogStorage } from './storage.ts';

export interface RaftLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: RaftLogger = { debug() {}, info() {}, warn() {} };

export interface RaftConfig {
  /** This node's id; never 0. */
  id: number;
  /** Ticks without hearing from a leader before a follower campaigns; randomized in [n, 2n). */
  electionTicks: number;
  /** Ticks between a leader's heartbeats; must be less than electionTicks. */
  heartbeatTicks: number;
  storage: LogStorage;
  random: RandomSource;
  /** The last index the application applied before a restart; entries up to it are not
   * handed out again. */
  applied?: number;
  /** The most entry bytes in one append message (at least one entry is always sent). */
  messageBytesMax?: number;
  /** The most committed-entry bytes handed out in one Ready. */
  committedBytesPerReadyMax?: number;
  /** The most payload bytes a leader holds uncommitted; proposals past it are dropped. 0: no limit. */
  uncommittedBytesMax?: number;
  /** Append messages in flight to one follower before the leader waits for acknowledgements. */
  inflightMessagesMax?: number;
  /** Entry bytes in flight to one follower. 0: no byte limit. */
  inflightBytesMax?: number;
  /** A leader steps down when it has not heard from a quorum within an election timeout. */
  checkQuorum?: boolean;
  /** Campaign only after a pre-vote shows a quorum would grant the vote (Raft thesis §9.6). */
  preVote?: boolean;
  readOnlyOption?: ReadOnlyOption;
  /** Followers drop proposals instead of forwarding them to the leader. */
  disableProposalForwarding?: boolean;
  /** A leader removed from the configuration steps down once the removal is applied. */
  stepDownOnRemoval?: boolean;
  logger?: RaftLogger;
}

export type ValidRaftConfig = Required<RaftConfig>;

function invalid(message: string): never {
  throw new RaftError('INVALID_CONFIG', message);
}

function positiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) invalid(`${name} must be a positive integer, got ${value}`);
}

function nonNegativeInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) invalid(`${name} must be a non-negative integer, got ${value}`);
}

export function validateRaftConfig(config: RaftConfig): ValidRaftConfig {
  const valid: ValidRaftConfig = {
    applied: 0,
    messageBytesMax: 1 << 20,
    committedBytesPerReadyMax: 16 << 20,
    uncommittedBytesMax: 64 << 20,
    inflightMessagesMax: 256,
    inflightBytesMax: 0,
    checkQuorum: false,
    preVote: false,
    readOnlyOption: 'safe',
    disableProposalForwarding: false,
    stepDownOnRemoval: true,
    logger: silentLogger,
    // A field given as undefined keeps its default.
    ...Object.fromEntries(Object.entries(config).filter(([, value]) => value !== undefined)),
  } as ValidRaftConfig;
  for (const name of ['checkQuorum', 'preVote', 'disableProposalForwarding', 'stepDownOnRemoval'] as const) {
    if (typeof valid[name] !== 'boolean') invalid(`${name} must be true or false, got ${String(valid[name])}`);
  }
  if (valid.storage === undefined || valid.storage === null) invalid('storage is required');
  if (valid.random === undefined || typeof valid.random.nextInt !== 'function') invalid('random must be a RandomSource');
  positiveInteger('id', valid.id);
  positiveInteger('heartbeatTicks', valid.heartbeatTicks);
  positiveInteger('electionTicks', valid.electionTicks);
  if (valid.electionTicks <= valid.heartbeatTicks) {
    invalid(`electionTicks (${valid.electionTicks}) must be greater than heartbeatTicks (${valid.heartbeatTicks})`);
  }
  nonNegativeInteger('applied', valid.applied);
  positiveInteger('messageBytesMax', valid.messageBytesMax);
  positiveInteger('committedBytesPerReadyMax', valid.committedBytesPerReadyMax);
  nonNegativeInteger('uncommittedBytesMax', valid.uncommittedBytesMax);
  positiveInteger('inflightMessagesMax', valid.inflightMessagesMax);
  nonNegativeInteger('inflightBytesMax', valid.inflightBytesMax);
  if (valid.inflightBytesMax > 0 && valid.inflightBytesMax < valid.messageBytesMax) {
    invalid(`inflightBytesMax (${valid.inflightBytesMax}) must be at least messageBytesMax (${valid.messageBytesMax})`);
  }
  if (valid.readOnlyOption !== 'safe' && valid.readOnlyOption !== 'lease-based') {
    invalid(`readOnlyOption must be 'safe' or 'lease-based', got ${String(valid.readOnlyOption)}`);
  }
  if (valid.readOnlyOption === 'lease-based' && !valid.checkQuorum) {
    invalid("readOnlyOption 'lease-based' requires checkQuorum: a lease is only safe if a leader that lost its quorum steps down");
  }
  return valid;
}
