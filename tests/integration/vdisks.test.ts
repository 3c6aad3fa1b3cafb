// vDisks on a real three-node cluster of vstord processes, through the client library
// (issue 4, "Metadata, placement, API"): a vDisk placed on a named member is written
// through another member and read back through a third, since I/O is forwarded to the
// owner; a snapshot keeps reading what it closed while the head moves on; a diff names
// exactly the blocks written since; a resize grows and a shrink is refused; bad names,
// sizes and ranges are refused with the right codes and create nothing; a clone reads its
// parent's snapshot and lives on its owner; a vDisk or snapshot with clones cannot be
// deleted; metadata survives a restart of the owner.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { VstorClient } from '../../rpc/client.ts';
import { isVstorError } from '../../storage-engine/errors.ts';
import { eventually, ProcessCluster } from './cluster-harness.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const BLOCK = 4096;

function clientFor(cluster: ProcessCluster, ids: string[]): VstorClient {
  return new VstorClient({ endpoints: ids.map((id) => cluster.node(id).grpc), timeoutMs: 30_000 });
}

function pattern(lengthBytes: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(lengthBytes);
  for (let index = 0; index < lengthBytes; index++) bytes[index] = (index * 7 + seed * 13 + 1) & 0xff || 1;
  return bytes;
}

async function refused(t: ExecutionContext, call: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  const error = await t.throwsAsync(call);
  t.true(isVstorError(error, code as never), `expected ${code}, got ${String(error)}`);
  if (message !== undefined) t.regex(error!.message, message);
}

