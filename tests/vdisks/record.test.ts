// vDisk names and records (rpc/vdisk-checks.ts, daemon/vdisks/record.ts): which names,
// sizes and export names are accepted; a record survives encode and decode exactly; a
// record from another format is UNSUPPORTED_FORMAT and one that breaks an invariant is
// CORRUPTION, each naming the field; the engine's layout of a clone carries its parent at
// the snapshot's epoch and size.
import test from 'ava';
import type { VDiskRecord } from '../../daemon/vdisks/record.ts';
import { decodeNextId, decodeVDiskRecord, encodeNextId, encodeVDiskRecord, isRetryOf, layoutOf, liveEpochsOf, nameOfKey, vdiskKey } from '../../daemon/vdisks/record.ts';
import { checkByteRange, checkName, checkSize, nameProblem, parseExportName } from '../../rpc/vdisk-checks.ts';
import { isVstorError } from '../../storage-engine/errors.ts';

const TiB = 1024 ** 4;
const encoder = new TextEncoder();

test('names: letters, digits, dot, underscore and dash, 1 to 64, not starting with dot or dash, no @', (t) => {
  for (const name of ['a', 'disk-1', 'vm_7.root', '_x', '9', 'A'.repeat(64), 'x.y-z_w']) t.is(nameProblem(name), undefined, name);
  for (const name of ['', '.a', '-a', 'a@b', 'a b', 'a/b', 'é', 'A'.repeat(65), 'a\u0000b', 'a:b']) t.not(nameProblem(name), undefined, name);
  t.is(nameProblem(undefined), 'must be set');
  const error = t.throws(() => checkName('clone_name', 'x@y'));
  t.true(isVstorError(error, 'INVALID_ARGUMENT'));
  t.regex(error!.message, /^clone_name: "x@y" contains "@"/);
});

test('sizes: multiples of 512, at least 4096, at most vdiskBytesMax', (t) => {
  t.is(checkSize('size_bytes', 4096, 16 * TiB), 4096);
  t.is(checkSize('size_bytes', 16 * TiB, 16 * TiB), 16 * TiB);
  t.is(checkSize('size_bytes', 4096 + 512, 16 * TiB), 4608);
  for (const [size, why] of [[0, /at least 4096/], [3584, /at least 4096/], [4097, /multiple of 512/], [16 * TiB + 512, /vdiskBytesMax/], [-4096, /non-negative/], [1.5, /non-negative integer/], [2 ** 53, /below 2\^53/]] as const) {
    const error = t.throws(() => checkSize('size_bytes', size, 16 * TiB));
    t.true(isVstorError(error, 'INVALID_ARGUMENT'));
    t.regex(error!.message, why);
  }
});

test('byte ranges: non-negative integers, the length within its limit', (t) => {
  t.deepEqual(checkByteRange(0, 0, 10, 'requestBytesMax'), { offsetBytes: 0, lengthBytes: 0 });
  t.regex(t.throws(() => checkByteRange(0, 11, 10, 'requestBytesMax'))!.message, /^length_bytes: 11 bytes exceeds requestBytesMax \(10 bytes\)/);
  t.regex(t.throws(() => checkByteRange(-1, 1, 10, 'requestBytesMax'))!.message, /^offset_bytes/);
});

test('export names: NAME is the vdisk, NAME@SNAP its snapshot', (t) => {
  t.deepEqual(parseExportName('disk'), { vdisk: 'disk' });
  t.deepEqual(parseExportName('disk@gold'), { vdisk: 'disk', snapshot: 'gold' });
  for (const bad of ['', '@gold', 'disk@', 'disk@a@b', '.disk']) t.true(isVstorError(t.throws(() => parseExportName(bad)), 'INVALID_ARGUMENT'), bad);
});

const parent: VDiskRecord = {
  id: 7, name: 'base', sizeBytes: 8 << 20, owner: 'n2', headEpoch: 4, createdAtMs: 1_700_000_000_000,
  snapshots: [
    { name: 'a', epoch: 1, sizeBytes: 4 << 20, createdAtMs: 1_700_000_000_001, clones: ['vm-1'] },
    { name: 'b', epoch: 3, sizeBytes: 8 << 20, createdAtMs: 1_700_000_000_002, clones: [] },
  ],
  lastChange: { clientId: 'client-1', sequence: 9 },
};
const child: VDiskRecord = {
  id: 9, name: 'vm-1', sizeBytes: 6 << 20, owner: 'n2', headEpoch: 1, createdAtMs: 1_700_000_000_003, snapshots: [],
  parent: { name: 'base', id: 7, snapshot: 'a', epoch: 1 },
};

