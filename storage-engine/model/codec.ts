// The binary form of write requests (what goes into a Raft entry) and of their responses
// (what the session table keeps for retries). Deterministic: one request has exactly one
// encoding, so replicas never disagree about bytes. A model entry starts with the two
// bytes "KV" and a codec version; an entry without that tag belongs to someone else in
// the group and the model ignores it.
//
// Decoding never trusts its input: truncation, unknown tags, flag bits or trailing bytes
// are INVALID_ARGUMENT errors naming the field, and a decoded request is validated against the
// limits like one that arrives through the public API.

import { ByteReader, ByteWriter, lengthPrefixedBytes, varintBytes } from './bytes.ts';
import type {
  Compare,
  CompareResult,
  KeyValue,
  TxnOperation,
  TxnOperationResponse,
  WriteCommand,
  WriteRequest,
  WriteResponse,
} from './commands.ts';
import { validateWriteRequest } from './commands.ts';
import type { ModelConfig } from './config.ts';
import type { VstorErrorCode } from './errors.ts';
import { VstorError } from './errors.ts';

export const MODEL_ENTRY_TAG: Readonly<Uint8Array> = Uint8Array.of(0x4b, 0x56);
export const COMMAND_CODEC_VERSION = 1;

const CommandKind = { put: 1, deleteRange: 2, txn: 3 } as const;
const ResponseKind = { put: 1, deleteRange: 2, txn: 3, error: 4 } as const;
const CompareTargetKind = { value: 1, version: 2, createRevision: 3, modRevision: 4 } as const;
const compareResultKinds: readonly CompareResult[] = ['=', '!=', '<', '>'];

/** The longest varint ByteReader accepts. */
const VARINT_BYTES_MAX = 8;

const FLAG_PREV_KV = 0b01;
const FLAG_RANGE_END = 0b10;

/** The longest error code or message a response may carry; messages are ours, so short. */
const ERROR_TEXT_BYTES_MAX = 4096;

/** True when `entryBytes` is a model command (of any codec version). */
export function isModelEntry(entryBytes: Uint8Array): boolean {
  return entryBytes.length >= 2 && entryBytes[0] === MODEL_ENTRY_TAG[0] && entryBytes[1] === MODEL_ENTRY_TAG[1];
}

/** The entry payload for `request`, which must be valid: validate it first. */
export function encodeWriteRequest(request: WriteRequest): Uint8Array {
  // Sized from above at once: a writer grown by doubling copied a put's value three times.
  const writer = new ByteWriter(requestBytesBound(request));
  writer.raw(MODEL_ENTRY_TAG).uint8(COMMAND_CODEC_VERSION);
  writer.string(request.clientId).varint(request.sequence);
  writeCommand(writer, request.command);
  return writer.finish();
}

/** The request in a model entry: INVALID_ARGUMENT or UNSUPPORTED_FORMAT if not. */
export function decodeWriteRequest(entryBytes: Uint8Array, config: ModelConfig): WriteRequest {
  const reader = new ByteReader(entryBytes, 'command');
  if (!isModelEntry(entryBytes)) throw reader.malformed('tag', 'not a model entry');
  reader.stepOver('tag', MODEL_ENTRY_TAG.length);
  const version = reader.uint8('version');
  if (version !== COMMAND_CODEC_VERSION) {
    throw new VstorError(
      'UNSUPPORTED_FORMAT',
      `command: codec version ${version} is not known to this replica (knows ${COMMAND_CODEC_VERSION})`,
    );
  }
  const clientId = reader.string('clientId', config.clientIdBytesMax);
  const sequence = reader.varint('sequence');
  const command = readCommand(reader, config);
  reader.expectEnd();
  const request = { clientId, sequence, command };
  validateWriteRequest(request, config);
  return request;
}

/** The most bytes encodeWriteRequest() writes for `request`: every varint counted at its
 * longest (8 bytes) and every character of the client id at 3 bytes of UTF-8. */
function requestBytesBound(request: WriteRequest): number {
  const { command } = request;
  let bytes = MODEL_ENTRY_TAG.length + 1 + VARINT_BYTES_MAX + request.clientId.length * 3 + VARINT_BYTES_MAX;
  if (command.type !== 'txn') return bytes + operationBound(command);
  bytes += 1 + VARINT_BYTES_MAX * 3;
  for (const compare of command.compare) bytes += 2 + VARINT_BYTES_MAX * 2 + compare.key.length + (compare.target === 'value' ? compare.value.length : 0);
  for (const operation of command.success) bytes += operationBound(operation);
  for (const operation of command.failure) bytes += operationBound(operation);
  return bytes;
}

function operationBound(operation: TxnOperation): number {
  return 2 + VARINT_BYTES_MAX * 2 + operation.key.length + (operation.type === 'put' ? operation.value.length : (operation.rangeEnd?.length ?? 0));
}

