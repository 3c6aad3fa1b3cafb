// cluster.yaml validation: the shipped file is valid, and every kind of bad config is refused
// with an error that names the offending field, before the daemon touches disk or network.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadClusterConfig, parseClusterConfig, selectNode } from '../../daemon/config.ts';

const shipped = fileURLToPath(new URL('../../cluster.yaml', import.meta.url));
const base = `
cluster: test
dataDir: ./data
nodes:
  - { id: n1, grpc: "127.0.0.1:7101", peer: "127.0.0.1:7301", admin: "127.0.0.1:7201", nbd: "127.0.0.1:10809" }
  - { id: n2, grpc: "127.0.0.1:7102", peer: "127.0.0.1:7302", admin: "127.0.0.1:7202", nbd: "127.0.0.1:10810" }
`;

test('the shipped cluster.yaml describes three nodes on loopback', (t) => {
  const config = loadClusterConfig(shipped);
  t.is(config.cluster, 'vstor-local');
  t.deepEqual(config.nodes.map((n) => [n.id, n.raftId, n.grpc.host]), [['n1', 1, '127.0.0.1'], ['n2', 2, '127.0.0.1'], ['n3', 3, '127.0.0.1']]);
  t.deepEqual(config.nodes.map((n) => n.peer.port), [7301, 7302, 7303]);
  t.true(config.dataDir.endsWith('/data'));
  t.is(config.engine, 'classic-level');
});

test('defaults fill what the file leaves out; nN names give their raftId', (t) => {
  const config = parseClusterConfig(base, '/srv/vstor');
  t.is(config.dataDir, '/srv/vstor/data');
  t.is(config.raft.tickIntervalMs, 100);
  t.true(config.raft.preVote && config.raft.checkQuorum);
  t.is(config.raft.snapshotEntries, 100_000);
  t.is(config.raft.snapshotLogBytes, 256 << 20);
  t.is(parseClusterConfig(base + 'raft:\n  snapshotLogBytes: 65536\n', '/tmp').raft.snapshotLogBytes, 65536);
  t.is(config.limits.requestBytesMax, 4 << 20);
  t.is(config.limits.vdiskBytesMax, 16 * 1024 ** 4);
  t.is(parseClusterConfig(base + 'limits:\n  vdiskBytesMax: 1073741824\n', '/tmp').limits.vdiskBytesMax, 1 << 30);
  t.deepEqual(config.nodes.map((n) => n.raftId), [1, 2]);
  t.deepEqual(config.nodes[0]!.nbd, { host: '127.0.0.1', port: 10809 });
  t.is(config.vdisks.readCacheBytes, 1 << 30);
  t.is(parseClusterConfig(base + 'vdisks:\n  readCacheBytes: 0\n', '/tmp').vdisks.readCacheBytes, 0);
  t.is(parseClusterConfig(base + 'vdisks:\n  readCacheBytes: 268435456\n', '/tmp').vdisks.readCacheBytes, 256 << 20);
  t.deepEqual(config.nodes[1]!.peer, { host: '127.0.0.1', port: 7302 });
  const ipv6 = parseClusterConfig(base.replace('"127.0.0.1:7301"', '"[::1]:7301"'), '/tmp');
  t.deepEqual(ipv6.nodes[0]!.peer, { host: '::1', port: 7301 });
});

