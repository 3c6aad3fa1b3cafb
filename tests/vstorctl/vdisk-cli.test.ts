// vstorctl's vdisk and snapshot commands end to end: the real CLI as a child process
// against a real three-node cluster of vstord processes on loopback, with real NBD clients
// (nbdinfo, qemu-io) checking what it did. It proves that
// - vdisk create places a vDisk on the named member; list and show print it in both
//   formats; resize grows it, and a shrink is refused with one line naming both sizes;
// - vdisk export prints an nbd:// URI on the owner's nbd address that nbdinfo accepts,
//   read-only for NAME@SNAP;
// - vdisk import of a file with zero runs writes only the data (the runs stay holes), and
//   export-file writes the bytes back into a sparse file, holes where the zeros were;
// - snapshot create, list and delete; rollback; clone VDISK@SNAP; flatten; diff prints
//   exactly the ranges written between two snapshots, or since one;
// - mistakes exit 2 with one line and touch nothing; refusals by the cluster exit 1.
//
// The tests run in order on one cluster, each on vDisks of its own. Every wait is bounded;
// every process is stopped in teardown.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nonZeroRuns } from '../../daemon/vstorctl-transfer.ts';
import { eventually, ProcessCluster } from '../integration/cluster-harness.ts';
import type { RunResult } from '../nbd/server-fixture.ts';
import { describe, firstDifference, pseudoRandomBytes, run } from '../nbd/server-fixture.ts';
import type { CliResult } from './cli.ts';
import { documentOf, vstorctl } from './cli.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const ISO_TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/;

let cluster: ProcessCluster;
let files: string;

test.before(async () => {
  cluster = await ProcessCluster.create('vstorctl-vdisk');
  files = await mkdtemp(join(tmpdir(), 'vstorctl-vdisk-files-'));
  cluster.startAll();
  await eventually('a leader all three agree on', () => cluster.agreedLeader()).catch((error: Error) => {
    throw new Error(`${error.message}\n${cluster.logs()}`);
  });
});

test.after.always(async () => {
  await cluster?.destroy();
  if (files !== undefined) await rm(files, { recursive: true, force: true });
});

/** vstorctl with --endpoints of one member (or all three). */
function ctl(args: readonly string[], node?: string): Promise<CliResult> {
  const endpoints = node === undefined ? cluster.nodes.map((member) => member.grpc) : [cluster.node(node).grpc];
  return vstorctl(['--endpoints', endpoints.join(','), ...args]);
}

function succeeded(result: CliResult): CliResult {
  if (result.status !== 0 || result.stderr !== '') throw new Error(`vstorctl exited ${result.status}: ${result.stderr}${result.stdout}`);
  return result;
}

/** Failed with one line on stderr and nothing on stdout, with this status. */
function failedWith(t: ExecutionContext, result: CliResult, status: number, line: RegExp): void {
  t.is(result.status, status, JSON.stringify(result));
  t.is(result.stdout, '');
  t.regex(result.stderr, line);
  t.is(result.stderr.split('\n').length, 2, `one line: ${JSON.stringify(result.stderr)}`);
}

function nbd(node: string, exportName: string): string {
  return `nbd://${cluster.node(node).nbd}/${exportName}`;
}

async function expectQemuIo(t: ExecutionContext, uri: string, commands: readonly string[], options: { readOnly?: boolean } = {}): Promise<void> {
  const result: RunResult = await run('qemu-io', ['-f', 'raw', ...(options.readOnly === true ? ['-r'] : []), uri, ...commands.flatMap((command) => ['-c', command])]);
  t.true(result.code === 0 && !/fail|error/i.test(result.stdout + result.stderr), `qemu-io ${uri} ${commands.join('; ')}\n${describe(result)}`);
}

interface VDiskJson {
  name: string;
  id: number;
  sizeBytes: number;
  owner: string;
  parent: string | null;
  headEpoch: number;
  createdAt: string;
  snapshots: Array<{ name: string; epoch: number; sizeBytes: number; createdAt: string; clones: string[] }>;
}

