// The KV service's edge: wire requests (proto-loader's decoded objects) checked and turned
// into the model's requests. Everything a client can get wrong is refused here with
// INVALID_ARGUMENT and a message that names the field as the .proto spells it
// ("success[0].request_put.value: ..."), before anything reaches the Raft log: empty keys,
// keys and values over their limits, unset enums and oneofs, 64-bit numbers beyond 2^53
// (rpc/proto-files.ts), a Txn operation that carries its own (client_id, sequence).
//
// The model validates again (validateWriteRequest, which also refuses a key written twice
// in one Txn branch); that second check costs little and keeps the model safe from any
// caller, as abstract-level's public methods do.
import type { Compare__Output as WireCompare } from '../proto/gen/vstor/v1/Compare.ts';
import type { DeleteRangeRequest__Output as DeleteRangeRequest } from '../proto/gen/vstor/v1/DeleteRangeRequest.ts';
import type { PutRequest__Output as PutRequest } from '../proto/gen/vstor/v1/PutRequest.ts';
import type { RangeRequest__Output as WireRangeRequest } from '../proto/gen/vstor/v1/RangeRequest.ts';
import type { RequestOp__Output as RequestOp } from '../proto/gen/vstor/v1/RequestOp.ts';
import type { TxnRequest__Output as TxnRequest } from '../proto/gen/vstor/v1/TxnRequest.ts';
import type { WatchRequest__Output as WireWatchRequest } from '../proto/gen/vstor/v1/WatchRequest.ts';
import type {
  Compare,
  CompareResult,
  ModelConfig,
  RangeRequest,
  TxnOperation,
  WatchRequest,
  WriteCommand,
  WriteRequest,
} from '../storage-engine/model/index.ts';
import { isVstorError, validateWriteRequest } from '../storage-engine/model/index.ts';
import { VstorError } from './errors.ts';

/** The model's limits that the edge checks; the daemon passes the model's own config. */
export type KvLimits = ModelConfig;

export function invalidArgument(field: string, problem: string): VstorError {
  return new VstorError('INVALID_ARGUMENT', `${field}: ${problem}`);
}

function bytesOf(field: string, value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw invalidArgument(field, 'must be bytes');
  return value;
}

function keyOf(field: string, value: unknown, limits: KvLimits): Uint8Array {
  const key = bytesOf(field, value);
  if (key.length === 0) throw invalidArgument(field, 'must not be empty');
  if (key.length > limits.keyBytesMax) throw invalidArgument(field, `${key.length} bytes exceeds keyBytesMax (${limits.keyBytesMax})`);
  return key;
}

/** An empty range_end means the single key; anything else is checked like a key. */
function rangeEndOf(field: string, value: unknown, limits: KvLimits): Uint8Array | undefined {
  const rangeEnd = bytesOf(field, value);
  if (rangeEnd.length === 0) return undefined;
  return keyOf(field, rangeEnd, limits);
}

function valueOf(field: string, value: unknown, limits: KvLimits): Uint8Array {
  const bytes = bytesOf(field, value);
  if (bytes.length > limits.valueBytesMax) throw invalidArgument(field, `${bytes.length} bytes exceeds valueBytesMax (${limits.valueBytesMax})`);
  return bytes;
}

/** A uint64 as proto-loader hands it (a Number); refused at 2^53 and beyond. */
function countOf(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalidArgument(field, `must be an integer from 0 to 2^53-1, got ${String(value)}`);
  }
  return value;
}

function flagOf(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalidArgument(field, 'must be a boolean');
  return value;
}

function identityOf(clientIdValue: unknown, sequenceValue: unknown, limits: KvLimits): { clientId: string; sequence: number } {
  if (typeof clientIdValue !== 'string' || clientIdValue.length === 0) {
    throw invalidArgument('client_id', 'must be set: every write carries (client_id, sequence) so that a retry is applied at most once');
  }
  const clientIdBytes = Buffer.byteLength(clientIdValue, 'utf8');
  if (clientIdBytes > limits.clientIdBytesMax) {
    throw invalidArgument('client_id', `${clientIdBytes} bytes exceeds clientIdBytesMax (${limits.clientIdBytesMax})`);
  }
  if (typeof sequenceValue !== 'number' || !Number.isSafeInteger(sequenceValue) || sequenceValue < 1) {
    throw invalidArgument('sequence', `must be an integer from 1 to 2^53-1, got ${String(sequenceValue)}`);
  }
  return { clientId: clientIdValue, sequence: sequenceValue };
}