const bad: [string, string, RegExp][] = [
  ['unknown top-level key', base + 'colour: blue\n', /^colour: unknown key/],
  ['unknown key in raft', base + 'raft:\n  tickIntervalMS: 100\n', /^raft\.tickIntervalMS: unknown key/],
  ['missing cluster', base.replace('cluster: test\n', ''), /^cluster: is required/],
  ['missing nodes', 'cluster: x\ndataDir: d\n', /^nodes: is required/],
  ['empty nodes', 'cluster: x\ndataDir: d\nnodes: []\n', /^nodes: must list at least one node/],
  ['missing grpc', base.replace('grpc: "127.0.0.1:7101", ', ''), /^nodes\[0\]\.grpc: is required/],
  ['duplicate address', base.replace('127.0.0.1:7202', '127.0.0.1:7101'), /^nodes\[1\]\.admin: duplicate address 127\.0\.0\.1:7101 \(also nodes\[0\]\.grpc\)/],
  ['missing peer (a config from before the peer port)', base.replace('peer: "127.0.0.1:7302", ', ''),
    /^nodes\[1\]\.peer: is required: the host:port the other members send Raft messages to, apart from grpc \(see docs\/operations\.md on upgrading\)$/],
  ['malformed peer', base.replace('127.0.0.1:7301', '127.0.0.1'), /^nodes\[0\]\.peer: "127\.0\.0\.1" is not host:port$/],
  ['peer port out of range', base.replace('127.0.0.1:7301', '127.0.0.1:0'), /^nodes\[0\]\.peer: port 0 is outside 1-65535$/],
  ['peer of the wrong type', base.replace('"127.0.0.1:7301"', '7301'), /^nodes\[0\]\.peer: must be a non-empty string, got number 7301$/],
  ['peer the same as its own grpc', base.replace('127.0.0.1:7301', '127.0.0.1:7101'), /^nodes\[0\]\.peer: duplicate address 127\.0\.0\.1:7101 \(also nodes\[0\]\.grpc\)$/],
  ['peer the same as another node\'s peer', base.replace('127.0.0.1:7302', '127.0.0.1:7301'), /^nodes\[1\]\.peer: duplicate address 127\.0\.0\.1:7301 \(also nodes\[0\]\.peer\)$/],
  ['admin the same as a peer', base.replace('127.0.0.1:7202', '127.0.0.1:7301'), /^nodes\[1\]\.admin: duplicate address 127\.0\.0\.1:7301 \(also nodes\[0\]\.peer\)$/],
  ['duplicate node id', base.replace('id: n2', 'id: n1'), /^nodes\[1\]\.id: duplicate node id n1/],
  ['negative duration', base + 'raft:\n  tickIntervalMs: -5\n', /^raft\.tickIntervalMs: must be at least 1 ms, got -5/],
  ['fractional ticks', base + 'raft:\n  electionTimeoutTicks: 2.5\n', /^raft\.electionTimeoutTicks: must be an integer/],
  ['heartbeat not below election', base + 'raft:\n  electionTimeoutTicks: 3\n  heartbeatIntervalTicks: 3\n', /^raft\.heartbeatIntervalTicks: must be less than/],
  ['commit notices held past the heartbeat', base + 'raft:\n  tickIntervalMs: 20\n  commitNoticeDelayMs: 20\n',
    /^raft\.commitNoticeDelayMs: must be less than the heartbeat interval \(heartbeatIntervalTicks × tickIntervalMs = 20 ms\), got 20$/],
  ['a snapshot log bound under 1 KiB', base + 'raft:\n  snapshotLogBytes: 512\n', /^raft\.snapshotLogBytes: must be at least 1024 bytes, got 512/],
  ['negative commit notice delay', base + 'raft:\n  commitNoticeDelayMs: -1\n', /^raft\.commitNoticeDelayMs: must be at least 0 ms, got -1/],
  ['lease reads without check-quorum', base + 'raft:\n  readOnly: lease-based\n  checkQuorum: false\n', /^raft\.readOnly: 'lease-based' requires/],
  ['bad address', base.replace('127.0.0.1:10810', 'localhost'), /^nodes\[1\]\.nbd: "localhost" is not host:port/],
  ['port out of range', base.replace('127.0.0.1:10810', '127.0.0.1:70000'), /^nodes\[1\]\.nbd: port 70000 is outside/],
  ['unknown engine', base + 'engine: sqlite\n', /^engine: must be one of classic-level, rocksdb/],
  ['bad node id', base.replace('id: n2', 'id: "Node 2"'), /^nodes\[1\]\.id: "Node 2" must be/],
  ['raftId needed for other names', base.replace('id: n2', 'id: beta'), /^nodes\[1\]\.raftId: is required/],
  ['limit of the wrong type', base + 'limits:\n  requestBytesMax: "4MiB"\n', /^limits\.requestBytesMax: must be an integer \(bytes\)/],
  ['inconsistent limits', base + 'limits:\n  entryBytesMax: 8192\n', /^limits\.valueBytesMax: plus limits\.keyBytesMax must fit/],
  ['vdisk limit past the engine\'s 16 TiB', base + 'limits:\n  vdiskBytesMax: 17592186048512\n', /^limits\.vdiskBytesMax: must be at most 17592186044416 bytes/],
  ['vdisk limit below one block', base + 'limits:\n  vdiskBytesMax: 2048\n', /^limits\.vdiskBytesMax: must be at least 4096 bytes/],
  ['vdisk limit not whole sectors', base + 'limits:\n  vdiskBytesMax: 1000000\n', /^limits\.vdiskBytesMax: must be a multiple of 512 bytes, got 1000000/],
  ['read cache below one block', base + 'vdisks:\n  readCacheBytes: 1000\n', /^vdisks\.readCacheBytes: must be 0 \(no cache\) or at least one block \(4096 bytes\), got 1000/],
  ['negative read cache', base + 'vdisks:\n  readCacheBytes: -1\n', /^vdisks\.readCacheBytes: must be at least 0 bytes, got -1/],
  ['unknown key in vdisks', base + 'vdisks:\n  cacheBytes: 4096\n', /^vdisks\.cacheBytes: unknown key \(expected one of: readCacheBytes\)/],
  ['not YAML', 'cluster: [unclosed\n', /^not valid YAML/],
  ['duplicate YAML key', base + 'cluster: again\n', /^not valid YAML/],
];

for (const [name, text, expected] of bad) {
  test(`refused: ${name}`, (t) => {
    const error = t.throws(() => parseClusterConfig(text, '/tmp'), { instanceOf: ConfigError });
    t.regex(error!.message, expected);
    t.false(error!.message.includes('\n'), 'one line');
  });
}

test('selecting an unknown node lists the known ones', (t) => {
  const config = parseClusterConfig(base, '/tmp');
  t.is(selectNode(config, 'n2').raftId, 2);
  const error = t.throws(() => selectNode(config, 'n9'), { instanceOf: ConfigError });
  t.is(error!.message, '--node: no node "n9" in the config (nodes: n1, n2)');
});

test('an unreadable file names the path', (t) => {
  const error = t.throws(() => loadClusterConfig('/nonexistent/cluster.yaml'), { instanceOf: ConfigError });
  t.regex(error!.message, /cannot read \/nonexistent\/cluster\.yaml: ENOENT/);
  t.truthy(readFileSync(shipped, 'utf8'));
});
