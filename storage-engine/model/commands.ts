// What clients ask of the model, and what it answers: the write requests that go through
// the Raft log (put, range delete, txn), their responses, and range reads. The semantics
// are etcd's v3 KV API without leases: every key carries createRevision, modRevision and
// version, and each write entry that changes something is one new revision.
//
// validateWriteRequest() is the public edge: a proposer calls it before encoding, and the
// codec calls it again on decode, so that nothing out of its limits reaches the log or
// the state.

import type { ModelConfig } from './config.ts';
import type { VstorErrorCode } from './errors.ts';
import { invalidArgument } from './errors.ts';
import { KeyRange } from './key-range.ts';

export interface KeyValue {
  key: Uint8Array;
  value: Uint8Array;
  /** The revision that created the key; a key deleted and put again gets a new one. */
  createRevision: number;
  /** The revision of the last change to the key. */
  modRevision: number;
  /** Puts since the key was created: 1 after the first, back to 0 once deleted. */
  version: number;
}

export interface PutCommand {
  type: 'put';
  key: Uint8Array;
  value: Uint8Array;
  /** Return the key-value as it was before the put. */
  prevKv?: boolean;
}

export interface DeleteRangeCommand {
  type: 'deleteRange';
  key: Uint8Array;
  /** See key-range.ts: absent deletes `key` only; [0x00] deletes every key from `key` on. */
  rangeEnd?: Uint8Array;
  /** Return the deleted key-values. */
  prevKv?: boolean;
}

export type CompareResult = '=' | '!=' | '<' | '>';

/**
 * A condition on one key. A missing key has version, createRevision and modRevision 0,
 * and every compare of its value fails (as in etcd: there is no value to compare).
 */
export type Compare =
  | { target: 'value'; key: Uint8Array; result: CompareResult; value: Uint8Array }
  | { target: 'version'; key: Uint8Array; result: CompareResult; version: number }
  | { target: 'createRevision'; key: Uint8Array; result: CompareResult; createRevision: number }
  | { target: 'modRevision'; key: Uint8Array; result: CompareResult; modRevision: number };

export type CompareTarget = Compare['target'];

export type TxnOperation = PutCommand | DeleteRangeCommand;

/**
 * If every compare holds, the success operations apply, otherwise the failure ones; all of
 * one branch take effect together at one revision, or none does. As in etcd, a branch may
 * not write a key twice: no two puts of one key, no put of a key a range delete covers.
 */
export interface TxnCommand {
  type: 'txn';
  compare: Compare[];
  success: TxnOperation[];
  failure: TxnOperation[];
}

export type WriteCommand = PutCommand | DeleteRangeCommand | TxnCommand;

/**
 * A write with its at-most-once identity: a client numbers its writes 1, 2, 3, … and has
 * at most one outstanding, so a retry of sequence n after n was applied gets the response
 * of the first application instead of applying again.
 */
export interface WriteRequest {
  clientId: string;
  sequence: number;
  command: WriteCommand;
}

export interface ResponseHeader {
  /** The model's revision once the write was applied. */
  revision: number;
}

export interface PutResponse {
  type: 'put';
  header: ResponseHeader;
  prevKv?: KeyValue;
}

export interface DeleteRangeResponse {
  type: 'deleteRange';
  header: ResponseHeader;
  deleted: number;
  /** The deleted key-values in key order; empty unless prevKv was asked. */
  prevKvs: KeyValue[];
}

export type TxnOperationResponse = PutResponse | DeleteRangeResponse;

export interface TxnResponse {
  type: 'txn';
  header: ResponseHeader;
  succeeded: boolean;
  responses: TxnOperationResponse[];
}

/** A write that was decided, deterministically on every replica, to change nothing. */
export interface ErrorResponse {
  type: 'error';
  header: ResponseHeader;
  code: VstorErrorCode;
  message: string;
}

export type WriteResponse = PutResponse | DeleteRangeResponse | TxnResponse | ErrorResponse;

export interface RangeRequest {
  key: Uint8Array;
  /** See key-range.ts. Not together with `prefix`. */
  rangeEnd?: Uint8Array;
  /** Every key that starts with `key`. */
  prefix?: boolean;
  /** The most key-values to return: 1 to rangeKeysMax, which is also the default. */
  limit?: number;
  /** Descending key order. */
  reverse?: boolean;
  /** Key-values with empty values. */
  keysOnly?: boolean;
  /** No key-values at all, only the count. */
  countOnly?: boolean;
}

export interface RangeResponse {
  header: ResponseHeader;
  kvs: KeyValue[];
  /** True when the range holds more keys than were returned. */
  more: boolean;
  /** The number of keys in the range, whatever the limit. */
  count: number;
}

const compareResults: readonly string[] = ['=', '!=', '<', '>'];
const numericTargets = { version: 'version', createRevision: 'createRevision', modRevision: 'modRevision' } as const;

export function validateKey(
  field: string,
  key: unknown,
  config: Pick<ModelConfig, 'keyBytesMax'>,
): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array)) throw invalidArgument(field, 'must be a Uint8Array');
  if (key.length === 0) throw invalidArgument(field, 'must not be empty');
  if (key.length > config.keyBytesMax) {
    throw invalidArgument(field, `${key.length} bytes exceeds keyBytesMax (${config.keyBytesMax})`);
  }
}

/** A rangeEnd may be [0x00] (unbounded) or any key; undefined means a single key. */
export function validateRangeEnd(field: string, rangeEnd: unknown, config: Pick<ModelConfig, 'keyBytesMax'>): void {
  if (rangeEnd === undefined) return;
  validateKey(field, rangeEnd, config);
}

