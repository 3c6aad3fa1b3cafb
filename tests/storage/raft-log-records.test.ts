// Proves that the durable log's records round-trip and that damage to them cannot pass
// unnoticed: every single flipped byte and every truncation of every kind of record, and a
// record read under another key, is CORRUPTION. Also that entry keys sort in index order,
// including across 2^32, which is what makes loading the log one range scan.

import test from 'ava';
import type { Entry } from '../../consensus/types.ts';
import { EntryType } from '../../consensus/types.ts';
import { VstorError } from '../../storage-engine/errors.ts';
import { checkPrefix, RaftLogKeys } from '../../storage-engine/raft-log-keys.ts';
import {
  decodeEntry,
  decodeHardState,
  decodeLogPosition,
  decodeSnapshotData,
  decodeSnapshotMetadata,
  encodeEntry,
  encodeHardState,
  encodeLogPosition,
  encodeSnapshotData,
  encodeSnapshotMetadata,
} from '../../storage-engine/raft-log-records.ts';

const keys = new RaftLogKeys('raft/');
const bigIndex = Number.MAX_SAFE_INTEGER - 1;
const sampleEntry: Entry = { index: bigIndex, term: 2 ** 40 + 3, type: EntryType.ConfChange, data: Uint8Array.from([1, 2, 3, 250]) };
const sampleMetadata = {
  metadata: { index: 77, term: 5, confState: { voters: [1, 2, 2 ** 50], learners: [4], votersOutgoing: [1, 2], learnersNext: [9], autoLeave: true } },
  dataBytes: 12,
  dataChecksum: 0xdeadbeef,
};

/** Each kind of record: its key, its bytes, and a decoder that returns something comparable. */
const records: Array<[string, Uint8Array, Uint8Array, (key: Uint8Array, value: Uint8Array) => unknown, unknown]> = [
  ['hard state', keys.hardState, encodeHardState(keys.hardState, { term: 9, vote: 3, commit: 2 ** 33 }), decodeHardState, { term: 9, vote: 3, commit: 2 ** 33 }],
  ['compaction point', keys.compactionPoint, encodeLogPosition(keys.compactionPoint, { index: 12, term: 4 }), decodeLogPosition, { index: 12, term: 4 }],
  ['snapshot metadata', keys.snapshotMetadata, encodeSnapshotMetadata(keys.snapshotMetadata, sampleMetadata), decodeSnapshotMetadata, sampleMetadata],
  [
    'snapshot data',
    keys.snapshotData,
    encodeSnapshotData(keys.snapshotData, Uint8Array.from([5, 6, 7])).value,
    (key, value) => [...decodeSnapshotData(key, value).data],
    [5, 6, 7],
  ],
  [
    'entry',
    keys.entry(bigIndex),
    encodeEntry(keys.entry(bigIndex), sampleEntry).value,
    (key, value) => {
      const decoded = decodeEntry(key, value, bigIndex);
      return { ...decoded, data: [...decoded.data] };
    },
    { ...sampleEntry, data: [...sampleEntry.data] },
  ],
];

for (const [what, key, value, decode, expected] of records) {
  test(`${what}: round-trips`, (t) => {
    t.deepEqual(decode(key, value), expected);
  });

  test(`${what}: every flipped byte and every truncation is CORRUPTION`, (t) => {
    for (let position = 0; position < value.length; position++) {
      const damaged = Uint8Array.from(value);
      damaged[position]! ^= 0x01;
      t.throws(() => decode(key, damaged), { instanceOf: VstorError, code: 'CORRUPTION' }, `byte ${position} flipped`);
    }
    for (let length = 0; length < value.length; length++) {
      t.throws(() => decode(key, value.subarray(0, length)), { instanceOf: VstorError, code: 'CORRUPTION' }, `cut to ${length} bytes`);
    }
  });

  test(`${what}: read under another key is CORRUPTION`, (t) => {
    t.throws(() => decode(keys.entry(1), value), { instanceOf: VstorError, code: 'CORRUPTION', message: /checksum/ });
  });
}

test('an entry record answers with its bytes, and a view of them that shares nothing with the caller', (t) => {
  const data = Uint8Array.from([1, 2, 3]);
  const { value, stored } = encodeEntry(keys.entry(1), { index: 1, term: 1, type: EntryType.Normal, data });
  data[0] = 99;
  t.deepEqual([...stored.data], [1, 2, 3]);
  t.is(stored.data.buffer, value.buffer, 'no second copy');
});

test('an entry record stored for another index is CORRUPTION even with a valid checksum', (t) => {
  const key = keys.entry(8);
  const value = encodeEntry(key, { index: 7, term: 1, type: EntryType.Normal, data: new Uint8Array(0) }).value;
  t.throws(() => decodeEntry(key, value, 8), { instanceOf: VstorError, code: 'CORRUPTION', message: /holds index 7/ });
});

test('entry keys sort in index order, across 2^32 too, and name their index', (t) => {
  const indexes = [1, 2, 255, 256, 65_536, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 40, Number.MAX_SAFE_INTEGER];
  const encoded = indexes.map((index) => keys.entry(index));
  const sorted = [...encoded].sort((a, b) => Buffer.compare(a, b));
  t.deepEqual(sorted, encoded);
  t.deepEqual(encoded.map((key) => keys.indexOfEntryKey(key)), indexes);
  for (const key of encoded) {
    t.true(Buffer.compare(key, keys.entryRange.gte) >= 0 && Buffer.compare(key, keys.entryRange.lt) < 0);
  }
  for (const other of [keys.hardState, keys.compactionPoint, keys.snapshotMetadata, keys.snapshotData]) {
    t.false(Buffer.compare(other, keys.entryRange.gte) >= 0 && Buffer.compare(other, keys.entryRange.lt) < 0);
  }
});

test('a prefix is printable ASCII of at most 64 characters', (t) => {
  t.is(checkPrefix('raft/0/'), 'raft/0/');
  t.is(checkPrefix(''), '');
  for (const bad of ['with space', 'nul\u0000', 'x'.repeat(65), 'ü', 5]) {
    t.throws(() => checkPrefix(bad), { instanceOf: VstorError, code: 'INVALID_ARGUMENT' }, JSON.stringify(bad));
  }
});
