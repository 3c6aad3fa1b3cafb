// The JSON document `vstorctl kv txn` reads, checked in full before anything is sent:
//
//   {
//     "compare": [{ "key": "a", "result": "=", "value": "1" },
//                 { "key": "b", "result": "=", "version": 0 }],
//     "success": [{ "type": "put", "key": "a", "value": "2" }],
//     "failure": [{ "type": "delete", "key": "lock/", "prefix": true }]
//   }
//
// A comparison names exactly one of value, version, createRevision or modRevision, which
// is what it compares (a key that does not exist has version 0). Operations are put and
// delete. Keys and values are UTF-8 text, as on the command line. Every error names the
// field it is about (`success[1].key`), and unknown fields are errors: a misspelt "sucess"
// must not silently leave a branch empty.

import type { TxnCompare, TxnOperation, TxnOptions } from '../rpc/client.ts';
import { UsageError } from './vstorctl-args.ts';

/** The largest document read, as the default requestBytesMax: a bigger txn would be refused. */
export const TXN_DOCUMENT_BYTES_MAX = 4 * 1024 * 1024;

type Fields = Record<string, unknown>;

const compareResults = ['=', '!=', '<', '>'] as const;
const compareTargets = ['value', 'version', 'createRevision', 'modRevision'] as const;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function fail(field: string, problem: string): never {
  throw new UsageError(field === '' ? problem : `${field}: ${problem}`);
}

function object(value: unknown, field: string, allowed: readonly string[]): Fields {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(field === '' ? 'the document' : field, `must be an object, got ${describe(value)}`);
  for (const name of Object.keys(value)) {
    if (!allowed.includes(name)) fail(field === '' ? name : `${field}.${name}`, `unknown field (expected one of: ${allowed.join(', ')})`);
  }
  return value as Fields;
}

function list(fields: Fields, name: string): unknown[] {
  const value = fields[name];
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(name, `must be a list, got ${describe(value)}`);
  return value;
}

function text(fields: Fields, name: string, field: string, emptyAllowed: boolean): string {
  const value = fields[name];
  if (value === undefined) fail(`${field}.${name}`, 'is required');
  if (typeof value !== 'string') fail(`${field}.${name}`, `must be a string, got ${describe(value)}`);
  if (value === '' && !emptyAllowed) fail(`${field}.${name}`, 'must not be empty');
  return value;
}

function count(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(field, `must be an integer of at least 0, got ${describe(value)}`);
  return value;
}

function parseCompare(value: unknown, field: string): TxnCompare {
  const fields = object(value, field, ['key', 'result', ...compareTargets]);
  const key = text(fields, 'key', field, false);
  const result = fields.result;
  if (result === undefined) fail(`${field}.result`, `is required (one of ${compareResults.join(' ')})`);
  if (typeof result !== 'string' || !(compareResults as readonly string[]).includes(result)) {
    fail(`${field}.result`, `must be one of ${compareResults.join(' ')}, got ${describe(result)}`);
  }
  const comparison = { key, result: result as TxnCompare['result'] };
  const targets = compareTargets.filter((target) => fields[target] !== undefined);
  if (targets.length !== 1) fail(field, `must have exactly one of ${compareTargets.join(', ')}${targets.length > 1 ? `, got ${targets.join(' and ')}` : ''}`);
  const target = targets[0]!;
  if (target === 'value') return { ...comparison, target, value: text(fields, 'value', field, true) };
  const number = count(fields[target], `${field}.${target}`);
  if (target === 'version') return { ...comparison, target, version: number };
  if (target === 'createRevision') return { ...comparison, target, createRevision: number };
  return { ...comparison, target, modRevision: number };
}

function parseOperation(value: unknown, field: string): TxnOperation {
  const type = (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields).type : undefined);
  if (type === 'put') {
    const fields = object(value, field, ['type', 'key', 'value']);
    return { type, key: text(fields, 'key', field, false), value: text(fields, 'value', field, true) };
  }
  if (type === 'delete') {
    const fields = object(value, field, ['type', 'key', 'prefix']);
    const prefix = fields.prefix ?? false;
    if (typeof prefix !== 'boolean') fail(`${field}.prefix`, `must be true or false, got ${describe(prefix)}`);
    return { type, key: text(fields, 'key', field, prefix), prefix };
  }
  object(value, field, ['type', 'key', 'value', 'prefix']);
  fail(`${field}.type`, type === undefined ? 'is required (put or delete)' : `must be put or delete, got ${describe(type)}`);
}

/** The transaction `document` describes; a UsageError naming the field if it is wrong. */
export function parseTxnDocument(document: string): TxnOptions {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch (error) {
    fail('', `not valid JSON: ${(error as Error).message}`);
  }
  const fields = object(parsed, '', ['compare', 'success', 'failure']);
  const compare = list(fields, 'compare').map((entry, index) => parseCompare(entry, `compare[${index}]`));
  const success = list(fields, 'success').map((entry, index) => parseOperation(entry, `success[${index}]`));
  const failure = list(fields, 'failure').map((entry, index) => parseOperation(entry, `failure[${index}]`));
  return { compare, success, failure };
}
