// The NBD server as real clients that nobody here wrote see it (issue 4, "NBD" and "Proof"):
// nbdinfo (libnbd) lists exports, reports sizes and flags, maps holes and data; qemu-io
// writes patterns, reads them back, discards, zeroes and flushes with requests in flight
// together; qemu-img and nbdcopy copy a file onto an export and back byte for byte; a
// snapshot export is read-only; two clients write one export at once. Every export is on
// the real block store, so each test also checks what reached it.
//
// Serial: each test runs several client processes, and the machine is shared.
import test from 'ava';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BLOCK_BYTES } from '../../storage-engine/vdisk/keys.ts';
import { DISK_BYTES, Gate, GiB, KiB, MiB, SNAPSHOT_PATTERN, SNAPSHOT_PATTERN_BYTES, THIN_BYTES } from './block-store-backend.ts';
import { describe, firstDifference, pseudoRandomBytes, run, startServer, tempDirectory, waitFor } from './server-fixture.ts';

interface NbdinfoExport {
  'export-name': string;
  'export-size': number;
  description?: string;
  is_read_only: boolean;
  can_flush: boolean;
  can_fua: boolean;
  can_trim: boolean;
  can_zero: boolean;
  can_multi_conn: boolean;
  block_size_minimum: number;
  block_size_preferred: number;
  block_size_maximum: number;
  contexts: string[];
}

interface MapEntry {
  offset: number;
  length: number;
  type: number;
  description: string;
}

function filled(lengthBytes: number, value: number): Uint8Array {
  return new Uint8Array(lengthBytes).fill(value);
}

/** A 16 MiB raw image: 8 MiB of data, a 4 MiB zero gap, 1 MiB of data, then zeroes. */
function sourceImage(): Uint8Array {
  const image = new Uint8Array(16 * MiB);
  image.set(pseudoRandomBytes(8 * MiB, 7), 0);
  image.set(pseudoRandomBytes(1 * MiB, 8), 12 * MiB);
  return image;
}

test.serial('nbdinfo shows an export, the export list, and an error for an unknown name', async (t) => {
  const { uri, server } = await startServer(t, { requestBytesMax: 4 * MiB });

  const one = await run('nbdinfo', ['--json', '--no-content', uri('disk')]);
  t.is(one.code, 0, describe(one));
  const disk = (JSON.parse(one.stdout) as { exports: NbdinfoExport[] }).exports[0]!;
  t.is(disk['export-name'], 'disk');
  t.is(disk['export-size'], DISK_BYTES);
  t.is(disk.description, 'a 64 MiB vDisk');
  t.false(disk.is_read_only);
  t.true(disk.can_flush && disk.can_fua && disk.can_trim && disk.can_zero && disk.can_multi_conn);
  t.deepEqual([disk.block_size_minimum, disk.block_size_preferred, disk.block_size_maximum], [1, 4096, 4 * MiB]);
  t.deepEqual(disk.contexts, ['base:allocation']);

  const list = await run('nbdinfo', ['--list', '--json', '--no-content', uri()]);
  t.is(list.code, 0, describe(list));
  const exports = (JSON.parse(list.stdout) as { exports: NbdinfoExport[] }).exports;
  t.deepEqual(exports.map((e) => [e['export-name'], e['export-size'], e.is_read_only]), [
    ['disk', DISK_BYTES, false],
    ['disk@snap', DISK_BYTES, true],
    ['thin', THIN_BYTES, false],
  ]);

  const unknown = await run('nbdinfo', [uri('no-such-disk')]);
  t.not(unknown.code, 0);
  t.regex(unknown.stderr, /no-such-disk/);
  t.is(server.stats.protocolErrors, 0);
});

test.serial('nbdinfo --map shows a thin 1 TiB export as one hole, then the data a write put in it', async (t) => {
  const { uri, backend } = await startServer(t);
  const before = await run('nbdinfo', ['--map', '--json', uri('thin')]);
  t.is(before.code, 0, describe(before));
  t.deepEqual(JSON.parse(before.stdout), [{ offset: 0, length: THIN_BYTES, type: 3, description: 'hole,zero' }]);

  const write = await run('qemu-io', ['-f', 'raw', uri('thin'), '-c', `write -P 0x11 ${1 * GiB} 64k`]);
  t.is(write.code, 0, describe(write));

  const after = await run('nbdinfo', ['--map', '--json', uri('thin')]);
  t.is(after.code, 0, describe(after));
  const map = (JSON.parse(after.stdout) as MapEntry[]).map((entry) => [entry.offset, entry.length, entry.description]);
  t.deepEqual(map, [
    [0, 1 * GiB, 'hole,zero'],
    [1 * GiB, 64 * KiB, 'data'],
    [1 * GiB + 64 * KiB, THIN_BYTES - 1 * GiB - 64 * KiB, 'hole,zero'],
  ]);
  t.is(firstDifference(await backend.readHead('thin', 1 * GiB, 64 * KiB), filled(64 * KiB, 0x11)), undefined);
});

