// The bytes of the Raft peer stream: one TCP connection per ordered pair of members (the
// sender dials the receiver's `peer` address) that opens with a handshake and then carries
// length-prefixed frames, each a batch of Raft messages for the receiver. The layout is
// written out in docs/consensus.md ("Peer protocol"); in short, all integers big-endian:
//
//   handshake  magic "VSRP" | u16 version | u64 from | u64 to | u8 n | n bytes cluster id (UTF-8)
//   frame      u32 body length | body
//   body       u32 message count | message...
//   message    u8 type | u8 flags (1 reject, 2 snapshot) | u64 to, from, term, logTerm, index,
//              commit, rejectHint | u32 n | n bytes context | u32 entry count | entry...
//              | snapshot (if flag 2)
//   entry      u64 term | u64 index | u8 type | u32 n | n bytes data
//   snapshot   u64 index | u64 term | voters, learners, votersOutgoing, learnersNext (each
//              u32 count | u64 id...) | u8 autoLeave | u32 n | n bytes data
//
// The codec is written by hand rather than generated: a batch is encoded straight into
// one buffer sized in advance, and decoded without building intermediate objects, with
// entry data, context and snapshot data left as views into the received bytes. The hot
// path of every write crosses it eight times, which is why no protobufjs is involved.
//
// Decoding is where a peer's bytes enter the process, so it checks everything the core
// relies on (a known type that may cross the wire, node ids not 0, every number an integer
// below 2^53, a snapshot on MsgSnap and only there, no byte left over) and turns a bad value
// into an INVALID_ARGUMENT VstorError naming where it is; a frame that fails decodes to
// nothing. Encoding takes the core's own messages, which are trusted: a local message there
// is a bug, stopped by an assertion.
import type { ConfState, Entry, Message, RaftSnapshot } from '../consensus/index.ts';
import { assert, EntryType, isLocalMessage, MessageType, messageTypeName } from '../consensus/index.ts';
import { VstorError } from './errors.ts';

/** "VSRP": vstor Raft peer. */
export const PEER_MAGIC = 0x56535250;
export const PEER_PROTOCOL_VERSION = 1;
/** magic, version, from, to, cluster id length; the cluster id follows. */
export const HANDSHAKE_FIXED_BYTES = 4 + 2 + 8 + 8 + 1;
export const CLUSTER_ID_BYTES_MAX = 255;
/** The length prefix of a frame. */
export const FRAME_HEADER_BYTES = 4;

const MESSAGE_FIXED_BYTES = 1 + 1 + 7 * 8 + 4 + 4;
const ENTRY_FIXED_BYTES = 8 + 8 + 1 + 4;
const FLAG_REJECT = 1;
const FLAG_SNAPSHOT = 2;
const TWO_TO_32 = 0x1_0000_0000;
/** The high word of a u64 below 2^53. */
const HIGH_WORD_LIMIT = 0x20_0000;

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export interface PeerHandshake {
  clusterId: string;
  /** The sending member's Raft id. */
  from: number;
  /** The member the sender means to reach. */
  to: number;
}

// ---- encoding ----

function confStateBytes(confState: ConfState): number {
  const ids = confState.voters.length + confState.learners.length + confState.votersOutgoing.length + confState.learnersNext.length;
  return 4 * 4 + ids * 8 + 1;
}

/** The bytes `message` takes in a frame body. */
export function encodedMessageBytes(message: Message): number {
  let size = MESSAGE_FIXED_BYTES + message.context.length;
  for (const entry of message.entries) size += ENTRY_FIXED_BYTES + entry.data.length;
  if (message.snapshot !== undefined) size += 8 + 8 + confStateBytes(message.snapshot.metadata.confState) + 4 + message.snapshot.data.length;
  return size;
}

/** Writes into one buffer from the front; the caller sized it exactly. */
class Writer {
  offset = 0;
  private readonly view: DataView;

  constructor(readonly buffer: Buffer) {
    this.view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }

  u8(value: number): void {
    this.buffer[this.offset++] = value;
  }