test('a record round-trips exactly, under a key that names it', (t) => {
  for (const record of [parent, child]) {
    t.deepEqual(decodeVDiskRecord(encodeVDiskRecord(record), record.name), record);
    t.is(nameOfKey(vdiskKey(record.name)), record.name);
  }
  t.is(nameOfKey(encoder.encode('\u0000vstor/vdisk-next-id')), undefined);
  t.is(decodeNextId(undefined), 1);
  t.is(decodeNextId(encodeNextId(42)), 42);
  t.true(isVstorError(t.throws(() => decodeNextId(encoder.encode('07'))), 'CORRUPTION'));
});

test('a record of another format or breaking an invariant is refused, naming the field', (t) => {
  const document = (changes: Record<string, unknown>): Uint8Array => encoder.encode(JSON.stringify({ ...JSON.parse(new TextDecoder().decode(encodeVDiskRecord(parent))), ...changes }));
  t.true(isVstorError(t.throws(() => decodeVDiskRecord(document({ format: 2 }), 'base')), 'UNSUPPORTED_FORMAT'));
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ name: 'other' }, /does not match its key/],
    [{ id: 0 }, /id must be an integer/],
    [{ headEpoch: 3 }, /snapshots\[1\]\.epoch/],
    [{ sizeBytes: -1 }, /sizeBytes/],
    [{ owner: '' }, /owner/],
    [{ snapshots: [parent.snapshots[1], parent.snapshots[0]] }, /snapshots\[1\]\.epoch/],
    [{ snapshots: [parent.snapshots[0], { ...parent.snapshots[1], name: 'a' }] }, /repeated/],
    [{ snapshots: [{ ...parent.snapshots[0], clones: ['bad@clone'] }] }, /clones\[0\]/],
    [{ parent: { name: 'x', id: 1, snapshot: 's' } }, /parent\.epoch/],
    [{ lastChange: { clientId: 'c', sequence: 0 } }, /lastChange\.sequence/],
  ];
  for (const [changes, why] of cases) {
    const error = t.throws(() => decodeVDiskRecord(document(changes), 'base'));
    t.true(isVstorError(error, 'CORRUPTION'), JSON.stringify(changes));
    t.regex(error!.message, why);
  }
  t.true(isVstorError(t.throws(() => decodeVDiskRecord(encoder.encode('{'), 'base')), 'CORRUPTION'));
});

test('a clone\'s layout hangs from its parent at the snapshot\'s epoch and size', (t) => {
  const records = new Map([[parent.name, parent], [child.name, child]]);
  const lookup = (name: string): VDiskRecord | undefined => records.get(name);
  t.deepEqual(layoutOf(parent, lookup), { id: 7, sizeBytes: 8 << 20, snapshotEpochs: [1, 3] });
  t.deepEqual(layoutOf(child, lookup), {
    id: 9, sizeBytes: 6 << 20, snapshotEpochs: [],
    parent: { vdisk: { id: 7, sizeBytes: 4 << 20, snapshotEpochs: [1, 3] }, epoch: 1 },
  });
  t.deepEqual(liveEpochsOf(parent), [1, 3, 4]);
  // A parent missing, replaced, or without the snapshot is corruption, not a guess.
  t.true(isVstorError(t.throws(() => layoutOf(child, () => undefined)), 'CORRUPTION'));
  t.true(isVstorError(t.throws(() => layoutOf(child, () => ({ ...parent, id: 8 }))), 'CORRUPTION'));
  t.true(isVstorError(t.throws(() => layoutOf(child, () => ({ ...parent, snapshots: [] }))), 'CORRUPTION'));
  // A cycle in the records ends as corruption too.
  const loop: VDiskRecord = { ...parent, parent: { name: 'base', id: 7, snapshot: 'a', epoch: 1 } };
  t.true(isVstorError(t.throws(() => layoutOf(loop, () => loop)), 'CORRUPTION'));
});

test('a retry is the change whose pair the record kept', (t) => {
  t.true(isRetryOf(parent, { clientId: 'client-1', sequence: 9 }));
  t.false(isRetryOf(parent, { clientId: 'client-1', sequence: 10 }));
  t.false(isRetryOf(parent, undefined));
  t.false(isRetryOf(child, { clientId: 'client-1', sequence: 9 }));
  t.false(isRetryOf(undefined, { clientId: 'client-1', sequence: 9 }));
});
