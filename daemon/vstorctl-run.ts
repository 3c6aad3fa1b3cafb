// Runs one parsed vstorctl command against the cluster through the client library
// (rpc/client.ts), and writes what it prints through the environment it is given, so that
// the process concerns (stdout, stdin, signals, exit status) stay in daemon/vstorctl.ts.
//
// It fails in one of two ways: a UsageError (exit 2) for what the operator typed or
// pointed at (no usable cluster.yaml, an unreadable or malformed txn document), or a
// VstorError (exit 1) for what the cluster answered or the network did.

import { resolve } from 'node:path';
import type { Member__Output } from '../proto/gen/vstor/v1/Member.ts';
import type { TxnOptions } from '../rpc/client.ts';
import { VstorClient } from '../rpc/client.ts';
import { isVstorError, VstorError } from '../rpc/errors.ts';
import { ConfigError, formatHostPort, loadClusterConfig } from './config.ts';
import type { Command, GlobalOptions, MemberRef } from './vstorctl-args.ts';
import { ENDPOINTS_MAX, UsageError } from './vstorctl-args.ts';
import type { CommandResult, EndpointStatus } from './vstorctl-render.ts';
import { renderResult, renderWatchEvent } from './vstorctl-render.ts';
import type { ProgressSink } from './vstorctl-progress.ts';
import { exportFile, importFile } from './vstorctl-transfer.ts';
import { parseTxnDocument, TXN_DOCUMENT_BYTES_MAX } from './vstorctl-txn.ts';

export interface CtlEnvironment {
  /** The directory a relative --config or the default ./cluster.yaml is found in. */
  cwd: string;
  /** Writes to stdout; resolves once written, so a watch feels back-pressure. */
  write(text: string): Promise<void>;
  /** All of stdin as UTF-8; rejects with a UsageError past `bytesMax`. */
  readStdin(bytesMax: number): Promise<string>;
  /** A whole file as UTF-8; rejects with a UsageError if unreadable or past `bytesMax`. */
  readFile(path: string, bytesMax: number): Promise<string>;
  /** Aborted on Ctrl-C: a watch stops and the command succeeds. */
  signal: AbortSignal;
  /** Where import and export-file draw their progress bar (stderr); none when absent. */
  progress?: ProgressSink;
}

/** The endpoints to call and, when they came from a config, the node behind each. */
interface Target {
  endpoints: string[];
  nodes: ReadonlyMap<string, { name: string; id: number }>;
}

function targetOf(options: GlobalOptions, cwd: string): Target {
  if (options.endpoints !== undefined) return { endpoints: options.endpoints, nodes: new Map() };
  const path = options.configPath ?? 'cluster.yaml';
  let nodes;
  try {
    nodes = loadClusterConfig(resolve(cwd, path)).nodes;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const origin = options.configPath === undefined ? `no --endpoints, and ./${path}` : `--config ${path}`;
    throw new UsageError(`${origin}: ${error.message}`);
  }
  if (nodes.length > ENDPOINTS_MAX) throw new UsageError(`--config ${path}: more than ${ENDPOINTS_MAX} nodes; give --endpoints`);
  const endpoints = nodes.map((node) => formatHostPort(node.grpc));
  return { endpoints, nodes: new Map(nodes.map((node, index) => [endpoints[index]!, { name: node.id, id: node.raftId }])) };
}

function quoted(text: string): string {
  return JSON.stringify(text);
}

async function resolveMember(client: VstorClient, ref: MemberRef): Promise<{ member: Member__Output; members: Member__Output[] }> {
  const members = await client.members();
  const member = members.find((candidate) => (ref.by === 'id' ? candidate.id === ref.id : candidate.name === ref.name));
  if (member === undefined) {
    const which = ref.by === 'id' ? `with id ${ref.id}` : `named ${quoted(ref.name)}`;
    const known = members.map((candidate) => `${candidate.name} (id ${candidate.id})`).join(', ');
    throw new VstorError('NOT_FOUND', `no member ${which} (members: ${known})`);
  }
  return { member, members };
}

async function statusOf(client: VstorClient, endpoint: string, node: { name: string; id: number } | undefined): Promise<EndpointStatus> {
  const known = { endpoint, name: node?.name, id: node?.id };
  try {
    return { ...known, status: await client.status({ endpoint }), error: undefined };
  } catch (error) {
    if (!isVstorError(error)) throw error;
    return { ...known, status: undefined, error: { code: error.code, message: error.message } };
  }
}

/**
 * Every endpoint's own view, asked of all at once; then the same of members that the
 * answers list but that were not asked (a learner just added, a node missing from the
 * config), so that the table covers the whole group. No failover: a member that does not
 * answer is a row saying so.
 */
