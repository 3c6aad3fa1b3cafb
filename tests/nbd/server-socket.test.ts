// The NBD server under byte streams real clients never send (issue 4: "a request out of
// range gets EINVAL or ENOSPC and the connection stays usable", "unknown options answered
// with ERR_UNSUP and the handshake goes on"), driven by our own small client over a raw
// socket: refused requests leave the connection usable; unknown and premature options are
// answered and negotiation goes on; truncated or garbled frames close only their own
// connection, with a log line; pipelined requests within tight bounds are all answered;
// FLUSH follows the writes before it; limits, DISC, ABORT and close() end things cleanly.
import test from 'ava';
import { AllocationState, ClientFlag, Command, CommandFlag, Errno, Info, Option, Reply, TransmissionFlag } from '../../daemon/nbd/constants.ts';
import { KiB, MiB, SNAPSHOT_PATTERN, Gate } from './block-store-backend.ts';
import { RawNbdClient, OptionError, encodeRequest, goData } from './raw-client.ts';
import type { ReadSpec } from './raw-client.ts';
import { firstDifference, startServer, waitFor } from './server-fixture.ts';

const HOLE = AllocationState.HOLE | AllocationState.ZERO;

function filled(lengthBytes: number, value: number): Uint8Array {
  return new Uint8Array(lengthBytes).fill(value);
}

async function connected(port: number, exportName: string, options: { structured?: boolean } = {}): Promise<RawNbdClient> {
  const client = await RawNbdClient.connect(port);
  await client.open(exportName, options);
  return client;
}

test('a request out of range is answered EINVAL or ENOSPC and the connection stays usable', async (t) => {
  const { port, server } = await startServer(t);
  const client = await connected(port, 'disk');
  const size = 64 * MiB;

  const read = await client.request({ type: Command.READ, cookie: 1n, offset: size - 10, lengthBytes: 20 });
  t.is(read.errno, Errno.EINVAL);
  t.regex(read.message ?? '', /beyond/);
  const write = await client.request({ type: Command.WRITE, cookie: 2n, offset: size, data: filled(512, 1) });
  t.is(write.errno, Errno.ENOSPC);
  const trim = await client.request({ type: Command.TRIM, cookie: 3n, offset: 2n ** 63n, lengthBytes: 4096 });
  t.is(trim.errno, Errno.ENOSPC);
  const unknown = await client.request({ type: 42, cookie: 4n });
  t.is(unknown.errno, Errno.EINVAL);

  const good = await client.request({ type: Command.READ, cookie: 5n, offset: 0, lengthBytes: 4096 });
  t.is(good.errno, 0);
  t.is(firstDifference(good.data!, filled(4096, SNAPSHOT_PATTERN)), undefined);
  t.is(server.stats.errorReplies, 4);
  t.is(server.stats.protocolErrors, 0);
});

test('without structured replies an error is a simple reply and a READ carries its data', async (t) => {
  const { port } = await startServer(t);
  const client = await connected(port, 'disk', { structured: false });
  const bad = await client.request({ type: Command.READ, cookie: 7n, offset: 64 * MiB, lengthBytes: 1 });
  t.like(bad, { errno: Errno.EINVAL, structured: false, data: undefined });
  const good = await client.request({ type: Command.READ, cookie: 8n, offset: 100, lengthBytes: 1000 });
  t.like(good, { errno: 0, structured: false });
  t.is(firstDifference(good.data!, filled(1000, SNAPSHOT_PATTERN)), undefined);
  // BLOCK_STATUS needs structured replies and a metadata context.
  t.is((await client.request({ type: Command.BLOCK_STATUS, cookie: 9n, offset: 0, lengthBytes: 4096 })).errno, Errno.EINVAL);
});

