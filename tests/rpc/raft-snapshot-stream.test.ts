// A Raft snapshot crosses the wire in chunks and comes out whole and equal
// (rpc/raft-snapshot-stream.ts), whatever its size relative to the chunk size; and a
// receiver notices every way the stream can go wrong (a corrupted chunk by its CRC32C, a
// lost, repeated or reordered chunk by its offset, a truncated stream by the announced
// total, a chunk or snapshot over its limit) and says so with a coded error.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import type { Message } from '../../consensus/index.ts';
import { AssertionError, message, MessageType } from '../../consensus/index.ts';
import { crc32c } from '../../storage-engine/crc32c.ts';
import type { VstorErrorCode } from '../../rpc/errors.ts';
import { VstorError } from '../../rpc/errors.ts';
import { raftPeerService } from '../../rpc/proto.ts';
import { RaftSnapshotAssembler, raftSnapshotChunks } from '../../rpc/raft-snapshot-stream.ts';
import type { SnapshotChunk__Output } from '../../proto/gen/vstor/internal/SnapshotChunk.ts';
import { MessageGenerator } from './raft-messages.ts';

const { requestSerialize, requestDeserialize } = raftPeerService.SendSnapshot;
const limits = { snapshotBytesMax: 1 << 20, snapshotChunkBytes: 1024 };

function snapMessage(seed: number, dataBytes: number): Message {
  const generator = new MessageGenerator(seed);
  const data = new Uint8Array(dataBytes);
  for (let i = 0; i < dataBytes; i++) data[i] = generator.random.nextUint32() & 0xff;
  return message({ type: MessageType.Snap, to: 2, from: 1, term: 4, snapshot: { ...generator.raftSnapshot(), data } });
}

/** The chunks as the receiver gets them: serialized and parsed by gRPC's own functions. */
function sentChunks(sent: Message, chunkBytes = limits.snapshotChunkBytes): SnapshotChunk__Output[] {
  return [...raftSnapshotChunks('east', sent, chunkBytes)].map((chunk) => requestDeserialize(requestSerialize(chunk)));
}

function assemble(chunks: readonly unknown[]) {
  const assembler = new RaftSnapshotAssembler(limits);
  for (const chunk of chunks) assembler.push(chunk);
  return assembler.finish();
}

function assertRefused(t: ExecutionContext, run: () => unknown, code: VstorErrorCode, fragment: string): void {
  const error = t.throws(run, { instanceOf: VstorError });
  t.is(error?.code, code);
  t.true(error?.message.includes(fragment), `"${error?.message}" should mention "${fragment}"`);
}

