// A ClusterNode for the gRPC tests: real model semantics without Raft. Writes are applied
// to a real KvStateMachine (on classic-level in a temporary directory) at the next index,
// as the Raft loop would once they commit; several fake members can share one model, as
// the members of one Raft group share one replicated state. What Raft would decide
// (who leads, the membership) is set by the test, and the calls that would go through
// Raft (read barriers, membership changes) are recorded for it to check.
import type { ExecutionContext } from 'ava';
import type { ConfState, RaftStatus, StateType } from '../../consensus/index.ts';
import type { ClusterNode, MemberAddresses, MemberInfo, WriteIdentity } from '../../rpc/node-api.ts';
import type { KeyValue, ModelConfig, RangeRequest, RangeResponse, Watcher, WatchRequest, WriteRequest, WriteResponse , KvStateMachine} from '../../storage-engine/model/index.ts';
import { encodeWriteRequest, validateWriteRequest, VstorError } from '../../storage-engine/model/index.ts';
import { openModel } from '../model/helpers.ts';

/** One model that several fake members serve, like the replicas of one Raft group. */
export class SharedModel {
  /** The index of the last entry handed out: entries get consecutive indexes in the order
   * they are proposed, as in a Raft log, even while earlier ones are still being applied. */
  private lastIndex: number;

  private constructor(readonly model: KvStateMachine) {
    this.lastIndex = model.appliedIndex;
  }

  static async open(t: ExecutionContext, config: Partial<ModelConfig> = {}): Promise<SharedModel> {
    const { model } = await openModel(t, config);
    return new SharedModel(model);
  }

  /** Applies `request` as the next committed entry. */
  async apply(request: WriteRequest): Promise<WriteResponse> {
    validateWriteRequest(request, this.model.config);
    const result = await this.model.apply(++this.lastIndex, encodeWriteRequest(request));
    if (result.kind !== 'response') throw new Error(`expected a response, got ${result.kind}`);
    return result.response;
  }
}

export function member(raftId: number, grpc = `127.0.0.1:${9000 + raftId}`, voter = true): MemberInfo {
  return { name: `n${raftId}`, raftId, voter, grpc, peer: `127.0.0.1:${9300 + raftId}`, admin: `127.0.0.1:${9100 + raftId}`, nbd: `127.0.0.1:${9200 + raftId}` };
}

export interface MembershipCall {
  method: 'addLearner' | 'promote' | 'remove' | 'transferLeadership';
  raftId: number;
  name?: string;
  addresses?: MemberAddresses;
  identity?: WriteIdentity;
}

export class FakeNode implements ClusterNode {
  readonly clusterId = 'test-cluster';
  readonly name: string;
  role: StateType = 'leader';
  /** The leader this member believes in; itself by default. */
  leaderInfo: MemberInfo | undefined;
  memberList: MemberInfo[];
  term = 3;
  readBarrierCount = 0;
  readonly writes: WriteRequest[] = [];
  /** Every watcher this member created, in order. */
  readonly watchers: Watcher[] = [];
  readonly membershipCalls: MembershipCall[] = [];
  /**
   * Called with each write before it is applied; it may throw to refuse the write, or
   * return 'fail-after-apply' to apply it and then fail the call (the answer was lost),
   * or 'hang-after-apply' to apply it and never answer, or a promise to apply it and answer
   * once the promise resolves.
   */
  onWrite: (request: WriteRequest) => void | 'fail-after-apply' | 'hang-after-apply' | Promise<void> = () => {};
  /** Makes membership calls fail, e.g. with NOT_LEADER. */
  membershipError: VstorError | undefined;

  constructor(
    readonly shared: SharedModel,
    readonly raftId = 1,
    members: MemberInfo[] = [member(1), member(2), member(3)],
  ) {
    this.name = `n${raftId}`;
    this.memberList = members;
    this.leaderInfo = members.find((info) => info.raftId === raftId);
  }

  leader(): MemberInfo | undefined {
    return this.leaderInfo;
  }

  raftStatus(): RaftStatus {
    const voters = this.memberList.filter((info) => info.voter).map((info) => info.raftId);
    const learners = this.memberList.filter((info) => !info.voter).map((info) => info.raftId);
    const status: RaftStatus = {
      id: this.raftId,
      hardState: { term: this.term, vote: this.raftId, commit: 40 },
      softState: { lead: this.leaderInfo?.raftId ?? 0, state: this.role },
      applied: 39,
      leadTransferee: 0,
      confState: { voters, learners, votersOutgoing: [], learnersNext: [], autoLeave: false },
    };
    if (this.role === 'leader') {
      status.progress = new Map(this.memberList.map((info) => [info.raftId, {
        match: info.raftId === this.raftId ? 42 : 42 - info.raftId, next: 43, state: 'replicate' as const,
        isLearner: !info.voter, recentActive: true, inflightMessages: 0,
      }]));
    }
    return status;
  }

  raftLogIndexes(): { firstIndex: number; lastIndex: number } {
    return { firstIndex: 5, lastIndex: 42 };
  }

  modelRevision(): number {
    return this.shared.model.revision;
  }

  members(): MemberInfo[] {
    return [...this.memberList];
  }

  async write(request: WriteRequest): Promise<WriteResponse> {
    this.writes.push(request);
    const outcome = this.onWrite(request);
    const response = await this.shared.apply(request);
    if (outcome === 'fail-after-apply') throw new VstorError('UNAVAILABLE', `${this.name} lost the answer`);
    if (outcome === 'hang-after-apply') return new Promise<never>(() => {});
    if (outcome instanceof Promise) await outcome;
    return response;
  }

  async readBarrier(): Promise<void> {
    this.readBarrierCount++;
  }

  get(key: Uint8Array): Promise<KeyValue | undefined> {
    return this.shared.model.get(key);
  }

  range(request: RangeRequest): Promise<RangeResponse> {
    return this.shared.model.range(request);
  }

  watch(request: WatchRequest): Watcher {
    const watcher = this.shared.model.watch(request);
    this.watchers.push(watcher);
    return watcher;
  }

  async addLearner(name: string, raftId: number, addresses: MemberAddresses, identity: WriteIdentity): Promise<ConfState> {
    this.membershipCalls.push({ method: 'addLearner', raftId, name, addresses, identity });
    if (this.membershipError !== undefined) throw this.membershipError;
    this.memberList.push({ name, raftId, voter: false, ...addresses });
    return this.raftStatus().confState;
  }

  async promote(raftId: number, identity: WriteIdentity): Promise<ConfState> {
    this.membershipCalls.push({ method: 'promote', raftId, identity });
    if (this.membershipError !== undefined) throw this.membershipError;
    const promoted = this.memberList.find((info) => info.raftId === raftId);
    if (promoted === undefined) throw new VstorError('NOT_FOUND', `no member ${raftId}`);
    promoted.voter = true;
    return this.raftStatus().confState;
  }

  async remove(raftId: number, identity: WriteIdentity): Promise<ConfState> {
    this.membershipCalls.push({ method: 'remove', raftId, identity });
    if (this.membershipError !== undefined) throw this.membershipError;
    this.memberList = this.memberList.filter((info) => info.raftId !== raftId);
    return this.raftStatus().confState;
  }

  async transferLeadership(raftId: number): Promise<void> {
    this.membershipCalls.push({ method: 'transferLeadership', raftId });
    if (this.membershipError !== undefined) throw this.membershipError;
    this.leaderInfo = this.memberList.find((info) => info.raftId === raftId);
    this.role = raftId === this.raftId ? 'leader' : 'follower';
  }
}