test('unknown and premature options are answered, and negotiation goes on to GO', async (t) => {
  const { port } = await startServer(t);
  const client = await RawNbdClient.connect(port);
  await client.greet();

  client.sendOption(0x4242, filled(10, 7));
  t.like(await client.readOptionReply(), { option: 0x4242, type: Reply.ERR_UNSUP });
  client.sendOption(Option.STARTTLS);
  t.like(await client.readOptionReply(), { option: Option.STARTTLS, type: Reply.ERR_UNSUP });
  // Metadata contexts before structured replies are refused, not fatal.
  client.sendOption(Option.LIST_META_CONTEXT, new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0]));
  t.like(await client.readOptionReply(), { type: Reply.ERR_INVALID });
  client.sendOption(Option.LIST, filled(3, 1));
  t.like(await client.readOptionReply(), { option: Option.LIST, type: Reply.ERR_INVALID });

  await client.negotiateStructuredReplies();
  client.sendOption(Option.LIST_META_CONTEXT, new Uint8Array([0, 0, 0, 4, 100, 105, 115, 107, 0, 0, 0, 0]));
  const contexts = await client.readOptionReplies();
  t.deepEqual(contexts.map((reply) => [reply.type, new TextDecoder().decode(reply.data.subarray(4))]), [[Reply.META_CONTEXT, 'base:allocation'], [Reply.ACK, '']]);

  client.sendOption(Option.INFO, goData('disk', [Info.NAME, Info.DESCRIPTION, Info.BLOCK_SIZE]));
  const info = await client.readOptionReplies();
  const infoTypes = info.filter((reply) => reply.type === Reply.INFO).map((reply) => new DataView(reply.data.buffer, reply.data.byteOffset).getUint16(0));
  t.deepEqual(infoTypes.sort(), [Info.EXPORT, Info.NAME, Info.DESCRIPTION, Info.BLOCK_SIZE].sort());

  const refused = await t.throwsAsync(client.go('missing'), { instanceOf: OptionError });
  t.is(refused.replyType, Reply.ERR_UNKNOWN);
  t.regex(refused.message, /missing/);

  const granted = await client.go('disk');
  t.is(granted.sizeBytes, 64 * MiB);
  t.not(granted.transmissionFlags & TransmissionFlag.SEND_DF, 0);
  const read = await client.request({ type: Command.READ, cookie: 1n, offset: 0, lengthBytes: 512 });
  t.is(firstDifference(read.data!, filled(512, SNAPSHOT_PATTERN)), undefined);
});

test('a frame cut short closes its connection with a log line, and the server serves on', async (t) => {
  const { port, server, logs } = await startServer(t);

  // In the transmission phase: a WRITE whose payload stops halfway.
  const writer = await connected(port, 'disk');
  const request = encodeRequest({ type: Command.WRITE, cookie: 1n, offset: 0, data: filled(64 * KiB, 9) });
  writer.write(request.subarray(0, 28 + 1000));
  writer.end();
  t.true(await writer.waitClosed());

  // In negotiation: half an option header.
  const negotiator = await RawNbdClient.connect(port);
  await negotiator.greet();
  negotiator.write(new Uint8Array([0x49, 0x48, 0x41, 0x56, 0x45]));
  negotiator.end();
  t.true(await negotiator.waitClosed());

  await waitFor(() => logs.filter((entry) => /truncated frame/.test(entry.message)).length === 2, 'two truncated-frame log lines');
  t.deepEqual(logs.filter((entry) => /truncated frame/.test(entry.message)).map((entry) => entry.level), ['warn', 'warn']);
  t.is(server.stats.protocolErrors, 2);

  const next = await connected(port, 'disk');
  const read = await next.request({ type: Command.READ, cookie: 2n, offset: 0, lengthBytes: 4096 });
  t.is(firstDifference(read.data!, filled(4096, SNAPSHOT_PATTERN)), undefined);
});

test('bytes that break the protocol close the connection at once, with the reason logged', async (t) => {
  const { port, server, logs } = await startServer(t);

  const garbled = await connected(port, 'disk');
  garbled.write(filled(28, 0xee));
  t.true(await garbled.waitClosed());

  const badFlags = await RawNbdClient.connect(port);
  await badFlags.greet(ClientFlag.FIXED_NEWSTYLE | 0x80);
  t.true(await badFlags.waitClosed());

  const oldStyle = await RawNbdClient.connect(port);
  await oldStyle.greet(0);
  t.true(await oldStyle.waitClosed());

  await waitFor(() => server.stats.protocolErrors === 3, 'three protocol errors');
  const reasons = logs.filter((entry) => entry.level === 'warn').map((entry) => String(entry.fields.reason));
  t.true(reasons.some((reason) => reason.startsWith('BAD_MAGIC')));
  t.true(reasons.some((reason) => reason.startsWith('BAD_CLIENT_FLAGS')));
  t.true(reasons.some((reason) => /fixed newstyle/.test(reason)));
});

