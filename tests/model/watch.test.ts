// Proves the watch contract: a watcher on a key, range or prefix receives every change from
// its start revision on, in revision order, none missed and none twice, whether it starts
// now or in the past and however writes interleave with its consumer; a start older than the
// retained history fails with COMPACTED naming the oldest available revision; a consumer
// that falls too far behind is cancelled with RESOURCE_EXHAUSTED instead of growing memory;
// and a restore hands watchers over to the new image without a gap.

import test from 'ava';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { SeededRandom } from '../../consensus/random.ts';
import { encodeWriteRequest } from '../../storage-engine/model/codec.ts';
import { isVstorError } from '../../storage-engine/model/errors.ts';
import type { WatchEvent } from '../../storage-engine/model/events.ts';
import { KeyRange, RANGE_END_UNBOUNDED } from '../../storage-engine/model/key-range.ts';
import { KvStateMachine } from '../../storage-engine/model/kv-state-machine.ts';
import type { Watcher } from '../../storage-engine/model/watch-hub.ts';
import { bytes, openModel, put, TestDatabase, text } from './helpers.ts';

const describe = (event: WatchEvent): string => `${event.type} ${text(event.kv.key)}@${event.kv.modRevision}`;

/** Reads a watcher until it ends, collecting what it delivered and how it ended. */
async function consume(watcher: Watcher, pause?: () => Promise<void>): Promise<{ events: string[]; error?: unknown }> {
  const events: string[] = [];
  try {
    for await (const batch of watcher) {
      events.push(...batch.map(describe));
      if (pause !== undefined) await pause();
    }
    return { events };
  } catch (error) {
    return { events, error };
  }
}

/** Waits until the watcher has delivered every revision up to `revision` to its consumer. */
async function drained(watcher: Watcher, revision: number): Promise<void> {
  while (watcher.active && (watcher.position.revision <= revision || watcher.queuedEventCount > 0)) await yieldToEvents();
}

test('a watcher from now sees only later changes, with prevKv only when asked', async (t) => {
  const { driver, model } = await openModel(t);
  await driver.put('a', 'before');
  const plain = model.watch({ key: bytes('a') });
  const withPrevKv = model.watch({ key: bytes('a'), prevKv: true });
  await driver.put('a', 'after');
  await driver.deleteRange('a');
  const [plainBatch, prevBatch] = [await plain.next(), await withPrevKv.next()];
  t.deepEqual((plainBatch.value as WatchEvent[]).map(describe), ['put a@3', 'delete a@4']);
  t.deepEqual((plainBatch.value as WatchEvent[]).map((event) => event.prevKv), [undefined, undefined]);
  t.deepEqual(
    (prevBatch.value as WatchEvent[]).map((event) => event.prevKv && text(event.prevKv.value)),
    ['before', 'after'],
  );
  const deleted = (plainBatch.value as WatchEvent[])[1]!;
  t.deepEqual(deleted.kv, { key: bytes('a'), value: new Uint8Array(0), createRevision: 0, modRevision: 4, version: 0 });
});

test('a watcher from a past revision gets the history, then live changes, in order', async (t) => {
  const { driver, model } = await openModel(t);
  await driver.put('p/1', 'x');
  await driver.put('q/1', 'x');
  await driver.txn([], [put('p/2', 'x'), put('q/2', 'x'), put('p/3', 'x')]);
  await driver.deleteRange('p/', 'p0');
  const watcher = model.watch({ key: bytes('p/'), prefix: true, startRevision: 3 });
  const result = consume(watcher);
  await driver.put('p/4', 'live');
  await driver.put('q/4', 'live');
  await drained(watcher, model.revision);
  watcher.cancel();
  t.deepEqual((await result).events, ['put p/2@4', 'put p/3@4', 'delete p/1@5', 'delete p/2@5', 'delete p/3@5', 'put p/4@6']);
});

test('a start revision older than the history is COMPACTED, naming the oldest available revision', async (t) => {
  const { driver, model } = await openModel(t, { watchHistoryEventsMax: 4, writeKeysMax: 2, txnOperationsMax: 2 });
  for (let index = 0; index < 10; index++) await driver.put(`k${index}`, 'v');
  t.is(model.historyStartRevision, 8);
  const error = t.throws(() => model.watch({ key: bytes('k'), prefix: true, startRevision: 7 }));
  t.true(isVstorError(error, 'COMPACTED'));
  t.regex(error?.message ?? '', /oldest available revision is 8/);
  const watcher = model.watch({ key: bytes('k'), prefix: true, startRevision: 8 });
  const first = await watcher.next();
  watcher.cancel();
  t.deepEqual((first.value as WatchEvent[]).map(describe), ['put k6@8', 'put k7@9', 'put k8@10', 'put k9@11']);
});

