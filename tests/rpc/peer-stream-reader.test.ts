// The receiving end of a peer stream without a socket (rpc/peer-stream-reader.ts): however
// TCP cuts the stream into chunks (every split point, single bytes, random sizes), the same
// checked batches come out, in order, once each; a frame inside one chunk is decoded where
// it lies (its entries are views into that chunk). The handshake is checked before any
// frame (magic, version, cluster, member, sender); a frame's length prefix over
// frameBytesMax is refused before its body arrives; a frame with a message from or for
// another member is refused whole; a stream that ends inside the handshake or a frame is
// an error; and after any error the reader takes nothing more.
import { isDeepStrictEqual } from 'node:util';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import type { Message } from '../../consensus/index.ts';
import { EntryType, message, MessageType } from '../../consensus/index.ts';
import type { VstorErrorCode } from '../../rpc/errors.ts';
import { VstorError } from '../../rpc/errors.ts';
import type { PeerHandshake } from '../../rpc/peer-frame.ts';
import { encodeFrame, encodeHandshake, HANDSHAKE_FIXED_BYTES } from '../../rpc/peer-frame.ts';
import { PeerStreamReader } from '../../rpc/peer-stream-reader.ts';
import { MessageGenerator } from './raft-messages.ts';

const self = { clusterId: 'east', memberId: 2 };
const hello: PeerHandshake = { clusterId: 'east', from: 1, to: 2 };

function reader(frameBytesMax = 1 << 20) {
  const batches: Message[][] = [];
  const handshakes: PeerHandshake[] = [];
  const stream = new PeerStreamReader({
    ...self, frameBytesMax,
    onHandshake: (handshake) => handshakes.push(handshake),
    onBatch: (messages) => batches.push(messages),
  });
  return { stream, batches, handshakes };
}

function refused(t: ExecutionContext, run: () => void, code: VstorErrorCode, fragment: string): void {
  const error = t.throws(run, { instanceOf: VstorError });
  t.is(error?.code, code);
  t.true(error?.message.includes(fragment), `"${error?.message}" should mention "${fragment}"`);
}

function batches(seed: number, count: number): Message[][] {
  const generator = new MessageGenerator(seed);
  return Array.from({ length: count }, (_, i) => generator.batch(1 + (i % 4), 1, 2));
}

test('the same batches come out whatever the chunking: every split point, single bytes, random sizes', (t) => {
  const sent = batches(3, 6);
  const stream = Buffer.concat([encodeHandshake(hello), ...sent.map((batch) => encodeFrame(batch))]);
  const feed = (chunks: Buffer[]): Message[][] => {
    const { stream: r, batches: got, handshakes } = reader();
    for (const chunk of chunks) r.push(chunk);
    r.end();
    t.deepEqual(handshakes, [hello]);
    t.is(r.framesReceived, sent.length);
    return got;
  };
  t.deepEqual(feed([stream]), sent);
  for (let split = 1; split < stream.length; split++) {
    const got = feed([stream.subarray(0, split), stream.subarray(split)]);
    if (!isDeepStrictEqual(got, sent)) t.fail(`split at ${split}`);
  }
  t.deepEqual(feed(Array.from(stream, (byte) => Buffer.of(byte))), sent);
  const generator = new MessageGenerator(9);
  for (let round = 0; round < 50; round++) {
    const chunks: Buffer[] = [];
    for (let at = 0; at < stream.length;) {
      const size = 1 + generator.random.nextInt(300);
      chunks.push(stream.subarray(at, at + size));
      at += size;
    }
    t.deepEqual(feed(chunks), sent, `round ${round}`);
  }
});

test('a frame within one chunk is decoded in place; one split across chunks is joined once', (t) => {
  const data = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);
  const sent = [message({ type: MessageType.App, to: 2, from: 1, entries: [{ term: 1, index: 1, type: EntryType.Normal, data }] })];
  const frame = encodeFrame(sent);
  const whole = reader();
  whole.stream.push(encodeHandshake(hello));
  const chunk = Buffer.from(frame);
  whole.stream.push(chunk);
  t.is(whole.batches[0]![0]!.entries[0]!.data.buffer, chunk.buffer, 'a view into the socket chunk');
  const split = reader();
  split.stream.push(encodeHandshake(hello));
  split.stream.push(frame.subarray(0, 500));
  t.deepEqual(split.batches, []);
  t.is(split.stream.bufferedBytes, 496, 'the body waits; its length prefix was read');
  split.stream.push(frame.subarray(500));
  t.deepEqual(split.batches, [sent]);
  t.is(split.stream.bufferedBytes, 0);
});

