// vstorctl's command line, parsed without touching anything: argv in, a description of the
// command to run (or the help to print, or the usage error to report) out. Execution is
// daemon/vstorctl-run.ts; keeping this pure lets every command, flag and mistake be tested
// without a cluster.
//
// One table (`commandSpecs`) drives both the parser and the help text, so the two cannot
// disagree. Each flag has one meaning and one arity across the whole CLI, which is what lets
// global flags go anywhere on the line (before or after the command) in a single pass:
// `vstorctl kv get a --output json` and `vstorctl --output json kv get a` are the same.
// `--` ends the flags, for a key or value that starts with a dash.

import { isHostPort } from '../rpc/addresses.ts';

export type OutputFormat = 'table' | 'json';

export interface GlobalOptions {
  /** From --endpoints; undefined: the grpc addresses of the nodes in the config. */
  endpoints: string[] | undefined;
  /** From --config; undefined: ./cluster.yaml (read only when --endpoints is absent). */
  configPath: string | undefined;
  output: OutputFormat;
  timeoutMs: number;
}

/** A member as the operator names it: a number is a Raft id, anything else a name. */
export type MemberRef = { by: 'id'; id: number } | { by: 'name'; name: string };

export interface MemberToAddArguments {
  name: string;
  grpc: string;
  peer: string;
  admin: string;
  nbd: string;
  /** undefined: the leader chooses. */
  id: number | undefined;
}

export type Command =
  | { name: 'cluster status' }
  | { name: 'member list' }
  | { name: 'member add'; member: MemberToAddArguments }
  | { name: 'member promote'; member: MemberRef }
  | { name: 'member remove'; member: MemberRef }
  | { name: 'leader transfer'; member: MemberRef }
  | { name: 'kv get'; key: string; serializable: boolean }
  | { name: 'kv put'; key: string; value: string }
  | { name: 'kv delete'; key: string; prefix: boolean }
  | { name: 'kv list'; prefix: string; limit: number | undefined; reverse: boolean; keysOnly: boolean }
  /** file undefined: the document comes from stdin. */
  | { name: 'kv txn'; file: string | undefined }
  | { name: 'kv watch'; key: string; prefix: boolean; startRevision: number | undefined; count: number | undefined }
  /** node undefined: the cluster places the vDisk (most free capacity, fewest vDisks). */
  | { name: 'vdisk create'; vdisk: string; sizeBytes: number; node: string | undefined }
  | { name: 'vdisk list' }
  | { name: 'vdisk show'; vdisk: string }
  | { name: 'vdisk delete'; vdisk: string }
  | { name: 'vdisk resize'; vdisk: string; sizeBytes: number }
  | { name: 'vdisk export'; target: ExportTarget }
  /** sizeBytes undefined: the file's size, rounded up to a whole sector. */
  | { name: 'vdisk import'; vdisk: string; file: string; sizeBytes: number | undefined; node: string | undefined }
  | { name: 'vdisk export-file'; target: ExportTarget; file: string }
  | { name: 'vdisk rollback'; vdisk: string; snapshot: string }
  | { name: 'vdisk clone'; source: SnapshotRef; clone: string }
  | { name: 'vdisk flatten'; vdisk: string }
  /** to undefined: the live head. */
  | { name: 'vdisk diff'; vdisk: string; from: string; to: string | undefined }
  | { name: 'snapshot create'; vdisk: string; snapshot: string }
  | { name: 'snapshot list'; vdisk: string }
  | { name: 'snapshot delete'; vdisk: string; snapshot: string };

/** VDISK@SNAP on the command line. */
export interface SnapshotRef {
  vdisk: string;
  snapshot: string;
}

/** What an NBD export serves: the vDisk (read-write) or one of its snapshots (read-only). */
export interface ExportTarget {
  vdisk: string;
  /** undefined: the vDisk's head. */
  snapshot: string | undefined;
}

export type CommandName = Command['name'];

export type Parsed =
  | { kind: 'run'; options: GlobalOptions; command: Command }
  | { kind: 'help'; text: string }
  | { kind: 'usage-error'; message: string };

