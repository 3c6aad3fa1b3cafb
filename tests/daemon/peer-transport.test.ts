// The Raft peer stream on real sockets on loopback: TcpPeerTransport (daemon/peer-transport.ts,
// daemon/peer-connection.ts) sending to PeerListener (daemon/peer-listener.ts).
//
// What is proved: the messages of one send for one peer arrive as one batch, equal and in
// order, cut into several frames at batchBytesMax; a message no frame can hold is dropped and
// reported. A peer that is down or has no address is reported unreachable and costs at most
// one connection attempt per reconnect interval; a peer that does not read gets frames
// refused once its write buffer is over the bound, and its connection replaced once it stays
// there. On the receiving side, with raw sockets: a stream cut at any byte delivers the whole
// frames before the cut and nothing of the frame it cuts; a frame cut short inside its
// declared length at any byte, a frame over frameBytesMax, and a handshake with the wrong
// magic, version, cluster or member are refused with a logged reason and the connection
// closed; a silent connection is closed after the handshake timeout; a member that connects
// again replaces its older connection. Every wait is bounded; every socket and listener is
// closed in teardown.
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import type { Message } from '../../consensus/index.ts';
import { EntryType, message, MessageType } from '../../consensus/index.ts';
import { PeerListener } from '../../daemon/peer-listener.ts';
import type { PeerListenerOptions } from '../../daemon/peer-listener.ts';
import { TcpPeerTransport } from '../../daemon/peer-transport.ts';
import type { PeerTransportOptions } from '../../daemon/peer-transport.ts';
import { encodeFrame, encodeHandshake } from '../../rpc/peer-frame.ts';
import { MessageGenerator } from '../rpc/raft-messages.ts';

const waitMs = 5_000;

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = waitMs): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Logged { fields: Record<string, unknown>; message: string }

interface Receiver {
  listener: PeerListener;
  address: string;
  batches: Message[][];
  warnings: Logged[];
}

/** A listener for member `memberId` of cluster "east", closed when the test ends. */
async function receiver(t: ExecutionContext, memberId = 2, options: Partial<PeerListenerOptions> = {}, port = 0): Promise<Receiver> {
  const batches: Message[][] = [];
  const warnings: Logged[] = [];
  const listener = new PeerListener({
    clusterId: 'east', memberId, frameBytesMax: 64 * 1024, refusalLogIntervalMs: 0,
    receiveMessages: (messages) => batches.push(messages),
    logger: { warn: (fields, message) => warnings.push({ fields: fields as Record<string, unknown>, message }), debug: () => {} },
    ...options,
  });
  t.teardown(() => listener.close());
  const bound = await listener.listen('127.0.0.1', port);
  return { listener, address: `127.0.0.1:${bound.port}`, batches, warnings };
}

interface Sender {
  transport: TcpPeerTransport;
  unreachable: number[];
  warnings: Logged[];
}

function sender(t: ExecutionContext, addresses: Map<number, string>, options: Partial<PeerTransportOptions> = {}): Sender {
  const unreachable: number[] = [];
  const warnings: Logged[] = [];
  const transport = new TcpPeerTransport({
    clusterId: 'east', selfId: 1,
    peerAddressOf: (raftId) => addresses.get(raftId),
    grpcAddressOf: () => undefined,
    reportUnreachable: (raftId) => unreachable.push(raftId),
    reportSnapshot: () => {},
    snapshotChunkBytes: 4096, batchBytesMax: 16 * 1024, frameBytesMax: 64 * 1024, writeBufferBytesMax: 1 << 20,
    reconnectIntervalMs: 100, grpcMessageBytesMax: 1 << 20,
    logger: { warn: (fields, message) => warnings.push({ fields: fields as Record<string, unknown>, message }), debug: () => {} },
    ...options,
  });
  t.teardown(() => transport.close());
  return { transport, unreachable, warnings };
}

/** A raw client socket that writes `bytes` (and ends if asked); resolves once the socket
 * has closed, telling whether this side ended it. */
