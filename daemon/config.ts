// cluster.yaml: what a vstord node needs to start, validated in full before anything opens
// a file or a port. Every error names the field it is about (`nodes[1].grpc`), so that the
// daemon can print one line and exit with status 2. Unknown keys are errors too: a typo in
// a limit must not silently leave the default in force.

import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { VDISK_SIZE_ALIGNMENT_BYTES, VDISK_SIZE_BYTES_MIN } from '../rpc/vdisk-checks.ts';
import { BLOCK_BYTES as VDISK_BLOCK_BYTES, VDISK_BYTES_MAX } from '../storage-engine/vdisk/keys.ts';

export type EngineName = 'classic-level' | 'rocksdb';

export interface HostPort {
  host: string;
  port: number;
}

export interface NodeConfig {
  /** The operator's name for the node (n1); stable for its lifetime. */
  id: string;
  /** The node's id inside Raft: a positive integer, never reused. */
  raftId: number;
  grpc: HostPort;
  /** Where the other members send Raft messages (TCP, not gRPC). */
  peer: HostPort;
  admin: HostPort;
  nbd: HostPort;
}

export interface RaftTimingConfig {
  tickIntervalMs: number;
  electionTimeoutTicks: number;
  heartbeatIntervalTicks: number;
  preVote: boolean;
  checkQuorum: boolean;
  readOnly: 'safe' | 'lease-based';
  /** Take a Raft snapshot and compact the log once this many entries were applied since the last. */
  snapshotEntries: number;
  /** ... or once the entries applied since the last add up to this many bytes, whichever
   * comes first: the log since a snapshot is kept in memory, so this bounds it when entries
   * are large. */
  snapshotLogBytes: number;
  /**
   * How long a leader may hold an append that only carries a new commit index, for the next
   * append to carry instead (daemon/commit-notices.ts); 0 sends each at once, as etcd does.
   */
  commitNoticeDelayMs: number;
}

export interface LimitsConfig {
  entryBytesMax: number;
  messageBytesMax: number;
  inflightMessagesMax: number;
  uncommittedBytesMax: number;
  requestBytesMax: number;
  snapshotChunkBytes: number;
  keyBytesMax: number;
  valueBytesMax: number;
  /** The largest vDisk, created or resized; at most the block engine's 16 TiB. */
  vdiskBytesMax: number;
}

export interface VDisksConfig {
  /** Memory each member may give its read cache of vDisk blocks (0: none). */
  readCacheBytes: number;
}

export interface ClusterConfig {
  cluster: string;
  /** Absolute: relative paths in the file are resolved against the file's folder. */
  dataDir: string;
  engine: EngineName;
  nodes: NodeConfig[];
  raft: RaftTimingConfig;
  limits: LimitsConfig;
  vdisks: VDisksConfig;
}

export const defaultRaftTiming: Readonly<RaftTimingConfig> = Object.freeze({
  tickIntervalMs: 100,
  electionTimeoutTicks: 10,
  heartbeatIntervalTicks: 1,
  preVote: true,
  checkQuorum: true,
  readOnly: 'safe',
  // etcd's default snapshot-count. Each snapshot copies the model's whole image to a file on
  // every member: every 10,000 entries it cost a third of the writes at 256 clients.
  snapshotEntries: 100_000,
  snapshotLogBytes: 256 << 20,
  commitNoticeDelayMs: 5,
});

export const defaultLimits: Readonly<LimitsConfig> = Object.freeze({
  entryBytesMax: 2 << 20,
  messageBytesMax: 1 << 20,
  inflightMessagesMax: 256,
  uncommittedBytesMax: 64 << 20,
  requestBytesMax: 4 << 20,
  snapshotChunkBytes: 1 << 20,
  keyBytesMax: 4096,
  valueBytesMax: 1 << 20,
  vdiskBytesMax: VDISK_BYTES_MAX,
});

