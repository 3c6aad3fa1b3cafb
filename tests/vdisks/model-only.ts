// A SystemModel for the vDisk tests: a real model (tests/rpc/fake-node.ts's SharedModel,
// on classic-level) without Raft. Several can share one model, as the members of one
// group do. Read barriers are counted; a hook runs before each write is applied, so a
// test can slip another member's change in between a read and the txn that follows it.
import type { SystemModel } from '../../daemon/vdisks/system-model.ts';
import type { KeyValue, Watcher, WatchRequest, WriteCommand, WriteResponse } from '../../storage-engine/model/index.ts';
import { prefixEnd } from '../../storage-engine/model/index.ts';
import type { SharedModel } from '../rpc/fake-node.ts';

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