test.serial('vdisk create on a named member; list and show in both formats; resize grows, a shrink is refused', async (t) => {
  t.is(succeeded(await ctl(['vdisk', 'create', 'disk1', '--size', '64MiB', '--node', 'n2'], 'n1')).stdout, 'created vdisk disk1 (64 MiB) on n2\n');

  const table = succeeded(await ctl(['vdisk', 'list'], 'n3')).stdout.split('\n');
  t.regex(table[0]!, /^NAME\s+SIZE\s+OWNER\s+PARENT\s+SNAPSHOTS\s+CREATED$/);
  t.regex(table[1]!, new RegExp(`^disk1\\s+64 MiB\\s+n2\\s+-\\s+0\\s+${ISO_TIME.source}$`));
  t.is(table.length, 3);

  const listed = documentOf<{ vdisks: VDiskJson[] }>(await ctl(['--output', 'json', 'vdisk', 'list'], 'n2'));
  t.is(listed.vdisks.length, 1);
  const disk = listed.vdisks[0]!;
  t.like(disk, { name: 'disk1', sizeBytes: 64 * MiB, owner: 'n2', parent: null, headEpoch: 1, snapshots: [] });
  t.regex(disk.createdAt, ISO_TIME);
  t.deepEqual(documentOf<VDiskJson>(await ctl(['--output', 'json', 'vdisk', 'show', 'disk1'], 'n1')), disk);

  const shown = succeeded(await ctl(['vdisk', 'show', 'disk1'], 'n3')).stdout;
  t.regex(shown, new RegExp(`^name +disk1\nid +${disk.id}\nsize +64 MiB \\(67108864 bytes\\)\nowner +n2\nparent +-\ncreated +${disk.createdAt}\n\nno snapshots\n$`));

  t.is(succeeded(await ctl(['vdisk', 'resize', 'disk1', '--size', '128MiB'], 'n3')).stdout, 'vdisk disk1 is 128 MiB (134217728 bytes) now\n');
  failedWith(t, await ctl(['vdisk', 'resize', 'disk1', '--size', '32MiB'], 'n1'), 1, /^vstorctl: FAILED_PRECONDITION: .*134217728 bytes.*33554432 bytes.*refused\n$/);
  t.is(documentOf<VDiskJson>(await ctl(['--output', 'json', 'vdisk', 'show', 'disk1'], 'n2')).sizeBytes, 128 * MiB);
  failedWith(t, await ctl(['vdisk', 'show', 'nope']), 1, /^vstorctl: NOT_FOUND: .*vdisk nope does not exist\n$/);
  failedWith(t, await ctl(['vdisk', 'create', 'disk1', '--size', '1MiB']), 1, /^vstorctl: ALREADY_EXISTS: /);
});

test.serial('vdisk export prints a URI on the owner\'s nbd address that nbdinfo accepts', async (t) => {
  succeeded(await ctl(['vdisk', 'create', 'exported', '--size', '8MiB', '--node', 'n3']));
  const uri = succeeded(await ctl(['vdisk', 'export', 'exported'], 'n1')).stdout;
  t.is(uri, `${nbd('n3', 'exported')}\n`, 'the owner\'s address, whichever member was asked');
  const size = await run('nbdinfo', ['--size', uri.trim()]);
  t.is(size.code, 0, describe(size));
  t.is(size.stdout.trim(), String(8 * MiB));
  await expectQemuIo(t, uri.trim(), ['write -P 0x3c 0 64k']);

  succeeded(await ctl(['snapshot', 'create', 'exported', 'monday']));
  const snapshot = documentOf<{ uri: string; readOnly: boolean; node: string; snapshot: string }>(await ctl(['--output', 'json', 'vdisk', 'export', 'exported@monday'], 'n2'));
  t.deepEqual(snapshot, { vdisk: 'exported', snapshot: 'monday', node: 'n3', readOnly: true, uri: nbd('n3', 'exported@monday') } as typeof snapshot);
  const info = await run('nbdinfo', ['--json', '--no-content', snapshot.uri]);
  t.is(info.code, 0, describe(info));
  t.like((JSON.parse(info.stdout) as { exports: object[] }).exports[0], { 'export-name': 'exported@monday', 'export-size': 8 * MiB, is_read_only: true });
  await expectQemuIo(t, snapshot.uri, ['read -P 0x3c 0 64k'], { readOnly: true });
  failedWith(t, await ctl(['vdisk', 'export', 'exported@tuesday']), 1, /^vstorctl: NOT_FOUND: vdisk exported has no snapshot tuesday\n$/);
});

