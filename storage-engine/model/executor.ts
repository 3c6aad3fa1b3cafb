// The meaning of one write command, separated from how it is stored: given a way to read
// the current keys, it decides the response and the changes (as watch events), and writes
// nothing. The state machine turns the changes into one batch. Everything here is a
// function of the command and the current state, which is what keeps replicas identical.
//
// A command that would break a limit that depends on the state (too many keys changed, a
// response too large) yields an error response and no changes at all: a txn applies every
// operation of its branch or none.

import { EMPTY_BYTES, compareBytes } from './bytes.ts';
import { encodeWriteResponse } from './codec.ts';
import type {
  Compare,
  DeleteRangeCommand,
  ErrorResponse,
  KeyValue,
  PutCommand,
  ResponseHeader,
  TxnCommand,
  TxnOperationResponse,
  WriteCommand,
  WriteResponse,
} from './commands.ts';
import type { ModelConfig } from './config.ts';
import type { VstorErrorCode } from './errors.ts';
import type { WatchEvent } from './events.ts';
import { KeyRange } from './key-range.ts';

export interface KeyReader {
  get(key: Uint8Array): Promise<KeyValue | undefined>;
  /** The first `countMax` key-values of `range`, in key order. */
  range(range: KeyRange, countMax: number): Promise<KeyValue[]>;
}

export interface Execution {
  /** The model's revision after the command: one more than before if anything changed. */
  revision: number;
  response: WriteResponse;
  responseBytes: Uint8Array;
  /** The changes in the order they happened; each becomes a key write and a watch event. */
  changes: WatchEvent[];
}

/** Thrown inside an execution to abandon it with an error response. */
class ExecutionLimit extends Error {
  constructor(
    readonly code: VstorErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export async function executeCommand(
  command: WriteCommand,
  reader: KeyReader,
  currentRevision: number,
  config: ModelConfig,
): Promise<Execution> {
  const execution = new CommandExecution(reader, currentRevision + 1, config);
  try {
    const result = await execution.run(command);
    const revision = execution.changes.length > 0 ? currentRevision + 1 : currentRevision;
    const response = withHeader(result, { revision });
    const responseBytes = encodeWriteResponse(response);
    if (responseBytes.length > config.responseBytesMax) {
      throw new ExecutionLimit(
        'RESOURCE_EXHAUSTED',
        `the response would be ${responseBytes.length} bytes, more than responseBytesMax (${config.responseBytesMax})`,
      );
    }
    return { revision, response, responseBytes, changes: execution.changes };
  } catch (error) {
    if (!(error instanceof ExecutionLimit)) throw error;
    const response: ErrorResponse = {
      type: 'error',
      header: { revision: currentRevision },
      code: error.code,
      message: error.message,
    };
    return { revision: currentRevision, response, responseBytes: encodeWriteResponse(response), changes: [] };
  }
}

/** A response before the revision it ends at is known. */
type Headerless<Response> = Response extends unknown ? Omit<Response, 'header'> : never;
type HeaderlessOperationResponse = Headerless<TxnOperationResponse>;
type HeaderlessResponse =
  | HeaderlessOperationResponse
  | { type: 'txn'; succeeded: boolean; responses: HeaderlessOperationResponse[] };

function withHeader(result: HeaderlessResponse, header: ResponseHeader): WriteResponse {
  if (result.type === 'txn') {
    return {
      type: 'txn',
      header,
      succeeded: result.succeeded,
      responses: result.responses.map((response) => ({ ...response, header }) as TxnOperationResponse),
    };
  }
  return { ...result, header } as TxnOperationResponse;
}

function compareHolds(compare: Compare, current: KeyValue | undefined): boolean {
  let difference: number;
  if (compare.target === 'value') {
    // A missing key has no value to compare, so every value compare on it fails.
    if (current === undefined) return false;
    difference = compareBytes(current.value, compare.value);
  } else {
    const actual = current === undefined ? 0 : current[compare.target];
    const expected =
      compare.target === 'version'
        ? compare.version
        : compare.target === 'createRevision'
          ? compare.createRevision
          : compare.modRevision;
    difference = actual - expected;
  }
  switch (compare.result) {
    case '=':
      return difference === 0;
    case '!=':
      return difference !== 0;
    case '<':
      return difference < 0;
    case '>':
      return difference > 0;
  }
}

class CommandExecution {
  readonly changes: WatchEvent[] = [];
  /** Keys deleted so far, so that overlapping range deletes of one txn count each once. */
  private readonly deletedKeys = new Set<string>();

  constructor(
    private readonly reader: KeyReader,
    private readonly nextRevision: number,
    private readonly config: ModelConfig,
  ) {}

  async run(command: WriteCommand): Promise<HeaderlessResponse> {
    switch (command.type) {
      case 'put':
        return this.put(command);
      case 'deleteRange':
        return this.deleteRange(command);
      case 'txn':
        return this.txn(command);
    }
  }

  private async txn(command: TxnCommand): Promise<HeaderlessResponse> {
    let succeeded = true;
    for (const compare of command.compare) {
      if (!compareHolds(compare, await this.reader.get(compare.key))) {
        succeeded = false;
        break;
      }
    }
    const responses: HeaderlessOperationResponse[] = [];
    for (const operation of succeeded ? command.success : command.failure) {
      responses.push(operation.type === 'put' ? await this.put(operation) : await this.deleteRange(operation));
    }
    return { type: 'txn', succeeded, responses };
  }

  private async put(command: PutCommand): Promise<HeaderlessOperationResponse> {
    this.reserveChanges(1);
    const previous = await this.reader.get(command.key);
    const kv: KeyValue = {
      key: command.key,
      value: command.value,
      createRevision: previous?.createRevision ?? this.nextRevision,
      modRevision: this.nextRevision,
      version: (previous?.version ?? 0) + 1,
    };
    this.changes.push(previous === undefined ? { type: 'put', kv } : { type: 'put', kv, prevKv: previous });
    return command.prevKv === true && previous !== undefined ? { type: 'put', prevKv: previous } : { type: 'put' };
  }

  private async deleteRange(command: DeleteRangeCommand): Promise<HeaderlessOperationResponse> {
    const range = new KeyRange(command.key, command.rangeEnd);
    const room = this.config.writeKeysMax - this.changes.length;
    // Keys an earlier delete of this txn removed are still in the database; read past them.
    const found = await this.reader.range(range, room + 1 + this.deletedKeys.size);
    const deleted = found.filter((kv) => !this.deletedKeys.has(keyText(kv.key)));
    this.reserveChanges(deleted.length);
    for (const previous of deleted) {
      this.deletedKeys.add(keyText(previous.key));
      const kv = { key: previous.key, value: EMPTY_BYTES, createRevision: 0, modRevision: this.nextRevision, version: 0 };
      this.changes.push({ type: 'delete', kv, prevKv: previous });
    }
    return { type: 'deleteRange', deleted: deleted.length, prevKvs: command.prevKv === true ? deleted : [] };
  }

  private reserveChanges(count: number): void {
    if (this.changes.length + count > this.config.writeKeysMax) {
      throw new ExecutionLimit(
        'RESOURCE_EXHAUSTED',
        `the write would change more than writeKeysMax (${this.config.writeKeysMax}) keys`,
      );
    }
  }
}

function keyText(key: Uint8Array): string {
  return Buffer.from(key).toString('latin1');
}
