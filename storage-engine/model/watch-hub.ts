// Watchers on a key or a range, fed by the state machine after each batch commits. A
// watcher receives every change in its range from its start revision on, in revision
// order, none missed and none twice.
//
// A watcher is either synced, taking events as they are published, or catching up,
// reading the persisted history page by page until it reaches the last published
// revision. Its position (revision, subIndex) of the next event it wants is what makes the
// hand-over exact: an event is delivered only at or after the position, and the position
// only moves forward, so a revision both read from history and published is delivered once.
//
// Memory is bounded: a synced watcher whose consumer leaves more than
// watcherQueueEventsMax events unread is cancelled with RESOURCE_EXHAUSTED (it may watch
// again from the revision after the last one it saw); a catching-up watcher reads a page
// only when its queue has room, so it is paced by its consumer instead.

import { validateKey, validateRangeEnd } from './commands.ts';
import type { ModelConfig } from './config.ts';
import { invalidArgument, VstorError } from './errors.ts';
import type { EventPosition, PositionedEvent, WatchEvent } from './events.ts';
import { comparePositions } from './events.ts';
import { KeyRange } from './key-range.ts';

export interface WatchRequest {
  key: Uint8Array;
  /** See key-range.ts. Not together with `prefix`. */
  rangeEnd?: Uint8Array;
  /** Every key that starts with `key`. */
  prefix?: boolean;
  /** The first revision to deliver. Absent or 0: the revision after the current one. */
  startRevision?: number;
  /** Deliver each event's previous key-value. */
  prevKv?: boolean;
  /** Leave out events on keys that start with these bytes (non-empty): how the daemon keeps
   * its own records out of a user's watch over a range that covers them, as it keeps them
   * out of a user's range read. */
  excludePrefix?: Uint8Array;
}

/** A page of history, read from one consistent image of the model. */
export interface HistoryPage {
  /** Events at or after the requested position, in order, at most the number asked. */
  events: PositionedEvent[];
  /** The model's revision in that image. */
  revision: number;
  /** The oldest revision whose events were all retained in that image. */
  historyStartRevision: number;
}

export interface HistorySource {
  readHistory(from: EventPosition, eventsMax: number): Promise<HistoryPage>;
}

export type WatchHubLimits = Pick<ModelConfig, 'keyBytesMax' | 'watcherQueueEventsMax' | 'watchersMax'>;

/** The most events one catch-up read asks for. */
const HISTORY_PAGE_EVENTS_MAX = 512;

export class WatchHub {
  private readonly watchers = new Set<Watcher>();
  private nextWatcherId = 1;
  private closed = false;
  /** Changes when the model is replaced, so that a page read before is not used after. */
  private imageEpoch = 0;

  constructor(
    private readonly history: HistorySource,
    private readonly limits: WatchHubLimits,
    private publishedRevision: number,
    private historyStartRevision: number,
  ) {}

  get watcherCount(): number {
    return this.watchers.size;
  }

  get revision(): number {
    return this.publishedRevision;
  }

  watch(request: WatchRequest): Watcher {
    if (this.closed) throw new VstorError('UNAVAILABLE', 'the model is closed');
    const range = this.validate(request);
    if (this.watchers.size >= this.limits.watchersMax) {
      throw new VstorError('RESOURCE_EXHAUSTED', `watchersMax (${this.limits.watchersMax}) watchers already exist`);
    }
    const startRevision = request.startRevision ?? 0;
    if (startRevision !== 0 && startRevision <= this.publishedRevision && startRevision < this.historyStartRevision) {
      throw this.compacted(startRevision);
    }
    const position = { revision: startRevision === 0 ? this.publishedRevision + 1 : startRevision, subIndex: 0 };
    const excluded = request.excludePrefix === undefined ? undefined : KeyRange.prefix(request.excludePrefix);
    const watcher = new Watcher(this, this.nextWatcherId++, range, request.prevKv === true, position, excluded);
    this.watchers.add(watcher);
    if (position.revision <= this.publishedRevision) void this.catchUp(watcher);
    return watcher;
  }

  /** Hands the events of a committed revision to every synced watcher. */
  publish(revision: number, events: readonly PositionedEvent[], historyStartRevision: number): void {
    this.publishedRevision = revision;
    this.historyStartRevision = historyStartRevision;
    for (const watcher of this.watchers) {
      if (watcher.synced) watcher.offer(events, { revision: revision + 1, subIndex: 0 }, this.limits.watcherQueueEventsMax);
    }
  }

