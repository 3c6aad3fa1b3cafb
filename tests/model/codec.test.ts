// Proves that the command codec is exact and distrustful: every request survives a round
// trip bit for bit; every truncation, unknown tag, stray flag, non-minimal varint or trailing
// byte is an INVALID_ARGUMENT error that names the field; a newer codec version is
// UNSUPPORTED_FORMAT; and a request out of its limits is INVALID_ARGUMENT naming the field,
// whether it comes through the API or out of a decoded entry. The stored records' encoders
// size their buffers exactly (watch events, session keys) and round-trip too.

import type { ExecutionContext } from 'ava';
import test from 'ava';
import { ByteWriter, varintBytes } from '../../storage-engine/model/bytes.ts';
import { decodeEvent, encodeEvent } from '../../storage-engine/model/events.ts';
import { Section, sectionKey, sessionKey } from '../../storage-engine/model/layout.ts';
import {
  COMMAND_CODEC_VERSION,
  decodeWriteRequest,
  decodeWriteResponse,
  encodeWriteRequest,
  encodeWriteResponse,
  isModelEntry,
  keyValueBytes,
  MODEL_ENTRY_TAG,
  writeKeyValue,
} from '../../storage-engine/model/codec.ts';
import type { WriteRequest, WriteResponse } from '../../storage-engine/model/commands.ts';
import { validateWriteRequest } from '../../storage-engine/model/commands.ts';
import { defaultModelConfig, modelConfig } from '../../storage-engine/model/config.ts';
import type { VstorErrorCode } from '../../storage-engine/model/errors.ts';
import { isVstorError, VstorError } from '../../storage-engine/model/errors.ts';
import { prefixEnd, RANGE_END_UNBOUNDED } from '../../storage-engine/model/key-range.ts';
import { bytes, del, kv, put } from './helpers.ts';

const config = modelConfig({ keyBytesMax: 16, valueBytesMax: 32, txnOperationsMax: 4, clientIdBytesMax: 8, writeKeysMax: 8 });

const requests: Record<string, WriteRequest> = {
  put: { clientId: 'c1', sequence: 1, command: { type: 'put', key: bytes('k'), value: bytes('v') } },
  putWithPrevKvAndEmptyValue: {
    clientId: 'c1',
    sequence: 2 ** 40,
    command: { type: 'put', key: bytes('k'), value: new Uint8Array(0), prevKv: true },
  },
  deleteOne: { clientId: 'é', sequence: 3, command: { type: 'deleteRange', key: bytes('a') } },
  deleteRange: {
    clientId: 'c2',
    sequence: 300,
    command: { type: 'deleteRange', key: bytes('a'), rangeEnd: RANGE_END_UNBOUNDED, prevKv: true },
  },
  txn: {
    clientId: 'c3',
    sequence: 7,
    command: {
      type: 'txn',
      compare: [
        { target: 'value', key: bytes('a'), result: '=', value: bytes('x') },
        { target: 'version', key: bytes('b'), result: '!=', version: 0 },
        { target: 'createRevision', key: bytes('c'), result: '<', createRevision: 5 },
        { target: 'modRevision', key: bytes('d'), result: '>', modRevision: 2 ** 50 },
      ],
      success: [put('a', 'y', true), del('m', 'p', true)],
      failure: [del('z')],
    },
  },
  emptyTxn: { clientId: 'c4', sequence: 1, command: { type: 'txn', compare: [], success: [], failure: [] } },
};

function expectCode(t: ExecutionContext, run: () => unknown, code: VstorErrorCode, fieldPattern?: RegExp): void {
  const error = t.throws(run, { instanceOf: VstorError });
  t.is(error?.code, code, error?.message);
  if (fieldPattern !== undefined) t.regex(error?.message ?? '', fieldPattern);
}

test('every kind of request survives a round trip unchanged', (t) => {
  for (const [name, request] of Object.entries(requests)) {
    const encoded = encodeWriteRequest(request);
    t.true(isModelEntry(encoded), name);
    t.deepEqual(decodeWriteRequest(encoded, config), request, name);
    t.deepEqual(encodeWriteRequest(decodeWriteRequest(encoded, config)), encoded, `${name} re-encodes to the same bytes`);
  }
});

