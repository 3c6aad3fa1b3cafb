// vstor.v1.Cluster over a ClusterNode: what this member knows of the Raft group (Status,
// MemberList) and the membership changes an operator makes (MemberAdd as a learner,
// MemberPromote, MemberRemove, TransferLeadership).
//
// Status is always this member's own view, never forwarded. MemberList is linearizable
// through the read barrier unless serializable. Membership changes are the leader's to
// make: on the leader they go to the node; on a follower they are checked here (bad input
// never travels) and relayed once to the leader (rpc/cluster-relay.ts).
import { createHash } from 'node:crypto';
import type { ServerUnaryCall } from '@grpc/grpc-js';
import type { ClusterHandlers } from '../proto/gen/vstor/v1/Cluster.ts';
import type { Member } from '../proto/gen/vstor/v1/Member.ts';
import type { MemberStatus } from '../proto/gen/vstor/v1/MemberStatus.ts';
import type { ProgressState } from '../proto/gen/vstor/v1/ProgressState.ts';
import type { Role } from '../proto/gen/vstor/v1/Role.ts';
import type { ProgressStatus, RaftStatus, StateType } from '../consensus/index.ts';
import type { ModelConfig } from '../storage-engine/model/index.ts';
import { defaultModelConfig } from '../storage-engine/model/index.ts';
import { assert } from '../consensus/index.ts';
import { checkHostPort } from './addresses.ts';
import { VstorError } from './errors.ts';
import { serveUnary } from './handler.ts';
import type { UnaryMethod } from './cluster-relay.ts';
import { forwardedBy, LeaderRelay } from './cluster-relay.ts';
import type { ClusterNode, MemberInfo, WriteIdentity } from './node-api.ts';
import { raftTermOf } from './node-api.ts';
import type { RpcObserver } from './observer.ts';
import type { ClusterClient } from './proto.ts';

export interface ClusterServiceOptions {
  node: ClusterNode;
  observer?: RpcObserver;
  /** clientIdBytesMax applies to membership changes as to KV writes. Default:
   * defaultModelConfig. */
  limits?: Pick<ModelConfig, 'clientIdBytesMax'>;
  /** The longest a relayed call may take, whatever the client's deadline. Default 10 s. */
  relayTimeoutMs?: number;
}

const servicePrefix = 'vstor.v1.Cluster/';

/** The longest member name, in UTF-8 bytes; names are identifiers (n1, store-7.rack2). */
export const MEMBER_NAME_BYTES_MAX = 64;
const memberNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const roles: Readonly<Record<StateType, Role>> = {
  follower: 'ROLE_FOLLOWER',
  'pre-candidate': 'ROLE_PRE_CANDIDATE',
  candidate: 'ROLE_CANDIDATE',
  leader: 'ROLE_LEADER',
};

const progressStates: Readonly<Record<ProgressStatus['state'], ProgressState>> = {
  probe: 'PROGRESS_STATE_PROBE',
  replicate: 'PROGRESS_STATE_REPLICATE',
  snapshot: 'PROGRESS_STATE_SNAPSHOT',
};

function invalidArgument(field: string, problem: string): VstorError {
  return new VstorError('INVALID_ARGUMENT', `${field}: ${problem}`);
}

function memberIdOf(field: string, value: unknown, zeroAllowed = false): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || (value === 0 && !zeroAllowed)) {
    throw invalidArgument(field, `must be an integer from ${zeroAllowed ? 0 : 1} to 2^53-1, got ${String(value)}`);
  }
  return value;
}

function identityOf(clientId: unknown, sequence: unknown, limits: Pick<ModelConfig, 'clientIdBytesMax'>): WriteIdentity {
  if (typeof clientId !== 'string' || clientId.length === 0) {
    throw invalidArgument('client_id', 'must be set: every membership change carries (client_id, sequence) so that a retry is applied at most once');
  }
  const clientIdBytes = Buffer.byteLength(clientId, 'utf8');
  if (clientIdBytes > limits.clientIdBytesMax) throw invalidArgument('client_id', `${clientIdBytes} bytes exceeds clientIdBytesMax (${limits.clientIdBytesMax})`);
  if (typeof sequence !== 'number' || !Number.isSafeInteger(sequence) || sequence < 1) {
    throw invalidArgument('sequence', `must be an integer from 1 to 2^53-1, got ${String(sequence)}`);
  }
  return { clientId, sequence };
}

