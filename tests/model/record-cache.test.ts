// The key cache keeps at most keyCacheBytesMax of keys and values, drops the least recently
// touched first, and remembers that a key does not exist as well as what it holds.
import test from 'ava';
import { KeyRecordCache } from '../../storage-engine/model/record-cache.ts';
import { kv } from './helpers.ts';

test('the least recently touched keys go first when the cache is over its bytes', (t) => {
  // Each entry costs 96 bytes of overhead plus its key and value: 100 for "a"="xyz".
  const cache = new KeyRecordCache(300);
  cache.set('a', kv('a', 'xyz', 2, 2, 1));
  cache.set('b', kv('b', 'xyz', 3, 3, 1));
  cache.set('c', undefined);
  t.is(cache.size, 3);
  t.true(cache.has('c'), 'a key known not to exist is cached');
  t.is(cache.get('c'), undefined);
  cache.set('a', kv('a', 'xyz', 2, 4, 2)); // touching a makes b the oldest
  cache.set('d', kv('d', 'xyz', 5, 5, 1));
  t.false(cache.has('b'));
  t.deepEqual([cache.has('a'), cache.has('c'), cache.has('d')], [true, true, true]);
  t.is(cache.get('a')?.modRevision, 4);
  cache.set('e', kv('e', 'x'.repeat(1000), 6, 6, 1));
  t.is(cache.size, 0, 'an entry larger than the whole cache is not kept either');
  cache.set('f', undefined);
  cache.clear();
  t.is(cache.size, 0);
  t.false(cache.has('f'));
});