export const defaultVDisks: Readonly<VDisksConfig> = Object.freeze({
  // Filled on demand, by reads and writes of the vDisks a member owns; 4 KiB per block.
  readCacheBytes: 1 << 30,
});

/** The most memory the read cache may be given: 64 GiB. */
const READ_CACHE_BYTES_MAX = 64 * 2 ** 30;

/** A config that cannot be used; `field` is the path of the offending value. */
export class ConfigError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(field === '' ? reason : `${field}: ${reason}`);
    this.name = 'ConfigError';
  }
}

type Fields = Record<string, unknown>;

function fail(field: string, reason: string): never {
  throw new ConfigError(field, reason);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function mapping(value: unknown, field: string, allowed: readonly string[]): Fields {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(field || 'config', `must be a mapping, got ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) fail(join(field, key), `unknown key (expected one of: ${allowed.join(', ')})`);
  }
  return value as Fields;
}

function join(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

function string(fields: Fields, key: string, parent: string, pattern?: { regex: RegExp; hint: string }): string {
  const field = join(parent, key);
  const value = fields[key];
  if (value === undefined) fail(field, 'is required');
  if (typeof value !== 'string' || value.length === 0) fail(field, `must be a non-empty string, got ${describe(value)}`);
  if (pattern !== undefined && !pattern.regex.test(value)) fail(field, `${JSON.stringify(value)} ${pattern.hint}`);
  return value;
}

function integer(fields: Fields, key: string, parent: string, fallback: number | undefined, min: number, max: number, unit: string): number {
  const field = join(parent, key);
  const value = fields[key] ?? fallback;
  if (value === undefined) fail(field, 'is required');
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail(field, `must be an integer (${unit}), got ${describe(value)}`);
  if (value < min) fail(field, `must be at least ${min} ${unit}, got ${value}`);
  if (value > max) fail(field, `must be at most ${max} ${unit}, got ${value}`);
  return value;
}

function boolean(fields: Fields, key: string, parent: string, fallback: boolean): boolean {
  const value = fields[key] ?? fallback;
  if (typeof value !== 'boolean') fail(join(parent, key), `must be true or false, got ${describe(value)}`);
  return value;
}

function oneOf<T extends string>(fields: Fields, key: string, parent: string, fallback: T, choices: readonly T[]): T {
  const value = fields[key] ?? fallback;
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    fail(join(parent, key), `must be one of ${choices.join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}

function hostPort(fields: Fields, key: string, parent: string): HostPort {
  const field = join(parent, key);
  const text = string(fields, key, parent);
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
  if (match === null) fail(field, `${JSON.stringify(text)} is not host:port`);
  const port = Number(match[2]);
  if (port < 1 || port > 65535) fail(field, `port ${port} is outside 1-65535`);
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

export function formatHostPort(address: HostPort): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

const NODE_ID = { regex: /^[a-z][a-z0-9-]{0,62}$/, hint: 'must be 1-63 lowercase letters, digits or dashes, starting with a letter' };
const DURATION_MS_MAX = 60_000;
const TICKS_MAX = 10_000;
const BYTES_MAX = 1 << 30;

function parseNode(value: unknown, index: number): NodeConfig {
  const parent = `nodes[${index}]`;
  const fields = mapping(value, parent, ['id', 'raftId', 'grpc', 'peer', 'admin', 'nbd']);
  const id = string(fields, 'id', parent, NODE_ID);
  // n1, n2, … need no raftId: the number is taken from the name.
  const derived = /^n(\d{1,9})$/.exec(id);
  const raftId = integer(fields, 'raftId', parent, derived === null ? undefined : Number(derived[1]), 1, Number.MAX_SAFE_INTEGER, '');
  if (fields.peer === undefined) {
    fail(`${parent}.peer`, 'is required: the host:port the other members send Raft messages to, apart from grpc (see docs/operations.md on upgrading)');
  }
  return {
    id, raftId,
    grpc: hostPort(fields, 'grpc', parent), peer: hostPort(fields, 'peer', parent),
    admin: hostPort(fields, 'admin', parent), nbd: hostPort(fields, 'nbd', parent),
  };
}

function parseRaft(value: unknown): RaftTimingConfig {
  const fields = mapping(value ?? {}, 'raft', Object.keys(defaultRaftTiming));
  const d = defaultRaftTiming;
  const timing: RaftTimingConfig = {
    tickIntervalMs: integer(fields, 'tickIntervalMs', 'raft', d.tickIntervalMs, 1, DURATION_MS_MAX, 'ms'),
    electionTimeoutTicks: integer(fields, 'electionTimeoutTicks', 'raft', d.electionTimeoutTicks, 2, TICKS_MAX, 'ticks'),
    heartbeatIntervalTicks: integer(fields, 'heartbeatIntervalTicks', 'raft', d.heartbeatIntervalTicks, 1, TICKS_MAX, 'ticks'),
    preVote: boolean(fields, 'preVote', 'raft', d.preVote),
    checkQuorum: boolean(fields, 'checkQuorum', 'raft', d.checkQuorum),
    readOnly: oneOf(fields, 'readOnly', 'raft', d.readOnly, ['safe', 'lease-based'] as const),
    snapshotEntries: integer(fields, 'snapshotEntries', 'raft', d.snapshotEntries, 1, 100_000_000, 'entries'),
    snapshotLogBytes: integer(fields, 'snapshotLogBytes', 'raft', d.snapshotLogBytes, 1024, BYTES_MAX, 'bytes'),
    commitNoticeDelayMs: integer(fields, 'commitNoticeDelayMs', 'raft', d.commitNoticeDelayMs, 0, DURATION_MS_MAX, 'ms'),
  };
  const heartbeatMs = timing.heartbeatIntervalTicks * timing.tickIntervalMs;
  if (timing.commitNoticeDelayMs >= heartbeatMs) {
    fail('raft.commitNoticeDelayMs', `must be less than the heartbeat interval (heartbeatIntervalTicks × tickIntervalMs = ${heartbeatMs} ms), got ${timing.commitNoticeDelayMs}`);
  }
  if (timing.heartbeatIntervalTicks >= timing.electionTimeoutTicks) {
    fail('raft.heartbeatIntervalTicks', `must be less than raft.electionTimeoutTicks (${timing.electionTimeoutTicks}), got ${timing.heartbeatIntervalTicks}`);
  }
  if (timing.readOnly === 'lease-based' && !timing.checkQuorum) {
    fail('raft.readOnly', "'lease-based' requires raft.checkQuorum: true");
  }
  return timing;
}

function parseLimits(value: unknown): LimitsConfig {
  const fields = mapping(value ?? {}, 'limits', Object.keys(defaultLimits));
  const d = defaultLimits;
  const bytes = (key: keyof LimitsConfig, min: number): number => integer(fields, key, 'limits', d[key], min, BYTES_MAX, 'bytes');
  const limits: LimitsConfig = {
    entryBytesMax: bytes('entryBytesMax', 1024),
    messageBytesMax: bytes('messageBytesMax', 1024),
    inflightMessagesMax: integer(fields, 'inflightMessagesMax', 'limits', d.inflightMessagesMax, 1, 65_536, 'messages'),
    uncommittedBytesMax: bytes('uncommittedBytesMax', 0),
    requestBytesMax: bytes('requestBytesMax', 1024),
    snapshotChunkBytes: bytes('snapshotChunkBytes', 4096),
    keyBytesMax: bytes('keyBytesMax', 1),
    valueBytesMax: bytes('valueBytesMax', 0),
    vdiskBytesMax: integer(fields, 'vdiskBytesMax', 'limits', d.vdiskBytesMax, VDISK_SIZE_BYTES_MIN, VDISK_BYTES_MAX, 'bytes'),
  };
  if (limits.vdiskBytesMax % VDISK_SIZE_ALIGNMENT_BYTES !== 0) {
    fail('limits.vdiskBytesMax', `must be a multiple of ${VDISK_SIZE_ALIGNMENT_BYTES} bytes, got ${limits.vdiskBytesMax}`);
  }
  if (limits.valueBytesMax + limits.keyBytesMax > limits.entryBytesMax) {
    fail('limits.valueBytesMax', `plus limits.keyBytesMax must fit in limits.entryBytesMax (${limits.entryBytesMax} bytes)`);
  }
  if (limits.entryBytesMax > limits.requestBytesMax) {
    fail('limits.entryBytesMax', `must not exceed limits.requestBytesMax (${limits.requestBytesMax} bytes)`);
  }
  return limits;
}

function parseVDisks(value: unknown): VDisksConfig {
  const fields = mapping(value ?? {}, 'vdisks', Object.keys(defaultVDisks));
  const readCacheBytes = integer(fields, 'readCacheBytes', 'vdisks', defaultVDisks.readCacheBytes, 0, READ_CACHE_BYTES_MAX, 'bytes');
  if (readCacheBytes > 0 && readCacheBytes < VDISK_BLOCK_BYTES) {
    fail('vdisks.readCacheBytes', `must be 0 (no cache) or at least one block (${VDISK_BLOCK_BYTES} bytes), got ${readCacheBytes}`);
  }
  return { readCacheBytes };
}

/** Parses and validates cluster.yaml's text. `baseDir` resolves a relative dataDir. */
export function parseClusterConfig(text: string, baseDir: string): ClusterConfig {
  let document: unknown;
  try {
    document = parseYaml(text, { uniqueKeys: true, prettyErrors: false });
  } catch (error) {
    fail('', `not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const fields = mapping(document, '', ['cluster', 'dataDir', 'engine', 'nodes', 'raft', 'limits', 'vdisks']);
  const cluster = string(fields, 'cluster', '', NODE_ID);
  const dataDir = string(fields, 'dataDir', '');
  const engine = oneOf(fields, 'engine', '', 'classic-level', ['classic-level', 'rocksdb'] as const);
  if (!Array.isArray(fields.nodes)) fail('nodes', fields.nodes === undefined ? 'is required' : `must be a list, got ${describe(fields.nodes)}`);
  if (fields.nodes.length === 0) fail('nodes', 'must list at least one node');
  const nodes = fields.nodes.map((node, index) => parseNode(node, index));

  const seen = new Map<string, string>();
  const unique = (key: string, field: string, what: string): void => {
    const earlier = seen.get(key);
    if (earlier !== undefined) fail(field, `duplicate ${what} (also ${earlier})`);
    seen.set(key, field);
  };
  nodes.forEach((node, index) => {
    unique(`id:${node.id}`, `nodes[${index}].id`, `node id ${node.id}`);
    unique(`raftId:${node.raftId}`, `nodes[${index}].raftId`, `raftId ${node.raftId}`);
    for (const kind of ['grpc', 'peer', 'admin', 'nbd'] as const) {
      const address = formatHostPort(node[kind]);
      unique(`address:${address}`, `nodes[${index}].${kind}`, `address ${address}`);
    }
  });

  return {
    cluster,
    dataDir: isAbsolute(dataDir) ? dataDir : resolve(baseDir, dataDir),
    engine,
    nodes,
    raft: parseRaft(fields.raft),
    limits: parseLimits(fields.limits),
    vdisks: parseVDisks(fields.vdisks),
  };
}

export function loadClusterConfig(path: string): ClusterConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    fail('', `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return parseClusterConfig(text, dirname(resolve(path)));
}

/** The node a daemon runs as; an unknown id lists the ones that exist. */
export function selectNode(config: ClusterConfig, nodeId: string): NodeConfig {
  const node = config.nodes.find((candidate) => candidate.id === nodeId);
  if (node === undefined) fail('--node', `no node ${JSON.stringify(nodeId)} in the config (nodes: ${config.nodes.map((n) => n.id).join(', ')})`);
  return node;
}
