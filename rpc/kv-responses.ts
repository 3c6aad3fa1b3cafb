// The model's answers in the wire's shapes. A model ErrorResponse (a write decided, the
// same way on every replica, to change nothing) becomes the VstorError it describes, so
// that the client sees the same coded error it would for a refused request.
import type { DeleteRangeResponse as WireDeleteRangeResponse } from '../proto/gen/vstor/v1/DeleteRangeResponse.ts';
import type { Event as WireEvent } from '../proto/gen/vstor/v1/Event.ts';
import type { KeyValue as WireKeyValue } from '../proto/gen/vstor/v1/KeyValue.ts';
import type { PutResponse as WirePutResponse } from '../proto/gen/vstor/v1/PutResponse.ts';
import type { RangeResponse as WireRangeResponse } from '../proto/gen/vstor/v1/RangeResponse.ts';
import type { ResponseHeader } from '../proto/gen/vstor/v1/ResponseHeader.ts';
import type { ResponseOp } from '../proto/gen/vstor/v1/ResponseOp.ts';
import type { TxnResponse as WireTxnResponse } from '../proto/gen/vstor/v1/TxnResponse.ts';
import type { WatchResponse } from '../proto/gen/vstor/v1/WatchResponse.ts';
import type {
  DeleteRangeResponse,
  KeyValue,
  PutResponse,
  RangeResponse,
  TxnOperationResponse,
  TxnResponse,
  WatchEvent,
  WriteResponse,
} from '../storage-engine/model/index.ts';
import { assert } from '../consensus/index.ts';
import { VstorError } from './errors.ts';
import type { ClusterNode } from './node-api.ts';
import { raftTermOf } from './node-api.ts';

/** A generous bound on what a KeyValue costs on the wire beyond its key and value: field
 * tags, length prefixes and three varint revisions. */
const KEY_VALUE_WIRE_OVERHEAD_BYTES = 48;

/** Who answered and at which revision. */
export function responseHeader(node: ClusterNode, revision: number): ResponseHeader {
  return { clusterId: node.clusterId, memberId: node.raftId, revision, raftTerm: raftTermOf(node) };
}

export function keyValueToWire(kv: KeyValue): WireKeyValue {
  return { key: kv.key, value: kv.value, createRevision: kv.createRevision, modRevision: kv.modRevision, version: kv.version };
}

/**
 * A range response no larger than about `responseBytesMax`: key-values past that are left
 * out and `more` is set, as for a limit, so that a client never gets a message over its
 * receive limit. The first key-value is always sent (one fits: keys and values are
 * bounded far below any sensible response limit).
 */
export function rangeResponseToWire(header: ResponseHeader, response: RangeResponse, responseBytesMax: number): WireRangeResponse {
  let bytes = 0;
  let sent = 0;
  for (const kv of response.kvs) {
    bytes += kv.key.length + kv.value.length + KEY_VALUE_WIRE_OVERHEAD_BYTES;
    if (sent > 0 && bytes > responseBytesMax) break;
    sent++;
  }
  const kvs = sent === response.kvs.length ? response.kvs : response.kvs.slice(0, sent);
  return { header, kvs: kvs.map(keyValueToWire), more: response.more || sent < response.kvs.length, count: response.count };
}

function failIfError<Expected extends WriteResponse['type']>(
  response: WriteResponse,
  expected: Expected,
): Extract<WriteResponse, { type: Expected }> {
  if (response.type === 'error') throw new VstorError(response.code, response.message);
  assert(response.type === expected, () => `the model answered a ${expected} with a ${response.type} response`);
  return response as Extract<WriteResponse, { type: Expected }>;
}

function putToWire(header: ResponseHeader, response: PutResponse): WirePutResponse {
  return { header, prevKv: response.prevKv === undefined ? null : keyValueToWire(response.prevKv) };
}

function deleteRangeToWire(header: ResponseHeader, response: DeleteRangeResponse): WireDeleteRangeResponse {
  return { header, deleted: response.deleted, prevKvs: response.prevKvs.map(keyValueToWire) };
}

function operationToWire(header: ResponseHeader, response: TxnOperationResponse): ResponseOp {
  return response.type === 'put'
    ? { responsePut: putToWire(header, response) }
    : { responseDeleteRange: deleteRangeToWire(header, response) };
}

export function putResponseToWire(node: ClusterNode, response: WriteResponse): WirePutResponse {
  const put = failIfError(response, 'put');
  return putToWire(responseHeader(node, put.header.revision), put);
}

export function deleteRangeResponseToWire(node: ClusterNode, response: WriteResponse): WireDeleteRangeResponse {
  const deleted = failIfError(response, 'deleteRange');
  return deleteRangeToWire(responseHeader(node, deleted.header.revision), deleted);
}

export function txnResponseToWire(node: ClusterNode, response: WriteResponse): WireTxnResponse {
  const txn: TxnResponse = failIfError(response, 'txn');
  const header = responseHeader(node, txn.header.revision);
  return { header, succeeded: txn.succeeded, responses: txn.responses.map((operation) => operationToWire(header, operation)) };
}

function eventToWire(event: WatchEvent): WireEvent {
  return {
    type: event.type === 'put' ? 'PUT' : 'DELETE',
    kv: keyValueToWire(event.kv),
    prevKv: event.prevKv === undefined ? null : keyValueToWire(event.prevKv),
  };
}

/**
 * Watch responses for `events`, which are in revision order: one response per revision,
 * as the proto promises (all events of one txn together), each with that revision in its
 * header. An event's revision is its key-value's modRevision (for a delete too).
 */
export function watchResponsesToWire(events: readonly WatchEvent[], header: (revision: number) => ResponseHeader): WatchResponse[] {
  const responses: WatchResponse[] = [];
  let revision = -1;
  let current: WireEvent[] = [];
  for (const event of events) {
    if (event.kv.modRevision !== revision) {
      current = [];
      revision = event.kv.modRevision;
      responses.push({ header: header(revision), events: current });
    }
    current.push(eventToWire(event));
  }
  return responses;
}