test.serial('a vdisk on a named member is written through one member and read through another; snapshots, diff, resize', async (t) => {
  const cluster = await ProcessCluster.create('vdisks', { limits: { vdiskBytesMax: 1 << 30, requestBytesMax: 1 * MiB, entryBytesMax: 512 * KiB, valueBytesMax: 256 * KiB } });
  t.teardown(() => cluster.destroy());
  cluster.startAll();
  await eventually('a leader', () => cluster.agreedLeader());
  const viaN1 = clientFor(cluster, ['n1']);
  const viaN3 = clientFor(cluster, ['n3']);
  const anywhere = clientFor(cluster, ['n1', 'n2', 'n3']);
  t.teardown(() => {
    viaN1.close();
    viaN3.close();
    anywhere.close();
  });

  const created = await viaN1.vdisks.create('disk-a', 64 * MiB, { node: 'n2' });
  t.like(created, { name: 'disk-a', sizeBytes: 64 * MiB, owner: 'n2', headEpoch: 1, snapshots: [] });
  t.true(created.id >= 1);

  // Written through n1 and read through n3: neither owns it, both forward to n2.
  const first = pattern(3 * BLOCK + 100, 1);
  await viaN1.vdisks.write('disk-a', 5000, first);
  const aligned = pattern(2 * BLOCK, 2);
  await viaN1.vdisks.write('disk-a', 16 * BLOCK, aligned, { fua: true });
  t.deepEqual(await viaN3.vdisks.read('disk-a', 5000, first.length), first);
  t.deepEqual(await viaN3.vdisks.read('disk-a', 16 * BLOCK, aligned.length), aligned);
  t.deepEqual(await viaN3.vdisks.read('disk-a', 40 * BLOCK, BLOCK), new Uint8Array(BLOCK), 'unwritten ranges read as zeros');

  const startedMs = performance.now();
  const snapshotted = await viaN3.vdisks.createSnapshot('disk-a', 's1');
  t.log(`snapshot create through a non-owner took ${(performance.now() - startedMs).toFixed(1)} ms`);
  t.like(snapshotted.snapshot, { name: 's1', epoch: 1, sizeBytes: 64 * MiB, clones: [] });
  t.is(snapshotted.vdisk.headEpoch, 2);

  // Writes after the snapshot land in the new head; the snapshot keeps the old bytes.
  const second = pattern(BLOCK, 3);
  await viaN1.vdisks.write('disk-a', 16 * BLOCK + 10, second.subarray(0, 50));
  await viaN1.vdisks.write('disk-a', 100 * BLOCK, second);
  await viaN1.vdisks.trim('disk-a', 1 * BLOCK, BLOCK);
  t.deepEqual(await viaN3.vdisks.read('disk-a', 5000, first.length, { snapshot: 's1' }), first);
  t.deepEqual(await viaN3.vdisks.read('disk-a', 16 * BLOCK, aligned.length, { snapshot: 's1' }), aligned);
  t.deepEqual(await viaN3.vdisks.read('disk-a', 100 * BLOCK, BLOCK, { snapshot: 's1' }), new Uint8Array(BLOCK));
  const head = await viaN3.vdisks.read('disk-a', 16 * BLOCK, BLOCK);
  t.deepEqual(head.subarray(10, 60), second.subarray(0, 50));
  t.deepEqual(await viaN3.vdisks.read('disk-a', 1 * BLOCK, BLOCK), new Uint8Array(BLOCK), 'trimmed');

  // The diff names exactly the blocks written since the snapshot, and before it.
  const since = await viaN3.vdisks.diff('disk-a', { from: 's1' });
  t.deepEqual(since.ranges, [{ firstBlockIndex: 1, blockCount: 1 }, { firstBlockIndex: 16, blockCount: 1 }, { firstBlockIndex: 100, blockCount: 1 }]);
  t.false(since.more);
  t.is(since.blockBytes, BLOCK);
  const before = await viaN1.vdisks.diff('disk-a', { to: 's1' });
  t.deepEqual(before.ranges, [{ firstBlockIndex: 1, blockCount: 4 }, { firstBlockIndex: 16, blockCount: 2 }]);
  const paged: number[] = [];
  for await (const range of viaN1.vdisks.diffRanges('disk-a', { rangesMax: 1 })) paged.push(range.firstBlockIndex);
  t.deepEqual(paged, [1, 16, 100], 'pages of one range cover the whole diff');
  await refused(t, viaN1.vdisks.diff('disk-a', { from: 'nope' }), 'NOT_FOUND');

  const map = await viaN3.vdisks.allocationMap('disk-a', 0, 20 * BLOCK);
  t.deepEqual(map.filter((extent) => extent.kind === 'data').map((extent) => [extent.offsetBytes / BLOCK, extent.lengthBytes / BLOCK]), [[2, 3], [16, 2]]);

  // Grow; the new range reads as zeros and takes writes; shrinking is refused.
  const grown = await viaN3.vdisks.resize('disk-a', 128 * MiB);
  t.is(grown.sizeBytes, 128 * MiB);
  t.deepEqual(await viaN1.vdisks.read('disk-a', 100 * MiB, BLOCK), new Uint8Array(BLOCK));
  await viaN1.vdisks.write('disk-a', 128 * MiB - BLOCK, second);
  t.deepEqual(await viaN3.vdisks.read('disk-a', 128 * MiB - BLOCK, BLOCK), second);
  await refused(t, viaN1.vdisks.resize('disk-a', 32 * MiB), 'FAILED_PRECONDITION', /134217728 bytes.*33554432 bytes/);
  t.is((await anywhere.vdisks.get('disk-a')).sizeBytes, 128 * MiB);
  t.like(await anywhere.vdisks.listSnapshots('disk-a'), [{ name: 's1', sizeBytes: 64 * MiB }]);

  // A second snapshot, and a diff between the two.
  await viaN1.vdisks.createSnapshot('disk-a', 's2');
  await viaN1.vdisks.write('disk-a', 200 * BLOCK, second);
  t.deepEqual((await viaN3.vdisks.diff('disk-a', { from: 's1', to: 's2' })).ranges.map((range) => range.firstBlockIndex), [1, 16, 100, 32767]);
  t.deepEqual((await viaN3.vdisks.diff('disk-a', { from: 's2' })).ranges, [{ firstBlockIndex: 200, blockCount: 1 }]);
  await refused(t, viaN3.vdisks.diff('disk-a', { from: 's2', to: 's1' }), 'INVALID_ARGUMENT');

  // The owner restarts: its metadata and blocks are still there, through another member.
  await cluster.stop('n2');
  cluster.start('n2');
  const afterRestart = await eventually('disk-a to be readable after n2 restarts', async () => {
    try {
      return await viaN3.vdisks.read('disk-a', 5000, first.length, { snapshot: 's1' });
    } catch {
      return undefined;
    }
  });
  t.deepEqual(afterRestart, first);
  t.deepEqual((await viaN1.vdisks.get('disk-a')).snapshots.map((snapshot) => snapshot.name), ['s1', 's2']);
});

