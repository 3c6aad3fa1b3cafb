// A deliberately naive model of the KV semantics for the model-based test: a Map from key
// to value and metadata, a revision counter, a session per client and a list of events.
// It shares no code with storage-engine/model/ beyond the types, so that agreement between
// the two means something.

import type {
  Compare,
  KeyValue,
  RangeRequest,
  RangeResponse,
  TxnOperation,
  TxnOperationResponse,
  WriteCommand,
  WriteRequest,
  WriteResponse,
} from '../../storage-engine/model/commands.ts';

interface Entry {
  value: string;
  createRevision: number;
  modRevision: number;
  version: number;
}

/** A response before its header is known, one variant at a time. */
type Headerless = PutHeaderless | DeleteHeaderless;
type PutHeaderless = Omit<Extract<TxnOperationResponse, { type: 'put' }>, 'header'>;
type DeleteHeaderless = Omit<Extract<TxnOperationResponse, { type: 'deleteRange' }>, 'header'>;

const asText = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
const asBytes = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));

/** Is `key` in etcd's range [start, end)? See key-range.ts for the rules being mirrored. */
function inRange(key: string, start: string, end: string | undefined): boolean {
  if (end === undefined || end === '') return key === start;
  if (end === '\0') return key >= start;
  return key >= start && key < end;
}

function prefixEnd(prefix: string): string {
  for (let index = prefix.length - 1; index >= 0; index--) {
    if (prefix.charCodeAt(index) < 0xff) return prefix.slice(0, index) + String.fromCharCode(prefix.charCodeAt(index) + 1);
  }
  return '\0';
}

export class ReferenceModel {
  revision = 1;
  readonly events: string[] = [];
  private readonly keys = new Map<string, Entry>();
  /** In the order clients were last served a new request, oldest first. */
  private readonly sessions = new Map<string, { sequence: number; response: WriteResponse }>();

  constructor(
    private readonly writeKeysMax: number,
    private readonly clientsMax: number,
  ) {}

  apply(request: WriteRequest): WriteResponse {
    const session = this.sessions.get(request.clientId);
    if (session !== undefined && request.sequence === session.sequence) return session.response;
    if (session !== undefined && request.sequence < session.sequence) {
      return { type: 'error', header: { revision: this.revision }, code: 'FAILED_PRECONDITION', message: '' };
    }
    const response = this.execute(request.command);
    if (session === undefined && this.sessions.size === this.clientsMax) {
      this.sessions.delete(this.sessions.keys().next().value!);
    }
    this.sessions.delete(request.clientId);
    this.sessions.set(request.clientId, { sequence: request.sequence, response });
    return response;
  }

  range(request: RangeRequest): Omit<RangeResponse, 'header'> {
    const start = asText(request.key);
    const end = request.prefix === true ? prefixEnd(start) : request.rangeEnd === undefined ? undefined : asText(request.rangeEnd);
    const matching = [...this.keys.keys()].filter((key) => inRange(key, start, end)).sort();
    if (request.reverse === true) matching.reverse();
    const limit = request.limit === undefined || request.limit === 0 ? Number.POSITIVE_INFINITY : request.limit;
    const kvs = request.countOnly === true ? [] : matching.slice(0, limit).map((key) => this.keyValue(key));
    if (request.keysOnly === true) for (const entry of kvs) entry.value = new Uint8Array(0);
    return { kvs, count: matching.length, more: request.countOnly !== true && matching.length > kvs.length };
  }

  /** Every key in order, in the form helpers.ts dump() uses. */
  dump(): { revision: number; kvs: string[] } {
    const kvs = [...this.keys.keys()].sort().map((key) => {
      const entry = this.keys.get(key)!;
      return `${key}=${entry.value} c${entry.createRevision} m${entry.modRevision} v${entry.version}`;
    });
    return { revision: this.revision, kvs };
  }

  private keyValue(key: string): KeyValue {
    const entry = this.keys.get(key)!;
    return { key: asBytes(key), value: asBytes(entry.value), createRevision: entry.createRevision, modRevision: entry.modRevision, version: entry.version };
  }

  private execute(command: WriteCommand): WriteResponse {
    // Work on a copy; keep it only if the whole command fits the limits.
    const next = new Map(this.keys);
    const events: string[] = [];
    const revision = this.revision + 1;
    const run = (operation: TxnOperation): Headerless | undefined => {
      if (operation.type === 'put') {
        const key = asText(operation.key);
        const previous = next.get(key);
        next.set(key, {
          value: asText(operation.value),
          createRevision: previous?.createRevision ?? revision,
          modRevision: revision,
          version: (previous?.version ?? 0) + 1,
        });
        events.push(`put ${key}@${revision}`);
        const prevKv = previous === undefined || operation.prevKv !== true ? undefined : this.keyValueOf(key, previous);
        return prevKv === undefined ? { type: 'put' } : { type: 'put', prevKv };
      }
      const start = asText(operation.key);
      const end = operation.rangeEnd === undefined ? undefined : asText(operation.rangeEnd);
      const deleted = [...next.keys()].filter((key) => inRange(key, start, end)).sort();
      const prevKvs = deleted.map((key) => ({ ...this.keyValueOf(key, next.get(key)!) }));
      for (const key of deleted) {
        next.delete(key);
        events.push(`delete ${key}@${revision}`);
      }
      return { type: 'deleteRange', deleted: deleted.length, prevKvs: operation.prevKv === true ? prevKvs : [] };
    };

    let result: { type: 'txn'; succeeded: boolean; responses: Array<Headerless> } | Headerless;
    if (command.type === 'txn') {
      const succeeded = command.compare.every((compare) => this.holds(compare));
      result = { type: 'txn', succeeded, responses: (succeeded ? command.success : command.failure).map((operation) => run(operation)!) };
    } else {
      result = run(command)!;
    }
    if (events.length > this.writeKeysMax) {
      return { type: 'error', header: { revision: this.revision }, code: 'RESOURCE_EXHAUSTED', message: '' };
    }
    if (events.length > 0) {
      this.revision = revision;
      this.keys.clear();
      for (const [key, entry] of next) this.keys.set(key, entry);
      this.events.push(...events);
    }
    const header = { revision: this.revision };
    if (result.type === 'txn') {
      return { ...result, header, responses: result.responses.map((response) => ({ ...response, header }) as TxnOperationResponse) };
    }
    return { ...result, header } as TxnOperationResponse;
  }

  private keyValueOf(key: string, entry: Entry): KeyValue {
    return { key: asBytes(key), value: asBytes(entry.value), createRevision: entry.createRevision, modRevision: entry.modRevision, version: entry.version };
  }

  private holds(compare: Compare): boolean {
    const entry = this.keys.get(asText(compare.key));
    let difference: number;
    if (compare.target === 'value') {
      if (entry === undefined) return false;
      const actual = entry.value;
      const expected = asText(compare.value);
      difference = actual < expected ? -1 : actual > expected ? 1 : 0;
    } else {
      const actual = entry === undefined ? 0 : entry[compare.target];
      const expected = compare.target === 'version' ? compare.version : compare.target === 'createRevision' ? compare.createRevision : compare.modRevision;
      difference = actual - expected;
    }
    return { '=': difference === 0, '!=': difference !== 0, '<': difference < 0, '>': difference > 0 }[compare.result];
  }
}
