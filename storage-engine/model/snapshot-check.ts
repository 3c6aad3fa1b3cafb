// What restore() checks in each record of a snapshot before it writes it: that the record
// belongs to a known section, decodes, and agrees with the header (no key modified after
// the snapshot's revision, no session touched after its applied index); that keys come in
// strictly increasing order (so none twice); that the watch history holds every event of
// every revision from its start to the snapshot's revision, as watchers rely on; and that
// the tables it fills stay within this replica's limits. A snapshot that fails is refused
// whole with a coded error; the model keeps its current image.

import { ByteReader, compareBytes } from './bytes.ts';
import { decodeWriteResponse } from './codec.ts';
import { validateClientId } from './commands.ts';
import type { ModelConfig } from './config.ts';
import { isVstorError, VstorError } from './errors.ts';
import type { EventPosition } from './events.ts';
import { decodeEvent } from './events.ts';
import { EVENT_SUFFIX_BYTES, eventPositionOfSuffix, Section } from './layout.ts';
import { decodeKeyRecord, decodeSession, sessionResponse, validateState } from './records.ts';
import type { SnapshotHeader, SnapshotRecord } from './snapshot-stream.ts';

const textDecoder = new TextDecoder('utf-8', { fatal: true });

export class SnapshotChecker {
  private previousKey: Uint8Array | undefined;
  private readonly sessionClientIds = new Set<string>();
  private eventCount = 0;
  /** The first revision the history must hold events for (revision 1 has none). */
  private readonly firstEventRevision: number;
  private lastEvent: EventPosition | undefined;

  constructor(
    private readonly header: SnapshotHeader,
    private readonly config: ModelConfig,
  ) {
    validateState(new ByteReader(new Uint8Array(0), 'snapshot header'), header);
    this.firstEventRevision = Math.max(header.historyStartRevision, 2);
  }

  check(record: SnapshotRecord): void {
    const { relativeKey, value } = record;
    if (this.previousKey !== undefined && compareBytes(this.previousKey, relativeKey) >= 0) {
      throw malformed('records are not in strictly increasing key order');
    }
    this.previousKey = relativeKey;
    const suffix = relativeKey.subarray(1);
    switch (relativeKey[0]) {
      case Section.keys:
        return this.checkKey(suffix, value);
      case Section.sessions:
        return this.checkSession(suffix, value);
      case Section.events:
        return this.checkEvent(suffix, value);
      default:
        throw malformed(`a record in unknown section ${String(relativeKey[0])}`);
    }
  }

  /** Checks what can only be checked once every record has been seen. */
  finish(): void {
    if ((this.lastEvent?.revision ?? this.firstEventRevision - 1) !== this.header.revision) {
      throw malformed(`the watch history ends before revision ${this.header.revision}`);
    }
  }

  private checkKey(key: Uint8Array, value: Uint8Array): void {
    if (key.length === 0 || key.length > this.config.keyBytesMax) throw malformed(`a key of ${key.length} bytes`);
    const kv = decodeKeyRecord(key, value, this.config);
    if (kv.modRevision > this.header.revision) {
      throw malformed(`a key modified at revision ${kv.modRevision}, after the snapshot's ${this.header.revision}`);
    }
  }

  private checkSession(clientIdBytes: Uint8Array, value: Uint8Array): void {
    const clientId = this.clientId(clientIdBytes);
    const session = decodeSession(value);
    decodeWriteResponse(sessionResponse(value), this.config);
    if (session.touchedIndex > this.header.appliedIndex) {
      throw malformed(`session ${clientId} touched at index ${session.touchedIndex}, after the snapshot's ${this.header.appliedIndex}`);
    }
    this.sessionClientIds.add(clientId);
    if (this.sessionClientIds.size > this.config.clientsMax) {
      throw new VstorError('FAILED_PRECONDITION', `snapshot: more client sessions than clientsMax (${this.config.clientsMax})`);
    }
  }

  private checkEvent(positionBytes: Uint8Array, value: Uint8Array): void {
    if (positionBytes.length !== EVENT_SUFFIX_BYTES) throw malformed(`an event key of ${positionBytes.length} bytes`);
    const position = eventPositionOfSuffix(positionBytes);
    const last = this.lastEvent;
    const continuesRevision = last !== undefined && position.revision === last.revision && position.subIndex === last.subIndex + 1;
    const startsRevision =
      position.subIndex === 0 && position.revision === (last === undefined ? this.firstEventRevision : last.revision + 1);
    if (!continuesRevision && !startsRevision) {
      throw malformed(`the watch history has a gap before event ${position.revision}.${position.subIndex}`);
    }
    if (position.revision > this.header.revision) throw malformed(`an event at revision ${position.revision}, after the snapshot's`);
    decodeEvent(value, position, this.config);
    this.lastEvent = position;
    this.eventCount++;
    if (this.eventCount > this.config.watchHistoryEventsMax) {
      throw new VstorError(
        'FAILED_PRECONDITION',
        `snapshot: more history events than watchHistoryEventsMax (${this.config.watchHistoryEventsMax})`,
      );
    }
  }

  private clientId(bytes: Uint8Array): string {
    try {
      const clientId = textDecoder.decode(bytes);
      validateClientId('client id', clientId, this.config);
      return clientId;
    } catch (error) {
      throw malformed(isVstorError(error) ? error.message : 'a client id that is not valid UTF-8');
    }
  }
}

function malformed(problem: string): VstorError {
  return new VstorError('INVALID_ARGUMENT', `snapshot: ${problem}`);
}
