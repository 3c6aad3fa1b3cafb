// What the public gRPC services need from the node they run on. The daemon implements it
// (daemon/node.ts); the services in rpc/ only translate between the wire and this interface,
// so that they can be tested against a fake node and the daemon stays the composition root.
//
// Every call may be made on any member. Writes and linearizable reads need no forwarding at
// the gRPC level: a write is proposed through the local Raft loop, and Raft itself forwards
// the proposal to the leader (MsgProp); the caller is answered when the entry is applied on
// this member. A linearizable read asks the leader for a read index (MsgReadIndex) and is
// served here once this member has applied it. Membership changes are the exception: the
// leader alone can refuse or accept them, so a follower relays those calls to it.

import type { ConfState, RaftStatus } from '../consensus/index.ts';
import type { KeyValue, RangeRequest, RangeResponse, Watcher, WatchRequest, WriteRequest, WriteResponse } from '../storage-engine/model/index.ts';

export interface MemberAddresses {
  grpc: string;
  /** Where the member takes Raft messages (a TCP port of its own); '' if unknown, for a
   * member recorded before the peer port existed. */
  peer: string;
  admin: string;
  nbd: string;
}

/**
 * The at-most-once identity of a membership change, as for a KV write: a retry reuses the
 * pair, so the leader can answer it with the outcome of the first attempt instead of
 * applying the change twice (or failing a retried add with ALREADY_EXISTS).
 */
export interface WriteIdentity {
  clientId: string;
  sequence: number;
}

export interface MemberInfo extends MemberAddresses {
  /** The operator's name (n1). */
  name: string;
  raftId: number;
  voter: boolean;
}

export interface ClusterNode {
  readonly clusterId: string;
  readonly name: string;
  readonly raftId: number;

  /** The current leader as this member knows it, or undefined during an election. */
  leader(): MemberInfo | undefined;
  raftStatus(): RaftStatus;
  /** The current Raft term, which every response header carries: without building the
   * whole status (configuration, progress) for each answer. Without it:
   * raftStatus().hardState.term. */
  raftTerm?(): number;
  /** The first and last index of this member's Raft log (Cluster.Status reports them, and
   * the leader's last index minus a member's match index is that member's lag). Without it
   * Status reports 0 for both and measures lag from the commit index. */
  raftLogIndexes?(): { firstIndex: number; lastIndex: number };
  /** The revision of this member's model, for the header of Cluster responses (KV
   * responses carry the revision of what they read or wrote). Without it: 0. */
  modelRevision?(): number;
  members(): MemberInfo[];

  /**
   * Applies a write at most once per (clientId, sequence) and answers with the model's
   * response. Fails with VstorError UNAVAILABLE (no leader; retryable), RESOURCE_EXHAUSTED
   * (too many requests waiting), DEADLINE_EXCEEDED (outcome unknown; retry with the same
   * sequence), INVALID_ARGUMENT (the request breaks a limit; nothing applied).
   */
  write(request: WriteRequest): Promise<WriteResponse>;
  /** Resolves once this member reflects every write committed before the call. */
  readBarrier(): Promise<void>;
  get(key: Uint8Array): Promise<KeyValue | undefined>;
  range(request: RangeRequest): Promise<RangeResponse>;
  watch(request: WatchRequest): Watcher;

  /** Leader only (followers relay): adds a learner with its addresses. ALREADY_EXISTS if
   * the id, the name or an address is taken, unless `identity` was already applied. */
  addLearner(name: string, raftId: number, addresses: MemberAddresses, identity: WriteIdentity): Promise<ConfState>;
  /** Leader only: makes a caught-up learner a voter; FAILED_PRECONDITION if it lags. */
  promote(raftId: number, identity: WriteIdentity): Promise<ConfState>;
  /** Leader only: removes a member (a removed leader steps down). */
  remove(raftId: number, identity: WriteIdentity): Promise<ConfState>;
  /** Asks the leader to hand leadership to `raftId`; resolves when it has moved. */
  transferLeadership(raftId: number): Promise<void>;
}

/** The term for a response header (ClusterNode.raftTerm). */
export function raftTermOf(node: ClusterNode): number {
  return node.raftTerm?.() ?? node.raftStatus().hardState.term;
}