function memberNameOf(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw invalidArgument('name', 'must be set');
  if (Buffer.byteLength(value, 'utf8') > MEMBER_NAME_BYTES_MAX) throw invalidArgument('name', `must be at most ${MEMBER_NAME_BYTES_MAX} bytes`);
  if (!memberNamePattern.test(value)) throw invalidArgument('name', 'must be letters, digits, ".", "_" and "-", starting with a letter or digit');
  return value;
}

/**
 * The id of a member added with id 0. It is derived from the call's (client_id, sequence)
 * rather than drawn at random, so that a retried add asks for the same id and is
 * recognised as the same change. 48 bits keep it well inside 2^53 and make a collision
 * with another member's id unlikely; one would be refused with ALREADY_EXISTS.
 */
export function derivedMemberId(clusterId: string, identity: WriteIdentity): number {
  const digest = createHash('sha256').update(`${clusterId}\n${identity.clientId}\n${identity.sequence}`).digest();
  return digest.readUIntBE(0, 6) || 1;
}

export function memberToWire(member: MemberInfo): Member {
  return {
    id: member.raftId,
    name: member.name,
    grpcAddress: member.grpc,
    adminAddress: member.admin,
    nbdAddress: member.nbd,
    isLearner: !member.voter,
    peerAddress: member.peer,
  };
}

function memberStatusToWire(member: MemberInfo, status: RaftStatus, lastIndex: number): MemberStatus {
  // Only the leader tracks its followers' progress.
  const progress = status.progress?.get(member.raftId);
  if (progress === undefined) return { member: memberToWire(member), progressKnown: false };
  return {
    member: memberToWire(member),
    progressKnown: true,
    matchIndex: progress.match,
    lagEntries: Math.max(0, lastIndex - progress.match),
    progressState: progressStates[progress.state],
    recentActive: progress.recentActive,
  };
}

export class ClusterService {
  readonly handlers: ClusterHandlers;
  private readonly node: ClusterNode;
  private readonly relay: LeaderRelay;

  constructor(options: ClusterServiceOptions) {
    const node = options.node;
    const limits = options.limits ?? defaultModelConfig;
    const relayTimeoutMs = options.relayTimeoutMs ?? 10_000;
    assert(Number.isSafeInteger(relayTimeoutMs) && relayTimeoutMs > 0, 'relayTimeoutMs must be a positive integer');
    this.node = node;
    this.relay = new LeaderRelay(node.name, relayTimeoutMs);
    const observer = options.observer;
    const header = () => ({ clusterId: node.clusterId, memberId: node.raftId, revision: node.modelRevision?.() ?? 0, raftTerm: raftTermOf(node) });
    const members = () => node.members().map(memberToWire);

    this.handlers = {
      Status: serveUnary(`${servicePrefix}Status`, observer, async () => {
        const status = node.raftStatus();
        const { firstIndex, lastIndex } = node.raftLogIndexes?.() ?? { firstIndex: 0, lastIndex: 0 };
        return {
          header: header(),
          id: node.raftId,
          name: node.name,
          role: roles[status.softState.state],
          isLearner: status.confState.learners.includes(node.raftId),
          raftTerm: status.hardState.term,
          leaderId: status.softState.lead,
          commitIndex: status.hardState.commit,
          appliedIndex: status.applied,
          firstIndex,
          lastIndex,
          // Lag is measured against the leader's last index, or its commit index if the
          // node does not tell its log's indexes.
          members: node.members().map((member) => memberStatusToWire(member, status, lastIndex === 0 ? status.hardState.commit : lastIndex)),
        };
      }),

      MemberList: serveUnary(`${servicePrefix}MemberList`, observer, async (wire) => {
        if (wire.serializable !== true) await node.readBarrier();
        return { header: header(), members: members() };
      }),

      MemberAdd: serveUnary(`${servicePrefix}MemberAdd`, observer, async (wire, call) => {
        const requestedId = memberIdOf('id', wire.id, true);
        const name = memberNameOf(wire.name);
        const addresses = {
          grpc: checkHostPort('grpc_address', wire.grpcAddress),
          peer: checkHostPort('peer_address', wire.peerAddress),
          admin: checkHostPort('admin_address', wire.adminAddress),
          nbd: checkHostPort('nbd_address', wire.nbdAddress),
        };
        const identity = identityOf(wire.clientId, wire.sequence, limits);
        return this.onLeader(call, (client) => client.MemberAdd, async () => {
          const id = requestedId === 0 ? derivedMemberId(node.clusterId, identity) : requestedId;
          await node.addLearner(name, id, addresses, identity);
          return { header: header(), member: memberToWire({ name, raftId: id, voter: false, ...addresses }), members: members() };
        });
      }),

      MemberPromote: serveUnary(`${servicePrefix}MemberPromote`, observer, async (wire, call) => {
        const id = memberIdOf('id', wire.id);
        const identity = identityOf(wire.clientId, wire.sequence, limits);
        return this.onLeader(call, (client) => client.MemberPromote, async () => {
          await node.promote(id, identity);
          return { header: header(), members: members() };
        });
      }),

      MemberRemove: serveUnary(`${servicePrefix}MemberRemove`, observer, async (wire, call) => {
        const id = memberIdOf('id', wire.id);
        const identity = identityOf(wire.clientId, wire.sequence, limits);
        return this.onLeader(call, (client) => client.MemberRemove, async () => {
          await node.remove(id, identity);
          return { header: header(), members: members() };
        });
      }),

      TransferLeadership: serveUnary(`${servicePrefix}TransferLeadership`, observer, async (wire, call) => {
        const requestedId = memberIdOf('target_id', wire.targetId, true);
        return this.onLeader(call, (client) => client.TransferLeadership, async () => {
          const target = requestedId === 0 ? this.mostUpToDateVoter() : this.checkedTransferTarget(requestedId);
          await node.transferLeadership(target);
          return { header: header(), leaderId: node.leader()?.raftId ?? target };
        });
      }),
    };
  }