test('a watcher catching up while its history is trimmed away ends with COMPACTED', async (t) => {
  const { driver, model } = await openModel(t, {
    watchHistoryEventsMax: 4,
    writeKeysMax: 2,
    txnOperationsMax: 2,
    watcherQueueEventsMax: 2,
  });
  for (let index = 0; index < 4; index++) await driver.put(`k${index}`, 'v');
  const watcher = model.watch({ key: bytes('k'), prefix: true, startRevision: 2 });
  // Its queue holds two events; the rest of the history goes before it asks for more.
  await yieldToEvents();
  for (let index = 4; index < 10; index++) await driver.put(`k${index}`, 'v');
  const result = await consume(watcher);
  t.deepEqual(result.events, ['put k0@2', 'put k1@3']);
  t.true(isVstorError(result.error, 'COMPACTED'), String(result.error));
});

test('a consumer that falls behind is cancelled with RESOURCE_EXHAUSTED and can resume where it stopped', async (t) => {
  const { driver, model } = await openModel(t, { watcherQueueEventsMax: 4, writeKeysMax: 2, txnOperationsMax: 2 });
  const slow = model.watch({ key: bytes('k'), prefix: true });
  for (let index = 0; index < 6; index++) await driver.put(`k${index}`, 'v');
  t.false(slow.active);
  t.is(model.watch({ key: bytes('x') }).id > slow.id, true);
  const result = await consume(slow);
  t.deepEqual(result.events, ['put k0@2', 'put k1@3', 'put k2@4', 'put k3@5'], 'what was queued is still delivered');
  t.true(isVstorError(result.error, 'RESOURCE_EXHAUSTED'));
  const resumeFrom = Number(/watch again from revision (\d+)/.exec(String(result.error))?.[1]);
  t.is(resumeFrom, 6);
  const resumed = model.watch({ key: bytes('k'), prefix: true, startRevision: resumeFrom });
  t.deepEqual(((await resumed.next()).value as WatchEvent[]).map(describe), ['put k4@6', 'put k5@7']);
  resumed.cancel();
});

test('a watcher replaying history is paced by its consumer, not cancelled', async (t) => {
  const { driver, model } = await openModel(t, { watcherQueueEventsMax: 4, writeKeysMax: 2, txnOperationsMax: 2 });
  for (let index = 0; index < 40; index++) await driver.put(`k${index}`, 'v');
  const watcher = model.watch({ key: bytes('k'), prefix: true, startRevision: 1 });
  const result = consume(watcher, () => yieldToEvents().then(() => undefined));
  await drained(watcher, model.revision);
  watcher.cancel();
  const { events, error } = await result;
  t.is(error, undefined);
  t.is(events.length, 40);
  t.deepEqual(events.slice(0, 2), ['put k0@2', 'put k1@3']);
});

test('watchers are bounded by watchersMax, and leaving a loop cancels the watch', async (t) => {
  const { driver, model } = await openModel(t, { watchersMax: 2 });
  const first = model.watch({ key: bytes('a') });
  model.watch({ key: bytes('b') });
  t.true(isVstorError(t.throws(() => model.watch({ key: bytes('c') })), 'RESOURCE_EXHAUSTED'));
  const done = (async () => {
    for await (const batch of first) return batch.map(describe);
    return [];
  })();
  await driver.put('a', '1');
  t.deepEqual(await done, ['put a@2']);
  t.false(first.active);
  t.notThrows(() => model.watch({ key: bytes('c') }));
});

test('closing the model ends every watcher with UNAVAILABLE', async (t) => {
  const { model } = await openModel(t);
  const watcher = model.watch({ key: bytes('a') });
  const result = consume(watcher);
  await model.close();
  t.true(isVstorError((await result).error, 'UNAVAILABLE'));
});

test('excludePrefix leaves the keys under it out of a watch, in its history and live', async (t) => {
  const { driver, model } = await openModel(t);
  await driver.put('a/1', 'x');
  await driver.put('a/sys/1', 'x');
  const watcher = model.watch({ key: bytes('a/'), prefix: true, startRevision: 2, excludePrefix: bytes('a/sys/') });
  const result = consume(watcher);
  await driver.txn([], [put('a/sys/2', 'live'), put('a/2', 'live')]);
  await driver.put('a/sy', 'live');
  await drained(watcher, model.revision);
  watcher.cancel();
  t.deepEqual((await result).events, ['put a/1@2', 'put a/2@4', 'put a/sy@5']);
});