test('a read-only export answers writes with EPERM and keeps its data', async (t) => {
  const { port, backend } = await startServer(t);
  const client = await connected(port, 'disk@snap');
  const write = await client.request({ type: Command.WRITE, cookie: 1n, offset: 0, data: filled(4096, 1) });
  t.is(write.errno, Errno.EPERM);
  const zero = await client.request({ type: Command.WRITE_ZEROES, cookie: 2n, offset: 0, lengthBytes: 4096 });
  t.is(zero.errno, Errno.EINVAL, 'WRITE_ZEROES is not advertised on a read-only export');
  const read = await client.request({ type: Command.READ, cookie: 3n, offset: 0, lengthBytes: 8192 });
  t.is(firstDifference(read.data!, filled(8192, SNAPSHOT_PATTERN)), undefined);
  t.is(firstDifference(await backend.readHead('disk', 0, 8192), filled(8192, SNAPSHOT_PATTERN)), undefined);
});

test('a pipelined burst is answered in full within tight in-flight bounds, matched by cookie', async (t) => {
  const { port, server, backend } = await startServer(t, { requestBytesMax: 64 * KiB, inflightRequestsMax: 2, inflightBytesMax: 64 * KiB });
  const client = await connected(port, 'disk');
  const count = 100;
  const pieceBytes = 16 * KiB;
  const frames: Uint8Array[] = [];
  for (let index = 0; index < count; index++) {
    frames.push(encodeRequest({ type: Command.WRITE, cookie: BigInt(index), offset: index * pieceBytes, data: filled(pieceBytes, index + 1) }));
  }
  frames.push(encodeRequest({ type: Command.FLUSH, cookie: 1000n }));
  const reads = new Map<bigint, ReadSpec>();
  for (let index = 0; index < count; index++) {
    const cookie = BigInt(2000 + index);
    reads.set(cookie, { offset: index * pieceBytes, lengthBytes: pieceBytes });
    frames.push(encodeRequest({ type: Command.READ, cookie, offset: index * pieceBytes, lengthBytes: pieceBytes }));
  }
  // All of it in one socket write: the server gets many requests per chunk.
  client.write(Buffer.concat(frames));
  const replies = await client.readReplies(2 * count + 1, reads);
  t.is(replies.size, 2 * count + 1);
  for (let index = 0; index < count; index++) {
    t.is(replies.get(BigInt(index))?.errno, 0);
    const read = replies.get(BigInt(2000 + index))!;
    t.is(firstDifference(read.data!, filled(pieceBytes, index + 1)), undefined, `read ${index}`);
  }
  t.is(replies.get(1000n)?.errno, 0);
  t.is(firstDifference(await backend.readHead('disk', (count - 1) * pieceBytes, pieceBytes), filled(pieceBytes, count)), undefined);
  // The bound held: never more than inflightRequestsMax export calls at once.
  t.is(backend.runningMax, 2);
  t.is(server.stats.requests.write, count);
  t.is(server.stats.bytesWritten, count * pieceBytes);
  t.is(server.stats.bytesRead, count * pieceBytes);
});

test('a FLUSH is answered only after the writes received before it', async (t) => {
  const { port, backend } = await startServer(t);
  const client = await connected(port, 'disk');
  const gate = new Gate();
  backend.gate = gate;
  client.write(Buffer.concat([
    encodeRequest({ type: Command.WRITE, cookie: 1n, offset: 0, data: filled(4096, 3) }),
    encodeRequest({ type: Command.WRITE, cookie: 2n, offset: 8192, data: filled(4096, 4), flags: CommandFlag.FUA }),
    encodeRequest({ type: Command.FLUSH, cookie: 3n }),
  ]));
  // Both writes and the flush are in flight: the writes held in the export, the flush
  // waiting for them.
  await waitFor(() => backend.held.get(1) === 2, 'two writes held');
  backend.gate = undefined;
  gate.release();
  const replies = await client.readReplies(3);
  t.deepEqual([...replies.keys()].slice(-1), [3n]);
  t.true([...replies.values()].every((reply) => reply.errno === 0));
});

test('an oversized WRITE is refused with EINVAL and the connection stays usable', async (t) => {
  const { port, backend } = await startServer(t, { requestBytesMax: 64 * KiB, inflightBytesMax: 64 * KiB });
  const client = await connected(port, 'disk');
  const big = await client.request({ type: Command.WRITE, cookie: 1n, offset: 0, data: filled(200 * KiB, 6) });
  t.is(big.errno, Errno.EINVAL);
  t.regex(big.message ?? '', /above the 65536-byte maximum/);
  const tooLongRead = await client.request({ type: Command.READ, cookie: 2n, offset: 0, lengthBytes: 128 * KiB });
  t.is(tooLongRead.errno, Errno.EINVAL);
  const small = await client.request({ type: Command.WRITE, cookie: 3n, offset: 0, data: filled(4 * KiB, 6) });
  t.is(small.errno, 0);
  t.is(firstDifference(await backend.readHead('disk', 0, 8 * KiB), new Uint8Array([...filled(4 * KiB, 6), ...filled(4 * KiB, SNAPSHOT_PATTERN)])), undefined);
});