  /** Closes the connections to leaders. Safe twice. */
  close(): void {
    this.relay.close();
  }

  /**
   * Runs `serve` if this member leads; otherwise relays the call to the leader, unless it
   * was relayed already (NOT_LEADER with the leader hint) or no leader is known
   * (UNAVAILABLE: an election is under way, and a retry will find the new leader).
   */
  private async onLeader<Request, Response, RelayedResponse extends Response>(
    call: ServerUnaryCall<Request, Response>,
    method: (client: ClusterClient) => UnaryMethod<Request, RelayedResponse>,
    serve: () => Promise<Response>,
  ): Promise<Response> {
    if (this.node.raftStatus().softState.state === 'leader') return serve();
    const leader = this.node.leader();
    const knownLeader = leader !== undefined && leader.raftId !== this.node.raftId ? leader : undefined;
    const relayedBy = forwardedBy(call);
    if (relayedBy !== undefined) {
      throw new VstorError('NOT_LEADER', `${this.node.name} does not lead and does not relay a call that ${relayedBy} relayed`, {
        leader: knownLeader === undefined ? undefined : { leaderId: knownLeader.raftId, leaderAddress: knownLeader.grpc },
      });
    }
    if (knownLeader === undefined) throw new VstorError('UNAVAILABLE', 'no leader is known (an election is under way); retry');
    return this.relay.relay(knownLeader, method, call.request, call);
  }

  private checkedTransferTarget(raftId: number): number {
    const member = this.node.members().find((candidate) => candidate.raftId === raftId);
    if (member === undefined) throw new VstorError('NOT_FOUND', `target_id: no member has id ${raftId}`);
    if (!member.voter) throw new VstorError('FAILED_PRECONDITION', `target_id: member ${member.name} (${raftId}) is a learner; promote it first`);
    return raftId;
  }

  /** The voter other than this leader whose log matches the most. */
  private mostUpToDateVoter(): number {
    const progress = this.node.raftStatus().progress;
    let best: { raftId: number; match: number } | undefined;
    for (const member of this.node.members()) {
      if (!member.voter || member.raftId === this.node.raftId) continue;
      const match = progress?.get(member.raftId)?.match ?? 0;
      if (best === undefined || match > best.match) best = { raftId: member.raftId, match };
    }
    if (best === undefined) throw new VstorError('FAILED_PRECONDITION', 'target_id: there is no other voter to hand leadership to');
    return best.raftId;
  }
}
