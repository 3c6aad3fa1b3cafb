// The binary codec of the Raft peer stream (rpc/peer-frame.ts) carries the core's messages
// unchanged: every message type that crosses the wire and every field, at the edges of its
// range (0, 2^53 - 1, empty lists, empty bytes, a 1 MiB entry, a snapshot with a joint
// ConfState), comes out of encodeFrame and decodeFrameBody deep-equal, with byte fields as
// views into the frame rather than copies. And a frame from a peer is checked: cut at any
// byte, with a byte left over, with an unknown or local message type, unknown flags, a
// snapshot where none belongs, an unknown entry type, a node id of 0 or a number of 2^53,
// it is refused with INVALID_ARGUMENT naming where, and decodes to nothing. Random
// corruption never gets anything but a coded error out of the decoder.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import type { Message } from '../../consensus/index.ts';
import { AssertionError, EntryType, message, MessageType } from '../../consensus/index.ts';
import { isVstorError, VstorError } from '../../rpc/errors.ts';
import { decodeFrameBody, encodedMessageBytes, encodeFrame, FRAME_HEADER_BYTES, frameBodyBytes } from '../../rpc/peer-frame.ts';
import { checkSeededRoundTrips, MessageGenerator, wireMessageTypes } from './raft-messages.ts';

/** Encoded, then decoded from the body of the frame as a receiver sees it. */
function roundTrip(messages: Message[]): Message[] {
  const frame = encodeFrame(messages);
  return decodeFrameBody(frame.subarray(FRAME_HEADER_BYTES));
}

function body(messages: Message[]): Buffer {
  return encodeFrame(messages).subarray(FRAME_HEADER_BYTES);
}

function assertMalformed(t: ExecutionContext, bytes: Uint8Array, fragment: string): void {
  const error = t.throws(() => decodeFrameBody(bytes), { instanceOf: VstorError });
  t.is(error?.code, 'INVALID_ARGUMENT');
  t.true(error?.message.startsWith('malformed peer frame: '), error?.message);
  t.true(error?.message.includes(fragment), `"${error?.message}" should mention "${fragment}"`);
}

/** Every field set, none at its zero value. */
function fullMessage(type: MessageType): Message {
  const data = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
  return message({
    type, to: 2, from: 1, term: 11, logTerm: 10, index: 1_000_000, commit: 999_999, reject: true, rejectHint: 77,
    context: Uint8Array.of(9, 8, 7),
    entries: [
      { term: 10, index: 1_000_001, type: EntryType.Normal, data },
      { term: 11, index: 1_000_002, type: EntryType.ConfChange, data: data.subarray(5, 9) },
    ],
    snapshot: type === MessageType.Snap ? {
      metadata: { index: 900, term: 9, confState: { voters: [1, 2, 3], learners: [4], votersOutgoing: [1, 2, 5], learnersNext: [5], autoLeave: true } },
      data: Uint8Array.of(1, 2, 3, 4),
    } : undefined,
  });
}

test('every wire message type round-trips with every field set, MsgSnap with its snapshot', (t) => {
  for (const type of wireMessageTypes) {
    const sent = fullMessage(type);
    if (type !== MessageType.Snap) delete sent.snapshot;
    const [received] = roundTrip([sent]);
    t.deepEqual(received, sent, `type ${type}`);
    t.is(received?.snapshot !== undefined, type === MessageType.Snap);
  }
});

test('2,000 random messages of every wire type survive the trip deep-equal (seeded)', (t) => {
  checkSeededRoundTrips(t, roundTrip);
});

test('empty lists and empty bytes, the zero message, and a frame of no messages', (t) => {
  const bare = message({ type: MessageType.Heartbeat, to: 1, from: 2 });
  const emptySnapshot = message({
    type: MessageType.Snap, to: 3, from: 4,
    snapshot: { metadata: { index: 0, term: 0, confState: { voters: [], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } }, data: new Uint8Array(0) },
  });
  t.deepEqual(roundTrip([bare, emptySnapshot]), [bare, emptySnapshot]);
  t.deepEqual(roundTrip([]), []);
  t.is(encodeFrame([]).length, FRAME_HEADER_BYTES + 4);
});

