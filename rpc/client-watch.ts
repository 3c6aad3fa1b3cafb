// A watch as the client library hands it out: an async iterable of batches, one per
// revision, that survives the loss of the member serving it.
//
// Every response carries the revision it reports, and a revision's events always come in
// one response, so after revision r the watch can resume exactly from r + 1 on another
// member: no event missed, none twice. The stream opens with an empty response (the
// server's "watch created", with the revision it starts after), which is what watch()
// waits for, so that writes made after it resolves are seen.
//
// A watch resumes on the errors a retry can fix (the member went away, shut down, or
// cancelled the watcher because this consumer fell behind, see rpc/watch-stream.ts), at
// most `retries` times in a row; any response received resets the count. Other errors
// (COMPACTED: the revision to resume from is gone) end the iteration with the error.
//
// Memory is bounded: at most BUFFERED_BATCHES_MAX responses wait for the consumer; beyond
// that the stream is paused and gRPC flow control holds the server back.
import type { ClientReadableStream, ServiceError, StatusObject } from '@grpc/grpc-js';
import { status as grpcStatus } from '@grpc/grpc-js';
import type { Event__Output } from '../proto/gen/vstor/v1/Event.ts';
import type { WatchRequest } from '../proto/gen/vstor/v1/WatchRequest.ts';
import type { WatchResponse__Output } from '../proto/gen/vstor/v1/WatchResponse.ts';
import type { Endpoint, EndpointPool } from './client-endpoints.ts';
import type { RetryPolicy } from './client-retry.ts';
import { backoffDelayMs, retryActionFor } from './client-retry.ts';
import { fromServiceError, VstorError } from './errors.ts';

/** The changes of one revision, or (no events) a progress report up to that revision. */
export interface WatchBatch {
  revision: number;
  events: Event__Output[];
}

const BUFFERED_BATCHES_MAX = 64;

export interface WatchStarter {
  endpoints: EndpointPool;
  policy: RetryPolicy;
  /** How long a member may take to confirm a new watch. */
  openTimeoutMs: number;
  /** The request to send when (re)starting from `startRevision` (0: from now). */
  request: (startRevision: number) => WatchRequest;
  progressNotify: boolean;
  /** Called once when the watch has ended, for whatever reason. */
  onFinished: () => void;
}

export class VstorWatch implements AsyncIterableIterator<WatchBatch> {
  /** The revision the watch started after, once started. */
  startedAfterRevision = 0;
  private readonly started: Promise<void>;
  private resolveStarted!: () => void;
  private rejectStarted!: (error: VstorError) => void;
  private isStarted = false;

  private stream: ClientReadableStream<WatchResponse__Output> | undefined;
  private endpoint: Endpoint;
  /** The revision to resume from; 0 until the first response says where the watch starts. */
  private nextRevision: number;
  private confirmed = false;
  private failuresInRow = 0;
  private openTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  private readonly buffered: WatchBatch[] = [];
  private finished = false;
  private failure: VstorError | undefined;
  private waiting: { resolve: (result: IteratorResult<WatchBatch>) => void; reject: (error: VstorError) => void } | undefined;

  constructor(
    private readonly starter: WatchStarter,
    startRevision: number,
  ) {
    this.nextRevision = startRevision;
    this.endpoint = starter.endpoints.current();
    this.started = new Promise<void>((resolve, reject) => {
      this.resolveStarted = resolve;
      this.rejectStarted = reject;
    });
    // A rejection nobody awaits (the watch was cancelled at once) is not an error.
    this.started.catch(() => {});
    this.open();
  }

  /** Resolves once a member confirmed the watch; rejects if none could. */
  ready(): Promise<void> {
    return this.started;
  }

  /** Stops the watch; iteration ends after nothing more. Safe twice. */
  cancel(): void {
    if (this.finished) return;
    this.buffered.length = 0;
    this.finish(undefined);
  }

