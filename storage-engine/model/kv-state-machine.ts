// The state machine of Raft group 0: the cluster's revisioned key-value model. The Raft
// loop hands it the committed entries of each Ready in index order; applyMany() turns them
// into exactly one batch that also records the applied index, so an entry takes effect
// once, entirely, and the same way on every replica. Within the batch each entry sees the
// effects of the entries before it (batch-reader.ts), so a batch of n entries leaves the
// same state, answers and watch events as n batches of one: only the number of round trips
// into the database changes (one read and one write per batch). Reads are served locally from the database (the caller
// makes them linearizable with ReadIndex); watchers are fed after each batch commits;
// snapshot() and restore() move whole images between replicas.
//
// Concurrency: writes (apply, restore, sync) run one at a time in call order. A read never
// waits for the Raft loop's work, only for the one batch being written, if any: it opens
// its iterators at a moment when no batch is in flight, so what it reads matches the
// revision it reports (see model-reads.ts).
//
// Restore and crashes: an image lives under a generation (layout.ts). restore() writes
// the new image under the next generation in as many batches as it needs, and only then
// switches the meta key to it, with the new state, in one synced batch. A crash before the
// switch leaves the old image in force and the partial new one is cleared on open; a
// crash after it leaves the new image in force and the old one is cleared on open. The
// model is always exactly one image, old or new, never a mix.

import { writeChainedBatch } from '../chained-batch.ts';
import { BatchKeyReader } from './batch-reader.ts';
import { KeyRecordCache } from './record-cache.ts';
import { decodeWriteRequest, decodeWriteResponse, isModelEntry } from './codec.ts';
import type { KeyValue, RangeRequest, RangeResponse, WriteCommand, WriteRequest, WriteResponse } from './commands.ts';
import { validateKey } from './commands.ts';
import type { ModelConfig } from './config.ts';
import { modelConfig } from './config.ts';
import { assert, AssertionError, invalidArgument, isVstorError, VstorError } from './errors.ts';
import { EventHistoryIndex } from './event-history.ts';
import type { EventPosition, PositionedEvent } from './events.ts';
import { executeCommand } from './executor.ts';
import { deadEventBounds, generationBounds, META_KEY, otherGenerationsBounds, sessionKey, stateKey } from './layout.ts';
import type { ModelBatchOperation, ModelDatabase } from './model-database.ts';
import type { LoadedImage, ValidRangeRequest } from './model-reads.ts';
import { GenerationKeyReader, HistoryRead, ImageRead, loadImage, RangeRead, readValue, validateRangeRequest } from './model-reads.ts';
import { ModelSnapshot } from './model-snapshot.ts';
import { historyOperations, keyOperations, metaOperation, sessionOperations, stateOperation } from './model-writes.ts';
import type { SessionRecord, StateRecord } from './records.ts';
import { decodeMeta, decodeState, initialState, sessionResponse } from './records.ts';
import { writeSnapshotImage } from './restore-image.ts';
import { SessionTable } from './sessions.ts';
import type { SnapshotHeader } from './snapshot-stream.ts';
import type { HistoryPage, Watcher, WatchRequest } from './watch-hub.ts';
import { WatchHub } from './watch-hub.ts';

export interface KvStateMachineOptions {
  /** The model's database or a sublevel of one, keys and values as Uint8Array. The caller
   * opens and closes it; the model only reads and writes its own keys. */
  db: ModelDatabase;
  config?: Partial<ModelConfig>;
}

export type ApplyResult =
  /** A model write; `response` may be an ErrorResponse when it was decided to change
   * nothing. `duplicate`: a retry, answered from the session table without applying. */
  | { kind: 'response'; index: number; clientId: string; sequence: number; duplicate: boolean; response: WriteResponse }
  /** A model entry that does not decode; nothing changed and there is no client to tell. */
  | { kind: 'rejected'; index: number; error: VstorError }
  /** An empty entry (a new leader's) or another component's: only the index advanced. */
  | { kind: 'noop'; index: number }
  /** An index at or below the applied index, e.g. replayed after a restart: ignored. */
  | { kind: 'skipped'; index: number };

export type ModelStatus = 'opening' | 'open' | 'closing' | 'closed';

