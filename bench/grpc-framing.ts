// What a call costs in grpc-js by its framing, on this machine: a unary call (a new HTTP/2
// stream per call: HEADERS, DATA, trailers) against one message each way on an open
// bidirectional stream, both echoing 256 bytes through a server in this process on
// loopback. The figure that matters is CPU per call (client and server together), which
// is why the client library carries KV calls on a Session stream (proto/vstor/v1/kv.proto).
//
// Two more rows show what the Raft peer stream costs since it left gRPC (daemon/peer-*.ts):
// 256 bytes each way as length-prefixed frames on a plain TCP socket, and the real thing, a
// MsgApp with a 256-byte entry encoded by rpc/peer-frame.ts and read by a PeerStreamReader,
// answered by a MsgAppResp read the same way.
//
//   npx tsx bench/grpc-framing.ts [--calls N]
import { connect, createServer } from 'node:net';
import type { Socket } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type { Message } from '../consensus/index.ts';
import { EntryType, message, MessageType } from '../consensus/index.ts';
import { encodeFrame, encodeHandshake } from '../rpc/peer-frame.ts';
import { PeerStreamReader } from '../rpc/peer-stream-reader.ts';
import { percentile } from './load.ts';

const identity = (bytes: Buffer): Buffer => bytes;
const definition = {
  Echo: { path: '/bench.Echo/Echo', requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity },
  Chat: { path: '/bench.Echo/Chat', requestStream: true, responseStream: true, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity },
} satisfies grpc.ServiceDefinition;

interface Figures {
  p50Ms: number;
  p99Ms: number;
  cpuMsPerCall: number;
}

async function measure(calls: number, call: () => Promise<unknown>): Promise<Figures> {
  for (let i = 0; i < Math.min(500, calls); i++) await call();
  const latencies = new Float64Array(calls);
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await call();
    latencies[i] = performance.now() - started;
  }
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort();
  return { p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), cpuMsPerCall: (cpu.user + cpu.system) / 1000 / calls };
}

const callsArgument = process.argv.indexOf('--calls');
const calls = callsArgument > 0 ? Number(process.argv[callsArgument + 1]) : 3000;
if (!Number.isSafeInteger(calls) || calls < 1) throw new Error(`--calls: a positive integer, got ${process.argv[callsArgument + 1]}`);

const server = new grpc.Server();
server.addService(definition, {
  Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => callback(null, call.request),
  Chat: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
    call.on('data', (message: Buffer) => call.write(message));
    call.on('end', () => call.end());
  },
});
const port = await new Promise<number>((resolve, reject) => {
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error)));
});
const Client = grpc.makeGenericClientConstructor(definition, 'Echo');
const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
  Echo(request: Buffer, callback: (error: grpc.ServiceError | null, response?: Buffer) => void): void;
  Chat(): grpc.ClientDuplexStream<Buffer, Buffer>;
};
const payload = Buffer.alloc(256, 0x61);

/** Calls `onFrame` with the body of each length-prefixed frame `socket` receives. */
function readFrames(socket: Socket, onFrame: (body: Buffer) => void): void {
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readUInt32BE(0)) {
      const length = pending.readUInt32BE(0);
      onFrame(pending.subarray(4, 4 + length));
      pending = pending.subarray(4 + length);
    }
  });
}

function framed(body: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

const tcpServer = createServer((socket) => {
  socket.setNoDelay(true);
  let raft: PeerStreamReader | undefined;
  socket.once('data', (first: Buffer) => {
    if (first[0] === 0x56) {
      // A peer stream: answer every MsgApp with its MsgAppResp, as a follower would.
      raft = new PeerStreamReader({
        clusterId: 'bench', memberId: 2, frameBytesMax: 1 << 20,
        onBatch: (messages) => socket.write(encodeFrame(messages.map((app) => message({ type: MessageType.AppResp, to: 1, from: 2, term: app.term, index: app.index + 1 })))),
      });
      raft.push(first);
      socket.on('data', (chunk: Buffer) => raft!.push(chunk));
    } else {
      socket.unshift(first);
      readFrames(socket, (body) => socket.write(framed(body)));
    }
  });
});
await new Promise<void>((resolve) => tcpServer.listen(0, '127.0.0.1', resolve));
const tcpPort = (tcpServer.address() as { port: number }).port;
const openSocket = (): Promise<Socket> => new Promise((resolve) => {
  const socket = connect({ host: '127.0.0.1', port: tcpPort, noDelay: true }, () => resolve(socket));
});
const sockets: Socket[] = [];
try {
  const unary = await measure(calls, () => new Promise((resolve, reject) => client.Echo(payload, (error, response) => (error === null ? resolve(response) : reject(error)))));
  const stream = client.Chat();
  // The stream ends with the process (CANCELLED when the server is shut down under it).
  stream.on('error', () => {});
  let answer: ((message: Buffer) => void) | undefined;
  stream.on('data', (message: Buffer) => answer?.(message));
  const streamed = await measure(calls, () => new Promise((resolve) => {
    answer = resolve;
    stream.write(payload);
  }));
  stream.end();

  const plain = await openSocket();
  sockets.push(plain);
  let echoed: (() => void) | undefined;
  readFrames(plain, () => echoed?.());
  const plainFrame = framed(payload);
  const tcpFramed = await measure(calls, () => new Promise<void>((resolve) => {
    echoed = resolve;
    plain.write(plainFrame);
  }));

  const peer = await openSocket();
  sockets.push(peer);
  peer.write(encodeHandshake({ clusterId: 'bench', from: 1, to: 2 }));
  let answered: ((messages: Message[]) => void) | undefined;
  const responses = new PeerStreamReader({ clusterId: 'bench', memberId: 1, frameBytesMax: 1 << 20, onBatch: (messages) => answered?.(messages) });
  // The answers come on the same socket, without a handshake of their own (in a cluster
  // they would come on the follower's own connection): the reader is primed with one.
  responses.push(encodeHandshake({ clusterId: 'bench', from: 2, to: 1 }));
  peer.on('data', (chunk: Buffer) => responses.push(chunk));
  let index = 0;
  const raftFramed = await measure(calls, () => new Promise<Message[]>((resolve) => {
    answered = resolve;
    index++;
    peer.write(encodeFrame([message({ type: MessageType.App, to: 2, from: 1, term: 3, logTerm: 3, index, commit: index,
      entries: [{ term: 3, index: index + 1, type: EntryType.Normal, data: payload }] })]));
  }));

  const row = (name: string, figures: Figures): string => `${name.padEnd(32)} p50 ${figures.p50Ms.toFixed(3)} ms  p99 ${figures.p99Ms.toFixed(3)} ms  CPU ${figures.cpuMsPerCall.toFixed(3)} ms per call`;
  console.log(`${calls} calls of 256 bytes each way, client and server in this process:`);
  console.log(row('unary call', unary));
  console.log(row('message on a stream', streamed));
  console.log(row('frame on a TCP socket', tcpFramed));
  console.log(row('Raft peer frame on a TCP socket', raftFramed));
  console.log(`a unary call costs ${(unary.cpuMsPerCall / streamed.cpuMsPerCall).toFixed(1)}x the CPU of a message on an open stream`);
  console.log(`a message on a grpc-js stream costs ${(streamed.cpuMsPerCall / raftFramed.cpuMsPerCall).toFixed(1)}x the CPU of a Raft peer frame on a TCP socket`);
} finally {
  client.close();
  server.forceShutdown();
  for (const socket of sockets) socket.destroy();
  tcpServer.close();
}
