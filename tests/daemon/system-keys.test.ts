// The cluster's own records (vDisks, members, under the reserved prefix 0x00 "vstor/") on a
// real one-member VstorNode: a user's write to them is refused, a user's range read and
// watch over a range that covers them leave them out, and the daemon's own watch of them
// (watchSystem) sees them. A range over part of the reserved prefix takes only the records
// it covers off its count.
import test from 'ava';
import { memberKey } from '../../daemon/members.ts';
import type { WatchEvent } from '../../storage-engine/model/index.ts';
import { isVstorError } from '../../storage-engine/errors.ts';
import { oneNode } from './one-node.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** [0x00, 0x00): every key, as etcd spells it. */
const everyKey = { key: Uint8Array.of(0), rangeEnd: Uint8Array.of(0) };
const keysOf = (events: WatchEvent[]): string[] => events.map((event) => decoder.decode(event.kv.key));

/** The keys of the next `count` events of `watcher` (an answered write is published a
 * moment later, so they may come in more than one batch); at most 5 s. */
async function nextKeys(watcher: AsyncIterator<WatchEvent[]>, count: number): Promise<string[]> {
  const keys: string[] = [];
  const giveUpAt = Date.now() + 5_000;
  while (keys.length < count) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${keys.length} of ${count} events within 5 s: ${keys.join(', ')}`)), Math.max(0, giveUpAt - Date.now()));
    });
    const step = await Promise.race([watcher.next(), timeout]).finally(() => clearTimeout(timer));
    if (step.done === true) break;
    keys.push(...keysOf(step.value));
  }
  return keys;
}

test('a user write to a reserved key is refused, and nothing is applied', async (t) => {
  const node = await oneNode(t);
  const revision = node.modelRevision();
  const error = await t.throwsAsync(node.write({ clientId: 'system-keys-test', sequence: 1, command: { type: 'put', key: memberKey(9), value: encoder.encode('x') } }));
  t.true(isVstorError(error, 'INVALID_ARGUMENT'));
  t.regex(error!.message, /reserved for the cluster/);
  t.is(node.modelRevision(), revision);
});

test('a range over every key leaves the reserved records out, and out of its count', async (t) => {
  const node = await oneNode(t);
  await node.writeSystem({ type: 'put', key: memberKey(7), value: encoder.encode('{}') });
  await node.write({ clientId: 'system-keys-test', sequence: 1, command: { type: 'put', key: encoder.encode('user/a'), value: encoder.encode('1') } });
  const all = await node.range(everyKey);
  t.deepEqual(all.kvs.map((kv) => decoder.decode(kv.key)), ['user/a']);
  t.is(all.count, 1);
  const reserved = await node.rangeSystem(memberKey(7).subarray(0, 7));
  t.true(reserved.kvs.some((kv) => decoder.decode(kv.key) === '\u0000vstor/members/000000000007'), 'the record is there for the daemon');
});

test('a range covering part of the reserved prefix takes only the records it covers off its count', async (t) => {
  const node = await oneNode(t);
  await node.writeSystem({ type: 'put', key: memberKey(7), value: encoder.encode('{}') });
  await node.writeSystem({ type: 'put', key: encoder.encode('\u0000vstor/other'), value: encoder.encode('{}') });
  // Right after the reserved prefix ("\0vstor0" sorts after every "\0vstor/..."): a user key.
  await node.write({ clientId: 'system-keys-test', sequence: 1, command: { type: 'put', key: encoder.encode('\u0000vstor0x'), value: encoder.encode('1') } });
  await node.write({ clientId: 'system-keys-test', sequence: 2, command: { type: 'put', key: encoder.encode('user/a'), value: encoder.encode('2') } });
  // From "\0vstor/n": covers "\0vstor/other" but not the member record.
  const tail = await node.range({ key: encoder.encode('\u0000vstor/n'), rangeEnd: Uint8Array.of(0) });
  t.deepEqual(tail.kvs.map((kv) => decoder.decode(kv.key)), ['\u0000vstor0x', 'user/a']);
  t.is(tail.count, 2);
});

test('a watch over every key leaves the reserved records out; the daemon\'s own watch sees them', async (t) => {
  const node = await oneNode(t);
  const user = node.watch({ ...everyKey });
  const prefixed = node.watch({ key: Uint8Array.of(0), prefix: true });
  const system = node.watchSystem({ key: memberKey(7), prefix: true });
  t.teardown(() => {
    user.cancel();
    prefixed.cancel();
    system.cancel();
  });
  await node.writeSystem({ type: 'put', key: memberKey(7), value: encoder.encode('{}') });
  await node.write({ clientId: 'system-keys-test', sequence: 1, command: { type: 'put', key: encoder.encode('user/a'), value: encoder.encode('1') } });
  await node.write({ clientId: 'system-keys-test', sequence: 2, command: { type: 'put', key: Uint8Array.of(0, 0x61), value: encoder.encode('2') } });

  t.deepEqual(await nextKeys(user, 2), ['user/a', '\u0000a']);
  t.deepEqual(await nextKeys(prefixed, 1), ['\u0000a'], 'a prefix watch on 0x00 covers the reserved prefix too');
  t.deepEqual(await nextKeys(system, 1), ['\u0000vstor/members/000000000007']);
});