test.serial('vdisk import writes only the data of a file with zero runs; export-file gives the bytes back, sparse', async (t) => {
  // 6 MiB: data, 2 MiB of zeros, data that ends mid-block, zeros, a last block of data.
  const image = new Uint8Array(6 * MiB);
  image.set(pseudoRandomBytes(1 * MiB, 21), 0);
  image.set(pseudoRandomBytes(4 * KiB + 100, 22), 3 * MiB);
  image.set(pseudoRandomBytes(4 * KiB, 23), 6 * MiB - 4 * KiB);
  const source = join(files, 'import.raw');
  await writeFile(source, image);
  const dataBytes = nonZeroRuns(image).reduce((sum, runOf) => sum + runOf.end - runOf.start, 0);
  t.is(dataBytes, 1 * MiB + 8 * KiB + 4 * KiB);

  const imported = documentOf<{ vdisk: VDiskJson; fileBytes: number; writtenBytes: number }>(await ctl(['--output', 'json', 'vdisk', 'import', 'imported', source, '--node', 'n3']));
  t.like(imported, { fileBytes: 6 * MiB, writtenBytes: dataBytes, vdisk: { name: 'imported', sizeBytes: 6 * MiB, owner: 'n3' } });
  const map = await run('nbdinfo', ['--map', '--json', nbd('n1', 'imported')]);
  t.is(map.code, 0, describe(map));
  const extents = (JSON.parse(map.stdout) as Array<{ offset: number; length: number; type: number }>).map((entry) => [entry.offset, entry.length, (entry.type & 1) === 1 ? 'hole' : 'data']);
  t.deepEqual(extents, [
    [0, 1 * MiB, 'data'], [1 * MiB, 2 * MiB, 'hole'], [3 * MiB, 8 * KiB, 'data'], [3 * MiB + 8 * KiB, 3 * MiB - 12 * KiB, 'hole'], [6 * MiB - 4 * KiB, 4 * KiB, 'data'],
  ], 'the zero runs were not written');

  const table = succeeded(await ctl(['vdisk', 'import', 'imported-too', source, '--size', '8MiB'])).stdout;
  t.regex(table, new RegExp(`^imported ${source} \\(6 MiB\\) into vdisk imported-too on n\\d: 1\\.01 MiB written, the rest left as holes\\n$`));

  const copy = join(files, 'export.raw');
  const exported = documentOf<{ sizeBytes: number; copiedBytes: number; file: string }>(await ctl(['--output', 'json', 'vdisk', 'export-file', 'imported', copy], 'n1'));
  t.deepEqual(exported, { vdisk: 'imported', snapshot: null, file: copy, sizeBytes: 6 * MiB, copiedBytes: dataBytes } as typeof exported);
  const back = await readFile(copy);
  t.is(firstDifference(back, image), undefined);
  const { blocks, size } = await stat(copy);
  t.is(size, 6 * MiB);
  // st_blocks counts 512-byte units the file system allocated; the holes take none.
  t.true(blocks * 512 < 2 * MiB, `${blocks * 512} bytes allocated for ${dataBytes} bytes of data`);

  // A snapshot exports as it was; a larger vDisk exports at its own size, zeros after the file.
  succeeded(await ctl(['snapshot', 'create', 'imported-too', 'first']));
  await expectQemuIo(t, nbd('n2', 'imported-too'), ['write -P 0x44 0 4k', 'write -P 0x45 7M 4k']);
  const snapshotCopy = join(files, 'snapshot.raw');
  t.regex(succeeded(await ctl(['vdisk', 'export-file', 'imported-too@first', snapshotCopy])).stdout, new RegExp(`^exported imported-too@first \\(8 MiB\\) to ${snapshotCopy}: 1\\.01 MiB copied, the rest left as holes\\n$`));
  const padded = new Uint8Array(8 * MiB);
  padded.set(image);
  t.is(firstDifference(await readFile(snapshotCopy), padded), undefined);
});

