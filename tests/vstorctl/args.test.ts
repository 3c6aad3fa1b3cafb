// vstorctl's argument parser on its own (daemon/vstorctl-args.ts): every command with every
// flag it takes becomes the command description expected, global flags work anywhere on
// the line, help is found for every command, and every kind of mistake becomes a usage
// error that names what is wrong (which vstorctl prints as one line, exit status 2).
import test from 'ava';
import type { Command, GlobalOptions, Parsed } from '../../daemon/vstorctl-args.ts';
import { commandSpecs, parseArguments, TIMEOUT_MS_DEFAULT } from '../../daemon/vstorctl-args.ts';

const defaults: GlobalOptions = { endpoints: undefined, configPath: undefined, output: 'table', timeoutMs: TIMEOUT_MS_DEFAULT };

function runs(line: string[], command: Command, options: Partial<GlobalOptions> = {}): [string[], Parsed] {
  return [line, { kind: 'run', options: { ...defaults, ...options }, command }];
}

const commands: [string[], Parsed][] = [
  runs(['cluster', 'status'], { name: 'cluster status' }),
  runs(['member', 'list'], { name: 'member list' }),
  runs(['member', 'add', 'n4', '--grpc', '127.0.0.1:7104', '--peer', '127.0.0.1:7304', '--admin', '127.0.0.1:7204', '--nbd', '127.0.0.1:10812'],
    { name: 'member add', member: { name: 'n4', grpc: '127.0.0.1:7104', peer: '127.0.0.1:7304', admin: '127.0.0.1:7204', nbd: '127.0.0.1:10812', id: undefined } }),
  runs(['member', 'add', 'store-7', '--grpc=[::1]:7104', '--peer=[::1]:7304', '--admin=h.example:1', '--nbd=h.example:2', '--id=42'],
    { name: 'member add', member: { name: 'store-7', grpc: '[::1]:7104', peer: '[::1]:7304', admin: 'h.example:1', nbd: 'h.example:2', id: 42 } }),
  runs(['member', 'promote', 'n4'], { name: 'member promote', member: { by: 'name', name: 'n4' } }),
  runs(['member', 'promote', '4'], { name: 'member promote', member: { by: 'id', id: 4 } }),
  runs(['member', 'remove', 'n2'], { name: 'member remove', member: { by: 'name', name: 'n2' } }),
  runs(['member', 'remove', '281474976710655'], { name: 'member remove', member: { by: 'id', id: 281474976710655 } }),
  runs(['leader', 'transfer', 'n3'], { name: 'leader transfer', member: { by: 'name', name: 'n3' } }),
  runs(['leader', 'transfer', '2'], { name: 'leader transfer', member: { by: 'id', id: 2 } }),
  runs(['kv', 'get', 'a'], { name: 'kv get', key: 'a', serializable: false }),
  runs(['kv', 'get', 'a', '--serializable'], { name: 'kv get', key: 'a', serializable: true }),
  runs(['kv', 'put', 'a', '1'], { name: 'kv put', key: 'a', value: '1' }),
  runs(['kv', 'put', 'a', ''], { name: 'kv put', key: 'a', value: '' }),
  runs(['kv', 'put', 'ключ', 'значение ✓'], { name: 'kv put', key: 'ключ', value: 'значение ✓' }),
  runs(['kv', 'put', 'a', '-5'], { name: 'kv put', key: 'a', value: '-5' }),
  runs(['kv', 'put', '--', '--key', '-v'], { name: 'kv put', key: '--key', value: '-v' }),
  runs(['kv', 'delete', 'a'], { name: 'kv delete', key: 'a', prefix: false }),
  runs(['kv', 'delete', 'dir/', '--prefix'], { name: 'kv delete', key: 'dir/', prefix: true }),
  runs(['kv', 'delete', '', '--prefix'], { name: 'kv delete', key: '', prefix: true }),
  runs(['kv', 'list'], { name: 'kv list', prefix: '', limit: undefined, reverse: false, keysOnly: false }),
  runs(['kv', 'list', 'dir/', '--limit', '10', '--reverse', '--keys-only'], { name: 'kv list', prefix: 'dir/', limit: 10, reverse: true, keysOnly: true }),
  runs(['kv', 'txn'], { name: 'kv txn', file: undefined }),
  runs(['kv', 'txn', '--file', 'txn.json'], { name: 'kv txn', file: 'txn.json' }),
  runs(['kv', 'watch', 'a'], { name: 'kv watch', key: 'a', prefix: false, startRevision: undefined, count: undefined }),
  runs(['kv', 'watch', 'dir/', '--prefix', '--rev', '7', '--count=3'], { name: 'kv watch', key: 'dir/', prefix: true, startRevision: 7, count: 3 }),
  runs(['kv', 'watch', '', '--prefix'], { name: 'kv watch', key: '', prefix: true, startRevision: undefined, count: undefined }),
  runs(['vdisk', 'create', 'vm1', '--size', '10GiB'], { name: 'vdisk create', vdisk: 'vm1', sizeBytes: 10 * 2 ** 30, node: undefined }),
  runs(['vdisk', 'create', 'vm1', '--size=16T', '--node', 'n2'], { name: 'vdisk create', vdisk: 'vm1', sizeBytes: 16 * 2 ** 40, node: 'n2' }),
  runs(['vdisk', 'list'], { name: 'vdisk list' }),
  runs(['vdisk', 'show', 'vm1'], { name: 'vdisk show', vdisk: 'vm1' }),
  runs(['vdisk', 'delete', 'vm1'], { name: 'vdisk delete', vdisk: 'vm1' }),
  runs(['vdisk', 'resize', 'vm1', '--size', '4096'], { name: 'vdisk resize', vdisk: 'vm1', sizeBytes: 4096 }),
  runs(['vdisk', 'export', 'vm1'], { name: 'vdisk export', target: { vdisk: 'vm1', snapshot: undefined } }),
  runs(['vdisk', 'export', 'vm1@monday'], { name: 'vdisk export', target: { vdisk: 'vm1', snapshot: 'monday' } }),
  runs(['vdisk', 'import', 'vm1', 'disk.raw'], { name: 'vdisk import', vdisk: 'vm1', file: 'disk.raw', sizeBytes: undefined, node: undefined }),
  runs(['vdisk', 'import', 'vm1', 'disk.raw', '--size', '1 MiB', '--node=n3'], { name: 'vdisk import', vdisk: 'vm1', file: 'disk.raw', sizeBytes: 2 ** 20, node: 'n3' }),
  runs(['vdisk', 'export-file', 'vm1@s', 'out.raw'], { name: 'vdisk export-file', target: { vdisk: 'vm1', snapshot: 's' }, file: 'out.raw' }),
  runs(['vdisk', 'rollback', 'vm1', 's'], { name: 'vdisk rollback', vdisk: 'vm1', snapshot: 's' }),
  runs(['vdisk', 'clone', 'vm1@s', 'vm2'], { name: 'vdisk clone', source: { vdisk: 'vm1', snapshot: 's' }, clone: 'vm2' }),
  runs(['vdisk', 'flatten', 'vm2'], { name: 'vdisk flatten', vdisk: 'vm2' }),
  runs(['vdisk', 'diff', 'vm1', 's1'], { name: 'vdisk diff', vdisk: 'vm1', from: 's1', to: undefined }),
  runs(['vdisk', 'diff', 'vm1', 's1', 's2'], { name: 'vdisk diff', vdisk: 'vm1', from: 's1', to: 's2' }),
  runs(['snapshot', 'create', 'vm1', 's'], { name: 'snapshot create', vdisk: 'vm1', snapshot: 's' }),
  runs(['snapshot', 'list', 'vm1'], { name: 'snapshot list', vdisk: 'vm1' }),
  runs(['snapshot', 'delete', 'vm1', 's'], { name: 'snapshot delete', vdisk: 'vm1', snapshot: 's' }),
];