test('a 1 MiB entry and many entries arrive whole, as views into the frame (no copy)', (t) => {
  const big = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 7) & 0xff);
  const entries = Array.from({ length: 500 }, (_, i) => ({ term: 3, index: 10 + i, type: EntryType.Normal, data: big.subarray(i, i + 100) }));
  const sent = [
    message({ type: MessageType.App, to: 2, from: 1, term: 3, entries: [{ term: 3, index: 9, type: EntryType.Normal, data: big }] }),
    message({ type: MessageType.App, to: 2, from: 1, term: 3, index: 9, entries }),
  ];
  const frame = encodeFrame(sent);
  t.is(frame.length, FRAME_HEADER_BYTES + frameBodyBytes(sent));
  t.is(frame.readUInt32BE(0), frameBodyBytes(sent), 'the length prefix');
  t.is(frameBodyBytes(sent), 4 + encodedMessageBytes(sent[0]!) + encodedMessageBytes(sent[1]!));
  const received = decodeFrameBody(frame.subarray(FRAME_HEADER_BYTES));
  t.deepEqual(received, sent);
  for (const entry of received.flatMap((m) => m.entries)) {
    t.is(entry.data.constructor, Uint8Array, 'a plain Uint8Array, as the core expects');
    if (entry.data.buffer !== frame.buffer) t.fail('entry data copied out of the frame');
  }
});

test('the largest safe integer arrives exact; 2^53 and 2^64 - 1 are refused, not rounded', (t) => {
  const top = Number.MAX_SAFE_INTEGER;
  const sent = message({ type: MessageType.App, to: top, from: top, term: top, logTerm: top, index: top, commit: top, rejectHint: top,
    entries: [{ term: top, index: top, type: EntryType.Normal, data: new Uint8Array(0) }] });
  t.deepEqual(roundTrip([sent]), [sent]);

  // term is the third u64 after the message's type and flags: byte 4 + 2 + 16.
  const tooBig = Buffer.from(body([message({ type: MessageType.App, to: 2, from: 1, term: 1 })]));
  tooBig.writeUInt32BE(0x20_0000, 4 + 2 + 16);
  assertMalformed(t, tooBig, 'messages[0].term: not an integer below 2^53');
  tooBig.writeUInt32BE(0xffff_ffff, 4 + 2 + 16);
  tooBig.writeUInt32BE(0xffff_ffff, 4 + 2 + 20);
  assertMalformed(t, tooBig, 'messages[0].term');
});

test('a frame cut at any byte is refused, and so is one with a byte left over', (t) => {
  const generator = new MessageGenerator(5);
  const whole = body([fullMessage(MessageType.Snap), fullMessage(MessageType.App), generator.message()]);
  t.notThrows(() => decodeFrameBody(whole));
  let refused = 0;
  for (let length = 0; length < whole.length; length++) {
    try {
      decodeFrameBody(whole.subarray(0, length));
      t.fail(`a frame cut to ${length} of ${whole.length} bytes was accepted`);
    } catch (error) {
      if (!isVstorError(error, 'INVALID_ARGUMENT')) t.fail(`cut to ${length}: ${String(error)}`);
      refused++;
    }
  }
  t.is(refused, whole.length);
  assertMalformed(t, Buffer.concat([whole, Buffer.of(0)]), 'end: 1 bytes after the last message');
});

test('unknown and local message types are refused, naming the message', (t) => {
  const bytes = Buffer.from(body([message({ type: MessageType.Heartbeat, to: 2, from: 1 }), message({ type: MessageType.Heartbeat, to: 2, from: 1 })]));
  const second = 4 + encodedMessageBytes(message({ type: MessageType.Heartbeat, to: 2, from: 1 }));
  bytes[second] = 99;
  assertMalformed(t, bytes, 'messages[1].type: unknown message type 99');
  for (const type of [MessageType.Hup, MessageType.Beat, MessageType.Unreachable, MessageType.SnapStatus, MessageType.CheckQuorum]) {
    bytes[second] = type;
    assertMalformed(t, bytes, 'is local to a node and never sent');
  }
});