  u16(value: number): void {
    this.view.setUint16(this.offset, value);
    this.offset += 2;
  }

  u32(value: number): void {
    this.view.setUint32(this.offset, value);
    this.offset += 4;
  }

  u64(value: number): void {
    this.view.setUint32(this.offset, Math.floor(value / TWO_TO_32));
    this.view.setUint32(this.offset + 4, value >>> 0);
    this.offset += 8;
  }

  bytes(value: Uint8Array): void {
    this.u32(value.length);
    if (value.length === 0) return;
    this.buffer.set(value, this.offset);
    this.offset += value.length;
  }

  ids(values: readonly number[]): void {
    this.u32(values.length);
    for (const value of values) this.u64(value);
  }
}

function writeMessage(writer: Writer, message: Message): void {
  assert(!isLocalMessage(message.type), () => `${messageTypeName(message.type)} never leaves the node`);
  writer.u8(message.type);
  writer.u8((message.reject ? FLAG_REJECT : 0) | (message.snapshot !== undefined ? FLAG_SNAPSHOT : 0));
  writer.u64(message.to);
  writer.u64(message.from);
  writer.u64(message.term);
  writer.u64(message.logTerm);
  writer.u64(message.index);
  writer.u64(message.commit);
  writer.u64(message.rejectHint);
  writer.bytes(message.context);
  writer.u32(message.entries.length);
  for (const entry of message.entries) {
    writer.u64(entry.term);
    writer.u64(entry.index);
    writer.u8(entry.type);
    writer.bytes(entry.data);
  }
  const snapshot = message.snapshot;
  if (snapshot !== undefined) {
    const { metadata } = snapshot;
    writer.u64(metadata.index);
    writer.u64(metadata.term);
    writer.ids(metadata.confState.voters);
    writer.ids(metadata.confState.learners);
    writer.ids(metadata.confState.votersOutgoing);
    writer.ids(metadata.confState.learnersNext);
    writer.u8(metadata.confState.autoLeave ? 1 : 0);
    writer.bytes(snapshot.data);
  }
}

/**
 * One frame, length prefix included, ready for the socket: `bodyBytes` is the sum of
 * encodedMessageBytes over `messages` plus 4 (the caller has it from splitting the batch;
 * it is checked). The entries' data is copied once, into the frame.
 */
export function encodeFrame(messages: readonly Message[], bodyBytes = frameBodyBytes(messages)): Buffer {
  const buffer = Buffer.allocUnsafe(FRAME_HEADER_BYTES + bodyBytes);
  const writer = new Writer(buffer);
  writer.u32(bodyBytes);
  writer.u32(messages.length);
  for (const message of messages) writeMessage(writer, message);
  assert(writer.offset === buffer.length, () => `frame of ${buffer.length} bytes was written to ${writer.offset}`);
  return buffer;
}

/** The body length of the frame that carries `messages`. */
export function frameBodyBytes(messages: readonly Message[]): number {
  let size = 4;
  for (const message of messages) size += encodedMessageBytes(message);
  return size;
}

export function encodeHandshake(handshake: PeerHandshake): Buffer {
  const clusterId = encoder.encode(handshake.clusterId);
  assert(clusterId.length > 0 && clusterId.length <= CLUSTER_ID_BYTES_MAX, 'a cluster id is 1 to 255 bytes');
  const buffer = Buffer.allocUnsafe(HANDSHAKE_FIXED_BYTES + clusterId.length);
  const writer = new Writer(buffer);
  writer.u32(PEER_MAGIC);
  writer.u16(PEER_PROTOCOL_VERSION);
  writer.u64(handshake.from);
  writer.u64(handshake.to);
  writer.u8(clusterId.length);
  buffer.set(clusterId, writer.offset);
  return buffer;
}

// ---- decoding ----

function malformed(where: string, problem: string): never {
  throw new VstorError('INVALID_ARGUMENT', `malformed peer frame: ${where}: ${problem}`);
}

/**
 * Reads a frame body from the front, checking every read against its end. Field names are
 * constant strings ('term', 'entry.data'); the path of a bad field (messages[2].entries[0].data)
 * is put together only when there is an error to report, which keeps the hot path free of
 * string building.
 */