test('every command, with every flag it takes, becomes its description', (t) => {
  for (const [line, expected] of commands) t.deepEqual(parseArguments(line), expected, line.join(' '));
  const covered = new Set(commands.map(([, parsed]) => (parsed.kind === 'run' ? parsed.command.name : '')));
  t.deepEqual([...covered].sort(), commandSpecs.map((spec) => spec.name).sort(), 'every command is covered');
});

test('global flags are taken anywhere on the line, in both spellings', (t) => {
  const options: Partial<GlobalOptions> = { endpoints: ['127.0.0.1:1', 'h:2'], configPath: 'c.yaml', output: 'json', timeoutMs: 500 };
  const get: Command = { name: 'kv get', key: 'a', serializable: false };
  const lines = [
    ['--endpoints', '127.0.0.1:1,h:2', '--config', 'c.yaml', '--output', 'json', '--timeout-ms', '500', 'kv', 'get', 'a'],
    ['kv', 'get', 'a', '--endpoints=127.0.0.1:1,h:2', '--config=c.yaml', '--output=json', '--timeout-ms=500'],
    ['kv', '--output', 'json', 'get', '--timeout-ms', '500', 'a', '--endpoints', '127.0.0.1:1, h:2', '--config', 'c.yaml'],
  ];
  for (const line of lines) t.deepEqual(parseArguments(line), { kind: 'run', options: { ...defaults, ...options }, command: get }, line.join(' '));
  // Repeated endpoints are called once.
  t.deepEqual(parseArguments(['--endpoints', 'h:1,h:1', 'member', 'list']), runs([], { name: 'member list' }, { endpoints: ['h:1'] })[1]);
  t.deepEqual(parseArguments(['--output', 'table', '--timeout-ms', '3600000', 'member', 'list']), runs([], { name: 'member list' }, { timeoutMs: 3_600_000 })[1]);
});

