// What the vDisk controllers need of the node's model: reads and writes of the cluster's
// own keys (under the reserved prefix, which user writes may not touch), a read barrier for
// linearizable decisions, and watches. VstorNode implements it (daemon/node.ts); tests use
// a model without Raft.

import type { KeyValue, Watcher, WatchRequest, WriteCommand, WriteResponse } from '../../storage-engine/model/index.ts';

export interface SystemModel {
  /** Resolves once this member reflects every write committed before the call. */
  readBarrier(): Promise<void>;
  /** A key of this member's model, as applied here. */
  getSystem(key: Uint8Array): Promise<KeyValue | undefined>;
  /** Every key under `prefix` as applied here, in key order, and the revision read at. */
  rangeSystem(prefix: Uint8Array): Promise<{ kvs: KeyValue[]; revision: number }>;
  /**
   * Proposes a write of system keys through Raft with this member's own at-most-once
   * identity, and resolves when it is applied on this member (so its reads see it).
   */
  writeSystem(command: WriteCommand): Promise<WriteResponse>;
  watchSystem(request: WatchRequest): Watcher;
  /** This member's model revision. */
  modelRevision(): number;
}