test.serial('snapshots, rollback, clone, flatten and diff through the CLI', async (t) => {
  succeeded(await ctl(['vdisk', 'create', 'work', '--size', '16MiB', '--node', 'n2']));
  const uri = succeeded(await ctl(['vdisk', 'export', 'work'])).stdout.trim();
  await expectQemuIo(t, uri, ['write -P 0xa1 0 64k']);
  t.is(succeeded(await ctl(['snapshot', 'create', 'work', 's1'], 'n1')).stdout, 'created snapshot work@s1\n');
  await expectQemuIo(t, uri, ['write -P 0xb2 0 32k', 'write -P 0xb2 1M 4k']);
  const second = documentOf<{ vdisk: string; snapshot: { name: string; epoch: number; sizeBytes: number } }>(await ctl(['--output', 'json', 'snapshot', 'create', 'work', 's2'], 'n3'));
  t.like(second, { vdisk: 'work', snapshot: { name: 's2', epoch: 2, sizeBytes: 16 * MiB } });
  await expectQemuIo(t, uri, ['write -P 0xc3 2M 8k']);

  const list = succeeded(await ctl(['snapshot', 'list', 'work'])).stdout.split('\n');
  t.regex(list[0]!, /^SNAPSHOT\s+SIZE\s+CREATED\s+CLONES$/);
  t.regex(list[1]!, new RegExp(`^s1\\s+16 MiB\\s+${ISO_TIME.source}\\s+-$`));
  t.regex(list[2]!, /^s2\s+16 MiB\s/);
  const listed = documentOf<{ snapshots: Array<{ name: string; epoch: number }> }>(await ctl(['--output', 'json', 'snapshot', 'list', 'work'], 'n1'));
  t.deepEqual(listed.snapshots.map((snapshot) => [snapshot.name, snapshot.epoch]), [['s1', 1], ['s2', 2]]);

  // The diff names exactly what was written, in bytes.
  t.is(succeeded(await ctl(['vdisk', 'diff', 'work', 's1', 's2'], 'n1')).stdout,
    'OFFSET   LENGTH\n0        32768\n1048576  4096\n36 KiB in 2 ranges changed between s1 and s2\n');
  t.deepEqual(documentOf(await ctl(['--output', 'json', 'vdisk', 'diff', 'work', 's2'], 'n3')), {
    vdisk: 'work', from: 's2', to: null, changedBytes: 8192, ranges: [{ offsetBytes: 2 * MiB, lengthBytes: 8192 }],
  });
  t.is(succeeded(await ctl(['vdisk', 'diff', 'work', 's2', 's2'])).stdout, 'nothing changed between s2 and s2\n');
  failedWith(t, await ctl(['vdisk', 'diff', 'work', 's2', 's1']), 1, /^vstorctl: INVALID_ARGUMENT: .*s2 is newer than s1/);

  t.is(succeeded(await ctl(['vdisk', 'rollback', 'work', 's1'], 'n3')).stdout, 'vdisk work rolled back to snapshot s1\n');
  await expectQemuIo(t, uri, ['read -P 0xa1 0 64k', 'read -P 0 1M 4k', 'read -P 0 2M 8k']);
  await expectQemuIo(t, nbd('n2', 'work@s2'), ['read -P 0xb2 0 32k', 'read -P 0xb2 1M 4k'], { readOnly: true });
  failedWith(t, await ctl(['vdisk', 'rollback', 'work', 's9']), 1, /^vstorctl: NOT_FOUND: .*s9/);

  t.is(succeeded(await ctl(['vdisk', 'clone', 'work@s2', 'work-clone'], 'n1')).stdout, 'created clone work-clone of work@s2 on n2\n');
  await expectQemuIo(t, nbd('n1', 'work-clone'), ['read -P 0xb2 0 32k', 'read -P 0xa1 32k 32k', 'write -P 0xd4 8M 4k']);
  t.is(documentOf<VDiskJson>(await ctl(['--output', 'json', 'vdisk', 'show', 'work-clone'])).parent, 'work@s2');
  t.regex(succeeded(await ctl(['snapshot', 'list', 'work'])).stdout, /\ns2\s+16 MiB\s+\S+\s+work-clone\n/);
  failedWith(t, await ctl(['snapshot', 'delete', 'work', 's2']), 1, /^vstorctl: FAILED_PRECONDITION: .*work-clone/);
  failedWith(t, await ctl(['vdisk', 'delete', 'work']), 1, /^vstorctl: FAILED_PRECONDITION: .*work-clone/);

  t.is(succeeded(await ctl(['vdisk', 'flatten', 'work-clone'], 'n3')).stdout, 'vdisk work-clone is flattened: it no longer reads from a parent\n');
  t.is(succeeded(await ctl(['snapshot', 'delete', 'work', 's2'])).stdout, 'deleted snapshot work@s2\n');
  await expectQemuIo(t, nbd('n3', 'work-clone'), ['read -P 0xb2 0 32k', 'read -P 0xa1 32k 32k', 'read -P 0xd4 8M 4k']);
  t.deepEqual(documentOf<{ snapshots: unknown[] }>(await ctl(['--output', 'json', 'snapshot', 'list', 'work'])).snapshots.length, 1);
  failedWith(t, await ctl(['vdisk', 'flatten', 'work-clone']), 1, /^vstorctl: FAILED_PRECONDITION: .*not a clone/);

  t.is(succeeded(await ctl(['vdisk', 'delete', 'work-clone'], 'n1')).stdout, 'deleted vdisk work-clone\n');
  t.false(succeeded(await ctl(['vdisk', 'list'])).stdout.includes('work-clone'));
  const unknown = await run('nbdinfo', [nbd('n2', 'work-clone')]);
  t.not(unknown.code, 0, 'a deleted vdisk is no export');
});