test('the handshake: wrong magic, version, cluster, member or sender is refused before any frame', (t) => {
  const good = encodeHandshake(hello);
  const withByte = (at: number, value: number): Buffer => {
    const bytes = Buffer.from(good);
    bytes[at] = value;
    return bytes;
  };
  const cases: [Buffer, VstorErrorCode, string][] = [
    [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), 'INVALID_ARGUMENT', 'not a vstor peer connection: it starts with 0x47455420'],
    [withByte(5, 2), 'FAILED_PRECONDITION', 'peer protocol version 2 is not spoken here (this member speaks 1)'],
    [encodeHandshake({ ...hello, clusterId: 'west' }), 'FAILED_PRECONDITION', 'member 1 of cluster "west" reached cluster "east"'],
    [encodeHandshake({ ...hello, to: 3 }), 'FAILED_PRECONDITION', 'member 1 meant to reach member 3, and reached member 2'],
    [encodeHandshake({ ...hello, from: 2 }), 'INVALID_ARGUMENT', 'member 2 connected to itself'],
    [withByte(13, 0), 'INVALID_ARGUMENT', 'a member id of 0'],
    [withByte(HANDSHAKE_FIXED_BYTES - 1, 0), 'INVALID_ARGUMENT', 'an empty cluster id'],
  ];
  for (const [bytes, code, fragment] of cases) {
    const { stream, batches: got, handshakes } = reader();
    refused(t, () => stream.push(Buffer.concat([bytes, encodeFrame([message({ type: MessageType.Heartbeat, to: 2, from: 1 })])])), code, fragment);
    t.deepEqual([got, handshakes], [[], []]);
    refused(t, () => stream.push(Buffer.of(0)), 'FAILED_PRECONDITION', 'already failed');
  }
});

test('a frame whose length prefix is 0 is malformed (it cannot hold its message count)', (t) => {
  const { stream, batches: got } = reader();
  refused(t, () => stream.push(Buffer.concat([encodeHandshake(hello), Buffer.alloc(4)])), 'INVALID_ARGUMENT', 'message count: needs 4 bytes, 0 left');
  t.deepEqual(got, []);
});

test('a frame over frameBytesMax is refused from its length prefix, before its body arrives', (t) => {
  const { stream, batches: got } = reader(1024);
  stream.push(encodeHandshake(hello));
  const small = [message({ type: MessageType.App, to: 2, from: 1, entries: [{ term: 1, index: 1, type: EntryType.Normal, data: new Uint8Array(900) }] })];
  stream.push(encodeFrame(small));
  t.deepEqual(got, [small]);
  const big = encodeFrame([message({ type: MessageType.App, to: 2, from: 1, entries: [{ term: 1, index: 2, type: EntryType.Normal, data: new Uint8Array(1100) }] })]);
  refused(t, () => stream.push(big.subarray(0, 4)), 'RESOURCE_EXHAUSTED', `a peer frame of ${big.length - 4} bytes is over frameBytesMax (1024)`);
  t.is(got.length, 1);
});

test('a frame with a message from or for another member is refused whole; frames before it were delivered', (t) => {
  const good = [message({ type: MessageType.Heartbeat, to: 2, from: 1 })];
  for (const [stray, code, fragment] of [
    [message({ type: MessageType.Heartbeat, to: 3, from: 1 }), 'FAILED_PRECONDITION', 'a message for member 3 on a connection for member 2'],
    [message({ type: MessageType.Heartbeat, to: 2, from: 3 }), 'INVALID_ARGUMENT', 'a message from member 3 on a connection from member 1'],
  ] as const) {
    const { stream, batches: got } = reader();
    refused(t, () => stream.push(Buffer.concat([encodeHandshake(hello), encodeFrame(good), encodeFrame([...good, stray, ...good])])), code, fragment);
    t.deepEqual(got, [good]);
  }
});

test('a stream that ends inside the handshake or a frame is an error; at a frame boundary it is not', (t) => {
  const stream = Buffer.concat([encodeHandshake(hello), encodeFrame(batches(4, 1)[0]!)]);
  for (let length = 0; length <= stream.length; length++) {
    const { stream: r } = reader();
    r.push(stream.subarray(0, length));
    const boundary = length === stream.length || length === encodeHandshake(hello).length;
    if (length === 0 || boundary) {
      // Nothing at all is a handshake never started: an error too, unless a frame boundary.
      if (boundary) t.notThrows(() => r.end(), `end at ${length}`);
      else refused(t, () => r.end(), 'INVALID_ARGUMENT', 'ended inside a handshake (0 bytes of it received)');
    } else {
      const error = t.throws(() => r.end(), { instanceOf: VstorError }, `end at ${length}`);
      t.regex(error!.message, /^the peer stream ended inside a (handshake|frame header|frame body)/);
    }
  }
});