test.serial('bad names, sizes and ranges are refused with nothing created; clones pin their parent', async (t) => {
  const cluster = await ProcessCluster.create('vdisk-refusals', { limits: { vdiskBytesMax: 1 << 30, requestBytesMax: 1 * MiB, entryBytesMax: 512 * KiB, valueBytesMax: 256 * KiB } });
  t.teardown(() => cluster.destroy());
  cluster.startAll();
  const leader = await eventually('a leader', () => cluster.agreedLeader());
  const follower = cluster.nodes.find((node) => node.id !== leader)!.id;
  const client = clientFor(cluster, ['n1', 'n2', 'n3']);
  const viaN3 = clientFor(cluster, ['n3']);
  t.teardown(() => {
    client.close();
    viaN3.close();
  });

  for (const name of ['', 'has@at', '.hidden', '-dash', 'sp ace', 'x'.repeat(65), 'slash/name']) {
    await refused(t, client.vdisks.create(name, 1 * MiB), 'INVALID_ARGUMENT', /name/);
  }
  await refused(t, client.vdisks.create('small', 1024), 'INVALID_ARGUMENT', /at least 4096/);
  await refused(t, client.vdisks.create('odd', 4096 + 100), 'INVALID_ARGUMENT', /multiple of 512/);
  await refused(t, client.vdisks.create('huge', 2 * 1024 * MiB), 'INVALID_ARGUMENT', /vdiskBytesMax/);
  await refused(t, client.vdisks.create('nowhere', 1 * MiB, { node: 'n9' }), 'NOT_FOUND', /n9 is not a member/);
  t.deepEqual(await client.vdisks.list(), [], 'nothing was created');

  // Placed by the leader when no node is named, though asked of a follower.
  const viaFollower = clientFor(cluster, [follower]);
  t.teardown(() => viaFollower.close());
  const placed = await viaFollower.vdisks.create('auto', 8 * MiB);
  t.true(['n1', 'n2', 'n3'].includes(placed.owner));
  await refused(t, viaFollower.vdisks.create('auto', 8 * MiB), 'ALREADY_EXISTS');

  const disk = await client.vdisks.create('base', 8 * MiB, { node: 'n1' });
  t.is(disk.owner, 'n1');
  const original = pattern(8 * BLOCK, 5);
  await viaN3.vdisks.write('base', 0, original);
  await refused(t, viaN3.vdisks.write('base', 8 * MiB - 10, new Uint8Array(20)), 'OUT_OF_RANGE');
  await refused(t, viaN3.vdisks.read('base', 8 * MiB, 1), 'OUT_OF_RANGE');
  await refused(t, viaN3.vdisks.read('base', 0, 2 * MiB), 'INVALID_ARGUMENT', /requestBytesMax/);
  await refused(t, viaN3.vdisks.read('base', 0, 10, { snapshot: 'none' }), 'NOT_FOUND');
  await refused(t, viaN3.vdisks.read('missing', 0, 10), 'NOT_FOUND');
  t.deepEqual(await viaN3.vdisks.read('base', 8 * MiB - BLOCK, BLOCK), new Uint8Array(BLOCK), 'the refused write left nothing');
  await refused(t, viaN3.vdisks.createSnapshot('base', 'bad@snap'), 'INVALID_ARGUMENT');

  // A clone reads its parent's snapshot, lives on the parent's owner, and writes apart.
  await viaN3.vdisks.createSnapshot('base', 'gold');
  await viaN3.vdisks.write('base', 0, pattern(BLOCK, 6));
  const clone = await viaN3.vdisks.clone('base', 'gold', 'vm-1');
  t.like(clone, { name: 'vm-1', owner: 'n1', sizeBytes: 8 * MiB, headEpoch: 1, parent: { name: 'base', snapshot: 'gold', epoch: 1 } });
  t.not(clone.id, disk.id);
  t.deepEqual(await viaN3.vdisks.read('vm-1', 0, original.length), original);
  const own = pattern(BLOCK, 7);
  await viaN3.vdisks.write('vm-1', BLOCK, own);
  t.deepEqual(await viaN3.vdisks.read('vm-1', BLOCK, BLOCK), own);
  t.deepEqual(await viaN3.vdisks.read('base', BLOCK, BLOCK, { snapshot: 'gold' }), original.subarray(BLOCK, 2 * BLOCK));
  t.deepEqual((await client.vdisks.get('base')).snapshots[0]?.clones, ['vm-1']);
  await refused(t, client.vdisks.clone('base', 'gold', 'vm-1'), 'ALREADY_EXISTS');

  await refused(t, client.vdisks.delete('base'), 'FAILED_PRECONDITION', /gold: vm-1/);
  await refused(t, client.vdisks.deleteSnapshot('base', 'gold'), 'FAILED_PRECONDITION', /vm-1/);
  // Deleted through a member that does not own them: forwarded to n1.
  await viaN3.vdisks.delete('vm-1');
  t.deepEqual((await client.vdisks.get('base')).snapshots[0]?.clones, []);
  await viaN3.vdisks.deleteSnapshot('base', 'gold');
  await viaN3.vdisks.delete('base');
  await refused(t, viaN3.vdisks.read('base', 0, 10), 'NOT_FOUND');
  t.deepEqual((await client.vdisks.list()).map((vdisk) => vdisk.name), ['auto']);

  // Ids are never reused.
  const again = await client.vdisks.create('base', 8 * MiB, { node: 'n2' });
  t.true(again.id > clone.id);
  t.deepEqual(await viaN3.vdisks.read('base', 0, BLOCK), new Uint8Array(BLOCK), 'a new vdisk under an old name reads zeros');
});