async function clusterStatus(target: Target, timeoutMs: number): Promise<EndpointStatus[]> {
  const ask = async (endpoints: string[]): Promise<EndpointStatus[]> => {
    const client = new VstorClient({ endpoints, timeoutMs });
    try {
      return await Promise.all(endpoints.map((endpoint) => statusOf(client, endpoint, target.nodes.get(endpoint))));
    } finally {
      client.close();
    }
  };
  const rows = await ask(target.endpoints);
  const asked = new Set(target.endpoints);
  const more = new Set<string>();
  for (const row of rows) {
    for (const entry of row.status?.members ?? []) {
      const address = entry.member?.grpcAddress;
      if (address !== undefined && address !== '' && !asked.has(address)) more.add(address);
    }
  }
  if (more.size > 0) rows.push(...(await ask([...more].slice(0, ENDPOINTS_MAX))));
  if (rows.every((row) => row.status === undefined)) {
    const first = rows.find((row) => row.error !== undefined)?.error;
    throw new VstorError('UNAVAILABLE', `no endpoint answered (${target.endpoints.join(', ')})${first === undefined ? '' : `: ${first.message}`}`);
  }
  return rows;
}

/** The txn document of `kv txn`, checked; a UsageError naming where it came from. */
async function txnDocument(file: string | undefined, environment: CtlEnvironment): Promise<TxnOptions> {
  const source = file === undefined ? 'stdin' : `--file ${file}`;
  try {
    const text = file === undefined ? await environment.readStdin(TXN_DOCUMENT_BYTES_MAX) : await environment.readFile(file, TXN_DOCUMENT_BYTES_MAX);
    return parseTxnDocument(text);
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`kv txn: ${source}: ${error.message}`);
    throw error;
  }
}

async function watch(client: VstorClient, command: Extract<Command, { name: 'kv watch' }>, options: GlobalOptions, environment: CtlEnvironment): Promise<void> {
  const { signal } = environment;
  if (signal.aborted) return;
  let reported = 0;
  const stream = await client.watch({ key: command.key, prefix: command.prefix, startRevision: command.startRevision });
  const stop = (): void => stream.cancel();
  signal.addEventListener('abort', stop, { once: true });
  // Ctrl-C while the watch was starting.
  if (signal.aborted) stop();
  try {
    for await (const batch of stream) {
      for (const event of batch.events) {
        await environment.write(renderWatchEvent(batch.revision, event, options.output));
        reported++;
        if (reported === command.count) return;
      }
    }
  } finally {
    signal.removeEventListener('abort', stop);
    stream.cancel();
  }
}

async function run(client: VstorClient, command: Exclude<Command, { name: 'cluster status' | 'kv watch' }>, environment: CtlEnvironment): Promise<CommandResult> {
  switch (command.name) {
    case 'member list':
      return { name: command.name, members: await client.members() };
    case 'member add': {
      const { name, grpc, peer, admin, nbd, id } = command.member;
      const response = await client.addMember({ name, grpcAddress: grpc, peerAddress: peer, adminAddress: admin, nbdAddress: nbd, id });
      if (response.member === null) throw new VstorError('INTERNAL', 'MemberAdd: the answer does not say which member was added');
      return { name: command.name, member: response.member, members: response.members };
    }
    case 'member promote': {
      const { member } = await resolveMember(client, command.member);
      const members = await client.promote(member.id);
      return { name: command.name, member: members.find((candidate) => candidate.id === member.id) ?? { ...member, isLearner: false }, members };
    }
    case 'member remove': {
      const { member } = await resolveMember(client, command.member);
      return { name: command.name, member, members: await client.removeMember(member.id) };
    }
    case 'leader transfer': {
      const { member, members } = await resolveMember(client, command.member);
      const response = await client.transferLeadership(member.id);
      return { name: command.name, leader: { id: response.leaderId, name: members.find((candidate) => candidate.id === response.leaderId)?.name } };
    }
    case 'kv get': {
      const response = await client.range({ key: command.key, serializable: command.serializable });
      const kv = response.kvs[0];
      if (kv === undefined) throw new VstorError('NOT_FOUND', `key ${quoted(command.key)} does not exist`);
      return { name: command.name, kv };
    }
    case 'kv put': {
      const response = await client.put(command.key, command.value);
      return { name: command.name, key: command.key, revision: response.header?.revision ?? 0 };
    }
    case 'kv delete': {
      const response = await client.delete(command.key, { prefix: command.prefix });
      return { name: command.name, deleted: response.deleted, revision: response.header?.revision ?? 0 };
    }
    case 'kv list': {
      const response = await client.list(command.prefix, { limit: command.limit, reverse: command.reverse, keysOnly: command.keysOnly });
      return { name: command.name, response, keysOnly: command.keysOnly };
    }
    case 'kv txn': {
      const txn = await txnDocument(command.file, environment);
      return { name: command.name, response: await client.txn(txn) };
    }
    default:
      return runVDisk(client, command, environment);
  }
}

