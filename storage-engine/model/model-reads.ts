// Reads of one generation of the model straight from the database, with level iterators
// bounded by gte/lt; nothing of the key space is kept in memory. Point reads use getSync
// where the database has it (model-database.ts).
//
// Consistency comes from how reads start: each read opens all the iterators it needs
// synchronously, and a level iterator reads from a snapshot taken when it is created. The
// state machine opens them only at a moment when no batch of its own is being written, so
// what they see matches the revision it holds in memory at that moment.

import { compareBytes, copyBytes, EMPTY_BYTES, equalBytes } from './bytes.ts';
import type { ModelDatabase, ModelIterator } from './model-database.ts';
import type { KeyValue, RangeRequest } from './commands.ts';
import { validateKey, validateRangeEnd } from './commands.ts';
import type { ModelConfig } from './config.ts';
import { assert, invalidArgument, VstorError } from './errors.ts';
import type { EventPosition, PositionedEvent } from './events.ts';
import { decodeEvent } from './events.ts';
import type { KeyReader } from './executor.ts';
import { KeyRange } from './key-range.ts';
import type { KeyBounds } from './layout.ts';
import {
  deadEventBounds,
  eventKey,
  eventPosition,
  generationBounds,
  keySuffix,
  relativeKey,
  Section,
  sectionBounds,
  sectionKey,
  stateKey,
} from './layout.ts';
import type { SessionRecord } from './records.ts';
import { decodeKeyRecord, decodeSession } from './records.ts';
import type { SnapshotRecord } from './snapshot-stream.ts';
import type { RetainedRevision } from './event-history.ts';


/** Whether point reads go through the database's getSync (see model-database.ts). */
export function readsSync(db: ModelDatabase): boolean {
  return (db.supports as { getSync?: unknown } | undefined)?.getSync === true && typeof db.getSync === 'function';
}

/** The value stored under `key`: read on this thread where the database can, else by get(). */
export async function readValue(db: ModelDatabase, key: Uint8Array): Promise<Uint8Array | undefined> {
  return readsSync(db) ? db.getSync!(key) : db.get(key);
}

/** How many entries one step of an iterator fetches. */
const ITERATOR_STEP_ENTRIES = 256;

/** The iterator bounds of the keys of `range`, or undefined when the range is empty. */
function keyBounds(generation: number, range: KeyRange): { gte: Uint8Array; lt?: Uint8Array; lte?: Uint8Array } | undefined {
  if (range.empty) return undefined;
  const gte = sectionKey(generation, Section.keys, range.start);
  if (range.single) return { gte, lte: gte };
  return { gte, lt: range.end === undefined ? sectionBounds(generation, Section.keys).lt : sectionKey(generation, Section.keys, range.end) };
}

export interface ValidRangeRequest {
  range: KeyRange;
  limit: number;
  reverse: boolean;
  keysOnly: boolean;
  countOnly: boolean;
}

export function validateRangeRequest(request: RangeRequest, config: ModelConfig): ValidRangeRequest {
  if (typeof request !== 'object' || request === null) throw invalidArgument('request', 'must be an object');
  validateKey('key', request.key, config);
  validateRangeEnd('rangeEnd', request.rangeEnd, config);
  for (const flag of ['prefix', 'reverse', 'keysOnly', 'countOnly'] as const) {
    if (request[flag] !== undefined && typeof request[flag] !== 'boolean') throw invalidArgument(flag, 'must be a boolean');
  }
  if (request.prefix === true && request.rangeEnd !== undefined) throw invalidArgument('prefix', 'cannot be given together with rangeEnd');
  const limit = request.limit ?? 0;
  if (!Number.isSafeInteger(limit) || limit < 0 || limit > config.rangeKeysMax) {
    throw invalidArgument('limit', `must be an integer from 0 (the default) to rangeKeysMax (${config.rangeKeysMax}), got ${String(limit)}`);
  }
  return {
    range: request.prefix === true ? KeyRange.prefix(request.key) : new KeyRange(request.key, request.rangeEnd),
    limit: limit === 0 ? config.rangeKeysMax : limit,
    reverse: request.reverse === true,
    keysOnly: request.keysOnly === true,
    countOnly: request.countOnly === true,
  };
}

