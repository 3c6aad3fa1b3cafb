// The values the model stores under the keys of layout.ts. Each has a decoder that checks
// what it reads: the same decoders validate a snapshot from another replica on restore,
// so an INVALID_ARGUMENT error here means a damaged snapshot or a damaged disk.

import { ByteReader, ByteWriter, varintBytes } from './bytes.ts';
import type { KeyValue } from './commands.ts';
import type { ModelConfig } from './config.ts';
import { VstorError } from './errors.ts';
import { LAYOUT_VERSION } from './layout.ts';

export interface MetaRecord {
  generation: number;
}

export function encodeMeta(meta: MetaRecord): Uint8Array {
  return new ByteWriter(8).uint8(LAYOUT_VERSION).varint(meta.generation).finish();
}

export function decodeMeta(bytes: Uint8Array): MetaRecord {
  const reader = new ByteReader(bytes, 'model meta record');
  const layoutVersion = reader.uint8('layoutVersion');
  if (layoutVersion !== LAYOUT_VERSION) {
    throw new VstorError(
      'UNSUPPORTED_FORMAT',
      `the model's database has layout version ${layoutVersion}, and this vstor reads only version ${LAYOUT_VERSION}; ` +
        'it was written by another vstor release: start this node with an empty data directory so that it catches up from its peers',
    );
  }
  const meta = { generation: reader.varint('generation') };
  reader.expectEnd();
  return meta;
}

export interface StateRecord {
  /** The Raft index of the last entry applied. */
  appliedIndex: number;
  /** The model's revision: 1 when empty, +1 for each write entry that changed something. */
  revision: number;
  /** The oldest revision whose events are all in the watch history. */
  historyStartRevision: number;
}

export const initialState: Readonly<StateRecord> = Object.freeze({
  appliedIndex: 0,
  revision: 1,
  historyStartRevision: 1,
});

export function encodeState(state: StateRecord): Uint8Array {
  return new ByteWriter(32).varint(state.appliedIndex).varint(state.revision).varint(state.historyStartRevision).finish();
}

export function decodeState(bytes: Uint8Array): StateRecord {
  const reader = new ByteReader(bytes, 'model state record');
  const state = {
    appliedIndex: reader.varint('appliedIndex'),
    revision: reader.varint('revision'),
    historyStartRevision: reader.varint('historyStartRevision'),
  };
  reader.expectEnd();
  validateState(reader, state);
  return state;
}

export function validateState(reader: ByteReader, state: StateRecord): void {
  if (state.revision < 1) throw reader.malformed('revision', 'must be at least 1');
  if (state.historyStartRevision < 1 || state.historyStartRevision > state.revision + 1) {
    throw reader.malformed('historyStartRevision', `${state.historyStartRevision} is outside 1..${state.revision + 1}`);
  }
}

/** A key's metadata, then its value to the end of the record; for a database batch only
 * (ByteWriter.forBatch). */
export function encodeKeyRecord(keyValue: KeyValue): Uint8Array {
  const { createRevision, modRevision, version } = keyValue;
  const writer = ByteWriter.forBatch(varintBytes(createRevision) + varintBytes(modRevision) + varintBytes(version) + keyValue.value.length);
  writer.varint(createRevision).varint(modRevision).varint(version);
  return writer.raw(keyValue.value).finish();
}

export function decodeKeyRecord(key: Uint8Array, bytes: Uint8Array, config: ModelConfig): KeyValue {
  const reader = new ByteReader(bytes, 'key record');
  const createRevision = reader.varint('createRevision');
  const modRevision = reader.varint('modRevision');
  const version = reader.varint('version');
  if (reader.remainingBytes > config.valueBytesMax) {
    throw reader.malformed('value', `${reader.remainingBytes} bytes exceeds valueBytesMax (${config.valueBytesMax})`);
  }
  if (createRevision < 2 || modRevision < createRevision || version < 1) {
    throw reader.malformed('revisions', `create ${createRevision}, mod ${modRevision}, version ${version} are inconsistent`);
  }
  return { key, value: reader.rest(), createRevision, modRevision, version };
}

export interface SessionRecord {
  /** The last sequence applied for the client. */
  sequence: number;
  /** The Raft index that last applied a request of the client: the eviction order. */
  touchedIndex: number;
}

/** The session, then the encoded response to its sequence to the end of the record: one
 * record, so that applying a write touches one key for its client, not two. For a
 * database batch only (ByteWriter.forBatch). */
export function encodeSession(session: SessionRecord, responseBytes: Uint8Array): Uint8Array {
  const { sequence, touchedIndex } = session;
  const writer = ByteWriter.forBatch(varintBytes(sequence) + varintBytes(touchedIndex) + responseBytes.length);
  return writer.varint(sequence).varint(touchedIndex).raw(responseBytes).finish();
}

/** The session of a session record; its response is not copied out (sessionResponse()). */
export function decodeSession(bytes: Uint8Array): SessionRecord {
  return readSession(new ByteReader(bytes, 'session record'));
}

/** The encoded response a session record keeps, to decode with decodeWriteResponse(). */
export function sessionResponse(bytes: Uint8Array): Uint8Array {
  const reader = new ByteReader(bytes, 'session record');
  readSession(reader);
  return reader.rest();
}

function readSession(reader: ByteReader): SessionRecord {
  const session = { sequence: reader.varint('sequence'), touchedIndex: reader.varint('touchedIndex') };
  if (session.sequence < 1 || session.touchedIndex < 1) throw reader.malformed('session', 'sequence and index start at 1');
  if (reader.remainingBytes === 0) throw reader.malformed('response', 'missing');
  return session;
}
