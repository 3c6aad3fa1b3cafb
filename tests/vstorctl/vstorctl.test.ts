// vstorctl end to end: the real CLI as a child process against a real three-node cluster
// of vstord processes on loopback (tests/integration/cluster-harness.ts). It proves that
// a write through one member is read through another, in both output formats; that list,
// delete, txn and watch behave as documented; that endpoints default to ./cluster.yaml;
// that a member is added as a learner, promoted and removed; that leadership moves on
// request; that cluster status shows a killed member as unreachable and still succeeds;
// and that mistakes exit 2 and an unreachable cluster exits 1, each with one line.
//
// The cluster tests run in order on one cluster; the order matters only at the end (a
// member is killed last). Every wait is bounded; every process is stopped in teardown.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VstorClient } from '../../rpc/client.ts';
import { eventually, freePorts, harnessNode, ProcessCluster } from '../integration/cluster-harness.ts';
import type { CliResult } from './cli.ts';
import { documentOf, startVstorctl, vstorctl } from './cli.ts';

let cluster: ProcessCluster;

/** --endpoints for one member, or for all. */
function at(...ids: string[]): string[] {
  const nodes = ids.length === 0 ? cluster.nodes.slice(0, 3) : ids.map((id) => cluster.node(id));
  return ['--endpoints', nodes.map((node) => node.grpc).join(',')];
}

function succeeded(result: CliResult): CliResult {
  if (result.status !== 0) throw new Error(`vstorctl exited ${result.status}: ${result.stderr}${result.stdout}`);
  return result;
}

/** Fails with one line on stderr and nothing on stdout, with this status. */
function failedWith(result: CliResult, status: number, line: RegExp): boolean {
  return result.status === status && result.stdout === '' && line.test(result.stderr) && result.stderr.split('\n').length === 2;
}

test.before(async () => {
  cluster = await ProcessCluster.create('vstorctl');
  cluster.startAll();
  await eventually('a leader all three agree on', () => cluster.agreedLeader()).catch((error: Error) => {
    throw new Error(`${error.message}\n${cluster.logs()}`);
  });
});

test.after.always(async () => {
  await cluster?.destroy();
});

test.serial('kv put through one member, kv get through another, in both formats', async (t) => {
  const put = succeeded(await vstorctl([...at('n1'), 'kv', 'put', 'greeting', 'hello world']));
  const putRevision = Number(/^put greeting \(revision (\d+)\)\n$/.exec(put.stdout)?.[1]);
  t.true(putRevision > 0, put.stdout);

  const table = succeeded(await vstorctl([...at('n2'), 'kv', 'get', 'greeting']));
  t.regex(table.stdout, /^KEY\s+VERSION\s+CREATE-REV\s+MOD-REV\s+VALUE\ngreeting\s+1\s+\d+\s+\d+\s+hello world\n$/);

  const json = documentOf(await vstorctl([...at('n3'), '--output', 'json', 'kv', 'get', 'greeting']));
  t.deepEqual(json, { key: 'greeting', keyEncoding: 'utf8', value: 'hello world', valueEncoding: 'utf8', createRevision: putRevision, modRevision: putRevision, version: 1 });

  // JSON for a write; non-ASCII text round-trips; a serializable read through a follower.
  const second = documentOf<{ key: string; revision: number }>(await vstorctl([...at('n2'), '--output=json', 'kv', 'put', 'ключ', 'значение ✓']));
  t.is(second.key, 'ключ');
  t.true(second.revision > putRevision);
  const local = await eventually('the write on n3', async () => {
    const result = await vstorctl([...at('n3'), '--output', 'json', 'kv', 'get', 'ключ', '--serializable']);
    return result.status === 0 ? documentOf<{ value: string }>(result) : undefined;
  });
  t.is(local.value, 'значение ✓');
});