/** The most writes (applies, restores, syncs) that may wait for their turn. */
const QUEUED_WRITES_MAX = 1024;
/** The most entries applied in one database batch; a longer run is cut into batches. */
export const APPLY_BATCH_ENTRIES_MAX = 1024;

export interface ApplyOptions {
  /**
   * Called with the results of entries `first` onward as soon as they are decided, before
   * the batch that records them is written: an answer may go out one database round trip
   * earlier. They are final (the entries are committed and the results deterministic);
   * reads that start afterwards wait for the write, and if the write fails the model
   * stops, and the entries are applied again from the Raft log on restart with the same
   * results.
   */
  decided?(first: number, results: ApplyResult[]): void;
}

/** A committed entry for applyMany(). */
export interface ModelEntryInput {
  index: number;
  entryBytes: Uint8Array;
}

/** An entry of a batch, decoded before anything is applied. */
type DecodedEntry =
  | { kind: 'noop' }
  | { kind: 'request'; request: WriteRequest }
  | { kind: 'invalid'; error: unknown };

/** What one batch accumulates before its single write. */
interface ApplyBatch {
  operations: ModelBatchOperation[];
  /** The state after the entries so far. */
  state: StateRecord;
  reader: BatchKeyReader;
  /** The responses this batch recorded, by client, for retries later in the batch. */
  responses: Map<string, Uint8Array>;
  /** Watch events to publish once the batch is written, one item per revision. */
  published: { revision: number; events: PositionedEvent[]; historyStartRevision: number }[];
}

const noop = (): void => {};

export class KvStateMachine {
  readonly config: Readonly<ModelConfig>;
  private readonly db: ModelDatabase;
  private currentStatus: ModelStatus = 'closed';
  private opening: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  /** A write that failed: the model no longer knows what is on disk and stops. */
  private failure: unknown;

  private generation = 0;
  private state: StateRecord = { ...initialState };
  private readonly sessions: SessionTable;
  private readonly history: EventHistoryIndex;
  private readonly records: KeyRecordCache;
  private hub: WatchHub | undefined;
  /** Events trimmed from the history but still on disk, and whether a clear is queued. */
  private deadEventCount = 0;
  private deadEventClearQueued = false;

  private writeTail: Promise<unknown> = Promise.resolve();
  private queuedWriteCount = 0;
  private writeInFlight: Promise<void> | undefined;
  private readonly reads = new Set<Promise<unknown>>();
  private readonly snapshots = new Set<ModelSnapshot>();

  constructor(options: KvStateMachineOptions) {
    if (typeof options !== 'object' || options === null) throw invalidArgument('options', 'must be an object');
    if (typeof options.db?.iterator !== 'function') throw invalidArgument('options.db', 'must be an abstract-level database');
    this.db = options.db;
    this.config = Object.freeze(modelConfig(options.config));
    this.sessions = new SessionTable(this.config.clientsMax);
    this.history = new EventHistoryIndex(this.config.watchHistoryEventsMax);
    this.records = new KeyRecordCache(this.config.keyCacheBytesMax);
  }

  get status(): ModelStatus {
    return this.currentStatus;
  }

  /** The Raft index of the last entry applied (or restored). */
  get appliedIndex(): number {
    return this.state.appliedIndex;
  }

  get revision(): number {
    return this.state.revision;
  }

  /** The oldest revision a watcher may start from. */
  get historyStartRevision(): number {
    return this.state.historyStartRevision;
  }

  async open(): Promise<void> {
    if (this.currentStatus === 'open') return;
    if (this.currentStatus === 'opening') return this.opening;
    if (this.currentStatus === 'closing') await this.closing;
    this.currentStatus = 'opening';
    this.opening = this._open().then(
      () => {
        this.currentStatus = 'open';
      },
      (error: unknown) => {
        this.currentStatus = 'closed';
        throw error;
      },
    );
    return this.opening;
  }

  async close(): Promise<void> {
    if (this.currentStatus === 'opening') await this.opening?.catch(noop);
    if (this.currentStatus === 'closed') return;
    if (this.currentStatus === 'closing') return this.closing;
    this.currentStatus = 'closing';
    this.closing = this._close().finally(() => {
      this.currentStatus = 'closed';
    });
    return this.closing;
  }

