// A SystemModel for the vDisk tests: a real model (tests/rpc/fake-node.ts's SharedModel,
// on classic-level) without Raft. Several can share one model, as the members of one
// group do. Read barriers are counted; a hook runs before each write is applied, so a
// test can slip another member's change in between a read and the txn that follows it.
import type { SystemModel } from '../../daemon/vdisks/system-model.ts';
import type { KeyValue, Watcher, WatchRequest, WriteCommand, WriteResponse } from '../../storage-engine/model/index.ts';
import { prefixEnd } from '../../storage-engine/model/index.ts';
import type { RaftStatus } from '../../consensus/index.ts';
import type { ClusterView } from '../../daemon/vdisks/manager.ts';
import type { MemberInfo } from '../../rpc/node-api.ts';
import type { SharedModel } from '../rpc/fake-node.ts';
import { member } from '../rpc/fake-node.ts';

export class ModelOnly implements SystemModel {
  barriers = 0;
  readonly writes: WriteCommand[] = [];
  beforeWrite: (command: WriteCommand) => Promise<void> | void = () => {};
  private sequence = 0;

  constructor(
    readonly shared: SharedModel,
    private readonly clientId = 'member-under-test',
  ) {}

  async readBarrier(): Promise<void> {
    this.barriers++;
  }

  getSystem(key: Uint8Array): Promise<KeyValue | undefined> {
    return this.shared.model.get(key);
  }

  async rangeSystem(prefix: Uint8Array): Promise<{ kvs: KeyValue[]; revision: number }> {
    const response = await this.shared.model.range({ key: prefix, rangeEnd: prefixEnd(prefix) });
    return { kvs: response.kvs, revision: response.header.revision };
  }

  async writeSystem(command: WriteCommand): Promise<WriteResponse> {
    await this.beforeWrite(command);
    this.writes.push(command);
    return this.shared.apply({ clientId: this.clientId, sequence: ++this.sequence, command });
  }

  watchSystem(request: WatchRequest): Watcher {
    return this.shared.model.watch(request);
  }

  modelRevision(): number {
    return this.shared.model.revision;
  }
}

/** The cluster as a sole member n1 sees it: leader of itself. */
export class SoleMember implements ClusterView {
  readonly name = 'n1';
  readonly raftId = 1;

  raftStatus(): RaftStatus {
    return {
      id: 1, hardState: { term: 2, vote: 1, commit: 10 }, softState: { lead: 1, state: 'leader' }, applied: 10, leadTransferee: 0,
      confState: { voters: [1], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false },
      progress: new Map([[1, { match: 10, next: 11, state: 'replicate', isLearner: false, recentActive: true, inflightMessages: 0 }]]),
    };
  }

  leader(): MemberInfo {
    return member(1);
  }

  members(): MemberInfo[] {
    return [member(1)];
  }
}