export interface RangeResult {
  kvs: KeyValue[];
  more: boolean;
  count: number;
}

/**
 * A range read whose iterator is open (and so whose snapshot is taken); collect() reads
 * it. One iterator serves both the key-values and the count: it yields the first `limit`
 * entries, then goes on to the end of the range only to count, so the count comes from
 * the same snapshot. Counting is O(keys in the range), as it is in etcd.
 */
export class RangeRead {
  private readonly iterator: ModelIterator | undefined;

  constructor(
    db: ModelDatabase,
    generation: number,
    private readonly request: ValidRangeRequest,
    private readonly config: ModelConfig,
  ) {
    const bounds = keyBounds(generation, request.range);
    if (bounds === undefined) return;
    this.iterator = db.iterator({ ...bounds, reverse: request.reverse, values: !request.countOnly });
  }

  async collect(): Promise<RangeResult> {
    const iterator = this.iterator;
    if (iterator === undefined) return { kvs: [], more: false, count: 0 };
    try {
      const kvs: KeyValue[] = [];
      if (!this.request.countOnly) {
        while (kvs.length < this.request.limit) {
          const entries = await iterator.nextv(this.request.limit - kvs.length);
          if (entries.length === 0) return { kvs, more: false, count: kvs.length };
          for (const [key, value] of entries) {
            const kv = decodeKeyRecord(copyBytes(keySuffix(key)), value, this.config);
            if (this.request.keysOnly) kv.value = EMPTY_BYTES;
            kvs.push(kv);
          }
        }
      }
      let count = kvs.length;
      for (;;) {
        const entries = await iterator.nextv(ITERATOR_STEP_ENTRIES * 16);
        if (entries.length === 0) break;
        count += entries.length;
      }
      return { kvs, more: count > kvs.length && !this.request.countOnly, count };
    } finally {
      await iterator.close();
    }
  }
}

/** Reads the current keys for the executor; only used while no write is in flight. */
export class GenerationKeyReader implements KeyReader {
  constructor(
    private readonly db: ModelDatabase,
    private readonly generation: number,
    private readonly config: ModelConfig,
  ) {}

  async get(key: Uint8Array): Promise<KeyValue | undefined> {
    const value = await readValue(this.db, sectionKey(this.generation, Section.keys, key));
    return value === undefined ? undefined : decodeKeyRecord(key, value, this.config);
  }

  /** Several keys: on this thread where the database can (readsSync), else in one round
   * trip into the database. */
  async getMany(keys: readonly Uint8Array[]): Promise<(KeyValue | undefined)[]> {
    const storedKeys = keys.map((key) => sectionKey(this.generation, Section.keys, key));
    const { db } = this;
    const values = readsSync(db) ? storedKeys.map((storedKey) => db.getSync!(storedKey)) : await db.getMany(storedKeys);
    return values.map((value, index) => (value === undefined ? undefined : decodeKeyRecord(keys[index]!, value, this.config)));
  }

  async range(range: KeyRange, countMax: number): Promise<KeyValue[]> {
    const bounds = keyBounds(this.generation, range);
    if (bounds === undefined) return [];
    const entries = await this.db.iterator({ ...bounds, limit: countMax }).all();
    return entries.map(([key, value]) => decodeKeyRecord(copyBytes(keySuffix(key)), value, this.config));
  }
}

/** A page of history whose iterator is open; read() decodes it. */
export class HistoryRead {
  private readonly iterator: ModelIterator;

  constructor(
    db: ModelDatabase,
    generation: number,
    from: EventPosition,
    eventsMax: number,
    private readonly config: ModelConfig,
  ) {
    this.iterator = db.iterator({
      gte: eventKey(generation, from.revision, from.subIndex),
      lt: sectionBounds(generation, Section.events).lt,
      limit: eventsMax,
    });
  }

  async read(): Promise<PositionedEvent[]> {
    try {
      const entries = await this.iterator.all();
      return entries.map(([key, value]) => decodeEvent(value, eventPosition(key), this.config));
    } finally {
      await this.iterator.close();
    }
  }
}

