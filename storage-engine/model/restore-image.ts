// The writing half of restore(): a snapshot stream decoded, checked record by record and
// written under a generation that is not in use, in batches of about snapshotChunkBytes.
// Nothing here makes the image current; the state machine does that with one write once
// this returns, which is what keeps a failed or interrupted restore invisible.

import type { ModelConfig } from './config.ts';
import { assert, VstorError } from './errors.ts';
import { absoluteKey } from './layout.ts';
import type { ModelBatchOperation, ModelDatabase } from './model-database.ts';
import { SnapshotChecker } from './snapshot-check.ts';
import type { SnapshotHeader } from './snapshot-stream.ts';
import { decodeSnapshot } from './snapshot-stream.ts';

/** Writes the image in `chunks` under `target` and returns its header. `stillWanted` is
 * asked between records, so that closing the model abandons a long restore. */
export async function writeSnapshotImage(
  db: ModelDatabase,
  target: number,
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  config: ModelConfig,
  stillWanted: () => boolean,
): Promise<SnapshotHeader> {
  let header: SnapshotHeader | undefined;
  let checker: SnapshotChecker | undefined;
  let batch: ModelBatchOperation[] = [];
  let batchBytes = 0;
  for await (const item of decodeSnapshot(chunks, snapshotFrameBytesMax(config))) {
    if (!stillWanted()) throw new VstorError('UNAVAILABLE', 'the model is closing; the restore was abandoned');
    if (item.type === 'header') {
      header = item.header;
      checker = new SnapshotChecker(header, config);
      continue;
    }
    assert(checker !== undefined, 'a snapshot stream yields its header first');
    checker.check(item.record);
    const { relativeKey, value } = item.record;
    batch.push({ type: 'put', key: absoluteKey(target, relativeKey), value });
    batchBytes += relativeKey.length + value.length;
    if (batchBytes >= config.snapshotChunkBytes) {
      await db.batch(batch);
      batch = [];
      batchBytes = 0;
    }
  }
  assert(header !== undefined && checker !== undefined, 'a complete snapshot stream has a header');
  checker.finish();
  if (batch.length > 0) await db.batch(batch);
  return header;
}

/** The longest frame a snapshot of this configuration can hold: an event with both a kv
 * and a prevKv, or a session's response, with room for the key and framing. */
function snapshotFrameBytesMax(config: ModelConfig): number {
  const eventBytes = 2 * (config.keyBytesMax + config.valueBytesMax);
  return Math.max(eventBytes, config.responseBytesMax) + config.keyBytesMax + config.clientIdBytesMax + 256;
}