test('BLOCK_STATUS maps holes and data, honours REQ_ONE and answers long ranges in part', async (t) => {
  const { port } = await startServer(t, { blockStatusBytesMax: 2 * MiB });
  const client = await connected(port, 'thin');
  t.is((await client.request({ type: Command.WRITE, cookie: 1n, offset: 1 * MiB, data: filled(4096, 1) })).errno, 0);

  const status = await client.request({ type: Command.BLOCK_STATUS, cookie: 2n, offset: 0, lengthBytes: 2 * MiB });
  t.deepEqual(status.extents, [[1 * MiB, HOLE], [4096, 0], [1 * MiB - 4096, HOLE]]);
  const one = await client.request({ type: Command.BLOCK_STATUS, cookie: 3n, offset: 1 * MiB, lengthBytes: 2 * MiB, flags: CommandFlag.REQ_ONE });
  t.deepEqual(one.extents, [[4096, 0]]);
  const long = await client.request({ type: Command.BLOCK_STATUS, cookie: 4n, offset: 0, lengthBytes: 0xfffff000 });
  t.is(long.extents!.reduce((sum, [length]) => sum + length, 0), 2 * MiB);

  // Zeroing without holes leaves data; the plain kind punches a hole.
  const zeroes = await client.request({ type: Command.WRITE_ZEROES, cookie: 5n, offset: 4 * MiB, lengthBytes: 8192, flags: CommandFlag.NO_HOLE });
  t.is(zeroes.errno, 0);
  t.deepEqual((await client.request({ type: Command.BLOCK_STATUS, cookie: 6n, offset: 4 * MiB, lengthBytes: 8192 })).extents, [[8192, 0]]);
  const fast = await client.request({ type: Command.WRITE_ZEROES, cookie: 7n, offset: 4 * MiB, lengthBytes: 8192, flags: CommandFlag.NO_HOLE | CommandFlag.FAST_ZERO });
  t.is(fast.errno, Errno.ENOTSUP);
  t.is((await client.request({ type: Command.WRITE_ZEROES, cookie: 8n, offset: 4 * MiB, lengthBytes: 8192 })).errno, 0);
  t.deepEqual((await client.request({ type: Command.BLOCK_STATUS, cookie: 9n, offset: 4 * MiB, lengthBytes: 8192 })).extents, [[8192, HOLE]]);
});

test('two connections to one export write disjoint ranges, each seeing the other', async (t) => {
  const { port, server } = await startServer(t);
  const [first, second] = await Promise.all([connected(port, 'disk'), connected(port, 'disk')]);
  const requests: Promise<unknown>[] = [];
  for (let index = 0; index < 8; index++) {
    first.sendRequest({ type: Command.WRITE, cookie: BigInt(index), offset: 32 * MiB + index * 64 * KiB, data: filled(64 * KiB, 0x10 + index) });
    second.sendRequest({ type: Command.WRITE, cookie: BigInt(index), offset: 40 * MiB + index * 64 * KiB, data: filled(64 * KiB, 0x20 + index) });
  }
  requests.push(first.readReplies(8), second.readReplies(8));
  await Promise.all(requests);
  t.is((await first.request({ type: Command.FLUSH, cookie: 100n })).errno, 0);
  for (let index = 0; index < 8; index++) {
    const fromFirst = await first.request({ type: Command.READ, cookie: 200n, offset: 40 * MiB + index * 64 * KiB, lengthBytes: 64 * KiB });
    t.is(firstDifference(fromFirst.data!, filled(64 * KiB, 0x20 + index)), undefined);
    const fromSecond = await second.request({ type: Command.READ, cookie: 200n, offset: 32 * MiB + index * 64 * KiB, lengthBytes: 64 * KiB });
    t.is(firstDifference(fromSecond.data!, filled(64 * KiB, 0x10 + index)), undefined);
  }
  t.is(server.stats.connectionsOpen, 2);
  t.is(server.stats.errorReplies, 0);
});