export const TIMEOUT_MS_DEFAULT = 10_000;
/** An hour: longer than any call should take; a watch is bounded only by --count or Ctrl-C. */
export const TIMEOUT_MS_MAX = 3_600_000;
/** As many endpoints as the client library takes. */
export const ENDPOINTS_MAX = 64;

/** A mistake on the command line: exit status 2 and this message. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

interface FlagSpec {
  name: string;
  /** The value's placeholder in help; undefined for a switch (boolean flag). */
  value?: string;
  help: string;
}

interface ArgumentSpec {
  name: string;
  optional?: boolean;
}

type FlagValues = ReadonlyMap<string, string | true>;

interface CommandSpec {
  name: CommandName;
  arguments: ArgumentSpec[];
  flags: FlagSpec[];
  /** Flags of `flags` that must be given (shown without brackets in the synopsis). */
  requiredFlags?: readonly string[];
  summary: string;
  build(positional: readonly string[], flags: FlagValues): Command;
}

const globalFlags: FlagSpec[] = [
  { name: 'endpoints', value: 'H:P,...', help: 'gRPC endpoints to call (default: the grpc address of every node in the config)' },
  { name: 'config', value: 'PATH', help: 'the cluster.yaml to take endpoints from when --endpoints is absent (default ./cluster.yaml)' },
  { name: 'output', value: 'table|json', help: 'table (aligned, for people; the default) or json (one document; watch: one per line)' },
  { name: 'timeout-ms', value: 'N', help: `deadline of a call in milliseconds, retries included (default ${TIMEOUT_MS_DEFAULT}, at most ${TIMEOUT_MS_MAX})` },
  { name: 'help', help: 'print usage (also -h)' },
];

const flag = {
  grpc: { name: 'grpc', value: 'H:P', help: "the new member's gRPC address (required)" },
  peer: { name: 'peer', value: 'H:P', help: "the new member's peer address, where it takes Raft messages (required)" },
  admin: { name: 'admin', value: 'H:P', help: "the new member's admin HTTP address (required)" },
  nbd: { name: 'nbd', value: 'H:P', help: "the new member's NBD address (required)" },
  id: { name: 'id', value: 'N', help: "the new member's Raft id (default: the leader chooses)" },
  serializable: { name: 'serializable', help: "answer from the called member's state, without the linearizable read barrier" },
  prefixDelete: { name: 'prefix', help: 'delete every key that starts with KEY' },
  prefixWatch: { name: 'prefix', help: 'watch every key that starts with KEY' },
  limit: { name: 'limit', value: 'N', help: "return at most N keys (default: the server's limit)" },
  reverse: { name: 'reverse', help: 'in descending key order' },
  keysOnly: { name: 'keys-only', help: 'without values' },
  file: { name: 'file', value: 'PATH', help: 'read the document from PATH instead of stdin' },
  rev: { name: 'rev', value: 'N', help: 'report changes from revision N on (default: changes after now)' },
  count: { name: 'count', value: 'N', help: 'exit after N events (default: run until Ctrl-C)' },
  size: { name: 'size', value: 'SIZE', help: 'size in bytes or with a binary unit: 512MiB, 10GiB, 2TiB (K, M, G, T, P mean KiB … PiB)' },
  node: { name: 'node', value: 'NODE', help: 'the member that stores the blocks (default: the cluster places it)' },
} satisfies Record<string, FlagSpec>;

// ---------------------------------------------------------------- values

function integer(what: string, text: string, minimum: number, maximum: number): number {
  // Decimal digits only: "1e3", "0x10", " 5" and "-1" are mistakes, not numbers.
  const value = /^[0-9]{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < minimum || value > maximum) {
    const range = maximum === Number.MAX_SAFE_INTEGER ? `an integer of at least ${minimum}` : `an integer from ${minimum} to ${maximum}`;
    throw new UsageError(`${what}: must be ${range}, got ${JSON.stringify(text)}`);
  }
  return value;
}