test('CRC32C matches the RFC 3720 test vectors and can be computed in pieces', (t) => {
  t.is(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
  t.is(crc32c(new Uint8Array(32)), 0x8a9136aa);
  t.is(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  t.is(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
  t.is(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
  t.is(crc32c(new Uint8Array(0)), 0);
  const data = snapMessage(1, 1000).snapshot!.data;
  for (const split of [0, 1, 7, 8, 9, 500, 999, 1000]) {
    t.is(crc32c(data.subarray(split), crc32c(data.subarray(0, split))), crc32c(data), `split at ${split}`);
  }
});

test('snapshots of every size relative to the chunk size arrive whole and equal', (t) => {
  const chunkBytes = limits.snapshotChunkBytes;
  for (const size of [0, 1, chunkBytes - 1, chunkBytes, chunkBytes + 1, 10 * chunkBytes + 3]) {
    const sent = snapMessage(size, size);
    const chunks = sentChunks(sent);
    t.is(chunks.length, Math.max(1, Math.ceil(size / chunkBytes)), `${size} bytes`);
    t.true(chunks.every((chunk) => chunk.data.length <= chunkBytes));
    const received = assemble(chunks);
    t.is(received.clusterId, 'east');
    t.deepEqual(received.message, sent, `${size} bytes`);
  }
});

test('a corrupted chunk fails its CRC32C: DATA_LOSS', (t) => {
  const chunks = sentChunks(snapMessage(2, 5000));
  chunks[2]!.data[17]! ^= 0x40;
  assertRefused(t, () => assemble(chunks), 'DATA_LOSS', 'chunk 2 at offset 2048 fails its CRC32C');
});

test('a lost, repeated or reordered chunk is caught by its offset', (t) => {
  const chunks = sentChunks(snapMessage(3, 5000));
  assertRefused(t, () => assemble([chunks[0], chunks[2]]), 'INVALID_ARGUMENT', 'chunk 1 starts at offset 2048, expected 1024');
  assertRefused(t, () => assemble([chunks[0], chunks[1], chunks[1]]), 'INVALID_ARGUMENT', 'expected 2048');
  assertRefused(t, () => assemble([chunks[0], chunks[2], chunks[1]]), 'INVALID_ARGUMENT', 'offset 2048, expected 1024');
});

test('a truncated stream, an empty one, or one that runs past its total is refused', (t) => {
  const chunks = sentChunks(snapMessage(4, 5000));
  assertRefused(t, () => assemble(chunks.slice(0, -1)), 'INVALID_ARGUMENT', 'ended at byte 4096 of 5000');
  assertRefused(t, () => assemble([]), 'INVALID_ARGUMENT', 'no chunk received');
  const extra = { ...chunks[1]!, offset: 5000 };
  assertRefused(t, () => assemble([...chunks, extra]), 'INVALID_ARGUMENT', 'goes past the announced 5000 bytes');
});

test('limits: a chunk over snapshotChunkBytes, a snapshot over snapshotBytesMax', (t) => {
  const sent = snapMessage(5, 5000);
  assertRefused(t, () => assemble(sentChunks(sent, 2048)), 'INVALID_ARGUMENT', 'holds 2048 bytes, more than snapshotChunkBytes 1024');
  const small = new RaftSnapshotAssembler({ snapshotBytesMax: 4096, snapshotChunkBytes: 1024 });
  assertRefused(t, () => small.push(sentChunks(sent)[0]), 'INVALID_ARGUMENT', 'a snapshot of 5000 bytes is over snapshotBytesMax 4096');
});

test('the first chunk must carry a valid MsgSnap without data; later chunks no message', (t) => {
  const chunks = sentChunks(snapMessage(6, 3000));
  const app = requestDeserialize(requestSerialize({ clusterId: 'east', message: { type: 'MSG_APP', to: 2, from: 1 }, totalBytes: 0 }));
  assertRefused(t, () => assemble([app]), 'INVALID_ARGUMENT', 'chunk 0.message is MsgApp, not MsgSnap');
  assertRefused(t, () => assemble([{ ...chunks[0]!, message: null }]), 'INVALID_ARGUMENT', 'chunk 0.message: missing');
  assertRefused(t, () => assemble([chunks[0], { ...chunks[1]!, message: chunks[0]!.message }]), 'INVALID_ARGUMENT', 'chunk 1 repeats the message');
  const withData = { ...chunks[0]!, message: { ...chunks[0]!.message!, snapshot: { ...chunks[0]!.message!.snapshot!, data: Buffer.from('x') } } };
  assertRefused(t, () => assemble([withData]), 'INVALID_ARGUMENT', 'carries snapshot data');
  assertRefused(t, () => assemble([null]), 'INVALID_ARGUMENT', 'chunk 0 is missing');
});

test('sending anything but a MsgSnap in chunks, or with a bad chunk size, is a bug', (t) => {
  t.throws(() => [...raftSnapshotChunks('east', message({ type: MessageType.App, to: 2, from: 1 }), 1024)], { instanceOf: AssertionError });
  t.throws(() => [...raftSnapshotChunks('east', snapMessage(7, 10), 0)], { instanceOf: AssertionError });
  t.throws(() => new RaftSnapshotAssembler({ snapshotBytesMax: 0, snapshotChunkBytes: 1 }), { instanceOf: AssertionError });
});