test('connections above connectionsMax are closed on accept', async (t) => {
  const { port, server } = await startServer(t, { connectionsMax: 1 });
  const first = await connected(port, 'disk');
  const second = await RawNbdClient.connect(port);
  t.true(await second.waitClosed());
  t.is(server.stats.connectionsRefused, 1);
  t.is((await first.request({ type: Command.READ, cookie: 1n, offset: 0, lengthBytes: 16 })).errno, 0);
});

test('a client that does not finish negotiating in time is dropped', async (t) => {
  const { port, logs } = await startServer(t, { handshakeTimeoutMs: 200 });
  const client = await RawNbdClient.connect(port);
  await client.greet();
  t.true(await client.waitClosed());
  t.true(logs.some((entry) => entry.level === 'warn' && /negotiation took too long/.test(entry.message)));
});

test('NBD_OPT_EXPORT_NAME enters transmission for a known export and closes for an unknown one', async (t) => {
  const { port } = await startServer(t);
  const known = await RawNbdClient.connect(port);
  await known.greet();
  known.sendOption(Option.EXPORT_NAME, new TextEncoder().encode('disk'));
  const reply = new DataView(Uint8Array.from(await known.read(10)).buffer);
  t.is(Number(reply.getBigUint64(0)), 64 * MiB);
  t.not(reply.getUint16(8) & TransmissionFlag.HAS_FLAGS, 0);
  const read = await known.request({ type: Command.READ, cookie: 1n, offset: 0, lengthBytes: 64 });
  t.is(firstDifference(read.data!, filled(64, SNAPSHOT_PATTERN)), undefined);

  const unknown = await RawNbdClient.connect(port);
  await unknown.greet();
  unknown.sendOption(Option.EXPORT_NAME, new TextEncoder().encode('missing'));
  t.true(await unknown.waitClosed());
});

test('DISC ends the connection after answering what came before it, and the export is closed', async (t) => {
  const { port, backend } = await startServer(t);
  const client = await connected(port, 'disk');
  client.write(Buffer.concat([
    encodeRequest({ type: Command.WRITE, cookie: 1n, offset: 0, data: filled(4096, 8) }),
    encodeRequest({ type: Command.DISC, cookie: 2n }),
  ]));
  t.is((await client.readReplies(1)).get(1n)?.errno, 0);
  t.true(await client.waitClosed());
  await waitFor(() => backend.closed === 1, 'the export to be closed');
  t.is(firstDifference(await backend.readHead('disk', 0, 4096), filled(4096, 8)), undefined);

  const aborting = await RawNbdClient.connect(port);
  await aborting.greet();
  aborting.sendOption(Option.ABORT);
  t.like(await aborting.readOptionReply(), { option: Option.ABORT, type: Reply.ACK });
  t.true(await aborting.waitClosed());
});

test('close() answers requests in flight, then ends connections and releases exports', async (t) => {
  const { port, server, backend } = await startServer(t);
  const client = await connected(port, 'disk');
  const gate = new Gate();
  backend.gate = gate;
  client.sendRequest({ type: Command.READ, cookie: 1n, offset: 0, lengthBytes: 4096 });
  await waitFor(() => backend.held.size === 1, 'the read to be held');
  const closing = server.close();
  t.is(server.status, 'closing');
  gate.release();
  const replies = await client.readReplies(1, new Map([[1n, { offset: 0, lengthBytes: 4096 }]]));
  t.is(firstDifference(replies.get(1n)!.data!, filled(4096, SNAPSHOT_PATTERN)), undefined);
  t.true(await client.waitClosed());
  await closing;
  t.is(server.status, 'closed');
  t.is(backend.closed, backend.opened);
  await server.close();
});

test('close() destroys a connection whose requests do not finish within closeWaitMs', async (t) => {
  const { port, server, backend, logs } = await startServer(t, { closeWaitMs: 100 });
  const client = await connected(port, 'disk');
  const gate = new Gate();
  backend.gate = gate;
  client.sendRequest({ type: Command.WRITE, cookie: 1n, offset: 0, data: filled(4096, 1) });
  await waitFor(() => backend.held.size === 1, 'the write to be held');
  await server.close();
  t.true(await client.waitClosed());
  t.true(logs.some((entry) => /did not end in time/.test(entry.message)));
  // The export is released once the stuck call returns.
  gate.release();
  await waitFor(() => backend.closed === 1, 'the export to be closed');
});