test.serial('bytes that are not UTF-8 text: base64 in JSON, escaped in tables', async (t) => {
  // The command line takes text, so the bytes are written through the client library.
  const client = new VstorClient({ endpoints: [cluster.node('n1').grpc] });
  t.teardown(() => client.close());
  await client.put(Buffer.from([0x62, 0x69, 0x6e, 0x2f, 0xff]), Buffer.from([0xff, 0x0a, 0x41]));
  await client.put('bin/text', 'tab\there');

  const json = documentOf<{ kvs: Record<string, unknown>[] }>(await vstorctl([...at('n2'), '--output', 'json', 'kv', 'list', 'bin/']));
  t.deepEqual(json.kvs.map((kv) => [kv.key, kv.keyEncoding, kv.value, kv.valueEncoding]), [
    ['bin/text', 'utf8', 'tab\there', 'utf8'],
    ['YmluL/8=', 'base64', '/wpB', 'base64'],
  ]);
  const table = succeeded(await vstorctl([...at('n3'), 'kv', 'list', 'bin/']));
  t.deepEqual(table.stdout.trim().split('\n').slice(1).map((line) => [line.split(/\s+/)[0], line.split(/\s+/).at(-1)]), [
    ['bin/text', 'tab\\there'],
    ['bin/\\xFF', '\\xFF\\nA'],
  ]);
});

test.serial('kv list with a prefix, --limit, --reverse and --keys-only', async (t) => {
  const puts = [['dir/a', '1'], ['dir/b', '2'], ['dir/c', '3'], ['dirt', 'x']].map(([key, value]) => vstorctl([...at(), 'kv', 'put', key!, value!]));
  for (const put of await Promise.all(puts)) succeeded(put);

  const all = documentOf<{ count: number; more: boolean; kvs: { key: string; value: string }[] }>(await vstorctl([...at('n2'), '--output', 'json', 'kv', 'list', 'dir/']));
  t.deepEqual(all.kvs.map((kv) => [kv.key, kv.value]), [['dir/a', '1'], ['dir/b', '2'], ['dir/c', '3']]);
  t.is(all.count, 3);
  t.false(all.more);

  const table = succeeded(await vstorctl([...at('n3'), 'kv', 'list', 'dir/']));
  t.deepEqual(table.stdout.trim().split('\n').map((line) => line.split(/\s+/)[0]), ['KEY', 'dir/a', 'dir/b', 'dir/c']);

  const page = documentOf<{ count: number; more: boolean; kvs: { key: string }[] }>(await vstorctl([...at(), '--output', 'json', 'kv', 'list', 'dir/', '--limit', '2', '--reverse']));
  t.deepEqual(page.kvs.map((kv) => kv.key), ['dir/c', 'dir/b']);
  t.true(page.more);
  t.is(page.count, 3);
  const pageTable = succeeded(await vstorctl([...at(), 'kv', 'list', 'dir/', '--limit', '2']));
  t.regex(pageTable.stdout, /\(2 of 3 keys shown; raise --limit for more\)\n$/);

  const keys = documentOf<{ kvs: Record<string, unknown>[] }>(await vstorctl([...at(), '--output', 'json', 'kv', 'list', 'dir/', '--keys-only']));
  t.deepEqual(keys.kvs.map((kv) => [kv.key, 'value' in kv]), [['dir/a', false], ['dir/b', false], ['dir/c', false]]);

  t.is(succeeded(await vstorctl([...at(), 'kv', 'list', 'nothing-here/'])).stdout, 'no keys\n');
});

test.serial('kv delete of a key and of a prefix; kv get of a missing key is NOT_FOUND, exit 1', async (t) => {
  t.regex(succeeded(await vstorctl([...at('n1'), 'kv', 'delete', 'dirt'])).stdout, /^deleted 1 key \(revision \d+\)\n$/);
  const prefix = documentOf<{ deleted: number }>(await vstorctl([...at('n2'), '--output', 'json', 'kv', 'delete', 'dir/', '--prefix']));
  t.is(prefix.deleted, 3);
  t.regex(succeeded(await vstorctl([...at(), 'kv', 'delete', 'dirt'])).stdout, /^deleted 0 keys/);
  const missing = await vstorctl([...at('n3'), 'kv', 'get', 'dir/a']);
  t.true(failedWith(missing, 1, /^vstorctl: NOT_FOUND: key "dir\/a" does not exist\n$/), JSON.stringify(missing));
  t.is(succeeded(await vstorctl([...at(), 'kv', 'list', 'dir'])).stdout, 'no keys\n');
});