/** Inside a Txn the Txn's pair counts; a pair on an operation would be silently ignored. */
function refuseNestedIdentity(field: string, clientId: unknown, sequence: unknown): void {
  if (clientId !== '' && clientId !== undefined) throw invalidArgument(`${field}.client_id`, 'must be empty inside a txn (the txn\'s own pair counts)');
  if (sequence !== 0 && sequence !== undefined) throw invalidArgument(`${field}.sequence`, 'must be 0 inside a txn (the txn\'s own pair counts)');
}

/** A read as the KV service serves it: the model's request, and how to serve it. */
export interface ReadRequest {
  range: RangeRequest;
  /** Skip the read barrier: this member's state, possibly stale. */
  serializable: boolean;
  /** The revision asked for; 0 for the current one. */
  revision: number;
}

export function readRequestFromWire(wire: WireRangeRequest, limits: KvLimits): ReadRequest {
  const range: RangeRequest = { key: keyOf('key', wire.key, limits) };
  const rangeEnd = rangeEndOf('range_end', wire.rangeEnd, limits);
  if (rangeEnd !== undefined) range.rangeEnd = rangeEnd;
  // The proto says 0 means "the server's own limit"; a larger limit gets the server's too,
  // and `more` tells the client there is more to read.
  const limit = countOf('limit', wire.limit);
  if (limit > 0) range.limit = Math.min(limit, limits.rangeKeysMax);
  if (flagOf('keys_only', wire.keysOnly)) range.keysOnly = true;
  if (flagOf('count_only', wire.countOnly)) range.countOnly = true;
  if (flagOf('reverse', wire.reverse)) range.reverse = true;
  return { range, serializable: flagOf('serializable', wire.serializable), revision: countOf('revision', wire.revision) };
}

function putCommandOf(field: string, wire: PutRequest, limits: KvLimits): TxnOperation {
  const command: TxnOperation = { type: 'put', key: keyOf(`${field}key`, wire.key, limits), value: valueOf(`${field}value`, wire.value, limits) };
  if (flagOf(`${field}prev_kv`, wire.prevKv)) command.prevKv = true;
  return command;
}

function deleteCommandOf(field: string, wire: DeleteRangeRequest, limits: KvLimits): TxnOperation {
  const command: TxnOperation = { type: 'deleteRange', key: keyOf(`${field}key`, wire.key, limits) };
  const rangeEnd = rangeEndOf(`${field}range_end`, wire.rangeEnd, limits);
  if (rangeEnd !== undefined) command.rangeEnd = rangeEnd;
  if (flagOf(`${field}prev_kv`, wire.prevKv)) command.prevKv = true;
  return command;
}

export function putFromWire(wire: PutRequest, limits: KvLimits): WriteRequest {
  const command = putCommandOf('', wire, limits);
  return checkedWrite({ ...identityOf(wire.clientId, wire.sequence, limits), command }, limits);
}

export function deleteRangeFromWire(wire: DeleteRangeRequest, limits: KvLimits): WriteRequest {
  const command = deleteCommandOf('', wire, limits);
  return checkedWrite({ ...identityOf(wire.clientId, wire.sequence, limits), command }, limits);
}

const compareResults: Readonly<Record<string, CompareResult>> = { EQUAL: '=', NOT_EQUAL: '!=', LESS: '<', GREATER: '>' };