test('the encoding is deterministic and starts with the model tag and version', (t) => {
  const first = encodeWriteRequest(requests.txn!);
  const second = encodeWriteRequest(structuredClone(requests.txn!));
  t.deepEqual(first, second);
  t.deepEqual([...first.subarray(0, 3)], [...MODEL_ENTRY_TAG, COMMAND_CODEC_VERSION]);
});

test('every truncation of every request is an INVALID_ARGUMENT error', (t) => {
  for (const [name, request] of Object.entries(requests)) {
    const encoded = encodeWriteRequest(request);
    for (let length = 0; length < encoded.length; length++) {
      expectCode(t, () => decodeWriteRequest(encoded.subarray(0, length), config), 'INVALID_ARGUMENT');
    }
    t.pass(name);
  }
});

test('trailing bytes, unknown kinds and flags, bad varints and bad UTF-8 are INVALID_ARGUMENT, naming the field', (t) => {
  const put = encodeWriteRequest(requests.put!);
  const header = [...MODEL_ENTRY_TAG, COMMAND_CODEC_VERSION];
  expectCode(t, () => decodeWriteRequest(Uint8Array.from([...put, 0]), config), 'INVALID_ARGUMENT', /trailing/);
  // header, clientId "c1", sequence 1, then the command kind
  expectCode(t, () => decodeWriteRequest(Uint8Array.from([...header, 2, 99, 49, 1, 9]), config), 'INVALID_ARGUMENT', /command\.kind/);
  expectCode(t, () => decodeWriteRequest(Uint8Array.from([...header, 2, 99, 49, 1, 1, 0x80, 1, 107, 0]), config), 'INVALID_ARGUMENT', /flags/);
  expectCode(t, () => decodeWriteRequest(Uint8Array.from([...header, 2, 99, 49, 0x81, 0x00]), config), 'INVALID_ARGUMENT', /sequence.*minimal/);
  expectCode(t, () => decodeWriteRequest(Uint8Array.from([...header, 1, 0xff, 1]), config), 'INVALID_ARGUMENT', /clientId.*UTF-8/);
  expectCode(t, () => decodeWriteRequest(Uint8Array.from([...header, 2, 99, 49, 1, 3, 1, 9, 1, 1, 97]), config), 'INVALID_ARGUMENT', /compare\[0\]\.target/);
  expectCode(t, () => decodeWriteRequest(Uint8Array.from([9, 9, 1]), config), 'INVALID_ARGUMENT', /not a model entry/);
  const tooLong = new ByteWriter().raw(Uint8Array.from(header)).string('c1').varint(1).uint8(1).uint8(0);
  tooLong.bytes(new Uint8Array(17)).bytes(new Uint8Array(0));
  expectCode(t, () => decodeWriteRequest(tooLong.finish(), config), 'INVALID_ARGUMENT', /command\.key: length 17 exceeds/);
});

test('a newer codec version is UNSUPPORTED_FORMAT, not a silent skip', (t) => {
  const encoded = encodeWriteRequest(requests.put!);
  encoded[2] = COMMAND_CODEC_VERSION + 1;
  expectCode(t, () => decodeWriteRequest(encoded, config), 'UNSUPPORTED_FORMAT');
});