type VDiskCommand = Extract<Command, { name: `vdisk ${string}` | `snapshot ${string}` }>;

/** nbd://host:port/EXPORT, the form qemu, nbdinfo and nbdcopy take. */
export function nbdUri(nbdAddress: string, exportName: string): string {
  return `nbd://${nbdAddress}/${encodeURIComponent(exportName).replace(/%40/g, '@')}`;
}

async function runVDisk(client: VstorClient, command: VDiskCommand, environment: CtlEnvironment): Promise<CommandResult> {
  const vdisks = client.vdisks;
  switch (command.name) {
    case 'vdisk create':
      return { name: command.name, vdisk: await vdisks.create(command.vdisk, command.sizeBytes, command.node === undefined ? {} : { node: command.node }) };
    case 'vdisk list':
      return { name: command.name, vdisks: await vdisks.list() };
    case 'vdisk show':
      return { name: command.name, vdisk: await vdisks.get(command.vdisk) };
    case 'vdisk delete':
      await vdisks.delete(command.vdisk);
      return { name: command.name, vdisk: command.vdisk };
    case 'vdisk resize':
      return { name: command.name, vdisk: await vdisks.resize(command.vdisk, command.sizeBytes) };
    case 'vdisk export': {
      const { vdisk: name, snapshot } = command.target;
      const vdisk = await vdisks.get(name);
      if (snapshot !== undefined && !vdisk.snapshots.some((candidate) => candidate.name === snapshot)) {
        throw new VstorError('NOT_FOUND', `vdisk ${name} has no snapshot ${snapshot}`);
      }
      const owner = (await client.members()).find((member) => member.name === vdisk.owner);
      if (owner === undefined) throw new VstorError('UNAVAILABLE', `vdisk ${name} is owned by ${vdisk.owner}, which is not a member any more`);
      const exportName = snapshot === undefined ? name : `${name}@${snapshot}`;
      return { name: command.name, vdisk: name, snapshot, node: owner.name, uri: nbdUri(owner.nbdAddress, exportName) };
    }
    case 'vdisk import': {
      const outcome = await importFile(vdisks, command, environment.progress);
      return { name: command.name, file: command.file, ...outcome };
    }
    case 'vdisk export-file': {
      const outcome = await exportFile(vdisks, { ...command.target, file: command.file }, environment.progress);
      return { name: command.name, ...command.target, file: command.file, ...outcome };
    }
    case 'vdisk rollback':
      return { name: command.name, vdisk: await vdisks.rollback(command.vdisk, command.snapshot), snapshot: command.snapshot };
    case 'vdisk clone':
      return { name: command.name, vdisk: await vdisks.clone(command.source.vdisk, command.source.snapshot, command.clone) };
    case 'vdisk flatten':
      return { name: command.name, vdisk: await vdisks.flatten(command.vdisk) };
    case 'vdisk diff': {
      const ranges = [];
      let blockBytes = 4096;
      let startBlockIndex = 0;
      for (;;) {
        const page = await vdisks.diff(command.vdisk, { from: command.from, ...(command.to === undefined ? {} : { to: command.to }), startBlockIndex });
        blockBytes = page.blockBytes;
        ranges.push(...page.ranges);
        if (!page.more) break;
        startBlockIndex = page.nextStartBlockIndex;
      }
      const byteRanges = ranges.map((range) => ({ offsetBytes: range.firstBlockIndex * blockBytes, lengthBytes: range.blockCount * blockBytes }));
      return { name: command.name, vdisk: command.vdisk, from: command.from, to: command.to, ranges: byteRanges };
    }
    case 'snapshot create': {
      const { vdisk, snapshot } = await vdisks.createSnapshot(command.vdisk, command.snapshot);
      return { name: command.name, vdisk, snapshot };
    }
    case 'snapshot list':
      return { name: command.name, vdisk: command.vdisk, snapshots: await vdisks.listSnapshots(command.vdisk) };
    case 'snapshot delete':
      await vdisks.deleteSnapshot(command.vdisk, command.snapshot);
      return { name: command.name, vdisk: command.vdisk, snapshot: command.snapshot };
  }
}

/** Runs `command`; see the top of this file for how it fails. */
export async function execute(options: GlobalOptions, command: Command, environment: CtlEnvironment): Promise<void> {
  const target = targetOf(options, environment.cwd);
  if (command.name === 'cluster status') {
    await environment.write(renderResult({ name: command.name, endpoints: await clusterStatus(target, options.timeoutMs) }, options.output));
    return;
  }
  // The client connects on its first call, so a bad txn document is reported first.
  const client = new VstorClient({ endpoints: target.endpoints, timeoutMs: options.timeoutMs });
  try {
    if (command.name === 'kv watch') await watch(client, command, options, environment);
    else await environment.write(renderResult(await run(client, command, environment), options.output));
  } finally {
    client.close();
  }
}