function compareOf(field: string, wire: WireCompare, limits: KvLimits): Compare {
  const key = keyOf(`${field}.key`, wire.key, limits);
  const result = typeof wire.result === 'string' ? compareResults[wire.result] : undefined;
  if (result === undefined) {
    const problem = wire.result === 'RESULT_UNSPECIFIED' ? 'must be set' : `unknown value ${String(wire.result)}`;
    throw invalidArgument(`${field}.result`, `${problem} (EQUAL, NOT_EQUAL, LESS or GREATER)`);
  }
  switch (wire.target) {
    case 'value':
      return { target: 'value', key, result, value: valueOf(`${field}.value`, wire.value, limits) };
    case 'version':
      return { target: 'version', key, result, version: countOf(`${field}.version`, wire.version) };
    case 'createRevision':
      return { target: 'createRevision', key, result, createRevision: countOf(`${field}.create_revision`, wire.createRevision) };
    case 'modRevision':
      return { target: 'modRevision', key, result, modRevision: countOf(`${field}.mod_revision`, wire.modRevision) };
    default:
      throw invalidArgument(`${field}.target`, 'must be set: one of value, version, create_revision, mod_revision');
  }
}

function operationOf(field: string, wire: RequestOp, limits: KvLimits): TxnOperation {
  if (wire.request === 'requestPut' && wire.requestPut !== null && wire.requestPut !== undefined) {
    refuseNestedIdentity(`${field}.request_put`, wire.requestPut.clientId, wire.requestPut.sequence);
    return putCommandOf(`${field}.request_put.`, wire.requestPut, limits);
  }
  if (wire.request === 'requestDeleteRange' && wire.requestDeleteRange !== null && wire.requestDeleteRange !== undefined) {
    refuseNestedIdentity(`${field}.request_delete_range`, wire.requestDeleteRange.clientId, wire.requestDeleteRange.sequence);
    return deleteCommandOf(`${field}.request_delete_range.`, wire.requestDeleteRange, limits);
  }
  if (wire.request === 'requestRange') {
    // The model applies a txn's writes at one revision but has no reads inside a txn; a
    // client that needs one reads first and compares on mod_revision.
    throw new VstorError('UNIMPLEMENTED', `${field}.request_range: reads inside a txn are not supported; use Range and compare on mod_revision`);
  }
  throw invalidArgument(`${field}.request`, 'must be set: one of request_put, request_delete_range');
}

function listOf<Item>(field: string, items: unknown, limits: KvLimits): Item[] {
  if (!Array.isArray(items)) throw invalidArgument(field, 'must be a list');
  if (items.length > limits.txnOperationsMax) {
    throw invalidArgument(field, `${items.length} entries exceed txnOperationsMax (${limits.txnOperationsMax})`);
  }
  return items as Item[];
}

export function txnFromWire(wire: TxnRequest, limits: KvLimits): WriteRequest {
  const identity = identityOf(wire.clientId, wire.sequence, limits);
  const compare = listOf<WireCompare>('compare', wire.compare, limits).map((item, index) => compareOf(`compare[${index}]`, item, limits));
  const branch = (name: 'success' | 'failure'): TxnOperation[] =>
    listOf<RequestOp>(name, wire[name], limits).map((item, index) => operationOf(`${name}[${index}]`, item, limits));
  const command: WriteCommand = { type: 'txn', compare, success: branch('success'), failure: branch('failure') };
  return checkedWrite({ ...identity, command }, limits);
}

/** The model's own check, with its field names ("command.success[1].key") shortened to
 * what a client sent ("success[1].key"). */
function checkedWrite(request: WriteRequest, limits: KvLimits): WriteRequest {
  try {
    validateWriteRequest(request, limits);
  } catch (error) {
    if (isVstorError(error, 'INVALID_ARGUMENT')) throw new VstorError('INVALID_ARGUMENT', error.message.replace(/^command\./, ''));
    throw error;
  }
  return request;
}

export interface WatchStart {
  request: WatchRequest;
  progressNotify: boolean;
}

export function watchFromWire(wire: WireWatchRequest, limits: KvLimits): WatchStart {
  const request: WatchRequest = { key: keyOf('key', wire.key, limits) };
  const rangeEnd = rangeEndOf('range_end', wire.rangeEnd, limits);
  if (rangeEnd !== undefined) request.rangeEnd = rangeEnd;
  const startRevision = countOf('start_revision', wire.startRevision);
  if (startRevision > 0) request.startRevision = startRevision;
  if (flagOf('prev_kv', wire.prevKv)) request.prevKv = true;
  return { request, progressNotify: flagOf('progress_notify', wire.progressNotify) };
}