  /**
   * Applies the committed entry at `index`, which must be the one after the applied index
   * (or at or below it, which is ignored). Resolves once the entry is durable in the
   * database's write-ahead log (not synced: the Raft log is the durable record; see sync()).
   */
  async apply(index: number, entryBytes: Uint8Array): Promise<ApplyResult> {
    this.checkOpen();
    checkEntry('', index, entryBytes);
    const [result] = await this.serialize(() => this._applyMany([{ index, entryBytes }]));
    return result!;
  }

  /**
   * Applies consecutive committed entries, as apply() would one after another, in one
   * database batch (or one per APPLY_BATCH_ENTRIES_MAX entries); a result for each. If an
   * entry cannot be applied (an assertion, a failed read), the entries before it are
   * written and the error is thrown.
   */
  async applyMany(entries: readonly ModelEntryInput[], options: ApplyOptions = {}): Promise<ApplyResult[]> {
    this.checkOpen();
    if (!Array.isArray(entries)) throw invalidArgument('entries', 'must be an array');
    entries.forEach(({ index, entryBytes }, position) => checkEntry(`entries[${position}].`, index, entryBytes));
    const results: ApplyResult[] = [];
    for (let start = 0; start < entries.length; start += APPLY_BATCH_ENTRIES_MAX) {
      const chunk = entries.slice(start, start + APPLY_BATCH_ENTRIES_MAX);
      const first = start;
      const decided = options.decided === undefined ? undefined : (chunkResults: ApplyResult[]) => options.decided!(first, chunkResults);
      results.push(...(await this.serialize(() => this._applyMany(chunk, decided))));
    }
    return results;
  }

  async get(key: Uint8Array): Promise<KeyValue | undefined> {
    this.checkOpen();
    validateKey('key', key, this.config);
    return this._get(key);
  }

  async range(request: RangeRequest): Promise<RangeResponse> {
    this.checkOpen();
    return this._range(validateRangeRequest(request, this.config));
  }

  /** A watcher of a key or range from a start revision; see watch-hub.ts. */
  watch(request: WatchRequest): Watcher {
    this.checkOpen();
    assert(this.hub !== undefined, 'an open model has a watch hub');
    return this.hub.watch(request);
  }

  /** A consistent image of the model as of now, to stream in chunks; see model-snapshot.ts. */
  async snapshot(): Promise<ModelSnapshot> {
    this.checkOpen();
    const { header, image } = await this.capture(() => ({
      header: { ...this.state },
      image: new ImageRead(this.db, this.generation, this.state.historyStartRevision),
    }));
    const snapshot = new ModelSnapshot(header, image, this.config.snapshotChunkBytes, (closed) => {
      this.snapshots.delete(closed);
    });
    this.snapshots.add(snapshot);
    return snapshot;
  }

