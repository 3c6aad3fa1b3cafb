// What vstorctl prints for each command's result, in both formats: `json` is one document
// (pretty-printed; for watch, one compact object per line) whose fields are the data a
// script wants, and `table` is aligned columns and short sentences for people. Pure
// functions from results to text, so every shape is tested without a cluster; the shapes
// are documented in docs/vstorctl.md.

import type { Event__Output } from '../proto/gen/vstor/v1/Event.ts';
import type { KeyValue__Output } from '../proto/gen/vstor/v1/KeyValue.ts';
import type { Member__Output } from '../proto/gen/vstor/v1/Member.ts';
import type { RangeResponse__Output } from '../proto/gen/vstor/v1/RangeResponse.ts';
import type { StatusResponse__Output } from '../proto/gen/vstor/v1/StatusResponse.ts';
import type { TxnResponse__Output } from '../proto/gen/vstor/v1/TxnResponse.ts';
import type { VstorErrorCode } from '../rpc/errors.ts';
import type { OutputFormat } from './vstorctl-args.ts';
import { encodeForJson, escapeForTable } from './vstorctl-bytes.ts';
import type { VDiskResult } from './vstorctl-render-vdisk.ts';
import { vdiskResultJson, vdiskResultTable } from './vstorctl-render-vdisk.ts';
import { formatTable } from './vstorctl-table.ts';

/** One endpoint asked for its status: its answer, or why there was none. */
export interface EndpointStatus {
  endpoint: string;
  /** What the config says of the node at this endpoint, when it came from the config. */
  name: string | undefined;
  id: number | undefined;
  status: StatusResponse__Output | undefined;
  error: { code: VstorErrorCode; message: string } | undefined;
}

export interface MemberSummary {
  id: number;
  name: string | undefined;
}

export type CommandResult =
  | { name: 'cluster status'; endpoints: EndpointStatus[] }
  | { name: 'member list'; members: Member__Output[] }
  | { name: 'member add' | 'member promote' | 'member remove'; member: Member__Output; members: Member__Output[] }
  | { name: 'leader transfer'; leader: MemberSummary }
  | { name: 'kv get'; kv: KeyValue__Output }
  | { name: 'kv put'; key: string; revision: number }
  | { name: 'kv delete'; deleted: number; revision: number }
  | { name: 'kv list'; response: RangeResponse__Output; keysOnly: boolean }
  | { name: 'kv txn'; response: TxnResponse__Output }
  | VDiskResult;

function isVDiskResult(result: CommandResult): result is VDiskResult {
  return result.name.startsWith('vdisk ') || result.name.startsWith('snapshot ');
}

type Json = Record<string, unknown>;

// ---------------------------------------------------------------- pieces

function bytesJson(field: string, bytes: Uint8Array): Json {
  const { text, encoding } = encodeForJson(bytes);
  return { [field]: text, [`${field}Encoding`]: encoding };
}

function kvJson(kv: KeyValue__Output, keysOnly = false): Json {
  return {
    ...bytesJson('key', kv.key),
    ...(keysOnly ? {} : bytesJson('value', kv.value)),
    createRevision: kv.createRevision,
    modRevision: kv.modRevision,
    version: kv.version,
  };
}

function kvTable(kvs: readonly KeyValue__Output[], keysOnly: boolean): string {
  const headers = ['KEY', 'VERSION', 'CREATE-REV', 'MOD-REV', ...(keysOnly ? [] : ['VALUE'])];
  return formatTable(headers, kvs.map((kv) => [
    escapeForTable(kv.key), String(kv.version), String(kv.createRevision), String(kv.modRevision),
    ...(keysOnly ? [] : [escapeForTable(kv.value)]),
  ]));
}

function byId(members: readonly Member__Output[]): Member__Output[] {
  return [...members].sort((a, b) => a.id - b.id);
}

function memberJson(member: Member__Output): Json {
  return {
    id: member.id, name: member.name, isLearner: member.isLearner,
    grpcAddress: member.grpcAddress, peerAddress: member.peerAddress, adminAddress: member.adminAddress, nbdAddress: member.nbdAddress,
  };
}