test('requests out of their limits are INVALID_ARGUMENT naming the field', (t) => {
  const cases: Array<[string, WriteRequest, RegExp]> = [
    ['empty client id', { ...requests.put!, clientId: '' }, /^clientId/],
    ['long client id', { ...requests.put!, clientId: 'ninechars' }, /^clientId: 9 bytes exceeds clientIdBytesMax/],
    // Counted in UTF-8 bytes, not characters; a lone surrogate as the 3 bytes it is encoded as.
    ['client id long in UTF-8', { ...requests.put!, clientId: 'ééééé' }, /^clientId: 10 bytes exceeds clientIdBytesMax/],
    ['client id of lone surrogates', { ...requests.put!, clientId: '\uD800\uD800\uD800' }, /^clientId: 9 bytes exceeds clientIdBytesMax/],
    ['sequence 0', { ...requests.put!, sequence: 0 }, /^sequence/],
    ['fractional sequence', { ...requests.put!, sequence: 1.5 }, /^sequence/],
    ['empty key', { ...requests.put!, command: { type: 'put', key: new Uint8Array(0), value: bytes('v') } }, /^command\.key: must not be empty/],
    ['long key', { ...requests.put!, command: { type: 'put', key: new Uint8Array(17), value: bytes('v') } }, /^command\.key: 17 bytes exceeds keyBytesMax/],
    ['long value', { ...requests.put!, command: { type: 'put', key: bytes('k'), value: new Uint8Array(33) } }, /^command\.value: 33 bytes exceeds valueBytesMax/],
    [
      'long rangeEnd',
      { ...requests.put!, command: { type: 'deleteRange', key: bytes('k'), rangeEnd: new Uint8Array(17) } },
      /^command\.rangeEnd/,
    ],
    [
      'too many compares',
      { ...requests.put!, command: { type: 'txn', compare: Array(5).fill({ target: 'version', key: bytes('a'), result: '=', version: 1 }), success: [], failure: [] } },
      /^command\.compare: 5 compares exceed txnOperationsMax/,
    ],
    [
      'too many operations',
      { ...requests.put!, command: { type: 'txn', compare: [], success: [], failure: ['a', 'b', 'c', 'd', 'e'].map((key) => put(key, 'v')) } },
      /^command\.failure: 5 operations exceed txnOperationsMax/,
    ],
    [
      'negative compare version',
      { ...requests.put!, command: { type: 'txn', compare: [{ target: 'version', key: bytes('a'), result: '=', version: -1 }], success: [], failure: [] } },
      /^command\.compare\[0\]\.version/,
    ],
    [
      'unknown compare result',
      { ...requests.put!, command: { type: 'txn', compare: [{ target: 'version', key: bytes('a'), result: '>=' as '>', version: 1 }], success: [], failure: [] } },
      /^command\.compare\[0\]\.result/,
    ],
    [
      'a key put twice in one branch',
      { ...requests.put!, command: { type: 'txn', compare: [], success: [put('a', '1'), put('a', '2')], failure: [] } },
      /^command\.success\[1\]\.key: key is put twice/,
    ],
    [
      'a key put and deleted in one branch',
      { ...requests.put!, command: { type: 'txn', compare: [], success: [del('a', 'c'), put('b', '2')], failure: [] } },
      /^command\.success\[1\]\.key: key is both put and deleted/,
    ],
  ];
  for (const [name, request, field] of cases) {
    const error = t.throws(() => validateWriteRequest(request, config), { instanceOf: VstorError }, name);
    t.is(error?.code, 'INVALID_ARGUMENT', name);
    t.regex(error?.message ?? '', field, name);
  }
});

test('a decoded entry is validated against the limits too', (t) => {
  // encodeWriteRequest trusts its caller, so it can write what validation would refuse.
  const request: WriteRequest = {
    clientId: 'c',
    sequence: 1,
    command: { type: 'txn', compare: [], success: [put('a', '1'), put('a', '2')], failure: [] },
  };
  expectCode(t, () => decodeWriteRequest(encodeWriteRequest(request), config), 'INVALID_ARGUMENT', /command\.success\[1\]\.key/);
});

test('responses survive a round trip, including errors and txn sub-responses', (t) => {
  const header = { revision: 12 };
  const responses: WriteResponse[] = [
    { type: 'put', header },
    { type: 'put', header, prevKv: kv('a', 'old', 2, 5, 3) },
    { type: 'deleteRange', header, deleted: 2, prevKvs: [kv('a', '1', 2, 2, 1), kv('b', '', 3, 4, 2)] },
    { type: 'deleteRange', header, deleted: 2, prevKvs: [] },
    { type: 'txn', header, succeeded: false, responses: [{ type: 'put', header }, { type: 'deleteRange', header, deleted: 0, prevKvs: [] }] },
    { type: 'error', header, code: 'RESOURCE_EXHAUSTED', message: 'too much' },
  ];
  for (const response of responses) t.deepEqual(decodeWriteResponse(encodeWriteResponse(response), config), response);
  const encoded = encodeWriteResponse(responses[2]!);
  for (let length = 0; length < encoded.length; length++) {
    t.true(isVstorError(t.throws(() => decodeWriteResponse(encoded.subarray(0, length), config)), 'INVALID_ARGUMENT'));
  }
});