function rawClient(t: ExecutionContext, address: string, bytes: Buffer, end: boolean): { socket: Socket; closed: Promise<void> } {
  const [host, port] = address.split(':');
  const socket = connect({ host, port: Number(port) });
  t.teardown(() => socket.destroy());
  socket.on('error', () => {});
  socket.resume();
  socket.write(bytes);
  if (end) socket.end();
  const closed = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the connection was not closed within ${waitMs} ms`)), waitMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return { socket, closed };
}

const heartbeat = (term: number): Message => message({ type: MessageType.Heartbeat, to: 2, from: 1, term });
const hello = encodeHandshake({ clusterId: 'east', from: 1, to: 2 });

test('the messages of one send for one peer arrive as one batch, equal and in order, each peer its own', async (t) => {
  const two = await receiver(t, 2);
  const three = await receiver(t, 3);
  const { transport, unreachable } = sender(t, new Map([[2, two.address], [3, three.address]]));
  const generator = new MessageGenerator(1);
  const sent: Message[][] = [];
  for (let ready = 0; ready < 20; ready++) {
    const forTwo = generator.batch(1 + (ready % 3), 1, 2).filter((m) => m.type !== MessageType.Snap);
    const forThree = generator.batch(2, 1, 3).filter((m) => m.type !== MessageType.Snap);
    transport.send([...forTwo, ...forThree]);
    sent.push(forTwo, forThree);
  }
  const expectTwo = sent.filter((batch) => batch[0]?.to === 2 && batch.length > 0);
  const expectThree = sent.filter((batch) => batch[0]?.to === 3 && batch.length > 0);
  await until('every batch', () => (two.batches.length === expectTwo.length && three.batches.length === expectThree.length ? true : undefined));
  t.deepEqual(two.batches, expectTwo);
  t.deepEqual(three.batches, expectThree);
  t.deepEqual(unreachable, [], 'frames written while connecting wait in the socket');
});

test('a send larger than batchBytesMax goes out as several frames; a message no frame can hold is dropped and reported', async (t) => {
  const two = await receiver(t, 2);
  const { transport, unreachable, warnings } = sender(t, new Map([[2, two.address]]), { batchBytesMax: 1000, frameBytesMax: 4000 });
  const app = (index: number, bytes: number): Message => message({
    type: MessageType.App, to: 2, from: 1, term: 2, index, entries: [{ term: 2, index: index + 1, type: EntryType.Normal, data: new Uint8Array(bytes).fill(index) }],
  });
  const messages = [app(1, 400), app(2, 400), app(3, 400), app(4, 5000), app(5, 400), app(6, 100)];
  transport.send(messages);
  await until('three frames', () => (two.batches.length === 3 ? true : undefined));
  t.deepEqual(two.batches, [[messages[0], messages[1]], [messages[2]], [messages[4], messages[5]]]);
  t.deepEqual(unreachable, [2]);
  t.is(warnings[0]?.message, 'raft message too large for a peer frame; dropped');
});

test('a peer that is down is reported unreachable, with at most one connection attempt per reconnect interval', async (t) => {
  // A server that hangs up on every connection: each attempt fails, and is counted.
  let attempts = 0;
  const hangUp: Server = createServer((socket) => {
    attempts++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => hangUp.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => hangUp.close(() => resolve())));
  const port = (hangUp.address() as { port: number }).port;
  const { transport, unreachable } = sender(t, new Map([[2, `127.0.0.1:${port}`]]), { reconnectIntervalMs: 300 });

  const started = performance.now();
  while (performance.now() - started < 1500) {
    transport.send([heartbeat(1)]);
    await sleep(10);
  }
  const elapsedMs = performance.now() - started;
  t.true(attempts >= 2, `${attempts} attempts`);
  t.true(attempts <= 1 + Math.ceil(elapsedMs / 300), `${attempts} attempts in ${elapsedMs.toFixed(0)} ms`);
  t.true(unreachable.length > attempts, 'sends between attempts are reported too');
  t.true(unreachable.every((id) => id === 2));

  // The peer comes back on another address: messages flow again.
  const two = await receiver(t, 2);
  const transportWithPeer = sender(t, new Map([[2, two.address]]), { reconnectIntervalMs: 300 });
  transportWithPeer.transport.send([heartbeat(9)]);
  await until('the heartbeat', () => (two.batches.length === 1 ? true : undefined));
  t.deepEqual(two.batches, [[heartbeat(9)]]);
});

test('a peer with no known address is reported unreachable, with one warning', async (t) => {
  const { transport, unreachable, warnings } = sender(t, new Map());
  for (let i = 0; i < 5; i++) transport.send([heartbeat(i)]);
  t.deepEqual(unreachable, [2, 2, 2, 2, 2]);
  t.is(warnings.length, 1);
  t.regex(warnings[0]!.message, /no peer address is known for this member/);
});

test('a peer that does not read: frames are refused over writeBufferBytesMax, and the stalled connection is replaced', async (t) => {
  const connections: Socket[] = [];
  const stalled: Server = createServer((socket) => {
    connections.push(socket);
    socket.pause();
  });
  await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const socket of connections) socket.destroy();
    return new Promise<void>((resolve) => stalled.close(() => resolve()));
  });
  const port = (stalled.address() as { port: number }).port;
  const { transport, unreachable } = sender(t, new Map([[2, `127.0.0.1:${port}`]]), {
    batchBytesMax: 60 * 1024, frameBytesMax: 64 * 1024, writeBufferBytesMax: 256 * 1024, stallTimeoutMs: 300, reconnectIntervalMs: 50,
  });
  const big = message({ type: MessageType.App, to: 2, from: 1, entries: [{ term: 1, index: 1, type: EntryType.Normal, data: new Uint8Array(50 * 1024) }] });
  // Kernel buffers take a few MB on loopback before the socket's own buffer grows.
  for (let i = 0; i < 4000 && unreachable.length === 0; i++) {
    transport.send([big]);
    await new Promise((resolve) => setImmediate(resolve));
  }
  t.true(unreachable.length > 0, 'frames were refused once the buffer was over the bound');
  const refusedAt = performance.now();
  await until('a second connection after the stall timeout', () => {
    transport.send([big]);
    return connections.length >= 2 ? true : undefined;
  });
  t.true(performance.now() - refusedAt >= 250, 'not before the stall timeout');
});

test('a stream cut at any byte delivers the whole frames before the cut and nothing of the cut frame', async (t) => {
  const peer = await receiver(t);
  const first = [heartbeat(1), heartbeat(2)];
  const second = [message({ type: MessageType.App, to: 2, from: 1, term: 3, entries: [{ term: 3, index: 5, type: EntryType.Normal, data: Uint8Array.of(1, 2, 3) }] })];
  const stream = Buffer.concat([hello, encodeFrame(first), encodeFrame(second)]);
  const firstEnds = hello.length + encodeFrame(first).length;
  for (let cut = 1; cut < stream.length; cut++) {
    peer.batches.length = 0;
    const warningsBefore = peer.warnings.length;
    await rawClient(t, peer.address, stream.subarray(0, cut), true).closed;
    const boundary = cut === hello.length || cut === firstEnds;
    t.deepEqual(peer.batches, cut >= firstEnds ? [first] : [], `cut at ${cut}`);
    if (boundary) {
      t.is(peer.warnings.length, warningsBefore, `cut at ${cut} is a clean end`);
    } else {
      await until(`the refusal at ${cut}`, () => (peer.warnings.length > warningsBefore ? true : undefined));
      t.regex(String(peer.warnings.at(-1)!.fields.reason), /^the peer stream ended inside a/);
    }
  }
  // A connection closed without a byte (a port probe) is closed without a warning.
  const warningsBefore = peer.warnings.length;
  await rawClient(t, peer.address, Buffer.alloc(0), true).closed;
  t.is(peer.warnings.length, warningsBefore);
  await until('every connection closed on the listener\'s side', () => (peer.listener.connectionCount === 0 ? true : undefined));
});

test('a frame cut short inside its declared length, at any byte, is refused and the connection closed', async (t) => {
  const peer = await receiver(t);
  const good = [heartbeat(1)];
  const body = encodeFrame([heartbeat(2), message({ type: MessageType.App, to: 2, from: 1, entries: [{ term: 1, index: 2, type: EntryType.Normal, data: Uint8Array.of(7, 7) }] })]).subarray(4);
  for (let length = 0; length < body.length; length++) {
    peer.batches.length = 0;
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(length);
    const { closed } = rawClient(t, peer.address, Buffer.concat([hello, encodeFrame(good), prefix, body.subarray(0, length)]), false);
    await closed;
    t.deepEqual(peer.batches, [good], `body cut to ${length}`);
    t.regex(String(peer.warnings.at(-1)!.fields.reason), /^malformed peer frame: /, `body cut to ${length}`);
  }
});

test('a frame over frameBytesMax is refused from its length prefix', async (t) => {
  const peer = await receiver(t, 2, { frameBytesMax: 4096 });
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(5000);
  await rawClient(t, peer.address, Buffer.concat([hello, encodeFrame([heartbeat(1)]), prefix]), false).closed;
  t.deepEqual(peer.batches, [[heartbeat(1)]]);
  t.is(peer.warnings.at(-1)?.fields.reason, 'a peer frame of 5000 bytes is over frameBytesMax (4096)');
});

test('a wrong handshake is refused with its reason logged; nothing is delivered; a right one then works', async (t) => {
  const peer = await receiver(t);
  const version = Buffer.from(hello);
  version[5] = 9;
  const cases: [Buffer, RegExp][] = [
    [Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), /^not a vstor peer connection/],
    [version, /^peer protocol version 9 is not spoken here/],
    [encodeHandshake({ clusterId: 'west', from: 1, to: 2 }), /^member 1 of cluster "west" reached cluster "east"$/],
    [encodeHandshake({ clusterId: 'east', from: 1, to: 5 }), /^member 1 meant to reach member 5, and reached member 2/],
  ];
  for (const [handshake, reason] of cases) {
    await rawClient(t, peer.address, Buffer.concat([handshake, encodeFrame([heartbeat(1)])]), false).closed;
    t.regex(String(peer.warnings.at(-1)?.fields.reason), reason);
    t.is(peer.warnings.at(-1)?.message, 'peer connection closed');
  }
  t.deepEqual(peer.batches, []);
  const { socket } = rawClient(t, peer.address, Buffer.concat([hello, encodeFrame([heartbeat(4)])]), false);
  await until('the batch', () => (peer.batches.length === 1 ? true : undefined));
  t.deepEqual(peer.batches, [[heartbeat(4)]]);
  socket.destroy();
});

test('a connection that does not identify itself is closed after the handshake timeout', async (t) => {
  const peer = await receiver(t, 2, { handshakeTimeoutMs: 200 });
  await rawClient(t, peer.address, hello.subarray(0, 3), false).closed;
  t.is(peer.warnings.at(-1)?.fields.reason, 'no handshake within 200 ms');
});

test('a member that connects again replaces its older connection; close() is safe twice', async (t) => {
  const peer = await receiver(t);
  const older = rawClient(t, peer.address, Buffer.concat([hello, encodeFrame([heartbeat(1)])]), false);
  await until('the first batch', () => (peer.batches.length === 1 ? true : undefined));
  rawClient(t, peer.address, Buffer.concat([hello, encodeFrame([heartbeat(2)])]), false);
  await older.closed;
  await until('the second batch', () => (peer.batches.length === 2 ? true : undefined));
  await until('one connection left', () => (peer.listener.connectionCount === 1 ? true : undefined));
  await Promise.all([peer.listener.close(), peer.listener.close()]);
  t.is(peer.listener.status, 'closed');
  t.is(peer.listener.connectionCount, 0);
});

test('the listener cannot take a port in use: UNAVAILABLE naming the address', async (t) => {
  const taken = await receiver(t);
  const port = Number(taken.address.split(':')[1]);
  const error = await t.throwsAsync(receiver(t, 2, {}, port));
  t.regex(String(error?.message), new RegExp(`^cannot listen for peers on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
});
