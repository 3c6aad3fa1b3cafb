// The batch operations that record one applied entry: key records, watch history (new
// events; the trimmed ones are left to a later clear, see layout.ts), the client session
// with its response, and the state with the applied index. They all go into one batch, so after a crash the model is at the
// entry before or at the entry, never between.

import type { PositionedEvent } from './events.ts';
import { encodeEvent } from './events.ts';
import { eventKey, META_KEY, Section, sectionKey, sessionKey, stateKey } from './layout.ts';
import type { ModelBatchOperation } from './model-database.ts';
import type { SessionTouch } from './sessions.ts';
import type { StateRecord } from './records.ts';
import { encodeKeyRecord, encodeMeta, encodeSession, encodeState } from './records.ts';

export function keyOperations(generation: number, events: readonly PositionedEvent[]): ModelBatchOperation[] {
  return events.map((event) => {
    const key = sectionKey(generation, Section.keys, event.kv.key);
    return event.type === 'put' ? { type: 'put', key, value: encodeKeyRecord(event.kv) } : { type: 'del', key };
  });
}

export function historyOperations(generation: number, events: readonly PositionedEvent[]): ModelBatchOperation[] {
  const operations: ModelBatchOperation[] = [];
  for (const event of events) {
    const { type, kv, prevKv } = event;
    const stored = prevKv === undefined ? { type, kv } : { type, kv, prevKv };
    operations.push({ type: 'put', key: eventKey(generation, event.revision, event.subIndex), value: encodeEvent(stored) });
  }
  return operations;
}

export function sessionOperations(generation: number, touch: SessionTouch, responseBytes: Uint8Array): ModelBatchOperation[] {
  const operations: ModelBatchOperation[] = [];
  for (const clientId of touch.evictedClientIds) operations.push({ type: 'del', key: sessionKey(generation, clientId) });
  const key = sessionKey(generation, touch.clientId);
  operations.push({ type: 'put', key, value: encodeSession(touch.session, responseBytes) });
  return operations;
}

export function stateOperation(generation: number, state: StateRecord): ModelBatchOperation {
  return { type: 'put', key: stateKey(generation), value: encodeState(state) };
}

export function metaOperation(generation: number): ModelBatchOperation {
  return { type: 'put', key: META_KEY, value: encodeMeta({ generation }) };
}
