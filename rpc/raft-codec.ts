// Conversion between the Raft core's data (consensus/types.ts) and the objects of the gRPC
// part of the peer protocol (proto/vstor/internal/raft.proto), which proto-loader
// serializes: the MsgSnap message that opens a Raft snapshot stream. (Raft messages
// themselves have a binary codec of their own, rpc/peer-frame.ts.) The two have
// the same fields under the same names, so encoding is a copy. Decoding is where a peer's
// bytes enter the process, so it checks everything the core relies on and turns a bad
// value into an INVALID_ARGUMENT VstorError naming the field: a malformed message never
// reaches RawNode.step and never crashes the node.
//
// Decoded byte fields (entry data, context, snapshot data) are views into the buffer gRPC
// received, not copies, and they keep that buffer alive as long as they are held.
import type { ConfState, Entry, HardState, Message, RaftSnapshot } from '../consensus/index.ts';
import { assert, EntryType, isLocalMessage, MessageType, messageTypeName } from '../consensus/index.ts';
import type { ConfState as ProtoConfState } from '../proto/gen/vstor/internal/ConfState.ts';
import type { Entry as ProtoEntry } from '../proto/gen/vstor/internal/Entry.ts';
import type { HardState as ProtoHardState } from '../proto/gen/vstor/internal/HardState.ts';
import type { Message as ProtoMessage } from '../proto/gen/vstor/internal/Message.ts';
import type { RaftSnapshot as ProtoRaftSnapshot } from '../proto/gen/vstor/internal/RaftSnapshot.ts';
import { VstorError } from './errors.ts';
import { enumValues } from './proto.ts';

/** The proto name of each core enum value, checked against the loaded schema below. */
function protoEnumNames<T extends number>(prefix: string, values: Record<string, T>, fullName: string): Map<string, T> {
  const schema = enumValues(fullName);
  const byName = new Map<string, T>();
  for (const [name, value] of Object.entries(values)) {
    const protoName = prefix + name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
    assert(schema.get(protoName) === value, `${fullName}.${protoName} must be ${value}, as in consensus/types.ts`);
    byName.set(protoName, value);
  }
  assert(schema.size === byName.size, `${fullName} and consensus/types.ts must list the same values`);
  return byName;
}

// The schema and the core must number their enums alike (encoding sends the core's
// numbers); if they drift, that is a bug, and the process stops at start-up.
const messageTypeByName = protoEnumNames('MSG_', MessageType, 'vstor.internal.MessageType');
const entryTypeByName = protoEnumNames('ENTRY_TYPE_', EntryType, 'vstor.internal.EntryType');

const EMPTY = new Uint8Array(0);

// ---- encoding: trusted data from the core, copied field for field ----

function encodeEntry(entry: Entry): ProtoEntry {
  return { term: entry.term, index: entry.index, type: entry.type, data: entry.data };
}

function encodeConfState(confState: ConfState): ProtoConfState {
  return {
    voters: confState.voters,
    learners: confState.learners,
    votersOutgoing: confState.votersOutgoing,
    learnersNext: confState.learnersNext,
    autoLeave: confState.autoLeave,
  };
}

export function encodeRaftSnapshot(raftSnapshot: RaftSnapshot): ProtoRaftSnapshot {
  const { metadata } = raftSnapshot;
  return {
    metadata: { index: metadata.index, term: metadata.term, confState: encodeConfState(metadata.confState) },
    data: raftSnapshot.data,
  };
}

/** A message for a peer. Sending a local message (MsgHup, MsgBeat, ...) is a bug. */
export function encodeMessage(message: Message): ProtoMessage {
  assert(!isLocalMessage(message.type), () => `${messageTypeName(message.type)} never leaves the node`);
  return {
    type: message.type,
    to: message.to,
    from: message.from,
    term: message.term,
    logTerm: message.logTerm,
    index: message.index,
    entries: message.entries.map(encodeEntry),
    commit: message.commit,
    snapshot: message.snapshot === undefined ? null : encodeRaftSnapshot(message.snapshot),
    reject: message.reject,
    rejectHint: message.rejectHint,
    context: message.context,
  };
}

export function encodeHardState(hardState: HardState): ProtoHardState {
  return { term: hardState.term, vote: hardState.vote, commit: hardState.commit };
}

// ---- decoding: untrusted data from a peer, checked before it becomes core data ----

function malformed(path: string, problem: string): never {
  throw new VstorError('INVALID_ARGUMENT', `malformed ${path}: ${problem}`);
}

/** A uint64 that fits a JavaScript number exactly (see rpc/proto-files.ts for why the
 * check is sound). */
function uint64(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    malformed(path, `${String(value)} is not an integer in [0, 2^53)`);
  }
  return value;
}

/** A node id: a uint64 that is not 0 (0 means "none"). */
function nodeId(value: unknown, path: string): number {
  const id = uint64(value, path);
  if (id === 0) malformed(path, 'a node id must not be 0');
  return id;
}

function nodeIds(value: unknown, path: string): number[] {
  if (!Array.isArray(value)) malformed(path, 'not a list');
  return value.map((id, i) => nodeId(id, `${path}[${i}]`));
}

function bool(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') malformed(path, `${String(value)} is not a boolean`);
  return value;
}

/** Plain Uint8Array views of the Buffers protobufjs decodes, so that the core and deep
 * equality see one type. */
