// What the peer hot path costs through proto-loader's dynamic path: encode (codec, then
// gRPC serialization) and decode (deserialization, then the checking codec) of a batch of
// 64 MsgApp with 256-byte entries, printed for the record and never asserted (timings
// belong to bench/, STYLE.md). The protobufjs lines separate the cost of the wire format
// itself from the cost of the object conversions proto-loader adds around it.
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import test from 'ava';
import type { Message } from '../../consensus/index.ts';
import { message, MessageType } from '../../consensus/index.ts';
import { raftPeerService } from '../../rpc/proto.ts';
import { decodeMessageBatch, encodeMessageBatch } from '../../rpc/raft-codec.ts';
import { protobufType } from './protobuf-types.ts';
import { MessageGenerator } from './raft-messages.ts';

const { requestSerialize, requestDeserialize } = raftPeerService.Send;
const iterations = 60;

function appBatch(entriesPerMessage: number): Message[] {
  const generator = new MessageGenerator(42);
  const payload = (): Uint8Array => {
    let data = generator.bytes(256);
    while (data.length < 256) data = generator.bytes(256);
    return data.slice();
  };
  return Array.from({ length: 64 }, (_, i) => message({
    type: MessageType.App, to: 2, from: 1, term: 7, logTerm: 7, index: 1000 + i * entriesPerMessage, commit: 990,
    entries: Array.from({ length: entriesPerMessage }, (_, j) => ({
      term: 7, index: 1001 + i * entriesPerMessage + j, type: 0 as const, data: payload(),
    })),
  }));
}

/** Microseconds per call of `run`, after a warm-up. */
function microseconds(run: () => unknown): number {
  for (let i = 0; i < 30; i++) run();
  const start = performance.now();
  for (let i = 0; i < iterations; i++) run();
  return ((performance.now() - start) * 1000) / iterations;
}

for (const entriesPerMessage of [1, 8]) {
  test(`codec cost: 64 MsgApp x ${entriesPerMessage} entry of 256 bytes (measured, not asserted)`, (t) => {
    const messages = appBatch(entriesPerMessage);
    const bytes = requestSerialize(encodeMessageBatch('vstor-local', messages));
    t.deepEqual(decodeMessageBatch(requestDeserialize(bytes)).messages, messages);

    const type = protobufType('vstor.internal.MessageBatch');
    const protobufMessage = type.fromObject(encodeMessageBatch('vstor-local', messages));
    const timings = {
      encode: microseconds(() => requestSerialize(encodeMessageBatch('vstor-local', messages))),
      decode: microseconds(() => decodeMessageBatch(requestDeserialize(bytes))),
      codecEncodeOnly: microseconds(() => encodeMessageBatch('vstor-local', messages)),
      codecDecodeOnly: ((proto) => microseconds(() => decodeMessageBatch(proto)))(requestDeserialize(bytes)),
      protobufEncodeOnly: microseconds(() => type.encode(protobufMessage).finish()),
      protobufDecodeOnly: microseconds(() => type.decode(bytes)),
    };
    const entries = 64 * entriesPerMessage;
    const fmt = (us: number) => `${us.toFixed(0)} µs`;
    t.log(`batch ${bytes.length} bytes, ${entries} entries; machine load ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`);
    t.log(`encode ${fmt(timings.encode)} (codec ${fmt(timings.codecEncodeOnly)}), decode ${fmt(timings.decode)} (codec ${fmt(timings.codecDecodeOnly)})`);
    t.log(`round trip ${fmt(timings.encode + timings.decode)} per batch = ${((timings.encode + timings.decode) / 64).toFixed(1)} µs per message, ` +
      `${Math.round((entries * 1e6) / (timings.encode + timings.decode)).toLocaleString('en')} entries/s on one core`);
    t.log(`protobufjs wire format alone: encode ${fmt(timings.protobufEncodeOnly)}, decode ${fmt(timings.protobufDecodeOnly)}`);
  });
}
