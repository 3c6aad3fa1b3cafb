// One Watch call: a model Watcher pumped into a gRPC server stream.
//
// The stream opens with an empty response whose header revision is the last revision the
// watcher will not report (its start revision minus one), so that a client knows the
// watch exists before it makes the writes it wants to see. Then come the events, one
// response per revision. With progress_notify, an empty response follows from time to time
// while the watcher is idle, with the revision it has seen everything up to.
//
// Back-pressure: the pump takes events from the watcher only while the stream accepts
// them. A client that does not read makes the stream full, the pump waits for 'drain', the
// watcher's queue grows, and the model cancels the watcher once it passes
// watcherQueueEventsMax; the client then gets RESOURCE_EXHAUSTED and may watch again from
// the revision after the last it saw. Nothing grows without bound on the server.
//
// One response per revision: a watcher catching up from history reads it in pages, and a
// page may end inside a revision (a range delete of many keys). The events of the last
// revision of a batch are held back until that revision is known to be complete: a later
// event arrived, or the watcher moved past the revision with nothing more queued. The
// watcher moves past a revision without waking its consumer when the next page is empty,
// so while events are held back the pump also looks again every HOLD_CHECK_MS.
//
// Endings: the client cancelling the call cancels the watcher and the pump stops writing;
// a watcher the model ends (too slow, history compacted, model closing) or stop() ends
// the stream with that error's status once the events before it are sent.
import type { ServerWritableStream } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import type { ResponseHeader } from '../proto/gen/vstor/v1/ResponseHeader.ts';
import type { WatchRequest__Output } from '../proto/gen/vstor/v1/WatchRequest.ts';
import type { WatchResponse } from '../proto/gen/vstor/v1/WatchResponse.ts';
import type { WatchEvent, Watcher } from '../storage-engine/model/index.ts';
import type { VstorError } from './errors.ts';
import { errorStatusOf } from './handler.ts';
import { watchResponsesToWire } from './kv-responses.ts';

/** How often held-back events are checked for completeness (see above). */
const HOLD_CHECK_MS = 5;

export type WatchCall = ServerWritableStream<WatchRequest__Output, WatchResponse>;

export interface WatchStreamOptions {
  /** How often an idle watcher with progress_notify reports its revision; undefined: never. */
  progressIntervalMs: number | undefined;
  header: (revision: number) => ResponseHeader;
}

export class WatchStream {
  private cancelled = false;
  /** Resolves a pump waiting for 'drain' (or for the call to end). */
  private wakePump: (() => void) | undefined;
  /** Events taken from the watcher and not yet all written. */
  private holding = false;
  /** The last write found the stream's buffer full, and 'drain' has not come since. */
  private full = false;

  constructor(
    private readonly call: WatchCall,
    private readonly watcher: Watcher,
    private readonly options: WatchStreamOptions,
  ) {}

  /** Ends the watch with `reason` as its status, after the events queued before it. */
  stop(reason: VstorError): void {
    this.watcher.end(reason);
  }

  /** Pumps until the watch ends; resolves with the status the call ended with. */
  async run(): Promise<status> {
    const onCancelled = (): void => {
      this.cancelled = true;
      this.watcher.cancel();
      this.wake();
    };
    const onDrain = (): void => {
      this.full = false;
      this.wake();
    };
    this.call.on('cancelled', onCancelled);
    this.call.on('drain', onDrain);
    const progressTimer = this.options.progressIntervalMs === undefined
      ? undefined
      : setInterval(() => this.notifyProgress(), this.options.progressIntervalMs);
    progressTimer?.unref();
    try {
      await this.write({ header: this.options.header(this.seenRevision()), events: [] });
      let heldBack: WatchEvent[] = [];
      let next = this.watcher.next();
      while (!this.cancelled) {
        const step = heldBack.length === 0 ? await next : await Promise.race([next, delay(HOLD_CHECK_MS)]);
        if (step !== undefined && step.done === true) break;
        // The events taken now, after those held back; none when the check timer fired.
        const taken = step === undefined ? heldBack : heldBack.concat(step.value);
        this.holding = true;
        const completeCount = this.completeEventCount(taken);
        heldBack = taken.slice(completeCount);
        for (const response of watchResponsesToWire(taken.slice(0, completeCount), this.options.header)) {
          if (this.cancelled) break;
          await this.write(response);
        }
        this.holding = heldBack.length > 0;
        // Ask for more only once what was taken is written: that is the back-pressure.
        if (step !== undefined) next = this.watcher.next();
      }
      if (this.cancelled) return status.CANCELLED;
      this.call.end();
      return status.OK;
    } catch (error) {
      if (this.cancelled) return status.CANCELLED;
      const errorStatus = errorStatusOf(error);
      this.call.emit('error', errorStatus);
      return errorStatus.code;
    } finally {
      clearInterval(progressTimer);
      this.call.off('cancelled', onCancelled);
      this.call.off('drain', onDrain);
      this.watcher.cancel();
    }
  }

  /** How many of `events` (in revision order, at least one) belong to revisions known to
   * be complete. */
  private completeEventCount(events: readonly WatchEvent[]): number {
    const lastRevision = events[events.length - 1]!.kv.modRevision;
    if (this.watcher.queuedEventCount === 0 && this.watcher.position.revision > lastRevision) return events.length;
    let count = events.length;
    while (count > 0 && events[count - 1]!.kv.modRevision === lastRevision) count--;
    return count;
  }

  /** The last revision the watcher has nothing more to report for. */
  private seenRevision(): number {
    return this.watcher.position.revision - 1;
  }

  /** Writes one response; waits while the stream is full. */
  private async write(response: WatchResponse): Promise<void> {
    if (this.call.write(response)) return;
    this.full = true;
    if (this.cancelled) return;
    await new Promise<void>((resolve) => {
      this.wakePump = resolve;
    });
  }

  private wake(): void {
    const wake = this.wakePump;
    this.wakePump = undefined;
    wake?.();
  }

  /**
   * Reports the watcher's revision if it has nothing pending: no events in its queue, none
   * taken and not yet written, and room in the stream. (Events the model offers move to
   * the pump in microtasks, which all run before a timer fires, so "nothing pending" here
   * means the client has been sent every event up to that revision.)
   */
  private notifyProgress(): void {
    if (this.cancelled || this.holding || this.full || !this.watcher.active) return;
    if (this.watcher.queuedEventCount > 0) return;
    if (!this.call.write({ header: this.options.header(this.seenRevision()), events: [] })) this.full = true;
  }
}

/** Resolves with undefined after `ms`. */
function delay(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms));
}