test.serial('mistakes exit 2 with one line and change nothing', async (t) => {
  const mistakes: Array<[string[], RegExp]> = [
    [['vdisk', 'create', 'x'], /^vstorctl: vdisk create: --size is required/],
    [['vdisk', 'create', 'x', '--size', '10GB'], /GB is ambiguous: use GiB/],
    [['vdisk', 'resize', 'disk1'], /^vstorctl: vdisk resize: --size is required/],
    [['vdisk', 'clone', 'disk1', 'x'], /must be VDISK@SNAP, got "disk1"/],
    [['vdisk', 'diff', 'disk1'], /missing SNAP1/],
    [['vdisk', 'frob'], /^vstorctl: unknown command "vdisk frob" \(expected vdisk create, list, show/],
    [['snapshot', 'create', 'disk1'], /missing SNAP/],
    [['snapshot', 'delete', 'disk1', 'a@b'], /must not contain "@"/],
    [['vdisk', 'import', 'x', join(files, 'no-such-file.raw')], /^vstorctl: cannot read .*no-such-file\.raw: ENOENT\n$/],
    [['vdisk', 'export-file', 'disk1', join(files, 'no-such-directory', 'out.raw')], /^vstorctl: cannot write .*ENOENT\n$/],
  ];
  for (const [args, line] of mistakes) failedWith(t, await ctl(args), 2, line);
  failedWith(t, await ctl(['vdisk', 'show', 'x']), 1, /NOT_FOUND/);
  t.deepEqual(documentOf<{ vdisks: VDiskJson[] }>(await ctl(['--output', 'json', 'vdisk', 'list'])).vdisks.map((vdisk) => vdisk.name).sort(),
    ['disk1', 'exported', 'imported', 'imported-too', 'work'], 'no mistake created a vdisk');
});