test('watch requests are validated', async (t) => {
  const { model } = await openModel(t, { keyBytesMax: 4 });
  for (const [request, field] of [
    [{ key: new Uint8Array(0) }, /^key/],
    [{ key: bytes('abcde') }, /^key/],
    [{ key: bytes('a'), startRevision: -1 }, /^startRevision/],
    [{ key: bytes('a'), rangeEnd: bytes('b'), prefix: true }, /^prefix/],
    [{ key: bytes('a'), excludePrefix: new Uint8Array(0) }, /^excludePrefix/],
  ] as const) {
    const error = t.throws(() => model.watch(request));
    t.true(isVstorError(error, 'INVALID_ARGUMENT'));
    t.regex(error?.message ?? '', field);
  }
});

test('under many interleaved writes every watcher gets exactly its events, none missed, none twice', async (t) => {
  const seed = 20_240_601;
  const random = new SeededRandom(seed);
  const { driver, model } = await openModel(t, { watcherQueueEventsMax: 20_000 });
  const expected: Array<{ revision: number; description: string; key: Uint8Array }> = [];
  const live = new Set<string>();
  const watchers: Array<{ watcher: Watcher; start: number; range: KeyRange; result: ReturnType<typeof consume> }> = [];
  const keyNames = ['p/a', 'p/b', 'p/c', 'q/a', 'q/b', 'r'];

  for (let step = 0; step < 400; step++) {
    if (random.chance(0.05)) {
      // Watch from now, or from any revision still in the history.
      const start = random.chance(0.5) ? 0 : 1 + random.nextInt(model.revision);
      const range = random.chance(0.5) ? KeyRange.prefix(bytes('p/')) : new KeyRange(Uint8Array.of(0), RANGE_END_UNBOUNDED);
      const watcher = model.watch({ key: range.start, rangeEnd: range.end ?? RANGE_END_UNBOUNDED, startRevision: start });
      const pause = random.chance(0.5) ? () => yieldToEvents().then(() => undefined) : undefined;
      watchers.push({ watcher, start: start === 0 ? model.revision + 1 : start, range, result: consume(watcher, pause) });
    }
    const key = keyNames[random.nextInt(keyNames.length)]!;
    if (random.chance(0.3) && live.has(key)) {
      const response = await driver.deleteRange(key);
      live.delete(key);
      expected.push({ revision: response.header.revision, description: `delete ${key}@${response.header.revision}`, key: bytes(key) });
    } else if (random.chance(0.2)) {
      const other = key === 'r' ? 'p/a' : 'r';
      const response = await driver.txn([], [put(key, String(step)), put(other, String(step))]);
      for (const name of [key, other]) {
        live.add(name);
        expected.push({ revision: response.header.revision, description: `put ${name}@${response.header.revision}`, key: bytes(name) });
      }
    } else {
      const response = await driver.put(key, String(step));
      live.add(key);
      expected.push({ revision: response.header.revision, description: `put ${key}@${response.header.revision}`, key: bytes(key) });
    }
    if (random.chance(0.3)) await yieldToEvents();
  }
  t.true(watchers.length >= 5, `seed ${seed} started only ${watchers.length} watchers`);
  for (const { watcher, start, range, result } of watchers) {
    await drained(watcher, model.revision);
    watcher.cancel();
    const { events, error } = await result;
    t.is(error, undefined, `seed ${seed}`);
    const wanted = expected.filter((event) => event.revision >= start && range.contains(event.key)).map((event) => event.description);
    t.deepEqual(events, wanted, `seed ${seed}, watcher ${watcher.id} from revision ${start}`);
  }
});

test('a restore hands every watcher over to the new image without a gap', async (t) => {
  const { model } = await openModel(t);
  const ahead = new KvStateMachine({ db: (await TestDatabase.create(t, 'ahead')).modelSpace });
  await ahead.open();
  t.teardown(() => ahead.close());
  const entries = Array.from({ length: 6 }, (_, index) =>
    encodeWriteRequest({ clientId: 'c', sequence: index + 1, command: { type: 'put', key: bytes(`k${index}`), value: bytes('v') } }),
  );
  // This replica applied the first two entries; the other one all six.
  for (const [index, entry] of entries.entries()) {
    if (index < 2) await model.apply(index + 1, entry);
    await ahead.apply(index + 1, entry);
  }
  const watcher = model.watch({ key: bytes('k'), prefix: true, startRevision: 2 });
  const result = consume(watcher);
  await model.restore(await ahead.snapshot());
  await drained(watcher, model.revision);
  watcher.cancel();
  t.deepEqual((await result).events, ['put k0@2', 'put k1@3', 'put k2@4', 'put k3@5', 'put k4@6', 'put k5@7']);
  t.is(model.appliedIndex, 6);
});
