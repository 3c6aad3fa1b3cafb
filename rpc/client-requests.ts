// The client library's inputs, convenient to write (text or bytes, "prefix" instead of a
// computed range end, "=" instead of Compare.Result.EQUAL), turned into wire requests. The
// server checks everything; nothing here duplicates its limits.
import type { Compare } from '../proto/gen/vstor/v1/Compare.ts';
import type { RangeRequest } from '../proto/gen/vstor/v1/RangeRequest.ts';
import type { RequestOp } from '../proto/gen/vstor/v1/RequestOp.ts';
import type { WatchRequest } from '../proto/gen/vstor/v1/WatchRequest.ts';
import { prefixEnd, RANGE_END_UNBOUNDED } from '../storage-engine/model/index.ts';
import { VstorError } from './errors.ts';

/** A key or value: text (sent as UTF-8) or bytes. */
export type Bytes = string | Uint8Array;

export function toBytes(value: Bytes): Uint8Array {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

/** Which keys: one key, [key, rangeEnd), or every key that starts with `key`. */
export interface KeySelector {
  key: Bytes;
  /** Exclusive; "\0" means no upper bound. Not together with `prefix`. */
  rangeEnd?: Bytes;
  /** Every key that starts with `key`; an empty `key` then selects every key. */
  prefix?: boolean;
}

/** The wire's key and range_end for `selector`. */
export function keyRangeToWire(selector: KeySelector): { key: Uint8Array; rangeEnd: Uint8Array } {
  const key = toBytes(selector.key);
  if (selector.prefix === true) {
    if (selector.rangeEnd !== undefined) throw new VstorError('INVALID_ARGUMENT', 'prefix: cannot be given together with rangeEnd');
    // Keys are never empty, so the empty prefix starts at the smallest key there is.
    if (key.length === 0) return { key: Uint8Array.of(0), rangeEnd: RANGE_END_UNBOUNDED };
    // A copy: prefixEnd slices its argument, and Buffer#slice shares memory, so on a
    // Buffer it would increment the caller's key as well.
    return { key, rangeEnd: prefixEnd(new Uint8Array(key)) };
  }
  return { key, rangeEnd: selector.rangeEnd === undefined ? new Uint8Array(0) : toBytes(selector.rangeEnd) };
}

export interface RangeOptions extends KeySelector {
  /** The most key-values returned; 0 or absent: the server's limit. */
  limit?: number;
  reverse?: boolean;
  keysOnly?: boolean;
  countOnly?: boolean;
  /** This member's state, without the linearizable read barrier. */
  serializable?: boolean;
  /** Read at this revision (only the current one can be read). */
  revision?: number;
}

export function rangeRequestToWire(options: RangeOptions): RangeRequest {
  return {
    ...keyRangeToWire(options),
    limit: options.limit ?? 0,
    revision: options.revision ?? 0,
    serializable: options.serializable === true,
    keysOnly: options.keysOnly === true,
    countOnly: options.countOnly === true,
    reverse: options.reverse === true,
  };
}

export type CompareResultSymbol = '=' | '!=' | '<' | '>';

/** One condition of a txn: the key's value, version, createRevision or modRevision. */
export type TxnCompare = { key: Bytes; result: CompareResultSymbol } & (
  | { target: 'value'; value: Bytes }
  | { target: 'version'; version: number }
  | { target: 'createRevision'; createRevision: number }
  | { target: 'modRevision'; modRevision: number }
);

export type TxnOperation =
  | { type: 'put'; key: Bytes; value: Bytes; prevKv?: boolean }
  | ({ type: 'delete'; prevKv?: boolean } & KeySelector);

export interface TxnOptions {
  compare: TxnCompare[];
  success: TxnOperation[];
  failure?: TxnOperation[];
}

const compareResults = { '=': 'EQUAL', '!=': 'NOT_EQUAL', '<': 'LESS', '>': 'GREATER' } as const;

function compareToWire(compare: TxnCompare): Compare {
  const wire: Compare = { key: toBytes(compare.key), result: compareResults[compare.result], target: compare.target };
  switch (compare.target) {
    case 'value':
      return { ...wire, value: toBytes(compare.value) };
    case 'version':
      return { ...wire, version: compare.version };
    case 'createRevision':
      return { ...wire, createRevision: compare.createRevision };
    case 'modRevision':
      return { ...wire, modRevision: compare.modRevision };
  }
}

function operationToWire(operation: TxnOperation): RequestOp {
  if (operation.type === 'put') {
    return { requestPut: { key: toBytes(operation.key), value: toBytes(operation.value), prevKv: operation.prevKv === true } };
  }
  return { requestDeleteRange: { ...keyRangeToWire(operation), prevKv: operation.prevKv === true } };
}

export function txnToWire(options: TxnOptions): { compare: Compare[]; success: RequestOp[]; failure: RequestOp[] } {
  return {
    compare: options.compare.map(compareToWire),
    success: options.success.map(operationToWire),
    failure: (options.failure ?? []).map(operationToWire),
  };
}

export interface WatchOptions extends KeySelector {
  /** The first revision to report; absent: changes after the current revision. */
  startRevision?: number;
  prevKv?: boolean;
  /** Also yield an empty batch from time to time with the revision seen up to. */
  progressNotify?: boolean;
}

export function watchRequestToWire(options: WatchOptions, startRevision: number): WatchRequest {
  return {
    ...keyRangeToWire(options),
    startRevision,
    prevKv: options.prevKv === true,
    progressNotify: options.progressNotify === true,
  };
}
