// Shared set-up for the tests of the public services: a real grpc-js server (rpc/server.ts)
// on 127.0.0.1 with an OS-assigned port in front of a fake node, stopped when the test ends;
// clients closed when the test ends; an observer that records; and a bound on every wait.
import * as grpc from '@grpc/grpc-js';
import type { ExecutionContext } from 'ava';
import type { VstorClientOptions } from '../../rpc/client.ts';
import { VstorClient } from '../../rpc/client.ts';
import { HealthService } from '../../rpc/health.ts';
import type { KvOperation, RpcCallRecord, RpcObserver } from '../../rpc/observer.ts';
import type { GrpcServerOptions , GrpcServer } from '../../rpc/server.ts';
import { createGrpcServer } from '../../rpc/server.ts';
import type { Message } from '../../consensus/index.ts';
import type { FakeNode } from './fake-node.ts';

export const waitMs = 5_000;

export const deadline = (): Date => new Date(Date.now() + waitMs);

/** Rejects if `promise` has not settled within waitMs, so no test can hang. */
export function bounded<T>(promise: Promise<T>, what: string, ms = waitMs): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls `condition` until it holds, for at most waitMs. */
export async function eventually(condition: () => boolean, what: string): Promise<void> {
  const giveUpAt = Date.now() + waitMs;
  while (!condition()) {
    if (Date.now() > giveUpAt) throw new Error(`${what}: not within ${waitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export class RecordingObserver implements RpcObserver {
  readonly calls: RpcCallRecord[] = [];
  readonly operations: KvOperation[] = [];

  callFinished(record: RpcCallRecord): void {
    this.calls.push(record);
  }

  kvOperation(operation: KvOperation): void {
    this.operations.push(operation);
  }

  /** "method code" of every finished call, in order. */
  get outcomes(): string[] {
    return this.calls.map((call) => `${call.method} ${call.code}`);
  }
}

export interface Served {
  address: string;
  server: GrpcServer;
  health: HealthService;
  observer: RecordingObserver;
  peerSnapshots: Message[];
}

/** Serves `node` on 127.0.0.1 until the test ends. */
export async function serve(t: ExecutionContext, node: FakeNode, options: Partial<GrpcServerOptions> = {}): Promise<Served> {
  const observer = new RecordingObserver();
  const health = new HealthService({ watchersMax: 4 });
  const peerSnapshots: Message[] = [];
  const server = createGrpcServer({
    node,
    raftPeer: {
      clusterId: node.clusterId,
      memberId: node.raftId,
      snapshotLimits: { snapshotBytesMax: 1 << 20, snapshotChunkBytes: 4096 },
      receiveMessages: () => {},
      receiveSnapshot: (snapshot) => {
        peerSnapshots.push(snapshot);
      },
    },
    health,
    observer,
    // The edge checks the limits of the model it fronts, as the daemon must arrange.
    modelLimits: node.shared.model.config,
    requestBytesMax: 1 << 20,
    peerMessageBytesMax: 4 << 20,
    shutdownGraceMs: 1_000,
    ...options,
  });
  t.teardown(() => server.close());
  const port = await bounded(server.listen('127.0.0.1', 0), 'listen');
  health.setStatus('', 'SERVING');
  return { address: `127.0.0.1:${port}`, server, health, observer, peerSnapshots };
}

/** A VstorClient with quick retries, closed when the test ends. An attempt may take the
 * whole call's time, so that a slow machine causes no retries the test did not ask for. */
export function connect(t: ExecutionContext, endpoints: string[], options: Partial<VstorClientOptions> = {}): VstorClient {
  const client = new VstorClient({ endpoints, timeoutMs: waitMs, attemptTimeoutMs: waitMs, backoffMsMin: 5, backoffMsMax: 50, ...options });
  t.teardown(() => client.close());
  return client;
}

/** A raw generated client, for requests the library would never send. */
export function rawClient<C extends grpc.Client>(t: ExecutionContext, Client: new (address: string, credentials: grpc.ChannelCredentials) => C, address: string): C {
  const client = new Client(address, grpc.credentials.createInsecure());
  t.teardown(() => client.close());
  return client;
}

/** A unary call of a raw client as a promise; rejects with the ServiceError. */
export function unary<Response>(start: (callback: (error: grpc.ServiceError | null, response?: Response) => void) => unknown): Promise<Response> {
  return bounded(new Promise<Response>((resolve, reject) => {
    start((error, response) => {
      if (error === null) resolve(response!);
      else reject(error);
    });
  }), 'unary call');
}

/** A raw Session stream (KV's or VDisks'): answers queued by arrival, the final status. */
export function sessionOf<Request, Answer extends { callId: number }>(t: ExecutionContext, stream: grpc.ClientDuplexStream<Request, Answer>) {
  const answers: Answer[] = [];
  let ended: grpc.StatusObject | undefined;
  stream.on('data', (answer: Answer) => answers.push(answer));
  stream.on('error', () => {});
  stream.on('status', (status: grpc.StatusObject) => {
    ended = status;
  });
  t.teardown(() => stream.cancel());
  return {
    send: (request: Request) => stream.write(request),
    end: () => stream.end(),
    answers,
    /** The answer to `callId`, once it has come. */
    answer: async (callId: number): Promise<Answer> => {
      await eventually(() => answers.some((answer) => answer.callId === callId), `the answer to call ${callId}`);
      return answers.find((answer) => answer.callId === callId)!;
    },
    status: async (): Promise<grpc.StatusObject> => {
      await eventually(() => ended !== undefined, 'the end of the session');
      return ended!;
    },
  };
}