test.serial('kv txn from stdin and from --file; a malformed document is a usage error', async (t) => {
  succeeded(await vstorctl([...at(), 'kv', 'put', 'lock', 'free']));
  const take = JSON.stringify({
    compare: [{ key: 'lock', result: '=', value: 'free' }],
    success: [{ type: 'put', key: 'lock', value: 'taken' }, { type: 'put', key: 'owner', value: 'me' }],
    failure: [{ type: 'put', key: 'lost', value: 'yes' }],
  });
  const first = documentOf<{ succeeded: boolean; responses: unknown[] }>(await vstorctl([...at('n2'), '--output', 'json', 'kv', 'txn'], { input: take }));
  t.true(first.succeeded);
  t.deepEqual(first.responses, [{ type: 'put' }, { type: 'put' }]);
  t.is(documentOf<{ value: string }>(await vstorctl([...at('n3'), '--output', 'json', 'kv', 'get', 'lock'])).value, 'taken');

  const directory = mkdtempSync(join(tmpdir(), 'vstorctl-txn-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const file = join(directory, 'take.json');
  writeFileSync(file, take);
  const second = succeeded(await vstorctl([...at('n1'), 'kv', 'txn', '--file', file]));
  t.regex(second.stdout, /^failed: a comparison did not hold, the failure operations were applied \(revision \d+\)\n {2}1\. put\n$/);
  t.is(documentOf<{ value: string }>(await vstorctl([...at(), '--output', 'json', 'kv', 'get', 'lost'])).value, 'yes');

  const bad = await vstorctl([...at(), 'kv', 'txn'], { input: '{"compare":[{"key":"lock","result":"==","value":"free"}]}' });
  t.true(failedWith(bad, 2, /^vstorctl: kv txn: stdin: compare\[0\]\.result: must be one of = != < >, got string "=="\n$/), JSON.stringify(bad));
  const unreadable = await vstorctl([...at(), 'kv', 'txn', '--file', join(directory, 'absent.json')]);
  t.true(failedWith(unreadable, 2, /^vstorctl: kv txn: --file .*absent\.json: cannot read: ENOENT\n$/), JSON.stringify(unreadable));
});

test.serial('kv watch --count: history from --rev, live changes, and Ctrl-C', async (t) => {
  const first = documentOf<{ revision: number }>(await vstorctl([...at(), '--output', 'json', 'kv', 'put', 'w/a', '1']));
  succeeded(await vstorctl([...at(), 'kv', 'put', 'w/b', '2']));
  succeeded(await vstorctl([...at(), 'kv', 'delete', 'w/a']));

  const history = succeeded(await vstorctl([...at('n2'), '--output', 'json', 'kv', 'watch', 'w/', '--prefix', '--rev', String(first.revision), '--count', '3']));
  const events = history.stdout.trim().split('\n').map((line) => JSON.parse(line) as { revision: number; type: string; key: string; value?: string });
  t.deepEqual(events.map((event) => [event.type, event.key, event.value]), [['put', 'w/a', '1'], ['put', 'w/b', '2'], ['delete', 'w/a', undefined]]);
  t.is(events[0]!.revision, first.revision);
  t.true(events[0]!.revision < events[1]!.revision && events[1]!.revision < events[2]!.revision);

  const table = succeeded(await vstorctl([...at('n3'), 'kv', 'watch', 'w/b', '--rev', String(first.revision), '--count', '1']));
  t.regex(table.stdout, /^\d+ {2}PUT {5}w\/b {2}2\n$/);

  // Live: the watch is running once a change made after it started is printed.
  const live = startVstorctl([...at('n3'), 'kv', 'watch', 'live']);
  t.teardown(() => live.child.kill('SIGKILL'));
  let sent = 0;
  await eventually('a live event', async () => {
    succeeded(await vstorctl([...at('n1'), 'kv', 'put', 'live', `v${++sent}`]));
    return /PUT {5}live {2}v\d+\n/.test(live.stdout()) ? true : undefined;
  });
  live.child.kill('SIGINT');
  const ended = await live.exited;
  t.is(ended.status, 0, ended.stderr);
  t.is(ended.stderr, '');
});

test.serial('endpoints default to ./cluster.yaml, or to --config', async (t) => {
  const fromCwd = documentOf<{ members: { name: string }[] }>(await vstorctl(['--output', 'json', 'member', 'list'], { cwd: cluster.directory }));
  t.deepEqual(fromCwd.members.map((member) => member.name), ['n1', 'n2', 'n3']);
  const elsewhere = mkdtempSync(join(tmpdir(), 'vstorctl-cwd-'));
  t.teardown(() => rmSync(elsewhere, { recursive: true, force: true }));
  const fromFlag = succeeded(await vstorctl(['--config', cluster.configPath, 'kv', 'get', 'greeting'], { cwd: elsewhere }));
  t.regex(fromFlag.stdout, /hello world/);
  const none = await vstorctl(['member', 'list'], { cwd: elsewhere });
  t.true(failedWith(none, 2, /^vstorctl: no --endpoints, and \.\/cluster\.yaml: cannot read .*cluster\.yaml: ENOENT\n$/), JSON.stringify(none));
});

test.serial('member list, member add as a learner, promote and remove', async (t) => {
  const table = succeeded(await vstorctl([...at('n2'), 'member', 'list']));
  const lines = table.stdout.trim().split('\n');
  t.deepEqual(lines.map((line) => line.split(/\s+/).slice(0, 3).join(' ')), ['ID NAME ROLE', '1 n1 voter', '2 n2 voter', '3 n3 voter']);
  t.true(lines[1]!.includes(cluster.node('n1').grpc));

  // A fourth node: added as a learner first, then started to join, promoted once caught up.
  const n4 = await harnessNode('n4', 4);
  const added = documentOf<{ member: Record<string, unknown>; members: { name: string; isLearner: boolean }[] }>(await vstorctl([
    ...at('n3'), '--output', 'json', 'member', 'add', 'n4', '--grpc', n4.grpc, '--peer', n4.peer, '--admin', n4.admin, '--nbd', n4.nbd, '--id', '4',
  ]));
  t.deepEqual(added.member, { id: 4, name: 'n4', isLearner: true, grpcAddress: n4.grpc, peerAddress: n4.peer, adminAddress: n4.admin, nbdAddress: n4.nbd });
  t.deepEqual(added.members.map((member) => [member.name, member.isLearner]), [['n1', false], ['n2', false], ['n3', false], ['n4', true]]);
  cluster.nodes.push(n4);
  cluster.writeConfig();
  cluster.start('n4', ['--join']);

  const promoted = await eventually('the promotion of n4', async () => {
    const result = await vstorctl([...at(), 'member', 'promote', 'n4']);
    return result.status === 0 ? result : undefined;
  });
  t.regex(promoted.stdout, /^promoted n4 \(id 4\) to voter\n\nID/);
  const voters = documentOf<{ members: { name: string; isLearner: boolean }[] }>(await vstorctl([...at('n1'), '--output', 'json', 'member', 'list']));
  t.deepEqual(voters.members.map((member) => [member.name, member.isLearner]), [['n1', false], ['n2', false], ['n3', false], ['n4', false]]);

  // A retried promotion finds it done: promoting a voter succeeds and changes nothing.
  const again = documentOf<{ member: { name: string; isLearner: boolean } }>(await vstorctl([...at(), '--output', 'json', 'member', 'promote', '4']));
  t.deepEqual([again.member.name, again.member.isLearner], ['n4', false]);

  const removed = succeeded(await vstorctl([...at('n2'), 'member', 'remove', 'n4']));
  t.regex(removed.stdout, /^removed n4 \(id 4\)\n/);
  t.false(removed.stdout.includes(n4.grpc));
  await cluster.stop('n4').catch(() => cluster.kill('n4'));
  cluster.nodes.pop();
  cluster.writeConfig();

  const unknown = await vstorctl([...at(), 'member', 'remove', 'n9']);
  t.true(failedWith(unknown, 1, /^vstorctl: NOT_FOUND: no member named "n9" \(members: n1 \(id 1\), n2 \(id 2\), n3 \(id 3\)\)\n$/), JSON.stringify(unknown));
});

test.serial('leader transfer by name and by id', async (t) => {
  const leader = await eventually('a leader', () => cluster.agreedLeader(['n1', 'n2', 'n3']));
  const target = ['n1', 'n2', 'n3'].find((id) => id !== leader)!;
  const moved = succeeded(await vstorctl([...at(), 'leader', 'transfer', target]));
  t.is(moved.stdout, `${target} (id ${cluster.node(target).raftId}) is the leader now\n`);
  t.is(await eventually('every member to follow the new leader', async () => {
    const agreed = await cluster.agreedLeader(['n1', 'n2', 'n3']);
    return agreed === target ? agreed : undefined;
  }), target);

  const back = documentOf(await vstorctl([...at(), '--output', 'json', 'leader', 'transfer', String(cluster.node(leader).raftId)]));
  t.deepEqual(back, { leaderId: cluster.node(leader).raftId, leaderName: leader });
});

test.serial('cluster status shows every member, and a killed one as unreachable with exit 0', async (t) => {
  const leader = await eventually('a leader', () => cluster.agreedLeader(['n1', 'n2', 'n3']));
  const healthy = documentOf<{ members: { name: string; role: string; reachable: boolean; lagEntries: number | null; leaderName: string }[] }>(
    await vstorctl([...at(), '--output', 'json', 'cluster', 'status']));
  t.deepEqual(healthy.members.map((row) => [row.name, row.reachable, row.leaderName]), [['n1', true, leader], ['n2', true, leader], ['n3', true, leader]]);
  t.deepEqual(healthy.members.filter((row) => row.role === 'leader').map((row) => row.name), [leader]);
  t.true(healthy.members.every((row) => row.lagEntries !== null));

  const victim = ['n1', 'n2', 'n3'].find((id) => id !== leader)!;
  await cluster.kill(victim);
  const table = succeeded(await vstorctl([...at(), 'cluster', 'status'], { cwd: cluster.directory }));
  const row = table.stdout.split('\n').find((line) => line.startsWith(cluster.node(victim).grpc))!;
  t.regex(row, new RegExp(`^\\S+\\s+${victim}\\s+\\d+\\s+unreachable\\s+-`));
  t.regex(table.stdout, /^ENDPOINT\s+NAME\s+ID\s+ROLE\s+TERM\s+LEADER\s+COMMIT\s+APPLIED\s+LAG\s+ERROR\n/);
  const json = documentOf<{ members: { name: string; reachable: boolean; error: { code: string } | null }[] }>(
    await vstorctl(['--output', 'json', 'cluster', 'status'], { cwd: cluster.directory }));
  t.deepEqual(json.members.map((member) => [member.name, member.reachable]), ['n1', 'n2', 'n3'].map((id) => [id, id !== victim]));
  t.is(json.members.find((member) => member.name === victim)!.error!.code, 'UNAVAILABLE');
});

test('mistakes exit 2 with one line naming what is wrong; help exits 0', async (t) => {
  const unknown = await vstorctl(['frob']);
  t.true(failedWith(unknown, 2, /^vstorctl: unknown command "frob" \(expected cluster, member, leader, kv, vdisk or snapshot; see vstorctl --help\)\n$/), JSON.stringify(unknown));
  const flag = await vstorctl(['kv', 'get', 'a', '--frob']);
  t.true(failedWith(flag, 2, /^vstorctl: unknown flag --frob\n$/), JSON.stringify(flag));
  const missing = await vstorctl(['kv', 'put', 'a']);
  t.true(failedWith(missing, 2, /^vstorctl: kv put: missing VALUE \(usage: vstorctl kv put KEY VALUE\)\n$/), JSON.stringify(missing));
  const value = await vstorctl(['--output', 'yaml', 'member', 'list']);
  t.true(failedWith(value, 2, /^vstorctl: --output: must be table or json, got "yaml"\n$/), JSON.stringify(value));
  const help = await vstorctl(['--help']);
  t.is(help.status, 0);
  t.regex(help.stdout, /^usage: vstorctl /);
  const commandHelp = await vstorctl(['kv', 'watch', '--help']);
  t.is(commandHelp.status, 0);
  t.regex(commandHelp.stdout, /^usage: vstorctl kv watch KEY \[--prefix\] \[--rev N\] \[--count N\]\n/);
});

test('with every endpoint down, exit 1 with UNAVAILABLE', async (t) => {
  const endpoints = (await freePorts(2)).map((port) => `127.0.0.1:${port}`);
  const commands = [['kv', 'get', 'a'], ['kv', 'put', 'a', '1'], ['member', 'list'], ['cluster', 'status']];
  const results = await Promise.all(commands.map((args) => vstorctl(['--endpoints', endpoints.join(','), '--timeout-ms', '3000', ...args])));
  for (const [index, result] of results.entries()) {
    t.true(failedWith(result, 1, /^vstorctl: UNAVAILABLE: /), `${commands[index]!.join(' ')}: ${JSON.stringify(result)}`);
  }
});