function writeCommand(writer: ByteWriter, command: WriteCommand): void {
  if (command.type === 'txn') {
    writer.uint8(CommandKind.txn).varint(command.compare.length);
    for (const compare of command.compare) writeCompare(writer, compare);
    writeBranch(writer, command.success);
    writeBranch(writer, command.failure);
  } else {
    writeOperation(writer, command);
  }
}

function writeBranch(writer: ByteWriter, operations: readonly TxnOperation[]): void {
  writer.varint(operations.length);
  for (const operation of operations) writeOperation(writer, operation);
}

function writeOperation(writer: ByteWriter, operation: TxnOperation): void {
  const prevKvFlag = operation.prevKv === true ? FLAG_PREV_KV : 0;
  if (operation.type === 'put') {
    writer.uint8(CommandKind.put).uint8(prevKvFlag).bytes(operation.key).bytes(operation.value);
  } else {
    const rangeEndFlag = operation.rangeEnd === undefined ? 0 : FLAG_RANGE_END;
    writer.uint8(CommandKind.deleteRange).uint8(prevKvFlag | rangeEndFlag).bytes(operation.key);
    if (operation.rangeEnd !== undefined) writer.bytes(operation.rangeEnd);
  }
}

function writeCompare(writer: ByteWriter, compare: Compare): void {
  writer.uint8(CompareTargetKind[compare.target]).uint8(compareResultKinds.indexOf(compare.result) + 1);
  writer.bytes(compare.key);
  switch (compare.target) {
    case 'value':
      writer.bytes(compare.value);
      break;
    case 'version':
      writer.varint(compare.version);
      break;
    case 'createRevision':
      writer.varint(compare.createRevision);
      break;
    case 'modRevision':
      writer.varint(compare.modRevision);
      break;
  }
}

function readCommand(reader: ByteReader, config: ModelConfig): WriteCommand {
  const kind = reader.uint8('command.kind');
  if (kind !== CommandKind.txn) return readOperationBody(reader, kind, 'command', config);
  const compare: Compare[] = [];
  const compareCount = readCount(reader, 'command.compare', config.txnOperationsMax);
  for (let index = 0; index < compareCount; index++) compare.push(readCompare(reader, `command.compare[${index}]`, config));
  const success = readBranch(reader, 'command.success', config);
  const failure = readBranch(reader, 'command.failure', config);
  return { type: 'txn', compare, success, failure };
}

function readBranch(reader: ByteReader, field: string, config: ModelConfig): TxnOperation[] {
  const count = readCount(reader, field, config.txnOperationsMax);
  const operations: TxnOperation[] = [];
  for (let index = 0; index < count; index++) {
    const operationField = `${field}[${index}]`;
    operations.push(readOperationBody(reader, reader.uint8(`${operationField}.kind`), operationField, config));
  }
  return operations;
}

/** A count checked against its limit before anything is allocated for it. */
function readCount(reader: ByteReader, field: string, countMax: number): number {
  const count = reader.varint(`${field}.length`);
  if (count > countMax) throw reader.malformed(`${field}.length`, `${count} exceeds the limit of ${countMax}`);
  return count;
}

function readFlags(reader: ByteReader, field: string, allowed: number): number {
  const flags = reader.uint8(field);
  if ((flags & ~allowed) !== 0) throw reader.malformed(field, `unknown flag bits 0x${flags.toString(16)}`);
  return flags;
}

function readOperationBody(reader: ByteReader, kind: number, field: string, config: ModelConfig): TxnOperation {
  if (kind === CommandKind.put) {
    const flags = readFlags(reader, `${field}.flags`, FLAG_PREV_KV);
    const key = reader.bytes(`${field}.key`, config.keyBytesMax);
    const value = reader.bytes(`${field}.value`, config.valueBytesMax);
    return flags & FLAG_PREV_KV ? { type: 'put', key, value, prevKv: true } : { type: 'put', key, value };
  }
  if (kind === CommandKind.deleteRange) {
    const flags = readFlags(reader, `${field}.flags`, FLAG_PREV_KV | FLAG_RANGE_END);
    const operation: TxnOperation = { type: 'deleteRange', key: reader.bytes(`${field}.key`, config.keyBytesMax) };
    if (flags & FLAG_RANGE_END) operation.rangeEnd = reader.bytes(`${field}.rangeEnd`, config.keyBytesMax);
    if (flags & FLAG_PREV_KV) operation.prevKv = true;
    return operation;
  }
  throw reader.malformed(`${field}.kind`, `unknown operation kind ${kind}`);
}