test.serial('qemu-io writes, verifies, discards, zeroes and flushes, with requests in flight together', async (t) => {
  const { uri, backend, server } = await startServer(t);
  const commands = [
    'write -P 0xab 0 1M',
    'read -P 0xab 0 1M',
    'discard 0 64k',
    'read -P 0 0 64k',
    'read -P 0xab 64k 960k',
    // Without -u qemu sends NBD_CMD_FLAG_NO_HOLE: the zeroes must stay allocated.
    'write -P 0x77 1M 1M',
    'write -z 1M 1M',
    'read -P 0 1M 1M',
    // With -u the server may punch a hole, which the block store does.
    'write -P 0x78 4M 1M',
    'write -z -u 4M 1M',
    'read -P 0 4M 1M',
    // An unaligned write inside blocks keeps the bytes around it.
    'write -P 0x42 3000 5000',
    'read -P 0xab 64k 1000',
    'flush',
    'aio_write -P 0xc1 8M 256k',
    'aio_write -P 0xc2 9M 256k',
    'aio_write -P 0xc3 10M 256k',
    'aio_write -P 0xc4 11M 256k',
    'aio_flush',
    'aio_read -P 0xc1 8M 256k',
    'aio_read -P 0xc4 11M 256k',
    'aio_flush',
  ];
  const result = await run('qemu-io', ['-f', 'raw', uri('disk'), ...commands.flatMap((command) => ['-c', command])]);
  t.is(result.code, 0, describe(result));
  t.notRegex(result.stdout + result.stderr, /fail|error/i);

  const expected = new Uint8Array(12 * MiB);
  expected.fill(0xab, 64 * KiB, 1 * MiB);
  expected.fill(0x42, 3000, 8000);
  for (const [index, value] of [0xc1, 0xc2, 0xc3, 0xc4].entries()) expected.fill(value, (8 + index) * MiB, (8 + index) * MiB + 256 * KiB);
  t.is(firstDifference(await backend.readHead('disk', 0, 12 * MiB), expected), undefined);

  const extents = await backend.store.allocated({ id: 1, sizeBytes: DISK_BYTES, snapshotEpochs: [1] }, 2, 0, 6 * MiB);
  t.deepEqual(extents.map((extent) => [extent.offsetBytes, extent.lengthBytes, extent.kind]), [
    // Block 0 holds the unaligned write; the discard left the rest of the first 64 KiB a hole.
    [0, 2 * BLOCK_BYTES, 'data'],
    [2 * BLOCK_BYTES, 64 * KiB - 2 * BLOCK_BYTES, 'hole'],
    [64 * KiB, 2 * MiB - 64 * KiB, 'data'],
    [2 * MiB, 4 * MiB, 'hole'],
  ]);
  t.true(server.stats.requests.flush >= 1);
  t.true(server.stats.requests.writeZeroes >= 2);
  t.is(server.stats.errorReplies, 0);
});

test.serial('qemu-img info and convert copy a raw file onto an export and back byte for byte', async (t) => {
  const { uri, backend } = await startServer(t);
  const directory = await tempDirectory(t);
  const source = sourceImage();
  await writeFile(join(directory, 'source.raw'), source);

  const info = await run('qemu-img', ['info', '--output=json', uri('disk')]);
  t.is(info.code, 0, describe(info));
  t.like(JSON.parse(info.stdout), { 'virtual-size': DISK_BYTES, format: 'raw' });

  const upload = await run('qemu-img', ['convert', '-n', '-f', 'raw', '-O', 'raw', join(directory, 'source.raw'), uri('disk')]);
  t.is(upload.code, 0, describe(upload));
  t.is(firstDifference(await backend.readHead('disk', 0, source.length), source), undefined);

  const download = await run('qemu-img', ['convert', '-f', 'raw', '-O', 'raw', uri('disk'), join(directory, 'copy.raw')]);
  t.is(download.code, 0, describe(download));
  const copy = new Uint8Array(await readFile(join(directory, 'copy.raw')));
  t.is(copy.length, DISK_BYTES);
  t.is(firstDifference(copy.subarray(0, source.length), source), undefined);
  t.true(copy.subarray(source.length).every((byte) => byte === 0));
});

