// Capacity publishing (daemon/vdisks/capacity.ts): a member writes its free space to the
// model at start, and afterwards only when it moved by more than 1% of the total, so an
// idle cluster adds nothing to the log; the record reads back; an unreadable one counts as
// no free space rather than failing placement.
import test from 'ava';
import { pino } from 'pino';
import { CapacityPublisher, capacityKey, decodeCapacityRecord, measureCapacity } from '../../daemon/vdisks/capacity.ts';
import { SharedModel } from '../rpc/fake-node.ts';
import { ModelOnly } from './model-only.ts';

const GiB = 1024 ** 3;

test('free space is written at start, then only when it moved by more than 1% of the total', async (t) => {
  const model = new ModelOnly(await SharedModel.open(t));
  let freeBytes = 50 * GiB;
  const publisher = new CapacityPublisher({
    model, memberName: 'n2', directory: '/unused', intervalMs: 3_600_000, retryIntervalMs: 3_600_000,
    logger: pino({ level: 'silent' }), measure: async () => ({ freeBytes, totalBytes: 100 * GiB }),
  });
  t.teardown(() => publisher.close());
  await publisher.publish();
  const first = decodeCapacityRecord((await model.getSystem(capacityKey('n2')))!.value);
  t.like(first, { freeBytes: 50 * GiB, totalBytes: 100 * GiB });
  freeBytes -= 0.5 * GiB;
  await publisher.publish();
  t.is(model.writes.length, 1, 'half a percent is not worth a log entry');
  freeBytes -= 1 * GiB;
  await publisher.publish();
  t.is(model.writes.length, 2);
  t.is(decodeCapacityRecord((await model.getSystem(capacityKey('n2')))!.value)?.freeBytes, 48.5 * GiB);
});

test('a real file system is measured; an unreadable record reads as none', async (t) => {
  const measured = await measureCapacity(process.cwd());
  t.true(measured.totalBytes > 0 && measured.freeBytes >= 0 && measured.freeBytes <= measured.totalBytes);
  t.is(decodeCapacityRecord(new TextEncoder().encode('{"format":9,"freeBytes":1,"totalBytes":1,"atMs":1}')), undefined);
  t.is(decodeCapacityRecord(new TextEncoder().encode('not json')), undefined);
  t.is(decodeCapacityRecord(new TextEncoder().encode('{"format":1,"freeBytes":-1,"totalBytes":1,"atMs":1}')), undefined);
});