function membersTable(members: readonly Member__Output[]): string {
  return formatTable(['ID', 'NAME', 'ROLE', 'GRPC', 'PEER', 'ADMIN', 'NBD'], byId(members).map((member) => [
    String(member.id), member.name, member.isLearner ? 'learner' : 'voter', member.grpcAddress, member.peerAddress || '-', member.adminAddress, member.nbdAddress,
  ]));
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function nameAndId(member: MemberSummary): string {
  return member.name === undefined ? `member ${member.id}` : `${member.name} (id ${member.id})`;
}

// ---------------------------------------------------------------- cluster status

/** One row of `cluster status`: one member's view of the group, or why it gave none. */
export interface StatusRow {
  endpoint: string;
  reachable: boolean;
  name: string | null;
  id: number | null;
  role: string | null;
  isLearner: boolean | null;
  term: number | null;
  leaderId: number | null;
  leaderName: string | null;
  commitIndex: number | null;
  appliedIndex: number | null;
  firstIndex: number | null;
  lastIndex: number | null;
  /** The leader's last index minus this member's match index, as the leader reports it;
   * null when no leader answered. */
  lagEntries: number | null;
  error: { code: string; message: string } | null;
}

function roleName(role: string): string {
  return role.replace(/^ROLE_/, '').toLowerCase().replace(/_/g, '-');
}

/**
 * The rows of `cluster status`. Names of members that did not answer come from the
 * config or from another member's member list; lag comes from the leader, the only member
 * that tracks its followers' progress (the one with the highest term if two claim it).
 */
export function statusRows(endpoints: readonly EndpointStatus[]): StatusRow[] {
  const answers = endpoints.flatMap((endpoint) => (endpoint.status === undefined ? [] : [endpoint.status]));
  const known = new Map<number, Member__Output>();
  for (const answer of answers) {
    for (const entry of answer.members) if (entry.member !== null) known.set(entry.member.id, entry.member);
  }
  const leader = answers
    .filter((answer) => answer.role === 'ROLE_LEADER')
    .sort((a, b) => b.raftTerm - a.raftTerm)[0];
  const lagById = new Map<number, number>();
  for (const entry of leader?.members ?? []) {
    if (entry.member !== null && entry.progressKnown) lagById.set(entry.member.id, entry.lagEntries);
  }
  return endpoints.map((endpoint) => {
    const status = endpoint.status;
    if (status === undefined) {
      const member = [...known.values()].find((candidate) => candidate.grpcAddress === endpoint.endpoint);
      const id = endpoint.id ?? member?.id ?? null;
      return {
        endpoint: endpoint.endpoint, reachable: false,
        name: endpoint.name ?? member?.name ?? null, id,
        role: null, isLearner: null, term: null, leaderId: null, leaderName: null,
        commitIndex: null, appliedIndex: null, firstIndex: null, lastIndex: null,
        // How far behind the leader sees it is what an operator most wants of a member down.
        lagEntries: id === null ? null : lagById.get(id) ?? null,
        error: endpoint.error ?? { code: 'UNAVAILABLE', message: 'no answer' },
      };
    }
    return {
      endpoint: endpoint.endpoint, reachable: true,
      name: status.name, id: status.id,
      role: roleName(status.role), isLearner: status.isLearner, term: status.raftTerm,
      leaderId: status.leaderId === 0 ? null : status.leaderId,
      leaderName: status.leaderId === 0 ? null : known.get(status.leaderId)?.name ?? null,
      commitIndex: status.commitIndex, appliedIndex: status.appliedIndex,
      firstIndex: status.firstIndex, lastIndex: status.lastIndex,
      lagEntries: lagById.get(status.id) ?? null,
      error: null,
    };
  });
}

function statusTable(rows: readonly StatusRow[]): string {
  const dash = (value: number | string | null): string => (value === null ? '-' : String(value));
  const anyError = rows.some((row) => row.error !== null);
  const headers = ['ENDPOINT', 'NAME', 'ID', 'ROLE', 'TERM', 'LEADER', 'COMMIT', 'APPLIED', 'LAG', ...(anyError ? ['ERROR'] : [])];
  return formatTable(headers, rows.map((row) => [
    row.endpoint, dash(row.name), dash(row.id),
    row.reachable ? (row.isLearner === true ? `${row.role} (learner)` : row.role!) : 'unreachable',
    dash(row.term), dash(row.leaderName ?? row.leaderId), dash(row.commitIndex), dash(row.appliedIndex), dash(row.lagEntries),
    ...(anyError ? [row.error === null ? '' : `${row.error.code}: ${row.error.message}`] : []),
  ]));
}

// ---------------------------------------------------------------- txn

function txnResponsesJson(response: TxnResponse__Output): Json[] {
  return response.responses.map((entry) => {
    if (entry.response === 'responsePut') return { type: 'put' };
    if (entry.response === 'responseDeleteRange') return { type: 'delete', deleted: entry.responseDeleteRange?.deleted ?? 0 };
    const range = entry.responseRange;
    return { type: 'range', count: range?.count ?? 0, kvs: (range?.kvs ?? []).map((kv) => kvJson(kv)) };
  });
}

function txnTable(response: TxnResponse__Output): string {
  const revision = response.header?.revision ?? 0;
  const lines = [response.succeeded
    ? `succeeded: every comparison held, the success operations were applied (revision ${revision})`
    : `failed: a comparison did not hold, the failure operations were applied (revision ${revision})`];
  for (const [index, entry] of txnResponsesJson(response).entries()) {
    const detail = entry.type === 'delete' ? `deleted ${plural(entry.deleted as number, 'key')}` : entry.type === 'put' ? 'put' : `read ${plural(entry.count as number, 'key')}`;
    lines.push(`  ${index + 1}. ${detail}`);
  }
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------- documents

export function resultJson(result: CommandResult): Json {
  if (isVDiskResult(result)) return vdiskResultJson(result);
  switch (result.name) {
    case 'cluster status':
      return { members: statusRows(result.endpoints) };
    case 'member list':
      return { members: byId(result.members).map(memberJson) };
    case 'member add':
    case 'member promote':
    case 'member remove':
      return { member: memberJson(result.member), members: byId(result.members).map(memberJson) };
    case 'leader transfer':
      return { leaderId: result.leader.id, leaderName: result.leader.name ?? null };
    case 'kv get':
      return kvJson(result.kv);
    case 'kv put':
      return { ...bytesJson('key', Buffer.from(result.key, 'utf8')), revision: result.revision };
    case 'kv delete':
      return { deleted: result.deleted, revision: result.revision };
    case 'kv list':
      return {
        revision: result.response.header?.revision ?? 0,
        count: result.response.count,
        more: result.response.more,
        kvs: result.response.kvs.map((kv) => kvJson(kv, result.keysOnly)),
      };
    case 'kv txn':
      return { succeeded: result.response.succeeded, revision: result.response.header?.revision ?? 0, responses: txnResponsesJson(result.response) };
  }
}

export function resultTable(result: CommandResult): string {
  if (isVDiskResult(result)) return vdiskResultTable(result);
  switch (result.name) {
    case 'cluster status':
      return statusTable(statusRows(result.endpoints));
    case 'member list':
      return membersTable(result.members);
    case 'member add':
      return `added ${nameAndId(result.member)} as a learner\n\n${membersTable(result.members)}`;
    case 'member promote':
      return `promoted ${nameAndId(result.member)} to voter\n\n${membersTable(result.members)}`;
    case 'member remove':
      return `removed ${nameAndId(result.member)}\n\n${membersTable(result.members)}`;
    case 'leader transfer':
      return `${nameAndId(result.leader)} is the leader now\n`;
    case 'kv get':
      return kvTable([result.kv], false);
    case 'kv put':
      return `put ${escapeForTable(Buffer.from(result.key, 'utf8'))} (revision ${result.revision})\n`;
    case 'kv delete':
      return `deleted ${plural(result.deleted, 'key')} (revision ${result.revision})\n`;
    case 'kv list': {
      const { kvs, count, more } = result.response;
      if (kvs.length === 0) return 'no keys\n';
      const table = kvTable(kvs, result.keysOnly);
      return more ? `${table}(${kvs.length} of ${plural(count, 'key')} shown; raise --limit for more)\n` : table;
    }
    case 'kv txn':
      return txnTable(result.response);
  }
}

export function renderResult(result: CommandResult, format: OutputFormat): string {
  return format === 'json' ? `${JSON.stringify(resultJson(result), null, 2)}\n` : resultTable(result);
}

/** One line for one event of a watch. */
export function renderWatchEvent(revision: number, event: Event__Output, format: OutputFormat): string {
  const kv = event.kv;
  const type = event.type === 'DELETE' ? 'delete' : 'put';
  if (format === 'json') {
    const fields = kv === null ? {} : type === 'delete' ? { ...bytesJson('key', kv.key), modRevision: kv.modRevision } : kvJson(kv);
    return `${JSON.stringify({ revision, type, ...fields })}\n`;
  }
  const key = kv === null ? '' : escapeForTable(kv.key);
  const cells = [String(revision), type.toUpperCase().padEnd(6), key];
  if (type === 'put' && kv !== null) cells.push(escapeForTable(kv.value));
  return `${cells.join('  ').trimEnd()}\n`;
}