export function decodeBytes(value: unknown, path: string): Uint8Array {
  if (!(value instanceof Uint8Array)) malformed(path, 'not bytes');
  if (value.byteLength === 0) return EMPTY;
  return value.constructor === Uint8Array ? value : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

function list(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) malformed(path, 'not a list');
  return value;
}

function record(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) malformed(path, 'missing');
  return value as Record<string, unknown>;
}

function enumValue<T>(byName: ReadonlyMap<string, T>, value: unknown, path: string): T {
  // A value the schema does not know arrives as its number (proto3 enums are open).
  const known = typeof value === 'string' ? byName.get(value) : undefined;
  if (known === undefined) malformed(path, `unknown value ${String(value)}`);
  return known;
}

function decodeEntry(value: unknown, path: string): Entry {
  const entry = record(value, path);
  return {
    term: uint64(entry.term, `${path}.term`),
    index: uint64(entry.index, `${path}.index`),
    type: enumValue(entryTypeByName, entry.type, `${path}.type`),
    data: decodeBytes(entry.data, `${path}.data`),
  };
}

function decodeConfState(value: unknown, path: string): ConfState {
  const confState = record(value, path);
  return {
    voters: nodeIds(confState.voters, `${path}.voters`),
    learners: nodeIds(confState.learners, `${path}.learners`),
    votersOutgoing: nodeIds(confState.votersOutgoing, `${path}.votersOutgoing`),
    learnersNext: nodeIds(confState.learnersNext, `${path}.learnersNext`),
    autoLeave: bool(confState.autoLeave, `${path}.autoLeave`),
  };
}

export function decodeRaftSnapshot(value: unknown, path = 'raftSnapshot'): RaftSnapshot {
  const raftSnapshot = record(value, path);
  const metadata = record(raftSnapshot.metadata, `${path}.metadata`);
  return {
    metadata: {
      index: uint64(metadata.index, `${path}.metadata.index`),
      term: uint64(metadata.term, `${path}.metadata.term`),
      confState: decodeConfState(metadata.confState, `${path}.metadata.confState`),
    },
    data: decodeBytes(raftSnapshot.data, `${path}.data`),
  };
}

/**
 * A message from a peer, checked: a known type that may cross the wire, non-zero `to` and
 * `from`, every number an integer in [0, 2^53), and a snapshot on MsgSnap and only there.
 * `value` is what proto-loader decoded (a Message__Output), or anything else.
 */
export function decodeMessage(value: unknown, path = 'message'): Message {
  const proto = record(value, path);
  const type = enumValue(messageTypeByName, proto.type, `${path}.type`);
  if (isLocalMessage(type)) malformed(`${path}.type`, `${messageTypeName(type)} is local to a node and never sent`);
  const decoded: Message = {
    type,
    to: nodeId(proto.to, `${path}.to`),
    from: nodeId(proto.from, `${path}.from`),
    term: uint64(proto.term, `${path}.term`),
    logTerm: uint64(proto.logTerm, `${path}.logTerm`),
    index: uint64(proto.index, `${path}.index`),
    entries: list(proto.entries, `${path}.entries`).map((entry, i) => decodeEntry(entry, `${path}.entries[${i}]`)),
    commit: uint64(proto.commit, `${path}.commit`),
    reject: bool(proto.reject, `${path}.reject`),
    rejectHint: uint64(proto.rejectHint, `${path}.rejectHint`),
    context: decodeBytes(proto.context, `${path}.context`),
  };
  const hasSnapshot = proto.snapshot !== null && proto.snapshot !== undefined;
  if (type === MessageType.Snap) {
    if (!hasSnapshot) malformed(`${path}.snapshot`, 'MsgSnap without a snapshot');
    decoded.snapshot = decodeRaftSnapshot(proto.snapshot, `${path}.snapshot`);
  } else if (hasSnapshot) {
    malformed(`${path}.snapshot`, `${messageTypeName(type)} must not carry a snapshot`);
  }
  return decoded;
}

export interface DecodedMessageBatch {
  clusterId: string;
  messages: Message[];
}

/**
 * Whether a decoded batch is for this member of this cluster, from one sender: a batch
 * meant for another cluster or member (a stale address, a misconfigured peer) is refused
 * with FAILED_PRECONDITION rather than stepped.
 */
export function checkBatchRecipient(batch: DecodedMessageBatch, clusterId: string, memberId: number): void {
  if (batch.clusterId !== clusterId) {
    throw new VstorError('FAILED_PRECONDITION', `batch for cluster "${batch.clusterId}" reached cluster "${clusterId}"`);
  }
  const from = batch.messages[0]?.from;
  for (const message of batch.messages) {
    if (message.to !== memberId) {
      throw new VstorError('FAILED_PRECONDITION', `message for member ${message.to} reached member ${memberId}`);
    }
    if (message.from !== from) {
      throw new VstorError('INVALID_ARGUMENT', `malformed batch: messages from both ${from} and ${message.from}`);
    }
  }
}

export function decodeHardState(value: unknown, path = 'hardState'): HardState {
  const hardState = record(value, path);
  return {
    term: uint64(hardState.term, `${path}.term`),
    vote: uint64(hardState.vote, `${path}.vote`),
    commit: uint64(hardState.commit, `${path}.commit`),
  };
}