test('encoding a local message is a bug, stopped by an assertion', (t) => {
  t.throws(() => encodeFrame([message({ type: MessageType.Hup })]), { instanceOf: AssertionError });
});

test('flags: unknown bits are refused; a snapshot goes with MsgSnap and only there', (t) => {
  const heartbeat = Buffer.from(body([message({ type: MessageType.Heartbeat, to: 2, from: 1 })]));
  heartbeat[5] = 4;
  assertMalformed(t, heartbeat, 'messages[0].flags: unknown flags 0x4');
  heartbeat[5] = 2;
  assertMalformed(t, heartbeat, 'messages[0].snapshot: MsgHeartbeat must not carry a snapshot');
  const snap = Buffer.from(body([fullMessage(MessageType.Snap)]));
  snap[5] = 1;
  assertMalformed(t, snap, 'messages[0].snapshot: MsgSnap without a snapshot');
});

test('node ids of 0 are refused: to, from, and a ConfState member', (t) => {
  const sent = message({ type: MessageType.Heartbeat, to: 2, from: 1 });
  const to = Buffer.from(body([sent]));
  to.writeUInt32BE(0, 4 + 2 + 4);
  assertMalformed(t, to, 'messages[0].to: a node id must not be 0');
  const from = Buffer.from(body([sent]));
  from.writeUInt32BE(0, 4 + 2 + 12);
  assertMalformed(t, from, 'messages[0].from: a node id must not be 0');

  const snap = fullMessage(MessageType.Snap);
  snap.snapshot!.metadata.confState.voters = [1, 0];
  assertMalformed(t, body([snap]), 'messages[0].snapshot.metadata.confState.voters[1]: a node id must not be 0');
  snap.snapshot!.metadata.confState.voters = [1];
  const autoLeave = Buffer.from(body([snap]));
  // autoLeave is the byte before the snapshot data's length and its 4 bytes.
  autoLeave[autoLeave.length - 4 - 4 - 1] = 2;
  assertMalformed(t, autoLeave, 'messages[0].snapshot.metadata.confState.autoLeave: 2 is not 0 or 1');
});

test('an unknown entry type is refused, naming the entry', (t) => {
  const sent = fullMessage(MessageType.App);
  const bytes = Buffer.from(body([sent]));
  // The second entry's type: after the message's fixed part and context, the first entry
  // (8 + 8 + 1 + 4 + 300 bytes), then the second entry's term and index.
  const at = 4 + 1 + 1 + 7 * 8 + 4 + 3 + 4 + (21 + 300) + 16;
  t.is(bytes[at], EntryType.ConfChange);
  bytes[at] = 7;
  assertMalformed(t, bytes, 'messages[0].entries[1].type: unknown entry type 7');
});

test('counts the frame cannot hold are refused before anything is allocated for them', (t) => {
  const count = Buffer.alloc(4);
  count.writeUInt32BE(0xffff_ffff);
  assertMalformed(t, count, 'message count: 4294967295 messages cannot fit in the 0 bytes left');
  const entries = Buffer.from(body([message({ type: MessageType.App, to: 2, from: 1 })]));
  entries.writeUInt32BE(0x1000_0000, entries.length - 4);
  assertMalformed(t, entries, 'messages[0].entries: 268435456 entries cannot fit');
});

test('corrupted frames either decode to checked messages or fail with INVALID_ARGUMENT, nothing else', (t) => {
  const generator = new MessageGenerator(11);
  const good = body(generator.batch(8));
  let decoded = 0;
  for (let i = 0; i < 3000; i++) {
    const bytes = Buffer.from(good);
    for (let flips = 1 + generator.random.nextInt(4); flips > 0; flips--) {
      bytes[generator.random.nextInt(bytes.length)] = generator.random.nextUint32() & 0xff;
    }
    try {
      decodeFrameBody(bytes);
      decoded++;
    } catch (error) {
      if (!isVstorError(error, 'INVALID_ARGUMENT')) t.fail(`iteration ${i}: ${String(error)}`);
    }
  }
  t.log(`${decoded} of 3000 corrupted frames still decoded (flips in data or numbers)`);
  t.pass();
});