/** The stored records of one generation in key order, without the state record and the
 * dead events (older than `historyStartRevision`, not cleared yet). */
export class ImageRead {
  private readonly iterator: ModelIterator;
  private readonly skippedKey: Uint8Array;
  private readonly deadEvents: KeyBounds;

  constructor(db: ModelDatabase, generation: number, historyStartRevision: number) {
    const bounds: KeyBounds = generationBounds(generation);
    this.iterator = db.iterator(bounds);
    this.skippedKey = stateKey(generation);
    this.deadEvents = deadEventBounds(generation, historyStartRevision);
  }

  async *records(): AsyncGenerator<SnapshotRecord> {
    const { gte, lt } = this.deadEvents;
    try {
      for (;;) {
        const entries = await this.iterator.nextv(ITERATOR_STEP_ENTRIES);
        if (entries.length === 0) return;
        for (const [key, value] of entries) {
          if (equalBytes(key, this.skippedKey)) continue;
          if (compareBytes(key, gte) >= 0 && compareBytes(key, lt) < 0) continue;
          yield { relativeKey: relativeKey(key), value };
        }
      }
    } finally {
      await this.iterator.close();
    }
  }

  async close(): Promise<void> {
    await this.iterator.close();
  }
}

export interface LoadedImage {
  sessions: Array<[string, SessionRecord]>;
  history: RetainedRevision[];
}

/**
 * The sessions and history of a generation, which must fit this replica's limits: a limit
 * lowered below what is stored is an operator's mistake, refused with FAILED_PRECONDITION,
 * as evicting on the spot would change replicated state outside the log.
 */
export async function loadImage(db: ModelDatabase, generation: number, historyStartRevision: number, config: ModelConfig): Promise<LoadedImage> {
  const image = { sessions: await loadSessions(db, generation), history: await loadHistory(db, generation, historyStartRevision) };
  if (image.sessions.length > config.clientsMax) {
    throw new VstorError(
      'FAILED_PRECONDITION',
      `the model holds ${image.sessions.length} client sessions, more than config.clientsMax (${config.clientsMax})`,
    );
  }
  const eventCount = image.history.reduce((total, retained) => total + retained.eventCount, 0);
  if (eventCount > config.watchHistoryEventsMax) {
    throw new VstorError(
      'FAILED_PRECONDITION',
      `the model holds ${eventCount} history events, more than config.watchHistoryEventsMax (${config.watchHistoryEventsMax})`,
    );
  }
  return image;
}

/** Every client session of a generation, for the session table. */
export async function loadSessions(db: ModelDatabase, generation: number): Promise<Array<[string, SessionRecord]>> {
  const sessions: Array<[string, SessionRecord]> = [];
  const textDecoder = new TextDecoder('utf-8', { fatal: true });
  for await (const [key, value] of db.iterator(sectionBounds(generation, Section.sessions))) {
    sessions.push([textDecoder.decode(keySuffix(key)), decodeSession(value)]);
  }
  return sessions;
}

/** The revisions of a generation's watch history with their event counts, oldest first;
 * dead events (older than `historyStartRevision`) are not part of it. */
export async function loadHistory(db: ModelDatabase, generation: number, historyStartRevision: number): Promise<RetainedRevision[]> {
  const revisions: RetainedRevision[] = [];
  const bounds = { gte: eventKey(generation, historyStartRevision, 0), lt: sectionBounds(generation, Section.events).lt };
  for await (const key of db.keys(bounds)) {
    const { revision, subIndex } = eventPosition(key);
    const newest = revisions[revisions.length - 1];
    if (newest !== undefined && newest.revision === revision) {
      assert(subIndex === newest.eventCount, () => `history revision ${revision} is missing event ${newest.eventCount}`);
      newest.eventCount++;
    } else {
      assert(subIndex === 0, () => `history revision ${revision} starts at event ${subIndex}`);
      revisions.push({ revision, eventCount: 1 });
    }
  }
  return revisions;
}