  /** The model was replaced by a restored image: every watcher catches up from it. */
  reset(revision: number, historyStartRevision: number): void {
    this.imageEpoch++;
    this.publishedRevision = revision;
    this.historyStartRevision = historyStartRevision;
    for (const watcher of this.watchers) {
      watcher.synced = false;
      void this.catchUp(watcher);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const watcher of [...this.watchers]) watcher.end(new VstorError('UNAVAILABLE', 'the model is closing'));
  }

  /** Called by a watcher when it ends, for whatever reason. */
  forget(watcher: Watcher): void {
    this.watchers.delete(watcher);
  }

  /** Called by a watcher whose consumer made room while it was catching up. */
  resume(watcher: Watcher): void {
    void this.catchUp(watcher);
  }

  private validate(request: WatchRequest): KeyRange {
    if (typeof request !== 'object' || request === null) throw invalidArgument('request', 'must be an object');
    validateKey('key', request.key, this.limits);
    validateRangeEnd('rangeEnd', request.rangeEnd, this.limits);
    if (request.prefix !== undefined && typeof request.prefix !== 'boolean') throw invalidArgument('prefix', 'must be a boolean');
    if (request.prefix === true && request.rangeEnd !== undefined) {
      throw invalidArgument('prefix', 'cannot be given together with rangeEnd');
    }
    const startRevision = request.startRevision;
    if (startRevision !== undefined && (!Number.isSafeInteger(startRevision) || startRevision < 0)) {
      throw invalidArgument('startRevision', `must be a non-negative integer, got ${String(startRevision)}`);
    }
    if (request.prevKv !== undefined && typeof request.prevKv !== 'boolean') throw invalidArgument('prevKv', 'must be a boolean');
    if (request.excludePrefix !== undefined && (!(request.excludePrefix instanceof Uint8Array) || request.excludePrefix.length === 0)) {
      throw invalidArgument('excludePrefix', 'must be a non-empty Uint8Array');
    }
    return request.prefix === true ? KeyRange.prefix(request.key) : new KeyRange(request.key, request.rangeEnd);
  }

  private compacted(revision: number): VstorError {
    return new VstorError(
      'COMPACTED',
      `revision ${revision} is older than the retained watch history; the oldest available revision is ${this.historyStartRevision}`,
    );
  }

  /**
   * Reads history into the watcher's queue until it reaches the published revision. At
   * most one runs per watcher; it pauses (returns) when the queue is full and the
   * consumer's next read calls resume().
   */
  private async catchUp(watcher: Watcher): Promise<void> {
    if (watcher.catchingUp) return;
    watcher.catchingUp = true;
    try {
      while (watcher.active && !watcher.synced) {
        const room = this.limits.watcherQueueEventsMax - watcher.queuedEventCount;
        if (room <= 0) return;
        const eventsMax = Math.min(room, HISTORY_PAGE_EVENTS_MAX);
        const epoch = this.imageEpoch;
        const from = watcher.position;
        const page = await this.history.readHistory(from, eventsMax);
        if (!watcher.active || epoch !== this.imageEpoch) continue;
        if (from.revision < page.historyStartRevision) {
          watcher.end(this.compacted(from.revision));
          return;
        }
        // A short page ends the image's history: the watcher has seen every revision in it.
        const reachedEnd = page.events.length < eventsMax ? { revision: page.revision + 1, subIndex: 0 } : undefined;
        watcher.offer(page.events, reachedEnd, Number.POSITIVE_INFINITY);
        if (watcher.position.revision > this.publishedRevision) watcher.synced = true;
      }
    } catch (error) {
      const reason = error instanceof VstorError ? error : new VstorError('UNAVAILABLE', `reading the watch history failed: ${String(error)}`);
      watcher.end(reason);
    } finally {
      watcher.catchingUp = false;
    }
  }
}

/**
 * One watch. Consume it with `for await (const events of watcher)`: each step yields the
 * events queued since the last, in order. Leaving the loop cancels the watch; a watch the
 * hub ends (too slow, compacted history, model closing) throws its reason once the events
 * queued before it have been read.
 */