test('--help, -h and help print usage: general, per group and per command', (t) => {
  const help = (line: string[]): string => {
    const parsed = parseArguments(line);
    if (parsed.kind !== 'help') throw new Error(`${line.join(' ')}: ${JSON.stringify(parsed)}`);
    return parsed.text;
  };
  const general = help(['--help']);
  t.regex(general, /^usage: vstorctl \[--endpoints H:P,\.\.\.\] \[--config PATH\] \[--output table\|json\] \[--timeout-ms N\] COMMAND/);
  for (const spec of commandSpecs) t.true(general.includes(`  ${spec.name}`), spec.name);
  t.is(help(['-h']), general);
  t.is(help(['help']), general);
  t.regex(help(['kv', '--help']), /^usage: vstorctl kv get\|put\|delete\|list\|txn\|watch \.\.\./);
  t.regex(help(['member', '-h']), /vstorctl member add NAME --grpc H:P --peer H:P --admin H:P --nbd H:P \[--id N\]/);
  for (const spec of commandSpecs) {
    const text = help([...spec.name.split(' '), '--help']);
    t.true(text.startsWith(`usage: vstorctl ${spec.name}`), spec.name);
    for (const option of spec.flags) t.true(text.includes(`--${option.name}`), `${spec.name} --${option.name}`);
    t.is(help(['help', ...spec.name.split(' ')]), text);
  }
  // Help wins over anything else wrong on the line, except an unknown command or flag.
  t.regex(help(['kv', 'put', '--help']), /usage: vstorctl kv put KEY VALUE/);
  t.regex(help(['kv', 'list', '--limit', 'x', '--help']), /usage: vstorctl kv list/);
});

test('no arguments at all is a usage error naming the commands', (t) => {
  t.deepEqual(parseArguments([]), { kind: 'usage-error', message: 'missing command (expected cluster, member, leader, kv, vdisk or snapshot; see vstorctl --help)' });
});

