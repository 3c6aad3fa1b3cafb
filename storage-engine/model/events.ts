// A change to one key, as watchers see it and as the watch history keeps it. Every event of
// one write entry has the entry's revision; `subIndex` orders the events within it (the
// order of the txn's operations, then key order within a range delete). A position
// (revision, subIndex) names one event, and positions only grow.

import { ByteReader, ByteWriter, equalBytes, lengthPrefixedBytes } from './bytes.ts';
import { assert } from './errors.ts';
import { keyValueBytes, readKeyValue, writeKeyValue } from './codec.ts';
import type { KeyValue } from './commands.ts';
import type { ModelConfig } from './config.ts';

export interface WatchEvent {
  type: 'put' | 'delete';
  /** For a delete: the key, modRevision = the deleting revision, everything else zero. */
  kv: KeyValue;
  /** The key-value before the change, when there was one (and the watcher asked). */
  prevKv?: KeyValue;
}

export interface EventPosition {
  revision: number;
  subIndex: number;
}

export interface PositionedEvent extends WatchEvent, EventPosition {}

export function comparePositions(left: EventPosition, right: EventPosition): number {
  return left.revision - right.revision || left.subIndex - right.subIndex;
}

const EventKind = { put: 1, delete: 2 } as const;

/**
 * kind, kv, then whether there is a prevKv and, if so, all of it but its key: a previous
 * key-value is always of the event's own key, so the key is stored once. The result is
 * for a database batch (ByteWriter.forBatch): do not keep it.
 */
export function encodeEvent(event: WatchEvent): Uint8Array {
  const { kv, prevKv } = event;
  // Sized exactly: the writer neither grows nor copies its bytes out.
  const prevBytes = prevKv === undefined ? 0 : keyValueBytes(prevKv) - lengthPrefixedBytes(prevKv.key.length);
  const writer = ByteWriter.forBatch(2 + keyValueBytes(kv) + prevBytes);
  writer.uint8(EventKind[event.type]);
  writeKeyValue(writer, kv);
  writer.uint8(prevKv === undefined ? 0 : 1);
  if (prevKv !== undefined) {
    assert(equalBytes(prevKv.key, kv.key), "an event's prevKv is of the event's key");
    writer.bytes(prevKv.value).varint(prevKv.createRevision).varint(prevKv.modRevision).varint(prevKv.version);
  }
  return writer.finish();
}

export function decodeEvent(bytes: Uint8Array, position: EventPosition, config: ModelConfig): PositionedEvent {
  const reader = new ByteReader(bytes, `event ${position.revision}.${position.subIndex}`);
  const kind = reader.uint8('kind');
  if (kind !== EventKind.put && kind !== EventKind.delete) throw reader.malformed('kind', `unknown event kind ${kind}`);
  const kv = readKeyValue(reader, 'kv', config);
  if (kv.modRevision !== position.revision) {
    throw reader.malformed('kv.modRevision', `${kv.modRevision} is not the event's revision ${position.revision}`);
  }
  const event: PositionedEvent = { ...position, type: kind === EventKind.put ? 'put' : 'delete', kv };
  if (reader.boolean('hasPrevKv')) {
    event.prevKv = {
      key: kv.key,
      value: reader.bytes('prevKv.value', config.valueBytesMax),
      createRevision: reader.varint('prevKv.createRevision'),
      modRevision: reader.varint('prevKv.modRevision'),
      version: reader.varint('prevKv.version'),
    };
  }
  reader.expectEnd();
  return event;
}