class Reader {
  private readonly view: DataView;
  offset = 0;
  /** The message and entry being read, for error paths; -1 outside of one. */
  messageIndex = -1;
  entryIndex = -1;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  path(field: string): string {
    if (this.messageIndex < 0) return field;
    const message = `messages[${this.messageIndex}]`;
    return field.startsWith('entry.') ? `${message}.entries[${this.entryIndex}].${field.slice(6)}` : `${message}.${field}`;
  }

  fail(field: string, problem: string): never {
    malformed(this.path(field), problem);
  }

  private need(count: number, field: string): void {
    const left = this.bytes.byteLength - this.offset;
    if (count > left) this.fail(field, `needs ${count} bytes, ${left} left in the frame`);
  }

  u8(field: string): number {
    this.need(1, field);
    return this.bytes[this.offset++]!;
  }

  u32(field: string): number {
    this.need(4, field);
    const value = this.view.getUint32(this.offset);
    this.offset += 4;
    return value;
  }

  /** A u64 that a JavaScript number holds exactly: 2^53 and above are refused, never rounded. */
  u64(field: string): number {
    this.need(8, field);
    const high = this.view.getUint32(this.offset);
    if (high >= HIGH_WORD_LIMIT) this.fail(field, 'not an integer below 2^53');
    const value = high * TWO_TO_32 + this.view.getUint32(this.offset + 4);
    this.offset += 8;
    return value;
  }

  nodeId(field: string): number {
    const id = this.u64(field);
    if (id === 0) this.fail(field, 'a node id must not be 0');
    return id;
  }

  /** A plain Uint8Array view of the next bytes (not a copy; not a Buffer, which the core
   * and deep equality would tell apart). */
  bytesField(field: string): Uint8Array {
    const length = this.u32(field);
    if (length === 0) return EMPTY;
    this.need(length, field);
    const view = new Uint8Array(this.bytes.buffer, this.bytes.byteOffset + this.offset, length);
    this.offset += length;
    return view;
  }

  ids(field: string): number[] {
    const count = this.u32(field);
    this.need(count * 8, field);
    const ids = new Array<number>(count);
    for (let i = 0; i < count; i++) {
      const id = this.u64(field);
      if (id === 0) this.fail(`${field}[${i}]`, 'a node id must not be 0');
      ids[i] = id;
    }
    return ids;
  }

  get left(): number {
    return this.bytes.byteLength - this.offset;
  }
}

const messageTypes: ReadonlySet<number> = new Set(Object.values(MessageType));

function readEntry(reader: Reader): Entry {
  const term = reader.u64('entry.term');
  const index = reader.u64('entry.index');
  const type = reader.u8('entry.type');
  if (type !== EntryType.Normal && type !== EntryType.ConfChange) reader.fail('entry.type', `unknown entry type ${type}`);
  return { term, index, type, data: reader.bytesField('entry.data') };
}

function readSnapshot(reader: Reader): RaftSnapshot {
  const index = reader.u64('snapshot.metadata.index');
  const term = reader.u64('snapshot.metadata.term');
  const confState: ConfState = {
    voters: reader.ids('snapshot.metadata.confState.voters'),
    learners: reader.ids('snapshot.metadata.confState.learners'),
    votersOutgoing: reader.ids('snapshot.metadata.confState.votersOutgoing'),
    learnersNext: reader.ids('snapshot.metadata.confState.learnersNext'),
    autoLeave: false,
  };
  const autoLeave = reader.u8('snapshot.metadata.confState.autoLeave');
  if (autoLeave > 1) reader.fail('snapshot.metadata.confState.autoLeave', `${autoLeave} is not 0 or 1`);
  confState.autoLeave = autoLeave === 1;
  return { metadata: { index, term, confState }, data: reader.bytesField('snapshot.data') };
}