const mistakes: [string[], string][] = [
  // Commands.
  [['frob'], 'unknown command "frob" (expected cluster, member, leader, kv, vdisk or snapshot; see vstorctl --help)'],
  [['kv'], 'kv: missing subcommand (expected get, put, delete, list, txn or watch)'],
  [['kv', 'frob'], 'unknown command "kv frob" (expected kv get, put, delete, list, txn or watch)'],
  [['cluster', 'frob'], 'unknown command "cluster frob" (expected cluster status)'],
  [['frob', '--help'], 'unknown command "frob" (expected cluster, member, leader, kv, vdisk or snapshot; see vstorctl --help)'],
  [['--output', 'json'], 'missing command (expected cluster, member, leader, kv, vdisk or snapshot; see vstorctl --help)'],
  // Flags.
  [['kv', 'get', 'a', '--frob'], 'unknown flag --frob'],
  [['kv', 'get', 'a', '-x'], 'unknown flag -x'],
  [['kv', 'get', 'a', '--prefix'], 'kv get: does not take --prefix (usage: vstorctl kv get KEY [--serializable])'],
  [['cluster', 'status', '--limit', '3'], 'cluster status: does not take --limit (usage: vstorctl cluster status)'],
  [['kv', 'list', '--limit'], '--limit needs a value (N)'],
  [['kv', 'list', '--limit', '--reverse'], '--limit needs a value (N)'],
  [['kv', 'list', '--reverse=yes'], '--reverse takes no value, got "yes"'],
  [['kv', 'list', '--reverse', '--reverse'], '--reverse is given more than once'],
  [['--help=1'], '--help takes no value'],
  // Arguments.
  [['kv', 'get'], 'kv get: missing KEY (usage: vstorctl kv get KEY [--serializable])'],
  [['kv', 'put', 'a'], 'kv put: missing VALUE (usage: vstorctl kv put KEY VALUE)'],
  [['kv', 'put', 'a', '1', '2'], 'kv put: unexpected argument "2" (usage: vstorctl kv put KEY VALUE)'],
  [['kv', 'list', 'a', 'b'], 'kv list: unexpected argument "b" (usage: vstorctl kv list [PREFIX] [--limit N] [--reverse] [--keys-only])'],
  [['cluster', 'status', 'now'], 'cluster status: unexpected argument "now" (usage: vstorctl cluster status)'],
  [['kv', 'txn', 'doc.json'], 'kv txn: unexpected argument "doc.json" (usage: vstorctl kv txn [--file PATH])'],
  [['kv', 'get', ''], 'kv get: KEY: must not be empty (with --prefix, "" means every key) (usage: vstorctl kv get KEY [--serializable])'],
  [['kv', 'put', '', 'v'], 'kv put: KEY: must not be empty (with --prefix, "" means every key) (usage: vstorctl kv put KEY VALUE)'],
  [['kv', 'delete', ''], 'kv delete: KEY: must not be empty (with --prefix, "" means every key) (usage: vstorctl kv delete KEY [--prefix])'],
  [['kv', 'watch', ''], 'kv watch: KEY: must not be empty (with --prefix, "" means every key) (usage: vstorctl kv watch KEY [--prefix] [--rev N] [--count N])'],
  [['member', 'promote'], 'member promote: missing NAME|ID (usage: vstorctl member promote NAME|ID)'],
  [['member', 'remove', ''], 'member remove: NAME|ID: must be a member name or id, got "" (usage: vstorctl member remove NAME|ID)'],
  [['member', 'remove', '0'], 'member remove: NAME|ID: must be an integer of at least 1, got "0" (usage: vstorctl member remove NAME|ID)'],
  [['leader', 'transfer'], 'leader transfer: missing NAME|ID (usage: vstorctl leader transfer NAME|ID)'],
  [['leader', 'transfer', '99999999999999999'], 'leader transfer: NAME|ID: must be an integer of at least 1, got "99999999999999999" (usage: vstorctl leader transfer NAME|ID)'],
  [['member', 'add', 'n4', '--peer', 'h:9', '--admin', 'h:1', '--nbd', 'h:2'], 'member add: --grpc is required (usage: vstorctl member add NAME --grpc H:P --peer H:P --admin H:P --nbd H:P [--id N])'],
  [['member', 'add', 'n4', '--peer', 'h:9', '--grpc', 'h:1', '--nbd', 'h:2'], 'member add: --admin is required (usage: vstorctl member add NAME --grpc H:P --peer H:P --admin H:P --nbd H:P [--id N])'],
  [['member', 'add', 'n4', '--peer', 'h:9', '--grpc', 'h:1', '--admin', 'h:2'], 'member add: --nbd is required (usage: vstorctl member add NAME --grpc H:P --peer H:P --admin H:P --nbd H:P [--id N])'],
  [['member', 'add', 'n4', '--grpc', 'h:1', '--admin', 'h:2', '--nbd', 'h:3'], 'member add: --peer is required (usage: vstorctl member add NAME --grpc H:P --peer H:P --admin H:P --nbd H:P [--id N])'],
  [['member', 'add', 'n4', '--grpc', 'h:1', '--peer', 'h:0', '--admin', 'h:2', '--nbd', 'h:3'], 'member add: --peer: must be host:port with a port from 1 to 65535, got "h:0" (usage: vstorctl member add NAME --grpc H:P --peer H:P --admin H:P --nbd H:P [--id N])'],
  [['member', 'add', 'n4', '--peer', 'h:9', '--grpc', 'h', '--admin', 'h:1', '--nbd', 'h:2'], 'member add: --grpc: must be host:port with a port from 1 to 65535, got "h" (usage: vstorctl member add NAME --grpc H:P --peer H:P --admin H:P --nbd H:P [--id N])'],
  [['member', 'add', 'n4', '--peer', 'h:9', '--grpc', 'h:3', '--admin', 'h:70000', '--nbd', 'h:2'], 'member add: --admin: must be host:port with a port from 1 to 65535, got "h:70000" (usage: vstorctl member add NAME --grpc H:P --peer H:P --admin H:P --nbd H:P [--id N])'],
  [['member', 'add', 'n4', '--peer', 'h:9', '--grpc', 'h:3', '--admin', 'h:1', '--nbd', ':2'], 'member add: --nbd: must be host:port with a port from 1 to 65535, got ":2" (usage: vstorctl member add NAME --grpc H:P --peer H:P --admin H:P --nbd H:P [--id N])'],
  [['member', 'add', 'n4', '--peer', 'h:9', '--grpc', 'h:3', '--admin', 'h:1', '--nbd', 'h:2', '--id', '-1'], 'member add: --id: must be an integer of at least 1, got "-1" (usage: vstorctl member add NAME --grpc H:P --peer H:P --admin H:P --nbd H:P [--id N])'],
  [['member', 'add', '', '--peer', 'h:9', '--grpc', 'h:3', '--admin', 'h:1', '--nbd', 'h:2'], 'member add: NAME: must not be empty (usage: vstorctl member add NAME --grpc H:P --peer H:P --admin H:P --nbd H:P [--id N])'],
  // Values.
  [['kv', 'list', '--limit', '0'], 'kv list: --limit: must be an integer of at least 1, got "0" (usage: vstorctl kv list [PREFIX] [--limit N] [--reverse] [--keys-only])'],
  [['kv', 'list', '--limit', '1e3'], 'kv list: --limit: must be an integer of at least 1, got "1e3" (usage: vstorctl kv list [PREFIX] [--limit N] [--reverse] [--keys-only])'],
  [['kv', 'watch', 'a', '--rev', 'x'], 'kv watch: --rev: must be an integer of at least 1, got "x" (usage: vstorctl kv watch KEY [--prefix] [--rev N] [--count N])'],
  [['kv', 'watch', 'a', '--count', '0'], 'kv watch: --count: must be an integer of at least 1, got "0" (usage: vstorctl kv watch KEY [--prefix] [--rev N] [--count N])'],
  [['kv', 'txn', '--file='], 'kv txn: --file: must be a path, got "" (usage: vstorctl kv txn [--file PATH])'],
  [['--output', 'yaml', 'member', 'list'], '--output: must be table or json, got "yaml"'],
  [['--timeout-ms', '0', 'member', 'list'], '--timeout-ms: must be an integer from 1 to 3600000, got "0"'],
  [['--timeout-ms', '3600001', 'member', 'list'], '--timeout-ms: must be an integer from 1 to 3600000, got "3600001"'],
  [['--timeout-ms', '1.5', 'member', 'list'], '--timeout-ms: must be an integer from 1 to 3600000, got "1.5"'],
  [['--endpoints', '', 'member', 'list'], '--endpoints: an empty entry in "" (expected host:port,host:port,...)'],
  [['--endpoints', 'h:1,,h:2', 'member', 'list'], '--endpoints: an empty entry in "h:1,,h:2" (expected host:port,host:port,...)'],
  [['--endpoints', 'h:1,localhost', 'member', 'list'], '--endpoints: must be host:port with a port from 1 to 65535, got "localhost"'],
  [['--endpoints', Array.from({ length: 65 }, (_, index) => `h:${index + 1}`).join(','), 'member', 'list'], '--endpoints: at most 64, got 65'],
  [['--config', '', 'member', 'list'], '--config: must be a path, got ""'],
  // vDisks and snapshots.
  [['vdisk', 'create', 'vm1'], 'vdisk create: --size is required (usage: vstorctl vdisk create NAME --size SIZE [--node NODE])'],
  [['vdisk', 'create', 'vm1', '--size', '10GB'], 'vdisk create: --size: must be a size such as 4096, 512MiB, 10GiB or 2TiB, got "10GB" (GB is ambiguous: use GiB) (usage: vstorctl vdisk create NAME --size SIZE [--node NODE])'],
  [['vdisk', 'create', 'vm1', '--size', '-1'], 'vdisk create: --size: must be a size such as 4096, 512MiB, 10GiB or 2TiB, got "-1" (usage: vstorctl vdisk create NAME --size SIZE [--node NODE])'],
  [['vdisk', 'create', 'vm1', '--size', '1.5GiB'], 'vdisk create: --size: must be a size such as 4096, 512MiB, 10GiB or 2TiB, got "1.5GiB" (usage: vstorctl vdisk create NAME --size SIZE [--node NODE])'],
  [['vdisk', 'create', 'vm1', '--size', '0'], 'vdisk create: --size: must be a size from 1 byte to 8 PiB, got "0" (usage: vstorctl vdisk create NAME --size SIZE [--node NODE])'],
  [['vdisk', 'create', 'vm1', '--size', '9000P'], 'vdisk create: --size: must be a size from 1 byte to 8 PiB, got "9000P" (usage: vstorctl vdisk create NAME --size SIZE [--node NODE])'],
  [['vdisk', 'create', 'vm@1', '--size', '1G'], 'vdisk create: NAME: must not contain "@" (NAME@SNAP names a snapshot), got "vm@1" (usage: vstorctl vdisk create NAME --size SIZE [--node NODE])'],
  [['vdisk', 'create', 'vm1', '--size', '1G', '--node='], 'vdisk create: --node: must not be empty (usage: vstorctl vdisk create NAME --size SIZE [--node NODE])'],
  [['vdisk', 'clone', 'vm1', 'vm2'], 'vdisk clone: VDISK@SNAP: must be VDISK@SNAP, got "vm1" (usage: vstorctl vdisk clone VDISK@SNAP NEWNAME)'],
  [['vdisk', 'clone', '@s', 'vm2'], 'vdisk clone: VDISK@SNAP (VDISK): must not be empty (usage: vstorctl vdisk clone VDISK@SNAP NEWNAME)'],
  [['vdisk', 'export', 'vm1@'], 'vdisk export: NAME[@SNAP] (SNAP): must not be empty (usage: vstorctl vdisk export NAME[@SNAP])'],
  [['vdisk', 'import', 'vm1'], 'vdisk import: missing FILE (usage: vstorctl vdisk import NAME FILE [--size SIZE] [--node NODE])'],
  [['vdisk', 'diff', 'vm1'], 'vdisk diff: missing SNAP1 (usage: vstorctl vdisk diff VDISK SNAP1 [SNAP2])'],
  [['snapshot', 'create', 'vm1'], 'snapshot create: missing SNAP (usage: vstorctl snapshot create VDISK SNAP)'],
  [['snapshot', 'delete', 'vm1', 'a@b'], 'snapshot delete: SNAP: must not contain "@" (NAME@SNAP names a snapshot), got "a@b" (usage: vstorctl snapshot delete VDISK SNAP)'],
];

test('every mistake is a usage error that says what is wrong', (t) => {
  for (const [line, message] of mistakes) t.deepEqual(parseArguments(line), { kind: 'usage-error', message }, line.join(' '));
});

test('no usage error spans more than one line', (t) => {
  for (const [line] of mistakes) {
    const parsed = parseArguments(line);
    t.true(parsed.kind === 'usage-error' && !parsed.message.includes('\n'), line.join(' '));
  }
});