  /** Replaces the whole model with the image in `chunks`; resolves with its header. */
  async restore(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<SnapshotHeader> {
    this.checkOpen();
    const iterable = chunks as Partial<AsyncIterable<Uint8Array> & Iterable<Uint8Array>> | null;
    if (
      typeof iterable !== 'object' ||
      iterable === null ||
      (typeof iterable[Symbol.asyncIterator] !== 'function' && typeof iterable[Symbol.iterator] !== 'function')
    ) {
      throw invalidArgument('chunks', 'must be an iterable of Uint8Array chunks');
    }
    return this.serialize(() => this._restore(chunks));
  }

  /** Makes every applied entry durable (an fsync): call it before compacting the Raft log
   * past the applied index. */
  async sync(): Promise<void> {
    this.checkOpen();
    await this.serialize(() => this.write([stateOperation(this.generation, this.state)], noop, true));
  }

  protected async _open(): Promise<void> {
    try {
      await this.db.open({ passive: true });
    } catch (error) {
      throw new VstorError('UNAVAILABLE', `the model's database is not open: ${String(error)}`);
    }
    this.failure = undefined;
    const metaBytes = await this.db.get(META_KEY);
    if (metaBytes === undefined) {
      await this.db.batch([metaOperation(0), stateOperation(0, initialState)]);
    }
    const generation = metaBytes === undefined ? 0 : decodeMeta(metaBytes).generation;
    // Another generation is what a restore left behind: unfinished, or finished with the
    // old image not yet cleared.
    for (const bounds of otherGenerationsBounds(generation)) await this.db.clear(bounds);
    const stateBytes = await this.db.get(stateKey(generation));
    assert(stateBytes !== undefined, () => `model generation ${generation} has no state record`);
    const state = decodeState(stateBytes);
    // Dead events a clear had not removed before the process stopped.
    await this.db.clear(deadEventBounds(generation, state.historyStartRevision));
    this.installImage(generation, state, await loadImage(this.db, generation, state.historyStartRevision, this.config));
    this.hub = new WatchHub(
      { readHistory: (from, eventsMax) => this.readHistory(from, eventsMax) },
      this.config,
      state.revision,
      state.historyStartRevision,
    );
  }

  protected async _close(): Promise<void> {
    this.hub?.close();
    await Promise.all([...this.snapshots].map((snapshot) => snapshot.close()));
    await this.writeTail;
    await Promise.allSettled([...this.reads]);
  }

  protected async _applyMany(entries: readonly ModelEntryInput[], decided?: (results: ApplyResult[]) => void): Promise<ApplyResult[]> {
    const decoded = entries.map((entry) => this.decodeEntry(entry));
    const batch: ApplyBatch = {
      operations: [],
      state: this.state,
      reader: new BatchKeyReader(new GenerationKeyReader(this.db, this.generation, this.config), this.records),
      responses: new Map(),
      published: [],
    };
    const results: ApplyResult[] = [];
    let failure: { error: unknown } | undefined;
    try {
      await batch.reader.prefetch(decoded.flatMap((entry) => (entry.kind === 'request' ? keysRead(entry.request.command) : [])));
      for (let position = 0; position < entries.length; position++) {
        results.push(await this.applyEntry(batch, entries[position]!.index, decoded[position]!));
      }
    } catch (error) {
      failure = { error };
    }
    if (failure === undefined) decided?.(results);
    if (batch.state !== this.state) {
      const state = batch.state;
      batch.operations.push(stateOperation(this.generation, state));
      // Started in the same turn as decided(): whatever its callers do next, a read starts
      // after this write is in flight, and reads wait for it (capture()).
      await this.write(batch.operations, () => {
        this.state = state;
      });
      for (const { revision, events, historyStartRevision } of batch.published) this.hub?.publish(revision, events, historyStartRevision);
      if (this.deadEventCount >= this.config.deadEventsMax) this.queueDeadEventClear();
    }
    if (failure !== undefined) throw failure.error;
    return results;
  }

  private decodeEntry({ entryBytes }: ModelEntryInput): DecodedEntry {
    if (!isModelEntry(entryBytes)) return { kind: 'noop' };
    try {
      return { kind: 'request', request: decodeWriteRequest(entryBytes, this.config) };
    } catch (error) {
      return { kind: 'invalid', error };
    }
  }

  /**
   * Applies one entry to the batch: its operations join the batch, the session table and
   * history index move on at once (nothing else reads them, and a failed batch write stops
   * the model), and the state only when the batch is written.
   */
  private async applyEntry(batch: ApplyBatch, index: number, entry: DecodedEntry): Promise<ApplyResult> {
    if (index <= batch.state.appliedIndex) return { kind: 'skipped', index };
    assert(index === batch.state.appliedIndex + 1, () => `entry ${index} after applied index ${batch.state.appliedIndex}: an entry was skipped`);
    if (entry.kind === 'noop') {
      batch.state = { ...batch.state, appliedIndex: index };
      return { kind: 'noop', index };
    }
    if (entry.kind === 'invalid') {
      const { error } = entry;
      // Skipping an entry that other replicas can apply would make this one diverge.
      if (isVstorError(error, 'UNSUPPORTED_FORMAT')) {
        throw new AssertionError(`entry ${index}: ${error.message}; upgrade this replica before it applies further`);
      }
      if (!isVstorError(error)) throw error;
      batch.state = { ...batch.state, appliedIndex: index };
      return { kind: 'rejected', index, error };
    }
    const { request } = entry;
    const { clientId, sequence } = request;
    const session = this.sessions.get(clientId);
    if (session !== undefined && sequence <= session.sequence) {
      const response =
        sequence === session.sequence ? await this.lastResponse(batch, clientId) : this.staleSequence(request, session, batch.state.revision);
      batch.state = { ...batch.state, appliedIndex: index };
      return { kind: 'response', index, clientId, sequence, duplicate: true, response };
    }

    const execution = await executeCommand(request.command, batch.reader, batch.state.revision, this.config);
    const events: PositionedEvent[] = execution.changes.map((change, subIndex) => ({
      ...change,
      revision: execution.revision,
      subIndex,
    }));
    const touch = this.sessions.plan(clientId, sequence, index);
    const historyAppend = events.length > 0 ? this.history.plan(execution.revision, events.length) : undefined;
    const state: StateRecord = {
      appliedIndex: index,
      revision: execution.revision,
      historyStartRevision: historyAppend?.historyStartRevision ?? batch.state.historyStartRevision,
    };
    batch.operations.push(
      ...keyOperations(this.generation, events),
      ...historyOperations(this.generation, events),
      ...sessionOperations(this.generation, touch, execution.responseBytes),
    );
    batch.reader.record(execution.changes);
    for (const evicted of touch.evictedClientIds) batch.responses.delete(evicted);
    batch.responses.set(clientId, execution.responseBytes);
    this.sessions.commit(touch);
    if (historyAppend !== undefined) {
      this.history.commit(historyAppend);
      for (const trimmed of historyAppend.trimmed) this.deadEventCount += trimmed.eventCount;
    }
    if (events.length > 0) batch.published.push({ revision: state.revision, events, historyStartRevision: state.historyStartRevision });
    batch.state = state;
    return { kind: 'response', index, clientId, sequence, duplicate: false, response: execution.response };
  }

  /** A single read needs no snapshot, but it starts with no batch in flight, so that it
   * sees every write whose result was answered (ApplyOptions.decided); restore() lets it
   * finish before it clears the generation it reads from. */
  protected async _get(key: Uint8Array): Promise<KeyValue | undefined> {
    return this.track(async () => (await this.capture(() => new GenerationKeyReader(this.db, this.generation, this.config))).get(key));
  }

  protected async _range(request: ValidRangeRequest): Promise<RangeResponse> {
    return this.track(async () => {
      const { read, revision } = await this.capture(() => ({
        read: new RangeRead(this.db, this.generation, request, this.config),
        revision: this.state.revision,
      }));
      return { header: { revision }, ...(await read.collect()) };
    });
  }

  protected async _restore(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<SnapshotHeader> {
    const previous = this.generation;
    const target = previous + 1;
    await this.db.clear(generationBounds(target));
    let header: SnapshotHeader;
    let image: LoadedImage;
    try {
      header = await writeSnapshotImage(this.db, target, chunks, this.config, () => this.currentStatus === 'open');
      image = await loadImage(this.db, target, header.historyStartRevision, this.config);
    } catch (error) {
      await this.db.clear(generationBounds(target)).catch(noop);
      throw error;
    }
    const state = { ...header };
    await this.write([stateOperation(target, state), metaOperation(target)], () => this.installImage(target, state, image), true);
    // Reads that started before the switch may still be reading the previous generation.
    await Promise.allSettled([...this.reads]);
    await this.db.clear(generationBounds(previous));
    this.hub?.reset(state.revision, state.historyStartRevision);
    return header;
  }

  /** Makes `generation` the model in memory: synchronous, so no read sees half of it. */
  private installImage(generation: number, state: StateRecord, image: LoadedImage): void {
    // The image just loaded has no dead events: open() cleared them, restore() wrote none.
    this.deadEventCount = 0;
    this.generation = generation;
    this.state = state;
    this.sessions.load(image.sessions);
    this.history.load(state.historyStartRevision, image.history);
    this.records.clear();
  }

  private async readHistory(from: EventPosition, eventsMax: number): Promise<HistoryPage> {
    return this.track(async () => {
      const { read, revision, historyStartRevision } = await this.capture(() => ({
        read: new HistoryRead(this.db, this.generation, from, eventsMax, this.config),
        revision: this.state.revision,
        historyStartRevision: this.state.historyStartRevision,
      }));
      return { events: await read.read(), revision, historyStartRevision };
    });
  }

  private async lastResponse(batch: ApplyBatch, clientId: string): Promise<WriteResponse> {
    let bytes = batch.responses.get(clientId);
    if (bytes === undefined) {
      const record = await readValue(this.db, sessionKey(this.generation, clientId));
      assert(record !== undefined, () => `client ${clientId} has a session in memory but none stored`);
      bytes = sessionResponse(record);
    }
    return decodeWriteResponse(bytes, this.config);
  }

  private staleSequence(request: WriteRequest, session: SessionRecord, revision: number): WriteResponse {
    return {
      type: 'error',
      header: { revision },
      code: 'FAILED_PRECONDITION',
      message:
        `client ${request.clientId}: sequence ${request.sequence} is older than the last applied sequence ` +
        `${session.sequence}, whose response is the only one kept`,
    };
  }

  /**
   * Writes one batch. `onCommitted` updates memory to match, synchronously and before any
   * read can start, which is what lets reads pair the database with the in-memory state.
   */
  private async write(operations: ModelBatchOperation[], onCommitted: () => void, sync = false): Promise<void> {
    assert(this.writeInFlight === undefined, 'two model batches in flight');
    const written = writeChainedBatch(this.db, operations, sync);
    this.writeInFlight = written;
    try {
      await written;
    } catch (error) {
      this.failure = error;
      this.writeInFlight = undefined;
      throw error;
    }
    try {
      onCommitted();
    } finally {
      this.writeInFlight = undefined;
    }
  }

  /**
   * Queues the clear of the dead events as a write of its own, after the apply that made
   * them config.deadEventsMax or more. Trimming in the apply batch would cost a delete per
   * event there, each through JS, where one native range clear per many costs a fraction.
   * It needs no atomicity: whatever part of it has happened, every reader skips the dead
   * events (layout.ts), and open() clears what a crash left.
   */
  private queueDeadEventClear(): void {
    if (this.deadEventClearQueued || this.queuedWriteCount >= QUEUED_WRITES_MAX) return;
    this.deadEventClearQueued = true;
    this.serialize(async () => {
      this.deadEventClearQueued = false;
      const bounds = deadEventBounds(this.generation, this.state.historyStartRevision);
      this.deadEventCount = 0;
      try {
        await this.db.clear(bounds);
      } catch (error) {
        this.failure = error;
      }
    }).catch(noop);
  }

  /** Runs `work` after every write queued before it. */
  private serialize<T>(work: () => Promise<T>): Promise<T> {
    if (this.queuedWriteCount >= QUEUED_WRITES_MAX) {
      throw new VstorError('RESOURCE_EXHAUSTED', `more than ${QUEUED_WRITES_MAX} model writes are waiting`);
    }
    this.queuedWriteCount++;
    const result = this.writeTail.then(() => {
      this.queuedWriteCount--;
      this.checkUsable();
      return work();
    });
    this.writeTail = result.then(noop, noop);
    return result;
  }

  /** Calls `take` (which opens iterators) at a moment when no batch is being written. */
  private async capture<T>(take: () => T): Promise<T> {
    for (;;) {
      this.checkOpen();
      const inFlight = this.writeInFlight;
      if (inFlight === undefined) return take();
      await inFlight.then(noop, noop);
    }
  }

  /** Runs a read that close() waits for. */
  private async track<T>(read: () => Promise<T>): Promise<T> {
    const running = read();
    this.reads.add(running);
    try {
      return await running;
    } finally {
      this.reads.delete(running);
    }
  }

  private checkOpen(): void {
    if (this.currentStatus !== 'open') throw new VstorError('UNAVAILABLE', `the model is ${this.currentStatus}`);
    this.checkUsable();
  }

  private checkUsable(): void {
    if (this.failure !== undefined) {
      throw new VstorError('UNAVAILABLE', `the model stopped after a failed write: ${String(this.failure)}`);
    }
  }
}

/** The keys a command reads by key (puts and compares), which a batch fetches up front. */
function keysRead(command: WriteCommand): Uint8Array[] {
  switch (command.type) {
    case 'put':
      return [command.key];
    case 'deleteRange':
      return [];
    case 'txn':
      return [
        ...command.compare.map((compare) => compare.key),
        ...[...command.success, ...command.failure].flatMap((operation) => (operation.type === 'put' ? [operation.key] : [])),
      ];
  }
}

function checkEntry(field: string, index: number, entryBytes: Uint8Array): void {
  if (!Number.isSafeInteger(index) || index < 1) throw invalidArgument(`${field}index`, `must be a positive integer, got ${String(index)}`);
  if (!(entryBytes instanceof Uint8Array)) throw invalidArgument(`${field}entryBytes`, 'must be a Uint8Array');
}