function hostPort(what: string, text: string): string {
  if (!isHostPort(text)) throw new UsageError(`${what}: must be host:port with a port from 1 to 65535, got ${JSON.stringify(text)}`);
  return text;
}

function memberRef(what: string, text: string): MemberRef {
  if (text === '') throw new UsageError(`${what}: must be a member name or id, got ""`);
  // A name made only of digits would be ambiguous; it is taken as an id.
  if (/^[0-9]+$/.test(text)) return { by: 'id', id: integer(what, text, 1, Number.MAX_SAFE_INTEGER) };
  return { by: 'name', name: text };
}

function key(what: string, text: string, emptyAllowed: boolean): string {
  if (text === '' && !emptyAllowed) throw new UsageError(`${what}: must not be empty${what === 'KEY' ? ' (with --prefix, "" means every key)' : ''}`);
  return text;
}

function stringFlag(flags: FlagValues, name: string): string | undefined {
  const value = flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

function requiredFlag(flags: FlagValues, name: string): string {
  const value = stringFlag(flags, name);
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}

function optionalName(flags: FlagValues, name: string): string | undefined {
  const text = stringFlag(flags, name);
  if (text === '') throw new UsageError(`--${name}: must not be empty`);
  return text;
}

function optionalInteger(flags: FlagValues, name: string, minimum: number, maximum = Number.MAX_SAFE_INTEGER): number | undefined {
  const text = stringFlag(flags, name);
  return text === undefined ? undefined : integer(`--${name}`, text, minimum, maximum);
}

const binaryUnits: ReadonlyMap<string, number> = new Map([
  ['', 1], ['B', 1],
  ['K', 2 ** 10], ['KIB', 2 ** 10], ['M', 2 ** 20], ['MIB', 2 ** 20], ['G', 2 ** 30], ['GIB', 2 ** 30],
  ['T', 2 ** 40], ['TIB', 2 ** 40], ['P', 2 ** 50], ['PIB', 2 ** 50],
]);

/**
 * A size: an integer with an optional binary unit (as qemu-img and rbd read them). Decimal
 * units (KB, MB, GB, TB) are refused rather than guessed at: 10GB means 10^10 bytes to some
 * and 10 GiB to others, and a disk's size must not depend on who reads it.
 */
export function parseSize(what: string, text: string): number {
  const match = /^([0-9]{1,16})\s?([A-Za-z]*)$/.exec(text);
  const unit = match === null ? undefined : binaryUnits.get(match[2]!.toUpperCase());
  if (match === null || unit === undefined) {
    const decimal = match !== null && /^[KMGTP]B$/i.test(match[2]!) ? ` (${match[2]} is ambiguous: use ${match[2]![0]!.toUpperCase()}iB)` : '';
    throw new UsageError(`${what}: must be a size such as 4096, 512MiB, 10GiB or 2TiB, got ${JSON.stringify(text)}${decimal}`);
  }
  const bytes = Number(match[1]) * unit;
  if (!Number.isSafeInteger(bytes) || bytes === 0) throw new UsageError(`${what}: must be a size from 1 byte to 8 PiB, got ${JSON.stringify(text)}`);
  return bytes;
}

/** A vDisk or snapshot name: the cluster checks the characters; here only what would misparse. */
function objectName(what: string, text: string): string {
  if (text === '') throw new UsageError(`${what}: must not be empty`);
  if (text.includes('@')) throw new UsageError(`${what}: must not contain "@" (NAME@SNAP names a snapshot), got ${JSON.stringify(text)}`);
  return text;
}

function snapshotRef(what: string, text: string): SnapshotRef {
  const at = text.indexOf('@');
  if (at < 0) throw new UsageError(`${what}: must be VDISK@SNAP, got ${JSON.stringify(text)}`);
  return { vdisk: objectName(`${what} (VDISK)`, text.slice(0, at)), snapshot: objectName(`${what} (SNAP)`, text.slice(at + 1)) };
}

function exportTarget(what: string, text: string): ExportTarget {
  if (!text.includes('@')) return { vdisk: objectName(what, text), snapshot: undefined };
  return snapshotRef(what, text);
}

function path(what: string, text: string): string {
  if (text === '') throw new UsageError(`${what}: must be a path, got ""`);
  return text;
}

// ---------------------------------------------------------------- commands

export const commandSpecs: readonly CommandSpec[] = [
  {
    name: 'cluster status',
    arguments: [],
    flags: [],
    summary: "each member's view: role, term, leader, commit and applied index, lag; a member that does not answer is shown unreachable",
    build: () => ({ name: 'cluster status' }),
  },
  {
    name: 'member list',
    arguments: [],
    flags: [],
    summary: 'the members of the cluster, voters and learners, with their addresses',
    build: () => ({ name: 'member list' }),
  },
  {
    name: 'member add',
    arguments: [{ name: 'NAME' }],
    flags: [flag.grpc, flag.peer, flag.admin, flag.nbd, flag.id],
    requiredFlags: ['grpc', 'peer', 'admin', 'nbd'],
    summary: 'add a member as a learner (it receives the log but does not vote until promoted)',
    build: ([name], flags) => ({
      name: 'member add',
      member: {
        name: key('NAME', name!, false),
        grpc: hostPort('--grpc', requiredFlag(flags, 'grpc')),
        peer: hostPort('--peer', requiredFlag(flags, 'peer')),
        admin: hostPort('--admin', requiredFlag(flags, 'admin')),
        nbd: hostPort('--nbd', requiredFlag(flags, 'nbd')),
        id: optionalInteger(flags, 'id', 1),
      },
    }),
  },
  {
    name: 'member promote',
    arguments: [{ name: 'NAME|ID' }],
    flags: [],
    summary: 'make a learner that has caught up a voter',
    build: ([member]) => ({ name: 'member promote', member: memberRef('NAME|ID', member!) }),
  },
  {
    name: 'member remove',
    arguments: [{ name: 'NAME|ID' }],
    flags: [],
    summary: 'remove a member, voter or learner',
    build: ([member]) => ({ name: 'member remove', member: memberRef('NAME|ID', member!) }),
  },
  {
    name: 'leader transfer',
    arguments: [{ name: 'NAME|ID' }],
    flags: [],
    summary: 'hand leadership to a voter; returns once it leads',
    build: ([member]) => ({ name: 'leader transfer', member: memberRef('NAME|ID', member!) }),
  },
  {
    name: 'kv get',
    arguments: [{ name: 'KEY' }],
    flags: [flag.serializable],
    summary: 'the value of KEY with its revisions; NOT_FOUND (exit 1) if it does not exist',
    build: ([text], flags) => ({ name: 'kv get', key: key('KEY', text!, false), serializable: flags.has('serializable') }),
  },
  {
    name: 'kv put',
    arguments: [{ name: 'KEY' }, { name: 'VALUE' }],
    flags: [],
    summary: 'set KEY to VALUE (UTF-8 text; "" is an empty value)',
    build: ([text, value]) => ({ name: 'kv put', key: key('KEY', text!, false), value: value! }),
  },
  {
    name: 'kv delete',
    arguments: [{ name: 'KEY' }],
    flags: [flag.prefixDelete],
    summary: 'delete KEY, or with --prefix every key that starts with KEY; deleting nothing is not an error',
    build: ([text], flags) => ({ name: 'kv delete', key: key('KEY', text!, flags.has('prefix')), prefix: flags.has('prefix') }),
  },
  {
    name: 'kv list',
    arguments: [{ name: 'PREFIX', optional: true }],
    flags: [flag.limit, flag.reverse, flag.keysOnly],
    summary: 'the keys that start with PREFIX (every key without it), in key order',
    build: ([prefix], flags) => ({
      name: 'kv list',
      prefix: prefix ?? '',
      limit: optionalInteger(flags, 'limit', 1),
      reverse: flags.has('reverse'),
      keysOnly: flags.has('keys-only'),
    }),
  },
  {
    name: 'kv txn',
    arguments: [],
    flags: [flag.file],
    summary: 'apply a transaction read as JSON from stdin or --file: {"compare":[...],"success":[...],"failure":[...]} (see docs/vstorctl.md)',
    build: (_positional, flags) => {
      const file = stringFlag(flags, 'file');
      if (file === '') throw new UsageError('--file: must be a path, got ""');
      return { name: 'kv txn', file };
    },
  },
  {
    name: 'kv watch',
    arguments: [{ name: 'KEY' }],
    flags: [flag.prefixWatch, flag.rev, flag.count],
    summary: 'print one line per change of KEY (or, with --prefix, of the keys under it) until Ctrl-C or --count events',
    build: ([text], flags) => ({
      name: 'kv watch',
      key: key('KEY', text!, flags.has('prefix')),
      prefix: flags.has('prefix'),
      startRevision: optionalInteger(flags, 'rev', 1),
      count: optionalInteger(flags, 'count', 1),
    }),
  },
  {
    name: 'vdisk create',
    arguments: [{ name: 'NAME' }],
    flags: [flag.size, flag.node],
    requiredFlags: ['size'],
    summary: 'create a thin vDisk: it takes no space until written, and unwritten ranges read as zeros',
    build: ([name], flags) => ({
      name: 'vdisk create',
      vdisk: objectName('NAME', name!),
      sizeBytes: parseSize('--size', requiredFlag(flags, 'size')),
      node: optionalName(flags, 'node'),
    }),
  },
  {
    name: 'vdisk list',
    arguments: [],
    flags: [],
    summary: 'every vDisk with its size, owner node, parent and snapshot count',
    build: () => ({ name: 'vdisk list' }),
  },
  {
    name: 'vdisk show',
    arguments: [{ name: 'NAME' }],
    flags: [],
    summary: 'one vDisk: id, size, owner, parent, snapshots and the clones that hang from them',
    build: ([name]) => ({ name: 'vdisk show', vdisk: objectName('NAME', name!) }),
  },
  {
    name: 'vdisk delete',
    arguments: [{ name: 'NAME' }],
    flags: [],
    summary: 'delete a vDisk and its snapshots (refused while a clone hangs from one of them); the owner frees its blocks in the background',
    build: ([name]) => ({ name: 'vdisk delete', vdisk: objectName('NAME', name!) }),
  },
  {
    name: 'vdisk resize',
    arguments: [{ name: 'NAME' }],
    flags: [flag.size],
    requiredFlags: ['size'],
    summary: 'grow a vDisk to SIZE (shrinking is refused); connected NBD clients see the new size when they reconnect',
    build: ([name], flags) => ({ name: 'vdisk resize', vdisk: objectName('NAME', name!), sizeBytes: parseSize('--size', requiredFlag(flags, 'size')) }),
  },
  {
    name: 'vdisk export',
    arguments: [{ name: 'NAME[@SNAP]' }],
    flags: [],
    summary: "print the nbd:// URI that serves the vDisk (or, read-only, one of its snapshots), on its owner node",
    build: ([target]) => ({ name: 'vdisk export', target: exportTarget('NAME[@SNAP]', target!) }),
  },
  {
    name: 'vdisk import',
    arguments: [{ name: 'NAME' }, { name: 'FILE' }],
    flags: [flag.size, flag.node],
    summary: 'create vDisk NAME from a raw image FILE (the size defaults to the file size); runs of zeros are left unwritten',
    build: ([name, file], flags) => {
      const size = stringFlag(flags, 'size');
      return {
        name: 'vdisk import',
        vdisk: objectName('NAME', name!),
        file: path('FILE', file!),
        sizeBytes: size === undefined ? undefined : parseSize('--size', size),
        node: optionalName(flags, 'node'),
      };
    },
  },
  {
    name: 'vdisk export-file',
    arguments: [{ name: 'NAME[@SNAP]' }, { name: 'FILE' }],
    flags: [],
    summary: 'copy a vDisk (or a snapshot) into a raw image FILE; holes stay holes in FILE',
    build: ([target, file]) => ({ name: 'vdisk export-file', target: exportTarget('NAME[@SNAP]', target!), file: path('FILE', file!) }),
  },
  {
    name: 'vdisk rollback',
    arguments: [{ name: 'VDISK' }, { name: 'SNAP' }],
    flags: [],
    summary: 'make the vDisk read as snapshot SNAP again; later snapshots are kept',
    build: ([vdisk, snapshot]) => ({ name: 'vdisk rollback', vdisk: objectName('VDISK', vdisk!), snapshot: objectName('SNAP', snapshot!) }),
  },
  {
    name: 'vdisk clone',
    arguments: [{ name: 'VDISK@SNAP' }, { name: 'NEWNAME' }],
    flags: [],
    summary: 'create a linked clone of a snapshot: copy-on-write, unwritten blocks read from the snapshot',
    build: ([source, clone]) => ({ name: 'vdisk clone', source: snapshotRef('VDISK@SNAP', source!), clone: objectName('NEWNAME', clone!) }),
  },
  {
    name: 'vdisk flatten',
    arguments: [{ name: 'NAME' }],
    flags: [],
    summary: "copy into a clone everything it reads from its parent, then detach it, so the parent's snapshot can be deleted",
    build: ([name]) => ({ name: 'vdisk flatten', vdisk: objectName('NAME', name!) }),
  },
  {
    name: 'vdisk diff',
    arguments: [{ name: 'VDISK' }, { name: 'SNAP1' }, { name: 'SNAP2', optional: true }],
    flags: [],
    summary: 'the byte ranges that changed between snapshot SNAP1 and SNAP2 (or the live vDisk)',
    build: ([vdisk, from, to]) => ({
      name: 'vdisk diff',
      vdisk: objectName('VDISK', vdisk!),
      from: objectName('SNAP1', from!),
      to: to === undefined ? undefined : objectName('SNAP2', to),
    }),
  },
  {
    name: 'snapshot create',
    arguments: [{ name: 'VDISK' }, { name: 'SNAP' }],
    flags: [],
    summary: "take a crash-consistent snapshot of the vDisk, in constant time whatever its size",
    build: ([vdisk, snapshot]) => ({ name: 'snapshot create', vdisk: objectName('VDISK', vdisk!), snapshot: objectName('SNAP', snapshot!) }),
  },
  {
    name: 'snapshot list',
    arguments: [{ name: 'VDISK' }],
    flags: [],
    summary: 'the snapshots of a vDisk, oldest first, with their clones',
    build: ([vdisk]) => ({ name: 'snapshot list', vdisk: objectName('VDISK', vdisk!) }),
  },
  {
    name: 'snapshot delete',
    arguments: [{ name: 'VDISK' }, { name: 'SNAP' }],
    flags: [],
    summary: 'delete a snapshot (refused while clones hang from it); the scrubber reclaims its blocks',
    build: ([vdisk, snapshot]) => ({ name: 'snapshot delete', vdisk: objectName('VDISK', vdisk!), snapshot: objectName('SNAP', snapshot!) }),
  },
];

const groups: readonly string[] = [...new Set(commandSpecs.map((spec) => spec.name.split(' ')[0]!))];

function verbsOf(group: string): string[] {
  return commandSpecs.filter((spec) => spec.name.startsWith(`${group} `)).map((spec) => spec.name.split(' ')[1]!);
}

/** Every flag name with its spec; one arity per name across the CLI. */
const flagsByName: ReadonlyMap<string, FlagSpec> = new Map(
  [...globalFlags, ...commandSpecs.flatMap((spec) => spec.flags)].map((spec) => [spec.name, spec]),
);

function orList(words: readonly string[]): string {
  return words.length === 1 ? words[0]! : `${words.slice(0, -1).join(', ')} or ${words.at(-1)!}`;
}

// ---------------------------------------------------------------- help

function synopsis(spec: CommandSpec): string {
  const parts = [`vstorctl ${spec.name}`];
  for (const argument of spec.arguments) parts.push(argument.optional === true ? `[${argument.name}]` : argument.name);
  const required = new Set(spec.requiredFlags ?? []);
  for (const option of spec.flags) {
    const text = option.value === undefined ? `--${option.name}` : `--${option.name} ${option.value}`;
    parts.push(required.has(option.name) ? text : `[${text}]`);
  }
  return parts.join(' ');
}

function flagLines(specs: readonly FlagSpec[]): string[] {
  const labels = specs.map((spec) => (spec.value === undefined ? `--${spec.name}` : `--${spec.name} ${spec.value}`));
  const width = Math.max(...labels.map((label) => label.length));
  return labels.map((label, index) => `  ${label.padEnd(width)}  ${specs[index]!.help}`);
}

const exitStatusLine = 'Exit status: 0 success, 1 operational error (the vstor code is printed: UNAVAILABLE, NOT_FOUND, ...), 2 usage error.';

function generalHelp(): string {
  const lines = [
    'usage: vstorctl [--endpoints H:P,...] [--config PATH] [--output table|json] [--timeout-ms N] COMMAND ...',
    '',
    'vstorctl operates a vstor cluster over gRPC. Commands:',
    '',
  ];
  for (const spec of commandSpecs) lines.push(`  ${synopsis(spec).slice('vstorctl '.length)}`, `      ${spec.summary}`);
  lines.push('', 'Global flags (anywhere on the line):', ...flagLines(globalFlags), '', 'Run `vstorctl COMMAND --help` for one command. `--` ends the flags.', exitStatusLine);
  return lines.join('\n') + '\n';
}

function groupHelp(group: string): string {
  const lines = [`usage: vstorctl ${group} ${verbsOf(group).join('|')} ...`, ''];
  for (const spec of commandSpecs.filter((candidate) => candidate.name.startsWith(`${group} `))) {
    lines.push(`  ${synopsis(spec)}`, `      ${spec.summary}`);
  }
  lines.push('', 'Global flags: see vstorctl --help.');
  return lines.join('\n') + '\n';
}

function commandHelp(spec: CommandSpec): string {
  const lines = [`usage: ${synopsis(spec)}`, '', `${spec.summary[0]!.toUpperCase()}${spec.summary.slice(1)}.`];
  if (spec.flags.length > 0) lines.push('', 'Flags:', ...flagLines(spec.flags));
  lines.push('', 'Global flags:', ...flagLines(globalFlags), '', exitStatusLine);
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------- parsing

interface Tokens {
  positional: string[];
  /** Flag name → value (true for a switch), in the order given. */
  flags: Map<string, string | true>;
  help: boolean;
}

function tokenize(argv: readonly string[]): Tokens {
  const tokens: Tokens = { positional: [], flags: new Map(), help: false };
  for (let index = 0; index < argv.length; index++) {
    const token = argv[index]!;
    if (token === '--') {
      tokens.positional.push(...argv.slice(index + 1));
      break;
    }
    if (token === '-h') {
      tokens.help = true;
      continue;
    }
    if (/^-[A-Za-z]/.test(token)) throw new UsageError(`unknown flag ${token}`);
    if (!token.startsWith('--')) {
      tokens.positional.push(token);
      continue;
    }
    const equals = token.indexOf('=');
    const name = token.slice(2, equals < 0 ? undefined : equals);
    const spec = flagsByName.get(name);
    if (spec === undefined) throw new UsageError(`unknown flag --${name}`);
    if (name === 'help') {
      if (equals >= 0) throw new UsageError('--help takes no value');
      tokens.help = true;
      continue;
    }
    if (tokens.flags.has(name)) throw new UsageError(`--${name} is given more than once`);
    if (spec.value === undefined) {
      if (equals >= 0) throw new UsageError(`--${name} takes no value, got ${JSON.stringify(token.slice(equals + 1))}`);
      tokens.flags.set(name, true);
      continue;
    }
    let value: string | undefined;
    if (equals >= 0) {
      value = token.slice(equals + 1);
    } else {
      value = argv[index + 1];
      // A flag right after is a forgotten value, not the value.
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value (${spec.value})`);
      index++;
    }
    tokens.flags.set(name, value);
  }
  return tokens;
}

function globalOptions(flags: FlagValues): GlobalOptions {
  const output = stringFlag(flags, 'output') ?? 'table';
  if (output !== 'table' && output !== 'json') throw new UsageError(`--output: must be table or json, got ${JSON.stringify(output)}`);
  let endpoints: string[] | undefined;
  const list = stringFlag(flags, 'endpoints');
  if (list !== undefined) {
    endpoints = list.split(',').map((entry) => entry.trim());
    if (endpoints.some((entry) => entry === '')) throw new UsageError(`--endpoints: an empty entry in ${JSON.stringify(list)} (expected host:port,host:port,...)`);
    if (endpoints.length > ENDPOINTS_MAX) throw new UsageError(`--endpoints: at most ${ENDPOINTS_MAX}, got ${endpoints.length}`);
    for (const endpoint of endpoints) hostPort('--endpoints', endpoint);
    endpoints = [...new Set(endpoints)];
  }
  const configPath = stringFlag(flags, 'config');
  if (configPath === '') throw new UsageError('--config: must be a path, got ""');
  const timeoutText = stringFlag(flags, 'timeout-ms');
  const timeoutMs = timeoutText === undefined ? TIMEOUT_MS_DEFAULT : integer('--timeout-ms', timeoutText, 1, TIMEOUT_MS_MAX);
  return { endpoints, configPath, output, timeoutMs };
}

/** The command spec named by the leading positional words, or a usage error. */
function findSpec(positional: readonly string[]): CommandSpec {
  const [group, verb] = positional;
  if (group === undefined) throw new UsageError(`missing command (expected ${orList(groups)}; see vstorctl --help)`);
  if (!groups.includes(group)) throw new UsageError(`unknown command ${JSON.stringify(group)} (expected ${orList(groups)}; see vstorctl --help)`);
  const verbs = verbsOf(group);
  if (verb === undefined) throw new UsageError(`${group}: missing subcommand (expected ${orList(verbs)})`);
  const spec = commandSpecs.find((candidate) => candidate.name === `${group} ${verb}`);
  if (spec === undefined) throw new UsageError(`unknown command ${JSON.stringify(`${group} ${verb}`)} (expected ${group} ${orList(verbs)})`);
  return spec;
}

function helpFor(positional: readonly string[]): string {
  const words = positional[0] === 'help' ? positional.slice(1) : positional;
  if (words.length === 0) return generalHelp();
  if (words.length === 1 && groups.includes(words[0]!)) return groupHelp(words[0]!);
  return commandHelp(findSpec(words));
}

function parseOrThrow(argv: readonly string[]): Parsed {
  const tokens = tokenize(argv);
  if (tokens.help || tokens.positional[0] === 'help') return { kind: 'help', text: helpFor(tokens.positional) };
  const spec = findSpec(tokens.positional);
  const options = globalOptions(tokens.flags);
  const context = (error: unknown): never => {
    if (error instanceof UsageError) throw new UsageError(`${spec.name}: ${error.message} (usage: ${synopsis(spec)})`);
    throw error;
  };
  try {
    const allowed = new Set([...globalFlags, ...spec.flags].map((option) => option.name));
    for (const name of tokens.flags.keys()) {
      if (!allowed.has(name)) throw new UsageError(`does not take --${name}`);
    }
    const positional = tokens.positional.slice(2);
    const required = spec.arguments.filter((argument) => argument.optional !== true);
    if (positional.length < required.length) throw new UsageError(`missing ${required[positional.length]!.name}`);
    if (positional.length > spec.arguments.length) throw new UsageError(`unexpected argument ${JSON.stringify(positional[spec.arguments.length])}`);
    return { kind: 'run', options, command: spec.build(positional, tokens.flags) };
  } catch (error) {
    return context(error);
  }
}

/** argv (without node and the script) → what to do. Never throws for any input. */
export function parseArguments(argv: readonly string[]): Parsed {
  try {
    return parseOrThrow(argv);
  } catch (error) {
    if (error instanceof UsageError) return { kind: 'usage-error', message: error.message };
    throw error;
  }
}
