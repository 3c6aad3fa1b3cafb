// What restore() checks in each record of a snapshot before it writes it: that the record
// belongs to a known section, decodes, and agrees with the header (no key modified after
// the snapshot's revision, no session touched after its applied index, history within its
// bounds), that keys come in strictly increasing order (so none twice), and that the
// tables it fills stay within this replica's limits. A snapshot that fails is refused
// whole; the model keeps its current image.

import { compareBytes, ByteReader } from './bytes.ts';
import { decodeWriteResponse } from './codec.ts';
import { validateClientId } from './commands.ts';
import type { ModelConfig } from './config.ts';
import { VstorError } from './errors.ts';
import { decodeEvent } from './events.ts';
import { Section } from './layout.ts';
import { decodeKeyRecord, decodeSession, validateState } from './records.ts';
import type { SnapshotHeader, SnapshotRecord } from './snapshot-stream.ts';

const textDecoder = new TextDecoder('utf-8', { fatal: true });

export class SnapshotChecker {
  private previousKey: Uint8Array | undefined;
  private readonly sessionClientIds = new Set<string>();
  private responseCount = 0;
  private eventCount = 0;

  constructor(
    private readonly header: SnapshotHeader,
    private readonly config: ModelConfig,
  ) {
    validateState(new ByteReader(new Uint8Array(0), 'snapshot header'), header);
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
      case Section.responses:
        return this.checkResponse(suffix, value);
      case Section.events:
        return this.checkEvent(suffix, value);
      default:
        throw malformed(`a record in unknown section ${String(relativeKey[0])}`);
    }
  }

  /** Checks what can only be checked once every record has been seen. */
  finish(): void {
    if (this.responseCount !== this.sessionClientIds.size) {
      throw malformed(`${this.sessionClientIds.size} sessions but ${this.responseCount} session responses`);
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
    if (session.touchedIndex > this.header.appliedIndex) {
      throw malformed(`session ${clientId} touched at index ${session.touchedIndex}, after the snapshot's ${this.header.appliedIndex}`);
    }
    this.sessionClientIds.add(clientId);
    if (this.sessionClientIds.size > this.config.clientsMax) {
      throw new VstorError('FAILED_PRECONDITION', `snapshot: more client sessions than clientsMax (${this.config.clientsMax})`);
    }
  }

  private checkResponse(clientIdBytes: Uint8Array, value: Uint8Array): void {
    const clientId = this.clientId(clientIdBytes);
    if (!this.sessionClientIds.has(clientId)) throw malformed(`a response for client ${clientId}, who has no session`);
    decodeWriteResponse(value, this.config);
    this.responseCount++;
  }

  private checkEvent(positionBytes: Uint8Array, value: Uint8Array): void {
    if (positionBytes.length !== 12) throw malformed(`an event key of ${positionBytes.length} bytes`);
    const view = new DataView(positionBytes.buffer, positionBytes.byteOffset, 12);
    const revision = view.getUint32(0) * 0x1_0000_0000 + view.getUint32(4);
    const event = decodeEvent(value, { revision, subIndex: view.getUint32(8) }, this.config);
    if (event.revision < this.header.historyStartRevision || event.revision > this.header.revision) {
      throw malformed(`an event at revision ${event.revision}, outside the snapshot's history`);
    }
    this.eventCount++;
    if (this.eventCount > this.config.watchHistoryEventsMax) {
      throw new VstorError(
        'FAILED_PRECONDITION',
        `snapshot: more history events than watchHistoryEventsMax (${this.config.watchHistoryEventsMax})`,
      );
    }
  }

  private clientId(bytes: Uint8Array): string {
    let clientId: string;
    try {
      clientId = textDecoder.decode(bytes);
    } catch {
      throw malformed('a client id that is not valid UTF-8');
    }
    validateClientId('snapshot client id', clientId, this.config);
    return clientId;
  }
}

function malformed(problem: string): VstorError {
  return new VstorError('MALFORMED', `snapshot: ${problem}`);
}