test.serial('nbdcopy copies a file onto an export and the export into a file', async (t) => {
  const { uri, backend, server } = await startServer(t);
  const directory = await tempDirectory(t);
  const source = sourceImage();
  await writeFile(join(directory, 'source.raw'), source);

  const upload = await run('nbdcopy', ['--flush', join(directory, 'source.raw'), uri('thin')]);
  t.is(upload.code, 0, describe(upload));
  t.is(firstDifference(await backend.readHead('thin', 0, source.length), source), undefined);

  const download = await run('nbdcopy', [uri('disk@snap'), join(directory, 'snapshot.raw')]);
  t.is(download.code, 0, describe(download));
  const snapshot = new Uint8Array(await readFile(join(directory, 'snapshot.raw')));
  t.is((await stat(join(directory, 'snapshot.raw'))).size, DISK_BYTES);
  t.is(firstDifference(snapshot.subarray(0, SNAPSHOT_PATTERN_BYTES), filled(SNAPSHOT_PATTERN_BYTES, SNAPSHOT_PATTERN)), undefined);
  t.true(snapshot.subarray(SNAPSHOT_PATTERN_BYTES).every((byte) => byte === 0));
  t.true(server.stats.requests.flush >= 1);
  t.is(server.stats.errorReplies, 0);
});

test.serial('a read-only snapshot export refuses writes and keeps its data while the head changes', async (t) => {
  const { uri, backend } = await startServer(t);
  const head = await run('qemu-io', ['-f', 'raw', uri('disk'), '-c', 'write -P 0x22 0 1M']);
  t.is(head.code, 0, describe(head));

  const info = await run('nbdinfo', ['--json', '--no-content', uri('disk@snap')]);
  t.is(info.code, 0, describe(info));
  const snapshot = (JSON.parse(info.stdout) as { exports: NbdinfoExport[] }).exports[0]!;
  t.true(snapshot.is_read_only);
  t.false(snapshot.can_trim || snapshot.can_zero || snapshot.can_fua);

  const write = await run('qemu-io', ['-f', 'raw', uri('disk@snap'), '-c', 'write -P 0x33 0 64k']);
  t.not(write.code, 0, describe(write));
  t.regex(write.stderr, /Permission denied|read-only/i);
  const copy = await run('qemu-img', ['convert', '-n', '-f', 'raw', '-O', 'raw', uri('disk'), uri('disk@snap')]);
  t.not(copy.code, 0, describe(copy));

  const read = await run('qemu-io', ['-r', '-f', 'raw', uri('disk@snap'), '-c', `read -P 0x${SNAPSHOT_PATTERN.toString(16)} 0 1M`, '-c', 'read -P 0 1M 1M']);
  t.is(read.code, 0, describe(read));
  t.is(firstDifference(await backend.readHead('disk', 0, 1 * MiB), filled(1 * MiB, 0x22)), undefined);
});

test.serial('two clients write disjoint ranges of one export at the same time', async (t) => {
  const { uri, backend, server } = await startServer(t);
  const writer = (pattern: number, baseBytes: number): string[] => {
    const commands: string[] = [];
    for (let index = 0; index < 16; index++) commands.push(`aio_write -P 0x${pattern.toString(16)} ${baseBytes + index * 256 * KiB} 256k`);
    commands.push('aio_flush');
    return ['-f', 'raw', uri('disk'), ...commands.flatMap((command) => ['-c', command])];
  };
  // Hold every export call until both connections have writes in flight, so the two
  // really overlap however the processes are scheduled.
  const gate = new Gate();
  backend.gate = gate;
  const runs = Promise.all([run('qemu-io', writer(0xa1, 16 * MiB)), run('qemu-io', writer(0xb2, 20 * MiB))]);
  await waitFor(() => backend.held.size === 2, 'both connections to hold a write');
  backend.gate = undefined;
  gate.release();
  const [first, second] = await runs;
  t.is(first.code, 0, describe(first));
  t.is(second.code, 0, describe(second));

  const check = await run('qemu-io', ['-r', '-f', 'raw', uri('disk'), '-c', 'read -P 0xa1 16M 4M', '-c', 'read -P 0xb2 20M 4M']);
  t.is(check.code, 0, describe(check));
  t.is(firstDifference(await backend.readHead('disk', 16 * MiB, 4 * MiB), filled(4 * MiB, 0xa1)), undefined);
  t.is(firstDifference(await backend.readHead('disk', 20 * MiB, 4 * MiB), filled(4 * MiB, 0xb2)), undefined);
  t.is(server.stats.connectionsAccepted, 3);
  t.is(server.stats.errorReplies, 0);
});
