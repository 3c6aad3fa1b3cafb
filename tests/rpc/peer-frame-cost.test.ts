// What the peer hot path costs in codec time: a frame of 64 MsgApp with 256-byte entries
// encoded and decoded by the binary codec of the peer stream (rpc/peer-frame.ts), beside
// the same messages through proto-loader's path (object conversion, then protobufjs), which
// carried them before. Printed for the record and never asserted: timings belong to bench/
// (STYLE.md); what is asserted is that both paths give back the messages sent.
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import test from 'ava';
import type { Message } from '../../consensus/index.ts';
import { message, MessageType } from '../../consensus/index.ts';
import { decodeFrameBody, encodeFrame, FRAME_HEADER_BYTES } from '../../rpc/peer-frame.ts';
import { loaderOptions } from '../../rpc/proto-files.ts';
import { decodeMessage, encodeMessage } from '../../rpc/raft-codec.ts';
import { protobufType } from './protobuf-types.ts';
import { MessageGenerator } from './raft-messages.ts';

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
  for (let i = 0; i < 300; i++) run();
  const start = performance.now();
  for (let i = 0; i < iterations; i++) run();
  return ((performance.now() - start) * 1000) / iterations;
}

for (const entriesPerMessage of [1, 8]) {
  test(`codec cost: 64 MsgApp x ${entriesPerMessage} entry of 256 bytes (measured, not asserted)`, (t) => {
    const messages = appBatch(entriesPerMessage);
    const frame = encodeFrame(messages);
    const body = frame.subarray(FRAME_HEADER_BYTES);
    t.deepEqual(decodeFrameBody(body), messages);

    const type = protobufType('vstor.internal.Message');
    const protoEncode = (): Uint8Array[] => messages.map((sent) => type.encode(type.fromObject({ ...encodeMessage(sent) })).finish());
    const protoBytes = protoEncode();
    const protoDecode = (): Message[] => protoBytes.map((bytes) => decodeMessage(type.toObject(type.decode(bytes), loaderOptions)));
    t.deepEqual(protoDecode(), messages);

    const timings = {
      encode: microseconds(() => encodeFrame(messages)),
      decode: microseconds(() => decodeFrameBody(body)),
      protoEncode: microseconds(protoEncode),
      protoDecode: microseconds(protoDecode),
    };
    const entries = 64 * entriesPerMessage;
    const fmt = (us: number) => `${us.toFixed(0)} µs`;
    t.log(`frame ${frame.length} bytes, ${entries} entries; machine load ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`);
    t.log(`peer frame codec: encode ${fmt(timings.encode)}, decode ${fmt(timings.decode)}, ` +
      `${((timings.encode + timings.decode) / 64).toFixed(2)} µs per message round trip`);
    t.log(`proto-loader path: encode ${fmt(timings.protoEncode)}, decode ${fmt(timings.protoDecode)}, ` +
      `${((timings.protoEncode + timings.protoDecode) / 64).toFixed(2)} µs per message round trip`);
  });
}