test('configuration limits are validated, naming the field', (t) => {
  t.deepEqual(modelConfig(), { ...defaultModelConfig });
  expectCode(t, () => modelConfig({ keyBytesMax: 0 }), 'INVALID_ARGUMENT', /config\.keyBytesMax/);
  expectCode(t, () => modelConfig({ clientsMax: 1.5 }), 'INVALID_ARGUMENT', /config\.clientsMax/);
  expectCode(t, () => modelConfig({ watchHistoryEventsMax: 10, writeKeysMax: 20, txnOperationsMax: 4 }), 'INVALID_ARGUMENT', /config\.watchHistoryEventsMax/);
  expectCode(t, () => modelConfig({ responseBytesMax: 100 }), 'INVALID_ARGUMENT', /config\.responseBytesMax/);
  expectCode(t, () => modelConfig({ bogusMax: 1 } as object), 'INVALID_ARGUMENT', /config\.bogusMax: unknown/);
});

test('prefixEnd is the first key after every key with the prefix', (t) => {
  t.deepEqual(prefixEnd(bytes('abc')), bytes('abd'));
  t.deepEqual(prefixEnd(Uint8Array.of(0x61, 0xff, 0xff)), Uint8Array.of(0x62));
  t.deepEqual(prefixEnd(Uint8Array.of(0xff, 0xff)), RANGE_END_UNBOUNDED);
});


test('a session key holds the client id as UTF-8 after the section byte, whatever its characters', (t) => {
  for (const clientId of ['c', 'client-42', 'élève/日本/🚀', 'x'.repeat(128)]) {
    const key = sessionKey(7, clientId);
    t.deepEqual(key, sectionKey(7, Section.sessions, new TextEncoder().encode(clientId)), clientId);
    t.is(key.byteLength, key.buffer.byteLength, 'the key owns its buffer');
  }
});

test('varintBytes and keyValueBytes give exactly what the writer writes, at every varint length', (t) => {
  for (const value of [0, 1, 127, 128, 16_383, 16_384, 2 ** 21, 2 ** 35 + 5, Number.MAX_SAFE_INTEGER]) {
    t.is(varintBytes(value), new ByteWriter(1).varint(value).byteLength, String(value));
  }
  const keyValue = kv('k'.repeat(200), 'v'.repeat(300), 2 ** 14, 2 ** 28, 127);
  const writer = new ByteWriter(1);
  writeKeyValue(writer, keyValue);
  t.is(keyValueBytes(keyValue), writer.byteLength);
});

test('a watch event survives a round trip with and without prevKv; the prevKv shares the event key', (t) => {
  const config = defaultModelConfig;
  const put = { type: 'put' as const, kv: kv('key', 'new', 2, 300, 2), prevKv: kv('key', 'old'.repeat(100), 2, 2, 1) };
  const first = { type: 'put' as const, kv: kv('key', 'v', 200, 200, 1) };
  const deletion = { type: 'delete' as const, kv: { ...kv('key', '', 0, 301, 0) }, prevKv: put.kv };
  for (const [event, revision] of [[put, 300], [first, 200], [deletion, 301]] as const) {
    const encoded = encodeEvent(event);
    t.is(Object.getPrototypeOf(encoded), Uint8Array.prototype, 'a plain Uint8Array, not a Buffer');
    t.deepEqual(decodeEvent(encoded, { revision, subIndex: 3 }, config), { ...event, revision, subIndex: 3 });
  }
  t.throws(() => encodeEvent({ ...put, prevKv: kv('other', 'old', 2, 2, 1) }), { message: /prevKv is of the event's key/ });
});
