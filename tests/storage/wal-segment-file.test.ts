// The WAL's append file: bytes land where asked on both paths, a small durable write is made
// inline while durable writes are fast, and goes through the thread pool once their moving
// average passes INLINE_DURABLE_WRITE_MS_MAX, until fast writes bring it back down. The
// durations come from a clock the test sets, so nothing here depends on the disk's speed.

import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { INLINE_DURABLE_WRITE_MS_MAX, SegmentFile } from '../../storage-engine/wal/wal-segment-file.ts';
import { temporaryDirectory } from './temp-dir.ts';

/** A segment of `bytes` zeros and a clock that moves `step` ms on every reading. */
async function segment(t: Parameters<typeof temporaryDirectory>[0], bytes: number) {
  const file = path.join(await temporaryDirectory(t, 'segment'), 'segment.wal');
  fs.writeFileSync(file, new Uint8Array(bytes));
  const clock = { at: 0, step: 0.1 };
  const segmentFile = await SegmentFile.open(file, { now: () => (clock.at += clock.step) });
  t.teardown(() => segmentFile.close());
  return { file, segmentFile, clock };
}

const filled = (length: number, value: number) => new Uint8Array(length).fill(value);

test('writes land at their positions, durable or not, small or large', async (t) => {
  const { file, segmentFile } = await segment(t, 256 * 1024);
  await segmentFile.write(filled(100, 1), 0, true);
  await segmentFile.write(filled(50, 2), 100, false);
  await segmentFile.write(filled(100 * 1024, 3), 150, true);
  await segmentFile.write(filled(100 * 1024, 4), 150 + 100 * 1024, false);
  await segmentFile.datasync();
  const bytes = fs.readFileSync(file);
  t.deepEqual(bytes.subarray(0, 100), Buffer.from(filled(100, 1)));
  t.deepEqual(bytes.subarray(100, 150), Buffer.from(filled(50, 2)));
  t.deepEqual(bytes.subarray(150, 150 + 100 * 1024), Buffer.from(filled(100 * 1024, 3)));
  t.deepEqual(bytes.subarray(150 + 100 * 1024, 150 + 200 * 1024), Buffer.from(filled(100 * 1024, 4)));
  t.is(bytes[150 + 200 * 1024], 0);
});

test('a small durable write is made inline while durable writes are fast', async (t) => {
  const { file, segmentFile } = await segment(t, 4096);
  t.true(segmentFile.durableWritesInline);
  const written = segmentFile.write(filled(64, 7), 0, true);
  // Inline: on disk before the call has returned to the loop even once.
  t.deepEqual(fs.readFileSync(file).subarray(0, 64), Buffer.from(filled(64, 7)));
  await written;
  t.true(segmentFile.durableWritesInline);
});

test('slow durable writes send the next ones through the thread pool, fast ones bring them back', async (t) => {
  const { file, segmentFile, clock } = await segment(t, 64 * 1024);
  clock.step = 10 * INLINE_DURABLE_WRITE_MS_MAX;
  await segmentFile.write(filled(64, 1), 0, true);
  t.false(segmentFile.durableWritesInline, 'one write ten times the limit moves the average past it');
  // Through the pool while slow; the bytes still land.
  for (let i = 1; i < 10; i++) await segmentFile.write(filled(64, i + 1), i * 64, true);
  t.false(segmentFile.durableWritesInline);
  clock.step = INLINE_DURABLE_WRITE_MS_MAX / 10;
  let writes = 0;
  while (!segmentFile.durableWritesInline && writes < 100) await segmentFile.write(filled(64, 0xee), (10 + writes++) * 64, true);
  t.true(segmentFile.durableWritesInline, `inline again after ${writes} fast writes`);
  t.true(writes > 1, 'one fast write does not undo a slow run');
  const bytes = fs.readFileSync(file);
  for (let i = 0; i < 10; i++) t.deepEqual(bytes.subarray(i * 64, (i + 1) * 64), Buffer.from(filled(64, i + 1)));
});