function readCompare(reader: ByteReader, field: string, config: ModelConfig): Compare {
  const targetKind = reader.uint8(`${field}.target`);
  const resultKind = reader.uint8(`${field}.result`);
  const result = compareResultKinds[resultKind - 1];
  if (result === undefined) throw reader.malformed(`${field}.result`, `unknown compare result ${resultKind}`);
  const key = reader.bytes(`${field}.key`, config.keyBytesMax);
  switch (targetKind) {
    case CompareTargetKind.value:
      return { target: 'value', key, result, value: reader.bytes(`${field}.value`, config.valueBytesMax) };
    case CompareTargetKind.version:
      return { target: 'version', key, result, version: reader.varint(`${field}.version`) };
    case CompareTargetKind.createRevision:
      return { target: 'createRevision', key, result, createRevision: reader.varint(`${field}.createRevision`) };
    case CompareTargetKind.modRevision:
      return { target: 'modRevision', key, result, modRevision: reader.varint(`${field}.modRevision`) };
    default:
      throw reader.malformed(`${field}.target`, `unknown compare target ${targetKind}`);
  }
}

/** How many bytes writeKeyValue() writes. */
export function keyValueBytes(keyValue: KeyValue): number {
  return (
    lengthPrefixedBytes(keyValue.key.length) +
    lengthPrefixedBytes(keyValue.value.length) +
    varintBytes(keyValue.createRevision) +
    varintBytes(keyValue.modRevision) +
    varintBytes(keyValue.version)
  );
}

export function writeKeyValue(writer: ByteWriter, keyValue: KeyValue): void {
  writer.bytes(keyValue.key).bytes(keyValue.value);
  writer.varint(keyValue.createRevision).varint(keyValue.modRevision).varint(keyValue.version);
}

export function readKeyValue(reader: ByteReader, field: string, config: ModelConfig): KeyValue {
  return {
    key: reader.bytes(`${field}.key`, config.keyBytesMax),
    value: reader.bytes(`${field}.value`, config.valueBytesMax),
    createRevision: reader.varint(`${field}.createRevision`),
    modRevision: reader.varint(`${field}.modRevision`),
    version: reader.varint(`${field}.version`),
  };
}

export function encodeWriteResponse(response: WriteResponse): Uint8Array {
  const writer = new ByteWriter();
  writer.uint8(ResponseKind[response.type]).varint(response.header.revision);
  switch (response.type) {
    case 'txn':
      writer.uint8(response.succeeded ? 1 : 0).varint(response.responses.length);
      for (const operationResponse of response.responses) {
        writer.uint8(ResponseKind[operationResponse.type]);
        writeOperationResponse(writer, operationResponse);
      }
      break;
    case 'error':
      writer.string(response.code).string(response.message);
      break;
    default:
      writeOperationResponse(writer, response);
  }
  return writer.finish();
}

function writeOperationResponse(writer: ByteWriter, response: TxnOperationResponse): void {
  if (response.type === 'put') {
    writer.uint8(response.prevKv === undefined ? 0 : 1);
    if (response.prevKv !== undefined) writeKeyValue(writer, response.prevKv);
  } else {
    writer.varint(response.deleted).varint(response.prevKvs.length);
    for (const keyValue of response.prevKvs) writeKeyValue(writer, keyValue);
  }
}

export function decodeWriteResponse(bytes: Uint8Array, config: ModelConfig): WriteResponse {
  const reader = new ByteReader(bytes, 'response');
  const kind = reader.uint8('kind');
  const header = { revision: reader.varint('header.revision') };
  let response: WriteResponse;
  if (kind === ResponseKind.txn) {
    const succeeded = reader.boolean('succeeded');
    const count = readCount(reader, 'responses', config.txnOperationsMax);
    const responses: TxnOperationResponse[] = [];
    for (let index = 0; index < count; index++) {
      const field = `responses[${index}]`;
      responses.push(readOperationResponse(reader, reader.uint8(`${field}.kind`), header, field, config));
    }
    response = { type: 'txn', header, succeeded, responses };
  } else if (kind === ResponseKind.error) {
    const code = reader.string('code', ERROR_TEXT_BYTES_MAX) as VstorErrorCode;
    response = { type: 'error', header, code, message: reader.string('message', ERROR_TEXT_BYTES_MAX) };
  } else {
    response = readOperationResponse(reader, kind, header, 'response', config);
  }
  reader.expectEnd();
  return response;
}

function readOperationResponse(
  reader: ByteReader,
  kind: number,
  header: { revision: number },
  field: string,
  config: ModelConfig,
): TxnOperationResponse {
  if (kind === ResponseKind.put) {
    if (!reader.boolean(`${field}.hasPrevKv`)) return { type: 'put', header };
    return { type: 'put', header, prevKv: readKeyValue(reader, `${field}.prevKv`, config) };
  }
  if (kind === ResponseKind.deleteRange) {
    const deleted = reader.varint(`${field}.deleted`);
    const count = readCount(reader, `${field}.prevKvs`, config.writeKeysMax);
    const prevKvs: KeyValue[] = [];
    for (let index = 0; index < count; index++) prevKvs.push(readKeyValue(reader, `${field}.prevKvs[${index}]`, config));
    return { type: 'deleteRange', header, deleted, prevKvs };
  }
  throw reader.malformed(`${field}.kind`, `unknown response kind ${kind}`);
}