function validateValue(field: string, value: unknown, config: ModelConfig): void {
  if (!(value instanceof Uint8Array)) throw invalidArgument(field, 'must be a Uint8Array');
  if (value.length > config.valueBytesMax) {
    throw invalidArgument(field, `${value.length} bytes exceeds valueBytesMax (${config.valueBytesMax})`);
  }
}

function validateOptionalBoolean(field: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') throw invalidArgument(field, 'must be a boolean');
}

function validateCount(field: string, value: unknown): void {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw invalidArgument(field, `must be a non-negative integer, got ${String(value)}`);
  }
}

function validateOperation(field: string, operation: TxnOperation, config: ModelConfig): void {
  if (typeof operation !== 'object' || operation === null) throw invalidArgument(field, 'must be an object');
  if (operation.type === 'put') {
    validateKey(`${field}.key`, operation.key, config);
    validateValue(`${field}.value`, operation.value, config);
    validateOptionalBoolean(`${field}.prevKv`, operation.prevKv);
  } else if (operation.type === 'deleteRange') {
    validateKey(`${field}.key`, operation.key, config);
    validateRangeEnd(`${field}.rangeEnd`, operation.rangeEnd, config);
    validateOptionalBoolean(`${field}.prevKv`, operation.prevKv);
  } else {
    throw invalidArgument(`${field}.type`, `unknown operation ${String((operation as { type: unknown }).type)}`);
  }
}

function validateCompare(field: string, compare: Compare, config: ModelConfig): void {
  if (typeof compare !== 'object' || compare === null) throw invalidArgument(field, 'must be an object');
  validateKey(`${field}.key`, compare.key, config);
  if (!compareResults.includes(compare.result)) {
    throw invalidArgument(`${field}.result`, `must be one of ${compareResults.join(' ')}, got ${String(compare.result)}`);
  }
  if (compare.target === 'value') {
    validateValue(`${field}.value`, compare.value, config);
  } else if (Object.hasOwn(numericTargets, compare.target)) {
    const target = numericTargets[compare.target];
    validateCount(`${field}.${target}`, (compare as Record<string, unknown>)[target]);
  } else {
    throw invalidArgument(`${field}.target`, `unknown target ${String((compare as { target: unknown }).target)}`);
  }
}

function validateBranch(field: string, operations: unknown, config: ModelConfig): void {
  if (!Array.isArray(operations)) throw invalidArgument(field, 'must be an array');
  if (operations.length > config.txnOperationsMax) {
    throw invalidArgument(field, `${operations.length} operations exceed txnOperationsMax (${config.txnOperationsMax})`);
  }
  const branch = operations as TxnOperation[];
  branch.forEach((operation, index) => validateOperation(`${field}[${index}]`, operation, config));
  // A key written twice in one branch would make the result depend on operation order
  // within a single revision; etcd refuses it, and so do we.
  const putKeys = new Set<string>();
  const deletedRanges: KeyRange[] = [];
  for (const operation of branch) {
    if (operation.type === 'deleteRange') deletedRanges.push(new KeyRange(operation.key, operation.rangeEnd));
  }
  branch.forEach((operation, index) => {
    if (operation.type !== 'put') return;
    const keyText = Buffer.from(operation.key).toString('latin1');
    if (putKeys.has(keyText)) throw invalidArgument(`${field}[${index}].key`, 'key is put twice in one txn branch');
    putKeys.add(keyText);
    if (deletedRanges.some((range) => range.contains(operation.key))) {
      throw invalidArgument(`${field}[${index}].key`, 'key is both put and deleted in one txn branch');
    }
  });
}

function validateCommand(field: string, command: WriteCommand, config: ModelConfig): void {
  if (typeof command !== 'object' || command === null) throw invalidArgument(field, 'must be an object');
  if (command.type === 'put' || command.type === 'deleteRange') {
    validateOperation(field, command, config);
    return;
  }
  if (command.type !== 'txn') {
    throw invalidArgument(`${field}.type`, `unknown command ${String((command as { type: unknown }).type)}`);
  }
  if (!Array.isArray(command.compare)) throw invalidArgument(`${field}.compare`, 'must be an array');
  if (command.compare.length > config.txnOperationsMax) {
    throw invalidArgument(
      `${field}.compare`,
      `${command.compare.length} compares exceed txnOperationsMax (${config.txnOperationsMax})`,
    );
  }
  command.compare.forEach((compare, index) => validateCompare(`${field}.compare[${index}]`, compare, config));
  validateBranch(`${field}.success`, command.success, config);
  validateBranch(`${field}.failure`, command.failure, config);
}

export function validateClientId(field: string, clientId: unknown, config: ModelConfig): void {
  if (typeof clientId !== 'string' || clientId.length === 0) throw invalidArgument(field, 'must be a non-empty string');
  // Buffer.byteLength counts what TextEncoder would write (a lone surrogate as the 3 bytes
  // of U+FFFD) without writing it.
  const bytes = Buffer.byteLength(clientId, 'utf8');
  if (bytes > config.clientIdBytesMax) {
    throw invalidArgument(field, `${bytes} bytes exceeds clientIdBytesMax (${config.clientIdBytesMax})`);
  }
}

/** Throws INVALID_ARGUMENT naming the first field out of its range or limit. */
export function validateWriteRequest(request: WriteRequest, config: ModelConfig): void {
  if (typeof request !== 'object' || request === null) throw invalidArgument('request', 'must be an object');
  validateClientId('clientId', request.clientId, config);
  if (!Number.isSafeInteger(request.sequence) || request.sequence < 1) {
    throw invalidArgument('sequence', `must be a positive integer, got ${String(request.sequence)}`);
  }
  validateCommand('command', request.command, config);
}