  next(): Promise<IteratorResult<WatchBatch>> {
    if (this.waiting !== undefined) return Promise.reject(new VstorError('INVALID_ARGUMENT', 'watch: next() called again before the previous call settled'));
    const ready = this.take();
    if (ready !== undefined) return ready;
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<WatchBatch>> {
    this.cancel();
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private open(): void {
    this.confirmed = false;
    const stream = this.endpoint.kv.Watch(this.starter.request(this.nextRevision));
    this.stream = stream;
    let endStatus: StatusObject | undefined;
    let ended = false;
    const settle = (): void => {
      if (this.stream !== stream || endStatus === undefined || !ended) return;
      this.onStreamEnd(endStatus);
    };
    stream.on('data', (response: WatchResponse__Output) => this.onResponse(stream, response));
    // The status says how the call ended; 'end' comes once every response was read.
    stream.on('status', (status: StatusObject) => {
      endStatus = status;
      settle();
    });
    stream.on('end', () => {
      ended = true;
      settle();
    });
    stream.on('error', (error: ServiceError) => {
      // Reported through 'status'; a failure before any status (none is known) still ends.
      if (endStatus === undefined) endStatus = { code: error.code, details: error.details, metadata: error.metadata };
      ended = true;
      settle();
    });
    this.openTimer = setTimeout(() => {
      if (this.stream === stream && !this.confirmed) {
        this.retryAfter(new VstorError('DEADLINE_EXCEEDED', `${this.endpoint.address} did not confirm the watch within ${this.starter.openTimeoutMs} ms`));
      }
    }, this.starter.openTimeoutMs);
  }

  private onResponse(stream: ClientReadableStream<WatchResponse__Output>, response: WatchResponse__Output): void {
    if (this.stream !== stream || this.finished) return;
    const revision = response.header?.revision ?? 0;
    this.failuresInRow = 0;
    if (!this.confirmed) {
      // The server's first response says where the watch starts; it reports nothing.
      this.confirmed = true;
      clearTimeout(this.openTimer);
      this.nextRevision = revision + 1;
      if (!this.isStarted) {
        this.isStarted = true;
        this.startedAfterRevision = revision;
        this.resolveStarted();
      }
      return;
    }
    this.nextRevision = revision + 1;
    if (response.events.length === 0 && !this.starter.progressNotify) return;
    this.buffered.push({ revision, events: response.events });
    if (this.buffered.length >= BUFFERED_BATCHES_MAX) stream.pause();
    this.wake();
  }

  private onStreamEnd(status: StatusObject): void {
    if (this.finished) return;
    this.stream = undefined;
    clearTimeout(this.openTimer);
    if (status.code === grpcStatus.OK) {
      // The server ended the watch without an error: nothing more will come.
      this.finish(undefined);
      return;
    }
    this.retryAfter(fromServiceError(Object.assign(new Error(status.details), status)));
  }

  private retryAfter(error: VstorError): void {
    const stream = this.stream;
    this.stream = undefined;
    stream?.cancel();
    clearTimeout(this.openTimer);
    const action = retryActionFor(error);
    if (action.kind === 'fail' || this.failuresInRow >= this.starter.policy.retries) {
      this.finish(error);
      return;
    }
    this.failuresInRow++;
    this.endpoint = action.kind === 'leader'
      ? this.starter.endpoints.endpointFor(action.address, true)
      : action.kind === 'next' ? this.starter.endpoints.advance() : this.endpoint;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.finished) this.open();
    }, backoffDelayMs(this.starter.policy, this.failuresInRow - 1));
  }

  private finish(error: VstorError | undefined): void {
    if (this.finished) return;
    this.finished = true;
    this.failure = error;
    clearTimeout(this.openTimer);
    clearTimeout(this.retryTimer);
    const stream = this.stream;
    this.stream = undefined;
    stream?.cancel();
    if (!this.isStarted) {
      this.isStarted = true;
      this.rejectStarted(error ?? new VstorError('CANCELLED', 'the watch was cancelled before it started'));
    }
    this.starter.onFinished();
    this.wake();
  }

  private take(): Promise<IteratorResult<WatchBatch>> | undefined {
    const batch = this.buffered.shift();
    if (batch !== undefined) {
      if (this.buffered.length < BUFFERED_BATCHES_MAX / 2 && this.stream?.isPaused() === true) this.stream.resume();
      return Promise.resolve({ done: false, value: batch });
    }
    if (!this.finished) return undefined;
    const failure = this.failure;
    if (failure !== undefined) {
      // Reported once; after it the iteration is simply done.
      this.failure = undefined;
      return Promise.reject(failure);
    }
    return Promise.resolve({ done: true, value: undefined });
  }

  private wake(): void {
    const waiting = this.waiting;
    if (waiting === undefined) return;
    const ready = this.take();
    if (ready === undefined) return;
    this.waiting = undefined;
    ready.then(waiting.resolve, waiting.reject);
  }
}