function readMessage(reader: Reader): Message {
  const type = reader.u8('type');
  if (!messageTypes.has(type)) reader.fail('type', `unknown message type ${type}`);
  const messageType = type as MessageType;
  if (isLocalMessage(messageType)) reader.fail('type', `${messageTypeName(messageType)} is local to a node and never sent`);
  const flags = reader.u8('flags');
  if ((flags & ~(FLAG_REJECT | FLAG_SNAPSHOT)) !== 0) reader.fail('flags', `unknown flags 0x${flags.toString(16)}`);
  const hasSnapshot = (flags & FLAG_SNAPSHOT) !== 0;
  if (hasSnapshot !== (messageType === MessageType.Snap)) {
    reader.fail('snapshot', hasSnapshot ? `${messageTypeName(messageType)} must not carry a snapshot` : 'MsgSnap without a snapshot');
  }
  const decoded: Message = {
    type: messageType,
    to: reader.nodeId('to'),
    from: reader.nodeId('from'),
    term: reader.u64('term'),
    logTerm: reader.u64('logTerm'),
    index: reader.u64('index'),
    entries: [],
    commit: reader.u64('commit'),
    reject: (flags & FLAG_REJECT) !== 0,
    rejectHint: reader.u64('rejectHint'),
    context: reader.bytesField('context'),
  };
  const entryCount = reader.u32('entries');
  // Each entry takes at least its fixed bytes: a count the frame cannot hold is refused
  // before anything is allocated for it.
  if (entryCount * ENTRY_FIXED_BYTES > reader.left) reader.fail('entries', `${entryCount} entries cannot fit in the ${reader.left} bytes left`);
  for (let i = 0; i < entryCount; i++) {
    reader.entryIndex = i;
    decoded.entries.push(readEntry(reader));
  }
  if (hasSnapshot) decoded.snapshot = readSnapshot(reader);
  return decoded;
}

/**
 * The messages of one frame body (without its length prefix), in order, every one checked.
 * Byte fields are views into `body`, which they keep alive.
 */
export function decodeFrameBody(body: Uint8Array): Message[] {
  const reader = new Reader(body);
  const count = reader.u32('message count');
  if (count * MESSAGE_FIXED_BYTES > reader.left) reader.fail('message count', `${count} messages cannot fit in the ${reader.left} bytes left`);
  const messages: Message[] = [];
  for (let i = 0; i < count; i++) {
    reader.messageIndex = i;
    messages.push(readMessage(reader));
  }
  reader.messageIndex = -1;
  if (reader.left !== 0) reader.fail('end', `${reader.left} bytes after the last message`);
  return messages;
}

/** The fixed part of a handshake: checks the magic and the version, and tells how many
 * bytes of cluster id follow. */
export function decodeHandshakeFixed(bytes: Uint8Array): { from: number; to: number; clusterIdBytes: number } {
  assert(bytes.byteLength === HANDSHAKE_FIXED_BYTES, 'the fixed part of a handshake');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (magic !== PEER_MAGIC) {
    throw new VstorError('INVALID_ARGUMENT', `not a vstor peer connection: it starts with 0x${magic.toString(16).padStart(8, '0')}, not "VSRP"`);
  }
  const version = view.getUint16(4);
  if (version !== PEER_PROTOCOL_VERSION) {
    throw new VstorError('FAILED_PRECONDITION', `peer protocol version ${version} is not spoken here (this member speaks ${PEER_PROTOCOL_VERSION}); run the same vstor release on every member`);
  }
  const reader = new Reader(bytes);
  reader.offset = 6;
  const from = reader.u64('handshake from');
  const to = reader.u64('handshake to');
  if (from === 0 || to === 0) throw new VstorError('INVALID_ARGUMENT', 'malformed peer handshake: a member id of 0');
  const clusterIdBytes = reader.u8('handshake cluster id length');
  if (clusterIdBytes === 0) throw new VstorError('INVALID_ARGUMENT', 'malformed peer handshake: an empty cluster id');
  return { from, to, clusterIdBytes };
}

export function decodeClusterId(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new VstorError('INVALID_ARGUMENT', 'malformed peer handshake: the cluster id is not UTF-8');
  }
}
