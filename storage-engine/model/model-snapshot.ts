// One snapshot of the model being streamed: the image as it was when snapshot() returned,
// read through a level iterator (itself a database snapshot) while applies go on. It can be
// iterated once. Closing it early, or closing the model, releases the iterator; a
// consumer still iterating then gets UNAVAILABLE.

import type { ImageRead } from './model-reads.ts';
import { invalidArgument, VstorError } from './errors.ts';
import type { SnapshotHeader } from './snapshot-stream.ts';
import { encodeSnapshot } from './snapshot-stream.ts';

export class ModelSnapshot implements AsyncIterable<Uint8Array> {
  readonly appliedIndex: number;
  readonly revision: number;
  private started = false;
  private closed = false;

  constructor(
    private readonly header: SnapshotHeader,
    private readonly image: ImageRead,
    private readonly chunkBytes: number,
    private readonly onClosed: (snapshot: ModelSnapshot) => void,
  ) {
    this.appliedIndex = header.appliedIndex;
    this.revision = header.revision;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this.started) throw invalidArgument('snapshot', 'a snapshot stream can be iterated only once');
    this.started = true;
    return this.chunks();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClosed(this);
    await this.image.close();
  }

  private async *chunks(): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of encodeSnapshot(this.header, this.image.records(), this.chunkBytes)) {
        if (this.closed) break;
        yield chunk;
      }
      if (this.closed) throw new VstorError('UNAVAILABLE', 'the snapshot was closed before it was read to the end');
    } catch (error) {
      if (this.closed) throw new VstorError('UNAVAILABLE', 'the snapshot was closed before it was read to the end');
      throw error;
    } finally {
      await this.close();
    }
  }
}
