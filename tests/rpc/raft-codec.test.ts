// The gRPC part of the peer protocol (the MsgSnap that opens a Raft snapshot stream)
// carries the Raft core's messages unchanged: any message the core can send comes out of
// encode, protobuf serialization, deserialization and decode deep-equal to what went in
// (many seeded random messages). And what a peer sends is checked on the way in: unknown or local message types, a MsgSnap without its snapshot, ids of 0 or past
// 2^53, and other malformed input give a coded INVALID_ARGUMENT error naming the field,
// never a crash and never a rounded number.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import type { Message } from '../../consensus/index.ts';
import { AssertionError, message, MessageType } from '../../consensus/index.ts';
import { isVstorError, VstorError } from '../../rpc/errors.ts';
import {
  checkBatchRecipient, decodeHardState, decodeMessage, decodeRaftSnapshot, encodeHardState, encodeMessage, encodeRaftSnapshot,
} from '../../rpc/raft-codec.ts';
import type { Message as ProtoMessage } from '../../proto/gen/vstor/internal/Message.ts';
import { loaderOptions } from '../../rpc/proto-files.ts';
import { protobufType, roundTrip } from './protobuf-types.ts';
import { checkSeededRoundTrips, MessageGenerator, wireMessageTypes } from './raft-messages.ts';

/** Through everything a message goes through between two peers. */
function overTheWire(messages: Message[]): Message[] {
  return messages.map((sent) => decodeMessage(roundTrip('vstor.internal.Message', { ...encodeMessage(sent) })));
}

/** Decoding what a peer could send, built as a proto object and serialized for real. */
function decodeSent(sent: ProtoMessage) {
  return decodeMessage(roundTrip('vstor.internal.Message', { ...sent }));
}

function assertMalformed(t: ExecutionContext, decode: () => unknown, fragment: string): void {
  const error = t.throws(decode, { instanceOf: VstorError });
  t.is(error?.code, 'INVALID_ARGUMENT');
  t.true(error?.message.includes(fragment), `"${error?.message}" should mention "${fragment}"`);
}

const valid = { type: 'MSG_APP', to: 2, from: 1 } as const;

test('2,000 random messages of every wire type survive the trip deep-equal (seeded)', (t) => {
  checkSeededRoundTrips(t, overTheWire);
});

test('every wire message type round-trips, MsgSnap with its snapshot', (t) => {
  const generator = new MessageGenerator(7);
  for (const type of wireMessageTypes) {
    const sent = generator.message(type);
    const [received] = overTheWire([sent]);
    t.deepEqual(received, sent);
    t.is(received?.snapshot !== undefined, type === MessageType.Snap);
  }
});

test('decoded bytes are plain Uint8Array views, as the core expects', (t) => {
  const generator = new MessageGenerator(3);
  const sent = message({ ...valid, type: MessageType.App, entries: [generator.entry(), generator.entry()], context: generator.bytes(8) });
  const [received] = overTheWire([sent]);
  for (const entry of received!.entries) t.is(entry.data.constructor, Uint8Array);
  t.is(received!.context.constructor, Uint8Array);
});

test('the largest safe integer arrives exact; 2^53 and 2^64 - 1 are refused, not rounded', (t) => {
  const top = Number.MAX_SAFE_INTEGER;
  const [received] = overTheWire([message({ type: MessageType.App, to: top, from: top, term: top, index: top, commit: top })]);
  t.is(received?.term, top);
  t.is(received?.to, top);
  assertMalformed(t, () => decodeSent({ ...valid, term: '9007199254740992' }), 'message.term');
  assertMalformed(t, () => decodeSent({ ...valid, commit: '18446744073709551615' }), 'message.commit');
  assertMalformed(t, () => decodeSent({ ...valid, entries: [{ index: '18446744073709551615' }] }), 'entries[0].index');
});

test('an unknown message type is refused with the field named', (t) => {
  assertMalformed(t, () => decodeSent({ ...valid, type: 99 as never }), 'message.type: unknown value 99');
});

test('a local message type (MsgHup, MsgBeat, ...) is refused: it never crosses the wire', (t) => {
  for (const type of ['MSG_HUP', 'MSG_BEAT', 'MSG_UNREACHABLE', 'MSG_SNAP_STATUS', 'MSG_CHECK_QUORUM'] as const) {
    assertMalformed(t, () => decodeSent({ ...valid, type }), 'is local to a node');
  }
});

test('encoding a local message is a bug, stopped by an assertion', (t) => {
  t.throws(() => encodeMessage(message({ type: MessageType.Hup })), { instanceOf: AssertionError });
});

