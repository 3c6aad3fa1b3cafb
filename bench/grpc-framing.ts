// What a call costs in grpc-js by its framing, on this machine: a unary call (a new HTTP/2
// stream per call: HEADERS, DATA, trailers) against one message each way on an open
// bidirectional stream, both echoing 256 bytes through a server in this process on
// loopback. The figure that matters is CPU per call (client and server together), which
// is why the client library carries KV calls on a Session stream (proto/vstor/v1/kv.proto).
//
//   npx tsx bench/grpc-framing.ts [--calls N]
import * as grpc from '@grpc/grpc-js';
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
  const row = (name: string, figures: Figures): string => `${name.padEnd(22)} p50 ${figures.p50Ms.toFixed(3)} ms  p99 ${figures.p99Ms.toFixed(3)} ms  CPU ${figures.cpuMsPerCall.toFixed(3)} ms per call`;
  console.log(`${calls} calls of 256 bytes each way, client and server in this process:`);
  console.log(row('unary call', unary));
  console.log(row('message on a stream', streamed));
  console.log(`a unary call costs ${(unary.cpuMsPerCall / streamed.cpuMsPerCall).toFixed(1)}x the CPU of a message on an open stream`);
} finally {
  client.close();
  server.forceShutdown();
}