export class Watcher implements AsyncIterableIterator<WatchEvent[]> {
  /** Set by the hub: taking published events directly rather than reading history. */
  synced = false;
  catchingUp = false;
  private queue: WatchEvent[] = [];
  private state: 'active' | 'ended' = 'active';
  private endReason: VstorError | undefined;
  private endReasonReported = false;
  private waiting: ((result: IteratorResult<WatchEvent[]>) => void) | undefined;
  private waitingReject: ((error: VstorError) => void) | undefined;

  constructor(
    private readonly hub: WatchHub,
    readonly id: number,
    readonly range: KeyRange,
    private readonly withPrevKv: boolean,
    private nextPosition: EventPosition,
    /** Keys left out although in `range` (WatchRequest.excludePrefix). */
    private readonly excluded?: KeyRange,
  ) {
    this.synced = nextPosition.revision > hub.revision;
  }

  get active(): boolean {
    return this.state === 'active';
  }

  /** The position of the next event this watcher wants. */
  get position(): EventPosition {
    return this.nextPosition;
  }

  get queuedEventCount(): number {
    return this.queue.length;
  }

  /** Why the hub ended the watch, if it did. */
  get reason(): VstorError | undefined {
    return this.endReason;
  }

  /**
   * Queues the events at or after this watcher's position that fall in its range, then
   * moves the position past them (and to `endPosition` if given and further). Ends the
   * watch instead if that would queue more than `queueEventsMax`.
   */
  offer(events: readonly PositionedEvent[], endPosition: EventPosition | undefined, queueEventsMax: number): void {
    if (!this.active) return;
    const matched: WatchEvent[] = [];
    let position = this.nextPosition;
    for (const event of events) {
      if (comparePositions(event, position) < 0) continue;
      position = { revision: event.revision, subIndex: event.subIndex + 1 };
      if (!this.range.contains(event.kv.key)) continue;
      if (this.excluded?.contains(event.kv.key) === true) continue;
      const delivered: WatchEvent = { type: event.type, kv: event.kv };
      if (this.withPrevKv && event.prevKv !== undefined) delivered.prevKv = event.prevKv;
      matched.push(delivered);
    }
    if (endPosition !== undefined && comparePositions(endPosition, position) > 0) position = endPosition;
    if (this.queue.length + matched.length > queueEventsMax) {
      this.end(
        new VstorError(
          'RESOURCE_EXHAUSTED',
          `watcher ${this.id} was cancelled: its consumer fell more than watcherQueueEventsMax (${queueEventsMax}) events behind; ` +
            `watch again from revision ${this.nextPosition.revision}`,
        ),
      );
      return;
    }
    this.nextPosition = position;
    for (const event of matched) this.queue.push(event);
    if (this.queue.length > 0) this.wake();
  }

  /** Ends the watch; with a reason, the consumer gets it as an error after the queue. */
  end(reason?: VstorError): void {
    if (!this.active) return;
    this.state = 'ended';
    this.endReason = reason;
    this.hub.forget(this);
    this.wake();
  }

  /** Ends the watch from the consumer's side: iteration simply finishes. */
  cancel(): void {
    this.queue = [];
    this.end();
  }

  next(): Promise<IteratorResult<WatchEvent[]>> {
    if (this.waiting !== undefined) {
      return Promise.reject(invalidArgument('watcher', 'next() called again before the previous call settled'));
    }
    const ready = this.take();
    if (ready !== undefined) return ready;
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.waitingReject = reject;
    });
  }

  return(): Promise<IteratorResult<WatchEvent[]>> {
    this.cancel();
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next result if one is ready: queued events, or the end of the watch. */
  private take(): Promise<IteratorResult<WatchEvent[]>> | undefined {
    if (this.queue.length > 0) {
      const events = this.queue;
      this.queue = [];
      if (this.active && !this.synced) this.hub.resume(this);
      return Promise.resolve({ done: false, value: events });
    }
    if (this.active) return undefined;
    if (this.endReason !== undefined && !this.endReasonReported) {
      // The reason is reported once; after it the iterator is simply done.
      this.endReasonReported = true;
      return Promise.reject(this.endReason);
    }
    return Promise.resolve({ done: true, value: undefined });
  }

  private wake(): void {
    const resolve = this.waiting;
    const reject = this.waitingReject;
    if (resolve === undefined || reject === undefined) return;
    const ready = this.take();
    if (ready === undefined) return;
    this.waiting = undefined;
    this.waitingReject = undefined;
    ready.then(resolve, reject);
  }
}