test('MsgSnap needs its snapshot, with metadata; no other message may carry one', (t) => {
  const generator = new MessageGenerator(5);
  assertMalformed(t, () => decodeSent({ ...valid, type: 'MSG_SNAP' }), 'MsgSnap without a snapshot');
  assertMalformed(t, () => decodeSent({ ...valid, type: 'MSG_SNAP', snapshot: { data: Buffer.from('x') } }), 'snapshot.metadata: missing');
  const snapshot = encodeRaftSnapshot(generator.raftSnapshot());
  assertMalformed(t, () => decodeSent({ ...valid, snapshot }), 'MsgApp must not carry a snapshot');
});

test('node ids must not be 0: to, from, and every member of a ConfState', (t) => {
  assertMalformed(t, () => decodeSent({ ...valid, to: 0 }), 'message.to: a node id must not be 0');
  assertMalformed(t, () => decodeSent({ type: 'MSG_APP', to: 2 }), 'message.from');
  const snapshot = { metadata: { index: 5, term: 1, confState: { voters: [1, 0] } } };
  assertMalformed(t, () => decodeSent({ ...valid, type: 'MSG_SNAP', snapshot }), 'confState.voters[1]');
});

test('an unknown entry type is refused', (t) => {
  assertMalformed(t, () => decodeSent({ ...valid, entries: [{ type: 7 as never }] }), 'entries[0].type: unknown value 7');
});

test('objects that did not come from the wire are checked as strictly (non-integers, wrong types, nothing)', (t) => {
  const proto = roundTrip('vstor.internal.Message', { ...valid });
  assertMalformed(t, () => decodeMessage({ ...proto, to: 1.5 }), 'message.to: 1.5 is not an integer');
  assertMalformed(t, () => decodeMessage({ ...proto, term: -1 }), 'message.term');
  assertMalformed(t, () => decodeMessage({ ...proto, term: '5' }), 'message.term');
  assertMalformed(t, () => decodeMessage({ ...proto, reject: 'yes' }), 'message.reject');
  assertMalformed(t, () => decodeMessage({ ...proto, context: 'abc' }), 'message.context: not bytes');
  assertMalformed(t, () => decodeMessage({ ...proto, entries: null }), 'message.entries: not a list');
  assertMalformed(t, () => decodeMessage(null), 'message: missing');
});

test('corrupted bytes either fail to parse or decode to a checked message: only VstorErrors escape the codec', (t) => {
  const generator = new MessageGenerator(11);
  const type = protobufType('vstor.internal.Message');
  const good = type.encode(type.fromObject({ ...encodeMessage(generator.message(MessageType.App)) })).finish();
  let parsed = 0;
  let refused = 0;
  for (let i = 0; i < 2000; i++) {
    const bytes = Buffer.from(good);
    for (let flips = 1 + generator.random.nextInt(4); flips > 0; flips--) {
      bytes[generator.random.nextInt(bytes.length)] = generator.random.nextUint32() & 0xff;
    }
    let proto: unknown;
    try {
      proto = type.toObject(type.decode(bytes), loaderOptions); // grpc-js answers a parse failure with INTERNAL itself
    } catch {
      continue;
    }
    parsed++;
    try {
      decodeMessage(proto);
    } catch (error) {
      if (!isVstorError(error, 'INVALID_ARGUMENT')) t.fail(`iteration ${i}: ${String(error)}`);
      refused++;
    }
  }
  t.log(`${parsed} of 2000 corrupted messages parsed; the codec refused ${refused} of those`);
  t.true(parsed > 0);
});

test('a batch for another cluster or member is FAILED_PRECONDITION; mixed senders are malformed', (t) => {
  const batch = { clusterId: 'east', messages: overTheWire(new MessageGenerator(2).batch(3, 1, 2)) };
  t.notThrows(() => checkBatchRecipient(batch, 'east', 2));
  t.is(t.throws(() => checkBatchRecipient(batch, 'west', 2), { instanceOf: VstorError })?.code, 'FAILED_PRECONDITION');
  t.is(t.throws(() => checkBatchRecipient(batch, 'east', 3), { instanceOf: VstorError })?.code, 'FAILED_PRECONDITION');
  batch.messages[1] = { ...batch.messages[1]!, from: 3 };
  t.is(t.throws(() => checkBatchRecipient(batch, 'east', 2), { instanceOf: VstorError })?.code, 'INVALID_ARGUMENT');
  t.notThrows(() => checkBatchRecipient({ clusterId: 'east', messages: [] }, 'east', 2));
});

test('a Raft snapshot and a HardState round-trip through their own message types', (t) => {
  const generator = new MessageGenerator(9);
  for (let i = 0; i < 50; i++) {
    const raftSnapshot = generator.raftSnapshot();
    t.deepEqual(decodeRaftSnapshot(roundTrip('vstor.internal.RaftSnapshot', { ...encodeRaftSnapshot(raftSnapshot) })), raftSnapshot);
    const hardState = { term: generator.uint64(), vote: generator.uint64(), commit: generator.uint64() };
    t.deepEqual(decodeHardState(roundTrip('vstor.internal.HardState', { ...encodeHardState(hardState) })), hardState);
  }
});
