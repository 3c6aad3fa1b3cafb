// The cluster's key-value model (storage-engine/model) as the Raft loop's state machine.
// A Ready's entries are applied in Raft order, in one model batch; configuration entries
// and a new leader's empty entry only advance the applied index. A Raft snapshot's data is the
// model's snapshot stream joined into one buffer (chunk boundaries carry no meaning), and
// the model is fsync'd before its image is used to compact the Raft log, so that the log
// never loses an entry the model on disk has not durably applied.

import type { RaftSnapshot } from '../consensus/index.ts';
import type { ApplyResult, KvStateMachine } from '../storage-engine/model/index.ts';
import { concatBytes } from '../storage-engine/model/index.ts';
import type { AppliedEntry, ReplicatedStateMachine, SnapshotImage } from './raft-loop.ts';

const EMPTY = new Uint8Array(0);

export class ModelStateMachine implements ReplicatedStateMachine {
  constructor(readonly model: KvStateMachine) {}

  appliedIndex(): number {
    return this.model.appliedIndex;
  }

  /** A Ready's entries go to the model together: one batch, one write (see applyMany);
   * their results are handed to `decided` before that write lands. */
  apply(entries: AppliedEntry[], decided?: (first: number, results: unknown[]) => void): Promise<ApplyResult[]> {
    return this.model.applyMany(entries.map((entry) => ({ index: entry.index, entryBytes: entry.command ?? EMPTY })), { decided });
  }

  async restore(snapshot: RaftSnapshot): Promise<void> {
    await this.model.restore([snapshot.data]);
  }

  async snapshot(): Promise<SnapshotImage> {
    await this.model.sync();
    // Pinned here (the model's iterators open at once, at a moment no batch is in flight);
    // read later, while the Raft loop goes on.
    const image = await this.model.snapshot();
    return {
      read: async () => {
        const chunks: Uint8Array[] = [];
        try {
          for await (const chunk of image) chunks.push(chunk);
        } finally {
          await image.close();
        }
        return concatBytes(...chunks);
      },
    };
  }

}
